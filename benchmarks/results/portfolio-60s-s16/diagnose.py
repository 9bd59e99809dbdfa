"""Best cross-validated loss against test loss, portfolio and cold SMAC at 60 s, on small tables.

Usage (from the repository root):
    python benchmarks/results/portfolio-60s-s16/diagnose.py hepatitis,iris > diagnosis.txt
"""

import sys
import warnings
from pathlib import Path

from automl import AutoMLClassifier
from benchmarks.warm_vs_cold import (
    MODE_PARAMS,
    incumbent_test_losses,
    loo_portfolio_base,
    model_test_loss,
    pmlb_split,
)

PMLB = Path(__file__).resolve().parents[4] / "shared" / "datasets" / "pmlb"

warnings.filterwarnings("ignore")
for name in sys.argv[1].split(","):
    X_train, X_test, y_train, y_test = pmlb_split(name, PMLB, stratify=True)
    for mode in ("portfolio", "cold"):
        params = dict(MODE_PARAMS[mode])
        if mode == "portfolio":
            folder = Path("bench-results/diagnose-portfolios")
            params["knowledge_base"] = loo_portfolio_base(name, "classification", folder)
        model = AutoMLClassifier(
            time_budget=60,
            leave_one_out=True,
            update_knowledge_base=False,
            random_state=0,
            n_jobs=1,
            **params,
        ).fit(X_train, y_train)
        ok = model.trials_[model.trials_["status"] == "success"]
        n = len(model.trials_)
        single = incumbent_test_losses(model, X_train, y_train, X_test, y_test, (n,))[n]
        board = model.leaderboard_
        members = board[board["ensemble_weight"] > 0]
        ensemble = ", ".join(f"{r.model}:{r.ensemble_weight:.2f}" for r in members.itertuples())
        top = ok.nsmallest(20, "loss")["model"].value_counts().to_dict()
        print(
            f"{name:<26} {mode:<9} trials {n:>3} best_val {ok['loss'].min():.4f} test_ens "
            f"{model_test_loss(model, X_test, y_test):.4f} test_best_single {single:.4f} | "
            f"top20 {top} | ens {ensemble}",
            flush=True,
        )
