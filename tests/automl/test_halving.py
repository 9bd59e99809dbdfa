"""Successive halving on row samples: which configurations are promoted, when it is used, and a
real search with it (new configurations on a share of the rows, the best promoted, only the
highest rung ensembled)."""

import math
import time

import pytest

from automl._cost import MIN_SAMPLE_ROWS
from automl._halving import SHARE_OF_BUDGET, Halving, plan_halving
from automl._optimizers import RandomSearch
from automl._search import Budget, ensemble_pool, refit_reserve
from automl._space import build_space, config_key
from automl.components import DataShape


def _config(i: int) -> dict:
    return {"model": "lightgbm", "lightgbm:num_leaves": i}


def test_the_best_third_of_a_rung_is_promoted_once_each_top_rung_first():
    halving = Halving((1 / 9, 1 / 3, 1.0))
    halving.record(0, ("a",), _config(1), 0.30)
    halving.record(0, ("b",), _config(2), math.nan)  # failed: never promoted, not counted
    halving.record(0, ("c",), _config(3), 0.10)
    assert halving.next_promotion() is None  # 2 results: no third yet
    halving.record(0, ("d",), _config(4), 0.20)
    assert halving.next_promotion() == (1, _config(3))
    assert halving.next_promotion() is None  # promoted once only
    for key, i, loss in [(("e",), 5, 0.05), (("f",), 6, 0.5), (("g",), 7, 0.6)]:
        halving.record(0, key, _config(i), loss)
    # Rung 1 has 1 result: nothing to promote to rung 2; rung 0's next best third is "e".
    assert halving.next_promotion() == (1, _config(5))
    halving.record(1, ("c",), _config(3), 0.12)
    halving.record(1, ("e",), _config(5), 0.04)
    halving.record(1, ("d",), _config(4), 0.15)
    assert halving.next_promotion() == (2, _config(5))  # the top rung goes first


def test_halving_is_planned_only_for_expensive_trials_with_rows_to_spare():
    budget = 60.0
    cheap = 0.9 * SHARE_OF_BUDGET * budget
    dear = 2 * SHARE_OF_BUDGET * budget
    assert plan_halving(cheap, budget, 100_000) is None
    assert plan_halving(dear, budget, 100_000).fidelities == pytest.approx((1 / 9, 1 / 3, 1.0))
    # A ninth would hold fewer than MIN_SAMPLE_ROWS rows: two rungs, then none.
    assert plan_halving(dear, budget, 4 * MIN_SAMPLE_ROWS).fidelities == pytest.approx((1 / 3, 1))
    assert plan_halving(dear, budget, 2 * MIN_SAMPLE_ROWS) is None


class _Told(RandomSearch):
    """Random search that remembers what it was told."""

    def __init__(self, *args):
        super().__init__(*args)
        self.told: list[tuple] = []

    def ask(self):
        config, handle = super().ask()
        return config, (handle, config_key(dict(config)))

    def tell(self, handle, cost, *, crashed=False):
        self.told.append(handle[1])
        super().tell(handle[0], cost, crashed=crashed)


@pytest.fixture
def halving_search(load_pmlb, binary_search_inputs, binary_search):
    """``halving_search(make_optimizer)``: 8 trials of linear models on prnn_synth (250 rows)
    with rungs of 1/3 and all rows, the optimiser ``make_optimizer(space)``; returns (result,
    optimizer, spec, y_enc)."""

    def search(make_optimizer):
        data, y_enc, spec = binary_search_inputs(*load_pmlb("prnn_synth"))
        space = build_space(
            spec.task, DataShape(*data.shape), spec.columns, seed=0, include=("linear",)
        )
        optimizer = make_optimizer(space)
        start = time.monotonic()
        try:
            result = binary_search(
                data,
                y_enc,
                spec,
                optimizer,
                Budget(start=start, deadline=start + 300, per_trial=30.0, max_trials=8),
                halving=Halving((1 / 3, 1.0)),
            )
        finally:
            optimizer.close()
        return result, optimizer, spec, y_enc

    return search


def test_a_search_with_halving_promotes_the_best_and_ensembles_only_the_top_rung(
    halving_search,
):
    result, optimizer, spec, y_enc = halving_search(lambda space: _Told(space, [], 0))
    low = [t for t in result.trials if t.rung == 0]
    high = [t for t in result.trials if t.rung == 1]
    assert len(low) == 6 and len(high) == 2  # a promotion after every third new trial
    assert all(t.fidelity == pytest.approx(1 / 3) for t in low)
    assert all(t.fidelity == 1.0 and t.refit_fidelity == 1.0 for t in high)
    # The optimiser is told the lowest rung's losses only, one per configuration it asked.
    assert optimizer.told == [config_key(t.config) for t in low]
    # Each promoted configuration was the best of the first three, then of the first six.
    first, second = sorted(low[:3], key=lambda t: t.loss)[0], None
    assert high[0].config == first.config
    rest = [t for t in sorted(low, key=lambda t: t.loss) if t.config != first.config]
    second = rest[0]
    assert high[1].config == second.config
    pool = ensemble_pool(result)
    assert {t.trial for t in pool} == {t.trial for t in high if t.status == "success"}
    # The refit reserve plans for all rows, not the third a low trial was validated on.
    best = pool[0]
    assert refit_reserve(result, len(y_enc), len(spec.splits[0][0]), top=1) == pytest.approx(
        0.5 + 1.3 * best.single_fit_time * len(y_enc) / len(spec.splits[0][0])
    )


def test_smac_can_schedule_the_rungs_itself(halving_search):
    """optimizer="smac-halving": SMAC's SuccessiveHalving intensifier picks each trial's rows;
    with rungs of 1/3 and all rows (eta 3) a bracket is three new configurations on a third,
    then the best of them on all rows, and SMAC is told every result."""
    from automl._optimizers import make_optimizer

    result, optimizer, _, _ = halving_search(
        lambda space: make_optimizer("smac-halving", space, [], 0, 1.0, fidelities=(1 / 3, 1))
    )
    assert optimizer.schedules_fidelity
    trials = sorted(result.trials, key=lambda t: t.trial)
    assert [t.rung for t in trials] == [0, 0, 0, 1, 0, 0, 0, 1]
    assert all(t.fidelity == pytest.approx(1 / 3 if t.rung == 0 else 1.0) for t in trials)
    for bracket in (trials[:4], trials[4:]):
        best_low = min(bracket[:3], key=lambda t: t.loss)
        assert bracket[3].config == best_low.config
    told = optimizer._smac.runhistory
    assert len(told) == 8  # every trial, each at its own budget
    assert {t.trial for t in ensemble_pool(result)} == {
        t.trial for t in trials if t.rung == 1 and t.status == "success"
    }
