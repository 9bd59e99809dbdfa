"""Energy of a fit, and the test score when the search is cut at a share of that energy.

For each dataset (10 PMLB classification datasets by default, 267 to 7,400 rows): one
stratified split (2/3 train, 1/3 test, seed 0); a fit with ``time_budget`` seconds (60) and no
energy budget, whose energy E (``energy_["joules"]``: this process's CPU and every trial's and
refit's, the whole fit) is the 100% point; then fits with the same time budget and
``energy_budget`` = 25% and 50% of E, which cut the search. Each fitted model (its ensemble) is scored on the
test third: 1-AUC (binary) or log loss (multiclass). Every fit is leave-one-out (this dataset
hidden from the warm start), writes nothing to a knowledge base, and uses ``random_state=0``.

Energy is RAPL's where the machine has readable counters, else the power model's estimate
(CPU seconds x ``automl._energy.WATTS_PER_CORE`` W); ``source`` says which. Written to
``--out``: ``results.csv`` (one row per dataset and cut; a rerun skips the rows it holds),
``summary.md`` (the table) and ``energy.png`` (score against energy). Run it on a quiet
machine: the energy of a 60 s fit is what the machine lets it spend in 60 s.

    python -m benchmarks.energy --out benchmarks/results/energy
    python -m benchmarks.energy --datasets spect,saheart --budget 10 --out /tmp/energy-check
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from automl import AutoMLClassifier
from benchmarks.report import to_markdown
from benchmarks.warm_vs_cold import model_test_loss, pmlb_split

HERE = Path(__file__).resolve().parent
SHARED_PMLB = HERE.parent.parent / "shared" / "datasets" / "pmlb"
# Ten of the 22 datasets of suites/pmlb-classification-sample.txt, from 267 to 7,400 rows
# (binary and multiclass), leaving out the tiniest (under 200 rows) and the largest.
DATASETS = (
    "spect",
    "saheart",
    "monk2",
    "tic_tac_toe",
    "mfeat_fourier",
    "dna",
    "led24",
    "allrep",
    "churn",
    "twonorm",
)
CUTS = (0.25, 0.5, 1.0)  # shares of the uncut fit's energy


def fit_and_score(X_train, y_train, X_test, y_test, budget: float, energy: float | None) -> dict:
    """One fit (``energy`` joules, None for no limit) and its test loss."""
    start = time.monotonic()
    model = AutoMLClassifier(
        time_budget=budget,
        energy_budget=energy,
        leave_one_out=True,
        update_knowledge_base=False,
        random_state=0,
        n_jobs=1,  # as measured (benchmarks/results/energy)
    ).fit(X_train, y_train)
    seconds = time.monotonic() - start
    ran = model.trials_[model.trials_["status"] != "skipped"]
    return {
        "metric": model.metric_,
        "test_loss": model_test_loss(model, X_test, y_test),
        "search_joules": model.energy_["search_joules"],
        "joules": model.energy_["joules"],
        "cpu_seconds": model.energy_["cpu_seconds"],
        "source": model.energy_["source"],
        "n_trials": len(ran),
        "n_timeouts": int((ran["status"] == "timeout").sum()),
        "seconds": seconds,
    }


def run(datasets: list[str], pmlb: Path, budget: float, out: Path) -> pd.DataFrame:
    """Every dataset's uncut fit and its cuts, appended to ``out/results.csv`` as they end."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.csv"
    done = pd.read_csv(path) if path.exists() else pd.DataFrame(columns=["dataset", "cut"])
    for name in datasets:
        X_train, X_test, y_train, y_test = pmlb_split(name, pmlb)
        rows = len(X_train) + len(X_test)
        mine = done[done["dataset"] == name]
        full = mine[mine["cut"] == 1.0]
        for cut in sorted(CUTS, reverse=True):  # the uncut fit first: it sets the energy
            if (mine["cut"] == cut).any():
                continue
            energy = None if cut == 1.0 else cut * float(full["joules"].iloc[0])
            row = {"dataset": name, "rows": rows, "cut": cut, "budget": budget}
            row.update(
                energy_budget=energy,
                **fit_and_score(X_train, y_train, X_test, y_test, budget, energy),
            )
            done = pd.concat([done, pd.DataFrame([row])], ignore_index=True)
            done.to_csv(path, index=False)
            if cut == 1.0:
                full = done[(done["dataset"] == name) & (done["cut"] == 1.0)]
            print(
                f"{name:<16} {cut:>4.0%}: {row['joules']:8.0f} J ({row['source']}), "
                f"{row['n_trials']:3d} trials, test loss "
                f"{row['test_loss']:.4f}, {row['seconds']:.0f}s",
                file=sys.stderr,
                flush=True,
            )
    return done


def summarize(results: pd.DataFrame) -> str:
    """The Markdown summary: per dataset, the uncut fit's energy and each cut's test loss."""
    results = results.astype({"cut": float})
    wide = results.pivot_table(index="dataset", columns="cut", values="test_loss")
    spent = results.pivot_table(index="dataset", columns="cut", values="joules")
    trials = results.pivot_table(index="dataset", columns="cut", values="n_trials")
    full = results[results["cut"] == 1.0].set_index("dataset")
    names = [d for d in dict.fromkeys(results["dataset"]) if d in wide.index and d in full.index]
    table = pd.DataFrame(
        {
            "rows": full.loc[names, "rows"].astype(int),
            "metric": full.loc[names, "metric"],
            "fit J": full.loc[names, "joules"].round(0),
            "search J": full.loc[names, "search_joules"].round(0),
            "CPU s": full.loc[names, "cpu_seconds"].round(1),
        },
        index=names,
    )
    for cut in CUTS:
        label = f"{cut:.0%}"
        if cut in wide.columns:
            table[f"loss @{label}"] = wide.loc[names, cut].round(4)
            table[f"J @{label}"] = spent.loc[names, cut].round(0)
            table[f"trials @{label}"] = trials.loc[names, cut]
    sources = sorted(set(results["source"]))
    budget = results["budget"].iloc[0]
    lines = [
        f"{len(names)} datasets; fits of {budget:g} s, cut by an energy budget of 25%, 50% and "
        f"100% (no budget) of the uncut fit's energy (`fit J`; `search J` is its search alone, "
        f"`J @k` what each fit spent). Energy source: {', '.join(sources)}"
        + (
            " (an estimate: CPU seconds x watts per core, automl._energy.WATTS_PER_CORE)."
            if sources == ["model"]
            else "."
        ),
        "",
        to_markdown(table.rename_axis("dataset")),
        "",
    ]
    complete = wide.dropna()
    if len(complete) and 1.0 in complete.columns:
        lines.append(f"Over the {len(complete)} datasets with every cut:")
        lines.append("")
        for cut in [c for c in CUTS if c in complete.columns]:
            delta = complete[cut] - complete[1.0]
            share = spent.loc[complete.index, cut] / spent.loc[complete.index, 1.0]
            lines.append(
                f"- @{cut:.0%}: mean test loss {complete[cut].mean():.4f} "
                f"(change against 100%: mean {delta.mean():+.4f}, median {delta.median():+.4f}; "
                f"worse on {(delta > 1e-9).sum()}, equal on {(delta.abs() <= 1e-9).sum()}, "
                f"better on {(delta < -1e-9).sum()}); energy spent "
                f"{share.median():.0%} of the uncut fit's (median)"
            )
    return "\n".join(lines) + "\n"


def plot(results: pd.DataFrame, path: Path) -> Path:
    """Test loss against the energy spent, both relative to each dataset's uncut fit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = results.astype({"cut": float})
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    deltas = []
    for name, group in results.groupby("dataset", sort=False):
        full = group[group["cut"] == 1.0]
        if full.empty:
            continue
        group = group.sort_values("cut")
        share = group["joules"] / float(full["joules"].iloc[0])
        delta = group["test_loss"] - float(full["test_loss"].iloc[0])
        left.plot(share, delta, marker="o", lw=1, alpha=0.7, label=name)
        deltas.append(pd.Series(delta.to_numpy(), index=group["cut"].to_numpy()))
    if deltas:
        mean = pd.concat(deltas, axis=1).mean(axis=1)
        left.plot(mean.index, mean.to_numpy(), color="black", lw=2.5, marker="s", label="mean")
    left.axhline(0, color="grey", lw=0.8)
    left.set_xlabel("energy spent / uncut fit's")
    left.set_ylabel("test loss - uncut fit's test loss")
    left.set_title("Cutting the search by energy")
    left.legend(fontsize=7, ncol=2)
    full = results[results["cut"] == 1.0]
    right.barh(full["dataset"], full["joules"] / 1000, color="tab:orange", label="whole fit")
    right.barh(full["dataset"], full["search_joules"] / 1000, color="tab:blue", label="search")
    source = ", ".join(sorted(set(results["source"])))
    right.set_xlabel(f"kJ ({source})")
    right.set_title(f"Energy of a {results['budget'].iloc[0]:g} s fit")
    right.invert_yaxis()
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default=",".join(DATASETS), help="PMLB names, commas")
    parser.add_argument("--pmlb", default=str(SHARED_PMLB), help="folder of PMLB .tsv.gz files")
    parser.add_argument("--budget", type=float, default=60.0, help="time_budget of every fit")
    parser.add_argument("--out", default=str(HERE / "results" / "energy"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    results = run(args.datasets.split(","), Path(args.pmlb), args.budget, out)
    (out / "summary.md").write_text(summarize(results))
    plot(results, out / "energy.png")
    print((out / "summary.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
