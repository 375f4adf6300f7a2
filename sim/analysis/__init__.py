"""Analysis layer: comparisons, replicates, sweeps, sensitivity, optimisation, calibration."""
