"""Sanity check of the hyperparameter importance (``metalearning.importance``).

A synthetic objective over 6 hyperparameters of which only two matter: a bowl in the log of
``learning_rate`` and a V in ``depth`` at 6 (``tests/metalearning/test_importance.py`` uses
the same). Written to ``--out``:

- ``synthetic.png`` and ``synthetic.csv``: the importances from 100 random configurations;
- ``reliability.csv``: over 20 samples per size, how often the two come first, and the mean
  out-of-bag R^2 and importance of the two, at noise 0.1 and 1.0;
- ``truth.csv``: the true shares of each main effect (Monte Carlo over 200,000 samples).

    python benchmarks/importance_sanity.py --out benchmarks/results/importance
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from ConfigSpace import Categorical, ConfigurationSpace, Float, Integer

from metalearning.importance import (
    encode,
    functional_anova,
    hyperparameter_importance,
    plot_importance,
)

MATTER = ("learning_rate", "depth")


def space(seed: int) -> ConfigurationSpace:
    cs = ConfigurationSpace(seed=seed)
    cs.add(
        Float("learning_rate", (1e-4, 1.0), log=True),
        Integer("depth", (1, 16)),
        Float("c", (0.0, 1.0)),
        Float("d", (0.0, 1.0)),
        Categorical("e", ["x", "y", "z"]),
        Float("f", (1.0, 100.0), log=True),
    )
    return cs


def objective(lr: np.ndarray, depth: np.ndarray) -> np.ndarray:
    return (np.log10(lr) + 2.0) ** 2 + 0.6 * np.abs(depth - 6)


def sample(n: int, seed: int, noise: float):
    cs = space(seed)
    configs = cs.sample_configuration(n)
    rng = np.random.default_rng(seed)
    lr = np.array([c["learning_rate"] for c in configs])
    depth = np.array([c["depth"] for c in configs])
    return cs, configs, objective(lr, depth) + noise * rng.normal(size=n)


def truth() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    lr = 10 ** rng.uniform(-4, 0, 200_000)
    depth = rng.integers(1, 17, 200_000)
    total = objective(lr, depth).var()
    return pd.DataFrame(
        {
            "hyperparameter": list(MATTER),
            "true_share": [objective(lr, 6).var() / total, objective(0.01, depth).var() / total],
        }
    )


def reliability() -> pd.DataFrame:
    rows = []
    for noise in (0.1, 1.0):
        for n in (10, 20, 25, 40, 100):
            first, r2s, shares = 0, [], []
            for seed in range(20):
                cs, configs, y = sample(n, seed, noise)
                names = list(cs.keys())
                X, _ = encode([dict(c) for c in configs], y, cs, names)
                mean, _, r2 = functional_anova(X, y)
                top = {names[i] for i in np.argsort(-mean)[:2]}
                first += top == set(MATTER)
                r2s.append(r2)
                shares.append(sum(mean[names.index(m)] for m in MATTER))
            rows.append(
                {
                    "noise": noise,
                    "n_trials": n,
                    "two_first_of_20": first,
                    "mean_oob_r2": round(float(np.mean(r2s)), 3),
                    "mean_importance_of_the_two": round(float(np.mean(shares)), 3),
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="benchmarks/results/importance")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    cs, configs, y = sample(100, 0, 0.1)
    frame = hyperparameter_importance(configs, y, cs)
    frame.to_csv(out / "synthetic.csv", index=False)
    title = "Synthetic objective: only learning_rate and depth matter (100 trials)"
    plot_importance(frame, out / "synthetic.png", title=title)
    truth().to_csv(out / "truth.csv", index=False)
    reliability().to_csv(out / "reliability.csv", index=False)
    for name in ("synthetic.csv", "truth.csv", "reliability.csv"):
        print(f"{name}\n{pd.read_csv(out / name).to_string(index=False)}\n")


if __name__ == "__main__":
    main()
