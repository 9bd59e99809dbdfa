import pytest

from automl import AutoMLClassifier, AutoMLRegressor
from automl.components import COMPONENTS

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
