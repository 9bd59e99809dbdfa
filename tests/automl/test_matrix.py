"""The candidate pool and the dense performance matrix, built for real on small data."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from automl import _matrix
from automl._columns import ColumnTypes, infer_column_types
from automl._grow import GrowDataset
from automl._matrix import (
    POOL_SIZES,
    SELECTION_FAMILIES,
    SELECTION_PERCENTILES,
    build_matrix,
    build_oof,
    candidate_pool,
    load_pool,
    oof_candidates,
    selection_candidates,
)
from automl._space import build_space, make_pipeline, translate
from automl._task import METRICS, Task
from automl.components import DataShape
from knowledge_base import KnowledgeBase


@pytest.mark.parametrize("kind", ["classification", "regression"])
def test_pool_has_every_family_with_defaults_first_and_fits_the_space(kind):
    pool = candidate_pool(kind)
    sizes = POOL_SIZES[kind]
    assert len(pool) == sum(sizes.values())
    assert len({json.dumps(c, sort_keys=True) for c in pool}) == len(pool)
    task = Task.REGRESSION if kind == "regression" else Task.BINARY
    space = build_space(task, DataShape(1000, 10), ColumnTypes(("a", "b"), (False, True)))
    defaults = {}
    for family in sizes:
        cs = build_space(
            task, DataShape(1000, 10), ColumnTypes(("a", "b"), (False, True)), include=(family,)
        )
        defaults[family] = dict(cs.get_default_configuration())
    first = {}
    for config in pool:
        first.setdefault(config["model"], config)
        assert translate(config, space)[0] is not None, config
    assert first == defaults


def test_pool_is_seeded_and_families_are_independent():
    a = candidate_pool("classification")
    assert a == candidate_pool("classification")
    assert a != candidate_pool("classification", seed=1)
    fewer = candidate_pool("classification", sizes={"linear": 12, "lightgbm": 5})
    assert [c for c in fewer if c["model"] == "linear"] == [c for c in a if c["model"] == "linear"]


def test_stored_pool_is_read_back_unchanged(tmp_path):
    first = load_pool(tmp_path, "regression")
    assert first[: len(candidate_pool("regression"))] == candidate_pool("regression")
    (tmp_path / "pool-regression-v1.json").write_text(json.dumps(first[:3]))
    again = load_pool(tmp_path, "regression")
    assert again[:3] == first[:3]  # the file wins over the sampler
    # Only the selection candidates of the families it holds are added, once, and kept.
    assert [c["model"] for c in again[3:]] == ["lightgbm"] * len(SELECTION_PERCENTILES)
    assert load_pool(tmp_path, "regression") == again
    assert json.loads((tmp_path / "pool-regression-v1.json").read_text()) == again
    classification = load_pool(tmp_path, "classification")
    assert classification == candidate_pool("classification")  # none added there


def test_selection_candidates_cut_the_columns_of_their_family_defaults():
    pool = candidate_pool("regression")
    added = selection_candidates(pool, "regression")
    assert len(added) == len(SELECTION_FAMILIES["regression"]) * len(SELECTION_PERCENTILES)
    space = build_space(
        Task.REGRESSION, DataShape(1000, 10), ColumnTypes(("a", "b"), (False, True))
    )
    defaults = {}
    for config in pool:
        defaults.setdefault(config["model"], config)
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(120, 8)), columns=[f"x{i}" for i in range(8)])
    y = X["x0"] * 3 + rng.normal(scale=0.1, size=120)
    for config in added:
        assert translate(config, space)[0] is not None, config
        assert {**config, "feature_selection:__choice__": "none"} == {
            **defaults[config["model"]],
            "feature_selection:percentile": config["feature_selection:percentile"],
        }
        if config["model"] == "k_nearest_neighbors":
            pipeline = make_pipeline(config, Task.REGRESSION, infer_column_types(X))
            kept = pipeline[0].fit(X, y).transform(X)
            assert kept.shape[1] == int(np.ceil(8 * config["feature_selection:percentile"] / 100))
            assert np.allclose(np.abs(np.corrcoef(kept[:, 0], X["x0"])[0, 1]), 1.0)


def _datasets(n=150):
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.choice(["x", "y"], size=n)})
    y_class = pd.Series(np.where(X["a"] + (X["b"] == "x") > 0.5, "p", "n"))
    y_reg = pd.Series(X["a"] * 2 + rng.normal(scale=0.1, size=n))
    return [
        GrowDataset("toy-class", X, y_class, "classification"),
        GrowDataset("toy-reg", X.iloc[:, :1], y_reg, "regression"),
    ]


def test_build_matrix_records_every_cell_once_and_resumes(tmp_path):
    pools = {
        "classification": candidate_pool(
            "classification", sizes={"linear": 2, "k_nearest_neighbors": 2}
        ),
        "regression": candidate_pool("regression", sizes={"linear": 3}),
    }
    kb = KnowledgeBase(tmp_path / "kb")
    counts = build_matrix(kb, _datasets(), pools, max_rows=100, folds=3, verbose=0)
    assert counts["evaluated"] == 7 and counts["datasets"] == 2
    runs = kb.runs(statuses=None)
    assert len(runs) == 7 and (runs["source"] == "matrix").all()
    assert set(runs["resampling"]) == {"cv3"}
    assert np.allclose(runs["fidelity"], 100 / 150)
    assert (runs["predict_time"] > 0).all() and (runs["fit_time"] > 0).all()
    # The candidate's identity survives translation into each dataset's space.
    stored = {json.dumps(c, sort_keys=True) for p in pools.values() for c in p}
    assert set(runs["original_config"]) == stored
    assert len(kb.datasets()) == 2

    again = build_matrix(kb, _datasets(), pools, max_rows=100, folds=3, verbose=0)
    assert again["evaluated"] == 0 and again["skipped_existing"] == 7
    assert len(kb.runs(statuses=None)) == 7 and len(kb.datasets()) == 2

    # A candidate added later costs only its own cells.
    pools["regression"] = pools["regression"] + candidate_pool(
        "regression", sizes={"k_nearest_neighbors": 1}
    )
    more = build_matrix(kb, _datasets(), pools, max_rows=100, folds=3, verbose=0)
    assert more["evaluated"] == 1 and more["skipped_existing"] == 7


def test_shards_split_the_datasets(tmp_path):
    pools = {
        "classification": candidate_pool("classification", sizes={"linear": 1}),
        "regression": candidate_pool("regression", sizes={"linear": 1}),
    }
    kb = KnowledgeBase(tmp_path / "kb")
    first = build_matrix(kb, _datasets(), pools, shard=(0, 2), verbose=0)
    second = build_matrix(kb, _datasets(), pools, shard=(1, 2), verbose=0)
    assert first["datasets"] == second["datasets"] == 1
    assert set(kb.runs(statuses=None)["task"]) == {"binary", "regression"}


def test_kb_matrix_and_portfolio_commands(tmp_path, capsys):
    """``automl kb matrix`` fills the matrix from a PMLB-layout folder with a stored pool, and
    ``automl kb portfolio`` turns it into portfolio files a fit can read."""
    from automl.cli import main
    from tests.conftest import PMLB

    pool_dir = tmp_path / "pool"
    pool_dir.mkdir()
    for kind, sizes in (
        ("classification", {"linear": 2, "k_nearest_neighbors": 2}),
        ("regression", {"linear": 2}),
    ):
        pool = candidate_pool(kind, sizes=sizes)
        (pool_dir / f"pool-{kind}-v1.json").write_text(json.dumps(pool))
    kb_path = tmp_path / "kb"
    names = "analcatdata_aids,prnn_synth,1096_FacultySalaries,confidence"
    base = ["kb", "--path", str(kb_path)]
    assert (
        main(
            [
                *base,
                "matrix",
                "--data",
                str(PMLB),
                "--datasets",
                names,
                "--pool-dir",
                str(pool_dir),
                "--max-rows",
                "100",
            ]
        )
        == 0
    )
    assert "evaluated 14" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="--shard must be I/N with 0 <= I < N, got '2/2'"):
        main([*base, "matrix", "--data", str(PMLB), "--shard", "2/2"])
    assert main([*base, "portfolio", "--size", "3"]) == 0
    out = capsys.readouterr().out
    found = re.search(r"classification: (\d) members from 3 datasets x 4 candidates", out)
    assert found and 1 <= int(found.group(1)) <= 3
    assert "regression: 1 members from 1 datasets x 2 candidates" in out
    from metalearning.portfolio import Portfolio

    portfolio = Portfolio.load(kb_path / "portfolio" / "portfolio-classification-v1.json")
    assert {m["model"] for m in portfolio.members} <= {"linear", "k_nearest_neighbors"}
    assert portfolio.pool_normalised.shape == (3, 4)

    oof = tmp_path / "oof"
    command = [*base, "oof", "--data", str(PMLB), "--datasets", names, "--out", str(oof)]
    assert main([*command, "--pool-dir", str(pool_dir), "--max-rows", "100"]) == 0
    assert "datasets 4" in capsys.readouterr().out
    stored = {}
    for meta in oof.glob("*/meta.json"):
        cells = json.loads(meta.read_text())["candidates"]
        assert all((meta.parent / f"{run_id}.npy").exists() for run_id in cells)
        stored.update(cells)
    # The matrix's cells, predictions kept; the runs went to the scratch base, not this one.
    assert len(stored) >= 8 and set(stored) <= set(KnowledgeBase(kb_path).runs()["run_id"])
    assert len(KnowledgeBase(oof / "runs").runs(statuses=None)) == len(stored)
    assert len(KnowledgeBase(kb_path).runs(statuses=None)) == 14


def test_failed_cells_are_evaluated_again_on_request(tmp_path):
    pools = {
        "classification": candidate_pool("classification", sizes={"linear": 2}),
        "regression": candidate_pool("regression", sizes={"linear": 1}),
    }
    kb = KnowledgeBase(tmp_path / "kb")
    # A limit no trial process can meet: every cell times out.
    first = build_matrix(kb, _datasets()[:1], pools, per_trial_time_limit=0.01, verbose=0)
    assert first["evaluated"] == 2
    assert set(kb.runs(statuses=None)["status"]) == {"timeout"}
    resumed = build_matrix(kb, _datasets()[:1], pools, verbose=0)
    assert resumed["evaluated"] == 0  # a plain resume keeps them
    retried = build_matrix(kb, _datasets()[:1], pools, retry_failed=True, verbose=0)
    assert retried["evaluated"] == 2
    runs = kb.runs(statuses=None)
    assert len(runs) == 2 and set(runs["status"]) == {"success"}  # same run ids: replaced


def test_a_revised_familys_older_cells_are_evaluated_again_once(tmp_path, monkeypatch):
    """A family whose model changed: a build evaluates its cells written before the change
    again under the same run ids, leaves the other families' cells alone, and a further build
    finds nothing left to do."""
    pools = {
        "classification": candidate_pool("classification", sizes={"linear": 1}),
        "regression": candidate_pool("regression", sizes={"linear": 1, "mlp": 2}),
    }
    kb = KnowledgeBase(tmp_path / "kb")
    build_matrix(kb, _datasets()[1:], pools, max_rows=100, verbose=0)
    before = kb.runs(statuses=None).set_index("run_id")
    assert len(before) == 3
    # Just after the last row (timestamps hold microseconds): every row written from now on is
    # later than the change.
    changed = (before["created_at"].max() + pd.Timedelta(microseconds=1)).isoformat()
    monkeypatch.setitem(_matrix.REVISED, "regression", {"mlp": changed})

    again = build_matrix(kb, _datasets()[1:], pools, max_rows=100, verbose=0)
    assert again["evaluated"] == 2 and again["skipped_existing"] == 1
    after = kb.runs(statuses=None).set_index("run_id")
    assert set(after.index) == set(before.index)
    renewed = after["created_at"] > before["created_at"]
    assert set(after.loc[renewed, "model"]) == {"mlp"} and renewed.sum() == 2

    done = build_matrix(kb, _datasets()[1:], pools, max_rows=100, verbose=0)
    assert done["evaluated"] == 0 and done["skipped_existing"] == 3


def test_oof_candidates_are_the_order_then_each_familys_defaults():
    pool = candidate_pool("classification", sizes={"linear": 3, "k_nearest_neighbors": 3})
    order = [pool[2], pool[3], pool[4]]  # pool[3] is k-NN's defaults
    assert oof_candidates(pool, order, 2) == [pool[2], pool[3], pool[0]]


def test_build_oof_keeps_the_matrix_cells_predictions_and_resumes(tmp_path):
    candidates = {
        "classification": candidate_pool(
            "classification", sizes={"linear": 2, "k_nearest_neighbors": 1}
        ),
        "regression": candidate_pool("regression", sizes={"linear": 1}),
    }
    kb = KnowledgeBase(tmp_path / "kb")
    counts = build_oof(kb, _datasets(), candidates, tmp_path / "oof", max_rows=100, verbose=0)
    assert counts["evaluated"] == 4
    runs = kb.runs(statuses=None).set_index("run_id")
    matrix = KnowledgeBase(tmp_path / "matrix")
    build_matrix(matrix, _datasets(), candidates, max_rows=100, verbose=0)
    assert set(matrix.runs(statuses=None)["run_id"]) == set(runs.index)  # the same cells
    for meta_file in (tmp_path / "oof").glob("*/meta.json"):
        meta = json.loads(meta_file.read_text())
        y = np.load(meta_file.parent / "y.npy")
        assert len(y) == 100
        metric = METRICS[meta["metric"]]
        for run_id in meta["candidates"]:
            predictions = np.load(meta_file.parent / f"{run_id}.npy")
            assert predictions.dtype == np.float32 and len(predictions) == 100
            labels = np.arange(2) if metric.classification else None
            loss = metric.loss(y, predictions, labels)
            assert loss == pytest.approx(runs.loc[run_id, "loss"], rel=1e-4, abs=1e-6)

    again = build_oof(kb, _datasets(), candidates, tmp_path / "oof", max_rows=100, verbose=0)
    assert again["evaluated"] == 0 and again["skipped_existing"] == 4
    # A candidate that fails leaves a marker, and is not tried again on resuming.
    candidates["regression"] = candidates["regression"] + candidate_pool(
        "regression", sizes={"k_nearest_neighbors": 1}
    )
    data = _datasets()[1:]
    failed = build_oof(
        kb, data, candidates, tmp_path / "oof", max_rows=100, per_trial_time_limit=0.01, verbose=0
    )
    assert failed["evaluated"] == 1 and len(list((tmp_path / "oof").glob("*/*.failed"))) == 1
    resumed = build_oof(kb, data, candidates, tmp_path / "oof", max_rows=100, verbose=0)
    assert resumed["evaluated"] == 0
