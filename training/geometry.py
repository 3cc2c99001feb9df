"""Learn where each character sits on its line from real writers' lines, for ``hwr_desktop.context``.

    python training/geometry.py --unipen-cache ~/.cache/hwr-unipen            # writes resources/geometry.json
    python training/geometry.py --lines 200 --out /tmp/geometry.json          # a quick run

Context decoding tells c from C and p from P by where a glyph's top and bottom sit against its line's
baseline and x-height. Those positions are measured here on UNIPEN category 3: the characters the training
writers wrote in words and lines (never a validation writer's), put back on their lines
(``training.unipen.character_lines``) and read through the app's own ink path (``pipeline.ink_lines``, the
shipped glyph model, the decoding up to the geometry step, ``context.line_metrics`` over the line's glyphs but
its marks), so the table holds what the app will measure, estimator's bias included. Lines with punctuation and
symbols are measured too (the marks among them are read by their place, ``context.read_marks``, not here). Per character: the median top and bottom in x-heights
above the baseline, their spreads (1.4826 x the median absolute deviation) and the number of glyphs
measured (glyphs whose strokes are exactly one character's).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hwr_desktop import context, decoding, pipeline, segmentation  # noqa: E402
from hwr_desktop.ink import Stroke  # noqa: E402
from hwr_desktop.recognizer import Recognizer  # noqa: E402
from training import unipen  # noqa: E402
from training.synth import SYMBOLS  # noqa: E402

MIN_SPREAD = 0.22  # x-heights: no character's top or bottom is trusted to be written more exactly than this
# (the hand-set profile's tolerance, context.SIGMA)
MIN_COUNT = 30  # characters measured fewer times keep the hand-set profile


def observe(ink: list[Stroke], whose: dict[tuple[int, ...], str], rec: Recognizer) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(character, probabilities, placement) of each glyph of written lines whose strokes are exactly one
    character's (``whose``: sorted stroke indices -> the character), as the app reads them before the line's
    geometry (``pipeline._assemble``): the line's glyphs but its marks, read by the glyph model with the symbol
    prior and the field's classes, decoded as far as ``context.decode_words``; the placement is
    ``context.placement`` against ``context.line_metrics`` of those glyphs."""
    out = []
    labels = rec.labels
    lines = pipeline.ink_lines(ink, rec)
    allowed = pipeline.letter_classes(lines, labels, "auto")
    for line, is_mark in zip(lines, segmentation.mark_flags(lines)):
        letters, words = pipeline.line_letters(line, is_mark)
        glyphs = [line.glyphs[j] for j in letters]
        if len(glyphs) < 2:
            continue
        own = decoding.with_symbol_prior(rec.predict(pipeline.ink_glyph_batch(ink, glyphs))[0], labels)
        p = context.decode_words(decoding.restrict(own, allowed), words, labels)
        boxes = [g.box for g in glyphs]
        metrics = context.line_metrics(boxes, p, labels)
        if metrics is None:
            continue
        where = context.placement(boxes, metrics, p, words, labels)
        for g, row, place in zip(glyphs, p, where):
            ch = whose.get(tuple(sorted(g.strokes)))
            if ch is not None:
                out.append((ch, row, place))
    return out


def measure(chars, rec: Recognizer) -> list[tuple[str, float, float]]:
    """(character, top, bottom) of each glyph of one written line that is exactly one of its characters."""
    points, owners = unipen.character_line_ink(chars)
    whose = {o: chars[i].label for i, o in enumerate(owners)}
    return [(ch, float(place[0]), float(place[1])) for ch, _, place in observe([Stroke(p) for p in points], whose, rec)]


def table(observations: list[tuple[str, float, float]]) -> dict[str, list[float]]:
    """Per character [top, bottom, top spread, bottom spread, count] (module docstring)."""
    by_char: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for ch, top, bottom in observations:
        by_char[ch].append((top, bottom))
    out = {}
    for ch, values in sorted(by_char.items()):
        if len(values) < MIN_COUNT:
            continue
        v = np.array(values)
        med = np.median(v, 0)
        spread = np.maximum(1.4826 * np.median(np.abs(v - med), 0), MIN_SPREAD)
        out[ch] = [round(float(med[0]), 3), round(float(med[1]), 3), round(float(spread[0]), 3),
                   round(float(spread[1]), 3), len(values)]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--unipen", type=Path, default=unipen.DEFAULT_SOURCE)
    ap.add_argument("--unipen-cache", type=Path, default=ROOT / "training" / "cache" / "unipen")
    ap.add_argument("--lines", type=int, default=3000, help="training writers' lines to measure (a random sample)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "resources" / "geometry.json")
    ap.add_argument("--model", default=None, help="the glyph model to read the lines with (default: the shipped one)")
    args = ap.parse_args(argv)
    rec = Recognizer.from_path(args.model)
    segments = [s for s in unipen.cached_segments(["3"], args.unipen, args.unipen_cache) if s.split == "train"]
    lines = unipen.character_lines(segments, symbols=SYMBOLS)
    pick = np.random.default_rng(args.seed).permutation(len(lines))[: args.lines]
    t0 = time.perf_counter()
    observations = []
    for n, i in enumerate(pick, 1):
        observations += measure(lines[i], rec)
        if n % 500 == 0:
            print(f"{n}/{len(pick)} lines, {len(observations)} glyphs, {time.perf_counter() - t0:.0f} s", flush=True)
    profile = table(observations)
    doc = {
        "about": "where characters sit on their line: [top, bottom, top spread, bottom spread, count], in "
                 "x-heights above the baseline, as hwr_desktop.context measures lines; from UNIPEN "
                 "train_r01_v07 category 3 (CC BY 4.0), training writers only; made by training/geometry.py",
        "lines": len(pick),
        "glyphs": len(observations),
        "model": Path(rec.info.path).name,
        "profile": profile,
    }
    rows = ",\n".join(f"  {json.dumps(c)}: {json.dumps(v)}" for c, v in profile.items())
    head = json.dumps({k: v for k, v in doc.items() if k != "profile"}, indent=1)[:-2]
    args.out.write_text(head + ',\n "profile": {\n' + rows + "\n }\n}\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(profile)} characters from {len(observations)} glyphs of {len(pick)} lines")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
