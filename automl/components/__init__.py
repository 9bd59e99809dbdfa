"""Model families of the CASH space, one small module per kind of model, and their registry."""

from automl.components._base import Component, DataShape, deferred
from automl.components._registry import (
    BUILTIN,
    COMPONENTS,
    component_by_name,
    register_family,
    registered_family,
    registered_payload,
    restore_registered,
    unregister_family,
)
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

__all__ = [
    "ADABOOST",
    "BUILTIN",
    "CATBOOST",
    "COMPONENTS",
    "EXTRA_TREES",
    "GRADIENT_BOOSTING",
    "K_NEAREST_NEIGHBORS",
    "LIBSVM_SVC",
    "LIBSVM_SVR",
    "LIGHTGBM",
    "LINEAR",
    "MLP",
    "RANDOM_FOREST",
    "Component",
    "DataShape",
    "component_by_name",
    "deferred",
    "register_family",
    "registered_family",
    "registered_payload",
    "restore_registered",
    "unregister_family",
]
