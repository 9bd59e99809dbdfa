"""Optimisers behind one small ask/tell interface: SMAC's Bayesian optimisation, random search.

Both evaluate the ``initial`` configurations first and in order (the default LightGBM, then
the warm start), so a tiny budget still gets the most promising pipelines. SMAC can also be
given ``prior`` results of similar past datasets, which shape its surrogate without being run.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import warnings
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ConfigSpace import Configuration, ConfigurationSpace

from automl._space import config_key, distinct_configs

_UNBOUNDED_TRIALS = 1_000_000


class Optimizer(ABC):
    """Proposes configurations (``ask``) and learns from their losses (``tell``)."""

    def __init__(self, space: ConfigurationSpace, initial: list[Configuration], seed: int):
        self.space = space
        self.initial = distinct_configs(initial)
        self.seed = seed
        self._follow_ups: dict[tuple, Configuration] = {}
        self._best = np.inf
        self._opening: _OpeningCheck | None = None
        self._families: _FamilyCheck | None = None
        #: Portfolio members the opening check or the family check dropped before they ran.
        self.members_dropped = 0

    @abstractmethod
    def ask(self) -> tuple[Configuration, Any]:
        """The next configuration and an opaque handle to pass back to ``tell``."""

    @abstractmethod
    def tell(self, handle: Any, cost: float, *, crashed: bool = False) -> None:
        """The loss of an asked configuration (``crashed`` when it failed)."""

    def set_follow_ups(self, follow_ups: dict[tuple, Configuration]) -> None:
        """When a configuration keyed in ``follow_ups`` sets the best loss so far, its follow-up
        (an initial configuration still waiting: its family's defaults) runs next."""
        self._follow_ups = dict(follow_ups)

    def set_opening_check(
        self, members: set[tuple], defaults: set[tuple], after: int = 1, margin: float = 0.0
    ) -> None:
        """Once ``after`` of the ``defaults`` (keys of the families' defaults) and one of the
        ``members`` (a portfolio's) have results, drop the members still waiting if their best
        loss is worse than the defaults' best by ``margin`` of it or more (with 0, unless a
        member beat the defaults): a portfolio that far behind plain defaults does not know the
        table, and its members' time goes to the optimiser."""
        self._opening = _OpeningCheck(set(members), set(defaults), after, margin)

    def set_family_check(
        self, members: list[Configuration], reserves: list[Configuration], ratio: float
    ) -> None:
        """Drop a portfolio member still waiting (of ``members``) once its family's best loss
        is over ``ratio`` times the best so far, and ask the next of ``reserves`` whose family
        is not that far behind in its place, after the configurations already waiting."""
        self._families = _FamilyCheck(
            {config_key(c): c["model"] for c in members}, list(reserves), ratio
        )

    def _on_result(self, config: Configuration, cost: float, crashed: bool) -> None:
        if self._families is not None and not crashed and np.isfinite(cost):
            behind = self._families.record(config["model"], cost)
            if behind:
                dropped = self._drop_waiting(self._families.take(behind))
                self.members_dropped += dropped
                for reserve in self._families.reserves_for(dropped):
                    if self._append_waiting(reserve):
                        self._families.members[config_key(reserve)] = reserve["model"]
        if self._opening is not None:
            loss = cost if not crashed and np.isfinite(cost) else np.inf
            if self._opening.decided(config_key(config), loss):
                if self._opening.drop:
                    self.members_dropped = self._drop_waiting(self._opening.members)
                self._opening = None
        if crashed or not np.isfinite(cost) or cost >= self._best:
            return
        self._best = cost
        follow_up = self._follow_ups.pop(config_key(config), None)
        if follow_up is not None:
            self._move_next(follow_up)

    def _move_next(self, config: Configuration) -> None:
        """Put ``config``, if it is an initial configuration not asked yet, next in line."""

    def _drop_waiting(self, keys: set[tuple]) -> int:
        """Drop the initial configurations keyed in ``keys`` not asked yet; how many."""
        return 0

    def _append_waiting(self, config: Configuration) -> bool:
        """Ask ``config`` after the initial configurations waiting; whether this optimiser can."""
        return False

    def insert_next(self, config: Configuration) -> bool:
        """Ask ``config`` next, as one more initial configuration (a family's defaults cut to
        fit the table); whether this optimiser can."""
        return False

    @property
    def n_prior_told(self) -> int:
        """How many past results (``prior``) were told to the optimiser without being run."""
        return 0

    #: Whether the optimiser schedules successive halving itself (``fidelity``).
    schedules_fidelity = False

    def fidelity(self, handle: Any) -> float:
        """The share of the training rows an asked trial is to be fitted on."""
        return 1.0

    def close(self) -> None:
        """Release resources (temporary folders)."""


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
        self._on_result(handle, cost, crashed)

    def _move_next(self, config: Configuration) -> None:
        _to_front(self._pending, config, 0)

    def insert_next(self, config: Configuration) -> bool:
        self._pending.insert(0, config)
        return True

    def _drop_waiting(self, keys: set[tuple]) -> int:
        kept = [c for c in self._pending if config_key(c) not in keys]
        dropped, self._pending[:] = len(self._pending) - len(kept), kept
        return dropped

    def _append_waiting(self, config: Configuration) -> bool:
        self._pending.append(config)
        return True


class SMACOptimizer(Optimizer):
    """SMAC3's random-forest Bayesian optimisation, set up after what SMAC 2.4.1 did here.

    The surrogate is cheap (10 trees, one thread, no leaf limit, 1,000 challengers and 2
    local-search iterations): SMAC's own forest (``max_leaf_nodes=2**20``, ``n_jobs=-1``) cost
    0.22-0.54 s of overhead per trial over the first 200 trials, this one 0.015-0.054 s. The
    warm-start configurations run before any Sobol point (SMAC's initial designs append
    ``additional_configs`` after their own points, so the design is asked for
    ``n_random_initial`` points only). ``crash_cost`` is finite: with SMAC's default of
    infinity, the surrogate fails (NaN targets) after the first crash or timeout.

    ``prior`` holds (configuration, quantile) pairs from similar datasets, a quantile being a
    result's place among its own dataset's results (0 best). Once the initial configurations
    have run, each is told to SMAC at that quantile of the losses seen here, so the surrogate
    starts with a picture of which regions did well elsewhere. Told configurations are never
    asked, so those that were asked already are not told.
    """

    def __init__(
        self,
        space: ConfigurationSpace,
        initial: list[Configuration],
        seed: int,
        *,
        crash_cost: float = 1.0,
        n_random_initial: int = 0,
        prior: list[tuple[Configuration, float]] = (),
        prior_mean=None,
        optimum_prior=None,
    ):
        super().__init__(space, initial, seed)
        self._prior = _merge_prior(prior)
        self._optimum_prior = optimum_prior
        self._losses: list[float] = []
        self._asked: set[tuple] = set()
        self._n_told = 0
        self._n_prior_told = 0
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
            **self._budgets(),
        )
        forest = RandomForest
        extra = {}
        if prior_mean is not None:  # transfer: the forest models the prior's residual
            from automl._surrogate import PriorMeanForest

            forest, extra = PriorMeanForest, {"prior": prior_mean}
        model = forest(
            space,
            **extra,
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

    def _budgets(self) -> dict:
        """The scenario's budget range (none: every trial on all rows)."""
        return {}

    def _make_intensifier(self, scenario):
        return _intensifier(scenario)

    def _make_facade(self, HPO, scenario, model, EI, initial_design):
        maximizer = HPO.get_acquisition_maximizer(
            scenario, challengers=1000, local_search_iterations=2
        )
        maximizer._local_search = _ordered_local_search(scenario.configspace, scenario.seed)
        return HPO(
            scenario,
            target_function=_never_called,
            model=model,
            acquisition_function=self._acquisition(EI),
            acquisition_maximizer=maximizer,
            config_selector=_config_selector(scenario),
            initial_design=initial_design,
            intensifier=self._make_intensifier(scenario),
            logging_level=False,
            overwrite=True,
        )

    def _acquisition(self, EI):
        """EI, weighted by the optimum prior where there is one (piBO)."""
        if self._optimum_prior is None:
            return EI(xi=0.0, log=False)
        from automl._acquisition import PriorWeightedEI

        return PriorWeightedEI(self._optimum_prior)

    def ask(self) -> tuple[Configuration, Any]:
        with _quiet():
            info = self._smac.ask()
        self._asked.add(config_key(info.config))
        return info.config, info

    def _move_next(self, config: Configuration) -> None:
        # SMAC's selector yields its initial design in list order, one per ask and each once
        # (``self.initial`` is deduplicated), so the initial configurations asked so far are
        # the list's head and the next one asked is the first not asked.
        waiting = self._waiting()
        if waiting is None:  # another SMAC's internals: the order stays as given
            return
        _to_front(waiting, config, self._n_asked_initial(waiting))

    def insert_next(self, config: Configuration) -> bool:
        waiting = self._waiting()
        key = config_key(config)
        if waiting is None or key in self._asked or key in {config_key(c) for c in waiting}:
            return False
        waiting.insert(self._n_asked_initial(waiting), config)
        self.initial.append(config)
        return True

    def _waiting(self) -> list | None:
        selector = getattr(self._smac, "_config_selector", None)
        waiting = getattr(selector, "_initial_design_configs", None)
        return waiting if isinstance(waiting, list) else None

    def _n_asked_initial(self, waiting: list) -> int:
        asked = 0
        while asked < len(waiting) and config_key(waiting[asked]) in self._asked:
            asked += 1
        return asked

    def _drop_waiting(self, keys: set[tuple]) -> int:
        # As in _move_next: only configurations beyond those asked are touched, which SMAC's
        # selector has not reached in its pass over the list.
        waiting = self._waiting()
        if waiting is None:
            return 0
        asked = self._n_asked_initial(waiting)
        kept = [c for c in waiting[asked:] if config_key(c) not in keys]
        dropped = len(waiting) - asked - len(kept)
        waiting[asked:] = kept
        gone = {config_key(c) for c in self.initial} & keys - self._asked
        self.initial = [c for c in self.initial if config_key(c) not in gone]
        return dropped

    def _append_waiting(self, config: Configuration) -> bool:
        waiting = self._waiting()
        key = config_key(config)
        if waiting is None or key in self._asked or key in {config_key(c) for c in waiting}:
            return False
        if self._n_asked_initial(waiting) == len(waiting):
            return False  # SMAC's selector may have left its pass over the list
        waiting.append(config)
        self.initial.append(config)
        return True

    def tell(self, handle: Any, cost: float, *, crashed: bool = False) -> None:
        from smac.runhistory import StatusType, TrialValue

        cost = min(float(cost), self.crash_cost) if np.isfinite(cost) else self.crash_cost
        status = StatusType.CRASHED if crashed else StatusType.SUCCESS
        with _quiet():
            self._smac.tell(handle, TrialValue(cost=cost, status=status), save=False)
        self._n_told += 1
        if not crashed:
            self._losses.append(cost)
        self._on_result(handle.config, cost, crashed)
        if self._prior and self._n_told >= len(self.initial) and len(self._losses) >= 2:
            self._tell_prior(handle.seed)

    def _tell_prior(self, seed) -> None:
        from smac.runhistory import TrialInfo, TrialValue

        losses = np.asarray(self._losses)
        with _quiet():
            for config, quantile in self._prior:
                if config_key(config) in self._asked:
                    continue
                cost = float(np.quantile(losses, quantile))
                info = TrialInfo(config=config, seed=seed, budget=self._budgets().get("min_budget"))
                self._smac.tell(info, TrialValue(cost=cost), save=False)
                self._n_prior_told += 1
        self._prior = []

    @property
    def n_prior_told(self) -> int:
        return self._n_prior_told

    def close(self) -> None:
        self._tmp.cleanup()


class SMACHalvingOptimizer(SMACOptimizer):
    """SMAC's own successive halving (its ``SuccessiveHalving`` intensifier, eta 3) over row
    samples: SMAC chooses both the configurations and the share of rows each trial gets, from
    ``fidelities`` (the lowest to all rows), in synchronous brackets. The alternative to the
    search's own asynchronous halving (``automl/_halving.py``), kept selectable to compare."""

    schedules_fidelity = True

    def __init__(self, space, initial, seed, *, fidelities: tuple[float, ...], **kwargs):
        self._fidelities = tuple(fidelities)
        super().__init__(space, initial, seed, **kwargs)

    def _budgets(self) -> dict:
        return dict(min_budget=self._fidelities[0], max_budget=self._fidelities[-1])

    def _move_next(self, config: Configuration) -> None:
        pass  # its brackets draw several configurations at once: the order stays as given

    def _drop_waiting(self, keys: set[tuple]) -> int:
        return 0  # as above: its brackets may hold them already

    def insert_next(self, config: Configuration) -> bool:
        return False  # as above

    def _make_intensifier(self, scenario):
        from smac.intensifier.successive_halving import SuccessiveHalving

        return SuccessiveHalving(scenario, eta=3, incumbent_selection="highest_observed_budget")

    def fidelity(self, handle: Any) -> float:
        if handle.budget is None:
            return self._fidelities[-1]
        # SMAC's budgets are min * eta**k: take the search's rung nearest to it.
        return min(self._fidelities, key=lambda f: abs(np.log(f / handle.budget)))


@dataclass
class _OpeningCheck:
    """The members' and defaults' best losses so far, until ``after`` defaults and a member
    have results; then ``drop`` says whether the members still waiting should go (their best
    at least ``margin`` of the defaults' best behind it)."""

    members: set[tuple]
    defaults: set[tuple]
    after: int
    margin: float = 0.0
    best: dict[str, float] = field(default_factory=lambda: {"member": np.inf, "default": np.inf})
    seen: dict[str, int] = field(default_factory=lambda: {"member": 0, "default": 0})
    drop: bool = False

    def decided(self, key: tuple, loss: float) -> bool:
        """Record a result; whether the check has decided."""
        kind = "member" if key in self.members else "default" if key in self.defaults else None
        if kind is None:
            return False
        self.best[kind] = min(self.best[kind], loss)
        self.seen[kind] += 1
        if self.seen["default"] < self.after or not self.seen["member"]:
            return False
        default = self.best["default"]
        self.drop = self.best["member"] >= default + self.margin * abs(default)
        return True


@dataclass
class _FamilyCheck:
    """Each family's best loss and the best over all; the members not yet dropped (key ->
    family) and the reserves not yet used."""

    members: dict[tuple, str]
    reserves: list[Configuration]
    ratio: float
    best: dict[str, float] = field(default_factory=dict)
    overall: float = np.inf

    def record(self, family: str, loss: float) -> set[str]:
        """Record a result; the families of members still tracked that are now too far behind."""
        self.best[family] = min(self.best.get(family, np.inf), loss)
        self.overall = min(self.overall, loss)
        return {f for f in set(self.members.values()) if self.behind(f)}

    def behind(self, family: str) -> bool:
        """Whether ``family``'s best loss so far is over ``ratio`` times the best."""
        margin = (self.ratio - 1.0) * abs(self.overall)
        return family in self.best and self.best[family] - self.overall > margin

    def take(self, families: set[str]) -> set[tuple]:
        """The keys of the members of ``families``, no longer tracked."""
        keys = {k for k, f in self.members.items() if f in families}
        for key in keys:
            del self.members[key]
        return keys

    def reserves_for(self, n: int) -> list[Configuration]:
        """Up to ``n`` reserves in order, none of a family behind (those are let go)."""
        self.reserves = [c for c in self.reserves if not self.behind(c["model"])]
        chosen, self.reserves = self.reserves[:n], self.reserves[n:]
        return chosen


class _ConfigList(list):
    """A list of configurations of one space whose ``in`` compares their vectors.

    SMAC keeps the configurations it has seen in lists and asks ``config in seen`` before
    every proposal; ConfigSpace's ``==`` builds both configurations' dicts, so that each ask
    cost O(trials) dict builds (3.7 s of 20 s asks over 200 trials). Equal vectors are equal
    configurations.
    """

    def __init__(self, configs=()):
        super().__init__(configs)
        self._keys = {_vector_key(c) for c in self}

    def append(self, config) -> None:
        super().append(config)
        self._keys.add(_vector_key(config))

    def __contains__(self, config) -> bool:
        return _vector_key(config) in self._keys


def _config_selector(scenario):
    """SMAC's config selector (retrained after every result), made linear in the trials so far.

    - SMAC 2.4.1 asks the forest for each evaluated configuration in turn to find the
      incumbent's predicted cost, which EI improves upon: after n results, n calls of about
      3 ms on every ask (saheart, 2 trials at once: 4.6 s of a 20 s search). One call for all
      rows takes the same first minimum of the same predictions.
    - Its list of processed configurations is a :class:`_ConfigList`.

    The same seed proposes the same configurations as SMAC's own selector (checked over 200
    asks).
    """
    from smac.main.config_selector import ConfigSelector

    class FastConfigSelector(ConfigSelector):
        @property
        def _processed_configs(self):
            return self._processed

        @_processed_configs.setter
        def _processed_configs(self, configs):
            self._processed = _ConfigList(configs)

        def _get_x_best(self, X: np.ndarray) -> tuple[np.ndarray, float]:
            if not self._predict_x_best or len(X) == 0:
                return super()._get_x_best(X)
            means = self._model.predict_marginalized(X)[0][:, 0]
            best = int(np.argmin(means))
            return X[best], float(means[best])

    return FastConfigSelector(scenario, retrain_after=1, max_new_config_tries=16)


def _intensifier(scenario):
    """SMAC's intensifier (one evaluation per configuration), its rejected configurations (all
    but the incumbent, so far) a :class:`_ConfigList`."""
    from smac.intensifier.intensifier import Intensifier

    class FastIntensifier(Intensifier):
        def get_rejected_configs(self):
            return _ConfigList(super().get_rejected_configs())

    return FastIntensifier(scenario=scenario, max_config_calls=1, max_incumbents=10)


def _ordered_local_search(space: ConfigurationSpace, seed: int):
    """SMAC's local search (as its facade builds it), with its start points in a fixed order.

    SMAC 2.4.1 collects the start points in a ``set`` of ``Configuration`` objects, whose hash
    is that of their ``repr`` string, so their order, and with it which start point draws which
    neighbourhood seed from the shared random state, followed ``PYTHONHASHSEED``: the same seed
    proposed different configurations in different processes (docs/smac-hash-seed.md).
    Sorting the start points by their vectors makes the order a function of the points alone.
    """
    from smac.acquisition.maximizer.local_search import LocalSearch

    class OrderedLocalSearch(LocalSearch):
        def _get_init_points_from_previous_configs(self, *args, **kwargs):
            points = super()._get_init_points_from_previous_configs(*args, **kwargs)
            return sorted(points, key=_vector_key)

    return OrderedLocalSearch(configspace=space, seed=seed)


def _to_front(configs: list[Configuration], config: Configuration, position: int) -> None:
    """Move ``config`` (by value) to ``position`` of ``configs`` if it waits beyond it."""
    key = config_key(config)
    for index in range(position, len(configs)):
        if config_key(configs[index]) == key:
            configs.insert(position, configs.pop(index))
            return


def _vector_key(config: Configuration) -> tuple[float, ...]:
    """A total order on configurations: their vectors, inactive values (NaN) first."""
    return tuple(np.nan_to_num(config.get_array(), nan=-1.0).tolist())


def _merge_prior(prior) -> list[tuple[Configuration, float]]:
    """One entry per distinct configuration, at its mean quantile."""
    merged: dict[tuple, list] = {}
    for config, quantile in prior:
        merged.setdefault(config_key(config), [config, []])[1].append(float(quantile))
    return [(config, float(np.mean(qs))) for config, qs in merged.values()]


@contextlib.contextmanager
def _quiet():
    """SMAC's surrogate warns on every empty slice; those warnings mean nothing to a user."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def _never_called(config, seed: int = 0, budget: float | None = None) -> float:
    raise RuntimeError("the search evaluates trials itself, through ask and tell")


def make_optimizer(
    name: str,
    space: ConfigurationSpace,
    initial: list[Configuration],
    seed: int,
    crash_cost: float,
    prior: list[tuple[Configuration, float]] = (),
    prior_mean=None,
    fidelities: tuple[float, ...] | None = None,
    optimum_prior=None,
) -> Optimizer:
    """The optimiser called ``name``: "smac" (which learns from ``prior`` results and a
    ``prior_mean`` of its surrogate, and weights its acquisition by an ``optimum_prior``),
    "random", or "smac-halving" (SMAC's own successive halving over ``fidelities``, the shares
    of rows of the search's rungs; plain "smac" where the search plans no halving)."""
    if name == "smac-halving" and fidelities:
        return SMACHalvingOptimizer(
            space,
            initial,
            seed,
            fidelities=fidelities,
            crash_cost=crash_cost,
            prior=prior,
            prior_mean=prior_mean,
            optimum_prior=optimum_prior,
        )
    if name in ("smac", "smac-halving"):
        return SMACOptimizer(
            space,
            initial,
            seed,
            crash_cost=crash_cost,
            prior=prior,
            prior_mean=prior_mean,
            optimum_prior=optimum_prior,
        )
    if name == "random":
        return RandomSearch(space, initial, seed)
    raise ValueError(f"Unknown optimizer {name!r}; choose 'smac', 'random' or 'smac-halving'.")


class Unsteered(Optimizer):
    """``inner`` with ``head`` configurations run in its place and kept from it: they are asked
    in ``order`` among ``inner``'s own initial ones, and their losses are not told, so that they
    do not steer its search (a portfolio's members against SMAC's exploitation of them)."""

    def __init__(self, inner: Optimizer, order: list[Configuration], head: set[tuple]):
        super().__init__(inner.space, order, inner.seed)
        self.inner = inner
        # In order: a head configuration, or None where the inner optimiser's own comes.
        self._pending = [c if config_key(c) in head else None for c in self.initial]
        self.schedules_fidelity = inner.schedules_fidelity

    def ask(self) -> tuple[Configuration, Any]:
        config = self._pending.pop(0) if self._pending else None
        if config is not None:
            return config, None
        config, handle = self.inner.ask()
        return config, (handle,)

    def tell(self, handle: Any, cost: float, *, crashed: bool = False) -> None:
        if handle is not None:
            self.inner.tell(handle[0], cost, crashed=crashed)

    def insert_next(self, config: Configuration) -> bool:
        return self.inner.insert_next(config)

    def fidelity(self, handle: Any) -> float:
        return 1.0 if handle is None else self.inner.fidelity(handle[0])

    @property
    def n_prior_told(self) -> int:
        return self.inner.n_prior_told

    def close(self) -> None:
        self.inner.close()
