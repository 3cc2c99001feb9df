"""``hwr``: recognize handwriting in images and ink files from the command line.

Exit status: 0 when every file was read, 1 when any could not be (each named on
stderr as ``hwr: FILE: reason``; the others are still processed), 2 for usage errors.
Heavy modules are imported inside the command so that ``hwr --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from . import __version__

MODES = ("auto", "digits", "letters", "upper", "lower")  # kept in step with decoding.MODES (tested)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hwr", description="Offline handwriting recognition (digits, A-Z, a-z).")
    parser.add_argument("--version", action="version", version=f"hwr {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv for debug)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    rec = sub.add_parser("recognize", help="print the text in images (PNG, JPEG, BMP, TIFF, WebP) or *.ink.json files",
                         description="Print the text in images (PNG, JPEG, BMP, TIFF, WebP) or *.ink.json files.")
    rec.add_argument("files", nargs="+", metavar="FILE")
    rec.add_argument("--json", action="store_true", help="print one JSON document with boxes, confidences and alternatives")
    rec.add_argument("--top-k", type=_positive, default=5, metavar="K", help="alternatives per glyph in --json (default 5)")
    rec.add_argument("--mode", choices=MODES, default="auto", help="restrict the characters read (default auto)")
    rec.add_argument("--model", metavar="PATH", help="use this ONNX model instead of the shipped one")
    rec.add_argument("--pages", type=_pages, metavar="LIST",
                     help="pages of PDFs and multi-page TIFFs to read, e.g. 1-3,7 (default all)")
    return parser


def _positive(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return v


def _pages(text: str):
    from .documents import parse_pages
    from .errors import InputError

    try:
        return parse_pages(text)
    except InputError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _error(name: str, message: str) -> None:
    print(f"hwr: {name}: {message}", file=sys.stderr)


def cmd_recognize(args: argparse.Namespace) -> int:
    from .errors import HwrError
    from .pipeline import recognize_file
    from .recognizer import Recognizer
    from .results import page_json

    try:
        recognizer = Recognizer.from_path(args.model)
    except HwrError as e:
        _error("model", str(e))
        return 1
    status = 0
    docs = []
    several = len(args.files) > 1
    for k, name in enumerate(args.files):
        try:
            pages = recognize_file(name, recognizer, mode=args.mode, k=args.top_k, pages=args.pages)
        except HwrError as e:
            _error(name, str(e))
            docs.append({"file": name, "error": str(e)})
            status = 1
            continue
        except MemoryError:
            _error(name, "out of memory")
            docs.append({"file": name, "error": "out of memory"})
            status = 1
            continue
        for p in pages:
            if p.error is not None:
                _error(name, f"page {p.page}: {p.error}")
                status = 1
        if args.json:
            docs.append({"file": name, "pages": [page_json(p) for p in pages]})
        else:
            if several:
                print(("\n" if k else "") + f"==> {name} <==")
            print("\n\f".join(p.text for p in pages))
            sys.stdout.flush()
    if args.json:
        info = recognizer.info
        model = {"path": info.path, "classes": "".join(info.labels), "preprocess": info.preprocess}
        json.dump({"model": model, "files": docs}, sys.stdout, ensure_ascii=False)
        print()
    return status


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
