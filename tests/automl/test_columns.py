"""Column types and the clean frame: the fast paths for category and number columns give what
the general (object) path gives."""

import numpy as np
import pandas as pd

from automl._columns import infer_column_types, normalize_frame


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cat_str": pd.Categorical(["a", None, "b", "a", "c"]),
            "cat_num": pd.Categorical([1, 2.5, None, 1, 3]),
            "float": [1.0, np.inf, np.nan, -2.0, 0.5],
            "int": [1, 2, 3, 4, 5],
            "nullable_int": pd.array([1, None, 3, 4, 5], dtype="Int64"),
            "nullable_bool": pd.array([True, None, False, True, False], dtype="boolean"),
            "bool": [True, False, True, True, False],
            "float32": np.array([0.5, -np.inf, 1.5, np.nan, 2.0], dtype=np.float32),
        }
    )


def test_fast_paths_give_what_the_object_path_gives():
    frame = _frame()
    types = infer_column_types(frame)
    assert types.categorical == (True, True) + (False,) * 6
    fast = normalize_frame(frame, types)
    slow = normalize_frame(frame.astype(object), types)  # every column through the object path
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["cat_num"].tolist()[:2] == ["1.0", "2.5"] and pd.isna(fast["cat_num"][2])
    assert pd.isna(fast["cat_str"][1]) and fast["cat_str"][0] == "a"
    assert np.isnan(fast["float"][1]) and np.isnan(fast["float32"][1])  # inf becomes NaN
    assert fast["nullable_bool"].tolist()[0] == 1.0 and np.isnan(fast["nullable_bool"][1])
    assert all(fast[c].dtype == np.float64 for c in types.numeric_names)


def test_category_column_keeps_its_levels_and_missing_cells():
    # 200,000 rows of a 100-level category: the general path called str() on each (seconds
    # on a million rows); this one converts the 100 categories once.
    levels = [f"level_{k}" for k in range(100)]
    codes = np.random.default_rng(0).integers(-1, 100, 200_000)
    frame = pd.DataFrame({"c": pd.Categorical.from_codes(codes, categories=levels)})
    out = normalize_frame(frame, infer_column_types(frame))
    expected = np.where(codes < 0, None, np.array(levels, dtype=object)[codes])
    assert out["c"].isna().sum() == (codes < 0).sum()
    assert out["c"].dropna().tolist() == [v for v in expected if v is not None]


def test_dates_and_durations_are_seconds_whatever_their_unit_or_zone():
    stamps = np.array(["1970-01-02", "2020-03-01T12:00", "NaT"], dtype="datetime64[s]")
    naive = pd.Series(stamps)
    frame = pd.DataFrame(
        {
            "seconds": naive,
            "nanoseconds": naive.astype("datetime64[ns]"),
            "utc": naive.dt.tz_localize("UTC"),
            "paris": naive.dt.tz_localize("UTC").dt.tz_convert("Europe/Paris"),
            "duration": naive - pd.Timestamp("1970-01-01"),
        }
    )
    types = infer_column_types(frame)
    assert not any(types.categorical)
    out = normalize_frame(frame, types)
    expected = [86400.0, 1583064000.0, np.nan]
    for column in frame.columns:
        np.testing.assert_array_equal(out[column].to_numpy(), expected, err_msg=column)


def test_a_fit_on_zoned_dates_predicts_the_same_for_the_same_instants_in_another_zone(
    tiny_regressor,
):
    # The meta-features (warm start) and the model's input both read the zoned column: it
    # once crashed the fit, and the model must see instants, not wall-clock times.
    rng = np.random.default_rng(0)
    instants = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 365 * 24, 300), unit="h"
    )
    X = pd.DataFrame({"when": instants.tz_convert("Europe/Paris"), "x": rng.normal(size=300)})
    y = (instants - instants.min()).total_seconds().to_numpy() / 86400 + X["x"].to_numpy()
    model = tiny_regressor(warm_start=True).fit(X, y)
    assert model.warm_start_["fingerprint"]  # the meta-features were computed
    utc = X.assign(when=X["when"].dt.tz_convert("UTC"))
    np.testing.assert_allclose(model.predict(utc), model.predict(X))
    assert np.corrcoef(model.predict(X), y)[0, 1] > 0.9
