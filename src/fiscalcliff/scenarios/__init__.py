"""Scenarios: YAML scenario files, policy paths, conditional forecasts and comparisons."""
