"""Translate one auto-sklearn configuration (``configurations.csv`` row) into the space v1.

Only what means the same in both is translated; anything else makes the configuration
untranslatable, with a reason, instead of being guessed.

Translated:

* models ``random_forest``, ``extra_trees``, ``adaboost``, ``gradient_boosting`` (auto-sklearn's
  is scikit-learn's HistGradientBoosting, like ours), ``k_nearest_neighbors``, ``libsvm_svc``,
  ``libsvm_svr``, ``mlp``, with the hyperparameters of the space v1 (same names);
* classification forests' ``max_features`` is an exponent in auto-sklearn as in the space;
  regression forests' is a fraction of the features (passed to scikit-learn as is), converted
  to the exponent that keeps the number of features, using the dataset's input width;
* numerical imputation strategy; ``one_hot_encoding`` -> ``one_hot``, ``no_encoding`` ->
  ``ordinal`` (auto-sklearn ordinal-encodes categoricals before the optional one-hot step);
  feature preprocessor ``no_preprocessing`` -> ``none``, ``select_percentile_*`` with the F-test
  score (the space's) -> ``percentile`` with its percentile;
* rescaling for the models that use it (``knowledge_base.space.NEEDS_SCALING``: k-NN, SVMs,
  MLP here): ``none``, ``standardize``,
  ``minmax``, ``robust_scaler`` with the default 25-75 % quantile range, ``quantile_transformer``
  with normal output (the space's). Tree models ignore monotone per-feature rescaling.

Accepted differences (training procedure, not the model): the number of trees or boosting
iterations and early stopping (not part of the space), SVM ``tol``/``shrinking``, the MLP's
early-stopping split, AdaBoost's SAMME.R (scikit-learn >= 1.6 only has SAMME; counted in the
notes), the quantile transformer's ``n_quantiles``.

Not translated (the reason in brackets is the ``skipped`` key): other models
(``model:<name>``), class weighting (``balancing:weighting``), other feature preprocessors
(``feature_preprocessor:<name>``), chi2 / mutual-information feature selection, row-wise
``normalize`` rescaling, robust scaling with another quantile range, uniform-output quantile
transform, minority coalescing on data with categorical features, SVM kernels other than RBF,
SVR ``epsilon`` other than 0.1 (the space's), absolute-error forest criteria, values that are
not numbers.

Values are written as auto-sklearn has them: the importer knows the space's vocabulary, not its
ranges. A value outside the space's range (e.g. a percentile below 10) makes the configuration
untranslatable where it is read, by ``automl._space.translate``.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from knowledge_base.importers._common import finite_number, fraction_to_exponent
from knowledge_base.space import NATIVE_CATEGORICAL, NEEDS_SCALING

#: auto-sklearn's models that are families of the space, under the same names.
MODELS = (
    "random_forest",
    "extra_trees",
    "adaboost",
    "gradient_boosting",
    "k_nearest_neighbors",
    "libsvm_svc",
    "libsvm_svr",
    "mlp",
)

_DP = "data_preprocessor:feature_type:"
IMPUTATION = _DP + "numerical_transformer:imputation:strategy"
RESCALING = _DP + "numerical_transformer:rescaling:"
ENCODING = _DP + "categorical_transformer:categorical_encoding:__choice__"
COALESCENCE = _DP + "categorical_transformer:category_coalescence:__choice__"

_SCALERS = {"none": "none", "standardize": "standard", "minmax": "minmax"}
_ENCODINGS = {"one_hot_encoding": "one_hot", "no_encoding": "ordinal"}
_CRITERIA_REGRESSION = {
    "mse": "squared_error",
    "squared_error": "squared_error",
    "friedman_mse": "friedman_mse",
}
_F_TESTS = {"f_classif", "f_regression"}


class Untranslatable(Exception):
    """A configuration the space v1 cannot express; the message is the ``skipped`` reason."""


def translate_configuration(
    config: dict[str, str],
    *,
    regression: bool,
    n_features: float,
    n_categorical: float | None = None,
) -> tuple[dict[str, Any] | None, str, Counter[str]]:
    """The space-v1 configuration of one auto-sklearn configuration.

    Parameters
    ----------
    config : dict of str to str
        Active entries of a ``configurations.csv`` row (auto-sklearn names, string values).
    regression : bool
        Whether it comes from a regression folder (``regressor:`` keys).
    n_features : float
        Input width of the dataset (auto-sklearn's ``NumberOfFeatures``), for the regression
        forests' fraction -> exponent conversion.
    n_categorical : float, optional
        auto-sklearn's ``NumberOfCategoricalFeatures``; unknown counts as "has categoricals".

    Returns
    -------
    config : dict or None
        Space-v1 configuration (``model`` and prefixed keys), or None if untranslatable.
    reason : str
        Why it is untranslatable ("" if translated).
    notes : collections.Counter
        Facts about a translated configuration (e.g. ``"adaboost:algorithm=SAMME.R"``).
    """
    notes: Counter[str] = Counter()
    try:
        out = _translate(config, regression, n_features, n_categorical, notes)
    except Untranslatable as exc:
        return None, str(exc), Counter()
    return out, "", notes


def _translate(
    config: dict[str, str],
    regression: bool,
    n_features: float,
    n_categorical: float | None,
    notes: Counter[str],
) -> dict[str, Any]:
    prefix = "regressor" if regression else "classifier"
    model = config.get(f"{prefix}:__choice__", "<missing>")
    if model not in MODELS or model == ("libsvm_svc" if regression else "libsvm_svr"):
        raise Untranslatable(f"model:{model}")
    out: dict[str, Any] = {"model": model}
    out.update(_feature_selection(config))
    out.update(_rescaling(config, model))
    out.update(_categorical(config, model, n_categorical))
    if config.get("balancing:strategy", "none") != "none":
        raise Untranslatable(f"balancing:{config['balancing:strategy']}")
    strategy = config.get(IMPUTATION, "median")
    if strategy not in ("mean", "median", "most_frequent"):
        raise Untranslatable(f"imputation:{strategy}")
    out["imputation:strategy"] = strategy
    hp = _Hyperparameters(config, f"{prefix}:{model}:", model)
    params = _MODELS[model](hp, regression, n_features, notes)
    out.update({f"{model}:{k}": v for k, v in params.items()})
    return out


def _feature_selection(config: dict[str, str]) -> dict[str, Any]:
    choice = config.get("feature_preprocessor:__choice__", "no_preprocessing")
    if choice == "no_preprocessing":
        return {"feature_selection:__choice__": "none"}
    if choice not in ("select_percentile_classification", "select_percentile_regression"):
        raise Untranslatable(f"feature_preprocessor:{choice}")
    score_func = config.get(f"feature_preprocessor:{choice}:score_func", "")
    if score_func not in _F_TESTS:
        raise Untranslatable(f"feature_preprocessor:{choice}:score_func={score_func}")
    selector = _Hyperparameters(config, f"feature_preprocessor:{choice}:", "feature_selection")
    return {
        "feature_selection:__choice__": "percentile",
        "feature_selection:percentile": selector.number("percentile"),
    }


def _rescaling(config: dict[str, str], model: str) -> dict[str, Any]:
    choice = config.get(RESCALING + "__choice__", "none")
    if choice == "normalize":
        raise Untranslatable("rescaling:normalize")
    if model not in NEEDS_SCALING:
        return {}
    if choice in _SCALERS:
        return {"rescaling:__choice__": _SCALERS[choice]}
    if choice == "robust_scaler":
        q_min = float(config[RESCALING + "robust_scaler:q_min"])
        q_max = float(config[RESCALING + "robust_scaler:q_max"])
        if math.isclose(q_min, 0.25, abs_tol=1e-6) and math.isclose(q_max, 0.75, abs_tol=1e-6):
            return {"rescaling:__choice__": "robust"}
        raise Untranslatable("rescaling:robust_scaler quantile range")
    if choice == "quantile_transformer":
        output = config.get(RESCALING + "quantile_transformer:output_distribution")
        if output == "normal":
            return {"rescaling:__choice__": "quantile"}
        raise Untranslatable(f"rescaling:quantile_transformer output={output}")
    raise Untranslatable(f"rescaling:{choice}")


def _categorical(config: dict[str, str], model: str, n_categorical: float | None) -> dict:
    has_categorical = n_categorical is None or n_categorical > 0
    if config.get(COALESCENCE, "no_coalescense") != "no_coalescense" and has_categorical:
        raise Untranslatable(f"category_coalescence:{config[COALESCENCE]}")
    if model in NATIVE_CATEGORICAL:
        return {}
    encoding = config.get(ENCODING, "one_hot_encoding")
    if encoding not in _ENCODINGS:
        raise Untranslatable(f"categorical_encoding:{encoding}")
    return {"categorical_encoding:__choice__": _ENCODINGS[encoding]}


class _Hyperparameters:
    """Typed access to one model's auto-sklearn hyperparameters (no range of the space)."""

    def __init__(self, config: dict[str, str], prefix: str, model: str):
        self.config, self.prefix, self.model = config, prefix, model

    def raw(self, name: str, default: str | None = None) -> str:
        value = self.config.get(self.prefix + name, default)
        if value is None:
            raise Untranslatable(f"{self.model}:{name} missing")
        return value

    def number(self, name: str, integer: bool = False) -> float | int:
        """A finite number (``integer``: rounded to an int), as auto-sklearn has it."""
        text = self.raw(name)
        value = finite_number(text)
        if value is None:
            raise Untranslatable(f"{self.model}:{name}={text}")
        return round(value) if integer else value

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        value = self.raw(name)
        if value not in choices:
            raise Untranslatable(f"{self.model}:{name}={value}")
        return value

    def constant(self, name: str, expected: str) -> None:
        value = self.config.get(self.prefix + name)
        if value is None or value == expected:
            return
        try:
            if float(value) == float(expected):
                return
        except ValueError:
            pass
        raise Untranslatable(f"{self.model}:{name}={value}")


def _forest(hp: _Hyperparameters, regression: bool, n_features: float, notes: Counter) -> dict:
    for name, expected in (
        ("max_depth", "None"),
        ("max_leaf_nodes", "None"),
        ("min_impurity_decrease", "0.0"),
        ("min_weight_fraction_leaf", "0.0"),
    ):
        hp.constant(name, expected)
    if regression:
        criterion = hp.raw("criterion")
        if criterion not in _CRITERIA_REGRESSION:
            raise Untranslatable(f"{hp.model}:criterion={criterion}")
        criterion = _CRITERIA_REGRESSION[criterion]
        fraction = hp.number("max_features")
        if not 0.0 <= fraction <= 1.0:  # scikit-learn's fractions
            raise Untranslatable(f"{hp.model}:max_features={fraction}")
        max_features = float(fraction_to_exponent(fraction, n_features))
    else:
        criterion = hp.choice("criterion", ("gini", "entropy"))
        max_features = hp.number("max_features")  # an exponent, as in the space
    return {
        "criterion": criterion,
        "max_features": max_features,
        "min_samples_split": hp.number("min_samples_split", integer=True),
        "min_samples_leaf": hp.number("min_samples_leaf", integer=True),
        "bootstrap": hp.choice("bootstrap", ("True", "False")),
    }


def _adaboost(hp: _Hyperparameters, regression: bool, n_features: float, notes: Counter) -> dict:
    out: dict[str, Any] = {
        "n_estimators": hp.number("n_estimators", integer=True),
        "learning_rate": hp.number("learning_rate"),
        "max_depth": hp.number("max_depth", integer=True),
    }
    if regression:
        out["loss"] = hp.choice("loss", ("linear", "square", "exponential"))
    else:
        notes[f"adaboost:algorithm={hp.raw('algorithm', 'SAMME')}"] += 1
    return out


def _hgb(hp: _Hyperparameters, regression: bool, n_features: float, notes: Counter) -> dict:
    hp.constant("max_depth", "None")
    hp.constant("max_bins", "255")
    notes[f"gradient_boosting:early_stop={hp.raw('early_stop', 'off')}"] += 1
    return {
        "learning_rate": hp.number("learning_rate"),
        "max_leaf_nodes": hp.number("max_leaf_nodes", integer=True),
        "min_samples_leaf": hp.number("min_samples_leaf", integer=True),
        "l2_regularization": hp.number("l2_regularization"),
    }


def _knn(hp: _Hyperparameters, regression: bool, n_features: float, notes: Counter) -> dict:
    return {
        "n_neighbors": hp.number("n_neighbors", integer=True),
        "weights": hp.choice("weights", ("uniform", "distance")),
        "p": int(hp.choice("p", ("1", "2"))),
    }


def _svm(hp: _Hyperparameters, regression: bool, n_features: float, notes: Counter) -> dict:
    hp.choice("kernel", ("rbf",))
    if regression:
        epsilon = float(hp.raw("epsilon", "0.1"))
        if not math.isclose(epsilon, 0.1, rel_tol=1e-6):
            raise Untranslatable(f"{hp.model}:epsilon other than 0.1")
    return {
        "C": hp.number("C"),
        "gamma": hp.number("gamma"),
    }


def _mlp(hp: _Hyperparameters, regression: bool, n_features: float, notes: Counter) -> dict:
    hp.choice("solver", ("adam",))
    return {
        "hidden_layer_depth": hp.number("hidden_layer_depth", integer=True),
        "num_nodes_per_layer": hp.number("num_nodes_per_layer", integer=True),
        "activation": hp.choice("activation", ("tanh", "relu")),
        "alpha": hp.number("alpha"),
        "learning_rate_init": hp.number("learning_rate_init"),
    }


_MODELS = {
    "random_forest": _forest,
    "extra_trees": _forest,
    "adaboost": _adaboost,
    "gradient_boosting": _hgb,
    "k_nearest_neighbors": _knn,
    "libsvm_svc": _svm,
    "libsvm_svr": _svm,
    "mlp": _mlp,
}
