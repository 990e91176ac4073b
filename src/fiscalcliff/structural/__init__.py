"""Structural analysis of a fitted model: impulse responses, variance and historical
decompositions by named shock (:mod:`fiscalcliff.model.identification`).

Every function takes fitted results (exact, NUTS or censored) and returns an xarray Dataset
with named dims ``(chain, draw, shock, variable, ...)``; variables are the endogenous ones and
the identities (e.g. reserves), whose responses follow from their weights (policy inputs, being
exogenous, do not respond to any shock).
"""

from fiscalcliff.structural.decomposition import historical_decomposition
from fiscalcliff.structural.responses import fevd, impulse_responses

__all__ = ["fevd", "historical_decomposition", "impulse_responses"]
