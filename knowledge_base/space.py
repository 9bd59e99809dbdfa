"""What the knowledge base must know of automl's search space: its version, its families and
two family traits.

The space itself (each family's hyperparameters and ranges, the pipelines) is automl's
(``automl.components``, ``automl._space.build_space``). The knowledge base stores configurations
in the space's vocabulary and never checks their values against its ranges:
``automl._space.translate`` does that, in one place, when it reads a stored configuration.

Three facts are needed below ``automl``, so they live here and automl reads them from here:

* :data:`SPACE_VERSION`, recorded in every run row (``space_version``; the importers write it);
* the families of that version (:data:`FAMILIES`), which of them rescale their inputs
  (:data:`NEEDS_SCALING`) and which take categorical columns natively
  (:data:`NATIVE_CATEGORICAL`): an imported run's rescaling or categorical encoding belongs to
  its configuration only where the family's pipeline has that step.
  ``automl.components.Component`` takes the built-in families' ``needs_scaling`` and
  ``native_categorical`` from these sets.

Nothing here imports anything heavy.
"""

from __future__ import annotations

__all__ = ["FAMILIES", "NATIVE_CATEGORICAL", "NEEDS_SCALING", "SPACE_VERSION"]

SPACE_VERSION = "3"
"""Version of the search space that ``config`` values are written in (``space_version``).

``"1"``; ``"2"`` added ``catboost``; ``"3"`` added ``linear:penalty`` (default ``l2``, the only
penalty before). An older configuration translates into the current space as the same pipeline.
"""

#: The model families of this version of the space (``model``). A family that a user adds
#: to automl (``automl.register_family``) is none of them: its runs translate nowhere else.
FAMILIES: frozenset[str] = frozenset(
    {
        "lightgbm",
        "catboost",
        "random_forest",
        "extra_trees",
        "gradient_boosting",
        "adaboost",
        "linear",
        "libsvm_svc",
        "libsvm_svr",
        "k_nearest_neighbors",
        "mlp",
    }
)
#: Families whose pipeline rescales the numeric columns (``rescaling:__choice__``).
NEEDS_SCALING: frozenset[str] = frozenset(
    {"linear", "libsvm_svc", "libsvm_svr", "k_nearest_neighbors", "mlp"}
)
#: Families that take categorical columns as they are (no ``categorical_encoding:__choice__``).
NATIVE_CATEGORICAL: frozenset[str] = frozenset({"lightgbm", "gradient_boosting", "catboost"})
