"""Joined-up writing: UNIPEN validation writers' words and text lines, read by the glyph pipeline alone and
with the line recognizer beside it.

    python benchmarks/cursive.py [--cache ~/.cache/hwr-benchmarks] [--words 600] [--texts 200] [--seed 0]
                                 [--split val] [--line-model PATH] [--set GLYPH_PRIOR=3.0 ...]

Category 6 (cursive and mixed-style words) and category 8 (free texts, those written on one line) of the
validation writers (``training/unipen.py split_of``: whole writers, never trained on); ``--split dev`` reads the
dev writers instead, on which ``joined``'s constants were chosen. Each sample is read

  ink    its pen trajectories through ``pipeline.recognize_ink`` (the canvas, ``*.ink.json``)
  paper  (words) the same trajectories drawn with a pen on paper and photographed, through
         ``pipeline.recognize_image`` (the app's binarizer and image path)

four ways: the glyph pipeline alone, the line recognizer's own reading (``joined.line_words``, every word the
line reading), and the two combined (``joined.combine_line``), each without and with the shipped word list.
CER = character edit distance / characters of the truth (spaces included in texts; in brackets without them:
UNIPEN's transcriptions set punctuation apart as tokens, "Owen S . Riley", where the writer may have left no
space); words = exact matches.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "training"))

import unipen  # noqa: E402

from benchmarks.context import edit_distance  # noqa: E402
from hwr_desktop import joined, pipeline  # noqa: E402
from hwr_desktop.ink import Stroke, rasterize  # noqa: E402
from hwr_desktop.joined import LineReader, line_words  # noqa: E402
from hwr_desktop.lexicon import Lexicon  # noqa: E402
from hwr_desktop.lines import ink_line_mask, normalize_line  # noqa: E402
from hwr_desktop.recognizer import Recognizer  # noqa: E402


def on_paper(strokes: list[Stroke], rng: np.random.Generator) -> np.ndarray:
    """The word written with a pen on paper and photographed: uint8 (H, W), dark ink on light grey; the body
    of its letters 14-30 px (a phone photo or a 150-300 dpi scan)."""
    pts = np.vstack([s.points[:, :2] for s in strokes])
    y10, y90 = np.percentile(pts[:, 1], (10, 90))
    scale = rng.uniform(14, 30) / max(float(y90 - y10), 1e-6)
    ink = rasterize(strokes, scale=scale, width=rng.uniform(1.5, 3.5), margin=int(rng.integers(10, 20)))
    ink = cv2.GaussianBlur(ink.astype(np.float32), (0, 0), rng.uniform(0.4, 1.0))
    h, w = ink.shape
    paper = rng.uniform(170, 235) + np.linspace(-1, 1, w)[None, :] * rng.uniform(0, 20)
    level = rng.uniform(30, 90)
    img = paper - (255.0 - ink) / 255.0 * (paper - level) + rng.normal(0, rng.uniform(2, 7), (h, w))
    return np.clip(img, 0, 255).astype(np.uint8)


def line_only(strokes: list[Stroke], reader: LineReader, lexicon: Lexicon | None) -> str:
    """The line recognizer's own reading of the whole ink (one line)."""
    mask, _, _ = ink_line_mask(strokes)
    probs = reader.recognizer.predict([normalize_line(mask)])[0]
    return " ".join(w.text for w in line_words(probs, reader, lexicon=lexicon))


class Score:
    def __init__(self) -> None:
        self.errors = self.chars = self.right = self.n = 0
        self.bare_errors = self.bare_chars = 0  # spaces not counted
        self.seconds = 0.0

    def add(self, got: str, truth: str, seconds: float) -> None:
        self.errors += edit_distance(got, truth)
        self.chars += len(truth)
        self.bare_errors += edit_distance(got.replace(" ", ""), truth.replace(" ", ""))
        self.bare_chars += len(truth.replace(" ", ""))
        self.right += got == truth
        self.n += 1
        self.seconds += seconds

    def line(self, name: str) -> str:
        return (f"  {name:22s} CER {100 * self.errors / max(self.chars, 1):6.2f} % "
                f"({100 * self.bare_errors / max(self.bare_chars, 1):6.2f} % spaces not counted)   words right "
                f"{100 * self.right / max(self.n, 1):6.2f} %   {1000 * self.seconds / max(self.n, 1):6.1f} ms each")


def run(samples, read, label: str) -> Score:
    score = Score()
    for truth, item in samples:
        t = time.perf_counter()
        got = read(item)
        score.add(" ".join(got.split()), truth, time.perf_counter() - t)
    print(score.line(label), flush=True)
    return score


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--unipen", type=Path, default=unipen.DEFAULT_SOURCE)
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "hwr-benchmarks")
    ap.add_argument("--model", default=None)
    ap.add_argument("--line-model", default=None)
    ap.add_argument("--words", type=int, default=600)
    ap.add_argument("--texts", type=int, default=200)
    ap.add_argument("--split", choices=("val", "dev"), default="val")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-paper", action="store_true")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="a joined.py constant")
    args = ap.parse_args()
    for item in args.set:
        name, value = item.split("=")
        setattr(joined, name, float(value))
    rec = Recognizer.from_path(args.model)
    reader = LineReader.from_path(args.line_model)
    lexicon = Lexicon.from_files([])
    rng = np.random.default_rng(args.seed)

    def pick(cat: str, count: int, one_line: bool) -> list:
        segs = [s for s in unipen.cached_segments([cat], args.unipen, args.cache) if s.split == args.split
                and s.label.strip() and (not one_line or unipen.written_lines(list(s.strokes)) == 1)]
        idx = rng.permutation(len(segs))[:count]
        return [(" ".join(segs[i].label.split()), [Stroke(p) for p in unipen.to_ink_points(segs[i])]) for i in sorted(idx)]

    words = pick("6", args.words, False)
    texts = pick("8", args.texts, True) if args.texts else []
    print(f"line model {reader.recognizer.info.path}; {args.split} writers: {len(words)} category-6 words, "
          f"{len(texts)} one-line category-8 texts")
    reader.lm  # built once, outside the timings
    lexicon.prefixes
    for title, samples in (("words (6), ink", words), ("texts (8), ink", texts)):
        if not samples:
            continue
        print(title)
        for lex_name, lex in (("", None), (" + word list", lexicon)):
            run(samples, lambda st: pipeline.recognize_ink(st, rec, lexicon=lex).text, "glyphs" + lex_name)
            run(samples, lambda st: line_only(st, reader, lex), "line alone" + lex_name)
            run(samples, lambda st: pipeline.recognize_ink(st, rec, lexicon=lex, line_reader=reader).text,
                "combined" + lex_name)
    if not args.no_paper:
        paper = [(truth, on_paper(st, rng)) for truth, st in words]
        print("words (6), paper")
        for lex_name, lex in (("", None), (" + word list", lexicon)):
            run(paper, lambda img: pipeline.recognize_image(img, rec, lexicon=lex).text, "glyphs" + lex_name)
            run(paper, lambda img: pipeline.recognize_image(img, rec, lexicon=lex, line_reader=reader).text,
                "combined" + lex_name)


if __name__ == "__main__":
    main()
