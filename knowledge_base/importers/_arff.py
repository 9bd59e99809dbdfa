"""Reading ARFF files (plain or gzip-compressed) into pandas, with liac-arff (``arff``).

liac-arff is installed as a dependency of ``openml``.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import arff
import pandas as pd


def read_arff(path: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """An ARFF file as a frame, and its header.

    Parameters
    ----------
    path : str or Path
        ``.arff`` or ``.arff.gz`` file.

    Returns
    -------
    frame : pandas.DataFrame
        One column per attribute; nominal and string attributes as strings, numeric ones as
        floats, missing values as NaN/None.
    header : dict
        ``relation``, ``attributes`` (list of (name, type)), and ``comment``: the JSON object of
        a first line ``% {...}`` if there is one (as in the openml-pimp files), else ``{}``.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"ARFF file not found: {path}")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        text = fh.read()
    comment: dict[str, Any] = {}
    first = text.lstrip().split("\n", 1)[0]
    if first.startswith("%"):
        try:
            parsed = json.loads(first[1:].strip())
            comment = parsed if isinstance(parsed, dict) else {}
        except json.JSONDecodeError:
            comment = {}
    try:
        data = arff.loads(text)
    except arff.ArffException as exc:
        raise ValueError(f"Cannot parse ARFF file {path}: {exc}") from exc
    names = [a[0] for a in data["attributes"]]
    frame = pd.DataFrame(data["data"], columns=names)
    header = {"relation": data.get("relation"), "attributes": data["attributes"]}
    header["comment"] = comment
    return frame, header
