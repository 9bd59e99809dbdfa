"""Batch benchmarks of the AutoML estimator and its peers over OpenML and local suites.

Run ``automl bench run`` (or ``python -m benchmarks run``) to execute every (task, fold,
system) job of a suite in its own process, and ``automl bench report`` to compare the results.
Modules: :mod:`~benchmarks.suites` (tasks and folds), :mod:`~benchmarks.systems` and
:mod:`~benchmarks.peers` (what is compared), :mod:`~benchmarks.runner` and
:mod:`~benchmarks.job` (isolated execution), :mod:`~benchmarks.results` (Parquet results and
knowledge-base rows), :mod:`~benchmarks.report` and :mod:`~benchmarks.plots` (comparison).
"""
