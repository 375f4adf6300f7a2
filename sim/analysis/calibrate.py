"""Calibration, the public names in one place (the code lives in :mod:`sim.analysis.calibration`).

* reading customer data: :mod:`sim.analysis.calibration.data`;
* BG/NBD and Gamma-Gamma: :mod:`sim.analysis.calibration.bgnbd`;
* fits written into a scenario (:func:`calibrate_customers`): :mod:`sim.analysis.calibration.customers`;
* KPI series (:func:`fit_series`): :mod:`sim.analysis.calibration.series`.
"""

from __future__ import annotations

from sim.analysis.calibration.bgnbd import (
    LOG_BOUND,
    BGNBDFit,
    GammaGammaFit,
    bgnbd_loglik,
    fit_bgnbd,
    fit_gamma_gamma,
    gamma_gamma_loglik,
    simulate_bgnbd,
    simulate_transactions,
)
from sim.analysis.calibration.customers import (
    CustomerCalibration,
    basket_distribution,
    calibrate_customers,
    calibrated_scenario,
)
from sim.analysis.calibration.data import (
    DAYS_PER_UNIT,
    MAX_BASKET_CV,
    MIN_CUSTOMERS,
    MONTH_DAYS,
    UNITS_PER_YEAR,
    read_customer_data,
    read_rfm,
    read_transactions,
    rfm_from_transactions,
)
from sim.analysis.calibration.series import (
    MEANS,
    STOCKS,
    SeriesFit,
    aggregate_run,
    fit_quality,
    fit_series,
    read_observed_series,
)

__all__ = [
    "DAYS_PER_UNIT",
    "LOG_BOUND",
    "MAX_BASKET_CV",
    "MEANS",
    "MIN_CUSTOMERS",
    "MONTH_DAYS",
    "STOCKS",
    "UNITS_PER_YEAR",
    "BGNBDFit",
    "CustomerCalibration",
    "GammaGammaFit",
    "SeriesFit",
    "aggregate_run",
    "basket_distribution",
    "bgnbd_loglik",
    "calibrate_customers",
    "calibrated_scenario",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_quality",
    "fit_series",
    "gamma_gamma_loglik",
    "read_customer_data",
    "read_observed_series",
    "read_rfm",
    "read_transactions",
    "rfm_from_transactions",
    "simulate_bgnbd",
    "simulate_transactions",
]
