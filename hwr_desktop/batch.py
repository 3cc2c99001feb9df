"""Many files: inputs from folders, one result per file, run in a loop, a process pool or on Dask.

Every way of running calls the same per-file function, ``recognize_path``, which never raises for
a bad input: it returns a ``FileOutcome`` holding the pages or the error. The model is loaded once
per process (``load_recognizer`` caches it), so pool workers and Dask workers pay for it once.
The CLI formats outcomes (``formats.py``); nothing here prints.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from .documents import PDF_SUFFIX, PageSelection
from .errors import HwrError, InputError
from .pipeline import IMAGE_SUFFIXES, INK_SUFFIX
from .results import PageResult

log = logging.getLogger(__name__)

DOCUMENT_SUFFIXES = IMAGE_SUFFIXES + (PDF_SUFFIX, INK_SUFFIX)


@dataclass(frozen=True)
class Options:
    """What to recognize and how; picklable, so it travels to pool and Dask workers.

    Attributes:
        mode: decoding mode (``decoding.MODES``).
        k: alternatives kept per glyph.
        pages: 1-based pages to read (None: all).
        model: the ONNX model's path (None: the shipped one).
        threads: onnxruntime threads per process (0: all cores; 1 in pools, which use the cores already).
        lexicon: word lists added to the shipped one; None for no lexicon.
        context: decode lines in context; False for each glyph's own reading (no line recognizer either).
        samples: the user's corrected glyphs (``personal.load_samples``: the app's samples folder or an
            exported npz), blended into every reading; None for none.
        word_alternatives: readings kept per word (``words.with_word_alternatives``, from the glyphs' ``k``
            alternatives and the word lists); 0 for none (the default: only the JSON output shows them).
        lines: read each line whole with the line recognizer too (joined-up writing, ``joined``);
        line_model: its ONNX file (None: the shipped one).
    """

    mode: str = "auto"
    k: int = 5
    pages: PageSelection | None = None
    model: str | None = None
    threads: int = 0
    lexicon: tuple[str, ...] | None = ()
    context: bool = True
    samples: str | None = None
    word_alternatives: int = 0
    lines: bool = True
    line_model: str | None = None


@dataclass(frozen=True)
class FileOutcome:
    """One input's result: its pages, or why it could not be read (then ``pages`` is empty)."""

    name: str
    pages: tuple[PageResult, ...] = ()
    error: str | None = None

    @property
    def page_errors(self) -> list[tuple[int, str]]:
        return [(p.page, p.error) for p in self.pages if p.error is not None]

    @property
    def ok(self) -> bool:
        return self.error is None and not self.page_errors


def is_document(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(DOCUMENT_SUFFIXES) and not name.startswith(".")


def expand_inputs(names: Sequence[str]) -> list[tuple[str, str]]:
    """Files to read, with folders replaced by the documents inside them (recursively, sorted).

    Returns:
        (path, relative name) pairs: the relative name is the path below the folder it was
        found in, or the file's own name for files given directly; it names the output with ``--out``.
        Names that do not exist are kept, so that they are reported as errors in their turn.
    """
    out = []
    for name in names:
        p = Path(name)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and is_document(f))
            out.extend((str(f), f.relative_to(p).as_posix()) for f in found)
        else:
            out.append((name, p.name))
    return out


def output_path(out_dir: str | Path, relative: str, suffix: str) -> Path:
    """Where ``--out`` writes the result of an input: its relative name plus ``suffix`` (``scan.pdf.txt``)."""
    return Path(out_dir) / (relative + suffix)


@functools.lru_cache(maxsize=4)
def load_recognizer(model: str | None, threads: int = 0):
    """The recognizer for ``model``, loaded once per process (and per thread count)."""
    from .recognizer import Recognizer

    return Recognizer.from_path(model, threads=threads)


@functools.lru_cache(maxsize=4)
def load_line_reader(model: str | None, threads: int = 0):
    """The line recognizer for ``model`` (None: the shipped one) with its decoding, loaded once per process."""
    from .joined import LineReader

    return LineReader.from_path(model, threads=threads)


@functools.lru_cache(maxsize=4)
def load_lexicon(files: tuple[str, ...]):
    """The shipped word list plus ``files``, loaded once per process."""
    from .lexicon import Lexicon

    return Lexicon.from_files(files)


@functools.lru_cache(maxsize=4)
def personal_model(samples: str, recognizer):
    """A ``personal.PersonalModel`` of the samples at ``samples`` (see ``personal.load_samples``) on
    ``recognizer``'s features, built once per process and recognizer (not once per file)."""
    from .personal import PersonalModel, load_samples

    images, labels = load_samples(samples)
    return PersonalModel.from_samples(images, labels, recognizer)


def recognize_path(name: str, options: Options, recognizer=None) -> FileOutcome:
    """Recognize one file; never raises for a bad input or model.

    Args:
        recognizer: use this one (tests, the GUI); default ``load_recognizer(options.model, options.threads)``.
    """
    from .pipeline import recognize_file

    try:
        rec = recognizer if recognizer is not None else load_recognizer(options.model, options.threads)
        lexicon = load_lexicon(options.lexicon) if options.lexicon is not None else None
        personal = personal_model(options.samples, rec) if options.samples is not None else None
        reader = load_line_reader(options.line_model, options.threads) if options.lines and options.context else None
        pages = recognize_file(name, rec, mode=options.mode, k=options.k, pages=options.pages, lexicon=lexicon,
                               context=options.context, personal=personal, line_reader=reader)
        from .words import with_word_alternatives

        # n readings per word (the line reader's words come with theirs: kept to n, none for 0)
        pages = [with_word_alternatives(p, lexicon, options.word_alternatives) for p in pages]
    except HwrError as e:
        return FileOutcome(name, error=str(e))
    except MemoryError:
        return FileOutcome(name, error="out of memory")
    return FileOutcome(name, tuple(pages))


def _init_worker(model: str | None, threads: int) -> None:
    """Pool initializer: load the model before the first file arrives."""
    try:
        load_recognizer(model, threads)
    except HwrError:
        pass  # reported per file by recognize_path


def run_loop(names: Iterable[str], options: Options, recognizer=None) -> Iterator[FileOutcome]:
    """Outcomes one after the other, in input order, in this process."""
    for name in names:
        yield recognize_path(name, options, recognizer)


def run_pool(names: Sequence[str], options: Options, jobs: int) -> Iterator[FileOutcome]:
    """Outcomes from ``jobs`` worker processes, in completion order.

    Workers are started with "spawn" (no fork of a process holding onnxruntime threads) and each
    loads the model once; each uses one onnxruntime thread, since the pool already fills the cores.
    """
    import multiprocessing

    opts = dataclasses.replace(options, threads=1)  # every option travels (word lists, context, samples)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                             initargs=(opts.model, opts.threads)) as pool:
        futures = [pool.submit(recognize_path, name, opts) for name in names]
        try:
            for f in as_completed(futures):
                yield f.result()
        finally:
            for f in futures:
                f.cancel()


def run_dask(names: Sequence[str], options: Options, address: str) -> Iterator[FileOutcome]:
    """Outcomes from a Dask distributed cluster at ``address``, in completion order.

    The workers need this package installed; each loads the model once (``load_recognizer``).
    Raises:
        InputError: dask.distributed is not installed or the scheduler cannot be reached.
    """
    try:
        from distributed import Client, as_completed as dask_completed
    except ImportError:
        raise InputError("dask.distributed is not installed (pip install 'hwr-desktop[dask]')") from None
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError, ValueError) as e:
        raise InputError(f"cannot reach the Dask scheduler at {address}: {e}") from None
    try:
        futures = client.map(recognize_path, list(names), options=options, pure=False)
        for f in dask_completed(futures):
            yield f.result()
    finally:
        client.close()


def default_jobs() -> int:
    """Worker processes used by default: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run(names: Sequence[str], options: Options, *, jobs: int = 1, dask: str | None = None,
        recognizer=None) -> Iterator[FileOutcome]:
    """Outcomes for ``names``: a plain loop (``jobs`` 1 or one file), a process pool, or Dask.

    Order: input order for the loop, completion order otherwise (``FileOutcome.name`` says which).
    """
    if dask:
        return run_dask(names, options, dask)
    if jobs > 1 and len(names) > 1:
        return run_pool(names, options, min(jobs, len(names)))
    return run_loop(names, options, recognizer)


def in_input_order(outcomes: Iterable[FileOutcome], names: Sequence[str],
                   on_done: Callable[[FileOutcome], None] | None = None) -> Iterator[FileOutcome]:
    """Re-order completion-ordered ``outcomes`` into the order of ``names``, yielding each as soon as
    all before it are in; ``on_done`` sees every outcome at once, in completion order."""
    pending: dict[int, FileOutcome] = {}
    slots: dict[str, list[int]] = {}
    for i, n in enumerate(names):
        slots.setdefault(n, []).append(i)
    nxt = 0
    for o in outcomes:
        if on_done:
            on_done(o)
        pending[slots[o.name].pop(0)] = o
        while nxt in pending:
            yield pending.pop(nxt)
            nxt += 1
