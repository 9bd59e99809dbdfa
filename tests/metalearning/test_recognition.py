"""A known dataset given again - rows or columns reordered, categories as integer codes or the
reverse, a sample of its rows - finds itself in a knowledge base of real datasets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from knowledge_base import KnowledgeBase, dataset_fingerprint
from metalearning import compute_metafeatures, nearest_datasets
from metalearning.metafeatures import READING_QUALITIES
from metalearning.warmstart import leave_one_out_exclusions, metafeatures_json

#: Real tables in the base (tests/data): PMLB's integer-coded and numeric ones, and anneal.
ORIGINALS = ("tic_tac_toe", "prnn_crabs", "analcatdata_aids", "anneal")
DECOYS = ("prnn_synth", "confidence", "1096_FacultySalaries", "1027_ESL")
ORDER_DEPENDENT = ["AutoCorrelation"]  # OpenML's quality: agreement of consecutive labels


def _task(y: pd.Series) -> str:
    if pd.api.types.is_float_dtype(y) and y.nunique() > 20:
        return "regression"
    return "binary" if y.nunique() == 2 else "multiclass"


@pytest.fixture(scope="module")
def tables(anneal) -> dict[str, tuple[pd.DataFrame, pd.Series]]:
    from tests.conftest import PMLB

    out = {}
    for name in ORIGINALS + DECOYS:
        if name == "anneal":
            X, y, _ = anneal
        else:
            frame = pd.read_csv(PMLB / f"{name}.tsv.gz", sep="\t")
            X, y = frame.drop(columns="target"), frame["target"]
        out[name] = (X, y)
    return out


@pytest.fixture(scope="module")
def base(tables, tmp_path_factory) -> KnowledgeBase:
    """The originals and the decoys, each with its meta-features, as ``kb grow`` records them."""
    kb = KnowledgeBase(tmp_path_factory.mktemp("kb"))
    rows = []
    for name, (X, y) in tables.items():
        task = _task(y)
        mf = compute_metafeatures(X, y, task=task, random_state=0)
        rows.append(
            {
                "dataset_id": name,
                "name": name,
                "source": "user",
                "task": task,
                "n_rows": len(X),
                "n_features": X.shape[1],
                "metafeatures": metafeatures_json(mf),
            }
        )
    kb.append(datasets=pd.DataFrame(rows))
    return kb


def _reordered(X: pd.DataFrame, y: pd.Series, seed: int = 0):
    rng = np.random.default_rng(seed)
    rows = rng.permutation(len(X))
    X = X.iloc[rows, rng.permutation(X.shape[1])].reset_index(drop=True)
    return X, y.iloc[rows].reset_index(drop=True)


def _recoded(X: pd.DataFrame, y: pd.Series):
    """Categories as integer codes; integer columns with few values as categories."""
    out = {}
    for name in X.columns:
        column = X[name]
        if isinstance(column.dtype, pd.CategoricalDtype) or column.dtype == object:
            codes = pd.Series(column).astype("category").cat.codes
            out[name] = codes.where(codes >= 0).astype(float) if (codes < 0).any() else codes
        elif column.nunique() <= 10 and (column.dropna() % 1 == 0).all():
            out[name] = column.astype("category")
        else:
            out[name] = column
    labels = y.astype("category").cat.codes if y.dtype != float else y
    return pd.DataFrame(out), labels


def test_metafeatures_ignore_the_order_of_rows_and_columns(tables):
    for name in ("tic_tac_toe", "anneal"):
        X, y = tables[name]
        original = compute_metafeatures(X, y, random_state=0).drop(ORDER_DEPENDENT)
        copy = compute_metafeatures(*_reordered(X, y), random_state=0).drop(ORDER_DEPENDENT)
        pd.testing.assert_series_equal(copy, original)  # to the last bit, landmarkers too


def test_an_integer_coded_copy_reads_as_the_categories(tables):
    """Under ``nominal_as_numbers`` the categories of integers measure what the integer-coded
    table measures as declared; under ``integers_as_nominal`` the integer-coded table measures
    what the categories do."""
    X, y = tables["tic_tac_toe"]  # integer codes of x, o, b in PMLB
    coded = compute_metafeatures(X, y, random_state=0)
    categories = compute_metafeatures(X.astype("category"), y, random_state=0)
    assert coded["NumberOfNumericFeatures"] == 9 and categories["NumberOfNumericFeatures"] == 0
    as_numbers = categories[[f"{q}@nominal_as_numbers" for q in READING_QUALITIES]]
    pd.testing.assert_series_equal(
        as_numbers.set_axis(READING_QUALITIES), coded[list(READING_QUALITIES)], check_names=False
    )
    as_nominal = coded[[f"{q}@integers_as_nominal" for q in READING_QUALITIES]]
    pd.testing.assert_series_equal(
        as_nominal.set_axis(READING_QUALITIES),
        categories[list(READING_QUALITIES)],
        check_names=False,
    )


@pytest.mark.parametrize("name", ORIGINALS)
def test_a_reordered_recoded_copy_finds_the_original(base, tables, name):
    """Rows and columns shuffled, categories as integer codes and integer columns with few
    values as categories: the original is the nearest of the base's datasets."""
    X, y = tables[name]
    X2, y2 = _reordered(*_recoded(X, y))
    mf = compute_metafeatures(X2, y2, task=_task(y), random_state=0)
    nearest = nearest_datasets(base, mf, _task(y))
    assert nearest["dataset_id"].iloc[0] == name, nearest.head(3)
    # leave-one-out hides a copy with reordered columns, although its fingerprint differs, and
    # PMLB's integer-coded tables given with categories; not anneal given as integer codes:
    # its integer-valued numeric columns (hardness: 7 values) look like codes too
    reordered = _reordered(X, y)
    hidden = leave_one_out_exclusions(
        base, compute_metafeatures(*reordered), dataset_fingerprint(*reordered)
    )
    assert dataset_fingerprint(*reordered) != dataset_fingerprint(X, y)
    assert name in hidden
    if name != "anneal":
        assert name in leave_one_out_exclusions(base, mf, dataset_fingerprint(X2, y2))


def test_a_sample_of_the_rows_finds_the_original(base, tables):
    X, y = tables["prnn_crabs"]
    rows = np.random.default_rng(0).choice(len(X), len(X) // 2, replace=False)
    mf = compute_metafeatures(X.iloc[rows], y.iloc[rows], task="binary", random_state=0)
    assert nearest_datasets(base, mf, "binary")["dataset_id"].iloc[0] == "prnn_crabs"


def test_the_fingerprint_survives_a_row_shuffle_only(tables):
    """The fingerprint (the base's dataset_id) names the data as given: reordered rows are the
    same data, reordered or renamed columns are not (recognised by their meta-features)."""
    X, y = tables["tic_tac_toe"]
    rows = np.random.default_rng(0).permutation(len(X))
    shuffled = X.iloc[rows].reset_index(drop=True), y.iloc[rows].reset_index(drop=True)
    assert dataset_fingerprint(*shuffled) == dataset_fingerprint(X, y)
    assert dataset_fingerprint(X[X.columns[::-1]], y) != dataset_fingerprint(X, y)
