"""Future error scales given a scenario's conditions (forecasting.conditional_scales): the
sampling-importance-resampling choice against rejection sampling of the joint law of scales
and shocks, which needs no formula of the conditional law."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from fiscalcliff.forecasting.conditional_scales import condition_scales
from fiscalcliff.forecasting.paths import simulate_paths
from fiscalcliff.model.error_scales import FutureScales
from test_conditional import make_var

H, K = 3, 2


def _one_draw(seed: int):
    rng = np.random.default_rng(seed)
    layout, b, root, history = make_var(rng, 1, K, 1)
    return layout, b, root, history


def _simulate(layout, b, root, history, z, scale):
    n = z.shape[0]
    bb = np.broadcast_to(b, (n, *b.shape[1:]))
    cc = np.broadcast_to(root, (n, K, K))
    return simulate_paths(bb, cc, history, np.zeros((H, 0)), z, layout, scale)


@pytest.mark.parametrize(
    ("seed", "law"),
    [
        (0, FutureScales(nu=np.array([3.0]))),
        (1, FutureScales(h_last=np.array([0.5]), phi=np.array([0.9]), sd=np.array([0.6]))),
        (
            2,
            FutureScales(
                nu=np.array([5.0]), h_last=np.array([-0.3]), phi=np.array([0.8]), sd=np.array([0.5])
            ),
        ),
    ],
)
def test_chosen_scales_match_rejection_sampling(seed, law):
    """A hard condition on variable 0 in the last month and a soft one on variable 1 in the
    first, both in the tail: the scales chosen from 400 candidates per draw have the law of
    the scales of jointly simulated (scale, shock) paths that land within 0.01 sd of the hard
    value, with the soft value drawn from its law (two-sample KS, p > 0.01, on each month's
    scale)."""
    layout, b, root, history = _one_draw(seed)
    rng = np.random.default_rng(100 + seed)
    big = 2_000_000
    v = law.take(np.zeros(big, int)).draw(H, rng)
    z = rng.standard_normal((big, H, K))
    paths = _simulate(layout, b, root, history, z, v)
    sd_hard = paths[:, -1, 0].std()
    mean_hard, mean_soft = paths[:, -1, 0].mean(), paths[:, 0, 1].mean()
    hard = mean_hard + 1.5 * sd_hard
    soft_mean = mean_soft - 1.5 * paths[:, 0, 1].std()
    soft_sd = 0.5 * paths[:, 0, 1].std()
    # rejection: keep the hard condition within a small window, and the soft one by accepting
    # with probability proportional to its density (its value is an observation with noise)
    near = np.abs(paths[:, -1, 0] - hard) < 0.01 * sd_hard
    keep_soft = rng.random(big) < np.exp(-0.5 * ((paths[:, 0, 1] - soft_mean) / soft_sd) ** 2)
    reference = v[near & keep_soft]
    assert reference.shape[0] > 300

    n = 3000
    rows = np.zeros((2, H * K))
    rows[0, (H - 1) * K + 0] = 1.0
    rows[1, 0 * K + 1] = 1.0
    z0 = np.random.default_rng(7).standard_normal((n, H, K))
    bn = np.broadcast_to(b, (n, *b.shape[1:])).copy()
    cn = np.broadcast_to(root, (n, K, K)).copy()
    v0 = law.take(np.zeros(n, int)).draw(H, np.random.default_rng(8))
    paths0 = simulate_paths(bn, cn, history, np.zeros((H, 0)), z0, layout, v0)
    choice = condition_scales(
        rows,
        np.array([hard, soft_mean]),
        np.array([0.0, soft_sd**2]),
        paths0,
        z0,
        v0,
        law.take(np.zeros(n, int)),
        bn,
        cn,
        layout,
        np.random.SeedSequence(9),
        candidates=400,
    )
    for month in range(H):
        p = stats.ks_2samp(choice.scale[:, month], reference[:, month]).pvalue
        assert p > 0.01, (month, p)
    # the conditions are informative: the unconditional scales of the last month are rejected
    assert stats.ks_2samp(v0[:, -1], reference[:, -1]).pvalue < 1e-6


def test_set_shocks_enter_the_mean_not_the_variance():
    """With every shock but one set, the weights follow the single random shock's law: the
    set shocks move the mean by sqrt(v) times their loading, brute-forced by simulation."""
    layout, b, root, history = _one_draw(3)
    law = FutureScales(nu=np.array([4.0]))
    n = 4000
    fixed = np.ones((H, K), bool)
    fixed[H - 1, 0] = False  # only the last month's first shock is random
    z_set = np.random.default_rng(1).standard_normal((H, K))
    z = np.broadcast_to(z_set, (n, H, K)).copy()
    z[:, H - 1, 0] = np.random.default_rng(2).standard_normal(n)
    v0 = law.take(np.zeros(n, int)).draw(H, np.random.default_rng(3))
    bn = np.broadcast_to(b, (n, *b.shape[1:])).copy()
    cn = np.broadcast_to(root, (n, K, K)).copy()
    paths0 = simulate_paths(bn, cn, history, np.zeros((H, 0)), z, layout, v0)
    rows = np.zeros((1, H * K))
    rows[0, (H - 1) * K] = 1.0
    target = paths0[:, -1, 0].mean() + 3.0 * paths0[:, -1, 0].std()
    choice = condition_scales(
        rows,
        np.array([target]),
        np.zeros(1),
        paths0,
        z,
        v0,
        law.take(np.zeros(n, int)),
        bn,
        cn,
        layout,
        np.random.SeedSequence(4),
        fixed=fixed,
        candidates=400,
    )
    # reference: rejection over (v, z) with the set shocks held at their values
    rng = np.random.default_rng(5)
    big = 2_000_000
    vb = law.take(np.zeros(big, int)).draw(H, rng)
    zb = np.broadcast_to(z_set, (big, H, K)).copy()
    zb[:, H - 1, 0] = rng.standard_normal(big)
    pb = _simulate(layout, b, root, history, zb, vb)
    ref = vb[np.abs(pb[:, -1, 0] - target) < 0.02 * paths0[:, -1, 0].std()]
    assert ref.shape[0] > 300
    for month in range(H):
        assert stats.ks_2samp(choice.scale[:, month], ref[:, month]).pvalue > 0.01


def test_the_same_seed_gives_the_same_choice_and_candidate_zero_is_the_unconditional_path():
    """Conditions that say nothing (a huge soft sd) keep weights flat; the same seed repeats
    the choice exactly; and with one candidate the unconditional path is returned."""
    layout, b, root, history = _one_draw(4)
    law = FutureScales(nu=np.array([6.0]))
    n = 500
    z = np.random.default_rng(1).standard_normal((n, H, K))
    v0 = law.take(np.zeros(n, int)).draw(H, np.random.default_rng(2))
    bn = np.broadcast_to(b, (n, *b.shape[1:])).copy()
    cn = np.broadcast_to(root, (n, K, K)).copy()
    paths = simulate_paths(bn, cn, history, np.zeros((H, 0)), z, layout, v0)
    rows = np.zeros((1, H * K))
    rows[0, 1] = 1.0
    args = (rows, np.array([0.0]), np.array([1e12]), paths, z, v0, law.take(np.zeros(n, int)))
    a = condition_scales(*args, bn, cn, layout, np.random.SeedSequence(3))
    again = condition_scales(*args, bn, cn, layout, np.random.SeedSequence(3))
    np.testing.assert_array_equal(a.scale, again.scale)
    assert np.median(a.ess) > 0.99 * 32
    assert (a.candidates == 32).all()  # no draw needed a second round
    one = condition_scales(
        *args, bn, cn, layout, np.random.SeedSequence(3), candidates=1, max_candidates=1
    )
    np.testing.assert_array_equal(one.scale, v0)
