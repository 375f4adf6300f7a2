"""Customer calibration: BG/NBD and Gamma-Gamma fits written into a scenario's segments.

*Mapping into a scenario* (written into every segment, or the segments named):

* ``purchase_rate: {dist: gamma, shape: r, rate: alpha / U}`` where ``U`` is the number of fitting
  time units per year (365 days, 365/7 weeks; the model converts purchases/year to a daily chance
  with 365 days), because lambda per year = U x lambda per unit and Gamma(r, alpha) scaled by U is
  Gamma(r, alpha / U);
* ``dropout: {dist: beta, a: a, b: b}``;
* ``basket``: the model gives each consumer one basket value for every purchase, so it is matched to
  the distribution of a customer's mean transaction value zeta = p / nu, which is inverse-gamma with
  mean ``p gamma / (q - 1)`` and coefficient of variation ``1 / sqrt(q - 2)`` (q > 2). The basket is a
  log-normal (default) or gamma distribution with that mean and CV; for q <= 2 the spread is infinite
  and the CV is capped at :data:`MAX_BASKET_CV` (reported).

Caveats: the model also applies the dropout chance after the *first* purchase (BG/NBD only after
repeat purchases), and its purchase rate is boosted for members; the fitted traits describe the
customers before any private-traffic strategy.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.analysis.calibration.bgnbd import BGNBDFit, GammaGammaFit, fit_bgnbd, fit_gamma_gamma
from sim.analysis.calibration.data import MAX_BASKET_CV, UNITS_PER_YEAR, check_time_unit, read_customer_data
from sim.analysis.paths import scenario_doc
from sim.analysis.replicate import provenance
from sim.errors import SimInputError
from sim.results.csvsafe import frame_to_csv
from sim.results.result import write_folder
from sim.scenario.loader import suggest, validate_document
from sim.scenario.schema import Scenario

# =====================================================================================================
# Writing fits into a scenario
# =====================================================================================================


def basket_distribution(gg: GammaGammaFit, kind: str = "lognormal") -> tuple[dict[str, Any], list[str]]:
    """The scenario basket distribution matching the Gamma-Gamma mean and spread of customer mean spend."""
    notes = []
    if gg.q <= 1:
        raise SimInputError.single(
            "spend model",
            "q",
            f"fitted q = {gg.q:.3g} <= 1: the customers' spends are too heavy-tailed for a finite mean spend, "
            "so no basket value can be set from them; check the amounts for outliers, or set the basket by hand",
        )
    cv = gg.spend_cv
    if not math.isfinite(cv) or cv > MAX_BASKET_CV:
        notes.append(
            f"Gamma-Gamma q = {gg.q:.3g} gives a {'infinite' if not math.isfinite(cv) else f'{cv:.2f}'} CV "
            f"of mean spend; capped at {MAX_BASKET_CV}"
        )
        cv = MAX_BASKET_CV
    if kind == "lognormal":
        return {"dist": "lognormal", "mean": gg.mean_spend, "cv": cv}, notes
    if kind == "gamma":
        shape = 1.0 / cv**2
        return {"dist": "gamma", "shape": shape, "rate": shape / gg.mean_spend}, notes
    raise SimInputError.single("--basket", kind, "must be 'lognormal' or 'gamma'")


def calibrated_scenario(
    base: Scenario,
    bgnbd: BGNBDFit,
    gg: GammaGammaFit | None = None,
    *,
    segments: Sequence[str] | None = None,
    basket: str = "lognormal",
    name: str | None = None,
) -> tuple[Scenario, dict[str, Any], list[str]]:
    """The base scenario with fitted traits written into its segments.

    Returns:
        ``(scenario, traits, notes)``: the validated scenario, the trait distributions written, and
        notes (e.g. a capped basket CV).

    Raises:
        SimInputError: For an unknown segment name (with a did-you-mean).
    """
    names = [s.name for s in base.market.segments]
    targets = list(segments) if segments else names
    for s in targets:
        if s not in names:
            best = suggest(s, names)
            raise SimInputError.single(
                "--segment",
                s,
                f"is not a segment of the market; segments: {', '.join(names)}"
                + (f". Did you mean {best!r}?" if best else ""),
            )
    traits: dict[str, Any] = {
        "purchase_rate": {"dist": "gamma", "shape": bgnbd.r, "rate": bgnbd.alpha_per_year},
        "dropout": {"dist": "beta", "a": bgnbd.a, "b": bgnbd.b},
    }
    notes: list[str] = []
    if gg is not None:
        traits["basket"], notes = basket_distribution(gg, basket)
    doc = scenario_doc(base)
    for seg in doc["market"]["segments"]:
        if seg["name"] in targets:
            seg.update(traits)
    if name:
        doc["name"] = name
    return validate_document(doc, "calibrated scenario"), traits, notes


@dataclass
class CustomerCalibration:
    """The result of :func:`calibrate_customers`."""

    source: str
    kind: str
    rfm: pd.DataFrame
    bgnbd: BGNBDFit
    gamma_gamma: GammaGammaFit | None
    scenario: Scenario
    traits: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def parameters(self) -> pd.DataFrame:
        """Fitted parameters with standard errors and units."""
        b = self.bgnbd
        unit = b.time_unit
        rows = [
            {"model": "BG/NBD", "parameter": "r", "value": b.r, "se": b.se["r"], "unit": "-"},
            {"model": "BG/NBD", "parameter": "alpha", "value": b.alpha, "se": b.se["alpha"], "unit": unit},
            {
                "model": "BG/NBD",
                "parameter": "alpha_per_year",
                "value": b.alpha_per_year,
                "se": b.se["alpha"] / UNITS_PER_YEAR[unit],
                "unit": "years",
            },
            {"model": "BG/NBD", "parameter": "a", "value": b.a, "se": b.se["a"], "unit": "-"},
            {"model": "BG/NBD", "parameter": "b", "value": b.b, "se": b.se["b"], "unit": "-"},
            {
                "model": "BG/NBD",
                "parameter": "mean purchases / year",
                "value": b.mean_rate_per_year,
                "se": math.nan,
                "unit": "1 / year",
            },
            {
                "model": "BG/NBD",
                "parameter": "mean dropout / purchase",
                "value": b.mean_dropout,
                "se": math.nan,
                "unit": "probability",
            },
        ]
        if self.gamma_gamma is not None:
            g = self.gamma_gamma
            rows += [
                {"model": "Gamma-Gamma", "parameter": "p", "value": g.p, "se": g.se["p"], "unit": "-"},
                {"model": "Gamma-Gamma", "parameter": "q", "value": g.q, "se": g.se["q"], "unit": "-"},
                {
                    "model": "Gamma-Gamma",
                    "parameter": "gamma",
                    "value": g.gamma,
                    "se": g.se["gamma"],
                    "unit": "currency",
                },
                {
                    "model": "Gamma-Gamma",
                    "parameter": "mean spend",
                    "value": g.mean_spend,
                    "se": math.nan,
                    "unit": "currency",
                },
                {"model": "Gamma-Gamma", "parameter": "spend CV", "value": g.spend_cv, "se": math.nan, "unit": "-"},
            ]
        return pd.DataFrame(rows)

    def save(self, folder: str | Path, *, overwrite: bool = False) -> Path:
        """Atomic run folder: calibrated scenario, fitted parameters, RFM table, manifest."""
        files = {
            "scenario.yaml": yaml.safe_dump(scenario_doc(self.scenario), sort_keys=False, allow_unicode=True).encode(),
            "parameters.csv": self.parameters().to_csv(index=False).encode(),
            "rfm.csv": frame_to_csv(self.rfm),
            "fit.json": json.dumps(
                {
                    **self.meta,
                    "source": self.source,
                    "kind": self.kind,
                    "bgnbd": asdict(self.bgnbd),
                    "gamma_gamma": asdict(self.gamma_gamma) if self.gamma_gamma else None,
                    "traits": self.traits,
                    "notes": self.notes,
                },
                indent=2,
                default=str,
            ).encode(),
        }
        return write_folder(Path(folder), files, overwrite=overwrite, extra_manifest={"kind": "calibrate-customers"})


def _bound_notes(bg: BGNBDFit, gg: GammaGammaFit | None) -> list[str]:
    """Plain-words notes for parameters that ran to the edge of their range."""
    notes = []
    if bg.at_bounds:
        notes.append(f"BG/NBD {', '.join(bg.at_bounds)} reached the edge of the search range: the data point to a "
                     "limit (e.g. every customer buying at the same rate, or hardly anyone dropping out) rather "
                     "than pin a value; more customers or a longer log would sharpen it")
    if gg is not None and gg.at_bounds:
        notes.append(f"Gamma-Gamma {', '.join(gg.at_bounds)} reached the edge of the search range: spend varies "
                     "too little (or too much) between customers to pin it")
    return notes


def calibrate_customers(
    data: str | Path,
    base: str | Path | dict | Scenario,
    *,
    time_unit: str = "weeks",
    observation_end: str | None = None,
    date_format: str | None = None,
    segments: Sequence[str] | None = None,
    basket: str = "lognormal",
    overrides: Sequence[str] = (),
    name: str | None = None,
) -> CustomerCalibration:
    """Fit BG/NBD (and Gamma-Gamma when amounts are given) and write the traits into a scenario.

    Args:
        data: A transaction log CSV (``customer_id, date[, amount]``) or an RFM CSV
            (``frequency, recency, T[, monetary_value]``, times in ``time_unit``).
        base: The scenario whose market receives the fitted traits.
        time_unit: ``days``, ``weeks`` (default) or ``years``: the unit of RFM times.
        observation_end: Last day of observation for a transaction log (default: its last date).
        date_format: ``strptime`` format of the log's dates (default ISO 8601).
        segments: Segments that receive the traits (default: all).
        basket: ``lognormal`` or ``gamma`` basket distribution.
        overrides: Overrides applied to ``base`` first.
        name: Name of the calibrated scenario (default: ``<base>_calibrated``).
    """
    from sim.api import resolve

    check_time_unit(time_unit)
    sc = resolve(base, overrides)
    rfm, kind = read_customer_data(data, time_unit=time_unit, observation_end=observation_end, date_format=date_format)
    bg = fit_bgnbd(rfm, time_unit=time_unit)
    gg = fit_gamma_gamma(rfm) if "monetary_value" in rfm.columns else None
    try:
        out, traits, notes = calibrated_scenario(
            sc, bg, gg, segments=segments, basket=basket, name=name or f"{sc.name}_calibrated"
        )
    except SimInputError as exc:
        if exc.source != "calibrated scenario":
            raise
        first = exc.problems[0] if exc.problems else exc
        raise SimInputError.single(
            str(data), "", "the data cannot identify the model well enough to set the scenario's traits: the "
            f"fitted values fall outside what the scenario accepts ({first}); this happens with few customers, "
            "few repeat purchases or a short observation window; add customers or lengthen the log") from None
    notes = [*_bound_notes(bg, gg), *notes]
    return CustomerCalibration(
        str(data),
        kind,
        rfm,
        bg,
        gg,
        out,
        traits,
        notes,
        provenance("serial", base=sc.name, segments=list(segments or [])),
    )
