import json

import pandas as pd
import pytest

import automl._cost as cost_model
from benchmarks.cost_calibration import calibrate, replay, rounds_comparison, rounds_exponent

LIGHTGBM = {"model": "lightgbm", "lightgbm:n_estimators": 100}
FOREST = {"model": "random_forest"}


def search(run: str, dataset: str, trials: list[tuple[dict, float, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            dict(
                run=run,
                dataset=dataset,
                trial=i,
                model=config["model"],
                config=json.dumps(config),
                fidelity=fidelity,
                fit_time=seconds,
                status=status,
            )
            for i, (config, seconds, fidelity, status) in enumerate(trials)
        ]
    )


@pytest.fixture
def trials() -> pd.DataFrame:
    # The forest's first trial costs 6x LightGBM's per row in every search: on half the rows,
    # after a timeout (taken at twice its limit), or with 200 trees where its later trials
    # do not count.
    return pd.concat(
        [
            search("a", "x", [(LIGHTGBM, 1.0, 1.0, "success"), (FOREST, 6.0, 1.0, "success")]),
            search("b", "y", [(LIGHTGBM, 2.0, 1.0, "success"), (FOREST, 6.0, 0.5, "success")]),
            search(
                "c",
                "z",
                [
                    (LIGHTGBM, 0.5, 1.0, "success"),
                    (FOREST, 1.5, 1.0, "timeout"),
                    (FOREST, 30.0, 1.0, "success"),
                ],
            ),
        ],
        ignore_index=True,
    )


def test_family_factors_are_the_median_first_trial_against_lightgbms(trials):
    factors = calibrate(trials)
    assert factors["lightgbm"] == pytest.approx(1.0)
    assert factors["random_forest"] == pytest.approx(6.0)


def test_replay_scores_only_predictions_from_other_families(trials):
    exact = replay(trials, {"lightgbm": 1.0, "random_forest": 6.0})
    assert list(exact["family"]) == ["random_forest"] * 3  # each search's first forest only
    assert exact["error"].abs().max() < 1e-9
    low = replay(trials, {"lightgbm": 1.0, "random_forest": 1.5})
    assert (low["error"] > 1).all()  # a factor 4x too low: actual over twice the prediction


def test_a_multiclass_search_is_measured_per_tree_built_each_round(trials):
    # On 10 classes LightGBM builds 10 trees a round and the forest does not: a forest 6x
    # LightGBM's defaults per tree is as fast as LightGBM's whole first trial there.
    multiclass = search("d", "w", [(LIGHTGBM, 10.0, 1.0, "success"), (FOREST, 6.0, 1.0, "success")])
    multiclass["n_classes"] = 10
    both = pd.concat([trials.assign(n_classes=2), multiclass], ignore_index=True)
    assert calibrate(both)["random_forest"] == pytest.approx(6.0)
    errors = replay(both, {"lightgbm": 1.0, "random_forest": 6.0})
    assert len(errors) == 4 and errors["error"].abs().max() < 1e-9
    # Without the classes the forest would be predicted at 10 times its cost.
    blind = replay(multiclass.assign(n_classes=0), {"lightgbm": 1.0, "random_forest": 6.0})
    assert blind["error"].iloc[0] == pytest.approx(-3.3219, abs=1e-3)


def test_rounds_are_replayed_linearly_and_as_their_square_root():
    # Early stopping: four times LightGBM's rounds took twice its defaults' time, as the
    # square root says; cost linear in rounds predicts twice the actual.
    more_rounds = {"model": "lightgbm", "lightgbm:n_estimators": 400}
    runs = search("a", "x", [(LIGHTGBM, 1.0, 1.0, "success"), (more_rounds, 2.0, 1.0, "success")])
    shipped = dict(cost_model.ROUNDS_EXPONENT)
    table = rounds_comparison(runs)
    assert table.loc[("lightgbm", "square root (LightGBM)"), "median log2(actual/predicted)"] == 0
    assert table.loc[("lightgbm", "linear"), "median log2(actual/predicted)"] == -1
    assert table.loc[("lightgbm", "linear"), "predictions"] == 1
    assert shipped == cost_model.ROUNDS_EXPONENT  # restored after the replays


def test_the_rounds_exponent_is_fitted_within_each_search():
    # Two searches on machines 3x apart, the slow one with larger settings: within each, time
    # grows as rounds ** 0.5 (leaves as size_factor says). Pooled, the raw times would put the
    # machine's speed into the exponent; each search's mean is taken out.
    def trials(speed: float, settings) -> list:
        out = []
        for n, leaves in settings:
            config = {
                "model": "lightgbm",
                "lightgbm:n_estimators": n,
                "lightgbm:num_leaves": leaves,
            }
            out.append((config, speed * n**0.5 * (leaves / 31) ** 0.5, 1.0, "success"))
        return [*out, (LIGHTGBM, 99.0, 0.5, "success")]  # on a row sample: left out

    runs = pd.concat(
        [
            search("fast", "x", trials(1.0, [(50, 31), (200, 31), (100, 62)])),
            search("slow", "y", trials(3.0, [(400, 31), (1600, 31), (800, 124)])),
        ],
        ignore_index=True,
    )
    assert rounds_exponent(runs, "lightgbm", "run") == pytest.approx(0.5)
