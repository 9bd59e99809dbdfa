"""The estimator reads its past from a knowledge base and writes every fit back."""

import shutil

import numpy as np
import pandas as pd
import pytest

from automl import AutoMLClassifier
from knowledge_base import KnowledgeBase
from tests.conftest import isolated, read_pmlb

THREE_FAMILIES = ("random_forest", "extra_trees", "k_nearest_neighbors")
QUICK_FAMILIES = ("lightgbm", "linear", "k_nearest_neighbors")


def fit(X, y, kb, **kw):
    # 5-fold CV: at 60 s, "auto" would repeat it 3 times on these 200 rows, for nothing here.
    # Quick families unless a test names others: what is read and written does not depend on
    # them, and the default second and third trials (CatBoost, a forest) cost seconds each.
    params = dict(
        time_budget=60,
        n_trials=4,
        random_state=0,
        knowledge_base=kb,
        resampling="cv",
        models=QUICK_FAMILIES,
    )
    return AutoMLClassifier(**{**params, **kw}).fit(X, y)


def _recorded(tmp_path_factory, name: str, **kw):
    """A base in which one fit of prnn_crabs (``fit(..., **kw)``) recorded itself, and that fit.
    Several tests start from the same past fit: it runs once per module, not once per test."""
    root = tmp_path_factory.mktemp(name)
    with isolated(root / "user-kb"):
        model = fit(*read_pmlb("prnn_crabs"), KnowledgeBase(root / "kb"), **kw)
    return root / "kb", model


@pytest.fixture(scope="module")
def _one_fit(tmp_path_factory):
    return _recorded(tmp_path_factory, "one-fit")


@pytest.fixture
def one_fit(_one_fit, tmp_path):
    """(a copy of a base holding one recorded 4-trial fit of prnn_crabs, that fit)."""
    path, model = _one_fit
    shutil.copytree(path, tmp_path / "kb")
    return tmp_path / "kb", model


@pytest.fixture(scope="module")
def _twelve_runs(tmp_path_factory):
    return _recorded(
        tmp_path_factory, "twelve-runs", models=THREE_FAMILIES, n_trials=12, random_state=1
    )


@pytest.fixture
def twelve_runs(_twelve_runs, tmp_path):
    """(a copy of a base holding one recorded 12-trial fit of prnn_crabs, that fit)."""
    path, model = _twelve_runs
    shutil.copytree(path, tmp_path / "kb")
    return tmp_path / "kb", model


@pytest.mark.slow
def test_fit_records_itself_and_a_refit_starts_from_its_best(tmp_path, load_pmlb):
    X, y = load_pmlb("prnn_crabs")
    kb = KnowledgeBase(tmp_path / "kb")
    first = fit(X, y, kb, models=("random_forest", "extra_trees", "k_nearest_neighbors"))
    assert first.warm_start_["used"] is False  # empty base: nothing to start from
    assert len(kb.datasets()) == 1 and len(kb.runs()) == 4
    assert set(kb.runs()["model"]) <= {"random_forest", "extra_trees", "k_nearest_neighbors"}

    second = fit(
        X, y, kb, models=("random_forest", "extra_trees", "k_nearest_neighbors"), random_state=1
    )
    nearest = second.warm_start_["neighbors"][0]
    assert nearest["dataset_id"] == first.warm_start_["fingerprint"]
    assert nearest["distance"] == pytest.approx(0.0, abs=1e-9)
    # The refit's own past: the first fit's best runs first.
    assert second.trials_["config"].iloc[0] == first.best_config_
    assert second.trials_["origin"].iloc[0] == "own-past"
    assert second.warm_start_["own_past"][0]["status_here"] == "success"
    assert second.warm_start_["configurations"][0]["status_here"] == "success"
    assert len(kb.runs()) == 8


def test_no_update_leaves_the_base_untouched(tmp_path, load_pmlb):
    X, y = load_pmlb("prnn_crabs")
    kb = KnowledgeBase(tmp_path / "kb")
    fit(X, y, kb, update_knowledge_base=False)
    assert kb.datasets().empty and kb.runs(statuses=None).empty


def test_leave_one_out_hides_the_dataset_itself(one_fit, load_pmlb):
    X, y = load_pmlb("prnn_crabs")
    kb_path, first = one_fit
    kb = KnowledgeBase(kb_path)
    assert first.warm_start_["fingerprint"] in set(kb.datasets()["dataset_id"])
    again = fit(X, y, kb, leave_one_out=True, update_knowledge_base=False)
    ids = [n["dataset_id"] for n in again.warm_start_["neighbors"]]
    assert first.warm_start_["fingerprint"] not in ids


def test_default_base_is_the_users_folder(load_pmlb, monkeypatch, tmp_path):
    monkeypatch.setenv("AUTOML_KB_DIR", str(tmp_path / "mine"))
    X, y = load_pmlb("prnn_crabs")
    AutoMLClassifier(n_trials=2, random_state=0).fit(X, y)
    assert len(KnowledgeBase(tmp_path / "mine").runs()) == 2


def test_a_corrupt_part_file_does_not_break_a_fit(one_fit, load_pmlb):
    X, y = load_pmlb("prnn_crabs")
    kb_path, _ = one_fit
    (kb_path / "runs" / "part-zzz-corrupt.parquet").write_bytes(b"not parquet at all")
    with pytest.warns(UserWarning, match="part-zzz-corrupt.parquet"):
        model = fit(X, y, str(kb_path), update_knowledge_base=False)
    assert model.warm_start_["used"]


def test_warm_start_false_reads_nothing(one_fit, load_pmlb):
    X, y = load_pmlb("prnn_crabs")
    kb = KnowledgeBase(one_fit[0])
    assert len(kb.runs(statuses=None)) == 4  # a past to read, were it read
    cold = fit(X, y, kb, warm_start=False, update_knowledge_base=False)
    assert cold.warm_start_["used"] is False
    assert "warm-start" not in set(cold.trials_["origin"])


@pytest.mark.slow
@pytest.mark.parametrize("transfer", [True, False])
def test_past_results_are_told_to_smac_after_the_initial_configurations(
    twelve_runs, load_pmlb, transfer
):
    X, y = load_pmlb("prnn_crabs")
    kb = KnowledgeBase(twelve_runs[0])
    models = THREE_FAMILIES
    again = fit(X, y, kb, models=models, n_trials=6, transfer=transfer, update_knowledge_base=False)
    told = again.warm_start_["transfer"]
    if transfer:
        # 12 past runs, less the warm configuration itself and whatever was asked anyway
        assert told["datasets"] == 1 and 0 < told["told_to_optimizer"] <= told["results"] <= 11
        assert told["method"] == "told to the optimizer"
    else:
        assert told == {
            "method": "none",
            "results": 0,
            "datasets": 0,
            "told_to_optimizer": 0,
            "search_box": {},
        }


def test_failed_trials_are_recorded_with_their_status(tmp_path, load_pmlb, failing_family):
    X, y = load_pmlb("prnn_crabs")
    kb = KnowledgeBase(tmp_path / "kb")
    with pytest.warns(RuntimeWarning):
        fit(X, y, kb, models=(failing_family.name,), n_trials=2)
    runs = kb.runs(statuses=None)
    assert len(runs) == 2 and set(runs["status"]) == {"crashed"}
    assert runs["error"].str.contains("this family always fails").all()


def test_bad_knowledge_base_parameter():
    X = pd.DataFrame({"a": np.arange(20.0)})
    with pytest.raises(TypeError, match="knowledge_base"):
        AutoMLClassifier(n_trials=1, knowledge_base=3).fit(X, np.arange(20) % 2)
