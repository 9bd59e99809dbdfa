"""Does a known dataset, given again in another form, find itself in the knowledge base?

For every PMLB dataset (or a seeded sample) and OpenML's ``anneal`` (from the offline OpenML cache,
through the real ``openml`` client), variants of the same data are made:

* ``a columns shuffled``;
* ``b nominal as codes``: categorical, string and boolean columns as integer codes (missing values
  kept), class labels as integer codes; only where the data have such columns or labels;
* ``b' integers as categories``: integer-valued columns with 2-20 distinct values as pandas
  categories (``astype("category")``: the categories are the numbers); the reverse of b, as
  PMLB's tables are integer-coded already; only where the data have such columns;
* ``b'' integers as text labels``: the same columns as categories of text labels ``"v3"`` (which
  do not read as numbers); only where the data have such columns;
* ``c rows shuffled``;
* ``d half the rows`` (a seeded 50 % sample);
* ``a+b+c``: columns and rows shuffled and re-encoded (b, else b'') at once.

Each variant's meta-features (``compute_metafeatures``) rank the shipped base's datasets of the
same kind (``nearest_datasets``); the table says how often the original is the nearest and within
the 3 nearest, and how often ``dataset_fingerprint`` (the base's ``dataset_id``, used to
recognise exact duplicates) is unchanged. The original of a PMLB table is its own record in the
base (``dataset_id`` = its fingerprint); that of anneal is ``autosklearn-anneal``. Exact copies
of the original count as the original: another PMLB table with the same values (up to column
names and order: ``chess`` and ``kr_vs_kp``) and an OpenML100 task with the same rows, features,
class sizes and missing values (the server's copy, with nominal attributes where PMLB has integer
codes); the ``own_record`` column counts the original's own record only.

    python -m benchmarks.recognition --label after            # all 166 PMLB tables + anneal
    python -m benchmarks.recognition --sample 60 --label quick

Each run writes ``<out>/<label>.csv`` (one row per dataset and variant) and rewrites
``<out>/README.md`` from every CSV in ``<out>``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.util import hash_pandas_object

from benchmarks.report import to_markdown
from knowledge_base import KnowledgeBase, dataset_fingerprint, shipped_path
from metalearning import compute_metafeatures
from metalearning.warmstart import nearest_datasets

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
OUT = HERE / "results" / "recognition"
#: Integer-valued columns with at most this many distinct values become categories in ``b'``.
MAX_CODES = 20
ANNEAL_ID = "autosklearn-anneal"
#: At most this many misses are listed in the README per run.
MAX_LISTED = 30

Variant = Callable[[pd.DataFrame, pd.Series, np.random.Generator], tuple | None]


# --- variants ----------------------------------------------------------------------------------


def _is_nominal(column: pd.Series) -> bool:
    return (
        isinstance(column.dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(column.dtype)
        or pd.api.types.is_object_dtype(column.dtype)
        or pd.api.types.is_string_dtype(column.dtype)
    )


def _codes(column: pd.Series) -> pd.Series:
    """Integer codes of a nominal column (categories' order, else sorted); NaN where missing."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
    else:
        codes = pd.factorize(column.astype(str).where(column.notna()), sort=True)[0]
    if (codes < 0).any():
        return pd.Series(np.where(codes < 0, np.nan, codes), index=column.index)
    return pd.Series(codes.astype(np.int64), index=column.index)


def _low_cardinality_integers(column: pd.Series) -> bool:
    if _is_nominal(column) or not pd.api.types.is_numeric_dtype(column.dtype):
        return False
    values = column.dropna().to_numpy(dtype=float)
    return (
        len(values) > 0
        and bool(np.all(values == np.round(values)))
        and 2 <= len(np.unique(values)) <= MAX_CODES
    )


def columns_shuffled(X, y, rng):
    return X.iloc[:, rng.permutation(X.shape[1])], y


def nominal_as_codes(X, y, rng):
    nominal = [c for c in X.columns if _is_nominal(X[c])]
    labels = not pd.api.types.is_integer_dtype(y.dtype) and not _is_numeric_target(y)
    if not nominal and not labels:
        return None
    X = X.assign(**{c: _codes(X[c]) for c in nominal})
    return X, (_codes(y) if labels else y)


def integers_as_categories(X, y, rng):
    chosen = [c for c in X.columns if _low_cardinality_integers(X[c])]
    if not chosen:
        return None
    return X.assign(**{c: X[c].astype("category") for c in chosen}), y


def integers_as_text(X, y, rng):
    chosen = [c for c in X.columns if _low_cardinality_integers(X[c])]
    if not chosen:
        return None
    as_text = {
        c: pd.Categorical(X[c].map(lambda v: f"v{int(v)}", na_action="ignore")) for c in chosen
    }
    return X.assign(**as_text), y


def rows_shuffled(X, y, rng):
    order = rng.permutation(len(X))
    return X.iloc[order].reset_index(drop=True), y.iloc[order].reset_index(drop=True)


def half_the_rows(X, y, rng):
    rows = np.sort(rng.choice(len(X), len(X) // 2, replace=False))
    return X.iloc[rows].reset_index(drop=True), y.iloc[rows].reset_index(drop=True)


def all_at_once(X, y, rng):
    encoded = nominal_as_codes(X, y, rng) or integers_as_text(X, y, rng) or (X, y)
    return rows_shuffled(*columns_shuffled(*encoded, rng), rng)


def _is_numeric_target(y: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(y.dtype) and not pd.api.types.is_bool_dtype(y.dtype)


VARIANTS: dict[str, Variant] = {
    "original": lambda X, y, rng: (X, y),
    "a columns shuffled": columns_shuffled,
    "b nominal as codes": nominal_as_codes,
    "b' integers as categories": integers_as_categories,
    "b'' integers as text labels": integers_as_text,
    "c rows shuffled": rows_shuffled,
    "d half the rows": half_the_rows,
    "a+b+c": all_at_once,
}
#: Goal: the original is the nearest (rank 1) for these, within the 3 nearest for the others.
NEAREST_GOAL = tuple(v for v in VARIANTS if v != "d half the rows")
#: An OpenML record is a copy of a PMLB table if these agree exactly (classification only).
COPY_KEYS = (
    "NumberOfInstances",
    "NumberOfFeatures",
    "NumberOfClasses",
    "MajorityClassSize",
    "MinorityClassSize",
    "NumberOfMissingValues",
)


# --- data --------------------------------------------------------------------------------------


def content_key(X: pd.DataFrame, y: pd.Series) -> str:
    """The same for tables holding the same values, whatever their column names and order."""
    signature = [
        int(hash_pandas_object(X.iloc[:, j], index=False).sum()) for j in range(X.shape[1])
    ]
    order = sorted(range(X.shape[1]), key=signature.__getitem__)
    return dataset_fingerprint(X.iloc[:, order].set_axis(range(len(order)), axis=1), y)


def pmlb_tables(folder: Path, sample: int | None, seed: int) -> Iterator[tuple]:
    """``(name, X, y, task, original dataset_id)`` per PMLB table, as ``kb grow`` recorded it."""
    index = pd.read_csv(folder / "index.csv")
    if sample is not None and sample < len(index):
        index = index.sample(sample, random_state=seed).sort_index()
    for row in index.itertuples():
        frame = pd.read_csv(folder / f"{row.name}.tsv.gz", sep="\t")
        X, y = frame.drop(columns="target"), frame["target"]
        if row.task == "regression":
            task = "regression"
        else:
            task = "binary" if y.astype(str).nunique() == 2 else "multiclass"
        yield row.name, X, y, task, dataset_fingerprint(X, y)


def anneal(cache: Path) -> tuple:
    """OpenML dataset 2 through the real client, from a temporary copy of the offline cache."""
    import openml

    saved = openml.config.get_config_as_dict()
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(cache, Path(tmp) / "cache")
        openml.config.set_root_cache_directory(Path(tmp) / "cache")
        openml.config.server = "https://test.openml.org/api/v1/xml"
        try:
            dataset = openml.datasets.get_dataset(2, download_data=True, download_qualities=False)
            X, y, _, _ = dataset.get_data(target=dataset.default_target_attribute)
        finally:
            openml.config.set_root_cache_directory(saved["cachedir"])
            openml.config.server = saved["server"]
    return "anneal (OpenML 2)", X, y, "multiclass", ANNEAL_ID


# --- measurement -------------------------------------------------------------------------------


def openml_copies(kb, original: str) -> set[str]:
    """OpenML records with the same rows, features, class sizes and missing values."""
    frame, datasets = kb.metafeatures(), kb.datasets().set_index("dataset_id")
    if original not in frame.index:
        return set()
    row = frame.loc[original].reindex(list(COPY_KEYS))
    if row.isna().any() or row["NumberOfClasses"] == 0:
        return set()
    openml = frame.index[datasets.reindex(frame.index)["source"] == "openml"]
    same = (frame.loc[openml].reindex(columns=list(COPY_KEYS)) == row).all(axis=1)
    return set(openml[same])


def measure(kb, name, X, y, task, original, copies, seed) -> list[dict]:
    rows = []
    for i, (variant, make) in enumerate(VARIANTS.items()):
        made = make(X, y, np.random.default_rng([seed, i]))
        if made is None:
            continue
        Xv, yv = made
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mf = compute_metafeatures(Xv, yv, task=task, random_state=0)
        nearest = nearest_datasets(kb, mf, task)
        ids = nearest["dataset_id"].tolist()
        rank = min(ids.index(i) + 1 for i in {original, *copies} if i in ids)
        distance = nearest["distance"].iloc[rank - 1]
        rows.append(
            {
                "dataset": name,
                "task": task,
                "variant": variant,
                "rank": rank,
                "own_rank": ids.index(original) + 1,
                "distance": float(distance),
                "strictly_nearer": int((nearest["distance"] < distance).sum()),
                "nearest": ids[0],
                "nearest_name": nearest["name"].iloc[0],
                "same_fingerprint": dataset_fingerprint(Xv, yv) == dataset_fingerprint(X, y),
            }
        )
    return rows


def summary(results: pd.DataFrame) -> pd.DataFrame:
    found = results.dropna(subset=["rank"])
    table = found.groupby("variant", sort=False).agg(
        datasets=("rank", "size"),
        nearest=("rank", lambda r: int((r == 1).sum())),
        own_record=("own_rank", lambda r: int((r == 1).sum())),
        top3=("rank", lambda r: int((r <= 3).sum())),
        worst_rank=("rank", "max"),
        fingerprint_kept=("same_fingerprint", "sum"),
    )
    n = table["datasets"]
    table["nearest"] = [f"{k} ({100 * k / m:.0f} %)" for k, m in zip(table["nearest"], n)]
    table["own_record"] = [f"{k} ({100 * k / m:.0f} %)" for k, m in zip(table["own_record"], n)]
    table["top3"] = [f"{k} ({100 * k / m:.0f} %)" for k, m in zip(table["top3"], n)]
    table["worst_rank"] = table["worst_rank"].astype(int)
    table["fingerprint_kept"] = table["fingerprint_kept"].astype(int)
    return table.reindex([v for v in VARIANTS if v in table.index])


def failures(results: pd.DataFrame) -> pd.DataFrame:
    goal = np.where(results["variant"].isin(NEAREST_GOAL), 1, 3)
    missed = results[~(results["rank"] <= goal)]
    return missed[["dataset", "variant", "rank", "distance", "nearest_name"]].sort_values(
        ["variant", "dataset"]
    )


def write_readme(out: Path) -> None:
    parts = [
        "# Recognition of a known dataset given in another form",
        "",
        "Written by `python -m benchmarks.recognition` (see its docstring for the variants). "
        "`nearest` / `top3`: variants whose original is the nearest / within the 3 nearest of "
        "the shipped base's datasets of the same kind (ties broken as `nearest_datasets` breaks "
        "them); `worst_rank`: the original's worst rank; `fingerprint_kept`: variants whose "
        "`dataset_fingerprint` equals the original's. Goal: rank 1 for every variant but "
        "`d half the rows`, which should be within the top 3.",
    ]
    for path in sorted(out.glob("*.csv"), key=lambda p: p.stat().st_mtime):
        results = pd.read_csv(path)
        head = path.with_suffix(".txt")
        parts += ["", f"## {path.stem}", ""]
        if head.exists():
            parts += [head.read_text().strip(), ""]
        parts.append(to_markdown(summary(results)))
        missed = failures(results)
        shown = (
            f" (the first {MAX_LISTED}; all in `{path.name}`)" if len(missed) > MAX_LISTED else ""
        )
        parts += ["", f"Missed the goal: {len(missed)}{shown}.", ""]
        if len(missed):
            parts.append(to_markdown(missed.head(MAX_LISTED).round(3), index=False))
    notes = out / "notes.md"  # hand-written reading of the results, kept across runs
    if notes.exists():
        parts += ["", notes.read_text().strip()]
    (out / "README.md").write_text("\n".join(parts) + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pmlb", type=Path, default=SHARED / "datasets" / "pmlb")
    parser.add_argument("--openml-cache", type=Path, default=SHARED / "datasets" / "openml-cache")
    parser.add_argument("--sample", type=int, default=None, help="PMLB tables (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label", default="results", help="name of this run's CSV and section")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--kb", type=Path, default=None, help="default: the shipped base")
    parser.add_argument("--note", default="", help="said of this run in the README")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    kb = KnowledgeBase(None, read_only_paths=[args.kb or shipped_path()])
    start, rows = time.monotonic(), []
    tables = chain([anneal(args.openml_cache)], pmlb_tables(args.pmlb, args.sample, args.seed))
    known = set(kb.datasets()["dataset_id"])
    same_content: dict[str, set[str]] = {}  # content key -> the PMLB tables' dataset ids
    for _, X, y, _, original in pmlb_tables(args.pmlb, args.sample, args.seed):
        same_content.setdefault(content_key(X, y), set()).add(original)
    twins = {i: ids for ids in same_content.values() for i in ids}
    for name, X, y, task, original in tables:
        if original not in known:
            print(f"{name}: not in the shipped base, skipped", flush=True)
            continue
        copies = openml_copies(kb, original) | twins.get(original, set())
        rows += measure(kb, name, X, y, task, original, copies, args.seed)
        print(name, [r["rank"] for r in rows if r["dataset"] == name], flush=True)
    results = pd.DataFrame(rows)
    results.to_csv(args.out / f"{args.label}.csv", index=False)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE
    ).stdout.strip()
    code = (
        f"Code at commit `{commit}` (plus the working tree's changes, if any); " if commit else ""
    )
    (args.out / f"{args.label}.txt").write_text(
        f"{code}{results['dataset'].nunique()} datasets, seed {args.seed}, "
        f"{time.monotonic() - start:.0f} s. {args.note}".strip()
    )
    write_readme(args.out)
    print(to_markdown(summary(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
