"""`automl fit --config FILE`: the steering options from a YAML or JSON file."""

import json

import joblib
import pytest

from automl._steering import SteeringError, read_steering_file
from automl.cli import main

TINY = ["--time-budget", "30", "--cold", "--no-kb-update", "--quiet"]

STEER_YAML = """\
# the README's example
models: [lightgbm, linear]
search_space:
  lightgbm:num_leaves: [8, 16]     # a range
  lightgbm:learning_rate: 5e-2     # a fixed value (YAML reads 5e-2 as text: taken as a number)
exclude_preprocessing: [feature_selection, quantile]
initial_configurations:
  - model: linear
    linear:C: 0.5
"""


@pytest.fixture
def crabs_csv(tmp_path, load_pmlb):
    X, y = load_pmlb("prnn_crabs")
    path = tmp_path / "crabs.csv"
    X.assign(species=y.map({0: "blue", 1: "orange"})).to_csv(path, index=False)
    return path


def test_fit_takes_steering_from_a_yaml_file(tmp_path, crabs_csv):
    config = tmp_path / "steer.yaml"
    config.write_text(STEER_YAML)
    out = tmp_path / "model.joblib"
    argv = ["fit", str(crabs_csv), "--target", "species", "--n-trials", "4", "--out", str(out)]
    assert main([*argv, "--config", str(config), *TINY]) == 0
    trials = joblib.load(out).trials_
    assert trials["origin"].iloc[0] == "user"
    assert trials["config"].iloc[0]["linear:C"] == 0.5
    assert set(trials["model"]) <= {"lightgbm", "linear"}
    for config in trials["config"]:
        assert config["feature_selection:__choice__"] == "none"
        assert config.get("rescaling:__choice__") != "quantile"
        if config["model"] == "lightgbm":
            assert 8 <= config["lightgbm:num_leaves"] <= 16
            assert config["lightgbm:learning_rate"] == 0.05


def test_a_json_file_reads_the_same(tmp_path):
    yaml_file, json_file = tmp_path / "steer.yaml", tmp_path / "steer.json"
    yaml_file.write_text(STEER_YAML)
    options = read_steering_file(yaml_file)
    json_file.write_text(json.dumps(options))
    assert read_steering_file(json_file) == {
        **options,
        "search_space": {**options["search_space"], "lightgbm:learning_rate": "5e-2"},
    }
    assert options["models"] == ("lightgbm", "linear")
    assert options["exclude_preprocessing"] == ("feature_selection", "quantile")
    assert options["search_space"]["lightgbm:num_leaves"] == [8, 16]


def test_a_bad_entry_is_named(tmp_path, crabs_csv, capsys):
    config = tmp_path / "steer.yaml"
    config.write_text("initial_configurations:\n  - model: lightgbm\n    lightgbm:num_leavs: 31\n")
    argv = ["fit", str(crabs_csv), "--target", "species", "--config", str(config), *TINY]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{config}: initial_configurations[0]['lightgbm:num_leavs']" in err
    assert "did you mean 'lightgbm:num_leaves'" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("search_spaces:\n  lightgbm:num_leaves: [8, 16]\n", "unknown option 'search_spaces'"),
        ("- lightgbm\n", "the file must hold a mapping of options"),
        ("search_space: [8, 16]\n", "'search_space' must be a mapping"),
        ("initial_configurations:\n  model: lightgbm\n", "'initial_configurations' must be a list"),
        ("models: {lightgbm: 1}\n", "'models' must be a list of names"),
        ("search_space: {lightgbm:num_leaves: [8, 16\n", "not valid yaml"),
    ],
)
def test_a_malformed_file_is_named(tmp_path, crabs_csv, capsys, text, message):
    config = tmp_path / "steer.yaml"
    config.write_text(text)
    with pytest.raises(SteeringError, match=f"{config}: ") as error:
        read_steering_file(config)
    assert message in str(error.value)
    argv = ["fit", str(crabs_csv), "--target", "species", "--config", str(config), *TINY]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_missing_file_is_a_clear_error(tmp_path, crabs_csv, capsys):
    argv = ["fit", str(crabs_csv), "--target", "species", "--config", str(tmp_path / "no.yaml")]
    assert main([*argv, *TINY]) == 2
    assert "No such steering file" in capsys.readouterr().err
