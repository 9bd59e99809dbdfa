"""Importers: past runs from other sources as knowledge-base rows.

Each importer returns an :class:`ImportResult` (``datasets`` and ``runs`` frames in the spec's
tables, ``skipped`` counts by reason, ``notes``); each module's ``import_into(kb, ...)`` appends
the rows to a ``KnowledgeBase``.

* :func:`import_autosklearn` - auto-sklearn's meta-data folders (:mod:`.autosklearn`);
* :func:`import_openml_runs` - the downloaded openml-pimp runs (:mod:`.openml_runs`);
* :func:`import_openml_tasks`, :func:`import_openml_suite`, :func:`import_openml_evaluations`
  - live OpenML through the ``openml`` client (:mod:`.openml_client`).

``AUTOSKLEARN_TO_OPENML`` and :func:`autosklearn_to_openml` map auto-sklearn meta-feature names
onto OpenML quality names (:mod:`._autosklearn_names`).
"""

from knowledge_base.importers._autosklearn_names import (
    AUTOSKLEARN_TO_OPENML,
    autosklearn_to_openml,
)
from knowledge_base.importers._common import (
    DATASET_COLUMNS,
    ImportResult,
    clean_openml_qualities,
    fraction_to_exponent,
    merge_results,
)
from knowledge_base.importers.autosklearn import import_autosklearn
from knowledge_base.importers.openml_client import (
    import_openml_evaluations,
    import_openml_suite,
    import_openml_tasks,
)
from knowledge_base.importers.openml_runs import import_openml_runs

__all__ = [
    "AUTOSKLEARN_TO_OPENML",
    "DATASET_COLUMNS",
    "ImportResult",
    "autosklearn_to_openml",
    "clean_openml_qualities",
    "fraction_to_exponent",
    "import_autosklearn",
    "import_openml_evaluations",
    "import_openml_runs",
    "import_openml_suite",
    "import_openml_tasks",
    "merge_results",
]
