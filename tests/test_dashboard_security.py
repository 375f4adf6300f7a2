"""The dashboard trusts no user text and runs with safe server settings however it is started.

- Hostile scenario, brand and key names (script tags, image tags, Markdown links and images that
  would make the browser fetch a URL) are shown as typed, never as markup: in Markdown elements,
  in widget labels and in plotly figures.
- No ``unsafe_allow_html`` anywhere, and no interpolated user names in Markdown without escaping.
- Every CSV download passes the OWASP rule against formula injection.
- ``streamlit run dashboard/app.py`` from another folder listens on 127.0.0.1 with a 1 MB upload
  cap (the app's own config), and the app refuses to serve with unsafe settings.
"""

from __future__ import annotations

import ast
import json
import logging
import re
import urllib.request
from pathlib import Path

import pandas as pd
import psutil
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

import sim  # noqa: E402
from dashboard.export import safe_csv  # noqa: E402
from dashboard.settings import is_loopback, server_problem  # noqa: E402
from tests.dashboard_server import Session, browse, dashboard_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[click](http://evil.example/a)",
    "![](http://evil.example/p.png)",
]
#: Markup that is live (not backslash-escaped) in Markdown: a tag, a link or image, an autolink.
LIVE_MD = re.compile(r"(?<!\\)<(?:script|img)|(?<!\\)\]\((?:http|//)|(?<!\\)!(?<!\\)\[|https?://evil")


@pytest.fixture(autouse=True)
def _test_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIM_DASHBOARD_TEST_SIZE", "1")
    monkeypatch.setenv("SIM_DASHBOARD_EXECUTOR", "serial")
    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context",
                 "streamlit.runtime.state.session_state_proxy", "streamlit.runtime.caching.cache_data_api"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _hostile_doc(i: int) -> dict:
    doc = sim.resolve("head_to_head_japan").model_dump(mode="json")
    doc["name"] = HOSTILE[i]
    doc["brands"][0]["name"] = HOSTILE[(i + 1) % len(HOSTILE)]
    doc["brands"][1]["name"] = HOSTILE[(i + 2) % len(HOSTILE)] + " 2"
    doc["market"]["segments"][0]["name"] = HOSTILE[(i + 3) % len(HOSTILE)]
    return doc


def _shown_text(at: AppTest) -> list[str]:
    """Every Markdown-rendered text of the page: markdown, captions, alerts, metric and widget labels, options."""
    out = [x.value for x in (*at.markdown, *at.caption, *at.success, *at.info, *at.warning, *at.error, *at.title,
                             *at.subheader)]
    out += [m.label for m in at.metric]
    out += [str(o) for r in at.radio for o in r.options]
    out += [e.label for e in at.expander]
    return out


def _figure_strings(at: AppTest) -> list[str]:
    out: list[str] = []

    def walk(x: object) -> None:
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    for c in at.get("plotly_chart"):
        walk(json.loads(c.proto.spec))
    return out


@pytest.mark.parametrize("i", range(len(HOSTILE)))
def test_hostile_names_are_shown_as_typed_on_compare_and_what_if(i: int) -> None:
    """An uploaded scenario named with markup: every page shows the text, never live markup or a fetch."""
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state["lang"] = "en"
    doc = _hostile_doc(i)
    at.session_state["uploaded"] = {doc["name"]: doc}
    at.session_state["cmp_sel"] = ["china_in_china", f"upload:{doc['name']}"]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = _shown_text(at)
    assert any("evil" in s or "alert" in s for s in shown)  # the names are there...
    assert not [s for s in shown if LIVE_MD.search(s)], [s for s in shown if LIVE_MD.search(s)]  # ...inert
    strings = _figure_strings(at)
    assert not [s for s in strings if re.search(r"<(?:script|img)", s)]
    at.switch_page("views/whatif.py").run()
    at.selectbox(key="wi_src").set_value(f"upload:{doc['name']}").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = _shown_text(at)
    assert not [s for s in shown if LIVE_MD.search(s)], [s for s in shown if LIVE_MD.search(s)]
    assert not [s for s in _figure_strings(at) if re.search(r"<(?:script|img)", s)]


def test_unknown_keys_in_the_editor_are_shown_as_text() -> None:
    """An unknown key that is a Markdown image or link is named in the problem list, inert."""
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state["lang"] = "en"
    at.switch_page("views/editor.py").run()
    text = at.text_area(key="ed_text").value
    text += '"![](http://evil.example/p.png)": 1\n"<img src=x onerror=alert(3)>": 2\n"[x](http://evil.example)": 3\n'
    at.text_area(key="ed_text").set_value(text).run()
    assert not at.exception
    assert at.error  # invalid: unknown keys
    shown = _shown_text(at)
    assert any("evil" in s for s in shown)
    assert not [s for s in shown if LIVE_MD.search(s)], [s for s in shown if LIVE_MD.search(s)]


def test_no_unsafe_html_and_no_unescaped_names_in_dashboard_code() -> None:
    """Static guard: no ``unsafe_allow_html`` at all; f-strings shown as Markdown escape names via ``md``."""
    shown_calls = {"markdown", "caption", "success", "info", "warning", "error", "write", "title", "header",
                   "subheader", "metric", "radio", "button", "expander", "toast"}
    risky = re.compile(r"label|name|brand|message|path|value|title")
    found: list[str] = []
    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        src = path.read_text(encoding="utf-8")
        if re.search(r"unsafe_allow_html\s*=\s*True", src):
            found.append(f"{path.name}: unsafe_allow_html")
        for node in ast.walk(ast.parse(src)):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in shown_calls and node.args and isinstance(node.args[0], ast.JoinedStr)):
                continue
            for part in node.args[0].values:
                if isinstance(part, ast.FormattedValue):
                    expr = ast.get_source_segment(src, part.value) or ""
                    if risky.search(expr) and not re.match(r"(C\.)?(md|T|fmt\w*|kpi_label|_lever_label)\(", expr):
                        found.append(f"{path.name}:{node.lineno}: {expr}")
    assert not found, found


def test_every_csv_download_goes_through_safe_csv() -> None:
    """Only dashboard/export.py writes CSV, through safe_csv."""
    offenders = [p.name for p in (ROOT / "dashboard").rglob("*.py")
                 if ".to_csv(" in p.read_text(encoding="utf-8") and p.name != "export.py"]
    assert not offenders


def test_safe_csv_neutralises_formulas_and_keeps_numbers() -> None:
    """OWASP: cells starting with = + - @ tab or CR get a leading quote; numbers and plain text are unchanged."""
    df = pd.DataFrame({"scenario": ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx",
                                    "plain", "名前"],
                       "profit": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
                       "=cmd": ["a", "b", "c", "d", "e", "f", "g", "h"]})
    text = safe_csv(df).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].split(",")[2] == '"\'=cmd"'
    cells = pd.read_csv(pd.io.common.StringIO(text), keep_default_na=False)
    assert list(cells["scenario"][:6]) == ["'=HYPERLINK(\"http://evil\",\"x\")", "'+1+1", "'-2+3", "'@SUM(A1)",
                                           "'\tx", "'\nx"]  # (a CR becomes a quoted line feed: one row)
    assert list(cells["scenario"][6:]) == ["plain", "名前"]
    assert list(cells["profit"]) == [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0, 8.0]  # negative numbers stay numbers


def test_server_settings_are_judged() -> None:
    """Loopback addresses and a 1 MB cap pass; every interface or a bigger cap are refused unless asked for."""
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("") and not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    assert server_problem("127.0.0.1", 1, allow_remote=False) is None
    assert "server.address" in server_problem("", 1, allow_remote=False)
    assert "server.address" in server_problem("0.0.0.0", 1, allow_remote=False)
    assert server_problem("0.0.0.0", 1, allow_remote=True) is None
    assert "maxUploadSize=200" in server_problem("127.0.0.1", 200, allow_remote=False)


def test_started_from_another_folder_it_listens_locally_with_the_small_upload_cap(tmp_path: Path) -> None:
    """`streamlit run dashboard/app.py` from another folder, no flags: 127.0.0.1 only; the app serves."""
    pytest.importorskip("websockets")
    with dashboard_server(cwd=tmp_path, address=None) as (url, pid):
        listening = [c.laddr.ip for c in psutil.Process(pid).net_connections(kind="inet") if c.status == "LISTEN"]
        assert listening and set(listening) <= {"127.0.0.1"}, listening
        s = Session("lang=en", page="editor")
        browse(url, s)
        assert not s.failure and not s.exceptions and not s.errors, s
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as r:
            assert r.read().strip() == b"ok"


def test_refuses_to_serve_on_every_interface_unless_asked(tmp_path: Path) -> None:
    """Started on 0.0.0.0 without SIM_DASHBOARD_ALLOW_REMOTE, every page is an error naming the setting."""
    pytest.importorskip("websockets")
    with dashboard_server(cwd=tmp_path, address="0.0.0.0", env={"SIM_DASHBOARD_ALLOW_REMOTE": ""}) as (url, _pid):
        s = Session("lang=en")
        browse(url, s)
        assert not s.failure, s
        assert s.errors and "server.address=0.0.0.0" in s.errors[0], s.errors
        assert not s.metrics and not s.charts  # nothing else was served


@pytest.mark.parametrize("currency", ["![](//b)", "[a](//b)", "<b>X</b>", ":red[X]", "%{x}", "J\u202ePY"])
def test_a_currency_with_markup_is_refused_where_the_scenario_is_read(currency: str) -> None:
    """The currency is shown beside every amount (labels, metrics, chart axes): markup is refused with its field."""
    from sim.errors import SimInputError

    doc = sim.resolve("head_to_head_japan").model_dump(mode="json")
    doc["market"]["currency"], doc["market"]["fx_per_usd"] = currency, 100.0
    with pytest.raises(SimInputError) as err:
        sim.resolve(doc)
    assert "market.currency" in str(err.value) and repr(currency) in str(err.value)
    for code in ("JPY", "CNY", "US$", "円", "Rs.", "€"):  # codes and signs are currencies
        doc["market"]["currency"] = code
        assert sim.resolve(doc).market.currency == code


def test_decide_charts_show_a_currency_as_typed() -> None:
    """Plotly renders a subset of HTML in axis titles and hover labels: the Decide charts escape the currency."""
    from sim import figures_decide

    steps = pd.DataFrame({"step": ["fines", "total"], "mean": [1.0, 1.0], "ci_low": [0.5, 0.5], "ci_high": [1.5, 1.5]})
    figs = [figures_decide.gap_waterfall_figure(steps, currency="<b>X</b>"),
            figures_decide.profit_distribution_figure([1.0, 2.0, 3.0], percentiles={"p50": 2.0}, currency="<b>X</b>")]
    text = json.dumps([f.to_plotly_json()["layout"] for f in figs] + [f.to_plotly_json()["data"] for f in figs],
                      default=str, ensure_ascii=False)
    assert "<b>X" not in text and "‹b›X" in text


def test_bidirectional_overrides_in_names_are_shown_as_escapes() -> None:
    """A name with a right-to-left override would reorder what the page shows: it is shown as a visible escape."""
    from dashboard.text import md

    shown = md("\u202eevil\u202c name\x1b[31m")
    assert "\u202e" not in shown and "\x1b" not in shown
    assert shown.replace("\\", "").startswith("u202eevil")
