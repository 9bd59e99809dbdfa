"""The registry of model families: the built-in ones, and those a user or contributor adds.

``COMPONENTS`` is the one list every reader iterates (the space, the pipelines, the grower);
``register_family`` appends to it in place. Trials run in fork-server children that never saw
the user's registrations, so ``registered_payload`` carries the added families to them
(pickled by value with cloudpickle: functions defined in a script or notebook travel too) and
``restore_registered`` adds them there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from automl._task import Task
from automl.components._base import Component
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
BUILTIN: tuple[Component, ...] = (
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

#: Every family the search may offer, built-in ones first, then registered ones in order.
COMPONENTS: list[Component] = list(BUILTIN)


def component_by_name(name: str) -> Component:
    """The model family called ``name``."""
    for component in COMPONENTS:
        if component.name == name:
            return component
    raise ValueError(f"Unknown model family {name!r}; known: {[c.name for c in COMPONENTS]}.")


def register_family(component: Component) -> Component:
    """Make ``component`` a model family of the search: offered to every later fit for its
    tasks (and selectable with ``models=``), after the built-in families.

    Its ``hyperparameters(task, shape)`` must return new ConfigSpace hyperparameters on every
    call, named without the family prefix; ``make(params, task, n_features, n_jobs, seed)``
    an unfitted scikit-learn estimator (with ``predict_proba`` for classification).
    """
    if not isinstance(component, Component):
        raise TypeError(f"register_family takes a Component, got {type(component).__name__}.")
    if not component.name or ":" in component.name:
        raise ValueError(f"A family's name must be non-empty without ':', got {component.name!r}.")
    if any(c.name == component.name for c in COMPONENTS):
        raise ValueError(f"A model family called {component.name!r} is registered already.")
    if not component.tasks or not set(component.tasks) <= set(Task):
        raise ValueError(f"{component.name}: tasks must be a non-empty set of Task values.")
    COMPONENTS.append(component)
    return component


def unregister_family(name: str) -> None:
    """Remove the family ``name`` that ``register_family`` added (built-in ones stay)."""
    if any(c.name == name for c in BUILTIN):
        raise ValueError(f"{name!r} is a built-in model family; it cannot be unregistered.")
    component = component_by_name(name)
    COMPONENTS.remove(component)


@contextmanager
def registered_family(component: Component) -> Iterator[Component]:
    """``register_family(component)`` for the duration of a ``with`` block."""
    register_family(component)
    try:
        yield component
    finally:
        unregister_family(component.name)


def registered_payload() -> bytes | None:
    """The families added to the built-in ones, pickled by value; None when there are none."""
    builtin = {c.name for c in BUILTIN}
    added = [c for c in COMPONENTS if c.name not in builtin]
    if not added:
        return None
    import cloudpickle

    return cloudpickle.dumps(added)


def restore_registered(payload: bytes | None) -> None:
    """Register, in a trial's child process, the families of a ``registered_payload``."""
    if payload is None:
        return
    import pickle

    for component in pickle.loads(payload):
        if all(c.name != component.name for c in COMPONENTS):
            COMPONENTS.append(component)
