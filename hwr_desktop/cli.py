"""``hwr``: recognize handwriting in images and ink files from the command line.

Exit status: 0 when every file was read, 1 when any could not be (each named on
stderr as ``hwr: FILE: reason``; the others are still processed), 2 for usage errors.
Heavy modules are imported inside the command so that ``hwr --help`` stays fast.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from . import __version__

log = logging.getLogger("hwr_desktop.cli")

MODES = ("auto", "digits", "letters", "upper", "lower")  # kept in step with decoding.MODES (tested)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hwr", description="Offline handwriting recognition (digits, A-Z, a-z).")
    parser.add_argument("--version", action="version", version=f"hwr {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv for debug)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    what = "images (PNG, JPEG, BMP, TIFF, WebP), PDFs, multi-page TIFFs, *.ink.json files or folders of them"
    rec = sub.add_parser("recognize", help=f"print the text in {what}", description=f"Print the text in {what}.")
    rec.add_argument("files", nargs="+", metavar="FILE", help="a file, or a folder (searched recursively)")
    rec.add_argument("--format", choices=FORMATS, default=None,
                     help="text (pages separated by a form feed line), json (boxes, confidences, alternatives) "
                          "or hocr (XHTML for OCR tools); default text")
    rec.add_argument("--json", action="store_true", help="same as --format json")
    rec.add_argument("--top-k", type=_positive, default=5, metavar="K", help="alternatives per glyph in json (default 5)")
    rec.add_argument("--word-alternatives", type=_count, default=5, metavar="N",
                     help="whole-word readings per word in json, from the glyphs' alternatives, words of the word "
                          "list first (default 5; 0 for none)")
    rec.add_argument("--mode", choices=MODES, default="auto", help="restrict the characters read (default auto)")
    rec.add_argument("--model", metavar="PATH", help="use this ONNX model instead of the shipped one")
    rec.add_argument("--line-model", metavar="PATH", help="use this ONNX line recognizer instead of the shipped one")
    rec.add_argument("--no-line-model", action="store_true",
                     help="read glyph by glyph only (no line recognizer: faster, no joined-up writing)")
    rec.add_argument("--lexicon", action="append", default=[], metavar="FILE",
                     help="a word list (one word per line) added to the shipped English one; repeatable")
    rec.add_argument("--no-lexicon", action="store_true", help="read words without any word list")
    rec.add_argument("--samples", metavar="PATH",
                     help="learn your handwriting from the glyphs you corrected in the app: its samples folder "
                          "(e.g. ~/.local/share/hwr/hwr-desktop/samples) or an exported .npz")
    rec.add_argument("--no-context", action="store_true",
                     help="each glyph's own reading: no word rules, line geometry, case or word list")
    rec.add_argument("--pages", type=_pages, metavar="LIST",
                     help="pages of PDFs and multi-page TIFFs to read, e.g. 1-3,7 (default all)")
    rec.add_argument("--out", metavar="DIR",
                     help="write one output per input into DIR, named after it (scan.pdf -> scan.pdf.txt), "
                          "keeping the layout of input folders")
    rec.add_argument("--resume", action="store_true", help="with --out: skip inputs whose output is already there")
    rec.add_argument("--jobs", "-j", type=_positive, default=None, metavar="N",
                     help="worker processes (default: all cores when there are 4 inputs or more, else 1)")
    rec.add_argument("--dask", metavar="ADDRESS", help="run on the Dask distributed scheduler at ADDRESS")
    rec.add_argument("--no-progress", action="store_true", help="no progress bar (it is shown only on a terminal)")
    return parser


FORMATS = ("text", "json", "hocr")  # kept in step with formats.FORMATS (tested)


def _integer(text: str, least: int) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if v < least:
        raise argparse.ArgumentTypeError(f"must be at least {least}")
    return v


def _positive(text: str) -> int:
    return _integer(text, 1)


def _count(text: str) -> int:
    return _integer(text, 0)


def _pages(text: str):
    from .documents import parse_pages
    from .errors import InputError

    try:
        return parse_pages(text)
    except InputError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _error(name: str, message: str) -> None:
    print(f"hwr: {name}: {message}", file=sys.stderr)


class ProgressBar:
    """A one-line progress bar on a terminal's stderr: ``[#####.....] 3/10 files, 0:12 left``."""

    def __init__(self, total: int, stream=None) -> None:
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self.draw()

    def draw(self) -> None:
        width = 30
        filled = width * self.done // max(self.total, 1)
        left = ""
        if self.done:
            rest = (time.monotonic() - self.start) / self.done * (self.total - self.done)
            left = f", {int(rest // 60)}:{int(rest % 60):02d} left"
        self.stream.write(f"\r\033[K[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} files{left}")
        self.stream.flush()

    def step(self) -> None:
        self.done += 1
        self.draw()

    def clear(self) -> None:
        self.stream.write("\r\033[K")
        self.stream.flush()


def cmd_recognize(args: argparse.Namespace) -> int:
    from pathlib import Path

    from . import batch, formats
    from .errors import HwrError

    fmt = args.format or ("json" if args.json else "text")
    if args.json and fmt != "json":
        _error("usage", "--json and --format " + fmt + " disagree")
        return 2
    if args.resume and not args.out:
        _error("usage", "--resume needs --out")
        return 2
    try:
        recognizer = batch.load_recognizer(args.model)
    except HwrError as e:
        _error("model", str(e))
        return 1
    if args.no_line_model and args.line_model:
        _error("usage", "--line-model and --no-line-model disagree")
        return 2
    if not args.no_line_model:
        try:
            batch.load_line_reader(args.line_model)  # a bad line model is reported once, before any file
        except HwrError as e:
            _error("line model", str(e))
            return 1
    status = 0
    inputs = batch.expand_inputs(args.files)
    for name in args.files:
        if Path(name).is_dir() and not any(Path(n).is_relative_to(name) for n, _ in inputs):
            _error(name, "no images, PDFs or ink files in this folder")
            status = 1
    suffix = formats.SUFFIXES[fmt]
    targets = {n: batch.output_path(args.out, rel, suffix) for n, rel in inputs} if args.out else {}
    names = [n for n, _ in inputs]
    if args.resume:
        names = [n for n in names if not targets[n].exists()]
        skipped = len(inputs) - len(names)
        if skipped:
            log.info("skipping %d input(s) already done", skipped)
    if args.no_lexicon and args.lexicon:
        _error("usage", "--lexicon and --no-lexicon disagree")
        return 2
    lexicon = None if args.no_lexicon else tuple(args.lexicon)
    if lexicon is not None:
        try:
            batch.load_lexicon(lexicon)  # a bad word list is reported once, before any file
        except HwrError as e:
            _error("lexicon", str(e))
            return 1
    if args.samples is not None:
        try:
            batch.personal_model(args.samples, recognizer)  # unreadable samples are reported once, before any file
        except HwrError as e:
            _error("samples", str(e))
            return 1
    options = batch.Options(args.mode, args.top_k, args.pages, args.model, lexicon=lexicon, context=not args.no_context,
                            samples=args.samples, word_alternatives=args.word_alternatives if fmt == "json" else 0,
                            lines=not args.no_line_model, line_model=args.line_model)
    jobs = args.jobs or (batch.default_jobs() if len(names) >= 4 else 1)
    bar = ProgressBar(len(names)) if sys.stderr.isatty() and not args.no_progress and len(names) > 1 else None

    def done(o) -> None:
        nonlocal status
        if bar:
            bar.clear()
        if o.error is not None:
            _error(o.name, o.error)
        for number, message in o.page_errors:
            _error(o.name, f"page {number}: {message}")
        if not o.ok:
            status = 1
        if args.out and o.error is None:
            try:
                formats.write_pages(targets[o.name], o.name, o.pages, fmt, recognizer.info)
            except OSError as e:
                _error(str(targets[o.name]), f"cannot write: {e.strerror or e}")
                status = 1
        if bar:
            bar.step()

    try:
        outcomes = batch.run(names, options, jobs=jobs, dask=args.dask, recognizer=recognizer)
        collected = []
        several = len(inputs) > 1
        for k, o in enumerate(batch.in_input_order(outcomes, names, done)):
            if args.out:
                continue
            if fmt == "text" and o.error is None:
                if bar:
                    bar.clear()
                if several:
                    print(("\n" if k else "") + f"==> {o.name} <==")
                print(formats.file_text(o))
                sys.stdout.flush()
                if bar:
                    bar.draw()
            else:
                collected.append(o)
    except HwrError as e:  # the pool or cluster itself failed
        if bar:
            bar.clear()
        _error(args.dask or "batch", str(e))
        return 1
    if bar:
        bar.clear()
    if not args.out:
        if fmt == "json":
            print(formats.json_document(recognizer.info, collected))
        elif fmt == "hocr":
            sys.stdout.write(to_hocr_outcomes(collected))
    return status


def to_hocr_outcomes(outcomes) -> str:
    from .hocr import to_hocr

    return to_hocr([(o.name, o.pages) for o in outcomes if o.error is None])


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "recognize":
            return cmd_recognize(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
