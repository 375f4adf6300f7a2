"""Calibration: fit customer traits to customer data, and scenario parameters to KPI time series.

* :mod:`~sim.analysis.calibration.data` - reading and checking transaction logs and RFM summaries;
* :mod:`~sim.analysis.calibration.bgnbd` - the BG/NBD and Gamma-Gamma models (likelihoods, bounded fits,
  simulation);
* :mod:`~sim.analysis.calibration.customers` - :func:`calibrate_customers`: fits written into a scenario;
* :mod:`~sim.analysis.calibration.series` - :func:`fit_series`: least squares on KPI series.

The old module :mod:`sim.analysis.calibrate` re-exports every public name.
"""
