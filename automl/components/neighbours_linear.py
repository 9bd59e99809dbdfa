"""Models that need scaled inputs: linear, RBF SVM, k-nearest neighbours, MLP."""

from __future__ import annotations

import sklearn
from ConfigSpace import Categorical, Float, Integer
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import TransformedTargetRegressor
from sklearn.linear_model import Lasso, LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR

from automl._task import Task
from automl.components._base import ALL_TASKS, CLASSIFICATION, Component, DataShape

REGRESSION = frozenset({Task.REGRESSION})
_SKLEARN = tuple(int(part) for part in sklearn.__version__.split(".")[:2])


def on_standard_target(regressor) -> TransformedTargetRegressor:
    """``regressor`` fitted to the target standardised: the lasso's alpha, the SVR's C and
    epsilon and the MLP's learning rate and initial weights each assume a target of about unit
    scale, so that one range of them suits every scale (auto-sklearn does the same). Unscaled,
    the MLP's defaults had a median 2.4 times the test RMSE (the SVR's 1.6 times) on the 12 of
    25 PMLB tables whose target is not at unit scale (session 54)."""
    return TransformedTargetRegressor(regressor, transformer=StandardScaler())


def _linear_space(task: Task, shape: DataShape):
    return [
        Float("C", (1e-4, 1e4), default=1.0, log=True),
        Categorical("penalty", ["l2", "l1"], default="l2"),
    ]


def _make_linear(params: dict, task: Task, n_features: int, n_jobs: int, seed: int):
    """L2: lbfgs logistic regression or ridge; L1 (sparse weights, for many features of which
    few matter): saga or the lasso, on a standardised target for regression so that one
    range of C suits every scale."""
    c = float(params["C"])
    l1 = params.get("penalty", "l2") == "l1"
    if task.is_classification:
        if l1:
            # scikit-learn 1.8 spells the L1 penalty l1_ratio=1 and deprecates penalty=.
            l1_args = dict(l1_ratio=1.0) if _SKLEARN >= (1, 8) else dict(penalty="l1")
            return LogisticRegression(
                C=c, solver="saga", max_iter=300, tol=1e-3, random_state=seed, **l1_args
            )
        return LogisticRegression(C=c, max_iter=500, random_state=seed)
    if l1:
        # The lasso averages its loss over rows where logistic regression sums it: 0.01 / C
        # is about what C means there on a few hundred rows.
        return on_standard_target(Lasso(alpha=0.01 / c, max_iter=2000, random_state=seed))
    return Ridge(alpha=1.0 / (2.0 * c), random_state=seed)


def _svm_space(task: Task, shape: DataShape):
    return [
        Float("C", (0.03125, 32768.0), default=1.0, log=True),
        Float("gamma", (3.0517578125e-05, 8.0), default=0.1, log=True),
    ]


def _make_svm(params: dict, task: Task, n_features: int, n_jobs: int, seed: int):
    common = dict(C=float(params["C"]), gamma=float(params["gamma"]), kernel="rbf", cache_size=500)
    if task.is_classification:
        # Platt scaling on out-of-fold decision values, as libsvm's probability=True did.
        return CalibratedClassifierCV(
            SVC(random_state=seed, **common), method="sigmoid", cv=3, ensemble=False
        )
    return on_standard_target(SVR(**common))


def _knn_space(task: Task, shape: DataShape):
    return [
        Integer("n_neighbors", (1, 100), default=5, log=True),
        Categorical("weights", ["uniform", "distance"], default="uniform"),
        Categorical("p", [1, 2], default=2),
    ]


def _make_knn(params: dict, task: Task, n_features: int, n_jobs: int, seed: int):
    cls = KNeighborsClassifier if task.is_classification else KNeighborsRegressor
    return _ClampedKNN(
        cls(weights=params["weights"], p=int(params["p"]), n_jobs=n_jobs),
        int(params["n_neighbors"]),
    )


class _ClampedKNN:
    """k-NN whose ``n_neighbors`` shrinks to the training size on tiny folds."""

    def __init__(self, estimator, n_neighbors: int):
        self.estimator = estimator
        self.n_neighbors = n_neighbors

    def fit(self, X, y):
        self.estimator.set_params(n_neighbors=max(1, min(self.n_neighbors, X.shape[0])))
        self.estimator.fit(X, y)
        self.classes_ = getattr(self.estimator, "classes_", None)
        return self

    def predict(self, X):
        return self.estimator.predict(X)

    def predict_proba(self, X):
        return self.estimator.predict_proba(X)


def _mlp_space(task: Task, shape: DataShape):
    return [
        Integer("hidden_layer_depth", (1, 3), default=1),
        Integer("num_nodes_per_layer", (16, 264), default=32, log=True),
        Categorical("activation", ["tanh", "relu"], default="relu"),
        Float("alpha", (1e-7, 1e-1), default=1e-4, log=True),
        Float("learning_rate_init", (1e-4, 0.5), default=1e-3, log=True),
    ]


def _make_mlp(params: dict, task: Task, n_features: int, n_jobs: int, seed: int):
    cls = MLPClassifier if task.is_classification else MLPRegressor
    layers = (int(params["num_nodes_per_layer"]),) * int(params["hidden_layer_depth"])
    model = cls(
        hidden_layer_sizes=layers,
        activation=params["activation"],
        alpha=float(params["alpha"]),
        learning_rate_init=float(params["learning_rate_init"]),
        max_iter=200,
        early_stopping=True,
        n_iter_no_change=10,
        random_state=seed,
    )
    return model if task.is_classification else on_standard_target(model)


# All five rescale their inputs: knowledge_base.space.NEEDS_SCALING says so for Component.
LINEAR = Component("linear", ALL_TASKS, _linear_space, _make_linear)
# Kernel SVMs scale quadratically or worse in the number of rows: only offered on small data.
LIBSVM_SVC = Component("libsvm_svc", CLASSIFICATION, _svm_space, _make_svm, max_rows=10_000)
LIBSVM_SVR = Component("libsvm_svr", REGRESSION, _svm_space, _make_svm, max_rows=10_000)
K_NEAREST_NEIGHBORS = Component(
    "k_nearest_neighbors",
    ALL_TASKS,
    _knn_space,
    _make_knn,
    max_cells=20_000_000,
    max_rows=200_000,
)
MLP = Component("mlp", ALL_TASKS, _mlp_space, _make_mlp)
