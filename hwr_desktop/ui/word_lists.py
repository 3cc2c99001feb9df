"""Word lists: the shipped English list plus the user's own, built into one ``Lexicon`` once and shared; and the
edits of the user's list files (plain Python, no Qt).

Building takes ~60 ms, so the window hands a ``WordLists`` to the worker and the
first recognition (or ``RecognitionWorker.warm_up``) builds it in the worker's
thread; later recognitions reuse it. A ``WordLists`` never changes: other files, or
files edited, mean a new one.

The user's lists are text files, one word per line (any whitespace separates words): the app's own
("My words", ``MY_WORDS`` in its data folder, where words added from the app go) and files the user
added. Edits (``add_words``, ``remove_words``, ``rename_word``) read the file as it is now, change only the
words they name (every other line stays as it was, unusable tokens too) and write it back whole or not at
all (``atomic.write_atomic``).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..atomic import write_atomic
from ..errors import InputError
from ..lexicon import MAX_WORD, Lexicon, is_word, read_words, word_list_text

log = logging.getLogger(__name__)

MY_WORDS = "words.txt"  # the app's own word list, in its data folder
NOT_A_WORD = f"2 to {MAX_WORD} letters a-z, no digits, spaces or accents"


def usable_words(tokens: Iterable[str]) -> list[str]:
    """The usable words (``lexicon.is_word``) of ``tokens``, each once (case aside: as first written), in order."""
    seen: dict[str, str] = {}
    for t in tokens:
        if is_word(t):
            seen.setdefault(t.lower(), t)
    return list(seen.values())


def list_words(path: str | Path, missing_ok: bool = False) -> list[str]:
    """The usable words of a word list file (``usable_words``), in the file's order.

    Raises:
        InputError: it cannot be read (unless it is missing and ``missing_ok``: then none).
    """
    if missing_ok and not Path(path).exists():
        return []
    return usable_words(read_words(path))


def _read_text(path: Path) -> str:
    """The file's text, "" when it does not exist yet.

    Raises:
        InputError: it exists but cannot be read as UTF-8 text (it is then never written over).
    """
    return word_list_text(path) if path.exists() else ""


def _map_tokens(path: Path, fn: Callable[[str], str | None]) -> int:
    """Rewrite the file's tokens through ``fn`` (None drops one); lines without a changed token stay as they
    were. Returns how many tokens changed; the file is written only when some did.

    Raises:
        InputError: the file cannot be read; OSError: it cannot be written (the old file stays).
    """
    lines, changed = _read_text(path).splitlines(keepends=True), 0
    out = []
    for line in lines:
        tokens = line.split()
        mapped = [fn(t) for t in tokens]
        if mapped == tokens:
            out.append(line)
            continue
        changed += sum(m != t for m, t in zip(mapped, tokens))
        kept = " ".join(m for m in mapped if m)
        if kept:
            out.append(kept + "\n")
    if changed:
        write_atomic(path, "".join(out))
    return changed


def check_words(words: Iterable[str]) -> list[str]:
    """``words`` stripped, each a usable word.

    Raises:
        InputError: one is not (named, with what a word may be).
    """
    out = [w.strip() for w in words]
    bad = [w for w in out if not is_word(w)]
    if bad:
        raise InputError(f"\u201c{bad[0]}\u201d is not a word the lists can hold ({NOT_A_WORD})")
    return out


def add_words(path: str | Path, words: Iterable[str]) -> list[str]:
    """Append ``words`` to a word list file (made, with its folder, when missing), one a line; those already in
    it (case aside) are left out. Returns the words added.

    Raises:
        InputError: a word is not usable (nothing is written) or the file cannot be read; OSError: it cannot be
            written (the old file stays).
    """
    path = Path(path)
    words = check_words(words)
    text = _read_text(path)
    have = {w.lower() for w in text.split()}
    new = usable_words(w for w in words if w.lower() not in have)
    if new:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text + ("\n" if text and not text.endswith("\n") else "") + "".join(w + "\n" for w in new))
    return new


def remove_words(path: str | Path, words: Iterable[str]) -> int:
    """Take ``words`` (case aside) out of a word list file, every copy; returns how many tokens went.

    Raises:
        InputError: the file cannot be read; OSError: it cannot be written (the old file stays).
    """
    drop = {w.strip().lower() for w in words}
    return _map_tokens(Path(path), lambda t: None if t.lower() in drop else t)


def rename_word(path: str | Path, old: str, new: str) -> int:
    """Spell ``old`` (case aside) as ``new`` wherever a word list file has it; returns how many tokens changed.

    Raises:
        InputError: ``new`` is not a usable word (nothing is written) or the file cannot be read; OSError: it
            cannot be written.
    """
    (new,) = check_words([new])
    return _map_tokens(Path(path), lambda t: new if t.lower() == old.lower() else t)


def export_words(path: str | Path, words: Sequence[str]) -> None:
    """Write ``words`` to ``path``, one a line, whole or not at all.

    Raises:
        OSError: it cannot be written (an old file there stays).
    """
    write_atomic(Path(path), "".join(w + "\n" for w in words))


def import_words(source: str | Path, path: str | Path) -> tuple[list[str], int]:
    """Add the usable words of the file ``source`` to the word list file ``path``.

    Returns:
        (the words added, the number of tokens of ``source`` that are not usable words).
    Raises:
        InputError: ``source`` cannot be read or holds no usable word, or ``path`` cannot be read; OSError:
            ``path`` cannot be written.
    """
    tokens = read_words(source)
    words = usable_words(tokens)
    if not words:
        raise InputError(_no_words(source))
    return add_words(path, words), sum(not is_word(t) for t in tokens)


def _no_words(path: str | Path) -> str:
    return f"{Path(path).name} holds no usable words (one word per line, {NOT_A_WORD})"


def check_word_list(path: str | Path) -> int:
    """The number of usable words in a user's word list (one word per line).

    Raises:
        InputError: the file cannot be read, or holds no usable word (2-24 letters a-z).
    """
    n = len(list_words(path))
    if n == 0:
        raise InputError(_no_words(path))
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
