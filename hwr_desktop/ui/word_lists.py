"""WordLists: the shipped English word list plus the user's own, built into one ``Lexicon`` once and shared.

Building takes ~60 ms, so the window hands a ``WordLists`` to the worker and the
first recognition (or ``RecognitionWorker.warm_up``) builds it in the worker's
thread; later recognitions reuse it. A ``WordLists`` never changes: other files
mean a new one.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Sequence

from ..errors import InputError
from ..lexicon import Lexicon

log = logging.getLogger(__name__)


def check_word_list(path: str | Path) -> int:
    """The number of usable words in a user's word list (one word per line).

    Raises:
        InputError: the file cannot be read, or holds no usable word (2-24 letters a-z).
    """
    n = len(Lexicon.from_files([path], shipped=False))
    if n == 0:
        raise InputError(f"{Path(path).name} holds no usable words (one word per line, letters a-z)")
    return n


class WordLists:
    """The shipped list plus ``paths``; ``lexicon()`` builds them on first call (thread-safe) and keeps the result.

    A user file that cannot be read when the lexicon is built is left out (and named in ``skipped``);
    an unreadable shipped list raises ``InputError``.
    """

    def __init__(self, paths: Sequence[str] = ()) -> None:
        self.paths = tuple(str(p) for p in paths)
        self.skipped: tuple[str, ...] = ()
        self._lock = threading.Lock()
        self._lexicon: Lexicon | None = None

    def lexicon(self) -> Lexicon:
        with self._lock:
            if self._lexicon is None:
                self._lexicon = self._build()
            return self._lexicon

    def _build(self) -> Lexicon:
        try:
            return Lexicon.from_files(self.paths)
        except InputError as e:
            log.warning("%s", e)
        usable, skipped = [], []
        for p in self.paths:
            try:
                Path(p).read_text(encoding="utf-8")
                usable.append(p)
            except (OSError, UnicodeDecodeError):
                skipped.append(p)
        self.skipped = tuple(skipped)
        return Lexicon.from_files(usable)
