"""Translate the hyperparameters of an OpenML scikit-learn setup into the space v1.

A setup's parameters (``openml.setups.OpenMLParameter``: ``flow_name``, ``parameter_name``,
``value`` as JSON text) are grouped by component class, the last dotted part of the component
flow's name (``sklearn.ensemble._forest.RandomForestClassifier`` -> ``RandomForestClassifier``).
Exactly one model class must be recognised (``MODEL_CLASSES``); preprocessing components map to
the space's imputation, encoding, rescaling and percentile selection; structural ones
(``Pipeline``, ``ColumnTransformer``, ``VarianceThreshold``) are ignored; any other component
makes the setup untranslatable. Hyperparameters with no counterpart must be at the value that
the space implies (e.g. ``max_depth=None`` for forests, ``class_weight=None``), otherwise the
setup is skipped with the reason; settings of the training procedure (number of trees,
``n_jobs``, ``random_state``, tolerances) are ignored.

Values are written as the setup has them (a penalty of 0 as 0): the importer knows the space's
vocabulary, not its ranges. Whether they lie in the space is decided where a stored
configuration is read, by ``automl._space.translate``. Which families rescale or take
categoricals natively comes from :mod:`knowledge_base.space`.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from knowledge_base.importers._common import (
    count_to_exponent,
    finite_number,
    fraction_to_exponent,
)
from knowledge_base.space import NATIVE_CATEGORICAL, NEEDS_SCALING

MODEL_CLASSES = {
    "RandomForestClassifier": "random_forest",
    "ExtraTreesClassifier": "extra_trees",
    "AdaBoostClassifier": "adaboost",
    "HistGradientBoostingClassifier": "gradient_boosting",
    "KNeighborsClassifier": "k_nearest_neighbors",
    "SVC": "libsvm_svc",
    "MLPClassifier": "mlp",
    "LGBMClassifier": "lightgbm",
    "LogisticRegression": "linear",
}
IGNORED = ("Pipeline", "ColumnTransformer", "VarianceThreshold", "DecisionTreeClassifier")
_IMPUTERS = ("SimpleImputer", "Imputer")
_ENCODERS = {"OneHotEncoder": "one_hot", "OrdinalEncoder": "ordinal"}
_SCALERS = {"StandardScaler", "MinMaxScaler", "RobustScaler", "QuantileTransformer"}
_KNOWN = {*MODEL_CLASSES, *IGNORED, *_IMPUTERS, *_ENCODERS, *_SCALERS, "SelectPercentile"}


class Untranslatable(Exception):
    """A setup the space v1 cannot express; the message is the ``skipped`` reason."""


def component_class(flow_name: str) -> str:
    """``"sklearn.svm._classes.SVC"`` -> ``"SVC"`` (the name up to any ``(`` of a pipeline)."""
    return flow_name.split("(", 1)[0].rsplit(".", 1)[-1]


def parse_value(text: Any) -> Any:
    """An OpenML parameter value (JSON text such as ``'"gini"'``, ``'null'``, ``'0.5'``)."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except (json.JSONDecodeError, ValueError):
        return text


def translate_setup(
    parameters: Iterable[Any], *, n_features: float | None
) -> tuple[dict[str, Any] | None, str, Counter[str]]:
    """The space-v1 configuration of a scikit-learn setup (classification).

    Parameters
    ----------
    parameters : iterable of OpenMLParameter-like
        Objects with ``flow_name``, ``parameter_name`` and ``value``.
    n_features : float or None
        Input width of the dataset (OpenML ``NumberOfFeatures - 1``), needed when a forest's
        ``max_features`` is a fraction, a count or ``"log2"``.

    Returns
    -------
    config, reason, notes
        The configuration (or None), why not ("" if translated), and notes such as
        ``"adaboost:algorithm=SAMME.R"``.
    """
    components: dict[str, dict[str, Any]] = defaultdict(dict)
    for p in parameters:
        components[component_class(str(p.flow_name))][str(p.parameter_name)] = parse_value(p.value)
    notes: Counter[str] = Counter()
    try:
        config = _translate(components, n_features, notes)
    except Untranslatable as exc:
        return None, str(exc), Counter()
    return config, "", notes


def _translate(components: dict, n_features: float | None, notes: Counter) -> dict[str, Any]:
    models = [c for c in components if c in MODEL_CLASSES]
    if len(models) != 1:
        names = ",".join(sorted(models)) or "none of " + ",".join(sorted(components))[:80]
        raise Untranslatable(f"model: {names}")
    cls = models[0]
    model = MODEL_CLASSES[cls]
    unknown = sorted(c for c in components if c not in _KNOWN)
    if unknown:
        raise Untranslatable(f"component:{unknown[0]}")
    params = components[cls]
    if params.get("class_weight") is not None:
        raise Untranslatable(f"{model}:class_weight")
    out: dict[str, Any] = {"model": model}
    out.update(_imputation(components))
    out.update(_encoding(components, model))
    out.update(_scaling(components, model))
    out.update(_selection(components))
    values = _MODELS[model](_Params(params, model), components, n_features, notes)
    out.update({f"{model}:{k}": v for k, v in values.items()})
    return out


def _imputation(components: dict) -> dict[str, Any]:
    strategies = {components[c].get("strategy", "mean") for c in _IMPUTERS if c in components}
    if not strategies:
        return {}
    usable = strategies & {"mean", "median", "most_frequent"}
    if len(usable) != 1:
        raise Untranslatable(f"imputation:{'/'.join(sorted(map(str, strategies)))}")
    return {"imputation:strategy": usable.pop()}


def _encoding(components: dict, model: str) -> dict[str, Any]:
    found = [enc for cls, enc in _ENCODERS.items() if cls in components]
    if model in NATIVE_CATEGORICAL or not found:
        return {}
    if len(found) > 1:
        raise Untranslatable("categorical_encoding: several encoders")
    return {"categorical_encoding:__choice__": found[0]}


def _scaling(components: dict, model: str) -> dict[str, Any]:
    found = [c for c in _SCALERS if c in components]
    if len(found) > 1:
        raise Untranslatable("rescaling: several scalers")
    if model not in NEEDS_SCALING:
        return {}
    if not found:
        return {"rescaling:__choice__": "none"}
    cls, p = found[0], components[found[0]]
    if cls == "StandardScaler" and p.get("with_mean", True) and p.get("with_std", True):
        return {"rescaling:__choice__": "standard"}
    if cls == "MinMaxScaler" and list(p.get("feature_range", [0, 1])) == [0, 1]:
        return {"rescaling:__choice__": "minmax"}
    default_range = list(p.get("quantile_range", [25.0, 75.0])) == [25.0, 75.0]
    centred = p.get("with_centering", True) and p.get("with_scaling", True)
    if cls == "RobustScaler" and default_range and centred:
        return {"rescaling:__choice__": "robust"}
    if cls == "QuantileTransformer" and p.get("output_distribution") == "normal":
        return {"rescaling:__choice__": "quantile"}
    raise Untranslatable(f"rescaling:{cls} settings")


def _selection(components: dict) -> dict[str, Any]:
    if "SelectPercentile" not in components:
        return {"feature_selection:__choice__": "none"}
    p = components["SelectPercentile"]
    score = json.dumps(p.get("score_func"))
    if "f_classif" not in score:
        raise Untranslatable("feature_selection: score function other than f_classif")
    return {
        "feature_selection:__choice__": "percentile",
        "feature_selection:percentile": _Params(p, "feature_selection").number("percentile", 10),
    }


class _Params:
    """Typed access to a component's parameters (the space's ranges are not checked here)."""

    def __init__(self, params: dict[str, Any], model: str):
        self.params, self.model = params, model

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    def number(self, name: str, default: Any = None, integer: bool = False) -> float | int:
        """A finite number (``integer``: rounded to an int), as the setup has it."""
        value = self.params.get(name, default)
        number = finite_number(value) if isinstance(value, (int, float)) else None
        if number is None:
            raise Untranslatable(f"{self.model}:{name}={value}")
        return round(number) if integer else number

    def choice(self, name: str, choices: dict[Any, Any], default: Any = None) -> Any:
        value = self.params.get(name, default)
        key = value if not isinstance(value, list) else tuple(value)
        if key not in choices:
            raise Untranslatable(f"{self.model}:{name}={value}")
        return choices[key]

    def require(self, name: str, allowed: tuple, default: Any = None) -> None:
        if self.params.get(name, default) not in allowed:
            raise Untranslatable(f"{self.model}:{name}={self.params.get(name, default)}")


def _max_features(p: _Params, n_features: float | None) -> float:
    value = p.get("max_features", "sqrt")
    if value in ("sqrt", "auto"):
        return 0.5
    if value is None or (isinstance(value, float) and value == 1.0):
        return 1.0
    if n_features is None or not math.isfinite(n_features):
        raise Untranslatable(f"{p.model}:max_features={value} needs the number of features")
    if value == "log2":
        count = max(1.0, math.floor(math.log2(n_features))) if n_features > 1 else 1.0
        return float(count_to_exponent(count, n_features))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Untranslatable(f"{p.model}:max_features={value}")
    if isinstance(value, int):
        return float(count_to_exponent(min(value, n_features), n_features))
    if not 0 < value <= 1:  # scikit-learn's fractions
        raise Untranslatable(f"{p.model}:max_features={value}")
    return float(fraction_to_exponent(value, n_features))


def _forest(p: _Params, components: dict, n_features: float | None, notes: Counter) -> dict:
    for name, default in (("max_depth", None), ("max_leaf_nodes", None), ("max_samples", None)):
        p.require(name, (None,), default)
    for name in ("min_weight_fraction_leaf", "min_impurity_decrease", "ccp_alpha"):
        p.require(name, (0, 0.0), 0.0)
    criteria = {"gini": "gini", "entropy": "entropy", "log_loss": "entropy"}
    return {
        "criterion": p.choice("criterion", criteria, "gini"),
        "max_features": _max_features(p, n_features),
        "min_samples_split": p.number("min_samples_split", 2, integer=True),
        "min_samples_leaf": p.number("min_samples_leaf", 1, integer=True),
        "bootstrap": p.choice("bootstrap", {True: "True", False: "False"}, True),
    }


def _adaboost(p: _Params, components: dict, n_features: float | None, notes: Counter) -> dict:
    tree = _Params(components.get("DecisionTreeClassifier", {}), "adaboost:base tree")
    for name, allowed, default in (
        ("criterion", ("gini",), "gini"),
        ("splitter", ("best",), "best"),
        ("max_features", (None,), None),
        ("max_leaf_nodes", (None,), None),
        ("min_samples_split", (2,), 2),
        ("min_samples_leaf", (1,), 1),
        ("class_weight", (None,), None),
    ):
        tree.require(name, allowed, default)
    notes[f"adaboost:algorithm={p.get('algorithm', 'SAMME')}"] += 1
    return {
        "n_estimators": p.number("n_estimators", 50, integer=True),
        "learning_rate": p.number("learning_rate", 1.0),
        "max_depth": tree.number("max_depth", 1, integer=True),
    }


def _hgb(p: _Params, components: dict, n_features: float | None, notes: Counter) -> dict:
    p.require("max_depth", (None,), None)
    p.require("max_bins", (255,), 255)
    return {
        "learning_rate": p.number("learning_rate", 0.1),
        "max_leaf_nodes": p.number("max_leaf_nodes", 31, integer=True),
        "min_samples_leaf": p.number("min_samples_leaf", 20, integer=True),
        "l2_regularization": p.number("l2_regularization", 0.0),
    }


def _knn(p: _Params, components: dict, n_features: float | None, notes: Counter) -> dict:
    metric = p.get("metric", "minkowski")
    if metric == "minkowski":
        distance = p.choice("p", {1: 1, 2: 2}, 2)
    else:
        distance = p.choice("metric", {"euclidean": 2, "manhattan": 1})
    return {
        "n_neighbors": p.number("n_neighbors", 5, integer=True),
        "weights": p.choice("weights", {"uniform": "uniform", "distance": "distance"}, "uniform"),
        "p": distance,
    }


def _svc(p: _Params, components: dict, n_features: float | None, notes: Counter) -> dict:
    p.require("kernel", ("rbf",), "rbf")
    return {
        "C": p.number("C", 1.0),
        "gamma": p.number("gamma", "scale"),
    }


def _mlp(p: _Params, components: dict, n_features: float | None, notes: Counter) -> dict:
    p.require("solver", ("adam",), "adam")
    sizes = p.get("hidden_layer_sizes", [100])
    sizes = [sizes] if isinstance(sizes, int) else list(sizes or [])
    if not sizes or len(set(sizes)) != 1:
        raise Untranslatable(f"mlp:hidden_layer_sizes={sizes}")
    shape = _Params({"depth": len(sizes), "width": sizes[0]}, "mlp")
    return {
        "hidden_layer_depth": shape.number("depth", integer=True),
        "num_nodes_per_layer": shape.number("width", integer=True),
        "activation": p.choice("activation", {"tanh": "tanh", "relu": "relu"}, "relu"),
        "alpha": p.number("alpha", 1e-4),
        "learning_rate_init": p.number("learning_rate_init", 1e-3),
    }


def _lightgbm(p: _Params, components: dict, n_features: float | None, notes: Counter) -> dict:
    p.require("boosting_type", ("gbdt",), "gbdt")
    p.require("max_depth", (-1, None), -1)
    subsample = p.number("subsample", 1.0)
    if p.get("subsample_freq", 0) in (0, None):
        subsample = 1.0  # LightGBM ignores subsample without a bagging frequency
    return {
        "num_leaves": p.number("num_leaves", 31, integer=True),
        "learning_rate": p.number("learning_rate", 0.1),
        "n_estimators": p.number("n_estimators", 100, integer=True),
        "min_child_samples": p.number("min_child_samples", 20, integer=True),
        "colsample_bytree": p.number("colsample_bytree", 1.0),
        "subsample": subsample,
        "reg_alpha": p.number("reg_alpha", 0.0),
        "reg_lambda": p.number("reg_lambda", 0.0),
    }


def _logistic(p: _Params, components: dict, n_features: float | None, notes: Counter) -> dict:
    p.require("penalty", ("l2", "deprecated"), "l2")
    p.require("l1_ratio", (None, 0, 0.0), None)
    return {"C": p.number("C", 1.0)}


_MODELS = {
    "random_forest": _forest,
    "extra_trees": _forest,
    "adaboost": _adaboost,
    "gradient_boosting": _hgb,
    "k_nearest_neighbors": _knn,
    "libsvm_svc": _svc,
    "mlp": _mlp,
    "lightgbm": _lightgbm,
    "linear": _logistic,
}
