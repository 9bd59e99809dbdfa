import numpy as np
import pandas as pd
import pytest
from ConfigSpace import Float
from sklearn.base import BaseEstimator, ClassifierMixin

from automl import AutoMLClassifier, AutoMLRegressor, Component, Task, registered_family
from automl._columns import infer_column_types, normalize_frame
from automl._evaluation import EvaluationSpec, make_splits
from automl._search import run_search
from automl._task import get_metric
from automl.components import COMPONENTS
from knowledge_base import KnowledgeBase
from metalearning import compute_metafeatures
from metalearning.portfolio import CostModel, Portfolio
from metalearning.warmstart import metafeatures_json

# Every family but CatBoost, whose defaults (the second trial of a cold search) cost 5-8 CPU
# seconds of repeated CV on these tables (LightGBM's 0.4, a random forest's 4): on a busy
# machine that trial alone outlasts the tiny budget. test_catboost.py fits with CatBoost.
CHEAP_FAMILIES = tuple(c.name for c in COMPONENTS if c.name != "catboost")
TINY = dict(
    time_budget=30,
    n_trials=3,
    random_state=0,
    warm_start=False,
    update_knowledge_base=False,
    models=CHEAP_FAMILIES,
)


@pytest.fixture
def tiny_classifier():
    """``tiny_classifier(**overrides)``: a classifier with a few trials and no knowledge base."""
    return lambda **kw: AutoMLClassifier(**{**TINY, **kw})


@pytest.fixture
def tiny_regressor():
    return lambda **kw: AutoMLRegressor(**{**TINY, **kw})


class AlwaysFails(ClassifierMixin, BaseEstimator):
    """A model whose every fit raises: trials of its family crash."""

    def fit(self, X, y):
        raise RuntimeError("this family always fails")


def stub_family(name: str, model: type) -> Component:
    """A classification family of one unused hyperparameter whose pipelines end in
    ``model()``: a registered family that behaves as a test needs (crashes, sleeps)."""
    return Component(
        name=name,
        tasks=frozenset({Task.BINARY, Task.MULTICLASS}),
        hyperparameters=lambda task, shape: [Float("unused", (0.0, 1.0), default=0.5)],
        make=lambda params, task, n_features, n_jobs, seed: model(),
    )


FAILING = stub_family("always_fails", AlwaysFails)


@pytest.fixture
def failing_family():
    """A registered classification family whose trials all crash (in their own processes)."""
    with registered_family(FAILING) as family:
        yield family


def _binary_search_inputs(X, y, resampling="holdout"):
    columns = infer_column_types(X)
    y_enc = np.unique(y, return_inverse=True)[1]
    splits = make_splits(y_enc, Task.BINARY, resampling, seed=0)
    spec = EvaluationSpec(Task.BINARY, "roc_auc", columns, splits, 2, n_jobs=1, seed=0)
    return normalize_frame(X, columns), y_enc, spec


@pytest.fixture
def binary_search_inputs():
    """``binary_search_inputs(X, y, resampling="holdout")``: the data, encoded target and
    ROC AUC evaluation spec that ``run_search`` takes, for a binary table."""
    return _binary_search_inputs


def _binary_search(data, y_enc, spec, optimizer, budget, **options):
    return run_search(
        data,
        y_enc,
        spec,
        get_metric("roc_auc", spec.task),
        optimizer,
        budget,
        memory_limit=None,
        keep_predictions=10,
        crash_cost=1.0,
        **{"origins": {}, **options},
    )


@pytest.fixture
def binary_search():
    """``binary_search(data, y_enc, spec, optimizer, budget, **options)``: ``run_search`` on
    ``binary_search_inputs``' table by ROC AUC, without a memory limit, keeping the 10 best
    predictions, crashes at loss 1; ``options`` are run_search's (``halving``, ``cost``,
    ``executor``, ``origins``)."""
    return _binary_search


@pytest.fixture
def portfolio_base(tmp_path, make_messy):
    """``portfolio_base(members, normalised=None, cost_intercepts=None, pool=(),
    pool_normalised=None, pool_cost_intercepts=None)``: a real knowledge base holding two past
    datasets' meta-features (``make_messy`` tables of 200 and 400 rows) and a classification
    portfolio of ``members`` over them, by default in that order and each fitting in 0.1 ms."""

    def make(
        members,
        normalised=None,
        cost_intercepts=None,
        pool=(),
        pool_normalised=None,
        pool_cost_intercepts=None,
    ):
        kb = KnowledgeBase(tmp_path / "kb")
        rows = []
        for i, n in enumerate((200, 400)):
            X, y = make_messy(n, seed=i)
            mf = compute_metafeatures(X, y, task="binary")
            rows.append(
                {
                    "dataset_id": f"past{i}",
                    "name": f"past_{i}",
                    "source": "pmlb",
                    "task": "binary",
                    "n_rows": n,
                    "n_features": X.shape[1],
                    "metafeatures": metafeatures_json(mf),
                }
            )
        kb.append(datasets=pd.DataFrame(rows))
        ranks = np.tile(np.linspace(0.0, 1.0, len(members)), (2, 1))
        Portfolio(
            kind="classification",
            members=list(members),
            dataset_ids=["past0", "past1"],
            normalised=ranks if normalised is None else np.asarray(normalised),
            cost=CostModel(
                np.log(np.full(len(members), 1e-4))
                if cost_intercepts is None
                else np.asarray(cost_intercepts),
                row_exponent=0.0,
                feature_exponent=0.0,
            ),
            time_weight=0.0,
            pool=list(pool),
            pool_normalised=pool_normalised,
            pool_cost_intercepts=pool_cost_intercepts,
        ).save(tmp_path / "kb" / "portfolio")
        return kb

    return make
