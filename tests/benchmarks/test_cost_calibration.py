import json

import pandas as pd
import pytest

from benchmarks.cost_calibration import calibrate, replay

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
