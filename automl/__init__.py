"""AutoML estimators that learn from their own past runs.

>>> from automl import AutoMLClassifier
>>> AutoMLClassifier(time_budget=60).fit(X, y)  # doctest: +SKIP

Besides the estimators, the building blocks of a trial, for code that evaluates
configurations as a fit does (the benchmarks, for one):

- tables: ``read_table`` (CSV, TSV, Parquet), ``ColumnTypes``, ``infer_column_types`` and
  ``normalize_frame`` (the column typing and cleaning a fit applies);
- evaluation: ``make_splits``, ``EvaluationSpec`` and ``evaluate`` (one configuration
  resampled as a trial is), ``get_metric``; ``EARLY_STOPPING_MIN_ROWS``, the training rows from
  which the boosting families stop early (a configuration's ``<family>:early_stopping: False``
  turns it off);
- the search space: ``build_space``, ``translate`` (a configuration into a space, or why
  not), ``load_pool`` (the dense performance matrix's candidate configurations).

The public names are imported on first use (PEP 562), so that the package's light helpers
(``read_table``: reading tables) can be used, by the benchmarks' job processes for one,
without loading every model family.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from automl._columns import ColumnTypes, infer_column_types, normalize_frame
    from automl._estimator import AutoMLClassifier, AutoMLRegressor
    from automl._evaluation import EvaluationSpec, evaluate, make_splits
    from automl._io import read_table
    from automl._matrix import load_pool
    from automl._space import SPACE_VERSION, build_space, translate
    from automl._task import METRICS, Task, get_metric
    from automl.components import (
        Component,
        DataShape,
        register_family,
        registered_family,
        unregister_family,
    )
    from automl.components._early_stopping import MIN_ROWS as EARLY_STOPPING_MIN_ROWS

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
    "read_table": "automl._io",
    "ColumnTypes": "automl._columns",
    "infer_column_types": "automl._columns",
    "normalize_frame": "automl._columns",
    "EvaluationSpec": "automl._evaluation",
    "evaluate": "automl._evaluation",
    "make_splits": "automl._evaluation",
    "get_metric": "automl._task",
    "build_space": "automl._space",
    "translate": "automl._space",
    "load_pool": "automl._matrix",
    "EARLY_STOPPING_MIN_ROWS": "automl.components._early_stopping",
}
#: Public names that differ from the name in their home module.
_RENAMED = {"EARLY_STOPPING_MIN_ROWS": "MIN_ROWS"}

__all__ = [
    "EARLY_STOPPING_MIN_ROWS",
    "METRICS",
    "SPACE_VERSION",
    "AutoMLClassifier",
    "AutoMLRegressor",
    "ColumnTypes",
    "Component",
    "DataShape",
    "EvaluationSpec",
    "Task",
    "__version__",
    "build_space",
    "evaluate",
    "get_metric",
    "infer_column_types",
    "load_pool",
    "make_splits",
    "normalize_frame",
    "read_table",
    "register_family",
    "registered_family",
    "translate",
    "unregister_family",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), _RENAMED.get(name, name))
        globals()[name] = value
        return value
    raise AttributeError(f"module 'automl' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
