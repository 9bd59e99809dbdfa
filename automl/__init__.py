"""AutoML estimators that learn from their own past runs.

>>> from automl import AutoMLClassifier
>>> AutoMLClassifier(time_budget=60).fit(X, y)  # doctest: +SKIP

The public names are imported on first use (PEP 562), so that the package's light helpers
(``automl._io``: reading tables, deciding a target's task) can be used, by the benchmarks'
job processes for one, without loading every model family.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from automl._estimator import AutoMLClassifier, AutoMLRegressor
    from automl._space import SPACE_VERSION
    from automl._task import METRICS, Task
    from automl.components import (
        Component,
        DataShape,
        register_family,
        registered_family,
        unregister_family,
    )

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_HOMES = {
    "AutoMLClassifier": "automl._estimator",
    "AutoMLRegressor": "automl._estimator",
    "SPACE_VERSION": "automl._space",
    "METRICS": "automl._task",
    "Task": "automl._task",
    "Component": "automl.components",
    "DataShape": "automl.components",
    "register_family": "automl.components",
    "registered_family": "automl.components",
    "unregister_family": "automl.components",
}

__all__ = [
    "METRICS",
    "SPACE_VERSION",
    "AutoMLClassifier",
    "AutoMLRegressor",
    "Component",
    "DataShape",
    "Task",
    "__version__",
    "register_family",
    "registered_family",
    "unregister_family",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'automl' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
