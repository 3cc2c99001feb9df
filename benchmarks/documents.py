"""Scanned pages of real handwritten glyphs, read by hwr and by Tesseract: CER, WER, seconds per page.

    python benchmarks/documents.py [--data ../shared/data] [--pages 8] [--seed 0] [--keep DIR] [--clean]

Each page is an A4 sheet at 300 dpi (2480 x 3508) holding paragraphs of lines of words
(lower case, Capitalized, ALL CAPS, numbers) composed from ``pen62`` *validation* crops (real pen
on paper; measuring only, never trained on) by ``benchmarks/context.py``: case-consistent sizes,
uneven letter and word spacing, a wandering baseline. Pages are then degraded as scans and phone
photos are: skew up to 8 degrees, ruled notebook lines on half of them, yellowed paper, uneven
lighting, blur, sensor noise and JPEG compression (``--clean``: sheets composed the same way, not degraded at all:
level on white paper). Both programs read the same PNG file:

  hwr        ``pipeline.recognize_file`` (mode auto, the shipped word list and the line recognizer: what
             ``hwr recognize`` does), the models and word list loaded once beforehand (``--no-line-model``: the
             glyph reading alone, as ``hwr recognize --no-line-model``)
  tesseract  ``tesseract PAGE.png stdout`` (Debian's tesseract-ocr, its default English model and
             page segmentation), one process per page as a user would run it

CER = character edit distance / characters of the truth, WER = word edit distance / words of the
truth, both after collapsing all white space (line breaks included) to single spaces; case counts.
Seconds per page are wall-clock times on this machine, the PNG decode included for both.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from context import X_HEIGHT, edit_distance, glyph_bank, make_line, random_words  # noqa: E402

from hwr_desktop.lexicon import Lexicon  # noqa: E402
from hwr_desktop.joined import LineReader  # noqa: E402
from hwr_desktop.pipeline import recognize_file  # noqa: E402
from hwr_desktop.recognizer import Recognizer  # noqa: E402

PAGE_W, PAGE_H = 2480, 3508  # A4 at 300 dpi
MARGIN = 180
PITCH = int(3.6 * X_HEIGHT)  # baseline to baseline


def ink_columns(line: np.ndarray) -> np.ndarray:
    """The line image cut to the columns holding ink."""
    cols = np.nonzero((line < 200).any(0))[0]
    return line[:, cols.min() : cols.max() + 1] if cols.size else line[:, :1]


def punctuate(words: list[str], rng: np.random.Generator, share: float) -> list[str]:
    """``words`` with a period or a comma after each one with probability ``share`` (a period ends the line)."""
    if share <= 0:
        return words
    out = [w + ("," if rng.random() < 0.5 else ".") if rng.random() < share else w for w in words]
    return out[:-1] + [out[-1].rstrip(",") + "."] if rng.random() < share else out


def join_inner(words: list[str], rng: np.random.Generator, share: float) -> list[str]:
    """``words`` with that ``share`` of them holding a mark inside: joined to the next by a hyphen
    ("long-term"), or a possessive ("page's")."""
    if share <= 0:
        return words
    out: list[str] = []
    for w in words:
        if out and out[-1][-1:].isalpha() and rng.random() < share / 2:
            out[-1] += "-" + w
        elif rng.random() < share / 2 and w.isalpha():
            out.append(w + "'s")
        else:
            out.append(w)
    return out


def compose_page(bank, rng: np.random.Generator, punctuation: float = 0.0,
                 inner: float = 0.0) -> tuple[np.ndarray, str]:
    """A clean page (uint8 (PAGE_H, PAGE_W), dark ink on white) and its text (lines, blank line between
    paragraphs); with ``punctuation``, that share of the words ends in a period or a comma; with ``inner``,
    that share holds a hyphen or an apostrophe (``join_inner``)."""
    page = np.full((PAGE_H, PAGE_W), 255, np.uint8)
    lines: list[str] = []
    y = MARGIN
    room = PAGE_W - 2 * MARGIN
    while y + PITCH < PAGE_H - MARGIN:
        words = random_words(rng, bank) + random_words(rng, bank) + random_words(rng, bank)
        words = punctuate(join_inner(words, rng, inner) if inner > 0 else words, rng, punctuation)
        while words:
            img = ink_columns(make_line(words, bank, rng, max_rise=0.6 * X_HEIGHT))
            if img.shape[1] <= room:
                break
            words = words[:-1]
        if not words:
            break
        x = MARGIN + int(rng.uniform(0, 40))
        region = page[y : y + img.shape[0], x : x + img.shape[1]]
        np.minimum(region, img[: region.shape[0]], out=region)
        lines.append(" ".join(words))
        y += PITCH
        if rng.random() < 0.18:  # a blank line: new paragraph
            lines.append("")
            y += PITCH
    return page, "\n".join(lines).strip("\n")


def degrade(page: np.ndarray, rng: np.random.Generator, ruled: bool) -> np.ndarray:
    """Scan and photo damage: rules, skew, yellowed and unevenly lit paper, blur, noise; BGR uint8."""
    img = page.astype(np.float32)
    if ruled:
        for y in range(MARGIN + int(2.6 * X_HEIGHT) + 4, PAGE_H, PITCH):  # a rule under each baseline
            cv2.line(img, (0, y), (PAGE_W - 1, y), 150.0, 3)
        cv2.line(img, (MARGIN - 40, 0), (MARGIN - 40, PAGE_H - 1), 120.0, 3)  # the margin
    angle = float(rng.uniform(-8, 8))
    m = cv2.getRotationMatrix2D((PAGE_W / 2, PAGE_H / 2), angle, 1.0)
    img = cv2.warpAffine(img, m, (PAGE_W, PAGE_H), borderValue=255.0)
    yy, xx = np.mgrid[0:PAGE_H, 0:PAGE_W].astype(np.float32)
    light = 1.0 - 0.3 * rng.random() * ((xx / PAGE_W) ** 2) - 0.2 * rng.random() * (yy / PAGE_H)
    img = img * light
    img = cv2.GaussianBlur(img, (0, 0), float(rng.uniform(0.6, 1.2)))
    tint = np.array([rng.uniform(0.78, 0.92), rng.uniform(0.9, 0.97), 1.0], np.float32)  # B, G, R: yellowish
    color = img[:, :, None] * tint[None, None, :]
    color += rng.normal(0, rng.uniform(3, 8), color.shape).astype(np.float32)
    ok, jpeg = cv2.imencode(".jpg", np.clip(color, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(55, 85))])
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR)


def normalized(text: str) -> str:
    return " ".join(text.split())


def error_rates(got: str, truth: str) -> tuple[int, int, int, int]:
    """(character edits, truth characters, word edits, truth words) after white-space normalization."""
    g, t = normalized(got), normalized(truth)
    return edit_distance(g, t), len(t), edit_distance(g.split(), t.split()), len(t.split())


def run_tesseract(path: Path) -> str:
    out = subprocess.run(["tesseract", str(path), "stdout"], capture_output=True, text=True, check=True)
    return out.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--model", default=None)
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="keep the pages, truths and both readings in this folder")
    parser.add_argument("--clean", action="store_true",
                        help="clean pages: the composed sheet as it is, level, white, sharp (no scan degradation)")
    parser.add_argument("--line-model", default=None, help="the line recognizer (default: the shipped one)")
    parser.add_argument("--punctuation", type=float, default=0.0,
                        help="share of the words that end in a period or a comma, drawn as a pen's dot (default 0)")
    parser.add_argument("--inner", type=float, default=0.0,
                        help="share of the words that hold a hyphen or an apostrophe (default 0)")
    parser.add_argument("--no-line-model", action="store_true", help="read glyph by glyph only")
    args = parser.parse_args()
    if shutil.which("tesseract") is None:
        sys.exit("tesseract is not installed (apt-get install tesseract-ocr)")
    rec = Recognizer.from_path(args.model)
    lexicon = Lexicon.from_files([])
    reader = None if args.no_line_model else LineReader.from_path(args.line_model)
    if reader is not None:
        reader.lm, lexicon.prefixes  # built once, outside the timings
    bank = glyph_bank(args.data)
    rng = np.random.default_rng(args.seed)
    work = args.keep or Path(tempfile.mkdtemp(prefix="hwr_documents_"))
    work.mkdir(parents=True, exist_ok=True)
    version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    kind = "clean" if args.clean else "degraded"
    lines = "no line model" if reader is None else f"line model {reader.recognizer.info.path}"
    print(f"{args.pages} {kind} pages of pen62 validation glyphs, {PAGE_W}x{PAGE_H}; model {rec.info.path}; {lines}; {version}")
    totals = {"hwr": [0, 0, 0, 0, 0.0], "tesseract": [0, 0, 0, 0, 0.0]}
    for i in range(args.pages):
        clean, truth = compose_page(bank, rng, args.punctuation, args.inner)
        path = work / f"page{i + 1:02d}.png"
        cv2.imwrite(str(path), clean if args.clean else degrade(clean, rng, ruled=i % 2 == 0))
        (work / f"page{i + 1:02d}.truth.txt").write_text(truth + "\n")
        t0 = time.perf_counter()
        ours = "\n\n".join(p.text for p in recognize_file(path, rec, lexicon=lexicon, line_reader=reader))
        t1 = time.perf_counter()
        theirs = run_tesseract(path)
        t2 = time.perf_counter()
        for name, got, secs in (("hwr", ours, t1 - t0), ("tesseract", theirs, t2 - t1)):
            (work / f"page{i + 1:02d}.{name}.txt").write_text(got)
            ce, cn, we, wn = error_rates(got, truth)
            tot = totals[name]
            tot[0] += ce
            tot[1] += cn
            tot[2] += we
            tot[3] += wn
            tot[4] += secs
            print(f"  page {i + 1:2d} {name:9s} CER {100 * ce / cn:6.1f} %  WER {100 * we / wn:6.1f} %  {secs:5.2f} s")
    print(f"\n{'':10s}{'CER':>8s}{'WER':>8s}{'s/page':>9s}")
    for name, (ce, cn, we, wn, secs) in totals.items():
        print(f"{name:10s}{100 * ce / cn:7.1f}%{100 * we / wn:7.1f}%{secs / args.pages:9.2f}")
    print(f"pages and readings in {work}")


if __name__ == "__main__":
    main()
