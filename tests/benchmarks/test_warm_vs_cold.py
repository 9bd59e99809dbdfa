"""The warm-vs-cold summary counts and ranks what the results say, and draws them."""

import numpy as np
import pandas as pd
import pytest

import automl._estimator
from benchmarks.plots import plot_by_trials
from benchmarks.warm_vs_cold import (
    CHECKPOINTS,
    MODE_PARAMS,
    MODE_SETTINGS,
    _read_results,
    best_origins,
    costs_per_mode,
    cut_defaults,
    loss_tables,
    main,
    mean_ratio,
    mode_losses,
    mode_settings,
    near_counts,
    paired_table,
    search_best,
    search_loss,
    seed_pairs,
    summarize,
    wasted_trials,
    with_gaps,
)


@pytest.fixture
def results() -> pd.DataFrame:
    """Three datasets; warm@10 beats cold@50 on a and b, loses on c; d misses its cold runs."""
    loss = {
        ("a", "warm"): 0.1, ("a", "warm+transfer"): 0.2, ("a", "cold"): 0.3,
        ("b", "warm"): 0.1, ("b", "warm+transfer"): 0.1, ("b", "cold"): 0.2,
        ("c", "warm"): 0.5, ("c", "warm+transfer"): 0.4, ("c", "cold"): 0.3,
        ("d", "warm"): 0.1, ("d", "warm+transfer"): 0.1,
    }  # fmt: skip
    rows = [
        {"dataset": d, "mode": m, "k": k, "test_loss": v}
        for (d, m), v in loss.items()
        for k in CHECKPOINTS
    ]
    return pd.DataFrame(rows)


def test_summary_counts_wins_ties_and_losses(results):
    text = summarize(results)
    assert text.startswith("3 datasets.")  # d lacks cold runs: left out
    assert "warm@10 vs cold@50: better on 2, tied on 0, worse on 1" in text
    assert "warm+transfer@50 vs cold@50: better on 2, tied on 0, worse on 1" in text
    assert "Wilcoxon p = nan" in text  # too few datasets for a p-value
    # warm@10 is the best setting on a and b (score 1) and the worst on c (score 0)
    row = next(line for line in text.splitlines() if line.startswith("| warm@10 |"))
    assert row.split("|")[3].strip() == f"{2 / 3:.3f}"
    # one row per setting the results hold (3 modes at each checkpoint), ranked among them all
    lines = text.splitlines()
    for mode, k in results[["mode", "k"]].drop_duplicates().itertuples(index=False):
        assert sum(line.startswith(f"| {mode}@{k} |") for line in lines) == 1, (mode, k)
    assert f"mean rank (1 best, of {3 * len(CHECKPOINTS)})" in text


def test_a_mode_is_compared_with_its_variants(results):
    # The same mode run by other code, renamed: "default-before" against "default".
    renamed = {"warm": "default", "warm+transfer": "default-before"}
    text = summarize(results.replace({"mode": renamed}))
    assert "default@10 vs default-before@10: better on 1, tied on 1, worse on 1" in text
    assert "vs default@" not in text  # never against itself


def test_splits_are_averaged_and_a_dataset_missing_a_split_of_a_setting_is_left_out(
    results, tmp_path
):
    """Split 1 reverses c (warm@10 now 0.1 against cold@50's 0.3: a mean of 0.3 against 0.3,
    a tie); d has both splits of warm but not of cold, a has only split 0 of cold."""
    second = results.assign(split=1)
    second.loc[second["dataset"] == "c", "test_loss"] = [
        0.1 if m == "warm" else 0.3 for m in second.loc[second["dataset"] == "c", "mode"]
    ]
    second = second[~((second["dataset"] == "a") & (second["mode"] == "cold"))]
    # The first split written before splits were recorded: read back as split 0.
    results.to_csv(tmp_path / "results-0of2.csv", index=False)
    second.to_csv(tmp_path / "results-1of2.csv", index=False)
    text = summarize(_read_results(tmp_path))
    assert text.startswith("2 datasets. Test loss: the mean over 2 to 2 splits.")  # b and c
    assert "warm@10 vs cold@50: better on 1, tied on 1, worse on 0" in text


def test_near_ties_are_counted_per_split_and_on_the_mean_of_splits(results, tmp_path):
    """On split 1, warm@10 is 0.05% above cold@50 on a (a near tie, though not an exact one)
    and below it on b and c; the mean of splits is still worse on c."""
    second = results.assign(split=1)
    warm = (second["mode"] == "warm") & (second["k"] == 10)
    second.loc[(second["dataset"] == "a") & warm, "test_loss"] = 0.3 * 1.0005
    second.loc[(second["dataset"] == "c") & warm, "test_loss"] = 0.2
    results.assign(split=0).to_csv(tmp_path / "results-0of2.csv", index=False)
    second.to_csv(tmp_path / "results-1of2.csv", index=False)
    text = summarize(_read_results(tmp_path))
    line = next(ln for ln in text.splitlines() if ln.startswith("- warm@10 vs cold@50:"))
    assert "better on 2, tied on 0, worse on 1" in line  # means: a 0.20 vs 0.30, c 0.35 vs 0.30
    assert "ties within 0.1%: 2/0/1 (split 0: 2/0/1; split 1: 2/1/0)." in line
    assert near_counts(pd.Series([1.0, 0.0]), pd.Series([1.0009, 0.0])) == (0, 2, 0)


def test_settings_narrow_a_folder_whose_settings_have_different_splits(results, tmp_path):
    """Fitted-estimator settings ("10e", "50e") on two splits beside one with only split 0:
    the whole folder has no dataset complete on every split, the two chosen settings do."""
    fitted = pd.concat(
        [
            results.query("k == 10 and mode == 'warm'").assign(mode="default", k="10e"),
            results.query("k == 50 and mode == 'cold'").assign(k="50e"),
        ]
    )
    fitted.assign(split=0).to_csv(tmp_path / "results-0of2.csv", index=False)
    fitted.assign(split=1).to_csv(tmp_path / "results-1of2.csv", index=False)
    only_first = results.query("k == 10 and mode == 'cold'").assign(k="10e", split=0)
    only_first.to_csv(tmp_path / "results-s21.csv", index=False)
    with pytest.raises(ValueError, match="no dataset has every setting on every split"):
        summarize(_read_results(tmp_path))
    main(["--summarize-only", "--out", str(tmp_path), "--settings", "default@10e,cold@50e"])
    text = (tmp_path / "summary.md").read_text()
    assert text.startswith("3 datasets. Test loss: the mean over 2 to 2 splits.")
    assert "default@10e vs cold@50e: better on 2, tied on 0, worse on 1" in text


def test_plot_by_trials_writes_a_png(results, tmp_path):
    table = results.pivot_table(index="dataset", columns=["mode", "k"], values="test_loss")
    path = plot_by_trials(table.dropna(), tmp_path / "p.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5_000


@pytest.mark.parametrize(
    ("name", "estimator"), [("confidence", "classifier"), ("1096_FacultySalaries", "regressor")]
)
def test_incumbents_are_refitted_through_the_public_api(load_pmlb, name, estimator):
    """Each checkpoint's incumbent, refitted with ``pipeline_for`` and scored on held-out rows;
    the first checkpoint's incumbent is the first trial when that is the only one run."""
    import numpy as np
    from sklearn.model_selection import train_test_split

    from automl import METRICS, AutoMLClassifier, AutoMLRegressor
    from benchmarks.warm_vs_cold import incumbent_test_losses

    X, y = load_pmlb(name)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=1 / 3, random_state=0)
    cls = AutoMLClassifier if estimator == "classifier" else AutoMLRegressor
    model = cls(
        n_trials=1,
        warm_start=False,
        update_knowledge_base=False,
        models=("linear",),
        random_state=0,
    ).fit(X_train, y_train)
    losses = incumbent_test_losses(model, X_train, y_train, X_test, y_test)
    assert list(losses) == list(CHECKPOINTS) and len(set(losses.values())) == 1
    only = incumbent_test_losses(model, X_train, y_train, X_test, y_test, checkpoints=(1,))
    assert only == {1: losses[CHECKPOINTS[0]]}
    pipe = model.pipeline_for(0).fit(X_train, y_train)
    metric = METRICS[model.metric_]
    if estimator == "classifier":
        keep = np.isin(y_test, model.classes_)
        labels = np.searchsorted(model.classes_, np.asarray(y_test)[keep])
        expected = metric.loss(
            labels, pipe.predict_proba(X_test[keep]), np.arange(len(model.classes_))
        )
    else:
        expected = metric.loss(np.asarray(y_test, float), pipe.predict(X_test))
    assert losses[CHECKPOINTS[0]] == pytest.approx(expected)


def test_summary_reports_warm_start_planning_time_of_warm_fits_only(results):
    seconds = {"a": 0.4, "b": 0.6, "c": 2.0, "d": 0.5}
    results["warm_start_seconds"] = [
        99.0 if m == "cold" else seconds[d] for d, m in zip(results["dataset"], results["mode"])
    ]
    text = summarize(results)
    # 8 warm fits (4 datasets x 2 warm modes); the cold fits' 99 s do not count
    assert "over 8 fits: median 0.55 s" in text and "max 2.00 s" in text


def test_wasted_trials_are_counted_per_fit_and_summed_per_mode(results):
    trials = pd.DataFrame(
        {
            "status": ["success", "timeout", "skipped", "timeout", "crash", "skipped"],
            "fit_time": [3.0, 15.02, 0.0, 4.5, 0.2, 0.0],
            "model": ["lightgbm", "catboost", "mlp", "gradient_boosting", "mlp", "catboost"],
        }
    )
    assert wasted_trials(trials) == {
        "n_timeouts": 2,
        "timeout_seconds": 19.52,
        "timeout_models": "catboost:1 gradient_boosting:1",
        "n_skipped": 2,
    }
    wasted = {"warm": wasted_trials(trials), "cold": wasted_trials(trials.iloc[:1])}
    for column in ("n_timeouts", "timeout_seconds", "timeout_models", "n_skipped"):
        results[column] = [wasted.get(m, wasted["cold"])[column] for m in results["mode"]]
    text = summarize(results)
    # one row per fit (dataset and split), whatever the checkpoints: 4 warm fits of 19.52 s
    assert "- warm: 4 of 4 fits had a trial time out, 8 trials, 78 s in all (mean 19.5 s" in text
    assert "- cold: 0 of 3 fits had a trial time out, 0 trials, 0 s in all" in text
    assert "Timeouts by model: catboost 4, gradient_boosting 4." in text
    assert "Timeouts by model" not in text.split("- cold:")[1].splitlines()[0]


def test_defaults_run_with_fewer_rounds_are_counted():
    trials = pd.DataFrame(
        {
            "model": ["lightgbm", "catboost", "catboost", "catboost", "random_forest"],
            "origin": ["default", "default", "default", "search", "default"],
            "status": ["success", "skipped", "success", "success", "success"],
            "config": [
                {"lightgbm:n_estimators": 100},
                {"catboost:iterations": 500},
                {"catboost:iterations": 183},
                {"catboost:iterations": 60},
                {"random_forest:n_estimators": 10},
            ],
        }
    )
    assert cut_defaults(trials) == 1
    trials.loc[0, "config"]["lightgbm:n_estimators"] = 40  # LightGBM's cut first trial
    assert cut_defaults(trials) == 2


def test_a_mode_of_a_module_setting_holds_it_only_while_its_fit_runs():
    assert set(MODE_SETTINGS) <= set(MODE_PARAMS)
    with mode_settings("portfolio-unsteered"):
        assert automl._estimator.PORTFOLIO_STEERS is False
    assert automl._estimator.PORTFOLIO_STEERS is True
    with pytest.raises(RuntimeError), mode_settings("portfolio-unsteered"):
        raise RuntimeError("a failed fit")
    assert automl._estimator.PORTFOLIO_STEERS is True
    with mode_settings("cold"):
        assert automl._estimator.PORTFOLIO_STEERS is True


def test_trial_counts_fit_one_estimator_each_and_a_rerun_adds_only_new_counts(tmp_path):
    """``--trials``: one fit per trial count, scored as fitted (k written as 2e), each row
    from its own fit; running the same folder again adds only the counts it lacks."""
    from benchmarks.warm_vs_cold import main
    from tests.conftest import PMLB

    names = tmp_path / "datasets.txt"
    names.write_text("confidence\n")
    out = tmp_path / "out"
    argv = ["--pmlb", str(PMLB), "--datasets-file", str(names), "--modes", "cold", "--out"]
    assert main([*argv, str(out), "--trials", "1,2"]) == 0
    first = _read_results(out)
    assert list(first["k"]) == ["1e", "2e"] and list(first["n_trials"]) == [1, 2]
    assert (first["test_loss"] >= 0).all() and first["test_loss"].notna().all()
    assert main([*argv, str(out), "--trials", "2,3"]) == 0
    both = _read_results(out)
    assert list(both["k"]) == ["1e", "2e", "3e"] and list(both["n_trials"]) == [1, 2, 3]
    assert list(both["test_loss"].iloc[:2]) == list(first["test_loss"])
    assert (out / "warm_vs_cold.png").stat().st_size > 5_000
    # Another search seed is another fit of the same count, recorded as such; run once.
    for _ in range(2):
        assert main([*argv, str(out), "--trials", "3", "--search-seed", "1"]) == 0
    seeded = _read_results(out)
    assert list(seeded["search_seed"]) == [0, 0, 0, 1]
    assert list(seeded["k"]) == ["1e", "2e", "3e", "3e"]


def test_gaps_blank_the_same_half_of_the_columns_in_train_and_test(load_pmlb):
    X, _ = load_pmlb("prnn_synth")  # two numeric columns
    X = X.assign(code=np.arange(len(X)) % 3, other=1.5, text="a")
    train, test = with_gaps(X.iloc[:200], 0.3, seed=4), with_gaps(X.iloc[200:], 0.3, seed=4)
    holed = [c for c in X.columns if train[c].isna().any()]
    assert len(holed) == 2 and holed == [c for c in X.columns if test[c].isna().any()]
    assert 0.2 < train[holed].isna().mean().mean() < 0.4
    kept = [c for c in X.columns if c not in holed]
    pd.testing.assert_frame_equal(train[kept], X.iloc[:200][kept])
    assert not with_gaps(X, 0.3, seed=5).isna().equals(with_gaps(X, 0.3, seed=4).isna())
    with pytest.raises(ValueError, match="fraction of missing cells"):
        with_gaps(X, 1.0)


def test_a_nofs_mode_builds_its_portfolio_without_the_candidates_that_select_features(tmp_path):
    """``-nofs``: the leave-one-out portfolio of the shipped matrix, its pool (and so its
    members) without the feature-selection candidates; the plain mode keeps them."""
    from benchmarks.warm_vs_cold import _MATRICES, WITHOUT_SELECTION, loo_portfolio_base
    from metalearning.portfolio import Portfolio, portfolio_path, sibling_key

    assert MODE_PARAMS["default" + WITHOUT_SELECTION] == MODE_PARAMS["default"]
    name = "579_fri_c0_250_5"
    pools = {}
    for selection in (True, False):
        kb = loo_portfolio_base(name, "regression", tmp_path / str(selection), selection=selection)
        portfolio = Portfolio.load(portfolio_path(kb.path / "portfolio", "regression"))
        pools[selection] = [c.get("feature_selection:__choice__") for c in portfolio.pool]
        others = [n for n in _MATRICES["regression", "matrix"].names if "fri_" not in n]
        assert len(portfolio.dataset_ids) == len(others) and sibling_key(name) == "fri_"
    assert "percentile" not in pools[False]
    assert pools[True].count("percentile") >= 16
    assert len(pools[True]) - len(pools[False]) == pools[True].count("percentile")


def test_a_known_mode_finds_the_table_in_the_shipped_portfolio_and_hides_nothing(tmp_path):
    """``-known``: the shipped base as it is, the table among its portfolio's datasets and no
    leave-one-out; the plain mode: the leave-one-out base, whose portfolio lacks the table."""
    from benchmarks.warm_vs_cold import KNOWN, mode_parameters
    from knowledge_base.paths import shipped_path
    from metalearning.portfolio import find_portfolio, portfolio_folders

    name = "1027_ESL"
    found = {}
    for mode in ("default" + KNOWN, "default"):
        params, common = mode_parameters(mode, name, "regression", tmp_path)
        kb = params.pop("knowledge_base")
        assert params == MODE_PARAMS["default"] and common["leave_one_out"] == (mode == "default")
        portfolio = find_portfolio("regression", portfolio_folders(kb))
        names = kb.datasets().set_index("dataset_id")["name"]
        found[mode] = {names[d] for d in portfolio.dataset_ids}
        assert kb.read_only_paths == (shipped_path(),)
    assert kb.path is not None and kb.path.parent == tmp_path
    assert name in found["default" + KNOWN] and name not in found["default"]
    assert len(found["default" + KNOWN]) - len(found["default"]) == 1  # ESL has no siblings


def test_runs_are_compared_table_by_table_on_a_group_and_the_others(tmp_path):
    rows = [
        ("1_fri_a", "new", 0.9), ("1_fri_a", "old", 1.0),
        ("2_fri_b", "new", 1.0), ("2_fri_b", "old", 1.0),
        ("3_cpu", "new", 1.2), ("3_cpu", "old", 1.0),
        ("4_vinnie", "old", 1.0),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["dataset", "mode", "test_loss"]).assign(k="60s", split=0)
    frame["search_loss"] = [1.1, 1.0, 0.9, 1.0, 1.3, 1.0, 1.0]
    frame.to_csv(tmp_path / "results-0of1.csv", index=False)
    new, old = mode_losses(tmp_path, "new"), mode_losses(tmp_path, "old")
    assert len(new) == 3 and old["4_vinnie"] == 1.0
    table = paired_table([("new vs old", new, old)])
    header, _, row = table.strip().splitlines()
    assert "| 2 Friedman | 1 others |" in header
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:4] == ["new vs old", "1 / 1 / 1", "1 / 1 / 0", "0 / 0 / 1"]
    assert cells[5] == f"{(-0.1 + 0.0 + 0.2) / 3:+.2%}"
    # Without a group (classification has no Friedman tables), all tables only.
    header, rule, row = paired_table([("new vs old", new, old)], group=None).strip().splitlines()
    assert header.count("|") == rule.count("|") == row.count("|") == 5
    assert [c.strip() for c in row.strip("|").split("|")] == ["new vs old", "1 / 1 / 1", *cells[4:]]
    # A perfect score (loss 0) in the second run counts, but leaves p and the mean alone.
    perfect = pd.Series({**new.to_dict(), "z": 0.1}), pd.Series({**old.to_dict(), "z": 0.0})
    row = paired_table([("with z", *perfect)], group=None).strip().splitlines()[-1]
    assert [c.strip() for c in row.strip("|").split("|")] == ["with z", "1 / 1 / 2", *cells[4:]]
    # One table per loss column, the pairs labelled by it.
    both = loss_tables(lambda read, what: [(what, read(tmp_path, "new"), read(tmp_path, "old"))])
    test, search = both.split("\n\n")
    assert test.replace("test RMSE", "new vs old") == table.strip()
    assert "| search loss | 1 / 0 / 2 |" in search
    # Classification: no group, and its test loss named as such.
    test, search = loss_tables(
        lambda read, what: [(what, read(tmp_path, "new"), read(tmp_path, "old"))],
        group=None,
        test="test loss",
    ).split("\n\n")
    ungrouped = paired_table([("new vs old", new, old)], group=None).strip()
    assert test.replace("test loss", "new vs old") == ungrouped
    assert "| search loss | 1 / 0 / 2 |" in search


def test_the_search_loss_is_the_best_successful_trial_on_all_rows():
    trials = pd.DataFrame(
        {
            "status": ["success", "success", "timeout", "success"],
            "fidelity": [1.0, 0.33, 1.0, 1.0],
            "loss": [0.4, 0.1, np.nan, 0.3],
        }
    )
    assert search_loss(trials) == 0.3
    assert np.isnan(search_loss(trials.iloc[1:3]))


def test_the_search_best_names_where_the_best_came_from_and_the_optimisers_own_trials():
    trials = pd.DataFrame(
        {
            "origin": ["default", "portfolio", "search", "search", "search"],
            "model": ["lightgbm", "catboost", "linear", "mlp", "lightgbm"],
            "status": ["success", "success", "success", "skipped", "success"],
            "fidelity": [1.0, 1.0, 1.0, 1.0, 0.33],
            "loss": [0.4, 0.3, 0.35, np.nan, 0.1],
        }
    )
    best = search_best(trials)
    assert best == {"best_origin": "portfolio", "best_model": "catboost", "n_search_trials": 2}
    failed = trials.assign(status="timeout")
    assert search_best(failed) == {"best_origin": "", "best_model": "", "n_search_trials": 3}


def test_costs_per_mode_are_means_per_fit_and_planning_quantiles():
    results = pd.DataFrame(
        {
            "mode": ["default", "default", "cold"],
            "dataset": ["a", "b", "a"],
            "n_trials": [10, 20, 30],
            "n_timeouts": [1, 0, 2],
            "timeout_seconds": [5.0, 0.0, 9.0],
            "n_skipped": [0, 2, 1],
            "seconds": [59.0, 61.0, 60.0],
            "warm_start_seconds": [0.1, 0.3, 0.0],
        }
    )
    table = costs_per_mode(results)
    assert table.loc["default", "fits"] == 2 and table.loc["default", "trials"] == 15
    assert table.loc["default", "timeout_seconds"] == 2.5
    assert table.loc["default", "planning_median"] == 0.2
    assert table.loc["default", "planning_max"] == 0.3 and table.loc["cold", "trials"] == 30


def test_best_origins_count_where_each_modes_best_came_from():
    results = pd.DataFrame(
        {
            "mode": ["default", "default", "default", "cold"],
            "best_origin": ["portfolio", "default", "portfolio", "search"],
            "n_trials": [10, 20, 30, 25],
            "n_search_trials": [0, 4, 0, 12],
        }
    )
    table = best_origins(results).set_index("mode")
    assert table.loc["default", "best from portfolio"] == 2
    assert table.loc["default", "best from default"] == 1
    assert table.loc["default", "best from search"] == 0
    assert table.loc["default", "fits with none"] == 2 and table.loc["default", "(median)"] == 0
    assert table.loc["default", "trials"] == 20 and table.loc["cold", "best from search"] == 1


def test_seed_pairs_compare_each_seed_then_each_tables_mean_ratio_over_the_seeds():
    losses = {
        ("s0", "a"): pd.Series({"t1": 2.0, "t2": 1.0, "t3": 1.0}),
        ("s0", "b"): pd.Series({"t1": 1.0, "t2": 1.0, "t3": 2.0}),
        ("s1", "a"): pd.Series({"t1": 1.0, "t2": 3.0}),  # t3 missing in this run
        ("s1", "b"): pd.Series({"t1": 1.0, "t2": 1.0}),
    }

    def read(run, mode):
        return losses[run, mode]

    mean = mean_ratio(read, ["s0", "s1"], "a", "b")
    assert mean.to_dict() == {"t1": 1.5, "t2": 2.0}
    pairs = seed_pairs(read, "test", {0: "s0", 1: "s1"}, "a", "b", "a vs b", "both seeds")
    assert [name for name, _, _ in pairs] == [
        "a vs b, seed 0 (test)",
        "a vs b, seed 1 (test)",
        "a vs b, mean over both seeds (test)",
    ]
    assert pairs[1][1].equals(losses["s1", "a"]) and pairs[1][2].equals(losses["s1", "b"])
    assert pairs[2][1].equals(mean) and (pairs[2][2] == 1.0).all()
