"""`explain()` on real fits and `automl kb importance` on a real table: the documented columns,
"not enough trials" for families with too few, the knowledge base's nearest datasets."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.exceptions import NotFittedError

from automl import AutoMLClassifier
from automl._columns import infer_column_types
from automl._space import build_space
from automl._task import Task
from automl.cli import main
from automl.components import DataShape
from knowledge_base import KnowledgeBase
from metalearning import compute_metafeatures, plot_importance
from metalearning.importance import COLUMNS

FAMILIES = ("linear", "k_nearest_neighbors")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True, as_frame=True)
    return X, y.map(dict(enumerate(["setosa", "versicolor", "virginica"]))).rename("target")


@pytest.fixture(scope="module")
def cold_fit(iris):
    """A real search of 12 trials over two families: at most 6 of them in one family."""
    X, y = iris
    return AutoMLClassifier(
        time_budget=60,
        n_trials=12,
        random_state=0,
        optimizer="random",
        resampling="holdout",
        warm_start=False,
        update_knowledge_base=False,
        models=FAMILIES,
    ).fit(X, y)


def test_explain_gives_the_documented_columns_and_flags_families_with_few_trials(cold_fit):
    frame = cold_fit.explain()
    assert list(frame.columns) == COLUMNS
    assert frame.iloc[0][["family", "hyperparameter"]].tolist() == ["all", "model"]
    ok = cold_fit.trials_[cold_fit.trials_["status"] == "success"]
    counts = ok["model"].value_counts()
    assert frame.iloc[0]["n_trials"] == len(ok)
    assert set(frame["family"]) == {"all", *counts.index}
    assert set(frame["status"]) <= {"ok", "not enough trials", "not varied", "constant loss"}
    estimated = frame["status"] == "ok"
    assert frame.loc[estimated, "importance"].between(0, 1).all()
    assert frame.loc[~estimated, "importance"].isna().all()
    assert counts.min() < 10  # 12 trials over two families
    for family, n in counts.items():
        rows = frame[frame["family"] == family]
        assert (rows["n_trials"] <= n).all()
        if n < 10:
            assert (rows["status"] == "not enough trials").all(), family
    if len(ok) >= 10:
        assert frame.iloc[0]["status"] in ("ok", "constant loss", "no signal")
    strict = cold_fit.explain(min_trials=100)
    assert (strict["status"] == "not enough trials").all()


def test_explain_checks_its_arguments_and_that_it_is_fitted(cold_fit):
    with pytest.raises(NotFittedError):
        AutoMLClassifier().explain()
    with pytest.raises(ValueError, match="source must be one of"):
        cold_fit.explain(source="elsewhere")
    with pytest.raises(ValueError, match="no similar past datasets"):
        cold_fit.explain(source="knowledge_base")


def synthetic_kb(path, X: pd.DataFrame) -> KnowledgeBase:
    """Three real tables (their real meta-features) whose runs are configurations of the space
    a fit of ``X`` searches, with losses where only the family, ``linear:C`` and
    ``k_nearest_neighbors:n_neighbors`` matter."""
    space = build_space(Task.MULTICLASS, DataShape(len(X), X.shape[1], 3), infer_column_types(X))
    space.seed(0)
    rng = np.random.default_rng(0)
    datasets, runs = [], []
    for name, loader in (("wine", load_wine), ("cancer", load_breast_cancer), ("iris", load_iris)):
        Xd, yd = loader(return_X_y=True, as_frame=True)
        task = "binary" if yd.nunique() == 2 else "multiclass"
        mf = compute_metafeatures(Xd, yd, task=task)
        datasets.append(
            {
                "dataset_id": name,
                "name": name,
                "source": "user",
                "task": task,
                "n_rows": len(Xd),
                "n_features": Xd.shape[1],
                "metafeatures": json.dumps({k: float(v) for k, v in mf.dropna().items()}),
            }
        )
        configs = [c for c in space.sample_configuration(200) if c["model"] in FAMILIES][:60]
        for config in configs:
            if config["model"] == "linear":
                loss = 0.2 + 0.1 * abs(np.log10(config["linear:C"]))
            else:
                loss = 1.0 + 0.002 * config["k_nearest_neighbors:n_neighbors"]
            loss += 0.005 * rng.normal()
            runs.append(
                {
                    "dataset_id": name,
                    "task": task,
                    "model": config["model"],
                    "config": json.dumps(dict(config), sort_keys=True, default=lambda v: v.item()),
                    "metric": "log_loss",
                    "score": loss,
                    "loss": loss,
                    "fidelity": 1.0,
                    "resampling": "cv5",
                    "status": "success",
                    "source": "user",
                    "space_version": "3",
                }
            )
    kb = KnowledgeBase(path)
    kb.append(datasets=pd.DataFrame(datasets), runs=pd.DataFrame(runs))
    return kb


def test_explain_from_the_knowledge_base(tmp_path, iris):
    X, y = iris
    kb = synthetic_kb(tmp_path / "kb", X)
    model = AutoMLClassifier(
        time_budget=30,
        n_trials=2,
        random_state=0,
        resampling="holdout",
        knowledge_base=kb,
        warm_start="nearest",
        update_knowledge_base=False,
        models=FAMILIES,
    ).fit(X, y)
    assert len(model.warm_start_["neighbors"]) == 3
    frame = model.explain(source="knowledge_base")
    assert list(frame.columns) == [*COLUMNS, "n_datasets"]
    top = frame[frame["status"] == "ok"].groupby("family", sort=False).head(1)
    assert top.set_index("family")["hyperparameter"].to_dict() == {
        "all": "model",
        "linear": "linear:C",
        "k_nearest_neighbors": "k_nearest_neighbors:n_neighbors",
    }
    assert (top["n_datasets"] == 3).all()
    one = model.explain(source="knowledge_base", n_neighbors=1)
    assert one["n_datasets"].max() == 1
    assert plot_importance(frame, tmp_path / "kb.png").stat().st_size > 1000


def test_kb_importance_command(tmp_path, iris, capsys):
    X, y = iris
    synthetic_kb(tmp_path / "kb", X)
    data = tmp_path / "iris.csv"
    X.assign(target=y).to_csv(data, index=False)
    png = tmp_path / "importance.png"
    args = ["kb", "--path", str(tmp_path / "kb"), "importance", str(data), "--target", "target"]
    assert main([*args, "-k", "2", "--png", str(png)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 nearest past datasets: ")
    assert "linear:C" in out and "not enough trials" not in out
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert main([*args, "--all", "--min-trials", "1000"]) == 0
    assert "not enough trials" in capsys.readouterr().out
