"""scikit-learn's own estimator checks, on both estimators with tiny budgets.

No check is expected to fail. Marked slow: each check fits, and together they take minutes.
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from automl import AutoMLClassifier, AutoMLRegressor

SETTINGS = dict(
    time_budget=20,
    n_trials=2,
    ensemble_size=3,
    random_state=0,
    warm_start=False,
    update_knowledge_base=False,
)


@pytest.mark.slow
@parametrize_with_checks([AutoMLClassifier(**SETTINGS), AutoMLRegressor(**SETTINGS)])
def test_sklearn_compatible(estimator, check):
    check(estimator)
