import pytest

from automl import AutoMLClassifier, AutoMLRegressor

TINY = dict(
    time_budget=30, n_trials=3, random_state=0, warm_start=False, update_knowledge_base=False
)


@pytest.fixture
def tiny_classifier():
    """``tiny_classifier(**overrides)``: a classifier with a few trials and no knowledge base."""
    return lambda **kw: AutoMLClassifier(**{**TINY, **kw})


@pytest.fixture
def tiny_regressor():
    return lambda **kw: AutoMLRegressor(**{**TINY, **kw})
