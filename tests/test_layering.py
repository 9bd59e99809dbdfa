"""Packages depend only downward: benchmarks -> automl -> metalearning -> knowledge_base."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["knowledge_base", "metalearning", "automl", "benchmarks"]


def _imported_packages(path: Path) -> set[str]:
    """Top-level packages that a module imports, lazily inside functions too."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", LAYERS[:-1])
def test_a_package_imports_no_package_above_it(package):
    above = set(LAYERS[LAYERS.index(package) + 1 :])
    offending = {
        str(path.relative_to(ROOT)): sorted(_imported_packages(path) & above)
        for path in sorted((ROOT / package).rglob("*.py"))
        if _imported_packages(path) & above
    }
    assert offending == {}


# Benchmarks that still import private automl modules, and why; fix one and drop it from here.
PRIVATE_AUTOML_ALLOWED = {
    # compares calibrators and ensemble-selection variants: the internals are what it measures
    "benchmarks/calibration.py",
    # replays searches through the cost model to calibrate its family factors: its internals
    "benchmarks/cost_calibration.py",
    # compares the ensemble's candidate lists on one search: the estimator's internals again
    "benchmarks/ensemble_pool.py",
    # switches the final members between one refit and their fold models: the same internals
    "benchmarks/fold_bagging.py",
    # re-evaluates the ensemble's candidates on fresh folds after one search: the same internals
    "benchmarks/revalidation.py",
    # fits with and without keeping the fold models (automl._estimator.KEEP_FOLD_MODELS)
    "benchmarks/kept_fold_models.py",
    # a mode that switches a setting of the estimator's module (PORTFOLIO_STEERS) for one fit
    "benchmarks/warm_vs_cold.py",
    # holds the portfolio's skip share (automl._knowledge.AFFORDABLE_SHARE) off for one fit
    "benchmarks/member_costs.py",
    # scores ensembles of stored out-of-fold predictions with the estimator's own selection
    "benchmarks/ensemble_portfolio.py",
    # switches a refit to continue its past (automl._knowledge.OWN_PAST_CONTINUES) for one fit
    "benchmarks/own_past.py",
    # reads local tables and OpenML tasks with automl's own readers (automl._io,
    # automl._openml_data), so that `automl fit` and `automl bench` see the same data
    "benchmarks/suites.py",
    # fits in fresh processes with the fork server started early or late (EARLY_FORK_SERVER)
    "benchmarks/fresh_process.py",
    # checks the cost model's size factor of HistGradientBoosting (automl._cost.size_factor)
    "benchmarks/results/hgb-cost-s42/hgb_cost.py",
    # checks CatBoost's cost on the data's shape (automl._cost.catboost_default_seconds)
    "benchmarks/results/catboost-cost-s43/catboost_cost.py",
    # fits single regression pipelines as a search's trial builds them (automl._space)
    "benchmarks/results/target-scaling-s54/defaults.py",
    # times the portfolio's forests as a search's trial builds them (automl._space)
    "benchmarks/results/family-check-s56/forest_scaling.py",
    # checks the members' measured growth (automl._knowledge.ROW_EXPONENTS) against their times
    "benchmarks/results/forest-growth-s57/fit_exponents.py",
    # plans warm starts with and without ROW_EXPONENTS (automl._knowledge), no fit
    "benchmarks/results/forest-growth-s57/plan_diff.py",
}


def _private_automl_imports(source: str, filename: str = "<source>") -> list[str]:
    """The private ``automl`` modules and names (a dotted part that starts with one underscore)
    that a module's source imports, lazily inside functions too."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [
            name
            for name in names
            if name.split(".")[0] == "automl"
            and any(p.startswith("_") and not p.startswith("__") for p in name.split("."))
        ]
    return found


def test_private_automl_imports_are_found():
    """The check below can fail: it sees each way of importing a private module."""
    code = (
        "import automl.components._early_stopping as es\n"
        "from automl._io import read_table\n"
        "from automl import _space, AutoMLClassifier, __version__\n"
        "from automl.components import COMPONENTS\n"
        "def lazy():\n"
        "    from automl._matrix import load_pool\n"
    )
    assert sorted(_private_automl_imports(code)) == [
        "automl._io.read_table",
        "automl._matrix.load_pool",
        "automl._space",
        "automl.components._early_stopping",
    ]


def test_benchmarks_import_only_public_automl_names():
    """``benchmarks`` sits above ``automl``: it uses what ``automl/__init__.py`` exports (and
    public subpackages such as ``automl.components``), not ``automl._*`` modules."""
    private = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / "benchmarks").rglob("*.py"))
        if (found := _private_automl_imports(path.read_text(), str(path)))
    }
    assert {k: v for k, v in private.items() if k not in PRIVATE_AUTOML_ALLOWED} == {}
    assert set(private) >= PRIVATE_AUTOML_ALLOWED  # a fixed module leaves the allowed list


def test_every_public_automl_name_resolves():
    import automl

    for name in automl.__all__:
        assert getattr(automl, name) is not None, name
