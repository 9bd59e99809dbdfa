"""Optimisers behind one small ask/tell interface: SMAC's Bayesian optimisation, random search.

Both evaluate the ``initial`` configurations first and in order (the default LightGBM, then
the warm start), so a tiny budget still gets the most promising pipelines.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import warnings
from abc import ABC, abstractmethod
from typing import Any

import numpy as np
from ConfigSpace import Configuration, ConfigurationSpace

_UNBOUNDED_TRIALS = 1_000_000


class Optimizer(ABC):
    """Proposes configurations (``ask``) and learns from their losses (``tell``)."""

    def __init__(self, space: ConfigurationSpace, initial: list[Configuration], seed: int):
        self.space = space
        self.initial = _distinct(initial)
        self.seed = seed

    @abstractmethod
    def ask(self) -> tuple[Configuration, Any]:
        """The next configuration and an opaque handle to pass back to ``tell``."""

    @abstractmethod
    def tell(self, handle: Any, cost: float, *, crashed: bool = False) -> None:
        """The loss of an asked configuration (``crashed`` when it failed)."""

    def close(self) -> None:
        """Release resources (temporary folders)."""


def _distinct(configs: list[Configuration]) -> list[Configuration]:
    seen, out = set(), []
    for c in configs:
        key = tuple(sorted(dict(c).items()))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


class RandomSearch(Optimizer):
    """The initial configurations, then uniform samples of the space."""

    def __init__(self, space: ConfigurationSpace, initial: list[Configuration], seed: int):
        super().__init__(space, initial, seed)
        self._sampler = ConfigurationSpace(seed=seed)
        self._sampler.add(list(space.values()))
        self._sampler.add(space.conditions)
        self._sampler.seed(seed)
        self._pending = list(self.initial)

    def ask(self) -> tuple[Configuration, Any]:
        if self._pending:
            config = self._pending.pop(0)
        else:
            config = Configuration(self.space, values=dict(self._sampler.sample_configuration()))
        return config, config

    def tell(self, handle: Any, cost: float, *, crashed: bool = False) -> None:
        pass


class SMACOptimizer(Optimizer):
    """SMAC3's random-forest Bayesian optimisation, set up as ``SMAC_NOTES.md`` measured.

    The surrogate is cheap (10 trees, one thread, no leaf limit), the warm-start
    configurations run before any Sobol point, and ``crash_cost`` is finite.
    """

    def __init__(
        self,
        space: ConfigurationSpace,
        initial: list[Configuration],
        seed: int,
        *,
        crash_cost: float = 1.0,
        n_random_initial: int = 0,
    ):
        super().__init__(space, initial, seed)
        from smac import HyperparameterOptimizationFacade as HPO
        from smac import Scenario
        from smac.acquisition.function import EI
        from smac.model.random_forest import RandomForest

        logging.getLogger("smac").setLevel(logging.ERROR)
        self._tmp = tempfile.TemporaryDirectory(prefix="automl-smac-")
        self.crash_cost = float(crash_cost)
        scenario = Scenario(
            space,
            deterministic=True,
            n_trials=_UNBOUNDED_TRIALS,
            seed=seed,
            output_directory=self._tmp.name,
            crash_cost=self.crash_cost,
        )
        model = RandomForest(
            space,
            log_y=False,
            n_trees=10,
            ratio_features=1.0,
            min_samples_split=2,
            min_samples_leaf=1,
            max_depth=2**20,
            bootstrapping=True,
            seed=seed,
            n_jobs=1,
            max_leaf_nodes=None,
        )
        with _quiet():
            initial_design = HPO.get_initial_design(
                scenario, n_configs=n_random_initial, additional_configs=list(self.initial)
            )
        with _quiet():
            self._smac = self._make_facade(HPO, scenario, model, EI, initial_design)

    @staticmethod
    def _make_facade(HPO, scenario, model, EI, initial_design):
        return HPO(
            scenario,
            target_function=_never_called,
            model=model,
            acquisition_function=EI(xi=0.0, log=False),
            acquisition_maximizer=HPO.get_acquisition_maximizer(
                scenario, challengers=1000, local_search_iterations=2
            ),
            config_selector=HPO.get_config_selector(scenario, retrain_after=1),
            initial_design=initial_design,
            intensifier=HPO.get_intensifier(scenario, max_config_calls=1),
            logging_level=False,
            overwrite=True,
        )

    def ask(self) -> tuple[Configuration, Any]:
        with _quiet():
            info = self._smac.ask()
        return info.config, info

    def tell(self, handle: Any, cost: float, *, crashed: bool = False) -> None:
        from smac.runhistory import StatusType, TrialValue

        cost = min(float(cost), self.crash_cost) if np.isfinite(cost) else self.crash_cost
        status = StatusType.CRASHED if crashed else StatusType.SUCCESS
        with _quiet():
            self._smac.tell(handle, TrialValue(cost=cost, status=status), save=False)

    def close(self) -> None:
        self._tmp.cleanup()


@contextlib.contextmanager
def _quiet():
    """SMAC's surrogate warns on every empty slice; those warnings mean nothing to a user."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def _never_called(config, seed: int = 0) -> float:
    raise RuntimeError("the search evaluates trials itself, through ask and tell")


def make_optimizer(
    name: str, space: ConfigurationSpace, initial: list[Configuration], seed: int, crash_cost: float
) -> Optimizer:
    """The optimiser called ``name``: "smac" or "random"."""
    if name == "smac":
        return SMACOptimizer(space, initial, seed, crash_cost=crash_cost)
    if name == "random":
        return RandomSearch(space, initial, seed)
    raise ValueError(f"Unknown optimizer {name!r}; choose 'smac' or 'random'.")
