"""DatasetSimilarity and SIMILARITY_FEATURES."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metalearning import (
    OPENML_QUALITIES,
    SIMILARITY_FEATURES,
    DatasetSimilarity,
    autosklearn_to_openml,
    compute_metafeatures,
)


@pytest.fixture(scope="module")
def openml100(task_qualities) -> pd.DataFrame:
    """The server's qualities of the OpenML100 tasks: index dataset id, one column per quality."""
    frame = pd.DataFrame.from_dict(task_qualities, orient="index").astype(float)
    frame.index = [f"openml-task-{i}" for i in frame.index]
    return frame


def test_similarity_features_are_available_from_every_source(task_qualities, autosklearn_features):
    assert 15 <= len(SIMILARITY_FEATURES) <= 45
    assert len(set(SIMILARITY_FEATURES)) == len(SIMILARITY_FEATURES)
    server_names = set().union(*task_qualities.values())
    assert set(SIMILARITY_FEATURES) <= server_names
    assert set(SIMILARITY_FEATURES) <= set(OPENML_QUALITIES)
    # auto-sklearn measured its datasets on a training split: row counts do not transfer, so its
    # datasets are compared on the similarity features that convert exactly (at least 6).
    for name, row in autosklearn_features.iloc[:20].iterrows():
        converted = autosklearn_to_openml(dict(row), regression=False)
        assert len(set(SIMILARITY_FEATURES) & set(converted)) >= 6, name


def test_each_dataset_is_its_own_nearest_neighbour(openml100):
    similarity = DatasetSimilarity().fit(openml100)
    for dataset_id in openml100.index[::7]:
        nearest = similarity.nearest(openml100.loc[dataset_id], k=3)
        assert list(nearest.columns) == ["dataset_id", "distance"]
        assert nearest["distance"].iloc[0] == 0.0
        # one-hundred-plants-margin/-shape/-texture (tasks 9954-9956) tie: same table shape
        assert dataset_id in set(nearest.loc[nearest["distance"] == 0, "dataset_id"])
        assert nearest["distance"].is_monotonic_increasing
        assert dataset_id in similarity.near_duplicates(openml100.loc[dataset_id])


def test_distance_is_l1_on_min_max_scaled_features():
    frame = pd.DataFrame({"a": [0.0, 10.0, 5.0], "b": [1.0, 3.0, 2.0]}, index=["x", "y", "z"])
    similarity = DatasetSimilarity(features=("a", "b"), transforms={}).fit(frame)
    pd.testing.assert_series_equal(similarity.min_, pd.Series({"a": 0.0, "b": 1.0}))
    pd.testing.assert_series_equal(similarity.scale_, pd.Series({"a": 10.0, "b": 2.0}))
    nearest = similarity.nearest(pd.Series({"a": 2.0, "b": 1.0}), k=3)
    expected = {"x": 0.2, "z": 0.3 + 0.5, "y": 0.8 + 1.0}
    assert list(nearest["dataset_id"]) == ["x", "z", "y"]
    assert nearest["distance"].tolist() == pytest.approx(list(expected.values()))


def test_counts_are_log_scaled():
    frame = pd.DataFrame({"NumberOfInstances": [999.0, 9_999.0, 99_999.0]}, index=list("abc"))
    similarity = DatasetSimilarity(features=("NumberOfInstances",), min_comparable=1).fit(frame)
    assert similarity.scaled_["NumberOfInstances"].tolist() == pytest.approx([0.0, 0.5, 1.0])


def test_missing_features_are_skipped_or_cost_the_expected_difference():
    frame = pd.DataFrame(
        {
            "a": [0.0, 1.0, 0.0, 0.5],
            "b": [0.0, 1.0, np.nan, 0.5],
            "c": [0.0, 1.0, np.nan, np.nan],
            "d": [0.0, 1.0, np.nan, 0.5],
        },
        index=["full", "far", "sparse", "half"],
    )
    query = pd.Series({"a": 0.0, "b": 0.0, "c": np.nan, "d": 0.5})
    kwargs = {"features": tuple("abcd"), "transforms": {}, "weights": {}}
    similarity = DatasetSimilarity(**kwargs, min_comparable=2).fit(frame)
    table = similarity.distances(query).set_index("dataset_id")
    # c is missing from the query: left out everywhere, the sum rescaled by 4 / 3
    assert table.loc["full", "distance"] == pytest.approx(0.5 * 4 / 3)
    assert table.loc["half", "distance"] == pytest.approx(1.0 * 4 / 3)
    assert table.loc["sparse", "n_compared"] == 1
    assert table.loc["sparse", "distance"] == np.inf  # too few features in common
    nearest = similarity.nearest(query, k=10)
    assert list(nearest["dataset_id"]) == ["full", "half", "far", "sparse"]
    # b and d, missing from "sparse", cost the mean difference of those having them:
    # b: (0 + 1 + 0.5) / 3, d: (0.5 + 0.5 + 0) / 3
    lenient = DatasetSimilarity(**kwargs, min_comparable=1, missing_penalty=1.0).fit(frame)
    sparse = lenient.distances(query).set_index("dataset_id").loc["sparse", "distance"]
    assert sparse == pytest.approx((0.5 + 1 / 3) * 4 / 3)
    assert list(lenient.nearest(query, k=10)["dataset_id"]) == ["full", "sparse", "half", "far"]
    # without the penalty, knowing little would make "sparse" the nearest
    free = DatasetSimilarity(**kwargs, min_comparable=1, missing_penalty=0).fit(frame)
    assert free.nearest(query, k=1)["dataset_id"].iloc[0] == "sparse"


def test_weights_scale_each_feature():
    frame = pd.DataFrame({"a": [0.0, 1.0], "b": [0.0, 1.0]}, index=["x", "y"])
    similarity = DatasetSimilarity(
        features=("a", "b"), transforms={}, weights={"b": 0.25}, min_comparable=1
    ).fit(frame)
    table = similarity.distances(pd.Series({"a": 1.0, "b": 0.0})).set_index("dataset_id")
    assert table["distance"].to_dict() == pytest.approx({"x": 1.0, "y": 0.25})
    # the query's features weigh 1.25 of 1.25; without b, 1 of 1.25
    alone = similarity.distances(pd.Series({"a": 1.0})).set_index("dataset_id")
    assert alone["distance"].to_dict() == pytest.approx({"x": 1.25, "y": 0.0})


def test_a_feature_the_fitted_datasets_share_weighs_nothing():
    # No past table has missing values: "gaps" cannot tell them apart, and a query with gaps
    # must not be set apart from all of them by a range the base never showed.
    frame = pd.DataFrame(
        {"a": [0.0, 1.0, 0.4], "gaps": [0.0, 0.0, 0.0], "unknown": [np.nan] * 3},
        index=["x", "y", "z"],
    )
    kwargs = {"features": ("a", "gaps", "unknown"), "transforms": {}, "min_comparable": 1}
    similarity = DatasetSimilarity(**kwargs).fit(frame)
    assert similarity.weights_.tolist() == [1.0, 0.0, 0.0]
    expected = {"x": 0.3, "y": 0.7, "z": 0.1}
    for gaps in (0.0, 63.0):
        query = pd.Series({"a": 0.3, "gaps": gaps, "unknown": 5.0})
        table = similarity.distances(query).set_index("dataset_id")["distance"]
        assert table.to_dict() == pytest.approx(expected)
    # once a past table has gaps, they tell tables apart again
    frame.loc["z", "gaps"] = 10.0
    spread = DatasetSimilarity(**kwargs).fit(frame)
    assert spread.weights_.tolist() == [1.0, 1.0, 0.0]
    query = pd.Series({"a": 0.4, "gaps": 10.0})
    assert spread.nearest(query, k=1)["dataset_id"].iloc[0] == "z"
    # with nothing varying (a single past dataset) the weights stay as given
    assert DatasetSimilarity(**kwargs).fit(frame.iloc[:1]).weights_.tolist() == [1.0] * 3


def test_the_nearest_reading_of_the_query_counts():
    frame = pd.DataFrame(
        {"NumberOfInstances": [100.0, 100.0], "NumberOfNumericFeatures": [10.0, 2.0]},
        index=["coded", "declared"],
    )
    similarity = DatasetSimilarity(
        features=("NumberOfInstances", "NumberOfNumericFeatures"), transforms={}, min_comparable=1
    ).fit(frame)
    declared = pd.Series({"NumberOfInstances": 100.0, "NumberOfNumericFeatures": 2.0})
    assert similarity.distances(declared).set_index("dataset_id")["distance"]["coded"] > 0
    both = pd.concat([declared, pd.Series({"NumberOfNumericFeatures@nominal_as_numbers": 10.0})])
    assert list(similarity.readings(both).index) == ["declared", "nominal_as_numbers"]
    distances = similarity.distances(both).set_index("dataset_id")["distance"]
    assert distances.to_dict() == {"coded": 0.0, "declared": 0.0}
    # a tie goes to the dataset matching the types as declared
    assert list(similarity.nearest(both)["dataset_id"]) == ["declared", "coded"]


def test_exclude_and_k(openml100):
    similarity = DatasetSimilarity().fit(openml100)
    query = openml100.iloc[0]
    nearest = similarity.nearest(query, k=5, exclude=[openml100.index[0]])
    assert len(nearest) == 5
    assert openml100.index[0] not in set(nearest["dataset_id"])
    assert len(similarity.nearest(query, k=1000)) == len(openml100)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="k must be a positive integer"):
            similarity.nearest(query, k=bad)


def test_near_duplicates_find_the_same_data_under_another_name(openml100):
    frame = openml100.copy()
    original = frame.index[3]
    frame.loc["copy-of-3"] = frame.loc[original] * (1 + 1e-7)
    # the same dataset imported from a source that has only some of the features
    partial = frame.loc[original].copy()
    partial[list(SIMILARITY_FEATURES[::2])] = np.nan
    frame.loc["partial-copy-of-3"] = partial
    similarity = DatasetSimilarity().fit(frame)
    found = similarity.near_duplicates(frame.loc[original], tol=1e-3)
    assert sorted(found) == sorted([original, "copy-of-3", "partial-copy-of-3"])
    assert similarity.near_duplicates(frame.loc[original], tol=0.0) != found
    with pytest.raises(ValueError, match="tol must be"):
        similarity.near_duplicates(frame.loc[original], tol=-1)


def test_computed_metafeatures_find_their_dataset(make_mixed):
    datasets = {f"d{i}": make_mixed(100 + 80 * i, seed=i) for i in range(4)}
    frame = pd.DataFrame({k: compute_metafeatures(X, y) for k, (X, y) in datasets.items()}).T
    similarity = DatasetSimilarity().fit(frame)
    X, y = datasets["d2"]
    query = compute_metafeatures(X, y)
    nearest = similarity.nearest(query, k=2)
    assert nearest["dataset_id"].iloc[0] == "d2" and nearest["distance"].iloc[0] == 0
    assert similarity.near_duplicates(query) == ["d2"]
    assert similarity.nearest(query, k=1, exclude=["d2"])["dataset_id"].iloc[0] != "d2"


def test_neighbour_distances_are_distances_to_the_nearest_other(openml100):
    frame = openml100.iloc[:30]
    similarity = DatasetSimilarity().fit(frame)
    nearest = similarity.neighbour_distances()
    assert list(nearest.index) == list(frame.index)
    for dataset_id in frame.index[::6]:
        others = similarity.distances(frame.loc[dataset_id]).set_index("dataset_id")["distance"]
        assert nearest[dataset_id] == pytest.approx(others.drop(dataset_id).min())


def test_ties_are_broken_deterministically():
    frame = pd.DataFrame({"a": [1.0, 1.0, 0.0], "b": [1.0, 1.0, 0.0]}, index=["m", "k", "z"])
    similarity = DatasetSimilarity(features=("a", "b"), transforms={}).fit(frame)
    nearest = similarity.nearest(pd.Series({"a": 1.0, "b": 1.0}))
    assert list(nearest["dataset_id"]) == ["k", "m", "z"]


def test_estimator_style_attributes(openml100):
    similarity = DatasetSimilarity(min_comparable=3)
    assert not [name for name in vars(similarity) if name.endswith("_")]
    with pytest.raises(RuntimeError, match="not fitted"):
        similarity.nearest(openml100.iloc[0])
    similarity.fit(openml100)
    assert similarity.features_ == SIMILARITY_FEATURES
    assert list(similarity.dataset_ids_) == list(openml100.index)
    scaled = similarity.scaled_.to_numpy()
    assert np.nanmin(scaled) == 0.0 and np.nanmax(scaled) == 1.0


@pytest.mark.parametrize(
    ("frame", "kwargs", "message"),
    [
        (pd.DataFrame(), {}, "non-empty DataFrame"),
        (pd.DataFrame({"NumberOfInstances": [1.0, 2.0]}, index=["a", "a"]), {}, "unique"),
        (pd.DataFrame({"other": [1.0]}, index=["a"]), {}, "none of the features"),
        (pd.DataFrame({"x": [1.0]}, index=["a"]), {"features": "x"}, "sequence of names"),
        (
            pd.DataFrame({"x": [1.0]}, index=["a"]),
            {"features": ("x",), "weights": {"x": -1.0}},
            "weights must be non-negative",
        ),
        (
            pd.DataFrame({"x": [1.0]}, index=["a"]),
            {"features": ("x",), "missing_penalty": -1.0},
            "missing_penalty must be",
        ),
        (
            pd.DataFrame({"x": [1.0]}, index=["a"]),
            {"features": ("x",), "transforms": {"x": "sqrt"}},
            "'log1p', 'log' or 'asinh'",
        ),
    ],
)
def test_bad_fit_input_is_explained(frame, kwargs, message):
    with pytest.raises(ValueError, match=message):
        DatasetSimilarity(**kwargs).fit(frame)
