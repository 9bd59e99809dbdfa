"""Model families of the CASH space, one small module per kind of model."""

from automl.components._base import Component, DataShape, deferred
from automl.components.boosting import ADABOOST, GRADIENT_BOOSTING, LIGHTGBM
from automl.components.catboost import CATBOOST
from automl.components.neighbours_linear import (
    K_NEAREST_NEIGHBORS,
    LIBSVM_SVC,
    LIBSVM_SVR,
    LINEAR,
    MLP,
)
from automl.components.trees import EXTRA_TREES, RANDOM_FOREST

# LightGBM first: its default configuration is the first trial of every search.
COMPONENTS: tuple[Component, ...] = (
    LIGHTGBM,
    CATBOOST,
    RANDOM_FOREST,
    EXTRA_TREES,
    GRADIENT_BOOSTING,
    ADABOOST,
    LINEAR,
    LIBSVM_SVC,
    LIBSVM_SVR,
    K_NEAREST_NEIGHBORS,
    MLP,
)


def component_by_name(name: str) -> Component:
    """The model family called ``name``."""
    for component in COMPONENTS:
        if component.name == name:
            return component
    raise ValueError(f"Unknown model family {name!r}; known: {[c.name for c in COMPONENTS]}.")


__all__ = ["COMPONENTS", "Component", "DataShape", "component_by_name", "deferred"]
