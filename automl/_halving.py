"""Successive halving on row samples, for tables where one full trial costs a real share of the
budget.

Asynchronous successive halving (ASHA, Li et al. 2020) with ``ETA = 3`` and three rungs: every
new configuration (portfolio, defaults, SMAC's) is evaluated on a ninth of the training rows;
whenever a configuration is among the best third of those done on its rung and not promoted yet,
it is evaluated again on three times the rows, up to all of them. Promotion is checked from the
top rung down before anything new is asked, so the best configurations reach all rows early.
Validation rows are the same at every rung, so losses of one rung compare. Only the highest rung
any configuration has reached takes part in ensemble selection.

It is used when LightGBM's defaults are expected to take more than ``SHARE_OF_BUDGET`` of the
budget on all rows; rungs of fewer than ``MIN_SAMPLE_ROWS`` training rows (too few to rank
configurations by) are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from automl._cost import MIN_SAMPLE_ROWS

ETA = 3
RUNGS = 3  # fidelities 1/9, 1/3, 1
SHARE_OF_BUDGET = 0.1  # fewer than 10 full trials of LightGBM's defaults fit in the budget


@dataclass
class Halving:
    """The rungs' results and promotions of one search."""

    fidelities: tuple[float, ...]
    eta: int = ETA
    _done: list[dict[tuple, tuple[float, dict[str, Any]]]] = field(default_factory=list)
    _promoted: list[set[tuple]] = field(default_factory=list)

    def __post_init__(self):
        self._done = [{} for _ in self.fidelities]
        self._promoted = [set() for _ in self.fidelities]

    @property
    def top(self) -> int:
        return len(self.fidelities) - 1

    def record(self, rung: int, key: tuple, config: dict[str, Any], loss: float) -> None:
        """A configuration's loss on ``rung`` (NaN when it failed: never promoted)."""
        self._done[rung][key] = (loss, config)

    def next_promotion(self) -> tuple[int, dict[str, Any]] | None:
        """The rung and configuration to evaluate next on more rows, or None to ask anew."""
        for rung in range(self.top - 1, -1, -1):
            done = [(loss, key) for key, (loss, _) in self._done[rung].items() if loss == loss]
            n_best = len(done) // self.eta
            for _, key in sorted(done)[:n_best]:
                if key not in self._promoted[rung]:
                    self._promoted[rung].add(key)
                    return rung + 1, self._done[rung][key][1]
        return None


def plan_halving(
    full_trial_seconds: float, time_budget: float, n_train: int, *, rungs: int = RUNGS
) -> Halving | None:
    """Rungs for a search whose full trial (LightGBM's defaults on all training rows) is expected
    to take ``full_trial_seconds``, or None where every trial can run on all rows."""
    if full_trial_seconds <= SHARE_OF_BUDGET * time_budget:
        return None
    fidelities = tuple(float(ETA ** -(rungs - 1 - r)) for r in range(rungs))
    while len(fidelities) > 1 and fidelities[0] * n_train < MIN_SAMPLE_ROWS:
        fidelities = fidelities[1:]
    return Halving(fidelities) if len(fidelities) > 1 else None
