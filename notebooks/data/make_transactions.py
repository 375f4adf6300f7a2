"""Make the synthetic transaction log used by notebook 07 (calibrate to your own data).

The story: a Japanese skin-care e-shop exports two years of online orders (2023-2024) of the
customers who first bought in 2023. Nobody's real data: the log is drawn from the BG/NBD model
(Fader, Hardie & Lee 2005) with Gamma-Gamma spend, with the known "true" parameters below, so the
notebook can show how well a fit recovers them. Run from the repository root::

    .venv/bin/python notebooks/data/make_transactions.py

It rewrites ``notebooks/data/transactions.csv`` and ``notebooks/data/transactions_truth.json``
byte for byte (fixed seed); ``tests/test_notebooks.py`` checks that it still does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from sim.analysis.calibrate import simulate_transactions  # noqa: E402

#: The "true" parameters, with purchase rates in days (the log is daily).
TRUTH = {
    "customers": 1500,
    "start": "2023-01-01",
    "days": 731,  # 2023-01-01 .. 2024-12-31
    "cohort_days": 365,  # first purchases spread over 2023
    "seed": 20240101,
    "time_unit": "days",
    "r": 1.2,  # Gamma shape of the purchase rate
    "alpha": 87.6,  # Gamma rate in days: mean rate r / alpha = 0.0137 per day = 5.0 per year
    "a": 0.8,  # Beta(a, b) dropout after each repeat purchase: mean 0.186
    "b": 3.5,
    "spend_p": 6.0,  # Gamma-Gamma spend: transaction value ~ Gamma(p, nu), nu ~ Gamma(q, gamma)
    "spend_q": 4.0,
    "spend_gamma": 2000.0,  # mean of a customer's mean spend p * gamma / (q - 1) = 4,000 JPY
}


def make(folder: Path = HERE) -> tuple[Path, Path]:
    """Write the log and its truth file into ``folder``; returns both paths."""
    t = TRUTH
    log = simulate_transactions(
        t["customers"],
        t["r"],
        t["alpha"],
        t["a"],
        t["b"],
        start=t["start"],
        days=t["days"],
        cohort_days=t["cohort_days"],
        seed=t["seed"],
        spend=(t["spend_p"], t["spend_q"], t["spend_gamma"]),
    )
    csv = folder / "transactions.csv"
    truth = folder / "transactions_truth.json"
    log.to_csv(csv, index=False, lineterminator="\n")
    derived = {
        "mean_purchases_per_year": t["r"] / t["alpha"] * 365.0,
        "alpha_per_year": t["alpha"] / 365.0,
        "mean_dropout": t["a"] / (t["a"] + t["b"]),
        "mean_spend": t["spend_p"] * t["spend_gamma"] / (t["spend_q"] - 1.0),
    }
    truth.write_text(json.dumps({**t, "derived": derived}, indent=2) + "\n", encoding="utf-8")
    return csv, truth


if __name__ == "__main__":
    for p in make():
        print(f"wrote {p.relative_to(HERE.parents[1])}")
