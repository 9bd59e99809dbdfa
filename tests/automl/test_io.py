"""Reading a user's file as they wrote it: separators, decimal commas, "?" and dates."""

import gzip

import numpy as np
import pandas as pd
import pytest

from automl._io import read_table, split_target


def _write(path, text: str) -> None:
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("comma.csv", "x,n,label\n1.5,2,yes\n-0.25,3,no\n"),
        ("europe.csv", "x;n;label\n1,5;2;yes\n-0,25;3;no\n"),
        ("tabs.csv.gz", "x\tn\tlabel\n1.5\t2\tyes\n-0.25\t3\tno\n"),
        ("bars.csv", "x|n|label\n1.5|2|yes\n-0.25|3|no\n"),
        ("bom.csv", "\ufeffx,n,label\n1.5,2,yes\n-0.25,3,no\n"),
    ],
)
def test_separator_and_decimal_mark_are_detected(tmp_path, name, text):
    _write(tmp_path / name, text)
    frame = read_table(tmp_path / name)
    assert list(frame.columns) == ["x", "n", "label"]
    assert frame["x"].tolist() == [1.5, -0.25]
    assert frame["label"].tolist() == ["yes", "no"]


def test_quoted_commas_stay_in_their_field(tmp_path):
    _write(tmp_path / "q.csv", 'city,x\n"Paris, FR",1\n"Rome, IT",2\n')
    frame = read_table(tmp_path / "q.csv")
    assert frame["city"].tolist() == ["Paris, FR", "Rome, IT"]


def test_question_mark_is_a_missing_value(tmp_path):
    _write(tmp_path / "uci.csv", "x,colour\n1.5,red\n?,?\n3,blue\n")
    frame = read_table(tmp_path / "uci.csv")
    assert frame["x"].dtype == float and np.isnan(frame["x"][1])
    assert frame["colour"].isna().tolist() == [False, True, False]


def test_iso_dates_become_dates_and_other_text_stays(tmp_path):
    _write(
        tmp_path / "d.csv",
        "day,stamp,zoned,mixed\n"
        "2021-03-04,2021/3/4 12:30,2021-03-04T12:30:00Z,2021-03-04\n"
        ",2021/3/5 08:00:15,2021-03-05T08:00:00+01:00,soon\n",
    )
    frame = read_table(tmp_path / "d.csv")
    assert pd.api.types.is_datetime64_any_dtype(frame["day"]) and frame["day"].isna()[1]
    assert frame["stamp"][1] == pd.Timestamp("2021-03-05 08:00:15")
    assert str(frame["zoned"].dt.tz) == "UTC"
    assert frame["zoned"][1] == pd.Timestamp("2021-03-05T07:00:00Z")
    assert frame["mixed"].tolist() == ["2021-03-04", "soon"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("blank.csv", "", "blank.csv is empty: it has neither a header nor rows"),
        ("header.csv", "x,label\n", r"header.csv has no rows \(columns: x, label\)"),
        ("header.tsv", "x\tlabel\n", r"header.tsv has no rows \(columns: x, label\)"),
    ],
)
def test_an_empty_file_is_named_in_the_error(tmp_path, name, text, message):
    _write(tmp_path / name, text)
    with pytest.raises(ValueError, match=message):
        read_table(tmp_path / name)


def test_a_parquet_file_without_columns_is_named_in_the_error(tmp_path):
    pd.DataFrame(index=["a", "b", "c"]).to_parquet(tmp_path / "bare.parquet")  # rows, no columns
    with pytest.raises(ValueError, match=r"bare\.parquet has no columns"):
        read_table(tmp_path / "bare.parquet")


@pytest.mark.parametrize(("asked", "meant"), [("Label", "label"), ("lable", "label")])
def test_a_mistyped_target_gets_a_suggestion(asked, meant):
    frame = pd.DataFrame({"when": [1], "label": ["a"]})
    with pytest.raises(ValueError, match=f"not found in the table.*Did you mean '{meant}'"):
        split_target(frame, asked)
