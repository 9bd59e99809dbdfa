"""How long the knowledge base takes to answer a warm start: open, nearest datasets, suggestions.

python benchmarks/kb_query_timing.py
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from benchmarks.report import to_markdown
from knowledge_base import KnowledgeBase, shipped_path
from metalearning import compute_metafeatures
from metalearning.warmstart import nearest_datasets, suggest_configurations

HERE = Path(__file__).resolve().parent


def _timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pmlb", default=str(HERE.parent.parent / "shared" / "datasets" / "pmlb"))
    parser.add_argument("--dataset", default="churn")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    frame = pd.read_csv(Path(args.pmlb) / f"{args.dataset}.tsv.gz", sep="\t")
    X, y = frame.drop(columns="target"), frame["target"]
    mf = compute_metafeatures(X, y, task="binary")
    start = time.perf_counter()
    kb = KnowledgeBase(None, read_only_paths=[shipped_path()])
    stats = kb.stats()
    first = time.perf_counter() - start
    rows = [
        {"step": "open and first read (cold cache)", "seconds": first},
        {
            "step": "nearest datasets (all of the base)",
            "seconds": _timed(lambda: nearest_datasets(kb, mf, "binary"), args.repeat),
        },
        {
            "step": "suggestions: 25 nearest, best configuration each",
            "seconds": _timed(
                lambda: suggest_configurations(kb, mf, "binary", metric="roc_auc"), args.repeat
            ),
        },
    ]
    print(
        f"shipped base: {stats['datasets']} datasets, {stats['runs']} runs, "
        f"{stats['files']} files, {stats['bytes'] / 1e6:.1f} MB"
    )
    print(to_markdown(pd.DataFrame(rows).round(4), index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
