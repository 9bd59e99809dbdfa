"""PNG plots of benchmark results (matplotlib, Agg backend): anytime, box plots, CD diagram."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from benchmarks.results import trace_points

CLIP = (-1.0, 2.0)
DPI = 120


def _step_values(points: list[tuple[float, float]], grid: np.ndarray) -> np.ndarray:
    """Value of a best-so-far trace at each grid time (NaN before its first point)."""
    if not points:
        return np.full(len(grid), np.nan)
    times = np.array([p[0] for p in points])
    values = np.array([p[1] for p in points])
    order = np.argsort(times, kind="stable")
    times, values = times[order], values[order]
    index = np.searchsorted(times, grid, side="right") - 1
    out = np.where(index >= 0, values[np.clip(index, 0, None)], np.nan)
    return out.astype(float)


def anytime_curves(
    results: pd.DataFrame, n_points: int = 120
) -> tuple[np.ndarray, pd.DataFrame, str]:
    """Mean normalised score (or mean rank) over time, per label, over all task-folds.

    Each job contributes its trace, normalised with the constant and tuned random forest
    scores of its task and fold; before its first point, and when it failed, it counts as the
    constant predictor (0). Without references, the curves are mean ranks of the raw trace
    scores among the systems on each task and fold (missing counts as worst).

    Parameters
    ----------
    results : DataFrame
        Job rows with a ``label`` column (failed jobs included).
    n_points : int
        Number of log-spaced times.

    Returns
    -------
    grid : array
        Times in seconds.
    curves : DataFrame
        One column per label, indexed by ``grid``.
    kind : str
        ``"normalised"`` or ``"rank"``.
    """
    rows = results.reset_index(drop=True)
    ok = rows["status"].eq("success").fillna(False).to_numpy(dtype=bool)
    traces = [trace_points(t) if good else [] for t, good in zip(rows["trace"], ok)]
    times = [p[0] for tr in traces for p in tr if p[0] > 0]
    t_max = max([*times, *rows["budget"].astype(float), 1.0])
    t_min = max(min(times, default=0.01) / 2, 1e-3)
    grid = np.geomspace(min(t_min, t_max / 10), t_max * 1.05, n_points)
    values = np.vstack([_step_values(tr, grid) for tr in traces])
    refs = rows[ok]
    lo = refs[refs["system"] == "constant"].groupby(["task", "fold"])["score"].mean()
    hi = refs[refs["system"] == "tuned-random-forest"].groupby(["task", "fold"])["score"].mean()
    keys = list(zip(rows["task"], rows["fold"]))
    c = np.array([lo.get(k, np.nan) for k in keys], dtype=float)[:, None]
    t = np.array([hi.get(k, np.nan) for k in keys], dtype=float)[:, None]
    usable = np.isfinite(c[:, 0]) & np.isfinite(t[:, 0]) & (c[:, 0] != t[:, 0])
    labels = sorted(rows["label"].unique())
    if usable.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            norm = np.clip(np.nan_to_num((values - c) / (t - c), nan=0.0), *CLIP)
        frame = pd.DataFrame(norm[usable])
        frame["label"] = rows.loc[usable, "label"].to_numpy()
        curves = frame.groupby("label").mean().T.reindex(columns=labels)
        return grid, curves.set_axis(grid, axis=0), "normalised"
    sign = np.where(rows["higher_is_better"].fillna(True).astype(bool), 1.0, -1.0)[:, None]
    frame = pd.DataFrame(values * sign)
    frame["label"], frame["key"] = rows["label"].to_numpy(), [f"{a}|{b}" for a, b in keys]
    ranked = []
    for _, group in frame.groupby("key"):
        per_label = group.groupby("label")[list(range(n_points))].max().reindex(labels)
        ranked.append(per_label.rank(axis=0, ascending=False, na_option="bottom"))
    curves = pd.concat(ranked).groupby(level=0).mean().reindex(labels).T
    return grid, curves.set_axis(grid, axis=0), "rank"


def plot_anytime(results: pd.DataFrame, path: str | Path) -> Path:
    """Anytime performance: mean normalised score (or mean rank) over time, log time axis."""
    grid, curves, kind = anytime_curves(results)
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for label in curves.columns:
        ax.step(grid, curves[label].to_numpy(), where="post", label=label, linewidth=1.8)
    ax.set_xscale("log")
    ax.set_xlabel("time since the start of fit (s, log scale)")
    if kind == "normalised":
        ax.set_ylabel("mean normalised score\n(0 = constant, 1 = tuned RF)")
        ax.axhline(0, color="grey", linewidth=0.8, linestyle=":")
        ax.axhline(1, color="grey", linewidth=0.8, linestyle=":")
    else:
        ax.set_ylabel("mean rank (1 = best)")
        ax.invert_yaxis()
    ax.set_title("Anytime performance: best validation score so far")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return _save(fig, path)


def plot_by_trials(losses: pd.DataFrame, path: str | Path, title: str = "") -> Path:
    """Mean rank (over datasets) of each mode's incumbent after k trials, or of its fitted
    estimator where k is a label such as ``10e`` (trials) or ``60s`` (seconds).

    ``losses``: one row per dataset, columns ``(mode, k)``; every setting is ranked against all
    others on each dataset, so lines of different modes compare directly.
    """
    ranks = losses.rank(axis=1, method="average").mean()
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for mode in dict.fromkeys(losses.columns.get_level_values(0)):
        ks = sorted(k for m, k in losses.columns if m == mode)
        ax.plot(ks, [ranks[(mode, k)] for k in ks], "o-", label=mode, linewidth=1.8)
    ks = sorted(set(losses.columns.get_level_values(1)))
    numeric = all(isinstance(k, (int, float, np.integer, np.floating)) for k in ks)
    if numeric:
        ax.set_xscale("log")  # else labels such as "10e" or "60s", placed in order
    ax.set_xticks(ks, [str(k) for k in ks])
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.set_xlabel("trials" if numeric else "trials (10e: n_trials=10) or seconds (60s)")
    ax.set_ylabel(f"mean rank of {losses.shape[1]} settings (1 = best)")
    ax.invert_yaxis()
    scored = "the incumbent after k trials" if numeric else "the estimator as fitted"
    ax.set_title(title or f"Test loss of {scored} ({len(losses)} datasets)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return _save(fig, path)


def plot_boxplots(
    table: pd.DataFrame, path: str | Path, ylabel: str, clip: tuple[float, float] | None = None
) -> Path:
    """Box plots of one value per task (normalised score or rank), one box per system."""
    labels = list(table.columns)
    low, high = clip if clip is not None else (None, None)
    data = [table[label].dropna().clip(low, high).to_numpy() for label in labels]
    fig, ax = plt.subplots(figsize=(max(5.0, 1.1 * len(labels) + 2), 4.5))
    ax.boxplot(data, showmeans=True, meanprops={"marker": "D", "markersize": 5})
    for i, values in enumerate(data, start=1):
        jitter = np.random.default_rng(i).uniform(-0.12, 0.12, len(values))
        ax.plot(i + jitter, values, "o", color="black", alpha=0.35, markersize=3)
    ax.set_xticks(range(1, len(labels) + 1), labels, rotation=30, ha="right")
    ax.set_ylabel(ylabel)
    ax.set_title("Per-task distribution (diamond = mean)")
    ax.grid(True, axis="y", alpha=0.3)
    return _save(fig, path)


def plot_critical_difference(
    average_ranks: pd.Series, cd: float, path: str | Path, title: str = ""
) -> Path:
    """Demšar's critical-difference diagram.

    Systems sit at their average rank (1 = best, on the left); a thick bar joins systems whose
    average ranks differ by less than the critical difference ``cd``.
    """
    avg = average_ranks.sort_values()
    names, values = list(avg.index), avg.to_numpy(dtype=float)
    k = len(names)
    lo, hi = 1, max(k, int(np.ceil(values.max())))
    half = (k + 1) // 2
    height = 1.3 + 0.32 * max(half, k - half)
    fig, ax = plt.subplots(figsize=(8.0, height))
    ax.set_xlim(lo - 0.6 * (hi - lo) / 2 - 0.5, hi + 0.6 * (hi - lo) / 2 + 0.5)
    ax.set_ylim(-(max(half, k - half) + 0.6), 2.2)
    ax.axis("off")
    ax.hlines(0, lo, hi, color="black", linewidth=1.2)
    for r in range(lo, hi + 1):
        ax.vlines(r, 0, 0.18, color="black", linewidth=1)
        ax.text(r, 0.3, str(r), ha="center", va="bottom", fontsize=9)
    ax.hlines(1.3, lo, lo + cd, color="black", linewidth=2)
    ax.vlines([lo, lo + cd], 1.2, 1.4, color="black", linewidth=1)
    ax.text(lo + cd / 2, 1.5, f"CD = {cd:.2f}", ha="center", va="bottom", fontsize=9)
    left_x, right_x = ax.get_xlim()
    for i, (name, value) in enumerate(zip(names, values)):
        level = -(i + 1) if i < half else -(k - i)
        end = left_x + 0.2 if i < half else right_x - 0.2
        ax.plot([value, value, end], [0, level, level], color="black", linewidth=0.9)
        ax.text(
            end + (0.05 if i >= half else -0.05),
            level,
            f"{name} ({value:.2f})" if i < half else f"({value:.2f}) {name}",
            ha="right" if i >= half else "left",
            va="bottom",
            fontsize=9,
        )
    for depth, (start, stop) in enumerate(_cliques(values, cd)):
        y = -0.35 - 0.22 * depth
        ax.hlines(y, values[start] - 0.03, values[stop] + 0.03, color="tab:red", linewidth=4)
    if title:
        ax.set_title(title, fontsize=10)
    return _save(fig, path)


def _cliques(values: np.ndarray, cd: float) -> list[tuple[int, int]]:
    """Maximal runs ``[start, stop]`` of sorted ranks that span less than ``cd``."""
    runs = []
    for start in range(len(values)):
        stop = start
        while stop + 1 < len(values) and values[stop + 1] - values[start] < cd:
            stop += 1
        if stop > start and not any(a <= start and stop <= b for a, b in runs):
            runs.append((start, stop))
    return runs


def _save(fig: plt.Figure, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path
