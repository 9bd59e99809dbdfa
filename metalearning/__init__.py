"""Meta-learning: meta-features of datasets and similarity between datasets.

* :func:`compute_metafeatures` - OpenML data qualities of a table and its target;
* :data:`SIMILARITY_FEATURES`, :class:`DatasetSimilarity` - auto-sklearn style nearest datasets
  (min-max scaled meta-features, L1 distance), robust to missing meta-features;
* :data:`AUTOSKLEARN_TO_OPENML`, :func:`autosklearn_to_openml` - auto-sklearn's meta-feature
  names and values in OpenML's names and conventions;
* :func:`suggest_configurations`, :func:`nearest_datasets` - warm start from a knowledge base:
  the best configurations of the nearest past datasets, and their other results
  (:class:`PastResult`) for an optimiser's surrogate;
* :func:`hyperparameter_importance`, :func:`knowledge_base_importance`,
  :func:`plot_importance` - fANOVA importance of the model family and each hyperparameter,
  from one search's trials or averaged over past datasets' runs, and its bar chart.
"""

from knowledge_base.importers import AUTOSKLEARN_TO_OPENML, autosklearn_to_openml
from metalearning.importance import (
    hyperparameter_importance,
    knowledge_base_importance,
    plot_importance,
)
from metalearning.metafeatures import METAFEATURE_NAMES, OPENML_QUALITIES, compute_metafeatures
from metalearning.similarity import SIMILARITY_FEATURES, DatasetSimilarity
from metalearning.warmstart import (
    PastResult,
    Suggestion,
    WarmStartPlan,
    nearest_datasets,
    suggest_configurations,
)

__all__ = [
    "AUTOSKLEARN_TO_OPENML",
    "METAFEATURE_NAMES",
    "OPENML_QUALITIES",
    "SIMILARITY_FEATURES",
    "DatasetSimilarity",
    "PastResult",
    "Suggestion",
    "WarmStartPlan",
    "autosklearn_to_openml",
    "compute_metafeatures",
    "hyperparameter_importance",
    "knowledge_base_importance",
    "nearest_datasets",
    "plot_importance",
    "suggest_configurations",
]
