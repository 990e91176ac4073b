"""Scenarios: YAML scenario files, policy paths, comparisons (the conditioning maths is in
:mod:`fiscalcliff.forecasting.conditional`)."""
