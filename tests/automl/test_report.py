"""The fit report (``model.report``, ``automl report``) of a real tiny fit: every section, every
image a valid PNG, values escaped, the command line, clear errors, and the page in a real
headless Chromium (skipped where Chromium, chromedriver or Selenium is absent)."""

from __future__ import annotations

import copy
from html.parser import HTMLParser
from pathlib import Path

import joblib
import pandas as pd
import pytest
from PIL import Image
from sklearn.exceptions import NotFittedError

from automl import AutoMLClassifier
from automl._report import family_costs, html_table
from automl.cli import main
from benchmarks.report_check import SECTIONS, browser_missing, check_report
from tests.automl.conftest import CHEAP_FAMILIES
from tests.conftest import PMLB

LABELS = {0: "<i>blue</i>", 1: 'orange & "red"'}  # class labels the page must escape


class _Page(HTMLParser):
    """The section ids, image sources and table rows of a report page."""

    def __init__(self):
        super().__init__()
        self.sections: list[str] = []
        self.images: list[str] = []
        self.rows: dict[str, int] = {}
        self._section = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self._section = attrs["id"]
            self.sections.append(self._section)
        elif tag == "img":
            self.images.append(attrs["src"])
        elif tag == "tr":
            self.rows[self._section] = self.rows.get(self._section, 0) + 1


def _parse(index: Path) -> _Page:
    page = _Page()
    page.feed(index.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def crabs():
    frame = pd.read_csv(PMLB / "prnn_crabs.tsv.gz", sep="\t")
    return frame.drop(columns="target"), frame["target"].map(LABELS).rename("species")


@pytest.fixture(scope="module")
def fitted(crabs, tmp_path_factory):
    """A real 8-trial search warm-started from the shipped knowledge base's nearest datasets."""
    X, y = crabs
    with pytest.MonkeyPatch.context() as patch:  # never the user's own knowledge base
        patch.setenv("AUTOML_KB_DIR", str(tmp_path_factory.mktemp("user-kb")))
        return AutoMLClassifier(
            time_budget=60,
            n_trials=8,
            random_state=0,
            resampling="holdout",
            warm_start="nearest",
            update_knowledge_base=False,
            models=CHEAP_FAMILIES,
        ).fit(X, y)


@pytest.fixture(scope="module")
def report(fitted, tmp_path_factory) -> Path:
    return fitted.report(tmp_path_factory.mktemp("report") / "fit")


def test_the_report_has_every_section_and_valid_images(fitted, report):
    assert report.name == "index.html" and report.is_file()
    page = _parse(report)
    assert page.sections == list(SECTIONS)
    assert page.images == ["anytime.png", "importance.png", "families.png"]
    for name in page.images:
        with Image.open(report.parent / name) as image:
            assert image.format == "PNG"
            image.verify()
        with Image.open(report.parent / name) as image:
            assert min(image.size) > 100
    board = fitted.leaderboard_
    assert page.rows["leaderboard"] == 1 + min(20, len(board))
    assert page.rows["ensemble"] == 1 + int((board["ensemble_weight"] > 0).sum())
    assert page.rows["families"] == 1 + fitted.trials_["model"].nunique()
    text = report.read_text(encoding="utf-8")
    for neighbor in fitted.warm_start_["neighbors"]:
        assert f"<td>{neighbor['name']}</td>" in text
    assert "Configurations taken from them" in text
    assert "not enough trials" in text  # 8 trials: too few for any importance
    assert "joules" in text and "Energy is not recorded" not in text


def test_the_page_escapes_values(report):
    text = report.read_text(encoding="utf-8")
    assert "&lt;i&gt;blue&lt;/i&gt;" in text and "<i>blue</i>" not in text
    assert "orange &amp; &quot;red&quot;" in text
    table = html_table(pd.DataFrame({"<b>": ["<script>alert(1)</script>"], "n": [1.5]}))
    assert "<script>" not in table and "<b>" not in table
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in table
    assert '<td class="num">1.5</td>' in table


def test_a_fit_without_energy_or_halving_columns_says_so(fitted, tmp_path):
    older = copy.copy(fitted)  # as a model saved before these columns existed
    dropped = ["cpu_seconds", "energy_joules", "energy_source", "fidelity", "rung"]
    older.trials_ = fitted.trials_.drop(columns=dropped)
    older.leaderboard_ = fitted.leaderboard_.drop(columns=["cpu_seconds", "energy_joules"])
    del older.energy_
    index = older.report(tmp_path / "older")
    text = index.read_text(encoding="utf-8")
    assert "Energy is not recorded for this fit." in text
    assert _parse(index).sections == list(SECTIONS)
    assert list(family_costs(older.trials_).columns) == [
        "family",
        "trials",
        "successful",
        "wall s",
        "fit s",
        "best score",
    ]


def test_automl_report_on_a_saved_model(fitted, tmp_path, capsys):
    model = tmp_path / "model.joblib"
    joblib.dump(fitted, model)  # as `automl fit` saves it
    assert main(["report", str(model), "--out", str(tmp_path / "report")]) == 0
    assert capsys.readouterr().out.strip() == f"report written to {tmp_path / 'report/index.html'}"
    page = _parse(tmp_path / "report" / "index.html")
    assert page.sections == list(SECTIONS)
    assert all((tmp_path / "report" / name).stat().st_size > 1000 for name in page.images)


def test_clear_errors_for_an_unfitted_model_or_a_missing_or_wrong_file(tmp_path, capsys):
    with pytest.raises(NotFittedError):
        AutoMLClassifier().report(tmp_path / "r")
    joblib.dump(AutoMLClassifier(), tmp_path / "unfitted.joblib")
    joblib.dump({"not": "a model"}, tmp_path / "dict.joblib")
    (tmp_path / "table.csv").write_text("a,b\n1,2\n")
    expected = {
        "unfitted.joblib": "This AutoMLClassifier instance is not fitted yet",
        "missing.joblib": "No such model file",
        "dict.joblib": "holds a dict, not an AutoML model",
        "table.csv": "is not a model saved by `automl fit`",
    }
    for name, message in expected.items():
        assert main(["report", str(tmp_path / name), "--out", str(tmp_path / "r")]) == 2
        assert message in capsys.readouterr().err, name
    assert not (tmp_path / "r").exists()


@pytest.mark.skipif(browser_missing() is not None, reason=f"no browser check: {browser_missing()}")
def test_the_report_renders_in_headless_chromium(report):
    check = check_report(report)
    assert check.ready_state == "complete"
    assert check.title == "AutoMLClassifier fit report"
    assert check.sections == list(SECTIONS)
    assert [src for src, _ in check.images] == ["anytime.png", "importance.png", "families.png"]
    assert check.broken_images == []
    assert check.console_errors == []
    assert check.ok
