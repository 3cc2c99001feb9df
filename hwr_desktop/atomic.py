"""Files written whole or not at all."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file beside it, fsynced, then renamed over
    ``path``: a crash or a failed write leaves the old file or the new one, never a mix, and a failed
    write takes its temporary file away.

    Raises:
        OSError: the folder is missing or not writable, or ``path`` is a folder (the old file, if any, is
            left intact).
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):  # never there, or not removable: the first error is the one to tell
            tmp.unlink()
        raise
