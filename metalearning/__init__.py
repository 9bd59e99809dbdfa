"""Meta-learning: meta-features of datasets and similarity between datasets.

* :func:`compute_metafeatures` - OpenML data qualities of a table and its target;
* :data:`SIMILARITY_FEATURES`, :class:`DatasetSimilarity` - auto-sklearn style nearest datasets
  (min-max scaled meta-features, L1 distance), robust to missing meta-features;
* :data:`AUTOSKLEARN_TO_OPENML`, :func:`autosklearn_to_openml` - auto-sklearn's meta-feature
  names and values in OpenML's names and conventions;
* :func:`suggest_configurations`, :func:`nearest_datasets` - warm start from a knowledge base:
  the best configurations of the nearest past datasets, and their other results
  (:class:`PastResult`) for an optimiser's surrogate.
"""

from knowledge_base.importers import AUTOSKLEARN_TO_OPENML, autosklearn_to_openml
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
    "nearest_datasets",
    "suggest_configurations",
]
