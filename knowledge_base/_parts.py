"""Part files on disk: naming, listing, atomic writing, reading and de-duplication.

A table of a base at ``ROOT`` is the union of ``ROOT/<table>/*.parquet``. Each append writes a
new part file named ``part-<UTC timestamp>-<pid>-<uuid>.parquet``, so names sort in the order
they were written. A file is first written as a hidden ``.tmp-*`` file in the same folder,
fsynced, then renamed into place, so readers see either all of it or nothing.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .schema import KnowledgeBaseError, conform_table

TMP_PREFIX = ".tmp-"
STALE_TMP_SECONDS = 3600.0
_STAMP = re.compile(r"^part-(\d{8}T\d{6}\.\d{6}Z)-")

FileKey = tuple[str, int, int, int]


def part_files(root: Path, table: str) -> list[Path]:
    """The part files of a table under ``root``, oldest first; hidden and temp files ignored."""
    folder = root / table
    try:
        with os.scandir(folder) as entries:
            names = [
                e.name
                for e in entries
                if e.name.endswith(".parquet") and not e.name.startswith(".") and e.is_file()
            ]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [folder / name for name in sorted(names)]


def file_key(path: Path) -> FileKey:
    """Identity of a file's current contents: path, inode, mtime and size.

    Raises FileNotFoundError if it has gone (e.g. removed by a compaction).
    """
    st = os.stat(path)
    return (str(path), st.st_ino, st.st_mtime_ns, st.st_size)


def new_part_name(stamp: str | None = None, tag: str | None = None) -> str:
    """A fresh part-file name; ``stamp`` defaults to now (UTC, microseconds)."""
    if stamp is None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"part-{stamp}-{tag or os.getpid()}-{uuid.uuid4().hex}.parquet"


def compacted_name(newest: Path) -> str:
    """Name of a compacted file that sorts right after ``newest``, the newest merged part.

    Parts appended while the compaction ran have later stamps, so they still sort (and win)
    after the compacted file.
    """
    match = _STAMP.match(newest.name)
    return new_part_name(match.group(1) if match else None, tag="compact")


def write_atomic(data: pa.Table, path: Path) -> None:
    """Write a Parquet file so that it appears complete or not at all.

    The table goes to a hidden ``.tmp-`` file in the destination folder, which is fsynced and
    then renamed over ``path``; the folder is fsynced so the rename survives a power cut.
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{TMP_PREFIX}{path.name}"
    try:
        with open(tmp, "wb") as fh:
            pq.write_table(data, fh, compression="zstd")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def remove_stale_temps(folder: Path, max_age: float = STALE_TMP_SECONDS) -> int:
    """Remove ``.tmp-*`` files older than ``max_age`` seconds (left by killed writers)."""
    removed = 0
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return 0
    for entry in entries:
        if entry.name.startswith(TMP_PREFIX):
            try:
                if now - entry.stat().st_mtime > max_age:
                    os.unlink(entry.path)
                    removed += 1
            except FileNotFoundError:
                continue
    return removed


def read_part(path: Path, table: str) -> pa.Table:
    """Read one part file and conform it to the current schema.

    Raises
    ------
    FileNotFoundError
        If the file has gone since it was listed.
    KnowledgeBaseError
        If it is not a Parquet file or not a compatible ``table`` file; names the file.
    """
    try:
        with pq.ParquetFile(path) as parquet:
            data = parquet.read()
    except FileNotFoundError:
        raise
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise KnowledgeBaseError(f"{path}: not a readable Parquet file ({exc})") from None
    return conform_table(data, table, str(path))


def deduplicate(data: pa.Table, key: str) -> pa.Table:
    """Keep the last row of each primary key, in the original row order."""
    n = data.num_rows
    if n == 0 or pc.count_distinct(data.column(key)).as_py() == n:
        return data
    rows = data.select([key]).append_column("__row", pa.array(np.arange(n)))
    last = rows.group_by(key, use_threads=False).aggregate([("__row", "max")])
    return data.take(np.sort(last.column("__row_max").to_numpy()))
