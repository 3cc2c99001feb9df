"""UNIPEN validation writers' isolated characters, through the canvas path and as ink on paper.

    python benchmarks/unipen_chars.py [--unipen ../shared/data/unipen/train_r01_v07_dev.tar.xz]
                                      [--cache ~/.cache/hwr-benchmarks] [--per-category 3000] [--seed 0]

Categories 1a (digits), 1b (capitals) and 1c (lower case) of the validation writers only
(``training/unipen.py split_of``: whole writers, never trained on, not used to pick an epoch either).
Each character is read alone:

  ink    its pen trajectories through ``pipeline.recognize_ink`` (what the canvas and ``*.ink.json`` do)
  paper  the same trajectories drawn with a pen on grey, unevenly lit paper (pen width, blur, noise),
         through ``pipeline.recognize_glyph_image`` (the app's binarizer and image path)

in field mode auto and in the category's own mode (digits, upper, lower). "folded" counts a look-alike
of the other case (c/C, o/O, s/S ... and 0/o/O, 1/l/I) as right: alone, a glyph cannot tell them apart.
Category 1d (symbols): the characters whose label the model has (``training/synth.py SYMBOLS``), read alone
in auto mode; "folded" also counts a comma read as an apostrophe and back (alone they are one stroke).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "training"))

import unipen  # noqa: E402

from hwr_desktop import pipeline  # noqa: E402
from hwr_desktop.errors import EmptyInputError  # noqa: E402
from hwr_desktop.ink import Stroke, rasterize  # noqa: E402
from hwr_desktop.personal import lookalike_groups  # noqa: E402
from hwr_desktop.recognizer import Recognizer  # noqa: E402

CATEGORIES = {"1a": ("digits", "digits"), "1b": ("capitals", "upper"), "1c": ("lower case", "lower"),
              "1d": ("symbols", "auto")}
SYMBOL_LOOKALIKES = (",'",)  # alone, a comma and an apostrophe are the same stroke: only the line tells them apart


def on_paper(seg: unipen.Segment, rng: np.random.Generator) -> np.ndarray:
    """The character written with a pen on paper and photographed: uint8 (H, W), dark ink on light grey."""
    strokes = [Stroke(p) for p in unipen.to_ink_points(seg, 100.0)]
    pts = np.vstack([s.points[:, :2] for s in strokes])
    extent = max(float(np.ptp(pts[:, 0])), float(np.ptp(pts[:, 1])), 1e-6)
    scale = rng.uniform(28, 64) / extent  # the glyph 28-64 px tall or wide, as on a phone photo or a scan
    ink = rasterize(strokes, scale=scale, width=rng.uniform(1.5, 4.0), margin=int(rng.integers(4, 12)))
    ink = cv2.GaussianBlur(ink.astype(np.float32), (0, 0), rng.uniform(0.4, 1.0))
    h, w = ink.shape
    paper = rng.uniform(170, 235) + np.linspace(-1, 1, w)[None, :] * rng.uniform(0, 20)  # light falling off
    level = rng.uniform(30, 90)
    img = paper - (255.0 - ink) / 255.0 * (paper - level) + rng.normal(0, rng.uniform(2, 7), (h, w))
    return np.clip(img, 0, 255).astype(np.uint8)


def folded(got: str, truth: str, groups: np.ndarray, index: dict[str, int]) -> bool:
    if any(got in link and truth in link for link in SYMBOL_LOOKALIKES):
        return True
    return got == truth or (got in index and truth in index and groups[index[got]] == groups[index[truth]])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--unipen", type=Path, default=unipen.DEFAULT_SOURCE)
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "hwr-benchmarks")
    ap.add_argument("--model", default=None)
    ap.add_argument("--per-category", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rec = Recognizer.from_path(args.model)
    groups = lookalike_groups(rec.labels)
    index = {c: i for i, c in enumerate(rec.labels)}
    segs = [s for s in unipen.cached_segments(["1a", "1b", "1c", "1d"], args.unipen, args.cache) if s.split == "val"]
    print(f"model {rec.info.path}; UNIPEN validation writers: {len(set(s.writer for s in segs))}")
    rng = np.random.default_rng(args.seed)
    symbols = [s for s in segs if s.category == "1d"]
    readable = sum(s.label in index for s in symbols)
    print(f"1d symbols: {len(symbols)} of {len(set(s.writer for s in symbols))} writers; "
          f"{readable} ({100 * readable / max(len(symbols), 1):.1f} %) have a label the model reads")
    for cat, (name, mode) in CATEGORIES.items():
        pool = [s for s in segs if s.category == cat and s.label in index]
        pick = [pool[i] for i in rng.permutation(len(pool))[: args.per_category]]
        t0 = time.perf_counter()
        score = Counter()
        confusions = Counter()
        per_label = Counter()
        modes = ("auto",) if mode == "auto" else ("auto", mode)
        for seg in pick:
            strokes = [Stroke(p) for p in unipen.to_ink_points(seg, 100.0)]
            paper = on_paper(seg, rng)
            for path in ("ink", "paper"):
                for m in modes:
                    try:
                        if path == "ink":
                            got = pipeline.recognize_ink(strokes, rec, mode=m, context=False).text.replace(" ", "")
                        else:
                            got = pipeline.recognize_glyph_image(paper, rec, mode=m).char
                    except EmptyInputError:
                        got = ""
                    score[path, m, "exact"] += got == seg.label
                    score[path, m, "folded"] += folded(got, seg.label, groups, index)
                    if path == "ink" and m == mode:
                        per_label[seg.label, got == seg.label] += 1
                        if got != seg.label:
                            confusions[f"{seg.label}->{got or '(nothing)'}"] += 1
        n = max(len(pick), 1)
        print(f"{cat} {name}: {len(pick)} characters of {len(set(s.writer for s in pick))} writers "
              f"({time.perf_counter() - t0:.0f} s)")
        for path in ("ink", "paper"):
            cells = "   ".join(f"{m:6s} {100 * score[path, m, 'exact'] / n:5.1f} % ({100 * score[path, m, 'folded'] / n:5.1f} % folded)"
                               for m in modes)
            print(f"  {path:5s}  {cells}")
        print("  top confusions (ink, " + mode + "): " + ", ".join(f"{k} {v}" for k, v in confusions.most_common(10)))
        if cat == "1d":
            labels = sorted({c for c, _ in per_label}, key=lambda c: -per_label[c, True] / (per_label[c, True] + per_label[c, False]))
            print("  per symbol (ink): " + ", ".join(
                f"{c} {100 * per_label[c, True] / (per_label[c, True] + per_label[c, False]):.0f} %" for c in labels))


if __name__ == "__main__":
    main()
