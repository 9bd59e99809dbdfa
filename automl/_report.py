"""The fit report (``model.report(DIR)``, ``automl report MODEL --out DIR``): one HTML page
and its PNGs that show how a fit went: the anytime curve, the leaderboard, the ensemble, the
warm start, the hyperparameters' importance, and time and energy per model family.

The page is plain HTML (no script, no external resource), its values escaped with
``html.escape``; the figures are drawn with matplotlib's Agg backend (the ``report`` extra).
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from automl._limits import Status

LEADERBOARD_ROWS = 20
LEADERBOARD_NAMES = {
    "ensemble_weight": "weight",
    "fit_time": "fit s",
    "cpu_seconds": "CPU s",
    "energy_joules": "joules",
}
#: How each origin of ``trials_`` is named and coloured (an unknown origin gets grey).
ORIGINS = {
    "user": ("your configurations", "#9467bd"),
    "default": ("family defaults", "#7f7f7f"),
    "portfolio": ("portfolio", "#1f77b4"),
    "warm-start": ("warm start (nearest datasets)", "#2ca02c"),
    "search": ("search", "#ff7f0e"),
}
RUNG_MARKERS = ("o", "s", "^", "D", "P")
FIGURES = ("anytime.png", "families.png", "importance.png")

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 1150px; padding: 0 1em; color: #222; line-height: 1.4; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em;
     margin-top: 1.8em; }
nav a { margin-right: 1em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.config { font-family: ui-monospace, monospace; font-size: 0.9em; max-width: 34em; }
tr.muted td { color: #888; }
dl.summary { display: grid; grid-template-columns: max-content auto; gap: 0.15em 1.2em; }
dl.summary dt { font-weight: 600; } dl.summary dd { margin: 0; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
.note { color: #555; font-size: 0.9em; }
.bar { display: inline-block; height: 0.8em; background: #1f77b4; vertical-align: middle; }
"""


def write_report(model, out: str | Path) -> Path:
    """Write ``model``'s report (a fitted ``AutoMLClassifier`` or ``AutoMLRegressor``) into the
    folder ``out``: ``index.html`` and its PNGs. Returns the path of ``index.html``."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model, "model_")
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError(
            "The fit report draws its figures with matplotlib, which is not installed: "
            "pip install 'automl-kb[report]'"
        ) from exc
    matplotlib.use("Agg")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    trials = model.trials_
    sections = [
        ("anytime", "Anytime curve", _anytime_section(model, trials, out)),
        ("leaderboard", "Leaderboard", _leaderboard_section(model)),
        ("ensemble", "Ensemble", _ensemble_section(model)),
        ("warm-start", "Warm start", _warm_start_section(model)),
        ("importance", "Hyperparameter importance", _importance_section(model, out)),
        ("families", "Time and energy per family", _families_section(trials, out)),
    ]
    nav = " ".join(f'<a href="#{key}">{_e(title)}</a>' for key, title, _ in sections)
    body = "\n".join(
        f'<section id="{key}">\n<h2>{_e(title)}</h2>\n{content}\n</section>'
        for key, title, content in sections
    )
    name = type(model).__name__
    page = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(name)} fit report</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<h1>{_e(name)} fit report</h1>\n{_summary(model, trials)}\n<nav>{nav}</nav>\n"
        f"{body}\n</body>\n</html>\n"
    )
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


# ------------------------------------------------------------------------------ helpers
def _e(value: Any) -> str:
    """``value`` as escaped HTML text."""
    return html.escape(str(value), quote=True)


def _number(value: Any, digits: int = 4) -> str:
    """A number for a table: NaN and None as an empty cell, integers whole, others rounded."""
    if value is None or (isinstance(value, numbers.Real) and not math.isfinite(float(value))):
        return ""
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):.{digits}g}" if abs(float(value)) < 1e4 else f"{float(value):.0f}"
    return str(value)


def _fixed(digits: int) -> Callable[[Any], str]:
    """A formatter with ``digits`` decimals (empty for NaN)."""

    def fmt(value: Any) -> str:
        if value is None or (isinstance(value, numbers.Real) and not math.isfinite(float(value))):
            return ""
        return f"{float(value):.{digits}f}"

    return fmt


def html_table(
    frame: pd.DataFrame,
    *,
    formats: Mapping[str, Callable[[Any], str]] | None = None,
    css: Mapping[str, str] | None = None,
    markup: Mapping[str, Callable[[Any], str]] | None = None,
    muted: pd.Series | None = None,
) -> str:
    """``frame`` as an HTML table, every header and cell escaped: ``formats`` turn a column's
    values into text (numbers default to ``_number``), ``css`` gives a column's cells a class
    (numbers: ``num``), ``markup`` turns a column's values into HTML that the function itself
    makes safe, ``muted`` (booleans by row) greys rows out."""
    formats = dict(formats or {})
    markup = dict(markup or {})
    css = dict(css or {})
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c].dtype)}
    rows = []
    for i, (_, row) in enumerate(frame.iterrows()):
        cells = []
        for column in frame.columns:
            value = row[column]
            cls = css.get(column, "num" if column in numeric else "")
            attr = f' class="{cls}"' if cls else ""
            if column in markup:
                cells.append(f"<td{attr}>{markup[column](value)}</td>")
            else:
                cells.append(f"<td{attr}>{_e(formats.get(column, _number)(value))}</td>")
        attr = ' class="muted"' if muted is not None and bool(muted.iloc[i]) else ""
        rows.append(f"<tr{attr}>{''.join(cells)}</tr>")
    return (
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
    )


def _image(name: str, alt: str) -> str:
    return f'<p><img src="{_e(name)}" alt="{_e(alt)}"></p>'


def _note(text: str) -> str:
    return f'<p class="note">{_e(text)}</p>'


def _config_text(config: Any) -> str:
    """A configuration as ``name=value`` pairs, its family's prefix dropped."""
    if not isinstance(config, Mapping):
        return "" if config is None else str(config)
    family = config.get("model")
    parts = []
    for key, value in config.items():
        if key == "model":
            continue
        if family and key.startswith(f"{family}:"):
            key = key[len(family) + 1 :]
        key = key.replace(":__choice__", "")
        parts.append(f"{key}={_number(value) if isinstance(value, float) else value}")
    return ", ".join(parts)


def _folded_config(config: Any) -> str:
    """A configuration as HTML folded under a summary of its length (no script needed)."""
    text = _config_text(config)
    n = text.count("=")
    return f"<details><summary>{n} values</summary>{_e(text)}</details>" if text else ""


def _origin_name(origin: str, optimizer: str) -> str:
    name = ORIGINS.get(origin, (origin, ""))[0]
    if origin == "search":
        return f"search ({'SMAC' if optimizer == 'smac' else optimizer})"
    return name


def _has(trials: pd.DataFrame, column: str) -> bool:
    return column in trials.columns and trials[column].notna().any()


def _greater_is_better(model) -> bool:
    from automl._task import get_metric

    return bool(get_metric(model.metric_, model.task_).greater_is_better)


# ------------------------------------------------------------------------------ summary
def _summary(model, trials: pd.DataFrame) -> str:
    status = trials["status"].value_counts()
    counts = ", ".join(f"{n} {s}" for s, n in status.items())
    ok = trials[trials["status"] == Status.SUCCESS.value]
    better = _greater_is_better(model)
    board = model.leaderboard_
    members = int((board["ensemble_weight"] > 0).sum())
    items = [
        ("Task", f"{model.task_.value}, {model.n_features_in_} columns"),
        ("Metric", f"{model.metric_} ({'higher' if better else 'lower'} is better)"),
        ("Trials", f"{len(trials)} ({counts})"),
        (
            "Best validation score",
            f"{_number(ok.loc[ok['loss'].idxmin(), 'score'])} "
            f"({ok.loc[ok['loss'].idxmin(), 'model']}, trial {ok.loc[ok['loss'].idxmin(), 'trial']})"
            if len(ok)
            else "no trial succeeded",
        ),
        ("Ensemble", f"{members} pipelines" if members else "none (a fallback model)"),
        ("Fit time", f"{model.fit_time_:.1f} s (budget {model.time_budget} s)"),
    ]
    energy = getattr(model, "energy_", None)
    if energy:
        how = "measured by RAPL" if energy.get("source") == "rapl" else "estimated from CPU time"
        items.append(
            ("Energy", f"{energy['joules']:.0f} J, {energy['cpu_seconds']:.1f} CPU s ({how})")
        )
    else:
        items.append(("Energy", "not recorded"))
    items.append(("Optimizer", str(model.optimizer)))
    if getattr(model, "classes_", None) is not None:
        classes = ", ".join(map(str, model.classes_[:20]))
        more = f" and {len(model.classes_) - 20} more" if len(model.classes_) > 20 else ""
        items.append(("Classes", classes + more))
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items)
    return f'<dl class="summary">{rows}</dl>'


# ------------------------------------------------------------------------------ anytime
def _anytime_section(model, trials: pd.DataFrame, out: Path) -> str:
    if trials.empty:
        return _note("No trial ran.")
    notes = _plot_anytime(model, trials, out / "anytime.png")
    text = (
        "Best validation score so far (the line) against seconds since the fit started and "
        "against trial number (as in the leaderboard); each point is a trial, coloured by where "
        "its configuration came from."
    )
    failed = int((trials["status"] != Status.SUCCESS.value).sum())
    if failed:
        text += f" {failed} failed, timed-out or skipped trials are crosses on the lower edge."
    return _image("anytime.png", "anytime curve") + _note(text) + "".join(map(_note, notes))


def _plot_anytime(model, trials: pd.DataFrame, path: Path) -> list[str]:
    """Draw the anytime curve at ``path``; returns notes for the page. The score axis runs from
    worse to better upwards (inverted for a metric where lower is better)."""
    import matplotlib.pyplot as plt

    better = _greater_is_better(model)
    ok_mask = (trials["status"] == Status.SUCCESS.value) & np.isfinite(trials["loss"])
    ok = trials[ok_mask].sort_values("end_time")
    failed = trials[~ok_mask]
    rung = trials["rung"] if "rung" in trials.columns else pd.Series(0, index=trials.index)
    rung = rung.fillna(0).astype(int)
    fidelity = trials["fidelity"] if "fidelity" in trials.columns else pd.Series(1.0, trials.index)
    fidelity = fidelity.fillna(1.0)
    notes = []
    lo, hi = _score_range(ok["score"].to_numpy(float), ok, better)
    worst = lo if better else hi
    outside = int(((ok["score"] < lo) | (ok["score"] > hi)).sum())
    if outside:
        notes.append(
            f"{outside} trial{'s' * (outside > 1)} scored beyond the axis: drawn on its edge."
        )
    top = int(rung[ok.index].max()) if len(ok) else 0
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), sharey=True)
    for ax, x, xlabel in (
        (axes[0], "end_time", "seconds since the fit started"),
        (axes[1], "trial", "trial"),
    ):
        end = float(trials[x].max())
        if len(ok):
            _best_line(ax, ok, x, end, lw=1.5, label="best so far")
            if top > 0:
                _best_line(ax, ok[rung[ok.index] == top], x, end, lw=1, ls="--",
                           label="best on the top rung")  # fmt: skip
        else:
            ax.text(0.5, 0.5, "no trial succeeded", ha="center", transform=ax.transAxes)
        for (origin, r, sampled), pts in ok.groupby(
            [ok["origin"], rung[ok.index], fidelity[ok.index] < 1], sort=False
        ):
            colour = ORIGINS.get(origin, (origin, "#bcbd22"))[1]
            ax.scatter(
                pts[x].to_numpy(float),
                np.clip(pts["score"].to_numpy(float), lo, hi),
                marker=RUNG_MARKERS[min(r, len(RUNG_MARKERS) - 1)],
                facecolors="none" if sampled else colour,
                edgecolors=colour,
                s=28,
                zorder=4,
            )
        if len(failed):
            ax.scatter(failed[x].to_numpy(float), np.full(len(failed), worst), marker="x",
                       color="#d62728", s=24, zorder=4, clip_on=False)  # fmt: skip
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    axes[0].set_ylim(lo, hi)
    axes[0].ticklabel_format(axis="y", useOffset=False)
    if not better:
        axes[0].invert_yaxis()
    way = "higher is better" if better else "lower is better, axis inverted"
    axes[0].set_ylabel(f"validation {model.metric_} ({way})")
    handles, labels = axes[0].get_legend_handles_labels()
    more = _anytime_legend(model, ok, rung, fidelity, failed)
    handles, labels = [*handles, *more[0]], [*labels, *more[1]]
    n_rows = -(-len(handles) // 4)
    if handles:
        fig.legend(handles, labels, loc="lower center", ncol=min(len(handles), 4), fontsize=8)
    fig.suptitle("Anytime performance", fontsize=11)
    fig.tight_layout(rect=(0, 0.045 * n_rows + 0.01, 1, 1))
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return notes


def _score_range(scores: np.ndarray, ok: pd.DataFrame, better: bool) -> tuple[float, float]:
    """The score axis: from the worse of the first best score and the 10% worst trials' to the
    best, with a margin (an outlier trial would flatten everything else)."""
    if not len(scores):
        return 0.0, 1.0
    first = float(ok["score"].iloc[0])
    worse = np.quantile(scores, 0.1 if better else 0.9)
    lo, hi = (min(first, worse), scores.max()) if better else (scores.min(), max(first, worse))
    span = hi - lo
    margin = span * 0.08 if span > 1e-9 else max(0.01 * abs(hi), 1e-3)
    return float(lo - margin), float(hi + margin)


def _best_line(ax, ok: pd.DataFrame, x: str, end: float, **style) -> None:
    """The best score so far among ``ok`` (sorted by time) against ``x``, drawn on to ``end``."""
    if ok.empty:
        return
    best = ok["score"].where(ok["loss"] == ok["loss"].cummin()).ffill().to_numpy(float)
    xs = np.append(ok[x].to_numpy(float), max(end, float(ok[x].iloc[-1])))
    ax.step(xs, np.append(best, best[-1]), where="post", color="black", zorder=3, **style)


def _anytime_legend(model, ok, rung, fidelity, failed) -> tuple[list, list[str]]:
    """Legend entries: the origins present, the rungs and row samples, the failures."""
    from matplotlib.lines import Line2D

    handles, labels = [], []
    for origin in dict.fromkeys(ok["origin"]):
        colour = ORIGINS.get(origin, (origin, "#bcbd22"))[1]
        handles.append(Line2D([], [], marker="o", ls="", color=colour))
        labels.append(_origin_name(origin, model.optimizer))
    rungs = sorted(set(rung[ok.index]))
    if len(rungs) > 1 or (rungs and rungs[0] > 0):
        for r in rungs:
            share = fidelity[ok.index][rung[ok.index] == r]
            rows = f" ({share.max():.0%} of rows)" if len(share) else ""
            marker = RUNG_MARKERS[min(r, len(RUNG_MARKERS) - 1)]
            handles.append(Line2D([], [], marker=marker, ls="", color="0.3"))
            labels.append(f"successive halving rung {r}{rows}")
    if (fidelity[ok.index] < 1).any():
        handles.append(Line2D([], [], marker="o", ls="", markerfacecolor="none", color="0.3"))
        labels.append("on a row sample (hollow)")
    if len(failed):
        handles.append(Line2D([], [], marker="x", ls="", color="#d62728"))
        labels.append("failed, timed out or skipped")
    return handles, labels


# -------------------------------------------------------------------------- leaderboard
def _leaderboard_section(model) -> str:
    board = model.leaderboard_
    top = board.head(LEADERBOARD_ROWS).copy()
    columns = ["rank", "trial", "model", "score", "ensemble_weight", "fit_time"]
    columns += [c for c in ("cpu_seconds", "energy_joules") if _has(top, c)]
    columns += ["status", "origin"]
    trials = model.trials_.set_index("trial")
    extra = {}
    for c in ("rung", "fidelity"):
        if c in trials.columns and c not in top.columns:
            extra[c] = top["trial"].map(trials[c])
    if "fidelity" in extra and (extra["fidelity"].fillna(1.0) < 1).any():
        top["rows"] = extra["fidelity"]
        columns.append("rows")
    if "rung" in extra and (extra["rung"].fillna(0) > 0).any():
        top["rung"] = extra["rung"]
        columns.append("rung")
    top["origin"] = [_origin_name(o, model.optimizer) for o in top["origin"]]
    top["configuration"] = top["config"]
    columns.append("configuration")
    table = html_table(
        top[columns].rename(columns=LEADERBOARD_NAMES),
        formats={
            "score": _fixed(4),
            "weight": _fixed(3),
            "fit s": _fixed(2),
            "CPU s": _fixed(2),
            "joules": _fixed(1),
            "rows": lambda v: "" if pd.isna(v) else f"{v:.0%}",
        },
        css={"configuration": "config"},
        markup={"configuration": _folded_config},
        muted=top["status"] != Status.SUCCESS.value,
    )
    shown = f"the best {len(top)} of {len(board)}" if len(board) > len(top) else "all"
    return (
        _note(
            f"Trials ranked by validation score ({shown}; fit s: model fitting inside the trial, "
            "summed over its folds)."
        )
        + table
    )


# ----------------------------------------------------------------------------- ensemble
def _ensemble_section(model) -> str:
    board = model.leaderboard_
    members = board[board["ensemble_weight"] > 0].sort_values("ensemble_weight", ascending=False)
    if members.empty:
        return _note(
            "No trial could be refitted into an ensemble: the model is a fallback (a cheap model "
            "or a constant predictor fitted in the time left)."
        )
    frame = pd.DataFrame(
        {
            "trial": members["trial"],
            "model": members["model"],
            "weight": members["ensemble_weight"],
            "": members["ensemble_weight"],
            "validation score": members["score"],
            "origin": [_origin_name(o, model.optimizer) for o in members["origin"]],
            "configuration": [_config_text(c) for c in members["config"]],
        }
    )
    table = html_table(
        frame,
        formats={"weight": _fixed(3), "validation score": _fixed(4), "configuration": str},
        css={"configuration": "config", "": ""},
        markup={"": lambda w: f'<span class="bar" style="width:{160 * float(w):.0f}px"></span>'},
    )
    families = members.groupby("model")["ensemble_weight"].sum().sort_values(ascending=False)
    by_family = ", ".join(f"{f} {w:.0%}" for f, w in families.items())
    return (
        _note(
            f"{len(members)} pipelines, refitted on all rows, averaged with these weights "
            f"(Caruana's greedy selection on out-of-fold predictions). By family: {by_family}."
        )
        + table
    )


# --------------------------------------------------------------------------- warm start
def _warm_start_section(model) -> str:
    warm = getattr(model, "warm_start_", None) or {}
    method = warm.get("method", "none")
    parts = []
    if not warm.get("used"):
        reason = warm.get("reason") or "warm_start=False"
        parts.append(_note(f"No warm start: {reason}. The search started from family defaults."))
    elif method.startswith("portfolio"):
        parts.append(
            _note(
                "Warm start from the knowledge base's portfolio, "
                f"{warm.get('portfolio', {}).get('reason', '')}."
            )
        )
    else:
        parts.append(_note("Warm start from the best configurations of the nearest past datasets."))
    own = pd.DataFrame(warm.get("own_past") or [])
    if len(own):
        parts.append("<h3>Past fits of this data, run first</h3>")
        parts.append(_configurations_table(own))
    neighbors = pd.DataFrame(warm.get("neighbors") or [])
    configurations = pd.DataFrame(warm.get("configurations") or [])
    if len(neighbors):
        parts.append("<h3>Nearest past datasets</h3>")
        parts.append(_neighbors_table(neighbors, configurations, method))
    if method == "nearest" and len(configurations):
        parts.append("<h3>Configurations taken from them</h3>")
        parts.append(_configurations_table(configurations))
    portfolio = warm.get("portfolio") or {}
    members = pd.DataFrame(portfolio.get("members") or [])
    if len(members):
        parts.append("<h3>Portfolio members</h3>")
        parts.extend(_portfolio_parts(members, portfolio.get("members_dropped", 0)))
    order = portfolio.get("defaults_order")
    if order:
        text = ", ".join(str(f) for f in order)
        parts.append(
            _note(f"Each family's defaults, between the members, in the order they pay: {text}.")
        )
    untranslated = warm.get("untranslated") or {}
    if untranslated:
        text = ", ".join(f"{n} ({why})" for why, n in untranslated.items())
        parts.append(_note(f"Past configurations not usable in this search space: {text}."))
    transfer = warm.get("transfer") or {}
    if transfer.get("search_box"):
        names = ", ".join(sorted(transfer["search_box"]))
        parts.append(_note(f"Transfer: {transfer.get('method')}: {names}."))
    elif transfer.get("method", "none") != "none":
        parts.append(
            _note(
                f"Transfer: {transfer.get('results', 0)} past results of "
                f"{transfer.get('datasets', 0)} datasets, {transfer.get('method')} "
                f"({transfer.get('told_to_optimizer', 0)} told to the optimizer)."
            )
        )
    return "\n".join(parts)


def _neighbors_table(neighbors: pd.DataFrame, configurations: pd.DataFrame, method: str) -> str:
    frame = pd.DataFrame({"dataset": neighbors.get("name", neighbors.get("dataset_id"))})
    for column in ("distance", "weight"):
        if column in neighbors.columns:
            frame[column] = neighbors[column].to_numpy()
    if method == "nearest" and len(configurations) and "dataset_id" in configurations.columns:
        taken = configurations.groupby("dataset_id")
        ids = neighbors["dataset_id"]
        frame["configurations taken"] = ids.map(taken.size()).fillna(0).astype(int).to_numpy()
        ok = configurations[configurations["status_here"] == Status.SUCCESS.value]
        best = ok.groupby("dataset_id")["score_here"]
        frame["best score here"] = ids.map(best.max()).to_numpy()
    elif method.startswith("portfolio"):
        note = _note(
            "The portfolio's order for this dataset weighs these datasets' results "
            "(weight); its members are listed below."
        )
        return note + html_table(frame, formats={"distance": _fixed(3), "weight": _fixed(3)})
    return html_table(
        frame,
        formats={"distance": _fixed(3), "weight": _fixed(3), "best score here": _fixed(4)},
    )


def _configurations_table(configurations: pd.DataFrame) -> str:
    frame = pd.DataFrame(
        {
            "from dataset": configurations.get("dataset"),
            "distance": configurations.get("distance"),
            "past metric": configurations.get("past_metric"),
            "past loss": configurations.get("past_loss"),
            "score here": configurations.get("score_here"),
            "status here": configurations.get("status_here"),
        }
    )
    return html_table(
        frame,
        formats={"distance": _fixed(3), "past loss": _fixed(4), "score here": _fixed(4)},
        muted=frame["status here"] != Status.SUCCESS.value,
    )


def _portfolio_parts(members: pd.DataFrame, dropped: int = 0) -> list[str]:
    """The portfolio's members that ran or were skipped for their cost, as a table; those of
    families this search leaves out, those the opening dropped and those the search ended
    before, as notes."""
    status = members.get("status_here", pd.Series("", index=members.index)).fillna("")
    skipped = members.get("skipped", pd.Series(index=members.index, dtype=object)).fillna("")
    left_out = skipped.str.contains("not in this space", regex=False)
    not_run = (status == "not run") & (skipped == "")
    parts = [_portfolio_table(members[~left_out & ~not_run])]
    if dropped:
        parts.append(
            _note(
                f"{dropped} members were dropped before they ran: the opening showed them "
                "behind (their family far behind the best so far, or the first member no "
                "better than the families' defaults)."
            )
        )
    if not_run.sum() > dropped:
        ended = int(not_run.sum()) - dropped
        parts.append(_note(f"{ended} more members were not run: the search ended."))
    if left_out.any():
        families = ", ".join(dict.fromkeys(members.loc[left_out, "model"]))
        parts.append(
            _note(f"{int(left_out.sum())} members of families this search leaves out: {families}.")
        )
    return parts


def _portfolio_table(members: pd.DataFrame) -> str:
    status = members.get("status_here", pd.Series(index=members.index, dtype=object))
    skipped = members.get("skipped", pd.Series(index=members.index, dtype=object))
    frame = pd.DataFrame(
        {
            "rank here": members["rank_here"],
            "global rank": members["rank_global"],
            "from": members.get("source", pd.Series("portfolio", index=members.index)),
            "model": members["model"],
            "predicted fit s": members["predicted_fit_seconds"],
            "fit s here": members.get("fit_seconds_here", pd.Series(np.nan, index=members.index)),
            "score here": members.get("score_here", pd.Series(np.nan, index=members.index)),
            "outcome": [
                s if isinstance(s, str) and s else (f"skipped: {k}" if isinstance(k, str) else "")
                for s, k in zip(status, skipped)
            ],
        }
    )
    return html_table(
        frame,
        formats={
            "predicted fit s": _fixed(2),
            "fit s here": _fixed(2),
            "score here": _fixed(4),
            "outcome": str,
        },
        muted=frame["outcome"] != Status.SUCCESS.value,
    )


# --------------------------------------------------------------------------- importance
def _importance_section(model, out: Path) -> str:
    try:
        frame = model.explain()
    except Exception as exc:  # a report is still worth having without it
        return _note(f"The importance could not be computed: {exc}")
    from metalearning import plot_importance
    from metalearning.importance import NOT_ENOUGH, OK

    plot_importance(frame, out / "importance.png", title="Hyperparameter importance (this fit)")
    short = frame["status"] == NOT_ENOUGH
    text = (
        "fANOVA main effects from this fit's successful trials (model.explain()): the share of "
        "the loss's variance each hyperparameter explains alone. Family 'all' is the choice of "
        "family and the preprocessing every trial has; each family's own hyperparameters are "
        "analysed over that family's trials."
    )
    if short.any():
        text += (
            f" {int(short.sum())} rows rest on too few successful trials (under 10) and get no "
            "number: 'not enough trials'."
        )
    table = _importance_rows(frame, OK)
    return (
        _image("importance.png", "hyperparameter importance")
        + _note(text)
        + html_table(table, formats={"importance": str}, muted=table["status"] != OK)
    )


def _importance_rows(frame: pd.DataFrame, ok: str) -> pd.DataFrame:
    """The importance table for the page: a family whose rows all share one status other
    than ``ok`` folded into one row; an estimated importance as ``mean ± std``."""
    rows = []
    for family, group in frame.groupby("family", sort=False):
        if len(group) > 1 and group["status"].nunique() == 1 and group["status"].iloc[0] != ok:
            rows.append(
                {
                    "family": family,
                    "hyperparameter": f"all {len(group)}",
                    "importance": group["status"].iloc[0],
                    "n_trials": int(group["n_trials"].max()),
                    "status": group["status"].iloc[0],
                }
            )
            continue
        for _, row in group.iterrows():
            estimated = row["status"] == ok
            std = 0.0 if pd.isna(row["importance_std"]) else row["importance_std"]
            rows.append(
                {
                    "family": family,
                    "hyperparameter": row["hyperparameter"],
                    "importance": f"{row['importance']:.3f} ± {std:.3f}"
                    if estimated
                    else row["status"],
                    "n_trials": int(row["n_trials"]),
                    "status": row["status"],
                }
            )
    return pd.DataFrame(
        rows, columns=["family", "hyperparameter", "importance", "n_trials", "status"]
    )


# ----------------------------------------------------------------------------- families
def _families_section(trials: pd.DataFrame, out: Path) -> str:
    if trials.empty:
        return _note("No trial ran.")
    energy = _has(trials, "energy_joules")
    cpu = _has(trials, "cpu_seconds")
    frame = family_costs(trials)
    _plot_families(frame, out / "families.png", energy=energy)
    text = (
        "Per model family: trials run, wall-clock seconds of their trial processes, and model "
        "fitting inside them"
    )
    if cpu:
        text += "; CPU seconds of the trial processes"
    if energy:
        sources = set(trials.get("energy_source", pd.Series(dtype=object)).dropna()) - {""}
        how = (
            "measured by RAPL"
            if sources == {"rapl"}
            else "estimated from CPU time (a power model)"
            if sources <= {"model"}
            else "partly measured by RAPL, partly estimated"
        )
        text += f"; joules, {how}."
    else:
        text += ". Energy is not recorded for this fit."
    formats = {c: _fixed(1) for c in frame.columns if c not in ("family", "best score")}
    formats["best score"] = _fixed(4)
    for c in ("trials", "successful"):
        formats.pop(c, None)
    return (
        _image("families.png", "time and energy per family")
        + _note(text)
        + html_table(frame, formats=formats)
    )


def family_costs(trials: pd.DataFrame) -> pd.DataFrame:
    """Per family of ``trials_``: trials, successful ones, best score, wall seconds, model
    fitting seconds, and CPU seconds and joules where recorded, the costliest first."""
    wall = trials["end_time"] - trials["start_time"]
    ok = trials["status"] == Status.SUCCESS.value
    frame = pd.DataFrame({"family": trials["model"], "wall s": wall, "fit s": trials["fit_time"]})
    frame["ok"] = ok.astype(int)
    columns = {"trials": ("family", "size"), "successful": ("ok", "sum")}
    columns |= {"wall s": ("wall s", "sum"), "fit s": ("fit s", "sum")}
    if _has(trials, "cpu_seconds"):
        frame["CPU s"] = trials["cpu_seconds"]
        columns["CPU s"] = ("CPU s", "sum")
    if _has(trials, "energy_joules"):
        frame["joules"] = trials["energy_joules"]
        columns["joules"] = ("joules", "sum")
    grouped = frame.groupby("family", sort=False).agg(**columns)
    losses = trials[ok].groupby("model")["loss"].idxmin()
    grouped["best score"] = losses.map(trials["score"]).reindex(grouped.index)
    grouped = grouped.sort_values("wall s", ascending=False).reset_index()
    return grouped


def _plot_families(frame: pd.DataFrame, path: Path, *, energy: bool) -> None:
    import matplotlib.pyplot as plt

    frame = frame.iloc[::-1]
    panels = [("wall s", "wall-clock seconds"), ("CPU s", "CPU seconds")]
    panels = [p for p in panels if p[0] in frame.columns]
    if energy:
        panels.append(("joules", "joules"))
    fig, axes = plt.subplots(
        1, len(panels), figsize=(3.6 * len(panels) + 1.5, 0.9 + 0.32 * len(frame)), sharey=True
    )
    axes = np.atleast_1d(axes)
    ys = np.arange(len(frame))
    for ax, (column, label) in zip(axes, panels):
        ax.barh(ys, frame[column].to_numpy(float), color="#1f77b4")
        ax.set_xlabel(label)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(ys, frame["family"], fontsize=8)
    fig.suptitle("Time" + (" and energy" if energy else "") + " per family", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def load_model(path: str | Path):
    """The AutoML model that ``automl fit`` saved at ``path`` (joblib); a clear error when the
    file is missing or holds something else."""
    import joblib

    from automl._estimator import _AutoMLBase

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such model file: {path}")
    try:
        model = joblib.load(path)
    except Exception as exc:  # pickle, zlib and joblib each raise their own
        raise ValueError(
            f"{path} is not a model saved by `automl fit` ({type(exc).__name__}: {exc})"
        ) from None
    if not isinstance(model, _AutoMLBase):
        raise TypeError(
            f"{path} holds a {type(model).__name__}, not an AutoML model saved by `automl fit`"
        )
    return model
