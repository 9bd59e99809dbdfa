"""The unseen regression suite: its spec, and tables in the layout the benchmarks read."""

import numpy as np
import pandas as pd
import pytest

from benchmarks.rdatasets_tables import as_table, read_spec
from benchmarks.warm_vs_cold import pmlb_split


def test_the_suite_names_each_table_once_with_its_target_and_columns_to_leave_out():
    spec = read_spec()
    assert len(spec) >= 20
    assert spec["name"].is_unique
    assert (spec["target"] != "").all()
    assert all(row.target not in row.drop for row in spec.itertuples())
    movies = spec.set_index("name").loc["ggplot2movies_movies"]
    assert movies["target"] == "rating" and "r10" in movies["drop"] and "" not in movies["drop"]


def raw_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rownames": range(6),
            "id": [11, 12, 13, 14, 15, 16],
            "region": ["north", None, "south", "south", "east", "north"],
            "income": [1.0, 2.5, np.nan, 4.0, 5.5, 6.0],
            "wage": [10.0, 12.0, np.nan, 9.0, 15.0, 11.0],
        }
    )


def test_a_table_keeps_messy_columns_loses_rows_without_target_and_puts_it_last(tmp_path):
    table = as_table(raw_frame(), "wage", ["id"])
    assert list(table.columns) == ["region", "income", "target"]
    assert table["target"].tolist() == [10.0, 12.0, 9.0, 15.0, 11.0]
    assert table["region"].isna().sum() == 1
    table.to_csv(tmp_path / "t.tsv.gz", sep="\t", index=False)
    X_train, X_test, y_train, _ = pmlb_split("t", tmp_path, stratify=False, seed=1)
    assert len(X_train) + len(X_test) == 5 and list(X_train.columns) == ["region", "income"]
    assert not pd.api.types.is_numeric_dtype(X_train["region"]) and y_train.dtype == float


@pytest.mark.parametrize(
    ("target", "drop", "message"),
    [("salary", [], "salary"), ("wage", ["nr"], "nr"), ("id", ["wage"], "fewer than two")],
)
def test_a_wrong_spec_is_an_error_naming_it(target, drop, message):
    frame = raw_frame().assign(id=7)
    with pytest.raises(ValueError, match=message):
        as_table(frame, target, drop)
