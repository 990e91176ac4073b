"""The saved posterior: an ArviZ-compatible DataTree, the same layout for every sampler.

Groups

* ``posterior`` — ``B`` (chain, draw, regressor, equation), ``Sigma`` (chain, draw, equation,
  equation_2), and, where sampled, hyperparameters (``tightness``, ...), ``nu``, ``h`` (time);
* ``sample_stats`` — ``lp`` and, for NUTS, ``diverging``, ``tree_depth``, ``step_size``, ...;
* ``observed_data`` — ``y`` (time, equation): the estimation sample (without pre-sample lags
  and without dummy observations).

The exact sampler's draws are i.i.d. (one chain); its ``lp`` is the normalised log posterior
density of ``(B, Sigma)``. NUTS's ``lp`` is PyMC's unnormalised log density in the sampler's
unconstrained coordinates: compare ``B`` and ``Sigma``, not ``lp``, across samplers.
Written with h5netcdf (``DataTree.to_netcdf``); read back with ``xarray.open_datatree`` or
``arviz.from_netcdf``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from fiscalcliff import dims
from fiscalcliff.model.gamma import multigammaln

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

    from fiscalcliff.model.niw import NIWPosterior
    from fiscalcliff.model.results import BVARResults

SAMPLE_STATS = (
    "lp",
    "diverging",
    "tree_depth",
    "n_steps",
    "step_size",
    "acceptance_rate",
    "energy",
    "reached_max_treedepth",
)


def niw_log_density(post: NIWPosterior, b: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Normalised log density of the NIW posterior at draws ``b`` (n, M, K), ``sigma`` (n, K, K)."""
    m, k = post.b_mean.shape
    d = post.dof
    chol = np.linalg.cholesky(sigma)
    logdet_sigma = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    sigma_inv = np.linalg.inv(sigma)
    _, logdet_psi = np.linalg.slogdet(post.psi)
    log_iw = (
        0.5 * d * logdet_psi
        - 0.5 * d * k * np.log(2.0)
        - multigammaln(0.5 * d, k)
        - 0.5 * (d + k + 1.0) * logdet_sigma
        - 0.5 * np.einsum("ij,nji->n", post.psi, sigma_inv)
    )
    dev = b - post.b_mean
    prec = np.linalg.inv(post.omega)
    _, logdet_omega = np.linalg.slogdet(post.omega)
    quad = _quad(sigma_inv, dev, prec)
    log_mn = (
        -0.5 * m * k * np.log(2.0 * np.pi)
        - 0.5 * k * logdet_omega
        - 0.5 * m * logdet_sigma
        - 0.5 * quad
    )
    return log_iw + log_mn


def _quad(sigma_inv: np.ndarray, dev: np.ndarray, prec: np.ndarray) -> np.ndarray:
    """``tr(Sigma^{-1} D' Omega^{-1} D)`` per draw."""
    od = np.einsum("ml,nlk->nmk", prec, dev)
    return np.einsum("nmi,nij,nmj->n", dev, sigma_inv, od)


def observed_data(results: BVARResults) -> xr.Dataset:
    """``y`` (time, equation): the estimation sample."""
    import xarray as xr

    frame = results.panel.frame
    lags = results.layout.lags
    y = frame[list(results.endogenous)].iloc[lags:]
    return xr.Dataset(
        {"y": (("time", dims.EQUATION), y.to_numpy(float))},
        coords={"time": y.index.to_numpy(), dims.EQUATION: list(results.endogenous)},
    )


def provenance(results: BVARResults, **extra) -> dict:
    """Provenance attributes of a saved posterior."""
    from fiscalcliff.provenance import provenance_attrs

    spec = results.spec
    return provenance_attrs(
        kind="posterior",
        model=spec.name,
        sample=f"{results.sample_start}..{results.sample_end}",
        data_sha256=results.panel.data_hash,
        data_last_dates=results.panel.last_dates,
        prior_file=spec.source or "",
        prior_sha256=spec.source_sha256 or "",
        prior_spec_sha256=spec.spec_sha256(),
        hyperparameters=results.hyperparameters.values,
        **extra,
    )


def make_tree(
    posterior: xr.Dataset, sample_stats: xr.Dataset, observed: xr.Dataset, attrs: dict
) -> xr.DataTree:
    """Assemble the three groups into a DataTree with ``attrs`` on the root."""
    import xarray as xr

    tree = xr.DataTree.from_dict(
        {
            "posterior": posterior,
            "sample_stats": sample_stats,
            "observed_data": observed,
        }
    )
    tree.attrs = dict(attrs)
    return tree


def exact_tree(results: BVARResults, draws: int, seed: int) -> xr.DataTree:
    """I.i.d. draws of the closed-form posterior in the common layout."""
    import xarray as xr

    from fiscalcliff.model.posterior_xr import posterior_to_dataset

    sample = results.sample(draws, seed)
    post = posterior_to_dataset(results, sample)
    lp = niw_log_density(results.posterior, sample.b, sample.sigma)
    stats = xr.Dataset(
        {"lp": ((dims.CHAIN, dims.DRAW), lp[None])},
        coords={dims.CHAIN: [0], dims.DRAW: np.arange(draws)},
    )
    attrs = provenance(results, sampler="exact conjugate NIW (i.i.d. draws)", seed=seed)
    return make_tree(post, stats, observed_data(results), attrs)


def write_tree(tree: xr.DataTree, path) -> None:
    """Write atomically with h5netcdf; dict/list attributes become JSON strings."""
    import xarray as xr

    from fiscalcliff.atomic import atomic_path, netcdf_safe_attrs

    groups = {}
    for node in tree.subtree:
        ds = node.to_dataset().copy()
        ds.attrs = netcdf_safe_attrs(ds.attrs)
        for var in ds.variables.values():
            var.attrs = netcdf_safe_attrs(var.attrs)
        groups[node.path] = ds
    out = xr.DataTree.from_dict(groups)
    with atomic_path(path) as tmp:
        out.to_netcdf(tmp, engine="h5netcdf")
