"""The fit report in a real headless browser: Debian's Chromium, driven by Selenium through
Debian's chromedriver (both from ``apt-get install chromium chromium-driver``; Selenium is in
the ``dev`` extra).

``check_report(index)`` opens a report's ``index.html`` and returns what a reader would meet:
whether the page loaded, each ``<img>``'s natural width (0: it did not render), and the
browser's console errors (a missing file, a script error). As a script, it fits a real model,
writes its report, checks it and saves screenshots of the whole page (at 3/4 scale) and of its
top:

    python benchmarks/report_check.py --out benchmarks/results/report
"""

from __future__ import annotations

import argparse
import base64
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: Flags for a headless Chromium that asks nothing of the network.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
FAMILIES = ("lightgbm", "linear", "extra_trees", "k_nearest_neighbors")
SECTIONS = ("anytime", "leaderboard", "ensemble", "warm-start", "importance", "families")


@dataclass
class PageCheck:
    """What the browser saw: the document's state and title, the sections present, every
    image's source and natural width, and the console's error messages."""

    ready_state: str
    title: str
    sections: list[str]
    images: list[tuple[str, int]]
    console_errors: list[str] = field(default_factory=list)

    @property
    def broken_images(self) -> list[str]:
        return [src for src, width in self.images if width <= 0]

    @property
    def ok(self) -> bool:
        """Loaded, every section and image there and rendered, no console error."""
        return (
            self.ready_state == "complete"
            and set(SECTIONS) <= set(self.sections)
            and bool(self.images)
            and not self.broken_images
            and not self.console_errors
        )


def browser_missing() -> str | None:
    """Why the check cannot run here (None when it can): Chromium, chromedriver or Selenium
    absent."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if shutil.which(path) is None:
            return f"{path} is absent (apt-get install {package})"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


def check_report(
    index: str | Path,
    *,
    screenshot: str | Path | None = None,
    width: int = 1200,
    height: int | None = None,
    scale: float = 1.0,
) -> PageCheck:
    """Open ``index`` in headless Chromium and check it; with ``screenshot``, save a PNG of the
    page laid out ``width`` CSS pixels wide: its top ``height`` pixels (None: the whole page),
    scaled by ``scale``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},900")
    profile = tempfile.mkdtemp(prefix="automl-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        driver.set_page_load_timeout(60)
        driver.get(Path(index).resolve().as_uri())
        check = PageCheck(
            ready_state=driver.execute_script("return document.readyState"),
            title=driver.title,
            sections=driver.execute_script(
                "return Array.from(document.querySelectorAll('section')).map(s => s.id)"
            ),
            images=[
                (src, int(w))
                for src, w in driver.execute_script(
                    "return Array.from(document.images)"
                    ".map(i => [i.getAttribute('src'), i.complete ? i.naturalWidth : 0])"
                )
            ],
            console_errors=[
                entry["message"]
                for entry in driver.get_log("browser")
                if entry["level"] == "SEVERE"
            ],
        )
        if screenshot is not None:
            page = driver.execute_script("return document.documentElement.scrollHeight")
            height = page if height is None else min(height, page)
            shot = driver.execute_cdp_cmd(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "captureBeyondViewport": True,
                    "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": scale},
                },
            )
            Path(screenshot).write_bytes(base64.b64decode(shot["data"]))
        return check
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Fit on scikit-learn's breast cancer table (four families, one configuration of the
    user's), write the report to ``--out``, check it in Chromium and save ``screenshot.png``
    beside it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="benchmarks/results/report")
    parser.add_argument("--n-trials", type=int, default=30)
    parser.add_argument("--time-budget", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if (why := browser_missing()) is not None:
        parser.error(why)
    from sklearn.datasets import load_breast_cancer

    from automl import AutoMLClassifier

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    y = y.map({0: "malignant", 1: "benign"})
    model = AutoMLClassifier(  # four families, so that the portfolio leaves trials to SMAC
        time_budget=args.time_budget,
        n_trials=args.n_trials,
        random_state=args.seed,
        models=FAMILIES,
        initial_configurations=[{"model": "lightgbm", "lightgbm:num_leaves": 15}],
        update_knowledge_base=False,
        verbose=1,
    ).fit(X, y)
    out = Path(args.out)
    index = model.report(out)
    check = check_report(index, screenshot=out / "screenshot.png", scale=0.75)
    check_report(index, screenshot=out / "screenshot-top.png", height=1450)
    print(f"report: {index}")
    print(f"loaded: {check.ready_state}, title {check.title!r}, sections {check.sections}")
    print(f"images: {check.images}")
    print(f"console errors: {check.console_errors or 'none'}")
    print(
        f"browser check {'passed' if check.ok else 'FAILED'}; screenshots "
        f"{out / 'screenshot.png'} (whole page) and {out / 'screenshot-top.png'}"
    )
    return 0 if check.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
