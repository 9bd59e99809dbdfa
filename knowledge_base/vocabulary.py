"""The words every layer shares: task types, how a trial ended, which way a metric points.

This is their one home. It sits in the knowledge base, the lowest layer, because the base's
schema checks its rows against them and cannot import the layers above; ``automl``,
``metalearning`` and ``benchmarks`` read them from here. Nothing here imports anything heavy.
"""

from __future__ import annotations

from enum import Enum

__all__ = [
    "CLASSIFICATION_TASKS",
    "DEFAULT_METRIC",
    "GREATER_IS_BETTER",
    "STATUSES",
    "TASKS",
    "Status",
    "Task",
    "greater_is_better",
]


class Task(str, Enum):
    """The kind of supervised problem a dataset poses."""

    BINARY = "binary"
    MULTICLASS = "multiclass"
    REGRESSION = "regression"

    @property
    def is_classification(self) -> bool:
        """Binary and multiclass tasks."""
        return self is not Task.REGRESSION


#: Task type names, as the ``task`` columns store them.
TASKS: tuple[str, ...] = tuple(t.value for t in Task)
#: The task types that are classification.
CLASSIFICATION_TASKS: tuple[str, ...] = tuple(t.value for t in Task if t.is_classification)


class Status(str, Enum):
    """How a trial that ran ended (the ``status`` column of the ``runs`` table).

    A trial the search decided not to run (``automl._search.SKIPPED``) has no status here: it
    never reaches the knowledge base.
    """

    SUCCESS = "success"
    CRASHED = "crashed"
    TIMEOUT = "timeout"
    MEMOUT = "memout"


#: Status names, as the ``status`` column stores them.
STATUSES: tuple[str, ...] = tuple(s.value for s in Status)

#: Every metric the library knows, and whether larger values are better. A greater-is-better
#: metric's loss is ``1 - score``; a lower-is-better metric's loss is its score.
GREATER_IS_BETTER: dict[str, bool] = {
    "roc_auc": True,
    "accuracy": True,
    "balanced_accuracy": True,
    "r2": True,
    "log_loss": False,
    "rmse": False,
    "mae": False,
}

#: The AutoML Benchmark's metric of each task type: automl's default, the benchmarks' metric.
DEFAULT_METRIC: dict[str, str] = {
    "binary": "roc_auc",
    "multiclass": "log_loss",
    "regression": "rmse",
}


def greater_is_better(metric: str) -> bool:
    """Whether larger values of ``metric`` are better; ValueError for an unknown metric."""
    try:
        return GREATER_IS_BETTER[metric]
    except KeyError:
        raise ValueError(
            f"Unknown metric {metric!r}; known: {', '.join(GREATER_IS_BETTER)}."
        ) from None
