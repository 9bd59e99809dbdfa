"""Bad input gets a clear error that names the problem."""

import numpy as np
import pandas as pd
import pytest

from automl import AutoMLClassifier, AutoMLRegressor

X4 = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0] * 5, "b": list("xyxy") * 5})
Y4 = np.array([0, 1] * 10)


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (X4, Y4[:-1], "different lengths: X has 20 rows, y has 19"),
        (X4, np.where(np.arange(20) == 3, np.nan, Y4), "NaN"),
        (X4, np.where(np.arange(20) == 3, np.inf, Y4.astype(float)), "Unknown label type|infinity"),
        (X4, np.zeros(20), "only one class"),
        (X4.iloc[:0], Y4[:0], "X is empty"),
        (X4[[]], Y4, "no columns"),
        (X4, np.c_[Y4, Y4], "1-d"),
        (X4, np.linspace(0, 1, 20), "Unknown label type: continuous"),
        (X4, None, "requires y"),
        (X4["a"].to_numpy(), Y4, "2-d table"),
        (X4.set_axis(["a", "a"], axis=1), Y4, r"columns with the same name: \['a'\]"),
    ],
)
def test_classifier_fit_errors(X, y, match):
    with pytest.raises(ValueError, match=match):
        AutoMLClassifier(n_trials=1).fit(X, y)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (
            {"time_budget": -3},
            r"`time_budget` must be a positive number of seconds, got time_budget=-3",
        ),
        ({"time_budget": 0}, "time_budget"),
        ({"n_trials": 0}, "n_trials"),
        ({"metric": "f1_macro"}, "Unknown metric 'f1_macro'"),
        ({"metric": "rmse"}, "does not apply to classification"),
        ({"resampling": "bootstrap"}, "resampling"),
        ({"optimizer": "grid"}, "optimizer"),
        ({"models": ("xgboost",)}, "Unknown model families"),
    ],
)
def test_classifier_parameter_errors(params, match):
    with pytest.raises(ValueError, match=match):
        AutoMLClassifier(**{"n_trials": 1, **params}).fit(X4, Y4)


def test_regressor_rejects_text_target_and_nan():
    with pytest.raises(ValueError, match="numeric target"):
        AutoMLRegressor(n_trials=1).fit(X4, np.array(["a", "b"] * 10))
    with pytest.raises(ValueError, match="NaN"):
        AutoMLRegressor(n_trials=1).fit(X4, np.r_[np.nan, np.arange(19.0)])


@pytest.fixture(scope="module")
def fitted():
    return AutoMLClassifier(
        n_trials=1, random_state=0, warm_start=False, update_knowledge_base=False
    ).fit(X4, Y4)


def test_predict_with_missing_column(fitted):
    with pytest.raises(ValueError, match="missing"):
        fitted.predict(X4[["a"]])


def test_predict_with_extra_column(fitted):
    with pytest.raises(ValueError, match="unseen at fit time"):
        fitted.predict(X4.assign(c=1.0))


def test_predict_with_wrong_width(fitted):
    with pytest.raises(ValueError, match="X has 3 features, but AutoMLClassifier is expecting 2"):
        fitted.predict(np.zeros((2, 3)))


def test_sparse_input_is_refused():
    import scipy.sparse as sp

    with pytest.raises(TypeError, match="Sparse data"):
        AutoMLClassifier(n_trials=1).fit(sp.csr_matrix(np.eye(20)), Y4)
