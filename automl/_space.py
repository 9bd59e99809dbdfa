"""The joint model-and-hyperparameter (CASH) space, and pipelines built from its configurations."""

from __future__ import annotations

import math
from typing import Any

from ConfigSpace import (
    Categorical,
    Configuration,
    ConfigurationSpace,
    Constant,
    EqualsCondition,
    Float,
    InCondition,
    Integer,
)
from ConfigSpace.hyperparameters import (
    CategoricalHyperparameter,
    IntegerHyperparameter,
    NumericalHyperparameter,
    OrdinalHyperparameter,
)
from sklearn.pipeline import Pipeline

from automl._columns import ColumnTypes
from automl._preprocessing import TablePreprocessor
from automl._task import Task
from automl.components import COMPONENTS, Component, DataShape, component_by_name, deferred
from knowledge_base.space import SPACE_VERSION as SPACE_VERSION  # re-exported

SCALERS = ["none", "standard", "minmax", "robust", "quantile"]
#: How far beyond a bound a stored value may lie and still be that bound: relative (sources
#: print values rounded), and absolute at a bound of 0. Further out it is outside the space.
BOUND_TOLERANCE = 1e-6
#: A log-scaled hyperparameter whose lower bound is at most this is a weight whose lower bound
#: stands for none (a log scale has no 0): a stored 0 is that bound, e.g. an imported LightGBM
#: ``reg_alpha=0`` or scikit-learn MLP ``alpha=0``.
ZERO_LOWER_BOUND = 1e-6
#: Key of a space's ``meta`` under which a space narrowed by ``search_space``
#: (``automl/_steering.py``) keeps the original range of each hyperparameter it narrowed:
#: ``{name: {"lower", "upper", "log", "integer"}}`` or ``{name: {"choices": [...]}}``.
NARROWED = "automl:narrowed"


def available_components(
    task: Task, shape: DataShape, include: tuple[str, ...] | None = None
) -> list[Component]:
    """Families offered for this task and data size (no kernel SVM on 100k rows)."""
    found = [c for c in COMPONENTS if c.available(task, shape)]
    if include is not None:
        unknown = set(include) - {c.name for c in COMPONENTS}
        if unknown:
            raise ValueError(
                f"Unknown model families {sorted(unknown)}; known: {[c.name for c in COMPONENTS]}."
            )
        found = [c for c in found if c.name in include]
        if not found:
            raise ValueError(f"None of the families {list(include)} applies to this data.")
    return found


def build_space(
    task: Task,
    shape: DataShape,
    columns: ColumnTypes,
    *,
    seed: int = 0,
    include: tuple[str, ...] | None = None,
) -> ConfigurationSpace:
    """The CASH space for one dataset: which model, its hyperparameters, its preprocessing."""
    components = available_components(task, shape, include)
    names = [c.name for c in components]
    cs = ConfigurationSpace(seed=seed)
    model = Categorical("model", names, default=names[0])
    cs.add(model)
    for component in components:
        for hp in component.hyperparameters(task, shape):
            hp.name = f"{component.name}:{hp.name}"
            cs.add(hp, EqualsCondition(hp, model, component.name))
    cs.add(
        Categorical("imputation:strategy", ["median", "mean", "most_frequent"], default="median")
    )
    non_native = [c.name for c in components if not c.native_categorical]
    if columns.has_categorical and non_native:
        enc = Categorical(
            "categorical_encoding:__choice__", ["one_hot", "ordinal"], default="one_hot"
        )
        cs.add(enc, _active_for(enc, model, non_native))
    scaled = [c.name for c in components if c.needs_scaling]
    if scaled:
        scale = Categorical("rescaling:__choice__", SCALERS, default="standard")
        cs.add(scale, _active_for(scale, model, scaled))
    selection = Categorical("feature_selection:__choice__", ["none", "percentile"], default="none")
    percentile = Float("feature_selection:percentile", (10.0, 90.0), default=50.0)
    cs.add(selection, percentile, EqualsCondition(percentile, selection, "percentile"))
    return cs


def _active_for(hp, model, families: list[str]):
    if len(families) == 1:
        return EqualsCondition(hp, model, families[0])
    return InCondition(hp, model, families)


def make_pipeline(
    config: dict[str, Any], task: Task, columns: ColumnTypes, *, n_jobs: int = 1, seed: int = 0
) -> Pipeline:
    """An unfitted scikit-learn pipeline for one configuration of the space."""
    component = component_by_name(config["model"])
    prefix = component.name + ":"
    params = {k[len(prefix) :]: v for k, v in config.items() if k.startswith(prefix)}
    if component.native_categorical:
        encoding = "native"
    else:
        encoding = config.get("categorical_encoding:__choice__", "ordinal")
    percentile = None
    if config.get("feature_selection:__choice__") == "percentile":
        percentile = float(config["feature_selection:percentile"])
    prep = TablePreprocessor(
        numeric=tuple(columns.numeric_names),
        categorical=tuple(columns.categorical_names),
        imputation=config.get("imputation:strategy", "median"),
        encoding=encoding,
        scaling=config.get("rescaling:__choice__", "none") if component.needs_scaling else "none",
        percentile=percentile,
        classification=task.is_classification,
    )
    return Pipeline([("prep", prep), ("model", deferred(component, params, task, n_jobs, seed))])


def _fitted(hp, value) -> tuple[bool, Any]:
    """Whether ``value`` is a value of ``hp`` and, if so, as ``hp`` holds it (see ``translate``)."""
    if isinstance(hp, Constant):  # a value search_space fixed
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (value, hp.value)):
            same = math.isclose(value, hp.value, rel_tol=BOUND_TOLERANCE, abs_tol=1e-12)
        else:
            same = value == hp.value or str(value) == str(hp.value)
        return same, hp.value
    if isinstance(hp, NumericalHyperparameter):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False, value
        if value == 0 and getattr(hp, "log", False) and 0 < hp.lower <= ZERO_LOWER_BOUND:
            value = hp.lower
        if not hp.lower <= value <= hp.upper:
            near = [
                bound
                for bound in (hp.lower, hp.upper)
                if math.isclose(value, bound, rel_tol=BOUND_TOLERANCE, abs_tol=1e-12)
            ]
            if not near:  # NaN too
                return False, value
            value = near[0]
        return True, round(value) if isinstance(hp, IntegerHyperparameter) else float(value)
    if isinstance(hp, (CategoricalHyperparameter, OrdinalHyperparameter)):
        return (value in hp.choices if hasattr(hp, "choices") else value in hp.sequence), value
    return True, value


def config_key(config) -> tuple:
    """A hashable identity of a configuration (a dict or a ``Configuration``)."""
    return tuple(sorted(dict(config).items()))


def distinct_configs(configs: list) -> list:
    """``configs`` without repeats, first occurrence kept, order kept."""
    seen, out = set(), []
    for c in configs:
        key = config_key(c)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def translate(
    config: dict[str, Any], space: ConfigurationSpace, *, project: bool = True
) -> tuple[Configuration | None, str]:
    """A knowledge-base configuration as a configuration of ``space``, or None and the reason.

    The one place where a stored configuration meets the space's ranges (the importers write
    values as their sources had them). Keys the space does not know are dropped, missing active
    ones take their defaults. A number beyond a bound by rounding (``BOUND_TOLERANCE``) is
    clipped to it, a 0 of a penalty weight is its lower bound (``ZERO_LOWER_BOUND``), integers
    are rounded; a model the space does not offer or a value out of range makes the
    configuration untranslatable.

    In a space narrowed by ``search_space`` (``NARROWED``), with ``project``, a number within
    the original range but outside the narrowed one is clipped to the narrowed range (a fixed
    value replaces it); a category the narrowing excluded makes the configuration
    untranslatable.
    """
    model = config.get("model")
    if model not in space["model"].choices:
        return None, f"model {model!r} not in this space"
    narrowed = (space.meta or {}).get(NARROWED, {})
    values: dict[str, Any] = {}
    for name, hp in space.items():
        values[name] = config.get(name, hp.default_value)
    for name, value in list(values.items()):
        hp = space[name]
        if isinstance(hp, CategoricalHyperparameter) and value not in hp.choices:
            value = str(value) if str(value) in hp.choices else value
        if isinstance(hp, NumericalHyperparameter) and isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                return None, f"{name}={value!r} is not a number"
        legal, fitted = _fitted(hp, value)
        if not legal and project and name in narrowed:
            legal, fitted = _projected(hp, narrowed[name], value)
            if not legal and "choices" in narrowed[name]:
                return None, f"{name}={value!r} excluded from the narrowed space"
        if not legal:
            return None, f"{name}={value!r} outside the space"
        values[name] = fitted
    active = _active_values(values, space)
    try:
        return Configuration(space, values=active), ""
    except Exception as exc:  # ConfigSpace raises several types for illegal values
        return None, f"not a valid configuration: {exc}"


def _projected(hp, original: dict[str, Any], value) -> tuple[bool, Any]:
    """A value of the original range (``original``, from ``NARROWED``) clipped into the
    narrowed ``hp``; categories the narrowing left out are not projected."""
    if "choices" in original:
        return False, value
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return False, value
    bounds = (original["lower"], original["upper"])
    wider = (Integer if original["integer"] else Float)("wider", bounds, log=original["log"])
    legal, value = _fitted(wider, value)
    if not legal:
        return False, value
    if isinstance(hp, Constant):
        return True, hp.value
    clipped = min(max(value, hp.lower), hp.upper)
    return True, round(clipped) if isinstance(hp, IntegerHyperparameter) else float(clipped)


def _active_values(values: dict[str, Any], space: ConfigurationSpace) -> dict[str, Any]:
    """Drop the values of hyperparameters whose conditions are not met."""
    active = {}
    for name in space:  # topological order: parents before children
        if all(_condition_holds(cond, active) for cond in space.parent_conditions_of[name]):
            active[name] = values[name]
    return active


def _condition_holds(condition, active: dict[str, Any]) -> bool:
    parent = condition.parent.name
    if parent not in active:
        return False
    if isinstance(condition, InCondition):
        return active[parent] in condition.values
    return active[parent] == condition.value
