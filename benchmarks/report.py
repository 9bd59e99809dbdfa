"""``automl bench report``: tables and plots comparing the systems of a results folder.

Writes ``report.md``, ``report.html`` and PNG plots (anytime performance, box plots of the
normalised score, critical-difference diagram). The statistics follow :mod:`benchmarks.stats`.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import plots, stats
from benchmarks.results import read_results

ARROW = {True: "↑", False: "↓"}


def _fmt(value: object, digits: int = 4) -> str:
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return ""
        value = float(value) + 0.0  # no "-0"
        return f"{value:.{digits}g}" if abs(value) < 1e4 else f"{value:.0f}"
    return "" if value is None or value is pd.NA else str(value)


def to_markdown(table: pd.DataFrame, index: bool = True) -> str:
    """A DataFrame as a GitHub-flavoured Markdown table (no extra dependency)."""
    frame = table.reset_index() if index else table
    header = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in frame.itertuples(index=False):
        cells = [_fmt(v).replace("|", "\\|").replace("\n", " ") for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def to_html_table(table: pd.DataFrame, index: bool = True) -> str:
    """A DataFrame as an HTML table with the same number formatting as the Markdown."""
    frame = table.reset_index() if index else table
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class _Doc:
    """Collects sections once and renders them as Markdown and HTML."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.parts: list[tuple[str, object]] = []

    def heading(self, text: str) -> None:
        self.parts.append(("h2", text))

    def text(self, text: str) -> None:
        self.parts.append(("p", text))

    def items(self, items: list[str]) -> None:
        self.parts.append(("ul", items))

    def table(self, table: pd.DataFrame, index: bool = True) -> None:
        self.parts.append(("table", (table, index)))

    def image(self, file_name: str, caption: str) -> None:
        self.parts.append(("img", (file_name, caption)))

    def markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for kind, value in self.parts:
            if kind == "h2":
                out += [f"## {value}", ""]
            elif kind == "p":
                out += [str(value), ""]
            elif kind == "ul":
                out += [f"- {item}" for item in value] + [""]
            elif kind == "table":
                out += [to_markdown(*value), ""]
            else:
                name, caption = value
                out += [f"![{caption}]({name})", "", f"*{caption}*", ""]
        return "\n".join(out)

    def html(self) -> str:
        style = (
            "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
            "table{border-collapse:collapse;margin:1em 0;font-size:90%}"
            "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
            "th{background:#f3f3f3}img{max-width:100%}figcaption{font-style:italic}"
        )
        out = [
            "<!DOCTYPE html><html><head><meta charset='utf-8'>",
            f"<title>{html.escape(self.title)}</title><style>{style}</style></head><body>",
            f"<h1>{html.escape(self.title)}</h1>",
        ]
        for kind, value in self.parts:
            if kind == "h2":
                out.append(f"<h2>{html.escape(str(value))}</h2>")
            elif kind == "p":
                out.append(f"<p>{html.escape(str(value))}</p>")
            elif kind == "ul":
                out.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in value) + "</ul>")
            elif kind == "table":
                out.append(to_html_table(*value))
            else:
                name, caption = value
                out.append(
                    f"<figure><img src='{html.escape(name)}' alt='{html.escape(caption)}'>"
                    f"<figcaption>{html.escape(caption)}</figcaption></figure>"
                )
        out.append("</body></html>")
        return "\n".join(out)


def _overview(doc: _Doc, results: pd.DataFrame, results_dir: Path) -> None:
    suites = ", ".join(sorted(results["suite"].dropna().unique()))
    budgets = ", ".join(f"{b:g}" for b in sorted(results["budget"].dropna().unique()))
    doc.items(
        [
            f"results: `{results_dir}`",
            f"suite(s): {suites}",
            f"{results['task'].nunique()} task(s), {results['fold'].nunique()} fold(s), "
            f"{results['label'].nunique()} system(s), {len(results)} job(s)",
            f"time budget(s): {budgets} s",
        ]
    )


def _per_task_table(results: pd.DataFrame) -> pd.DataFrame:
    table = stats.task_scores(results)
    metric = (
        results.dropna(subset=["metric"]).groupby("task")[["metric", "higher_is_better"]].first()
    )
    metric_text = [
        f"{m} {ARROW[bool(h)]}" for m, h in zip(metric["metric"], metric["higher_is_better"])
    ]
    table.insert(0, "metric", pd.Series(metric_text, index=metric.index).reindex(table.index))
    return table


def build_report(results: pd.DataFrame, results_dir: Path, out_dir: Path) -> _Doc:
    """Compute every table and plot of the report; return the document."""
    results = stats.add_labels(results)
    doc = _Doc("Benchmark report")
    _overview(doc, results, results_dir)
    normalised = stats.normalised_scores(results)
    higher = stats.task_orientation(results)
    better = stats.oriented(stats.imputed_scores(results), higher)
    doc.heading("Summary")
    doc.table(stats.system_summary(results, normalised, better).round(4))
    doc.text(
        "Normalised score: (score - constant) / (tuned random forest - constant) on the same "
        "task and fold, as the AMLB (0 = constant predictor, 1 = tuned random forest); the mean "
        "counts a failure as 0. Ranks, wins/ties/losses and the Friedman test use the mean "
        "score over folds per task, with failures imputed by the constant predictor's score."
    )
    notes = stats.missing_references(results)
    if notes:
        doc.text("Normalisation references missing (those tasks have no normalised score):")
        doc.items(notes)
    doc.heading("Scores per task (mean over folds; ↑ higher is better, ↓ lower is better)")
    doc.table(_per_task_table(results))
    norm_table = stats.task_normalised(normalised, sorted(results["label"].unique()))
    if not norm_table.empty:
        doc.heading("Normalised scores per task")
        doc.table(norm_table)
    doc.heading("Wins / ties / losses (row system against column system, over tasks)")
    doc.table(stats.wins_ties_losses(better))
    _significance(doc, better, out_dir)
    _plots(doc, results, norm_table, better, out_dir)
    _failures(doc, results)
    return doc


def _significance(doc: _Doc, better: pd.DataFrame, out_dir: Path) -> None:
    doc.heading("Average ranks and critical difference")
    test = stats.friedman_nemenyi(better)
    if "error" in test:
        doc.text(f"No Friedman/Nemenyi test: it {test['error']}.")
        return
    ranks = test["average_ranks"].rename("average rank").rename_axis("system").to_frame()
    doc.table(ranks.round(3))
    friedman = (
        f"Friedman chi² = {test['statistic']:.3f}, p = {test['pvalue']:.3g}"
        if np.isfinite(test["pvalue"])
        else "Friedman test undefined with fewer than 3 systems"
    )
    doc.text(
        f"{test['k']} systems on {test['n_tasks']} tasks with results for all. {friedman}. "
        f"Nemenyi critical difference at alpha = {test['alpha']}: {test['cd']:.3f} "
        "(systems joined by a bar in the diagram are not significantly different)."
    )
    plots.plot_critical_difference(
        test["average_ranks"],
        test["cd"],
        out_dir / "critical_difference.png",
        title=f"Critical difference (Nemenyi, alpha={test['alpha']}, {test['n_tasks']} tasks)",
    )
    doc.image("critical_difference.png", "Critical-difference diagram of average ranks")


def _plots(
    doc: _Doc, results: pd.DataFrame, norm_table: pd.DataFrame, better: pd.DataFrame, out: Path
) -> None:
    doc.heading("Plots")
    if results["status"].eq("success").any():
        plots.plot_anytime(results, out / "anytime.png")
        doc.image(
            "anytime.png",
            "Anytime performance over all task-folds: best validation score found so far "
            "(automl: its trials; tuned RF: out-of-bag scores; other baselines: one point, the "
            "test score at the end of training), normalised and clipped to "
            f"{list(plots.CLIP)} when references exist (a failure counts as 0), otherwise the "
            "mean rank",
        )
    if not norm_table.empty:
        plots.plot_boxplots(
            norm_table, out / "normalised_boxplot.png", "normalised score", clip=plots.CLIP
        )
        doc.image("normalised_boxplot.png", "Normalised score per task (clipped to [-1, 2])")
    elif not better.empty:
        plots.plot_boxplots(stats.ranks(better), out / "rank_boxplot.png", "rank (1 = best)")
        doc.image("rank_boxplot.png", "Rank per task (no normalisation references)")


def _failures(doc: _Doc, results: pd.DataFrame) -> None:
    doc.heading("Failures")
    failed = results[results["status"] != "success"]
    if failed.empty:
        doc.text("No failures.")
        return
    doc.table(stats.failure_counts(results))
    listing = failed[["task", "fold", "label", "status", "error"]].copy()
    listing["error"] = [_first_line(e) for e in listing["error"]]
    doc.table(
        listing.sort_values(["label", "task", "fold"]).rename(columns={"label": "system"}),
        index=False,
    )


def _first_line(text: object, width: int = 160) -> str:
    if not isinstance(text, str) or not text.strip():
        return ""
    line = text.strip().splitlines()[0]
    return line if len(line) <= width else line[: width - 1] + "…"


def write_report(results_dir: str | Path, out_dir: str | Path | None = None) -> list[Path]:
    """Write ``report.md``, ``report.html`` and PNG plots for a results folder.

    Parameters
    ----------
    results_dir : str or Path
        A ``bench run --out`` folder.
    out_dir : str or Path, optional
        Where to write (default ``results_dir/report``).

    Returns
    -------
    list of Path
        The files written.
    """
    results_dir = Path(results_dir)
    out = Path(out_dir) if out_dir is not None else results_dir / "report"
    out.mkdir(parents=True, exist_ok=True)
    results = read_results(results_dir)
    if results.empty:
        raise ValueError(f"No job results in {results_dir / 'jobs'}; run `bench run` first.")
    doc = build_report(results, results_dir, out)
    (out / "report.md").write_text(doc.markdown())
    (out / "report.html").write_text(doc.html())
    summary = stats.add_labels(results)
    (out / "summary.json").write_text(
        json.dumps({"jobs": len(summary), "statuses": summary["status"].value_counts().to_dict()})
    )
    return sorted(p for p in out.iterdir() if p.suffix in (".md", ".html", ".png", ".json"))
