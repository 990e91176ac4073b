"""The prior file (``priors/*.yaml``): model specification and prior settings, validated.

Every section rejects unknown keys; :func:`load_prior_file` reports all problems at once with
file and line (see :mod:`fiscalcliff.yamlconfig`).  All objects are frozen: fitting never changes
them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from fiscalcliff.config_types import CONFIG, Int, Real

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

#: prior mean of a variable's first own lag (1: random walk, 0: white noise)
OwnLagMean = Annotated[Real, Field(ge=-5, le=5)]
#: a residual variance scale (psi), in the squared units of the variable
ResidualVariance = Annotated[Real, Field(gt=0, le=1e15)]
ExogenousTightness = Annotated[Real, Field(gt=0, le=1e4)]


class _Frozen(BaseModel):
    model_config = CONFIG


def _check_month(value: str | None) -> str | None:
    if value is not None and not _MONTH.match(value):
        raise ValueError(f"'{value}' is not a month; write YYYY-MM, e.g. 2009-01")
    return value


class SampleWindow(_Frozen):
    """Months of data used for estimation (pre-sample lags included)."""

    start: str | None = Field(None, description="first month, YYYY-MM (None: earliest common)")
    end: str | None = Field(None, description="last month, YYYY-MM (None: latest common)")

    _months = field_validator("start", "end")(_check_month)


class CensoredBound(_Frozen):
    """A variable that cannot go below ``lower`` and sits at that bound for stretches of the data.

    Observations at or below ``at_or_below`` count as *at the bound*: there the variable's
    shadow value is latent, known only to be at most ``at_or_below``, and is sampled by data
    augmentation (:mod:`fiscalcliff.model.censored`). Forecasts are simulated for the shadow
    value and reported as ``max(lower, shadow)``, so no draw is below ``lower``.
    ``at_or_below`` defaults to ``lower``.
    """

    lower: Real = Field(..., ge=-1e6, le=1e6, description="no value below this (the bound)")
    at_or_below: Real | None = Field(
        None, ge=-1e6, le=1e6, description="observations at or below this are at the bound"
    )

    @model_validator(mode="after")
    def _ordered(self) -> CensoredBound:
        if self.at_or_below is not None and self.at_or_below < self.lower:
            raise ValueError(
                f"at_or_below ({self.at_or_below}) must be at least lower ({self.lower})"
            )
        return self

    @property
    def threshold(self) -> float:
        """Observations at or below this are censored."""
        return self.lower if self.at_or_below is None else self.at_or_below


class ModelSpec(_Frozen):
    """Variables, lags and deterministic terms of the VAR-X."""

    endogenous: tuple[str, ...] = Field(..., min_length=1)
    exogenous: tuple[str, ...] = ()
    lags: Int = Field(..., ge=1, le=36)
    deterministic: tuple[Literal["constant"], ...] = ("constant",)
    sample: SampleWindow = SampleWindow()
    announced: tuple[Literal["fed_treasuries", "fed_mbs"], ...] = Field(
        (),
        description="exogenous policy inputs whose baseline path is the announced policy as of "
        "the forecast's data (policy/ files) instead of their last value",
    )
    censored: dict[str, CensoredBound] = Field(
        default_factory=dict,
        description="endogenous variables with a lower bound they sit at (e.g. rrp: {lower: 0}),"
        " estimated by data augmentation of their shadow values",
    )

    @model_validator(mode="after")
    def _distinct(self) -> ModelSpec:
        names = list(self.endogenous) + list(self.exogenous)
        not_exog = [n for n in self.announced if n not in self.exogenous]
        if not_exog:
            raise ValueError(f"announced: {', '.join(not_exog)} must be exogenous variables")
        not_endog = [n for n in self.censored if n not in self.endogenous]
        if not_endog:
            raise ValueError(f"censored: {', '.join(not_endog)} must be endogenous variables")
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"variables listed twice: {', '.join(dupes)}")
        return self

    @property
    def constant(self) -> bool:
        """Whether the model has an intercept."""
        return "constant" in self.deterministic


class Hyperparameter(_Frozen):
    """A prior hyperparameter: fixed at ``value``, or estimated (BVAR's ``bv_lambda`` style).

    When ``estimate`` is true the value maximises the marginal likelihood times a Gamma
    hyperprior with the given ``mode`` and ``sd`` (GLP 2015), within ``[min, max]``.
    """

    value: Real | None = Field(None, gt=0, le=1e8)
    mode: Real = Field(..., gt=0, le=1e8)
    sd: Real = Field(..., gt=0, le=1e8)
    min: Real = Field(1e-4, gt=0, le=1e8)
    max: Real = Field(50.0, gt=0, le=1e8)
    estimate: bool = True

    @model_validator(mode="after")
    def _bounds(self) -> Hyperparameter:
        if not self.min < self.max:
            raise ValueError(f"min ({self.min}) must be below max ({self.max})")
        start = self.start
        if not self.min <= start <= self.max:
            raise ValueError(
                f"starting value {start} is outside [min, max] = [{self.min}, {self.max}]"
            )
        return self

    @property
    def start(self) -> float:
        """Fixed value, or the optimiser's starting point: ``value`` if given, else ``mode``."""
        return self.value if self.value is not None else self.mode


class SumOfCoefficients(Hyperparameter):
    """The sum-of-coefficients hyperparameter ``mu`` and which variables' dummies it adds.

    ``variables`` (endogenous names) restricts the Doan-Litterman-Sims dummy observations to
    those variables: variable ``i``'s row pulls the sum of its own lags in its own equation
    towards one and the sum of its lags in every other equation towards zero. ``None`` (the
    default) adds a row for every variable.
    """

    variables: tuple[str, ...] | None = Field(None, min_length=1)


class MinnesotaPrior(_Frozen):
    """Minnesota moments in conjugate form."""

    tightness: Hyperparameter = Hyperparameter(mode=0.2, sd=0.4, min=1e-4, max=5.0)
    cross_tightness: Real = Field(1.0, gt=0, le=1e4, description="must be 1 for the exact sampler")
    lag_decay: Real = Field(2.0, ge=0, le=10)
    exogenous_tightness: ExogenousTightness | dict[str, ExogenousTightness] = Field(
        1.0,
        description="relative to tightness; a mapping sets it per exogenous variable (those it "
        "leaves out: 1)",
    )
    constant_variance: Real = Field(1.0e6, gt=0, le=1e16)
    equation_tightness: dict[str, ExogenousTightness] = Field(
        default_factory=dict,
        description="shrink the listed equations harder: an extra N(prior mean, (factor x "
        "Minnesota sd at Sigma_jj = psi_j)^2) prior on each of their lag and exogenous "
        "coefficients, on top of the conjugate prior; censored models' Gibbs sampler only",
    )
    own_lag_mean: OwnLagMean | dict[str, OwnLagMean] = 1.0
    psi: Literal["auto"] | dict[str, ResidualVariance] = "auto"

    @field_validator("cross_tightness")
    @classmethod
    def _kronecker(cls, value: float) -> float:
        # checked with the file, so that a backtest or a run refuses it before any work
        if value != 1.0:
            raise ValueError(
                f"{value:g} is not supported: use 1 (the Normal-inverse-Wishart prior has "
                "Kronecker structure, and the NUTS model uses the same Minnesota prior)"
            )
        return value


class ExogenousPrior(_Frozen):
    """Informative prior on one exogenous multiplier: ``B[variable, equation] ~ N(mean, sd^2)``.

    ``source`` must say where the number comes from (paper, table, derivation). The exact
    (conjugate) sampler can honour such priors only in Σ-scaled form — see
    :mod:`fiscalcliff.model.exogenous_priors`; otherwise use ``sampler: nuts``.
    """

    variable: str = Field(..., description="exogenous variable (a row of B)")
    equation: str = Field(..., description="endogenous variable whose equation it enters")
    mean: Real = Field(..., ge=-1e6, le=1e6)
    sd: Real = Field(..., gt=0, le=1e6)
    source: str = Field(..., min_length=1, description="citation or derivation of the numbers")

    @field_validator("source")
    @classmethod
    def _cited(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("source must cite where the prior mean and sd come from")
        return value


class GammaPrior(_Frozen):
    """A Gamma prior given by its mode and standard deviation."""

    mode: Real = Field(..., gt=0, le=1e8)
    sd: Real = Field(..., gt=0, le=1e8)


class ErrorSettings(_Frozen):
    """Distribution of the VAR errors (Student-t needs ``sampler: nuts``, or a censored model,
    whose Gibbs sampler draws the mixing variables: :mod:`fiscalcliff.model.error_scales`).

    Student-t errors have scale matrix Σ and ``nu`` degrees of freedom (covariance
    ``nu / (nu - 2) Σ``). ``nu: estimate`` samples ``nu = 2 + g`` with ``g`` Gamma(``nu_prior``).
    Forecasts draw each future month's shock from the same multivariate Student-t.
    """

    distribution: Literal["normal", "student_t"] = "normal"
    nu: Real | Literal["estimate"] = "estimate"
    nu_prior: GammaPrior = GammaPrior(mode=8.0, sd=10.0)

    @field_validator("nu")
    @classmethod
    def _nu_above_two(cls, value):
        if value != "estimate" and not 2 < value <= 1e4:
            raise ValueError(
                "nu must exceed 2 (finite error covariance) and be at most 10,000, or be 'estimate'"
            )
        return value


class VolatilitySettings(_Frozen):
    """Constant error covariance, or a common stochastic volatility factor (``sampler: nuts``, or
    a censored model's Gibbs sampler).

    Stochastic: ``Sigma_t = exp(h_t) Sigma`` with ``h_t = phi h_{t-1} + sigma_h eta_t``
    (Carriero, Clark & Marcellino 2016), ``phi ~ Beta(persistence_alpha, persistence_beta)``,
    ``sigma_h ~ HalfNormal(shock_sd)``, ``h`` stationary around zero. Forecasts continue each
    draw's ``h`` from its last month.
    """

    kind: Literal["constant", "stochastic"] = "constant"
    persistence_alpha: Real = Field(20.0, gt=0, le=1e8)
    persistence_beta: Real = Field(1.5, gt=0, le=1e8)
    shock_sd: Real = Field(0.3, gt=0, le=10)


class MetropolisSettings(_Frozen):
    """Random-walk Metropolis over log hyperparameters (exact sampler, ``hyperparameters: sample``).

    As in R's BVAR: target log marginal likelihood + log hyperprior; proposal covariance
    ``scale^2`` times the inverse Hessian at the mode; ``scale`` tuned during burn-in towards
    ``target_acceptance``.
    """

    draws: Int = Field(
        4000, ge=10, le=1_000_000, description="retained iterations (after burn and thinning)"
    )
    burn: Int = Field(1000, ge=0, le=1_000_000)
    thin: Int = Field(1, ge=1, le=1000)
    scale: Real | None = Field(
        None, gt=0, le=100, description="None: 2.38/sqrt(d), tuned in burn-in"
    )
    target_acceptance: Real = Field(0.3, gt=0, lt=1)


class InferenceSettings(_Frozen):
    """How the posterior is computed (the CLI's ``--sampler`` etc. override these)."""

    sampler: Literal["exact", "nuts"] = "exact"
    hyperparameters: Literal["optimise", "sample"] = "optimise"
    draws: Int = Field(
        1000, ge=1, le=1_000_000, description="NUTS (or censored Gibbs) draws per chain"
    )
    tune: Int = Field(
        1000, ge=0, le=1_000_000, description="NUTS tuning (censored Gibbs: burn-in) per chain"
    )
    chains: Int = Field(2, ge=1, le=64)
    sweeps: Int = Field(
        1,
        ge=1,
        le=100,
        description="censored models: Gibbs sweeps over the shadow values per retained draw",
    )
    target_accept: Real = Field(0.9, gt=0, lt=1)
    nuts_sampler: Literal["pymc", "nutpie", "numpyro"] = "pymc"
    metropolis: MetropolisSettings = MetropolisSettings()


class PriorSettings(_Frozen):
    """All prior settings of the conjugate model."""

    minnesota: MinnesotaPrior = MinnesotaPrior()
    sum_of_coefficients: SumOfCoefficients | None = SumOfCoefficients(mode=1.0, sd=1.0)
    single_unit_root: Hyperparameter | None = Hyperparameter(mode=1.0, sd=1.0)
    exogenous_priors: tuple[ExogenousPrior, ...] = ()
    errors: ErrorSettings = ErrorSettings()
    volatility: VolatilitySettings = VolatilitySettings()
    inference: InferenceSettings = InferenceSettings()
    stationary: bool = Field(
        False,
        description="truncate the prior to stable coefficients (every companion root of "
        "modulus at most one; Cogley & Sargent 2005); censored models' Gibbs sampler only",
    )


_SHOCK_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _check_shock_names(names) -> None:
    bad = [n for n in names if not _SHOCK_NAME.fullmatch(n)]
    if bad:
        raise ValueError(f"shock names must be letters, digits and _ starting with a letter: {bad}")


def _zero_as_text(value):
    """YAML ``0`` (an integer) means the zero restriction ``"0"``."""
    return "0" if isinstance(value, int) and not isinstance(value, bool) and value == 0 else value


_Sign = Annotated[Literal["+", "-", "0"], BeforeValidator(_zero_as_text)]


class SignRestriction(_Frozen):
    """The sign (``+``/``-``) of one shock's effect on one series over ``horizons`` (months;
    0 = impact), or ``0``: no effect at those horizons (a zero restriction)."""

    sign: _Sign
    horizons: tuple[Annotated[Int, Field(ge=0, le=60)], ...] = Field((0,), min_length=1)


class SignIdentification(_Frozen):
    """Shocks identified by zero and sign restrictions on their responses.

    ``restrictions`` maps each restricted shock to ``{series: "+" | "-" | 0 | {sign, horizons}}``
    (series: an endogenous variable or an identity such as reserves; default horizon: impact);
    ``unrestricted`` names the remaining shocks. Together they name one shock per endogenous
    variable. Each posterior draw's impact matrix is ``chol(Sigma) Q`` with ``Q`` uniform (Haar)
    and kept when every sign restriction holds (a column may flip sign), up to ``max_tries``
    tries (Rubio-Ramirez, Waggoner & Zha 2010). With zero restrictions each column of ``Q`` is
    drawn on its restrictions' null space and the draws are importance-resampled (Arias,
    Rubio-Ramirez & Waggoner 2018, :mod:`fiscalcliff.model.zero_sign`); visited in decreasing
    number of zeros, the ``j``-th shock may have at most ``K - j`` of them.
    """

    restrictions: dict[str, dict[str, _Sign | SignRestriction]] = Field(..., min_length=1)
    unrestricted: tuple[str, ...] = ()
    max_tries: Int = Field(2000, ge=1, le=1_000_000, description="rotations tried per draw")

    @model_validator(mode="after")
    def _names(self) -> SignIdentification:
        _check_shock_names([*self.restrictions, *self.unrestricted])
        twice = sorted(set(self.restrictions) & set(self.unrestricted))
        if twice:
            raise ValueError(f"shocks both restricted and unrestricted: {', '.join(twice)}")
        return self

    def rules(self) -> dict[str, dict[str, SignRestriction]]:
        """Every restriction as a :class:`SignRestriction`."""
        return {
            shock: {
                series: r if isinstance(r, SignRestriction) else SignRestriction(sign=r)
                for series, r in rows.items()
            }
            for shock, rows in self.restrictions.items()
        }

    def zero_counts(self) -> dict[str, int]:
        """Number of zero restrictions (series x horizons) of each shock."""
        shocks = [*self.restrictions, *self.unrestricted]
        rules = self.rules()
        return {
            s: sum(len(r.horizons) for r in rules.get(s, {}).values() if r.sign == "0")
            for s in shocks
        }


class IdentificationSpec(_Frozen):
    """Named structural shocks (the prior file's ``identification`` section): exactly one of
    ``recursive`` or ``signs``.

    ``recursive`` maps each shock's name to the variable it is ordered at, in causal order: the
    impact matrix is the lower Cholesky factor of ``Sigma`` with the variables in that order, so
    a shock moves its own variable and those after it on impact, never those before it. Every
    endogenous variable appears once. ``signs`` identifies shocks by the signs of their responses
    (:class:`SignIdentification`). Without this section shocks are recursive in the order of
    ``model.endogenous`` and named after their variables.
    """

    recursive: dict[str, str] | None = Field(
        None, min_length=1, description="shock name: its variable, in causal order"
    )
    signs: SignIdentification | None = None

    @model_validator(mode="after")
    def _one_scheme(self) -> IdentificationSpec:
        if (self.recursive is None) == (self.signs is None):
            raise ValueError("identification needs exactly one of 'recursive' or 'signs'")
        if self.recursive is not None:
            _check_shock_names(self.recursive)
        return self


class PriorFile(_Frozen):
    """Contents of a prior file: ``model``, ``identities``, ``identification`` and ``prior``."""

    name: str = "unnamed"
    description: str = ""
    model: ModelSpec
    identities: dict[str, str] = Field(
        default_factory=dict,
        description="derived series computed in every draw, e.g. reserves: fed_assets - tga - rrp",
    )
    identification: IdentificationSpec | None = Field(
        None, description="named structural shocks (default: recursive in endogenous order)"
    )
    prior: PriorSettings = PriorSettings()
    _source: str | None = PrivateAttr(default=None)
    _source_sha256: str | None = PrivateAttr(default=None)

    @property
    def source(self) -> str | None:
        """Path of the file this was read from (None when built in Python)."""
        return self._source

    @property
    def source_sha256(self) -> str | None:
        """SHA-256 of the file's bytes (None when built in Python)."""
        return self._source_sha256

    def spec_sha256(self) -> str:
        """SHA-256 of the validated settings in canonical JSON (independent of comments/layout)."""
        from fiscalcliff.provenance import bytes_sha256

        return bytes_sha256(self.model_dump_json().encode())

    @model_validator(mode="after")
    def _cross_checks(self) -> PriorFile:
        problems = []
        endog = set(self.model.endogenous)
        own = self.prior.minnesota.own_lag_mean
        if isinstance(own, dict):
            problems += [f"own_lag_mean: '{n}' is not endogenous" for n in own if n not in endog]
        exo_tight = self.prior.minnesota.exogenous_tightness
        if isinstance(exo_tight, dict):
            problems += [
                f"exogenous_tightness: '{n}' is not exogenous "
                f"(exogenous: {', '.join(self.model.exogenous) or 'none'})"
                for n in exo_tight
                if n not in self.model.exogenous
            ]
        problems += [
            f"equation_tightness: '{n}' is not endogenous "
            f"(endogenous: {', '.join(self.model.endogenous)})"
            for n in self.prior.minnesota.equation_tightness
            if n not in endog
        ]
        soc = self.prior.sum_of_coefficients
        if soc is not None and soc.variables is not None:
            problems += [
                f"sum_of_coefficients.variables: '{n}' is not endogenous "
                f"(endogenous: {', '.join(self.model.endogenous)})"
                for n in soc.variables
                if n not in endog
            ]
        psi = self.prior.minnesota.psi
        if isinstance(psi, dict):
            problems += [f"psi: '{n}' is not endogenous" for n in psi if n not in endog]
            problems += [f"psi: no value for '{n}'" for n in self.model.endogenous if n not in psi]
        from fiscalcliff.errors import ConfigError
        from fiscalcliff.model.identities import parse_identity

        for target, expression in self.identities.items():
            if target in endog or target in self.model.exogenous:
                problems.append(f"identities: '{target}' is already a model variable")
                continue
            try:
                parse_identity(target, expression, self.model.endogenous, self.model.exogenous)
            except ConfigError as exc:
                problems.append(str(exc))
        if self.identification is not None and self.identification.signs is not None:
            problems += self._sign_problems(self.identification.signs)
        if self.identification is not None and self.identification.recursive is not None:
            given = list(self.identification.recursive.values())
            twice = sorted({v for v in given if given.count(v) > 1})
            if twice:
                problems.append(f"identification.recursive: {', '.join(twice)} given twice")
            unknown = [v for v in given if v not in endog]
            if unknown:
                problems.append(
                    f"identification.recursive: {', '.join(unknown)} not endogenous "
                    f"(endogenous: {', '.join(self.model.endogenous)})"
                )
            missing = [v for v in self.model.endogenous if v not in given]
            if missing:
                problems.append(
                    f"identification.recursive: no shock for {', '.join(missing)} "
                    "(every endogenous variable needs one)"
                )
        seen = set()
        for e in self.prior.exogenous_priors:
            if e.variable not in self.model.exogenous:
                problems.append(f"exogenous_priors: '{e.variable}' is not exogenous")
            if e.equation not in endog:
                problems.append(f"exogenous_priors: '{e.equation}' is not endogenous")
            if (e.variable, e.equation) in seen:
                problems.append(f"exogenous_priors: {e.variable} -> {e.equation} given twice")
            seen.add((e.variable, e.equation))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _sign_problems(self, signs: SignIdentification) -> list[str]:
        k = len(self.model.endogenous)
        n = len(signs.restrictions) + len(signs.unrestricted)
        out = []
        if n != k:
            out.append(
                f"identification.signs: {n} shocks named (restrictions and unrestricted) for "
                f"{k} endogenous variables; name one shock per variable"
            )
        series = [*self.model.endogenous, *self.identities]
        counts = sorted(signs.zero_counts().items(), key=lambda item: -item[1])
        for j, (shock, z) in enumerate(counts, start=1):
            if z > k - j:
                out.append(
                    f"identification.signs.restrictions.{shock}: {z} zero restrictions, but "
                    f"visited {j}. of {k} shocks (most zeros first) it may have at most {k - j} "
                    "(Arias, Rubio-Ramirez & Waggoner 2018); drop some zeros"
                )
                break
        for shock, rows in signs.restrictions.items():
            unknown = [v for v in rows if v not in series]
            if unknown:
                out.append(
                    f"identification.signs.restrictions.{shock}: {', '.join(unknown)} not a "
                    f"series of the model (choose from: {', '.join(series)})"
                )
        return out


def load_prior_file(path: str | Path) -> PriorFile:
    """Read and validate a prior file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    PriorFile

    Raises
    ------
    fiscalcliff.errors.ConfigError
        Listing every problem with file and line, and the closest valid key for unknown keys.
    """
    from fiscalcliff.provenance import file_sha256
    from fiscalcliff.yamlconfig import load_yaml_model

    spec = load_yaml_model(Path(path), PriorFile)
    spec._source = str(path)
    spec._source_sha256 = file_sha256(path)
    return spec
