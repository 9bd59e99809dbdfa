"""Comparison statistics of benchmark results, following the AMLB's conventions.

- Scores are compared per task as the mean over its folds (successful jobs only).
- Failed or missing results are imputed with the constant predictor's score on that task (as
  the AMLB does) for ranks, wins/ties/losses and the Friedman/Nemenyi test.
- The normalised score of a job is ``(score - constant) / (tuned_rf - constant)`` on the same
  task and fold: 0 is the constant predictor, 1 the tuned random forest. The formula holds for
  both orientations (it is a ratio of differences), so log loss and RMSE need no flipping.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LOW_REFERENCE = "constant"
HIGH_REFERENCE = "tuned-random-forest"
TIE_TOLERANCE = 1e-9


def add_labels(results: pd.DataFrame) -> pd.DataFrame:
    """Add a ``label`` column: the system, with ``@<budget>s`` when budgets differ."""
    results = results.copy()
    if results["budget"].nunique(dropna=True) > 1:
        results["label"] = [f"{s}@{b:g}s" for s, b in zip(results["system"], results["budget"])]
    else:
        results["label"] = results["system"].astype(str)
    return results


def successes(results: pd.DataFrame) -> pd.DataFrame:
    """Rows of successful jobs with a finite score."""
    ok = results["status"].eq("success") & np.isfinite(results["score"].astype(float))
    return results[ok.fillna(False).astype(bool)]


def _reference(ok: pd.DataFrame, system: str) -> pd.Series:
    rows = ok[ok["system"] == system]
    return rows.groupby(["task", "fold"])["score"].mean()


def normalised_scores(
    results: pd.DataFrame, low: str = LOW_REFERENCE, high: str = HIGH_REFERENCE
) -> pd.DataFrame:
    """Successful rows with a ``normalised`` column (NaN where a reference is missing).

    The references are the ``low`` and ``high`` systems' scores on the same task and fold
    (averaged over budgets when there are several); a task-fold where they are equal has no
    normalised score either.
    """
    ok = successes(results).copy()
    lo, hi = _reference(ok, low), _reference(ok, high)
    keys = list(zip(ok["task"], ok["fold"]))
    c = np.array([lo.get(k, np.nan) for k in keys], dtype=float)
    t = np.array([hi.get(k, np.nan) for k in keys], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        norm = (ok["score"].to_numpy(dtype=float) - c) / (t - c)
    norm[~np.isfinite(norm)] = np.nan
    ok["normalised"] = norm
    return ok


def missing_references(
    results: pd.DataFrame, low: str = LOW_REFERENCE, high: str = HIGH_REFERENCE
) -> list[str]:
    """Human-readable notes on tasks whose normalisation references are missing."""
    ok = successes(results)
    notes = []
    for system in (low, high):
        have = set(ok.loc[ok["system"] == system, "task"])
        lacking = sorted(set(results["task"]) - have)
        if lacking:
            shown = ", ".join(lacking[:10]) + (" ..." if len(lacking) > 10 else "")
            notes.append(f"no successful `{system}` result on {len(lacking)} task(s): {shown}")
    return notes


def task_scores(results: pd.DataFrame) -> pd.DataFrame:
    """Mean score over folds: one row per task, one column per label (NaN: no success)."""
    ok = successes(results)
    labels = sorted(results["label"].unique())
    tasks = sorted(results["task"].unique())
    table = ok.pivot_table(index="task", columns="label", values="score", aggfunc="mean")
    return table.reindex(index=tasks, columns=labels)


def task_orientation(results: pd.DataFrame) -> pd.Series:
    """Per task: True when its metric is higher-is-better."""
    known = results.dropna(subset=["higher_is_better"])
    return known.groupby("task")["higher_is_better"].first().astype(bool)


def imputed_scores(results: pd.DataFrame, low: str = LOW_REFERENCE) -> pd.DataFrame:
    """:func:`task_scores` with missing cells filled by the ``low`` system's score on the task."""
    table = task_scores(results)
    ok = successes(results)
    fallback = ok[ok["system"] == low].groupby("task")["score"].mean()
    for label in table.columns:
        table[label] = table[label].fillna(fallback.reindex(table.index))
    return table


def oriented(table: pd.DataFrame, higher: pd.Series) -> pd.DataFrame:
    """Flip the sign of lower-is-better tasks so that larger is always better."""
    sign = np.where(higher.reindex(table.index).fillna(True).astype(bool), 1.0, -1.0)
    return table.mul(sign, axis=0)


def ranks(better: pd.DataFrame) -> pd.DataFrame:
    """Per-task ranks (1 = best, ties share the average rank, missing = worst)."""
    rows = better.dropna(how="all")
    return rows.rank(axis=1, ascending=False, method="average", na_option="bottom")


def wins_ties_losses(better: pd.DataFrame, tol: float = TIE_TOLERANCE) -> pd.DataFrame:
    """``"w/t/l"`` of the row system against the column system, over tasks both have."""
    labels = list(better.columns)
    out = pd.DataFrame("", index=pd.Index(labels, name="system"), columns=labels)
    for a in labels:
        for b in labels:
            if a == b:
                out.loc[a, b] = "-"
                continue
            both = better[[a, b]].dropna()
            diff = both[a] - both[b]
            wins, losses = int((diff > tol).sum()), int((diff < -tol).sum())
            out.loc[a, b] = f"{wins}/{len(diff) - wins - losses}/{losses}"
    return out


def nemenyi_critical_difference(k: int, n: int, alpha: float = 0.05) -> float:
    """Nemenyi's critical difference of average ranks for ``k`` systems on ``n`` tasks.

    ``CD = q_alpha * sqrt(k (k + 1) / (6 n))`` with ``q_alpha`` the studentized range quantile
    (infinite degrees of freedom) divided by ``sqrt(2)`` (Demšar, 2006).
    """
    from scipy.stats import studentized_range

    if k < 2 or n < 1:
        raise ValueError(f"Nemenyi's test needs k >= 2 systems and n >= 1 tasks, got {k}, {n}.")
    q_alpha = studentized_range.ppf(1 - alpha, k, np.inf) / np.sqrt(2)
    return float(q_alpha * np.sqrt(k * (k + 1) / (6.0 * n)))


def friedman_nemenyi(better: pd.DataFrame, alpha: float = 0.05) -> dict:
    """Friedman test and Nemenyi critical difference on the tasks that all systems have.

    Returns
    -------
    dict
        ``n_tasks``, ``k``, ``average_ranks`` (Series), ``statistic``, ``pvalue`` (NaN with
        fewer than 3 systems, where Friedman's test is undefined), ``cd`` and ``alpha``; or
        ``{"error": reason}`` when there is too little to test.
    """
    from scipy.stats import friedmanchisquare

    complete = better.dropna()
    n, k = complete.shape
    if k < 2 or n < 2:
        return {"error": f"needs at least 2 systems on 2 common tasks, have {k} on {n}"}
    avg = complete.rank(axis=1, ascending=False, method="average").mean().sort_values()
    statistic = pvalue = float("nan")
    if k >= 3:
        statistic, pvalue = (float(v) for v in friedmanchisquare(*complete.T.to_numpy()))
    return {
        "n_tasks": n,
        "k": k,
        "average_ranks": avg,
        "statistic": statistic,
        "pvalue": pvalue,
        "cd": nemenyi_critical_difference(k, n, alpha),
        "alpha": alpha,
    }


def failure_counts(results: pd.DataFrame) -> pd.DataFrame:
    """Jobs by label and status (all statuses, successes included)."""
    return results.pivot_table(
        index="label", columns="status", values="job_id", aggfunc="count", fill_value=0
    )


def task_normalised(normalised: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Mean normalised score over folds, per task (rows) and label (columns).

    Only tasks where some system has a normalised score are kept; a NaN cell is a failure.
    """
    table = normalised.pivot_table(index="task", columns="label", values="normalised")
    return table.dropna(how="all").reindex(columns=labels)


def system_summary(
    results: pd.DataFrame, normalised: pd.DataFrame, better: pd.DataFrame
) -> pd.DataFrame:
    """One row per label: jobs, successes, mean normalised score, average rank, times, trials.

    The mean normalised score counts a failure on a task as 0 (the constant predictor).
    """
    labels = sorted(results["label"].unique())
    grouped = results.groupby("label")
    ok = successes(results).groupby("label")
    summary = pd.DataFrame(index=pd.Index(labels, name="system"))
    summary["jobs"] = grouped.size()
    summary["success"] = ok.size()
    summary["success"] = summary["success"].fillna(0).astype(int)
    norm = task_normalised(normalised, labels)
    if not norm.empty:
        summary["mean normalised"] = norm.fillna(0.0).mean()
    rank_table = ranks(better)
    if not rank_table.empty:
        summary["average rank"] = rank_table.mean()
    summary["mean train time (s)"] = ok["train_time"].mean()
    summary["mean trials"] = ok["n_trials"].mean()
    return summary


def wilcoxon_p(differences, min_pairs: int = 2) -> float:
    """Wilcoxon signed-rank p of paired ``differences`` (the ones that moved, past whatever
    tie tolerance the caller uses); NaN with fewer than ``min_pairs`` of them."""
    from scipy.stats import wilcoxon

    moved = np.asarray(differences, dtype=float)
    return float(wilcoxon(moved).pvalue) if len(moved) >= min_pairs else float("nan")
