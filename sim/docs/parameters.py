"""The parameter tables of docs/MODEL.md, with their values and sources.

Run settings; market presets (scalars, segments, tools, partner pools); strategy presets; scenario presets.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from sim.docs.fields import FieldDoc, leaf_fields, walk
from sim.docs.markdown import fmt_value, table
from sim.docs.presets import Preset, presets_of, validated, value_at
from sim.scenario import schema as S


def _path_tuple(path: str) -> tuple:
    return tuple(p for p in path.replace("[]", "").split(".") if p)


def _source_cell(f: FieldDoc, notes: list[tuple[str, str]]) -> str:
    parts = [f.source] if f.source != "—" else []
    parts += [f"*{who}*: {c}" for who, c in notes if c]
    return "<br>".join(parts) if parts else "—"


def _market_scalar_rows(markets: list[tuple[Preset, S.Market]]) -> list[list[str]]:
    rows = []
    for f in leaf_fields(S.Market):
        if "[]" in f.path or "<name>" in f.path:
            continue
        parts = _path_tuple(f.path)
        cells, notes = [], []
        for preset, m in markets:
            v = value_at(m, parts)
            text = fmt_value(v)
            if (f.path == "represents" and getattr(m, "people", None) is not None
                    and not preset.is_set(parts)):
                text = "people / run.population"
            elif not preset.is_set(parts):
                text = f"*{text}*"
            cells.append(text)
            notes.append((preset.id.split("/")[-1], preset.comment_for(parts)))
        rows.append([f"`market.{f.path}`", f.unit, f.default_text(), *cells, _source_cell(f, notes)])
    return rows


def _segment_tables(markets: list[tuple[Preset, S.Market]]) -> str:
    out = []
    seg_fields = leaf_fields(S.Segment)
    for preset, m in markets:
        segs = m.segments
        header = ["Trait", "Unit", *[f"`{s.name}`" for s in segs], "Source"]
        rows = []
        for f in seg_fields:
            cells, notes = [], []
            for i, s in enumerate(segs):
                v = getattr(s, f.name)
                parts = ("segments", i, f.name)
                cells.append(fmt_value(v) if preset.is_set(parts) or f.name in ("name",) else f"*{fmt_value(v)}*")
                notes.append((s.name, preset.comment_for(parts)))
            if f.name == "name":
                continue
            rows.append([f"`{f.name}`", f.unit, *cells, _source_cell(f, notes)])
        out.append(f"**{preset.id}** ({m.currency})\n\n" + table(header, rows))
    return "\n\n".join(out)


def _keyed_tables(markets: list[tuple[Preset, S.Market]], attr: str, model: type[BaseModel], title: str) -> str:
    out = []
    fields = [f for f in leaf_fields(model) if f.name != "name"]
    for preset, m in markets:
        coll = getattr(m, attr)
        if not coll:
            out.append(f"**{preset.id}**: no {title}.")
            continue
        items = list(coll.items()) if isinstance(coll, dict) else [(x.name, x) for x in coll]
        keys = list(coll.keys()) if isinstance(coll, dict) else list(range(len(coll)))
        header = ["Parameter", "Unit", "Default", *[f"`{n}`" for n, _ in items], "Source"]
        rows = []
        for f in fields:
            cells, notes = [], []
            for key, (n, item) in zip(keys, items, strict=True):
                parts = (attr, key, f.name)
                v = getattr(item, f.name)
                cells.append(fmt_value(v) if preset.is_set(parts) else f"*{fmt_value(v)}*")
                notes.append((n, preset.comment_for(parts)))
            rows.append([f"`{f.name}`", f.unit, f.default_text(), *cells, _source_cell(f, notes)])
        block = [f"{n}: {preset.block_comment((attr, k))}" for k, (n, _) in zip(keys, items, strict=True)
                 if preset.block_comment((attr, k))]
        lead = f"**{preset.id}** ({m.currency})"
        if block:
            lead += " — " + "; ".join(block)
        out.append(lead + "\n\n" + table(header, rows))
    return "\n\n".join(out)


def _strategy_columns() -> list[tuple[str, Preset, tuple, S.Strategy]]:
    """(label, preset, path prefix of the strategy in the file, validated strategy) for every strategy."""
    from sim.scenario import loader

    cols = []
    for p in presets_of("strategies"):
        cols.append((p.id.split("/")[-1], p, (), validated(p, S.Strategy)))
    for p in presets_of("scenarios"):
        for i, b in enumerate(p.doc.get("brands", [])):
            st = b.get("strategy") if isinstance(b, dict) else None
            if isinstance(st, dict) and "extends" not in st:
                strat = loader.validate_document(st, str(p.path), S.Strategy)
                cols.append((f"{strat.name} (in {p.id})", p, ("brands", i, "strategy"), strat))
    return cols


def _strategy_rows(cols: list[tuple[str, Preset, tuple, S.Strategy]]) -> list[list[str]]:
    rows = []
    fields = [f for f, nested in walk(S.Strategy) if nested is None or f.kind == "list"]
    for f in fields:
        parts = _path_tuple(f.path)
        cells, notes = [], []
        listy = "[]" in f.path
        for label, preset, prefix, strat in cols:
            short = label.split(" (in ")[0]
            if listy:
                cells.append("↑ in the list")
                continue
            v = value_at(strat, parts)
            text = fmt_value(v)
            cells.append(text if preset.is_set(prefix + parts) else f"*{text}*")
            notes.append((short, preset.comment_for(prefix + parts)))
            if isinstance(v, list):
                for j in range(len(v)):
                    c = preset.comment_for(prefix + parts + (j,))
                    if c:
                        notes.append((f"{short} {f.name}[{j}]", c))
        rows.append([f"`strategy.{f.path}`", f.unit, f.default_text(), *cells, _source_cell(f, notes)])
    return rows


def _scenario_rows() -> list[list[str]]:
    rows = []
    for kind in ("scenarios", "validation"):
        for p in presets_of(kind):
            d = p.doc
            market = d.get("market", {})
            mref = market.get("extends", "inline") if isinstance(market, dict) else "?"
            brands = []
            for b in d.get("brands", []):
                st = b.get("strategy", {}) if isinstance(b, dict) else {}
                sref = st.get("extends", f"inline `{st.get('name', 'strategy')}`") if isinstance(st, dict) else "?"
                brands.append(f"{b.get('name', 'brand')}: {sref}")
            overrides = []
            for path in _flat_paths(d):
                if path[0] in ("name", "description", "run") or "extends" in path:
                    continue
                if path[0] == "market" and mref == "inline":
                    continue
                if path[0] == "brands" and len(path) > 2 and path[2] == "strategy":
                    st = d["brands"][path[1]].get("strategy", {})
                    if "extends" not in st:
                        continue
                if path[0] == "brands" and len(path) == 3 and path[2] == "name":
                    continue
                c = p.comment_for(path)
                overrides.append(".".join(map(str, path)) + f" = {fmt_value(p.get(path))}" + (f" ({c})" if c else ""))
            run = d.get("run", {})
            run_text = ", ".join(f"{k} {v if k == 'seed' else fmt_value(v)}" for k, v in run.items())
            rows.append([f"`{p.id}`", mref, "; ".join(brands), run_text, "; ".join(overrides) or "—",
                         " ".join(str(d.get("description", "")).split())])
    return rows


def _flat_paths(node: Any, path: tuple = ()) -> Iterator[tuple]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _flat_paths(v, path + (k,))
    elif isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
        for i, v in enumerate(node):
            yield from _flat_paths(v, path + (i,))
    else:
        yield path


def render_parameters() -> str:
    """Parameter tables: run, market (scalars, segments, tools, partners), strategies, presets."""
    markets = [(p, validated(p, S.Market)) for p in presets_of("markets")]
    mnames = [p.id.split("/")[-1] for p, _ in markets]
    out = [
        "Values in *italics* are not set in the preset file: the schema default applies. The source "
        "column gives the schema's declared source for the parameter, then, by preset, the end-of-line "
        "comment that the preset file writes next to that value. \"assumption\" means no public number "
        "backs the value.",
        "#### Run settings",
        table(["Parameter", "Unit", "Default", "Allowed", "Meaning", "Source"],
              [[f"`run.{f.path}`", f.unit, f.default_text(), f.range_text(), f.description, f.source]
               for f in leaf_fields(S.Run)]),
        "#### Market presets: " + ", ".join(f"`{p.id}`" for p, _ in markets),
        "\n".join(f"- `{p.id}`: {p.header}" for p, _ in markets if p.header),
        table(["Parameter", "Unit", "Default", *mnames, "Source"], _market_scalar_rows(markets)),
        "#### Consumer segments (trait distributions per segment)",
        _segment_tables(markets),
        "#### Private-pool tools",
        _keyed_tables(markets, "tools", S.Tool, "tools"),
        "#### Partner pools (other domain, 它域)",
        _keyed_tables(markets, "partners", S.Partner, "partner pools"),
        "#### Seasonal calendar and stress events (`market.calendar[]`, `market.stresses[]`; none in the presets)",
        table(["Parameter", "Unit", "Default", "Allowed", "Meaning", "Source"],
              [[f"`{f.path}`",
                f.unit, f.default_text(), f.range_text(), f"{where}: {f.description}", f.source]
               for where, model in (("calendar", S.Season), ("stresses", S.Stress)) for f in leaf_fields(model)]),
    ]
    cols = _strategy_columns()
    out += [
        "#### Strategy presets: " + ", ".join(f"`{c[0]}`" for c in cols),
        "Money amounts are in each strategy's own currency: "
        + ", ".join(f"`{label}` {s.currency or 'market currency'}" for label, _, _, s in cols)
        + ". They are converted at `FX_PER_USD` when a strategy runs in another market.",
        "\n".join(f"- `{p.id}`: {p.header}" for _, p, prefix, _ in cols if p.header and not prefix),
        table(["Parameter", "Unit", "Default", *[c[0] for c in cols], "Source"], _strategy_rows(cols)),
        "#### Scenario presets and limiting cases",
        table(["Preset", "Market", "Brands: strategy", "Run", "Changes on top of the presets", "What it shows"],
              _scenario_rows()),
    ]
    return "\n\n".join(x for x in out if x)
