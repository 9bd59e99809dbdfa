"""The systems a benchmark compares, behind one small fit/predict interface.

Built-in systems (names on the command line):

=====================  =======================================================================
``automl``             ``AutoMLClassifier/Regressor`` with the knowledge-base warm start
``automl-cold``        the same with ``warm_start=False``
``automl-random``      the same with ``optimizer="random"``
``automl-loo``         the same with ``leave_one_out=True`` (the task's own rows hidden)
``automl-loo-smac-sh`` ``automl-loo`` with ``optimizer="smac-halving"`` (SMAC's own halving)
``constant``           class priors (classification) or the mean (regression)
``lightgbm``           LightGBM with its defaults
``catboost``           CatBoost with its defaults
``xgboost``            XGBoost with its defaults (optional; ``pip install xgboost-cpu``)
``random-forest``      scikit-learn random forest, 500 trees (as the AMLB)
``tuned-random-forest`` the AMLB's: ``max_features`` tuned by out-of-bag score, then 500 trees
``flaml``              FLAML (optional; status ``not-installed`` when missing)
``autogluon``          AutoGluon-Tabular (optional; status ``not-installed`` when missing)
=====================  =======================================================================

Plug-ins: the environment variable ``AUTOML_BENCH_PLUGINS`` names comma-separated modules, and
the entry-point group ``automl_bench.systems`` names objects; a module's ``SYSTEMS`` dict (or an
entry point) maps a system name to a zero-argument factory of a :class:`System`. The tests use
this hook for systems that crash, hang or exhaust memory.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

PLUGIN_ENV = "AUTOML_BENCH_PLUGINS"
ENTRY_POINT_GROUP = "automl_bench.systems"
RF_TREES = 500


class NotInstalledError(ImportError):
    """An optional system's library is missing."""


@dataclass
class FitContext:
    """What a system may know about its job.

    Attributes
    ----------
    task_type : str
        ``binary``, ``multiclass`` or ``regression``.
    metric : str
        The benchmark metric (``roc_auc``, ``log_loss`` or ``rmse``).
    budget : float
        Time budget in seconds.
    seed : int
        Random seed.
    n_jobs : int
        Cores the job may use.
    memory_limit : int or None
        Memory limit of the job process in MB.
    grow_kb : bool
        Whether automl systems may append their trials to the knowledge base.
    knowledge_base : str or None
        Path of the knowledge base for the automl systems (None: their default).
    workdir : str
        A scratch folder for the job.
    """

    task_type: str
    metric: str
    budget: float
    seed: int = 0
    n_jobs: int = 1
    memory_limit: int | None = None
    grow_kb: bool = False
    knowledge_base: str | None = None
    workdir: str = "."

    @property
    def classification(self) -> bool:
        """True for binary and multiclass tasks."""
        return self.task_type != "regression"


@dataclass
class System:
    """Base class: a system fits on a DataFrame and predicts labels/values and probabilities.

    Subclasses set ``classes_`` when classifying, and may fill ``n_trials_``, ``trace_``
    (best validation score over time as ``[[seconds, score], ...]``) and ``trials_`` (per-trial
    records, for the knowledge base). ``requires`` names the modules the system imports (a
    missing one gives the status ``not-installed``); ``records_trials`` asks the job to save
    ``trials_`` with the dataset's meta-features.
    """

    requires: tuple[str, ...] = ()
    records_trials: ClassVar[bool] = False
    classes_: np.ndarray | None = None
    n_trials_: int = 1
    trace_: list[list[float]] | None = None
    trials_: pd.DataFrame | None = None
    extra_: dict[str, Any] = field(default_factory=dict)

    def fit(self, X: pd.DataFrame, y: pd.Series, ctx: FitContext) -> None:
        """Fit on the training data within ``ctx.budget`` seconds."""
        raise NotImplementedError

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predict labels (classification) or values (regression)."""
        raise NotImplementedError

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``."""
        raise NotImplementedError


class OrdinalTable:
    """Numeric matrix from a table: numbers as floats, other columns ordinal-encoded.

    Categories are the training values as strings, sorted; missing values and categories
    unseen in training become NaN (LightGBM and scikit-learn forests handle NaN).
    """

    def fit(self, X: pd.DataFrame) -> OrdinalTable:
        """Learn which columns are categorical and their categories."""
        self.columns_ = list(X.columns)
        self.categories_: dict[str, dict[str, float]] = {}
        for column in X.columns:
            if not _is_number(X[column]):
                values = sorted(set(_as_strings(X[column]).dropna()))
                self.categories_[column] = {v: float(i) for i, v in enumerate(values)}
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Encode a table with the learned columns."""
        out = np.empty((len(X), len(self.columns_)), dtype=float)
        for j, column in enumerate(self.columns_):
            if column in self.categories_:
                codes = _as_strings(X[column]).map(self.categories_[column])
                out[:, j] = pd.to_numeric(codes, errors="coerce").to_numpy(dtype=float)
            else:
                out[:, j] = pd.to_numeric(X[column], errors="coerce").to_numpy(dtype=float)
        return out


def _as_strings(column: pd.Series) -> pd.Series:
    """Values as Python strings, missing values as None."""
    values = column.astype(object)
    return values.where(values.notna(), None).map(lambda v: None if v is None else str(v))


def _is_number(column: pd.Series) -> bool:
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return False
    return pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)


class Constant(System):
    """Class priors for classification, the training mean for regression."""

    def fit(self, X: pd.DataFrame, y: pd.Series, ctx: FitContext) -> None:
        """Store the priors or the mean."""
        if ctx.classification:
            counts = y.value_counts()
            self.classes_ = np.asarray(sorted(counts.index))
            self.prior_ = counts.reindex(self.classes_).to_numpy(dtype=float) / len(y)
        else:
            self.mean_ = float(np.mean(y))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The majority class or the mean, for every row."""
        if self.classes_ is not None:
            return np.repeat(self.classes_[np.argmax(self.prior_)], len(X))
        return np.full(len(X), self.mean_)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """The class priors, for every row."""
        return np.tile(self.prior_, (len(X), 1))


class _Encoded(System):
    """A scikit-learn style model on an ordinal encoding of the table."""

    def _fit_model(self, model: Any, X: pd.DataFrame, y: pd.Series) -> None:
        self.encoding_ = OrdinalTable().fit(X)
        self.model_ = model.fit(self.encoding_.transform(X), np.asarray(y))
        self.classes_ = getattr(self.model_, "classes_", None)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predict with the fitted model."""
        return self.model_.predict(self.encoding_.transform(X))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities of the fitted model."""
        return self.model_.predict_proba(self.encoding_.transform(X))


class LightGBM(_Encoded):
    """LightGBM with its default hyperparameters."""

    def fit(self, X: pd.DataFrame, y: pd.Series, ctx: FitContext) -> None:
        """Fit ``LGBMClassifier`` or ``LGBMRegressor`` with defaults."""
        import lightgbm

        cls = lightgbm.LGBMClassifier if ctx.classification else lightgbm.LGBMRegressor
        self._fit_model(cls(random_state=ctx.seed, n_jobs=ctx.n_jobs, verbose=-1), X, y)


@dataclass
class CatBoost(_Encoded):
    """CatBoost with its defaults (1,000 trees, on the same ordinal table as LightGBM's)."""

    requires: tuple[str, ...] = ("catboost",)

    def fit(self, X: pd.DataFrame, y: pd.Series, ctx: FitContext) -> None:
        """Fit ``CatBoostClassifier`` or ``CatBoostRegressor`` with defaults."""
        import catboost

        cls = catboost.CatBoostClassifier if ctx.classification else catboost.CatBoostRegressor
        model = cls(
            random_seed=ctx.seed, thread_count=ctx.n_jobs, verbose=0, allow_writing_files=False
        )
        self._fit_model(model, X, y)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predict with the fitted model (CatBoost gives multiclass labels as a column)."""
        return np.ravel(super().predict(X))


@dataclass
class XGBoost(_Encoded):
    """XGBoost with its defaults; class labels are encoded as 0..K-1, as it requires."""

    requires: tuple[str, ...] = ("xgboost",)

    def fit(self, X: pd.DataFrame, y: pd.Series, ctx: FitContext) -> None:
        """Fit ``XGBClassifier`` or ``XGBRegressor`` with defaults."""
        import xgboost

        if not ctx.classification:
            self._fit_model(xgboost.XGBRegressor(random_state=ctx.seed, n_jobs=ctx.n_jobs), X, y)
            return
        labels, codes = np.unique(np.asarray(y), return_inverse=True)
        model = xgboost.XGBClassifier(random_state=ctx.seed, n_jobs=ctx.n_jobs)
        self._fit_model(model, X, pd.Series(codes, index=y.index))
        self.classes_ = labels

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predict with the fitted model, in the original labels."""
        predictions = super().predict(X)
        return predictions if self.classes_ is None else self.classes_[predictions]


def _forest(ctx: FitContext, **params: Any) -> Any:
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    cls = RandomForestClassifier if ctx.classification else RandomForestRegressor
    return cls(random_state=ctx.seed, n_jobs=ctx.n_jobs, **params)


class RandomForest(_Encoded):
    """Scikit-learn random forest with 500 trees, as the AMLB's ``RandomForest``."""

    def fit(self, X: pd.DataFrame, y: pd.Series, ctx: FitContext) -> None:
        """Fit 500 trees with scikit-learn's other defaults."""
        self._fit_model(_forest(ctx, n_estimators=RF_TREES), X, y)


class TunedRandomForest(_Encoded):
    """The AMLB's ``TunedRandomForest``: tune ``max_features``, then fit 500 trees.

    Candidates are ``sqrt(p)`` first, then up to 5 values in ``[1, sqrt(p))`` and up to 5 in
    ``(sqrt(p), p]`` (``p`` features), as the AMLB. Each is scored by the out-of-bag benchmark
    metric of a 100-tree forest while half the budget lasts and the next fit is expected to
    fit in it; the best value then grows a forest to 500 trees, 50 at a time, while the
    budget allows.
    """

    tuning_trees: int = 100
    tuning_share: float = 0.5
    step: int = 50

    def fit(self, X: pd.DataFrame, y: pd.Series, ctx: FitContext) -> None:
        """Tune ``max_features`` by OOB score and fit the final forest."""
        from benchmarks.metrics import score_predictions

        start = time.monotonic()
        self.encoding_ = OrdinalTable().fit(X)
        Xn, yn = self.encoding_.transform(X), np.asarray(y)
        scores: dict[int, float] = {}
        self.trace_, best, last_fit = [], None, 0.0
        for value in max_features_grid(Xn.shape[1]):
            elapsed = time.monotonic() - start
            if scores and elapsed + last_fit > self.tuning_share * ctx.budget:
                break
            tic = time.monotonic()
            forest = _forest(ctx, n_estimators=self.tuning_trees, max_features=value)
            forest.set_params(oob_score=True, bootstrap=True)
            forest.fit(Xn, yn)
            last_fit = time.monotonic() - tic
            oob = forest.oob_decision_function_ if ctx.classification else forest.oob_prediction_
            score = _oob_score(oob, yn, forest, ctx, score_predictions)
            scores[value] = score
            if np.isfinite(score) and (best is None or _better(score, best[1], ctx.metric)):
                best = (value, score)
            if best is not None:
                self.trace_.append([time.monotonic() - start, float(best[1])])
        chosen = best[0] if best is not None else max_features_grid(Xn.shape[1])[0]
        self.n_trials_ = len(scores)
        self.extra_ = {"max_features": int(chosen), "tuning_scores": scores}
        self.model_ = _forest(ctx, n_estimators=self.step, max_features=chosen, warm_start=True)
        while True:
            tic = time.monotonic()
            self.model_.fit(Xn, yn)
            spent = time.monotonic() - tic
            done = self.model_.n_estimators >= RF_TREES
            if done or time.monotonic() - start + spent > ctx.budget:
                break
            self.model_.set_params(n_estimators=self.model_.n_estimators + self.step)
        self.classes_ = getattr(self.model_, "classes_", None)


def max_features_grid(n_features: int) -> list[int]:
    """The AMLB's ``max_features`` candidates: ``sqrt(p)``, 5 below it, 5 above it."""
    default = max(1, int(np.sqrt(n_features)))
    below = sorted({int(v) for v in np.linspace(1, default, 6)})[:-1]
    above = sorted({int(v) for v in np.linspace(default, n_features, 11 - len(below))})[1:]
    grid = [default] + [v for v in below if v != default] + above
    return list(dict.fromkeys(grid))


def _better(a: float, b: float, metric: str) -> bool:
    from benchmarks.metrics import higher_is_better

    return a > b if higher_is_better(metric) else a < b


def _oob_score(oob: np.ndarray, y: np.ndarray, forest: Any, ctx: FitContext, scorer: Any) -> float:
    seen = np.all(np.isfinite(oob), axis=1) if oob.ndim == 2 else np.isfinite(oob)
    if ctx.classification:
        seen &= oob.sum(axis=1) > 0
    if seen.sum() < 2:
        return float("nan")
    classes = getattr(forest, "classes_", None)
    proba = oob[seen] if ctx.classification else None
    pred = classes[np.argmax(oob[seen], axis=1)] if ctx.classification else oob[seen]
    try:
        return scorer(ctx.metric, y[seen], pred, proba, classes)
    except ValueError:
        return float("nan")


def _require(*modules: str) -> None:
    for name in modules:
        if importlib.util.find_spec(name.split(".")[0]) is None:
            raise NotInstalledError(
                f"{name} is not installed; install it to benchmark it (e.g. pip install "
                f"'automl-kb[peers]' for flaml)."
            )


def installed_message(system: System) -> str | None:
    """Return why ``system`` cannot run here (a missing library), or None."""
    try:
        _require(*system.requires)
    except NotInstalledError as exc:
        return str(exc)
    return None


# The automl and peer systems live in benchmarks.peers; imported lazily to keep this light.
def _lazy(module: str, name: str, **kwargs: Any) -> Callable[[], System]:
    def factory() -> System:
        cls = getattr(importlib.import_module(module), name)
        return cls(**kwargs)

    return factory


BUILTIN_SYSTEMS: dict[str, Callable[[], System]] = {
    "automl": _lazy("benchmarks.peers", "AutoMLSystem"),
    "automl-cold": _lazy("benchmarks.peers", "AutoMLSystem", params={"warm_start": False}),
    "automl-random": _lazy("benchmarks.peers", "AutoMLSystem", params={"optimizer": "random"}),
    "automl-loo": _lazy("benchmarks.peers", "AutoMLSystem", params={"leave_one_out": True}),
    "automl-loo-smac-sh": _lazy(
        "benchmarks.peers",
        "AutoMLSystem",
        params={"leave_one_out": True, "optimizer": "smac-halving"},
    ),
    "constant": Constant,
    "lightgbm": LightGBM,
    "catboost": CatBoost,
    "xgboost": XGBoost,
    "random-forest": RandomForest,
    "tuned-random-forest": TunedRandomForest,
    "flaml": _lazy("benchmarks.peers", "FLAMLSystem"),
    "autogluon": _lazy("benchmarks.peers", "AutoGluonSystem"),
}


def _plugin_systems() -> dict[str, Callable[[], System]]:
    found: dict[str, Callable[[], System]] = {}
    for module_name in filter(None, os.environ.get(PLUGIN_ENV, "").split(",")):
        module = importlib.import_module(module_name.strip())
        found.update(getattr(module, "SYSTEMS", {}))
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry.name, entry.load())
    return found


def system_names() -> list[str]:
    """Names of all systems: built-in ones, then plug-ins."""
    return list(BUILTIN_SYSTEMS) + [n for n in _plugin_systems() if n not in BUILTIN_SYSTEMS]


def get_system(name: str) -> System:
    """Build a fresh system by name.

    Raises
    ------
    ValueError
        If no built-in or plug-in system has this name.
    """
    factory = BUILTIN_SYSTEMS.get(name) or _plugin_systems().get(name)
    if factory is None:
        raise ValueError(f"Unknown system {name!r}; known systems: {', '.join(system_names())}.")
    return factory()


def check_system_names(names: list[str]) -> None:
    """Raise a ValueError naming every unknown system in ``names``."""
    known = set(system_names())
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(
            f"Unknown system(s) {', '.join(unknown)}; known systems: {', '.join(sorted(known))}."
        )
