"""Where knowledge bases live: the user's writable base and the one shipped with the package."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ENV_VAR", "default_user_path", "shipped_path"]

ENV_VAR = "AUTOML_KB_DIR"


def default_user_path() -> Path:
    """The user's writable knowledge base.

    Returns
    -------
    pathlib.Path
        ``$AUTOML_KB_DIR`` if set and not empty, else ``~/.automl/knowledge_base``.
        The folder is not created here; the first append creates it.
    """
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    return Path.home() / ".automl" / "knowledge_base"


def shipped_path() -> Path:
    """The read-only knowledge base shipped inside the package.

    Returns
    -------
    pathlib.Path
        The ``knowledge_base/data`` folder of the installed package. It may be empty or
        missing, in which case readers find no rows there.
    """
    return Path(__file__).resolve().parent / "data"
