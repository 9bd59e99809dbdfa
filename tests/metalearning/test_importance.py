"""fANOVA importance (metalearning/importance.py): exact on a known tree, the two hyperparameters
that matter ranked first on a synthetic objective, the CASH hierarchy, the knowledge base."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from ConfigSpace import Categorical, ConfigurationSpace, EqualsCondition, Float
from sklearn.tree import DecisionTreeRegressor

from benchmarks.importance_sanity import objective, space
from knowledge_base import KnowledgeBase
from metalearning import hyperparameter_importance, knowledge_base_importance, plot_importance
from metalearning.importance import COLUMNS, _tree_main_effects, functional_anova


def six_hyperparameters(seed: int = 0) -> ConfigurationSpace:
    """Six hyperparameters of every kind (the benchmark's sanity check uses the same)."""
    return space(seed)


def two_matter(config, rng: np.random.Generator) -> float:
    """Only learning_rate (a bowl in its log scale) and depth (a V at 6) matter."""
    return float(objective(config["learning_rate"], config["depth"])) + 0.1 * rng.normal()


def test_main_effects_of_one_tree_are_exact():
    # y = 2*[x0 > 0.5] + [x1 > 0.5] on a uniform grid: a tree learns it exactly, and the main
    # effects' variances are 1 and 0.25 of a total 1.25.
    grid = (np.arange(20) + 0.5) / 20
    X = np.array([(a, b) for a in grid for b in grid])
    y = 2.0 * (X[:, 0] > 0.5) + (X[:, 1] > 0.5)
    tree = DecisionTreeRegressor(random_state=0).fit(X, y)
    np.testing.assert_allclose(_tree_main_effects(tree.tree_, 2), [0.8, 0.2], atol=1e-12)
    constant = DecisionTreeRegressor().fit(X, np.ones(len(X)))
    assert _tree_main_effects(constant.tree_, 2) is None


def test_an_interaction_is_no_main_effect():
    # y = xor: all variance is in the interaction, none in either main effect.
    grid = (np.arange(20) + 0.5) / 20
    X = np.array([(a, b) for a in grid for b in grid])
    y = ((X[:, 0] > 0.5) ^ (X[:, 1] > 0.5)).astype(float)
    mean, _, r2 = functional_anova(X, y, n_trees=8, max_features=1.0)
    assert mean.max() < 0.05 and r2 > 0.9


def test_the_two_hyperparameters_that_matter_rank_first():
    cs = six_hyperparameters()
    rng = np.random.default_rng(0)
    configs = cs.sample_configuration(100)
    losses = [two_matter(c, rng) for c in configs]
    frame = hyperparameter_importance(configs, losses, cs)
    assert list(frame.columns) == COLUMNS
    assert (frame["family"] == "all").all() and (frame["status"] == "ok").all()
    assert set(frame["hyperparameter"].head(2)) == {"learning_rate", "depth"}
    assert frame["importance"].head(2).sum() > 0.45
    assert frame["importance"].iloc[2:].max() < 0.05
    assert frame["importance"].between(0, 1).all() and frame["importance"].sum() <= 1.0 + 1e-9


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_ranking_holds_for_other_samples(seed):
    cs = six_hyperparameters(seed)
    rng = np.random.default_rng(seed)
    configs = cs.sample_configuration(60)
    frame = hyperparameter_importance(configs, [two_matter(c, rng) for c in configs], cs)
    assert set(frame["hyperparameter"].head(2)) == {"learning_rate", "depth"}


def cash_space() -> ConfigurationSpace:
    """A small CASH space: two families with their own hyperparameters, a shared choice with a
    conditional child."""
    cs = ConfigurationSpace(seed=0)
    model = Categorical("model", ["good", "bad"])
    x = Float("good:x", (0.0, 1.0))
    z = Float("good:z", (0.0, 1.0))
    w = Float("bad:w", (0.0, 1.0))
    selection = Categorical("feature_selection:__choice__", ["none", "percentile"])
    percentile = Float("feature_selection:percentile", (10.0, 90.0))
    cs.add(model, x, z, w, selection, percentile)
    cs.add(EqualsCondition(x, model, "good"), EqualsCondition(z, model, "good"))
    cs.add(EqualsCondition(w, model, "bad"))
    cs.add(EqualsCondition(percentile, selection, "percentile"))
    return cs


def cash_trials(n_good: int, n_bad: int, seed: int = 0):
    """Trials of the CASH space: the family matters most, then good:x within its family."""
    cs = cash_space()
    rng = np.random.default_rng(seed)
    configs = []
    for family, n in (("good", n_good), ("bad", n_bad)):
        while sum(c["model"] == family for c in configs) < n:
            config = cs.sample_configuration()
            if config["model"] == family:
                configs.append(config)
    losses = [
        (0.2 + 0.3 * c["good:x"] if c["model"] == "good" else 1.5) + 0.01 * rng.normal()
        for c in configs
    ]
    return cs, configs, losses


def test_cash_space_is_analysed_by_family_and_few_trials_get_no_number():
    cs, configs, losses = cash_trials(n_good=40, n_bad=6)
    frame = hyperparameter_importance(configs, losses, cs)
    row = frame.set_index(["family", "hyperparameter"])
    assert frame.iloc[0][["family", "hyperparameter"]].tolist() == ["all", "model"]
    assert row.loc[("all", "model"), "importance"] > 0.5
    assert row.loc[("all", "model"), "n_trials"] == 46
    assert ("all", "good:x") not in row.index  # conditional on the family: not in "all"
    good = frame[(frame["family"] == "good") & (frame["status"] == "ok")]
    assert good.iloc[0]["hyperparameter"] == "good:x" and good.iloc[0]["importance"] > 0.5
    assert (good["n_trials"] <= 40).all()
    bad = frame[frame["family"] == "bad"]
    assert set(bad["hyperparameter"]) >= {"bad:w", "feature_selection:__choice__"}
    assert (bad["status"] == "not enough trials").all() and bad["importance"].isna().all()
    # a conditional hyperparameter rests on the trials where it was active
    active = sum("feature_selection:percentile" in c for c in configs)
    assert row.loc[("all", "feature_selection:percentile"), "n_trials"] == active


def test_threshold_constant_loss_and_single_values():
    cs, configs, losses = cash_trials(n_good=12, n_bad=12)
    strict = hyperparameter_importance(configs, losses, cs, min_trials=13)
    assert (strict.loc[strict["family"] != "all", "status"] == "not enough trials").all()
    flat = hyperparameter_importance(configs, np.ones(len(configs)), cs)
    assert set(flat["status"]) <= {"constant loss", "not enough trials"}
    assert flat["importance"].isna().all()
    same = [{**dict(c), "good:z": 0.5} if c["model"] == "good" else c for c in configs]
    frame = hyperparameter_importance(same, losses, cs).set_index(["family", "hyperparameter"])
    assert frame.loc[("good", "good:z"), "status"] == "not varied"
    assert np.isnan(frame.loc[("good", "good:z"), "importance"])
    noise = np.random.default_rng(0).normal(size=100)
    cs = six_hyperparameters()
    unexplained = hyperparameter_importance(cs.sample_configuration(100), noise, cs)
    assert (unexplained["status"] == "no signal").all()  # out-of-bag R^2 <= 0
    assert unexplained["importance"].isna().all()
    with pytest.raises(ValueError, match="configurations but"):
        hyperparameter_importance(configs, losses[:-1], cash_space())


def test_failed_trials_are_left_out():
    cs, configs, losses = cash_trials(n_good=20, n_bad=12)
    losses = [np.nan if i % 4 == 0 else v for i, v in enumerate(losses)]
    frame = hyperparameter_importance(configs, losses, cs)
    assert frame.iloc[0]["n_trials"] == int(np.isfinite(losses).sum())


def synthetic_kb(path, cs: ConfigurationSpace, n_datasets: int = 3) -> KnowledgeBase:
    """A knowledge base of ``n_datasets`` datasets whose runs sample ``cs`` and score them
    with ``two_matter``, in two metrics; a few runs of another protocol and failures beside."""
    kb = KnowledgeBase(path)
    rng = np.random.default_rng(0)
    datasets, runs = [], []
    for d in range(n_datasets):
        datasets.append(
            {
                "dataset_id": f"d{d}",
                "name": f"dataset-{d}",
                "source": "user",
                "task": "regression",
                "n_rows": 100,
                "n_features": 3,
                "metafeatures": json.dumps({"NumberOfInstances": 100.0 + d}),
            }
        )
        for i, config in enumerate(cs.sample_configuration(60)):
            loss = two_matter(config, rng)
            for metric, resampling, status in (
                ("rmse", "cv5", "success"),
                ("mae", "cv5", "success"),
                ("rmse", "holdout0.33", "success" if i < 5 else "crashed"),
            ):
                runs.append(
                    {
                        "dataset_id": f"d{d}",
                        "task": "regression",
                        "model": "lightgbm",
                        "config": json.dumps(
                            dict(config), sort_keys=True, default=lambda v: v.item()
                        ),
                        "metric": metric,
                        "score": loss,
                        "loss": loss if status == "success" else np.nan,
                        "fidelity": 1.0,
                        "resampling": resampling,
                        "status": status,
                        "source": "user",
                        "space_version": "3",
                    }
                )
    kb.append(datasets=pd.DataFrame(datasets), runs=pd.DataFrame(runs))
    return kb


def test_knowledge_base_importance_averages_the_datasets(tmp_path):
    cs = six_hyperparameters()
    kb = synthetic_kb(tmp_path / "kb", cs)
    frame = knowledge_base_importance(kb, ["d0", "d1", "d2"], cs, metric="rmse")
    assert list(frame.columns) == [*COLUMNS, "n_datasets"]
    assert set(frame["hyperparameter"].head(2)) == {"learning_rate", "depth"}
    assert (frame["n_datasets"] == 3).all()
    assert (frame["n_trials"] == 3 * 60).all()  # one protocol: rmse under cv5
    each = knowledge_base_importance(kb, ["d0", "d1", "d2"], cs, metric="rmse", per_dataset=True)
    assert set(each["dataset_id"]) == {"d0", "d1", "d2"}
    means = each.groupby("hyperparameter")["importance"].mean()
    np.testing.assert_allclose(
        frame.set_index("hyperparameter")["importance"], means[frame["hyperparameter"]]
    )


def test_knowledge_base_importance_translates_and_caps(tmp_path):
    cs = six_hyperparameters()
    kb = synthetic_kb(tmp_path / "kb", cs, n_datasets=1)
    few = knowledge_base_importance(kb, ["d0"], cs, max_runs=8)
    assert (few["status"] == "not enough trials").all() and (few["n_datasets"] == 0).all()
    dropped = knowledge_base_importance(kb, ["d0"], cs, translate=lambda c: None)
    assert (dropped["status"] == "not enough trials").all()
    assert knowledge_base_importance(kb, [], cs).empty


def test_plot_importance_writes_a_png(tmp_path):
    cs, configs, losses = cash_trials(n_good=30, n_bad=4)
    frame = hyperparameter_importance(configs, losses, cs)
    path = plot_importance(frame, tmp_path / "figures" / "importance.png", title="test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    nothing = frame.assign(status="not enough trials", importance=np.nan)
    assert plot_importance(nothing, tmp_path / "none.png").stat().st_size > 1000
