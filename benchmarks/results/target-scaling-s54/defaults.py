"""SVR and MLP regression defaults with and without a standardised target (session 54): one
2/3-1/3 split of each table (``benchmarks.warm_vs_cold.pmlb_split``, split seed 0), at most
5,000 training rows, test RMSE and fitting seconds. Run before the change, with the target's
scaling added here; from the repository root (a few minutes):

    python benchmarks/results/target-scaling-s54/defaults.py ../shared/datasets/pmlb \\
        benchmarks/results/target-scaling-s54/defaults-pmlb.csv NAME ...
"""

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import TransformedTargetRegressor
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from automl._columns import infer_column_types, normalize_frame, to_frame
from automl._space import make_pipeline
from benchmarks.warm_vs_cold import pmlb_split
from knowledge_base.vocabulary import Task

MLP = {
    "model": "mlp",
    "mlp:hidden_layer_depth": 1,
    "mlp:num_nodes_per_layer": 32,
    "mlp:activation": "relu",
    "mlp:alpha": 1e-4,
    "mlp:learning_rate_init": 1e-3,
}
CONFIGS = {
    "svr": {"model": "libsvm_svr", "libsvm_svr:C": 1.0, "libsvm_svr:gamma": 0.1},
    "svr_C41": {"model": "libsvm_svr", "libsvm_svr:C": 41.0, "libsvm_svr:gamma": 0.1},
    "mlp": MLP,
}
PREPROCESSING = {
    "rescaling:__choice__": "standard",
    "imputation:strategy": "median",
    "categorical_encoding:__choice__": "one_hot",
}
MAX_ROWS = 5_000


def main(root: str, out: str, names: list[str]) -> None:
    rows = []
    for name in names:
        X_train, X_test, y_train, y_test = pmlb_split(name, root, stratify=False)
        X_train, X_test = to_frame(X_train), to_frame(X_test)
        types = infer_column_types(X_train)
        X_train, X_test = normalize_frame(X_train, types), normalize_frame(X_test, types)
        y_train, y_test = np.asarray(y_train, float), np.asarray(y_test, float)
        if len(y_train) > MAX_ROWS:
            keep = np.random.default_rng(0).choice(len(y_train), MAX_ROWS, replace=False)
            X_train, y_train = X_train.iloc[keep], y_train[keep]
        for config_name, config in CONFIGS.items():
            for scaled in (False, True):
                model = make_pipeline({**PREPROCESSING, **config}, Task.REGRESSION, types)
                if scaled:
                    model = TransformedTargetRegressor(model, transformer=StandardScaler())
                start = time.perf_counter()
                model.fit(X_train, y_train)
                seconds = time.perf_counter() - start
                rmse = float(np.sqrt(np.mean((model.predict(X_test) - y_test) ** 2)))
                rows.append(
                    {
                        "dataset": name,
                        "n": len(y_train),
                        "ystd": float(np.std(y_train)),
                        "config": config_name,
                        "scaled": scaled,
                        "rmse": rmse,
                        "seconds": round(seconds, 2),
                    }
                )
                pd.DataFrame(rows).to_csv(out, index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
