"""A human in the loop: the user's own starting configurations, a narrowed search space and
excluded preprocessing steps, checked against the CASH space before any trial runs.

Three estimator parameters steer a search (``steer`` reads them in ``fit``):

- ``search_space``: ``{hyperparameter: value}`` where a pair ``(low, high)`` narrows a numeric
  range, a scalar fixes the value, and a list restricts a categorical one's choices;
- ``exclude_preprocessing``: names of preprocessing steps or choices never to use
  (``"feature_selection"``, ``"rescaling"``, ``"quantile"``, ``"one_hot"``, ``"imputation:mean"``);
- ``initial_configurations``: the user's configurations, completed with the (narrowed) space's
  defaults, run first (origin ``"user"``).

The narrowed space is the one the optimiser samples from, and the one the warm start is
translated into: ``automl._space.translate`` clips a number of the original range into the
narrowed one and drops a configuration whose category was excluded (``NARROWED``).
"""

from __future__ import annotations

import difflib
import json
import math
import numbers
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
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
)

from automl._columns import ColumnTypes
from automl._space import NARROWED, _fitted, build_space, config_key, translate
from automl._task import Task
from automl.components import COMPONENTS, DataShape

#: The options a steering file (``automl fit --config``) may hold: the estimator's parameters.
STEERING_OPTIONS = ("models", "search_space", "initial_configurations", "exclude_preprocessing")


class SteeringError(ValueError):
    """A steering option names a key or value the search space does not have."""


@dataclass
class Steered:
    """The space a search samples from, and the user's configurations to run first."""

    space: ConfigurationSpace
    initial: list[Configuration] = field(default_factory=list)


def steer(
    space: ConfigurationSpace,
    task: Task,
    *,
    seed: int,
    search_space: Mapping[str, Any] | None = None,
    initial_configurations: Sequence[Mapping[str, Any]] | None = None,
    exclude_preprocessing: Sequence[str] | str | None = None,
) -> Steered:
    """``space`` narrowed by ``search_space`` and ``exclude_preprocessing``, and the user's
    ``initial_configurations`` as configurations of it; a ``SteeringError`` names the first
    bad key or value. Without any of the three, ``space`` itself."""
    if search_space is None and initial_configurations is None and exclude_preprocessing is None:
        return Steered(space)
    universe, original = _universe(task), space
    narrowing = _narrowing(search_space, exclude_preprocessing, space, universe, task)
    if narrowing:
        space = _narrowed(space, narrowing, seed)
    initial = _user_configurations(initial_configurations, space, original, universe, task)
    return Steered(space, initial)


def boxed(
    space: ConfigurationSpace,
    box: Mapping[str, tuple],
    keep: Sequence[Configuration],
    seed: int,
) -> ConfigurationSpace:
    """``space`` with each numeric range of ``box`` (name -> (low, high), learned from the
    knowledge base) taken in, widened to hold every configuration of ``keep`` and never past
    ``space``'s own bounds; ``space`` itself if nothing narrows."""
    narrowing: dict[str, Any] = {}
    for name, (low, high) in box.items():
        hp = space.get(name)
        if not isinstance(hp, NumericalHyperparameter):
            continue
        values = [c[name] for c in keep if c.get(name) is not None]
        low, high = min([low, *values]), max([high, *values])
        if isinstance(hp, IntegerHyperparameter):
            low, high = math.floor(low), math.ceil(high)
        low, high = max(low, hp.lower), min(high, hp.upper)
        if low >= high or (low <= hp.lower and high >= hp.upper):
            continue
        narrowing[name] = _narrowed_hyperparameter(f"box[{name!r}]", hp, (low, high))
    return _narrowed(space, narrowing, seed) if narrowing else space


def user_first(
    user: list[Configuration], initial: list[Configuration], origins: dict[tuple, str]
) -> tuple[list[Configuration], dict[tuple, str]]:
    """The user's configurations before the warm start's, with the origin ``"user"``."""
    return [*user, *initial], {**origins, **{config_key(c): "user" for c in user}}


# ------------------------------------------------------------------------------ the space
def _universe(task: Task) -> dict[str, Any]:
    """Every hyperparameter a space for ``task`` can hold: all families serving it and every
    preprocessing choice (whatever this data's size and column types)."""
    probe = build_space(task, DataShape(2, 1, 2), ColumnTypes(("x",), (True,)))
    return dict(probe.items())


def _family_of(name: str) -> str | None:
    prefix = name.split(":", 1)[0]
    return prefix if prefix in {c.name for c in COMPONENTS} else None


def _unknown_key(what: str, key: str, universe: dict[str, Any], task: Task) -> SteeringError:
    """The error for a key no space for ``task`` holds, with the closest known keys."""
    family = _family_of(key)
    if ":" not in key and key in {c.name for c in COMPONENTS}:
        return SteeringError(f"{what}: {key!r} is a model family, not a hyperparameter.")
    if family is not None and not any(k.startswith(family + ":") for k in universe):
        return SteeringError(
            f"{what}: model family {family!r} is not offered for {task.value} tasks."
        )
    if family is not None:
        known = sorted(k for k in universe if k.startswith(family + ":"))
        hint = _closest(key, known)
        return SteeringError(
            f"{what}: {key!r} is not a hyperparameter of {family}{hint}; its hyperparameters: "
            f"{known}."
        )
    prefix = key.split(":", 1)[0]
    if ":" in key and prefix not in _preprocessing_steps(universe):
        families = [c.name for c in COMPONENTS]
        return SteeringError(
            f"{what}: {key!r}: unknown model family or preprocessing step {prefix!r}; "
            f"families: {families}; preprocessing: {sorted(_preprocessing_keys(universe))}."
        )
    known = sorted(_preprocessing_keys(universe))
    return SteeringError(
        f"{what}: unknown hyperparameter {key!r}{_closest(key, known)}; keys are "
        f"'family:hyperparameter' (e.g. 'lightgbm:num_leaves') or a preprocessing one: {known}."
    )


def _closest(key: str, known: list[str]) -> str:
    near = difflib.get_close_matches(key, known, n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


def _preprocessing_keys(universe: dict[str, Any]) -> list[str]:
    return [k for k in universe if k != "model" and _family_of(k) is None]


def _preprocessing_steps(universe: dict[str, Any]) -> set[str]:
    return {k.split(":", 1)[0] for k in _preprocessing_keys(universe)}


def _narrowing(
    search_space, exclude_preprocessing, space: ConfigurationSpace, universe, task: Task
) -> dict[str, Any]:
    """The new hyperparameter of each name ``search_space`` and ``exclude_preprocessing``
    narrow in ``space`` (entries for families or steps this space lacks are checked against
    ``universe`` and then left out)."""
    if search_space is None:
        search_space = {}
    if not isinstance(search_space, Mapping):
        raise SteeringError(
            "`search_space` must be a dict {hyperparameter: (low, high), value or [choices]}, "
            f"got {type(search_space).__name__}."
        )
    narrowing: dict[str, Any] = {}
    for key, value in search_space.items():
        what = f"search_space[{key!r}]"
        if key == "model":
            raise SteeringError(f"{what}: restrict the model families with `models=` instead.")
        if not isinstance(key, str) or key not in universe:
            raise _unknown_key(what, str(key), universe, task)
        hp = _narrowed_hyperparameter(what, universe[key], value)
        if key in space:
            narrowing[key] = hp
    for key, choices in _exclusions(exclude_preprocessing, universe).items():
        if key not in space:
            continue  # e.g. an encoding on a table without categorical columns
        hp = narrowing.get(key, space[key])
        kept = [c for c in hp.choices if c not in choices]
        if not kept:
            given = sorted(str(c) for c in choices)
            raise SteeringError(
                f"exclude_preprocessing: excluding {given} leaves no choice of {key!r} "
                f"(choices {list(hp.choices)})."
            )
        if len(kept) < len(hp.choices):
            default = hp.default_value if hp.default_value in kept else kept[0]
            narrowing[key] = Categorical(key, kept, default=default)
    return narrowing


def _narrowed_hyperparameter(what: str, hp, value):
    """``hp`` narrowed to ``value``: a range (a pair), a fixed value, or a list of choices."""
    if isinstance(hp, NumericalHyperparameter):
        if isinstance(value, (str, numbers.Number)):
            return Constant(hp.name, _number_in(what, hp, value))
        if not _is_sequence(value) or len(value) != 2:
            raise SteeringError(
                f"{what}: a numeric hyperparameter takes a value or a range (low, high), got "
                f"{value!r}."
            )
        low, high = (_number_in(what, hp, v) for v in value)
        if low > high:
            raise SteeringError(f"{what}: the range ({low}, {high}) has low > high.")
        if low == high:
            return Constant(hp.name, low)
        cls = Integer if isinstance(hp, IntegerHyperparameter) else Float
        default = min(max(hp.default_value, low), high)
        return cls(hp.name, (low, high), default=default, log=hp.log)
    if isinstance(hp, CategoricalHyperparameter):
        values = list(value) if _is_sequence(value) else [value]
        if not values:
            raise SteeringError(f"{what}: an empty list of choices.")
        chosen = {_choice_in(what, hp, v) for v in values}
        kept = [c for c in hp.choices if c in chosen]
        default = hp.default_value if hp.default_value in kept else kept[0]
        return Categorical(hp.name, kept, default=default)
    if isinstance(hp, Constant):
        if not _fitted(hp, value)[0]:
            raise SteeringError(f"{what}: {value!r} is not its only value {hp.value!r}.")
        return hp
    raise SteeringError(f"{what}: {type(hp).__name__} hyperparameters cannot be narrowed.")


def _is_sequence(value) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


def _number_in(what: str, hp, value) -> int | float:
    """``value`` as a value of the numeric ``hp``, or a ``SteeringError`` saying why not."""
    if isinstance(value, str):  # YAML 1.1 reads 1e-3 as a string
        try:
            value = float(value)
        except ValueError:
            raise SteeringError(f"{what}: {value!r} is not a number.") from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise SteeringError(f"{what}: {value!r} is not a number.")
    integer = isinstance(hp, IntegerHyperparameter)
    if integer and value != int(value):
        raise SteeringError(f"{what}: {value!r} is not an integer ({hp.name} is integer).")
    legal, fitted = _fitted(hp, value)
    if not legal:
        raise SteeringError(f"{what}: {value!r} is outside its range [{hp.lower}, {hp.upper}].")
    return fitted


def _choice_in(what: str, hp, value):
    if value in hp.choices:
        return value
    if str(value) in hp.choices:  # True for "True": ConfigSpace's booleans are strings
        return str(value)
    raise SteeringError(f"{what}: {value!r} is not one of its choices {list(hp.choices)}.")


def _exclusions(names, universe) -> dict[str, set]:
    """``exclude_preprocessing``'s names as the choices to remove from each preprocessing
    hyperparameter: a step's name (``rescaling``, ``feature_selection``) leaves only "none",
    a choice's name (``quantile``; ``step:choice`` where it is ambiguous) removes it."""
    if names is None:
        return {}
    if isinstance(names, str):
        names = (names,)
    if not _is_sequence(names):
        raise SteeringError(
            "`exclude_preprocessing` must be a list of step or choice names (e.g. "
            f"('feature_selection', 'quantile')), got {type(names).__name__}."
        )
    choices = {
        k: hp.choices
        for k, hp in universe.items()
        if k in _preprocessing_keys(universe) and isinstance(hp, CategoricalHyperparameter)
    }
    by_step = {k.split(":", 1)[0]: k for k in choices}
    bare: dict[str, list[str]] = {}
    for key, options in choices.items():
        for choice in options:
            bare.setdefault(str(choice), []).append(key)
    out: dict[str, set] = {}
    for name in names:
        what = f"exclude_preprocessing: {name!r}"
        if not isinstance(name, str):
            raise SteeringError(f"{what} is not a name.")
        step, _, choice = name.partition(":")
        if not choice and step in by_step:
            key = by_step[step]
            if "none" not in choices[key]:
                raise SteeringError(
                    f"{what}: every pipeline has this step; exclude some of its choices "
                    f"instead ({[f'{step}:{c}' for c in choices[key]]})."
                )
            out.setdefault(key, set()).update(c for c in choices[key] if c != "none")
        elif choice and step in by_step and choice in map(str, choices[by_step[step]]):
            out.setdefault(by_step[step], set()).add(choice)
        elif not choice and len(bare.get(name, [])) == 1:
            out.setdefault(bare[name][0], set()).add(name)
        elif not choice and name in bare:
            options = [f"{k.split(':', 1)[0]}:{name}" for k in bare[name]]
            raise SteeringError(f"{what} is ambiguous; write one of {options}.")
        else:
            known = sorted(set(by_step) | {n for n, keys in bare.items() if len(keys) == 1})
            raise SteeringError(
                f"{what} is not a preprocessing step or choice{_closest(name, known)}; "
                f"known: {known} (or 'step:choice')."
            )
    return out


def _narrowed(space: ConfigurationSpace, narrowing: dict[str, Any], seed: int):
    """A copy of ``space`` with the hyperparameters of ``narrowing`` replaced, conditions kept
    where they can still hold (the children of a choice no longer offered are left out), and
    the original ranges in ``meta`` (``NARROWED``) for ``translate``."""
    new: dict[str, Any] = {}
    conditions = []
    for name, hp in space.items():  # parents before children
        hp = narrowing.get(name, hp)
        kept = [_condition(c, new, hp) for c in space.parent_conditions_of[name]]
        if all(c is not None for c in kept):
            new[name] = hp
            conditions.extend(kept)
    earlier = (space.meta or {}).get(NARROWED, {})  # a second narrowing keeps the first's
    original = {name: _describe(space[name]) for name in narrowing} | earlier
    cs = ConfigurationSpace(seed=seed, meta={**(space.meta or {}), NARROWED: original})
    cs.add(list(new.values()))
    cs.add(conditions)
    return cs


def _condition(cond, new: dict[str, Any], child):
    """``cond`` from a parent of ``new`` to ``child``, or None if it can no longer hold."""
    parent = new.get(cond.parent.name)
    if parent is None:
        return None
    offered = parent.choices if isinstance(parent, CategoricalHyperparameter) else None
    if isinstance(cond, EqualsCondition):
        if offered is not None and cond.value not in offered:
            return None
        return EqualsCondition(child, parent, cond.value)
    if isinstance(cond, InCondition):
        values = [v for v in cond.values if offered is None or v in offered]
        return InCondition(child, parent, values) if values else None
    raise SteeringError(f"cannot narrow a space with a {type(cond).__name__}.")


def _describe(hp) -> dict[str, Any]:
    if isinstance(hp, NumericalHyperparameter):
        integer = isinstance(hp, IntegerHyperparameter)
        cast = int if integer else float
        return {
            "lower": cast(hp.lower),
            "upper": cast(hp.upper),
            "log": bool(hp.log),
            "integer": integer,
        }
    return {"choices": [c.item() if hasattr(c, "item") else c for c in hp.choices]}


# ------------------------------------------------------------- the user's configurations
def _user_configurations(configs, space, original, universe, task: Task):
    """Each of ``configs`` checked against ``space`` (``original`` narrowed) and completed
    with its defaults."""
    if configs is None:
        return []
    if isinstance(configs, Mapping) or not _is_sequence(configs):
        hint = " (wrap it in a list)" if isinstance(configs, Mapping) else ""
        raise SteeringError(
            "`initial_configurations` must be a list of configurations (dicts such as "
            f"{{'model': 'lightgbm', 'lightgbm:num_leaves': 31}}), got "
            f"{type(configs).__name__}{hint}."
        )
    return [
        _user_configuration(f"initial_configurations[{i}]", c, space, original, universe, task)
        for i, c in enumerate(configs)
    ]


def _user_configuration(what: str, config, space, original, universe, task) -> Configuration:
    if not isinstance(config, Mapping):
        raise SteeringError(f"{what}: a configuration is a dict, got {type(config).__name__}.")
    model = _model_of(what, config, space, task)
    values: dict[str, Any] = {"model": model}
    for key, value in config.items():
        if key == "model":
            continue
        where = f"{what}[{key!r}]"
        if not isinstance(key, str) or key not in universe:
            raise _unknown_key(where, str(key), universe, task)
        family = _family_of(key)
        if family is not None and family != model:
            raise SteeringError(f"{where}: a hyperparameter of {family}, not of {model}.")
        value = _check_value(where, universe[key], value)
        if key in space:
            values[key] = _check_value(where, universe[key], value, space[key])
        elif key in original:
            raise SteeringError(
                f"{where}: left out of the space by exclude_preprocessing or search_space."
            )
        else:
            _ignored(where, "this fit's space has no such step (for its data and models)")
    config_values, why = translate(values, space, project=False)
    if config_values is None:
        raise SteeringError(f"{what}: not a configuration of the search space: {why}.")
    active = dict(config_values)
    for key in values:
        if key not in active:
            _ignored(f"{what}[{key!r}]", f"it does not apply to this configuration of {model}")
    return config_values


def _model_of(what: str, config, space, task: Task) -> str:
    """The configuration's model: given, or the one family its keys name."""
    model = config.get("model")
    if model is None:
        families = sorted({f for k in config if (f := _family_of(str(k))) is not None})
        if len(families) != 1:
            which = f"hyperparameters of {families}" if families else "no family's hyperparameters"
            raise SteeringError(
                f"{what}: no 'model' given and it has {which}; add e.g. 'model': 'lightgbm'."
            )
        model = families[0]
    families = [c.name for c in COMPONENTS]
    if model not in families:
        raise SteeringError(
            f"{what}: unknown model family {model!r}{_closest(str(model), families)}; "
            f"known: {families}."
        )
    if model not in space["model"].choices:
        searched = list(space["model"].choices)
        raise SteeringError(
            f"{what}: model family {model!r} is not searched in this fit (for this task and "
            f"data, and `models=`): {searched}."
        )
    return model


def _check_value(what: str, original, value, narrowed=None):
    """``value`` as ``narrowed`` (the fit's, maybe narrowed, hyperparameter) holds it, with an
    error that says whether it lies outside the space or outside what the user narrowed."""
    if isinstance(original, NumericalHyperparameter):
        value = _number_in(what, original, value)
    elif isinstance(original, CategoricalHyperparameter):
        value = _choice_in(what, original, value)
    if narrowed is None or narrowed is original:
        return value
    legal, fitted = _fitted(narrowed, value)
    if legal:
        return fitted
    if isinstance(narrowed, Constant):
        allowed = f"the value {narrowed.value!r}"
    elif isinstance(narrowed, CategoricalHyperparameter):
        allowed = f"the choices {list(narrowed.choices)}"
    else:
        allowed = f"the range [{narrowed.lower}, {narrowed.upper}]"
    raise SteeringError(
        f"{what}: {value!r} is outside {allowed} that search_space or exclude_preprocessing left."
    )


def _ignored(what: str, why: str) -> None:
    warnings.warn(f"{what} is ignored: {why}.", UserWarning, stacklevel=5)


# ------------------------------------------------------------------------ steering files
def read_steering_file(path: str | Path) -> dict[str, Any]:
    """The steering options of a YAML or JSON file (``automl fit --config``), as estimator
    parameters: ``models``, ``search_space``, ``initial_configurations``,
    ``exclude_preprocessing``. Their values are checked when the estimator fits."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such steering file: {path}")
    text = path.read_text()
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:  # YAML reads JSON too
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:  # the parsers' own errors say where
        raise SteeringError(
            f"{path}: not valid {path.suffix.lstrip('.') or 'YAML'}: {exc}"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise SteeringError(
            f"{path}: the file must hold a mapping of options {list(STEERING_OPTIONS)}, "
            f"got {type(data).__name__}."
        )
    unknown = [k for k in data if k not in STEERING_OPTIONS]
    if unknown:
        raise SteeringError(
            f"{path}: unknown option {unknown[0]!r}{_closest(str(unknown[0]), list(STEERING_OPTIONS))}; "
            f"options: {list(STEERING_OPTIONS)}."
        )
    params: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        if key in ("models", "exclude_preprocessing"):
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise SteeringError(f"{path}: {key!r} must be a list of names, got {value!r}.")
            params[key] = tuple(names)
        elif key == "search_space":
            if not isinstance(value, Mapping):
                raise SteeringError(
                    f"{path}: 'search_space' must be a mapping of hyperparameters, got "
                    f"{type(value).__name__}."
                )
            params[key] = dict(value)
        else:
            if not isinstance(value, list) or not all(isinstance(c, Mapping) for c in value):
                raise SteeringError(
                    f"{path}: 'initial_configurations' must be a list of mappings, got {value!r}."
                )
            params[key] = [dict(c) for c in value]
    return params
