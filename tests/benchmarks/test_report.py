"""Reports on hand-made results: normalisation, ranks, wins/ties/losses, CD, files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from benchmarks import stats
from benchmarks.report import write_report
from benchmarks.results import read_results, write_job_result

METRICS = {"A": ("binary", "roc_auc", True), "B": ("multiclass", "log_loss", False),
           "C": ("regression", "rmse", False)}  # fmt: skip
#: (task, fold) -> system -> test score (None = the job failed)
SCORES = {
    ("A", 0): {"constant": 0.5, "tuned-random-forest": 0.9, "automl": 0.8, "lightgbm": 0.7},
    ("A", 1): {"constant": 0.5, "tuned-random-forest": 0.7, "automl": 0.8, "lightgbm": 0.6},
    ("B", 0): {"constant": 1.0, "tuned-random-forest": 0.4, "automl": 0.25, "lightgbm": None},
    ("C", 0): {"constant": 10.0, "tuned-random-forest": 5.0, "automl": 6.0, "lightgbm": 4.0},
}


def _row(task, fold, system, score):
    task_type, metric, higher = METRICS[task]
    ok = score is not None
    trace = [[0.5, 0.6], [1.0, 0.8]] if system == "automl" and task == "A" else [[0.1, score]]
    return {
        "job_id": f"s__{task}__f{fold}__{system}__b10__s0",
        "suite": "synthetic",
        "task": task,
        "dataset": task,
        "task_type": task_type,
        "fold": fold,
        "system": system,
        "metric": metric,
        "higher_is_better": higher,
        "score": score if ok else float("nan"),
        "train_time": 1.0 if ok else None,
        "predict_time": 0.1 if ok else None,
        "n_trials": 3 if system == "automl" else 1,
        "status": "success" if ok else "error",
        "error": None if ok else "ValueError: boom\nTraceback ...",
        "versions": json.dumps({"python": "3"}),
        "budget": 10.0,
        "seed": 0,
        "trace": json.dumps(trace if ok else []),
    }


@pytest.fixture
def results_dir(tmp_path):
    out = tmp_path / "results"
    for (task, fold), by_system in SCORES.items():
        for system, score in by_system.items():
            write_job_result(out, {"row": _row(task, fold, system, score), "trials": None})
    return out


def test_normalisation_ranks_and_wins_by_hand(results_dir):
    results = stats.add_labels(read_results(results_dir))
    norm = stats.normalised_scores(results).set_index(["task", "fold", "system"])["normalised"]
    assert norm[("A", 0, "automl")] == pytest.approx(0.75)
    assert norm[("A", 1, "automl")] == pytest.approx(1.5)
    assert norm[("B", 0, "automl")] == pytest.approx(1.25)  # log loss: (0.25-1)/(0.4-1)
    assert norm[("C", 0, "lightgbm")] == pytest.approx(1.2)
    assert norm[("A", 0, "constant")] == 0 and norm[("C", 0, "tuned-random-forest")] == 1
    better = stats.oriented(stats.imputed_scores(results), stats.task_orientation(results))
    assert better.loc["B", "lightgbm"] == -1.0  # the failure gets the constant's log loss
    avg = stats.ranks(better).mean()
    assert avg["automl"] == pytest.approx(11 / 6) and avg["tuned-random-forest"] == pytest.approx(
        11 / 6
    )
    assert avg["lightgbm"] == pytest.approx(2.5) and avg["constant"] == pytest.approx(23 / 6)
    wtl = stats.wins_ties_losses(better)
    assert wtl.loc["automl", "tuned-random-forest"] == "1/1/1"
    assert wtl.loc["automl", "lightgbm"] == "2/0/1"
    assert wtl.loc["lightgbm", "constant"] == "2/1/0"
    summary = stats.system_summary(results, stats.normalised_scores(results), better)
    assert summary.loc["automl", "mean normalised"] == pytest.approx((1.125 + 1.25 + 0.8) / 3)
    assert summary.loc["lightgbm", "mean normalised"] == pytest.approx((0.5 + 0 + 1.2) / 3)
    assert summary.loc["lightgbm", "success"] == 3


def test_nemenyi_critical_difference_matches_demsar_table():
    # Demšar (2006), Table 5: q_0.05 = 2.569 for k = 4, 3.164 for k = 10
    assert stats.nemenyi_critical_difference(4, 3) == pytest.approx(
        2.569 * np.sqrt(20 / 18), abs=1e-3
    )
    assert stats.nemenyi_critical_difference(10, 30) == pytest.approx(
        3.164 * np.sqrt(110 / 180), abs=1e-3
    )
    better = pd.DataFrame({"a": [3.0, 2, 3, 4], "b": [2.0, 1, 2, 3], "c": [1.0, 0, 1, 1]})
    test = stats.friedman_nemenyi(better)
    assert list(test["average_ranks"].index) == ["a", "b", "c"]
    assert test["pvalue"] < 0.05 and test["k"] == 3 and test["n_tasks"] == 4
    assert "error" in stats.friedman_nemenyi(better.iloc[:1])


def test_report_files_and_contents(results_dir, tmp_path):
    out = tmp_path / "report"
    paths = write_report(results_dir, out)
    names = {p.name for p in paths}
    expected = {"report.md", "report.html", "anytime.png", "normalised_boxplot.png"}
    assert expected | {"critical_difference.png"} <= names
    for name in names - {"report.md", "report.html", "summary.json"}:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = (out / "report.md").read_text()
    for heading in ("## Summary", "## Normalised scores per task", "## Wins / ties / losses",
                    "## Average ranks and critical difference", "## Failures"):  # fmt: skip
        assert heading in text
    assert "ValueError: boom" in text and "Traceback" not in text
    assert "<img src='critical_difference.png'" in (out / "report.html").read_text()


def test_report_says_when_references_are_missing(results_dir, tmp_path):
    for path in (results_dir / "jobs").glob("*tuned-random-forest*"):
        path.unlink()
    paths = write_report(results_dir, tmp_path / "report")
    text = (tmp_path / "report" / "report.md").read_text()
    assert "no successful `tuned-random-forest` result on 3 task(s)" in text
    assert "## Normalised scores per task" not in text
    assert "rank_boxplot.png" in {p.name for p in paths}
    with pytest.raises(ValueError, match="No job results"):
        write_report(tmp_path / "empty")
