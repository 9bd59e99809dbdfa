"""AutoML estimators that learn from their own past runs.

>>> from automl import AutoMLClassifier
>>> AutoMLClassifier(time_budget=60).fit(X, y)  # doctest: +SKIP
"""

from automl._estimator import AutoMLClassifier, AutoMLRegressor
from automl._space import SPACE_VERSION
from automl._task import METRICS, Task

__version__ = "0.1.0"

__all__ = ["METRICS", "SPACE_VERSION", "AutoMLClassifier", "AutoMLRegressor", "Task", "__version__"]
