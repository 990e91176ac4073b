"""Forecast paths: simulation, stability, labelling and summaries."""
