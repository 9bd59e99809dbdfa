"""The optimisers run the initial configurations first; SMAC learns from prior results."""

import numpy as np
import pytest
from ConfigSpace import Categorical, Configuration, ConfigurationSpace, Float

from automl._optimizers import RandomSearch, SMACOptimizer
from automl._space import config_key


def space() -> ConfigurationSpace:
    cs = ConfigurationSpace(seed=0)
    cs.add([Float("x", (0.0, 1.0)), Float("y", (0.0, 1.0))])
    return cs


def loss(config) -> float:
    return (config["x"] - 0.8) ** 2 + (config["y"] - 0.2) ** 2


def grid(cs, n=6) -> list[Configuration]:
    values = np.linspace(0.05, 0.95, n)
    return [
        Configuration(cs, values={"x": float(a), "y": float(b)}) for a in values for b in values
    ]


@pytest.mark.parametrize("cls", [SMACOptimizer, RandomSearch])
def test_initial_configurations_come_first_in_order(cls):
    cs = space()
    initial = grid(cs, 2)
    opt = cls(cs, initial + initial[:1], seed=0)  # a repeat is asked once
    asked = []
    for _ in range(5):
        config, handle = opt.ask()
        asked.append(config)
        opt.tell(handle, loss(config))
    opt.close()
    assert asked[:4] == initial and asked[4] not in initial


@pytest.mark.parametrize("cls", [SMACOptimizer, RandomSearch])
@pytest.mark.parametrize(
    ("second_loss", "crashed", "brought_forward"),
    [(0.1, False, True), (0.9, False, False), (0.1, True, False)],
)
def test_a_leader_brings_its_follow_up_forward(cls, second_loss, crashed, brought_forward):
    cs = space()
    initial = grid(cs, 3)[:6]
    opt = cls(cs, initial, seed=0)
    opt.set_follow_ups({config_key(initial[1]): initial[4]})
    asked, losses = [], iter([0.5, second_loss] + [0.9] * 6)
    for _ in range(7):
        config, handle = opt.ask()
        asked.append(config)
        opt.tell(handle, next(losses), crashed=crashed and len(asked) == 2)
    opt.close()
    expected = [0, 1, 4, 2, 3, 5] if brought_forward else [0, 1, 2, 3, 4, 5]
    assert asked[:6] == [initial[i] for i in expected]
    assert asked[6] not in initial  # then the search proper, each initial one asked once


@pytest.mark.parametrize("cls", [SMACOptimizer, RandomSearch])
@pytest.mark.parametrize(
    ("member_loss", "crashed", "margin", "dropped"),
    [
        (0.7, False, 0.0, True),
        (0.5, False, 0.0, True),
        (0.3, False, 0.0, False),
        (0.3, True, 0.0, True),
        (0.55, False, 0.2, False),
        (0.65, False, 0.2, True),
    ],
)
def test_members_behind_the_first_default_leave_the_opening(
    cls, member_loss, crashed, margin, dropped
):
    """Order: member, default, member, default, member, default. After the first default
    (loss 0.5), members behind it by ``margin`` of it or more (a tie at 0, a crash) drop out;
    the defaults stay."""
    cs = space()
    initial = grid(cs, 3)[:6]
    members, defaults = initial[0::2], initial[1::2]
    opt = cls(cs, initial, seed=0)
    opt.set_opening_check(
        {config_key(c) for c in members}, {config_key(c) for c in defaults}, margin=margin
    )
    asked, losses = [], iter([member_loss, 0.5] + [0.9] * 6)
    for _ in range(6):
        config, handle = opt.ask()
        asked.append(config)
        opt.tell(handle, next(losses), crashed=crashed and len(asked) == 1)
    opt.close()
    if dropped:
        assert asked[:4] == [initial[0], initial[1], initial[3], initial[5]]
        assert not set(map(config_key, asked[4:])) & set(map(config_key, initial))
    else:
        assert asked == initial
    assert opt.members_dropped == (2 if dropped else 0)


def run(prior, n_asks=12, seed=0):
    cs = space()
    initial = [
        Configuration(cs, values={"x": 0.2, "y": 0.8}),
        Configuration(cs, values={"x": 0.5, "y": 0.5}),
    ]
    opt = SMACOptimizer(cs, initial, seed, prior=[(c, q) for c, q in prior])
    asked = []
    for _ in range(n_asks):
        config, handle = opt.ask()
        asked.append(config)
        opt.tell(handle, loss(config))
    opt.close()
    return opt, asked


def test_prior_is_told_after_the_initial_configurations_and_never_asked():
    cs = space()
    configs = grid(cs)
    losses = np.array([loss(c) for c in configs])
    quantiles = (np.argsort(np.argsort(losses))) / (len(losses) - 1)
    opt, asked = run(list(zip(configs, quantiles)))
    assert opt.n_prior_told == len(configs)
    assert not {tuple(dict(c).items()) for c in asked} & {tuple(dict(c).items()) for c in configs}
    told = opt._smac.runhistory
    costs = {tuple(sorted(dict(k).items())): told.get_cost(k) for k in told.get_configs()}
    # the prior is told once the two initial configurations have run: each past result at its
    # quantile of their two losses (0.72 and 0.18), the best (q = 0) at the better of them
    before = [loss(c) for c in asked[:2]]
    for config, q in zip(configs, quantiles):
        cost = costs[tuple(sorted(dict(config).items()))]
        assert cost == pytest.approx(np.quantile(before, q), abs=1e-12), (dict(config), q)
    best = configs[int(np.argmin(quantiles))]
    assert costs[tuple(sorted(dict(best).items()))] == pytest.approx(min(before)) == 0.18


def test_prior_waits_for_two_successes():
    cs = space()
    opt = SMACOptimizer(cs, [], 0, prior=[(c, 0.5) for c in grid(cs, 2)])
    config, handle = opt.ask()
    opt.tell(handle, 1.0, crashed=True)
    assert opt.n_prior_told == 0
    for _ in range(2):
        config, handle = opt.ask()
        opt.tell(handle, loss(config))
    assert opt.n_prior_told == 4
    opt.close()


@pytest.mark.parametrize("name", ["smac", "random"])
def test_every_optimizer_counts_the_prior_it_told(name):
    """``n_prior_told`` is part of the interface: random search tells nothing, SMAC all."""
    from automl._optimizers import Optimizer, make_optimizer

    cs = space()
    prior = [(c, 0.5) for c in grid(cs, 2)]
    opt = make_optimizer(name, cs, [], 0, 1.0, prior=prior if name == "smac" else ())
    assert isinstance(opt, Optimizer) and opt.n_prior_told == 0
    for _ in range(3):
        config, handle = opt.ask()
        opt.tell(handle, loss(config))
    assert opt.n_prior_told == (len(prior) if name == "smac" else 0)
    opt.close()


def _proposals(n_asks: int) -> list[tuple]:
    from automl import ColumnTypes, DataShape, Task, build_space

    cs = build_space(Task.BINARY, DataShape(500, 10), ColumnTypes(("a", "b"), (False, True)))
    opt = SMACOptimizer(cs, [], seed=3, n_random_initial=4)
    asked = []
    for i in range(n_asks):
        config, handle = opt.ask()
        vector = np.nan_to_num(config.get_array(), nan=0.3)
        opt.tell(handle, float(np.sin(vector * 3.1).sum() % 1.0), crashed=i == 5)
        asked.append(tuple(vector))
    opt.close()
    return asked


def test_faster_selection_proposes_what_smacs_own_does(monkeypatch):
    """The config selector and intensifier with batched predictions and vector membership
    propose the same configurations as SMAC's own, on the joint space (inactive values)."""
    from smac import HyperparameterOptimizationFacade as HPO

    import automl._optimizers as optimizers

    ours = _proposals(30)
    monkeypatch.setattr(
        optimizers, "_config_selector", lambda s: HPO.get_config_selector(s, retrain_after=1)
    )
    monkeypatch.setattr(
        optimizers, "_intensifier", lambda s: HPO.get_intensifier(s, max_config_calls=1)
    )
    assert _proposals(30) == ours and len(set(ours)) == 30


def test_config_list_membership_is_by_value():
    from automl._optimizers import _ConfigList

    cs = space()
    configs = _ConfigList(grid(cs, 2))
    twin = Configuration(cs, values=dict(configs[0]))
    assert twin is not configs[0] and twin in configs
    other = Configuration(cs, values={"x": 0.5, "y": 0.5})
    assert other not in configs
    configs.append(other)
    assert Configuration(cs, values={"x": 0.5, "y": 0.5}) in configs


def _flat_opening_proposals(optimum_prior, n=8) -> np.ndarray:
    """SMAC's first ``n`` own proposals after a flat opening (every loss the same, so that
    expected improvement alone has no preference), as (x, y) rows."""
    cs = space()
    opt = SMACOptimizer(cs, grid(cs, 2), seed=0, optimum_prior=optimum_prior)
    proposed = []
    while len(proposed) < n:
        config, handle = opt.ask()
        if config_key(config) not in {config_key(c) for c in opt.initial}:
            proposed.append([config["x"], config["y"]])
        opt.tell(handle, 0.5 + 0.01 * len(proposed))
    opt.close()
    return np.array(proposed)


def test_an_optimum_prior_draws_smacs_proposals_towards_its_peak():
    peak = np.array([0.9, 0.1])

    def optimum_prior(X):
        return np.clip(np.exp(-0.5 * (((X - peak) / 0.1) ** 2).sum(axis=1)), 1e-3, 1.0)

    near = np.linalg.norm(_flat_opening_proposals(optimum_prior) - peak, axis=1)
    plain = np.linalg.norm(_flat_opening_proposals(None) - peak, axis=1)
    assert np.median(near) < 0.2 < np.median(plain)


def family_space() -> ConfigurationSpace:
    cs = ConfigurationSpace(seed=0)
    cs.add([Categorical("model", ["a", "b"]), Float("x", (0.0, 1.0))])
    return cs


@pytest.mark.parametrize("cls", [SMACOptimizer, RandomSearch])
@pytest.mark.parametrize(("ratio", "behind"), [(1.5, True), (4.0, False)])
def test_members_of_a_family_far_behind_give_way_to_reserves(cls, ratio, behind):
    """Order: member a, default b, member b, member a, default a; reserves a, b. Family a's
    member (0.9) is three times behind b's default (0.3): with ratio 1.5, a's member still
    waiting is dropped, and the first reserve not of family a runs after the rest."""
    cs = family_space()
    config = lambda model, x: Configuration(cs, values={"model": model, "x": x})  # noqa: E731
    initial = [config("a", 0.1), config("b", 0.2), config("b", 0.3), config("a", 0.4)]
    initial.append(config("a", 0.5))
    reserves = [config("a", 0.6), config("b", 0.7)]
    opt = cls(cs, initial, seed=0)
    opt.set_family_check([initial[i] for i in (0, 2, 3)], reserves, ratio)
    asked, losses = [], iter([0.9, 0.3] + [0.5] * 8)
    for _ in range(6):
        asked.append(opt.ask())
        opt.tell(asked[-1][1], next(losses))
    opt.close()
    asked = [c for c, _ in asked]
    if behind:
        assert asked[:5] == [initial[0], initial[1], initial[2], initial[4], reserves[1]]
        assert opt.members_dropped == 1
    else:
        assert asked[:5] == initial
        assert opt.members_dropped == 0
    assert asked[5] not in initial + reserves
