"""Design-based survey estimation: weights, strata, clusters, calibration and intervals."""
