"""scikit-learn's own estimator checks, on both estimators with tiny budgets.

No check is expected to fail. Marked slow: each check fits, and together they take minutes.
The fits search two quick families of different kinds (boosted trees, a scaled linear model)
on a holdout: with the default families the second trial is a forest or CatBoost, whose 5-fold
CV made a fit four times as long, and CV a third longer again, for nothing the checks look at
(the input is checked and converted before any split).
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
    models=("lightgbm", "linear"),
    resampling="holdout",
)


@pytest.mark.slow
@parametrize_with_checks([AutoMLClassifier(**SETTINGS), AutoMLRegressor(**SETTINGS)])
def test_sklearn_compatible(estimator, check):
    check(estimator)
