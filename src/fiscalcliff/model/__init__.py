"""The conjugate Bayesian VAR-X: specification, priors, closed-form posterior, fitting."""
