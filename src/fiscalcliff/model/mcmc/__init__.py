"""PyMC inference path: the VAR-X of :mod:`fiscalcliff.model.fit` as a PyMC model, sampled by NUTS.

For what conjugacy cannot do — informative priors on exogenous multipliers that are not
Σ-scaled, hierarchical shrinkage (random Minnesota tightness), Student-t errors, stochastic
volatility — while on the conjugate special case it reproduces the exact sampler.

* :mod:`.pymc_model` — the model (:func:`~.pymc_model.build_model`) and its inputs;
* :mod:`.fit` — :func:`~.fit.fit_nuts`, called by :func:`fiscalcliff.fit` with ``sampler="nuts"``;
* :mod:`.results` — :class:`~.results.MCMCResults`, a drop-in for
  :class:`~fiscalcliff.model.results.BVARResults` in forecasts and scenarios;
* :mod:`.diagnostics` — r_hat, bulk/tail ESS and divergences via ArviZ;
* :mod:`.inference_data` — the common NetCDF layout (posterior, sample_stats, observed_data);
* :mod:`.blas` — one BLAS thread per chain process.

PyMC is imported inside functions only, so ``import fiscalcliff`` and the CLI stay fast.
"""
