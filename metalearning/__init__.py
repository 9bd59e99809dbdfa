"""Meta-learning: meta-features of datasets and similarity between datasets.

* :func:`compute_metafeatures` - OpenML data qualities of a table and its target;
* :data:`SIMILARITY_FEATURES`, :class:`DatasetSimilarity` - auto-sklearn style nearest datasets
  (min-max scaled meta-features, L1 distance), robust to missing meta-features;
* :data:`AUTOSKLEARN_TO_OPENML`, :func:`autosklearn_to_openml` - auto-sklearn's meta-feature
  names and values in OpenML's names and conventions.
"""

from knowledge_base.importers import AUTOSKLEARN_TO_OPENML, autosklearn_to_openml
from metalearning.metafeatures import METAFEATURE_NAMES, OPENML_QUALITIES, compute_metafeatures
from metalearning.similarity import SIMILARITY_FEATURES, DatasetSimilarity

__all__ = [
    "AUTOSKLEARN_TO_OPENML",
    "METAFEATURE_NAMES",
    "OPENML_QUALITIES",
    "SIMILARITY_FEATURES",
    "DatasetSimilarity",
    "autosklearn_to_openml",
    "compute_metafeatures",
]
