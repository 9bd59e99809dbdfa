"""The million-rows benchmark's data generator, its memory sampler and its summary (small N)."""

import numpy as np
import pandas as pd

from benchmarks.million_rows import (
    MISSING,
    N_CATEGORICAL,
    N_LEVELS,
    N_NUMERIC,
    TreeMemory,
    make_data,
    summarize,
)


def test_generator_shape_dtypes_and_missing_share():
    X, y = make_data(4000, seed=3)
    assert X.shape == (4000, N_NUMERIC + N_CATEGORICAL) == (4000, 50)
    assert (X.dtypes[:N_NUMERIC] == np.float64).all()
    for name in [f"c{j}" for j in range(N_CATEGORICAL)]:
        assert isinstance(X[name].dtype, pd.CategoricalDtype)
        assert len(X[name].cat.categories) == N_LEVELS == 100
    share = X.isna().to_numpy().mean()
    assert abs(share - MISSING) < 0.005
    assert (X.isna().mean() > 0.03).all()  # spread over every column
    assert set(y.unique()) == {0, 1} and 0.3 < y.mean() < 0.7


def test_generator_is_reproducible_and_samples_differ():
    X1, y1 = make_data(500, seed=0, sample=0)
    X2, y2 = make_data(500, seed=0, sample=0)
    pd.testing.assert_frame_equal(X1, X2)
    pd.testing.assert_series_equal(y1, y2)
    X3, _ = make_data(500, seed=0, sample=1)  # the test set: other rows
    assert not X1.equals(X3)
    X4, _ = make_data(500, seed=1, sample=0)
    assert not X1.equals(X4)


def test_target_has_signal_from_numeric_and_categorical_columns():
    X, y = make_data(20_000, seed=0, task="regression")
    assert y.dtype == np.float64
    level_means = y.groupby(X["c0"], observed=True).mean()
    assert X.iloc[:, :N_NUMERIC].fillna(0).corrwith(y).abs().max() > 0.1
    assert level_means.std() > 1.0  # the levels of c0 move the target (noise sd 5, n ~200)


def test_tree_memory_counts_this_process():
    with TreeMemory(interval=0.05) as memory:
        block = np.ones(50 * 1024**2 // 8)
    assert memory.peak >= block.nbytes


def test_summary_says_which_goals_were_met():
    row = {
        "task": "classification",
        "rows": 1000,
        "columns": 50,
        "budget": 60.0,
        "fit_seconds": 70.0,
        "peak_rss_gib": 3.0,
        "predict_seconds": 10.0,
        "predict_rows": 1_000_000,
        "score": 0.80,
        "lgbm_score": 0.79,
        "lgbm_fit_seconds": 5.0,
        "t_warm_start": 1.0,
        "n_trials": 5,
        "statuses": "success 5",
        "families": "lightgbm 5",
        "t_search": 50.0,
        "t_ensemble_and_refit": 10.0,
        "load_before": 2.0,
        "load_after": 2.0,
    }
    text = summarize(pd.DataFrame([row]))
    assert "- fit within budget + 10%: MISSED" in text  # 70 > 66
    assert "- score at least LightGBM defaults': met" in text
    assert "- warm start < 2% of budget: met" in text
