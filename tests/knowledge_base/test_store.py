"""KnowledgeBase on real Parquet files: appends, queries, views, compaction, crashes."""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import knowledge_base._parts as parts
import knowledge_base.store as store
from knowledge_base import (
    RUNS_SCHEMA,
    KnowledgeBase,
    KnowledgeBaseError,
    KnowledgeBaseWarning,
    format_stats,
    shipped_path,
)

PART = re.compile(r"^part-\d{8}T\d{6}\.\d{6}Z-\d+-[0-9a-f]{32}\.parquet$")


def files(root: Path, table: str) -> list[str]:
    return sorted(p.name for p in (root / table).iterdir())


# ------------------------------------------------------------------ basics


def test_empty_base_reads_empty_and_creates_nothing(kb, kb_path):
    assert kb.datasets().empty and kb.datasets().columns[0] == "dataset_id"
    assert kb.runs().empty and list(kb.runs().columns) == RUNS_SCHEMA.names
    assert kb.metafeatures().shape == (0, 0)
    assert kb.best_configurations("nope").empty
    assert kb.stats()["runs"] == 0 and kb.stats()["files"] == 0
    kb.append(runs=None, datasets=None)
    assert not kb_path.exists()


def test_append_writes_new_part_files(kb, kb_path, make_runs, make_datasets):
    kb.append(datasets=make_datasets(2), runs=make_runs(3))
    kb.append(runs=make_runs(4, seed=1))
    assert [PART.match(n) is not None for n in files(kb_path, "runs")] == [True, True]
    assert len(files(kb_path, "datasets")) == 1
    assert len(kb.runs()) == 7 and len(kb.datasets()) == 2


def test_append_validates_everything_before_writing(kb, kb_path, make_runs, make_datasets):
    with pytest.raises(KnowledgeBaseError, match="column 'status' must be one of"):
        kb.append(datasets=make_datasets(2), runs=make_runs(2, status="failed"))
    assert not kb_path.exists()


def test_round_trip_keeps_values(kb, make_runs, make_datasets):
    datasets = make_datasets(3, openml_dataset_id=[31, None, 3])
    runs = make_runs(5, original_config='{"n_estimators": 10}', error=None)
    kb.append(datasets=datasets, runs=runs)
    got = kb.datasets()
    pd.testing.assert_frame_equal(
        got[list(datasets.columns)].drop(columns="openml_dataset_id"),
        datasets.drop(columns="openml_dataset_id").astype({"n_rows": "int64"}),
        check_dtype=False,
    )
    assert got["openml_dataset_id"].tolist()[0] == 31 and got["openml_dataset_id"].isna()[1]
    assert str(got["openml_dataset_id"].dtype) == "Int64"
    got = kb.runs()
    np.testing.assert_allclose(got["loss"], runs["loss"])
    assert got["config"].tolist() == [
        json.dumps(json.loads(c), sort_keys=True) for c in runs["config"]
    ]
    assert str(got["created_at"].dtype) == "datetime64[us, UTC]"


@pytest.mark.parametrize("missing", [np.nan, None, float("inf"), float("-inf")])
def test_nan_metafeatures_round_trip(kb, make_datasets, missing):
    datasets = make_datasets(["a", "b"])
    datasets["metafeatures"] = [{"X": 1.5, "Y": missing}, {"Y": 2.0, "Z": missing}]
    kb.append(datasets=datasets)
    mf = kb.metafeatures()
    assert mf.index.name == "dataset_id" and list(mf.index) == ["a", "b"]
    assert list(mf.columns) == ["X", "Y", "Z"] and (mf.dtypes == "float64").all()
    assert mf.loc["a", "X"] == 1.5 and mf.loc["b", "Y"] == 2.0
    assert mf.loc["a", ["Y", "Z"]].isna().all() and mf.loc["b", ["X", "Z"]].isna().all()


def test_datasets_without_metafeatures_still_get_a_row(kb, make_datasets):
    kb.append(datasets=make_datasets(["a"], metafeatures="{}"))
    assert list(kb.metafeatures().index) == ["a"]


def test_last_one_wins(kb, make_runs, make_datasets):
    kb.append(datasets=make_datasets(["a", "b"]))
    kb.append(datasets=make_datasets(["a"], name="renamed"))
    runs = make_runs(2, run_id=["r1", "r2"])
    kb.append(runs=runs)
    kb.append(runs=runs.iloc[:1].assign(loss=0.01, score=0.99))
    assert kb.datasets().set_index("dataset_id").loc["a", "name"] == "renamed"
    assert len(kb.datasets()) == 2
    got = kb.runs().set_index("run_id")
    assert len(got) == 2 and got.loc["r1", "loss"] == 0.01


# ------------------------------------------------------------------ queries


@pytest.fixture
def filled(kb, make_runs, make_datasets):
    kb.append(datasets=make_datasets(["a", "b", "c"]))
    kb.append(runs=make_runs(6, "a"))
    kb.append(runs=make_runs(4, "b", seed=1, status=["success", "crashed", "timeout", "memout"]))
    kb.append(runs=make_runs(2, "c", seed=2))
    return kb


@pytest.mark.parametrize(
    ("dataset_ids", "statuses", "expected"),
    [
        (None, ("success",), 9),
        (None, None, 12),
        ("a", ("success",), 6),
        (["a", "b"], ("success",), 7),
        (["b"], ("crashed", "timeout"), 2),
        ("b", "memout", 1),
        ([], None, 0),
        (["zzz"], None, 0),
    ],
)
def test_runs_filters(filled, dataset_ids, statuses, expected):
    got = filled.runs(dataset_ids, statuses=statuses)
    assert len(got) == expected
    if dataset_ids is not None and expected:
        ids = [dataset_ids] if isinstance(dataset_ids, str) else dataset_ids
        assert set(got["dataset_id"]) <= set(ids)


def test_runs_rejects_unknown_status(filled):
    with pytest.raises(ValueError, match=r"unknown status\(es\) \['failed'\]"):
        filled.runs(statuses=["failed"])


def test_best_configurations(kb, make_runs):
    runs = make_runs(6, "a")
    runs["loss"] = [0.3, 0.1, 0.2, 0.1, 0.05, 0.4]
    runs["config"] = ['{"x": 1}', '{"x": 2}', '{"x": 3}', '{"x": 2}', '{"x": 9}', '{"x": 1}']
    runs.loc[4, "status"] = "crashed"  # lowest loss, but not a success
    runs.loc[5, "metric"] = "accuracy"
    kb.append(runs=runs)
    best = kb.best_configurations("a", n=3)
    assert best["config"].tolist() == ['{"x": 2}', '{"x": 3}', '{"x": 1}']
    assert best["loss"].tolist() == [0.1, 0.2, 0.3]
    assert (best["metric"] == "roc_auc").all()
    assert kb.best_configurations("a")["config"].tolist() == ['{"x": 2}']
    other = kb.best_configurations("a", n=5, metric="accuracy")
    assert other["config"].tolist() == ['{"x": 1}'] and other["loss"].tolist() == [0.4]
    assert kb.best_configurations("a", metric="rmse").empty
    assert kb.best_configurations("zzz").empty
    with pytest.raises(ValueError, match="n must be a positive integer"):
        kb.best_configurations("a", n=0)


def test_excluding_hides_datasets_and_their_runs(filled, kb_path, make_runs):
    view = filled.excluding(["a"])
    assert set(view.datasets()["dataset_id"]) == {"b", "c"}
    assert set(view.runs(statuses=None)["dataset_id"]) == {"b", "c"}
    assert "a" not in view.metafeatures().index
    assert view.best_configurations("a").empty and not view.best_configurations("c").empty
    assert view.stats()["datasets"] == 2 and view.stats()["runs"] == 6
    assert set(view.excluding("b").datasets()["dataset_id"]) == {"c"}
    assert len(filled.datasets()) == 3  # the base itself is unchanged
    for action in (lambda: view.append(runs=make_runs(1)), view.compact):
        with pytest.raises(KnowledgeBaseError, match="read-only view"):
            action()
    assert not view.writable and filled.writable
    assert not filled.excluding([]).writable
    assert len(filled.excluding([]).runs()) == len(filled.runs())


def test_stats(filled):
    stats = filled.stats()
    assert stats["datasets"] == 3 and stats["runs"] == 12
    assert stats["runs_by_status"] == {"success": 9, "crashed": 1, "memout": 1, "timeout": 1}
    assert stats["datasets_by_source"] == {"user": 3} and stats["runs_by_task"] == {"binary": 12}
    assert sum(stats["runs_by_model"].values()) == 12
    assert stats["files"] == 4 and stats["bytes"] > 0
    table = format_stats(stats)
    assert re.search(r"^runs +12$", table, re.M) and re.search(r"^  success +9$", table, re.M)


# ------------------------------------------------------------------ caching and other writers


def test_reads_are_cached_but_new_files_are_seen(filled, kb_path, make_runs, monkeypatch):
    calls = []
    real = store.read_part
    monkeypatch.setattr(store, "read_part", lambda *a: calls.append(a[0]) or real(*a))
    filled.runs()
    assert len(calls) == 3  # the three runs parts
    filled.runs(["a"])
    filled.runs(statuses=None)
    filled.best_configurations("a")
    filled.excluding("a").runs()
    filled.stats()
    assert len(calls) == 4  # + the datasets part, read by stats()
    KnowledgeBase(kb_path).append(runs=make_runs(2, "c", seed=5))  # another writer
    assert len(filled.runs(["c"])) == 4
    assert len(calls) == 5  # only the new part file was read


# ------------------------------------------------------------------ corrupt and foreign files


def _garbage(path: Path, good: Path) -> None:
    path.write_bytes(b"this is not parquet at all" * 10)


def _truncated(path: Path, good: Path) -> None:
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])


def _empty(path: Path, good: Path) -> None:
    path.write_bytes(b"")


def _foreign(path: Path, good: Path) -> None:
    pq.write_table(pa.table({"x": [1, 2], "y": ["a", "b"]}), path)


def _other_table(path: Path, good: Path) -> None:
    datasets = next((good.parent.parent / "datasets").glob("*.parquet"))
    path.write_bytes(datasets.read_bytes())


BAD_FILES = [
    (_garbage, "not a readable Parquet file"),
    (_truncated, "not a readable Parquet file"),
    (_empty, "not a readable Parquet file"),
    (_foreign, r"not a knowledge-base runs file \(schema mismatch\)"),
    (_other_table, "holds the 'datasets' table, not 'runs'"),
]


@pytest.mark.parametrize(("write", "message"), BAD_FILES)
def test_corrupt_file_raises_naming_it(filled, kb_path, write, message):
    good = kb_path / "runs" / files(kb_path, "runs")[0]
    bad = kb_path / "runs" / "part-bad.parquet"
    write(bad, good)
    fresh = KnowledgeBase(kb_path)
    with pytest.raises(KnowledgeBaseError, match=re.escape(str(bad)) + ".*" + message):
        fresh.runs()
    with pytest.raises(KnowledgeBaseError, match=r"part-bad\.parquet"):
        fresh.compact()
    assert bad.exists() and len(files(kb_path, "runs")) == 4


@pytest.mark.parametrize(("write", "message"), BAD_FILES)
def test_corrupt_file_is_skipped_with_a_warning(filled, kb_path, write, message):
    good = kb_path / "runs" / files(kb_path, "runs")[0]
    bad = kb_path / "runs" / "part-bad.parquet"
    write(bad, good)
    skipping = KnowledgeBase(kb_path, on_corrupt="skip")
    with pytest.warns(KnowledgeBaseWarning, match="skipping .*part-bad.parquet"):
        assert len(skipping.runs(statuses=None)) == 12
    skipping.runs()  # warned once per file, not per query
    with pytest.warns(KnowledgeBaseWarning):
        KnowledgeBase(kb_path, on_corrupt="skip").compact()
    assert bad.exists()
    with pytest.warns(KnowledgeBaseWarning, match="part-bad"):
        assert len(KnowledgeBase(kb_path, on_corrupt="skip").runs(statuses=None)) == 12


def test_temp_files_are_ignored(filled, kb_path):
    (kb_path / "runs" / ".tmp-part-x.parquet").write_bytes(b"half written")
    (kb_path / "runs" / "notes.txt").write_text("not a part file")
    assert len(KnowledgeBase(kb_path).runs(statuses=None)) == 12


def test_older_schema_files_are_read_with_nulls(kb, kb_path, make_runs):
    kb.append(runs=make_runs(2))
    table = pq.read_table(next((kb_path / "runs").glob("*.parquet")))
    old = table.drop_columns(["original_config", "fit_time", "predict_time", "seed", "error"])
    pq.write_table(old.replace_schema_metadata(None), kb_path / "runs" / "part-0-old.parquet")
    got = KnowledgeBase(kb_path).runs()
    assert len(got) == 2  # same run ids: the old file (sorted first) loses
    assert got["seed"].notna().all()
    (kb_path / "runs" / "part-0-old.parquet").rename(kb_path / "runs" / "part-9-old.parquet")
    got = KnowledgeBase(kb_path).runs()
    assert got["seed"].isna().all() and got["fit_time"].isna().all() and len(got) == 2
    assert got["predict_time"].isna().all()


# ------------------------------------------------------------------ compaction


def test_compact_merges_and_keeps_everything(filled, kb_path, make_runs):
    filled.append(runs=make_runs(3, "a", seed=9, run_id=filled.runs("a")["run_id"][:3].tolist()))
    before_runs = filled.runs(statuses=None).sort_values("run_id").reset_index(drop=True)
    before_datasets = filled.datasets()
    assert len(files(kb_path, "runs")) == 4
    filled.compact()
    assert len(files(kb_path, "runs")) == 1 and len(files(kb_path, "datasets")) == 1
    after = KnowledgeBase(kb_path)
    pd.testing.assert_frame_equal(
        after.runs(statuses=None).sort_values("run_id").reset_index(drop=True), before_runs
    )
    pd.testing.assert_frame_equal(after.datasets(), before_datasets)
    filled.compact()  # nothing left to do
    assert len(files(kb_path, "runs")) == 1


def test_crash_during_compact_loses_nothing(filled, kb_path, monkeypatch):
    before = filled.runs(statuses=None).sort_values("run_id").reset_index(drop=True)

    def crash(self, missing_ok=False):
        raise KeyboardInterrupt("killed after writing the compacted file")

    monkeypatch.setattr(Path, "unlink", crash)
    with pytest.raises(KeyboardInterrupt):
        filled.compact()
    monkeypatch.undo()
    assert len(files(kb_path, "runs")) == 4  # 3 parts + the compacted file
    after = KnowledgeBase(kb_path).runs(statuses=None).sort_values("run_id")
    pd.testing.assert_frame_equal(after.reset_index(drop=True), before)
    KnowledgeBase(kb_path).compact()
    assert len(files(kb_path, "runs")) == 1
    assert len(KnowledgeBase(kb_path).runs(statuses=None)) == len(before)


def test_compact_removes_stale_temp_files_only(filled, kb_path):
    stale, fresh = kb_path / "runs" / ".tmp-old.parquet", kb_path / "runs" / ".tmp-new.parquet"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(stale, (time.time() - 2 * parts.STALE_TMP_SECONDS,) * 2)
    filled.compact()
    assert not stale.exists() and fresh.exists()


def test_read_only_paths_are_read_but_never_written(tmp_path, make_runs, make_datasets):
    shipped = KnowledgeBase(tmp_path / "shipped")
    shipped.append(datasets=make_datasets(["a", "b"]), runs=make_runs(3, "a"))
    shipped.append(runs=make_runs(2, "b"))
    frozen = {p: p.stat().st_mtime_ns for p in (tmp_path / "shipped").rglob("*")}
    kb = KnowledgeBase(tmp_path / "user", read_only_paths=[tmp_path / "shipped"])
    kb.append(datasets=make_datasets(["a"], name="mine"), runs=make_runs(1, "c"))
    kb.compact()
    assert len(kb.runs()) == 6 and len(kb.datasets()) == 2
    assert kb.datasets().set_index("dataset_id").loc["a", "name"] == "mine"  # writable wins
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "shipped").rglob("*")} == frozen
    readonly = KnowledgeBase(None, read_only_paths=tmp_path / "shipped")
    assert len(readonly.runs()) == 5
    with pytest.raises(KnowledgeBaseError, match="without a writable path"):
        readonly.append(runs=make_runs(1))


# ------------------------------------------------------------------ default()


def test_default_respects_env(monkeypatch, tmp_path, make_runs):
    monkeypatch.setenv("AUTOML_KB_DIR", str(tmp_path / "env-kb"))
    kb = KnowledgeBase.default()
    assert kb.path == tmp_path / "env-kb"
    assert kb.read_only_paths == (shipped_path(),)
    kb.append(runs=make_runs(2))
    assert len(files(tmp_path / "env-kb", "runs")) == 1


@pytest.mark.parametrize("value", [None, "", "  "])
def test_default_falls_back_to_home(monkeypatch, tmp_path, value):
    if value is None:
        monkeypatch.delenv("AUTOML_KB_DIR", raising=False)
    else:
        monkeypatch.setenv("AUTOML_KB_DIR", value)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert KnowledgeBase.default().path == tmp_path / ".automl" / "knowledge_base"


def test_default_skips_missing_shipped_base(monkeypatch, tmp_path, make_runs):
    monkeypatch.setenv("AUTOML_KB_DIR", str(tmp_path / "kb"))
    monkeypatch.setattr(store, "shipped_path", lambda: tmp_path / "no-such-folder")
    kb = KnowledgeBase.default()
    assert kb.runs().empty and kb.stats()["files"] == 0
    kb.append(runs=make_runs(1))
    assert len(kb.runs()) == 1


def test_bad_on_corrupt_value(kb_path):
    with pytest.raises(ValueError, match="on_corrupt must be 'raise' or 'skip'"):
        KnowledgeBase(kb_path, on_corrupt="ignore")


# ------------------------------------------------------------------ real processes


@pytest.mark.parametrize("mid_write", [False, True], ids=["anytime", "mid-write"])
def test_kill_9_during_appends_keeps_completed_appends(kb_path, start_writer, mid_write):
    rows = 5_000
    proc = start_writer(kb_path, "w", -1, rows, stall_at=3 if mid_write else -1)
    done = [int(proc.stdout.readline()) for _ in range(3)]
    if mid_write:
        assert proc.stdout.readline().strip() == "stalled"  # append 3 is half written
    else:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    if mid_write:
        assert [n for n in files(kb_path, "runs") if n.startswith(".tmp-")]  # the torn file
    runs = KnowledgeBase(kb_path).runs()  # on_corrupt="raise": nothing half-written is visible
    appends = runs["dataset_id"].value_counts()
    assert (appends == rows).all()  # every append is whole
    assert {f"w-{i:05d}" for i in done} <= set(appends.index)
    assert sorted(appends.index) == [f"w-{i:05d}" for i in range(len(appends))]
    if mid_write:
        assert len(appends) == 3
    KnowledgeBase(kb_path).compact()  # and the base stays usable
    assert len(KnowledgeBase(kb_path).runs()) == len(runs)


def _start_together(start_writer, kb_path, tmp_path, n_procs, n_appends, rows):
    go = tmp_path / "go"
    procs = [start_writer(kb_path, f"p{k}", n_appends, rows, go=go) for k in range(n_procs)]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready"
    go.touch()
    return procs


def _finish(procs):
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err


def test_concurrent_appends_lose_nothing(kb_path, tmp_path, start_writer):
    procs = _start_together(start_writer, kb_path, tmp_path, 4, 10, 5)
    _finish(procs)
    runs = KnowledgeBase(kb_path).runs()
    assert len(runs) == 4 * 10 * 5 and runs["run_id"].is_unique
    assert len(files(kb_path, "runs")) == 40


def test_compacting_while_others_append_loses_nothing(kb_path, tmp_path, start_writer):
    procs = _start_together(start_writer, kb_path, tmp_path, 2, 20, 5)
    kb = KnowledgeBase(kb_path)
    while any(proc.poll() is None for proc in procs):
        kb.compact()
        KnowledgeBase(kb_path).runs()  # a reader racing the compactions
    _finish(procs)
    assert len(KnowledgeBase(kb_path).runs()) == 2 * 20 * 5
    kb.compact()
    assert len(files(kb_path, "runs")) == 1 and len(kb.runs()) == 2 * 20 * 5


def test_frames_read_from_one_base_append_to_another(filled, tmp_path):
    copy = KnowledgeBase(tmp_path / "copy")
    copy.append(datasets=filled.datasets(), runs=filled.runs(statuses=None))
    pd.testing.assert_frame_equal(copy.datasets(), filled.datasets())
    pd.testing.assert_frame_equal(copy.runs(statuses=None), filled.runs(statuses=None))
