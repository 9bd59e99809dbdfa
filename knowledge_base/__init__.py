"""The knowledge base: past datasets and runs as append-only, versioned Parquet files.

>>> from knowledge_base import KnowledgeBase
>>> kb = KnowledgeBase.default()          # doctest: +SKIP
>>> kb.best_configurations("openml-31")   # doctest: +SKIP

See SCHEMA.md in this folder for the tables and their columns.
"""

from .fingerprint import dataset_fingerprint
from .paths import default_user_path, shipped_path
from .schema import (
    DATASETS_SCHEMA,
    PRIMARY_KEYS,
    RUNS_SCHEMA,
    SCHEMA_VERSION,
    KnowledgeBaseError,
    column_docs,
    validate_frame,
)
from .store import KnowledgeBase, KnowledgeBaseWarning, format_stats

__all__ = [
    "DATASETS_SCHEMA",
    "PRIMARY_KEYS",
    "RUNS_SCHEMA",
    "SCHEMA_VERSION",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "KnowledgeBaseWarning",
    "column_docs",
    "dataset_fingerprint",
    "default_user_path",
    "format_stats",
    "shipped_path",
    "validate_frame",
]
