"""Personalization: how much k corrected samples per class help one writer, and that they cost others nothing.

    python benchmarks/personal.py [--model resources/model.onnx] [--per-class 15] [--k 1,3,5] [--seeds 3]

A "writer" is one handwriting font that training never saw: the fonts that
``training/datasets.py`` ``plan_jobs`` keeps for validation only (font index
``k`` with ``k % (n // 4) == 0`` and ``k // (n // 4) < 4``). Each writer draws
every character ``--per-class`` times: one rendering of the font (the writer's
style, held fixed) varied by the training augmentation (``training.synth.augment``),
half of them photographed and read back (``simulate_scan``), all through
``normalize_glyph``. For each writer and k, k samples per class are "corrected"
(put into a ``PersonalModel``); accuracy is measured on that writer's other
samples, and on all samples of the other writers with the same personal model
(the "no drop on other writers" check). Case-folded figures count lookalike
capitals and small letters (c/C, o/O/0, ...) as one, since a lone glyph cannot
tell them apart; the app's line context decides those.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hwr_desktop.personal import PersonalModel, uint8_to_glyphs  # noqa: E402
from hwr_desktop.recognizer import Recognizer  # noqa: E402
from training.datasets import heldout_font_indices  # noqa: E402
from training.synth import (CLASSES, augment, load_font_manifest, normalize_or_none, render_font,  # noqa: E402
                            simulate_scan)

LOOKALIKE = set("CKMOPSUVWXYZ")
FOLD_EXTRA = {"0": "O", "1": "l", "I": "l"}


def fold(ch: str) -> str:
    ch = ch.upper() if ch.upper() in LOOKALIKE else ch
    return FOLD_EXTRA.get(ch, ch)


FOLDED = np.array([CLASSES.index(fold(c)) for c in CLASSES])


def holdout_fonts(font_dir: Path, holdout: int = 4) -> list:
    """The fonts ``plan_jobs`` uses for validation only."""
    fonts = load_font_manifest(font_dir)
    return [fonts[k] for k in heldout_font_indices(len(fonts), holdout)]


def writer_glyphs(font: Path, per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """One writer: uint8 (N, 28, 28) normalized glyphs (ink 255) and int64 (N,) indices into CLASSES."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for ci, ch in enumerate(CLASSES):
        base = render_font(font, ch, int(rng.integers(50, 80)))
        if not base.any():
            continue
        for _ in range(per_class):
            m = augment(base, rng, 1.0)
            if rng.random() < 0.5:
                m = simulate_scan(m, rng)
            g = normalize_or_none(m)
            if g is not None:
                xs.append((g * 255).round().astype(np.uint8))
                ys.append(ci)
    return np.stack(xs), np.array(ys, np.int64)


def pick(y: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of k random samples of each class present."""
    return np.concatenate([rng.permutation(np.nonzero(y == c)[0])[:k] for c in np.unique(y)])


def accuracy(probs: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    pred = probs.argmax(1)
    return float((pred == y).mean()), float((FOLDED[pred] == FOLDED[y]).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--fonts", type=Path, default=ROOT / "training" / "fonts")
    parser.add_argument("--per-class", type=int, default=15)
    parser.add_argument("--k", default="1,3,5")
    parser.add_argument("--seeds", type=int, default=3, help="random choices of the corrected samples")
    args = parser.parse_args()
    rec = Recognizer.from_path(args.model)
    ks = [int(v) for v in args.k.split(",")]
    t = time.time()
    writers = {}
    for i, spec in enumerate(holdout_fonts(args.fonts)):
        x, y = writer_glyphs(spec.path, args.per_class, 1000 + i)
        probs, feats = rec.predict(uint8_to_glyphs(x))
        writers[spec.name] = (probs, feats, y)
    n = sum(len(w[2]) for w in writers.values())
    print(f"{len(writers)} writers (held-out fonts), {n} glyphs, made and read in {time.time() - t:.0f} s; "
          f"model {rec.info.path}")
    print(f"{'writer':26s} {'k':>2s} | {'own base':>9s} {'own pers':>9s} {'gain':>6s} | "
          f"{'folded':>13s} | {'others base':>11s} {'others pers':>11s} {'change':>7s}")
    totals = {k: [] for k in ks}
    for name, (probs, feats, y) in writers.items():
        for k in ks:
            rows = []
            for seed in range(args.seeds):
                sel = pick(y, k, np.random.default_rng(seed))
                rest = np.setdiff1d(np.arange(len(y)), sel)
                model = PersonalModel(rec.labels)
                model.set_samples(feats[sel], [CLASSES[c] for c in y[sel]])
                base, base_f = accuracy(probs[rest], y[rest])
                pers, pers_f = accuracy(model.blend(probs[rest], feats[rest]), y[rest])
                ob, op = [], []
                for other, (p2, f2, y2) in writers.items():
                    if other != name:
                        ob.append(accuracy(p2, y2)[0])
                        op.append(accuracy(model.blend(p2, f2), y2)[0])
                rows.append((base, pers, base_f, pers_f, np.mean(ob), np.mean(op)))
            r = np.mean(rows, 0)
            totals[k].append(r)
            print(f"{name:26s} {k:2d} | {r[0]:9.3f} {r[1]:9.3f} {100 * (r[1] - r[0]):+6.1f} | "
                  f"{r[2]:.3f}->{r[3]:.3f} | {r[4]:11.3f} {r[5]:11.3f} {100 * (r[5] - r[4]):+7.1f}")
    print("mean over writers (points):")
    for k in ks:
        r = np.mean(totals[k], 0)
        print(f"  k={k}: own {r[0]:.3f} -> {r[1]:.3f} ({100 * (r[1] - r[0]):+.1f}), folded {r[2]:.3f} -> {r[3]:.3f} "
              f"({100 * (r[3] - r[2]):+.1f}); other writers {r[4]:.3f} -> {r[5]:.3f} ({100 * (r[5] - r[4]):+.1f})")


if __name__ == "__main__":
    main()
