"""What keeping the trials' fold models saves, measured paired (issue 9, session 37).

On tables of up to ``FOLD_BAG_ROWS`` training rows a member of the final ensemble is its
trial's fold models. Until session 37 they were fitted again after the search; now the search
keeps those of its best trials. Each table is fitted twice with the same seed and trial count
(``n_trials``, a budget long enough not to bind, ``--trial-limit`` seconds a trial), keeping
them and refitting them. The trials must be the same, and so must the model: the table reports
the seconds each fit took after its search, and the largest difference between the two
models' test predictions.

    python -m benchmarks.kept_fold_models --datasets iris,mfeat_fourier --n-trials 12 \\
        --out benchmarks/results/kept-fold-models-s37
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

import automl._estimator
from automl import AutoMLClassifier
from benchmarks.report import to_markdown
from benchmarks.warm_vs_cold import HERE, pmlb_split, setting_held

VARIANTS = {"kept": automl._estimator.KEEP_FOLD_MODELS, "refit": 0}


def paired_fits(
    name: str, pmlb: Path, n_trials: int, trial_limit: float, seed: int = 0
) -> list[dict]:
    """One row per variant: its fit's seconds, search and after-search seconds, test
    predictions' largest difference from the first variant's, and whether its trials match."""
    X_train, X_test, y_train, _ = pmlb_split(name, pmlb, seed=seed)
    rows, first = [], None
    for variant, keep in VARIANTS.items():
        model = AutoMLClassifier(
            n_trials=n_trials,
            time_budget=100 * n_trials,
            per_trial_time_limit=trial_limit,
            warm_start=False,
            update_knowledge_base=False,
            random_state=seed,
            n_jobs=1,
        )
        with setting_held(automl._estimator, "KEEP_FOLD_MODELS", keep):
            model.fit(X_train, y_train)
        proba = model.predict_proba(X_test)
        trials = [str(c) for c in model.trials_["config"]]
        first = first or (proba, trials)
        rows.append(
            {
                "dataset": name,
                "train_rows": len(X_train),
                "variant": variant,
                "fit_seconds": model.fit_time_,
                "search_seconds": model.timings_["search"],
                "after_search_seconds": model.timings_["ensemble_and_refit"],
                "max_prediction_difference": float(np.abs(proba - first[0]).max()),
                "same_trials": trials == first[1],
            }
        )
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pmlb", default=str(HERE.parent.parent / "shared" / "datasets" / "pmlb"))
    parser.add_argument("--datasets", required=True, help="comma-separated PMLB names")
    parser.add_argument("--n-trials", type=int, default=20)
    parser.add_argument("--trial-limit", type=float, default=30.0, help="seconds per trial")
    parser.add_argument("--out", default="bench-results/kept-fold-models")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in args.datasets.split(","):
        rows += paired_fits(name, Path(args.pmlb), args.n_trials, args.trial_limit)
        print(pd.DataFrame(rows[-len(VARIANTS) :]).round(3).to_string(index=False), flush=True)
    frame = pd.DataFrame(rows)
    frame.to_csv(out / "paired-fits.csv", index=False)
    (out / "paired-fits.md").write_text(to_markdown(frame.round(4).set_index("dataset")) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
