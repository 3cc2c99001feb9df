"""Personalization: how much k corrected samples per class help one writer, and that they cost others nothing.

    python benchmarks/personal.py [--model resources/model.onnx] [--data ../shared/data] [--per-class 15]
                                  [--k 1,3,5] [--seeds 3] [--lines 100]

Three measurements, each with k samples per class "corrected" (put into a
``PersonalModel``) and accuracy measured on the writer's *other* samples:

1. Fonts as writers, lone glyphs. A "writer" is one handwriting font that
   training never saw (``training.datasets.heldout_font_indices``), drawing
   every character ``--per-class`` times: one rendering of the font (the
   writer's style, held fixed) varied by the training augmentation, half of it
   photographed and read back (``simulate_scan``), all through
   ``normalize_glyph``. The same personal model is also applied to the other
   fonts and, when ``--data`` holds them, to real glyphs of many writers
   (CoMNIST capitals, MNIST and USPS test digits): the "no drop on other
   writers" check.
2. ``pen62`` as the writer, lone glyphs: real pen on paper, one consistent hand
   (validation data: used here only to measure; nothing is trained or tuned on it).
   Others: the held-out fonts and the real sets above.
3. ``pen62`` in lines, read with the app's context decoding (the way the app
   reads): lines composed like ``benchmarks/context.py`` from the glyphs left
   after the k per class are taken, read by ``pipeline.recognize_image`` with
   and without the personal model; character accuracy (1 - edit distance / length).

Case-folded figures count lookalike capitals and small letters (c/C, o/O/0, ...)
as one, since a lone glyph cannot tell them apart; the app's line context decides those.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import context as lines_bench  # noqa: E402  (benchmarks/context.py: the line composer)
from accuracy import samples as real_samples  # noqa: E402
from hwr_desktop import pipeline  # noqa: E402
from hwr_desktop.binarize import binarize  # noqa: E402
from hwr_desktop.errors import EmptyInputError  # noqa: E402
from hwr_desktop.normalize import normalize_glyph  # noqa: E402
from hwr_desktop.personal import PersonalModel, glyph_to_uint8, uint8_to_glyphs  # noqa: E402
from hwr_desktop.recognizer import Recognizer  # noqa: E402
from training.datasets import heldout_font_indices  # noqa: E402
from training.synth import CLASSES, load_font_manifest, render_font, writer_glyphs  # noqa: E402

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


def font_writer(font: Path, per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """One writer: uint8 (N, 28, 28) normalized glyphs (ink 255) and int64 (N,) indices into CLASSES."""
    return writer_glyphs(lambda ch, rng: render_font(font, ch, int(rng.integers(50, 80))), per_class,
                         np.random.default_rng(seed))


def pick(y: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of k random samples of each class present."""
    return np.concatenate([rng.permutation(np.nonzero(y == c)[0])[:k] for c in np.unique(y)])


def accuracy(probs: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    pred = probs.argmax(1)
    return float((pred == y).mean()), float((FOLDED[pred] == FOLDED[y]).mean())


REAL_OTHERS = (("comnist", None), ("mnist", 2000), ("usps", 1000))  # real glyphs of many writers


def read_glyph(img: np.ndarray) -> np.ndarray | None:
    """A dark-on-light glyph image through the app's one-glyph path -> uint8 (28, 28), or None without ink."""
    try:
        return glyph_to_uint8(normalize_glyph(pipeline.single_glyph_mask(binarize(img))))
    except EmptyInputError:
        return None


def real_set(name: str, data: Path, limit: int | None) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for i, (img, label) in enumerate(real_samples(name, data)):
        if limit is not None and i >= limit:
            break
        g = read_glyph(img)
        if g is not None:
            xs.append(g)
            ys.append(CLASSES.index(label))
    return np.stack(xs), np.array(ys, np.int64)


Set = tuple[np.ndarray, np.ndarray, np.ndarray]  # probs, features, labels


def personal_model(rec: Recognizer, feats: np.ndarray, y: np.ndarray) -> PersonalModel:
    model = PersonalModel.for_recognizer(rec)
    model.set_samples(feats, [CLASSES[c] for c in y])
    return model


def lone_glyphs(rec: Recognizer, writers: dict[str, Set], others: dict[str, Set], ks: list[int], seeds: int,
                title: str) -> None:
    """Table of own gain and others' change for each writer in ``writers`` (others: the rest of both dicts)."""
    print(f"\n{title}")
    print(f"{'writer':26s} {'k':>2s} | {'own base':>9s} {'own pers':>9s} {'gain':>6s} | "
          f"{'folded':>13s} | {'others base':>11s} {'others pers':>11s} {'change':>7s} {'worst':>6s}")
    totals = {k: [] for k in ks}
    for name, (probs, feats, y) in writers.items():
        for k in ks:
            rows = []
            for seed in range(seeds):
                sel = pick(y, k, np.random.default_rng(seed))
                rest = np.setdiff1d(np.arange(len(y)), sel)
                model = personal_model(rec, feats[sel], y[sel])
                base, base_f = accuracy(probs[rest], y[rest])
                pers, pers_f = accuracy(model.blend(probs[rest], feats[rest]), y[rest])
                ob, op = [], []
                for other, (p2, f2, y2) in {**writers, **others}.items():
                    if other != name:
                        ob.append(accuracy(p2, y2)[0])
                        op.append(accuracy(model.blend(p2, f2), y2)[0])
                change = np.array(op) - np.array(ob)
                rows.append((base, pers, base_f, pers_f, np.mean(ob), np.mean(op), change.min()))
            r = np.mean(rows, 0)
            totals[k].append(r)
            print(f"{name:26s} {k:2d} | {r[0]:9.3f} {r[1]:9.3f} {100 * (r[1] - r[0]):+6.1f} | "
                  f"{r[2]:.3f}->{r[3]:.3f} | {r[4]:11.3f} {r[5]:11.3f} {100 * (r[5] - r[4]):+7.1f} {100 * r[6]:+6.1f}")
    if len(writers) > 1:
        print("mean over writers (points):")
        for k in ks:
            r = np.mean(totals[k], 0)
            print(f"  k={k}: own {r[0]:.3f} -> {r[1]:.3f} ({100 * (r[1] - r[0]):+.1f}), folded {r[2]:.3f} -> "
                  f"{r[3]:.3f} ({100 * (r[3] - r[2]):+.1f}); other writers {r[4]:.3f} -> {r[5]:.3f} "
                  f"({100 * (r[5] - r[4]):+.1f}); worst other set {100 * r[6]:+.1f}")


def in_lines(rec: Recognizer, data: Path, ks: list[int], seeds: int, n_lines: int) -> None:
    """pen62 lines read with context, with and without a personal model of k of the writer's glyphs per class."""
    bank = lines_bench.glyph_bank(data)
    print(f"\npen62 in lines, read with context ({n_lines} lines per seed; character accuracy, case-sensitive)")
    for k in ks:
        base_acc, pers_acc = [], []
        for seed in range(seeds):
            rng = np.random.default_rng(seed)
            adapt, test = {}, {}
            for ch, crops in bank.items():
                order = rng.permutation(len(crops))
                adapt[ch] = [crops[i] for i in order[:k]]
                test[ch] = [crops[i] for i in order[k:]]
            xs, ys = [], []
            for ch, crops in adapt.items():
                for crop in crops:
                    g = read_glyph(crop)
                    if g is not None:
                        xs.append(g)
                        ys.append(ch)
            model = PersonalModel.from_samples(np.stack(xs), ys, rec)
            made = lines_bench.compose_lines(test, n_lines, np.random.default_rng(100 + seed))
            total = sum(len(t.replace(" ", "")) for t, _ in made)
            for personal, out in ((None, base_acc), (model, pers_acc)):
                errors = sum(lines_bench.char_errors(pipeline.recognize_image(img, rec, personal=personal).text, truth)
                             for truth, img in made)
                out.append(1 - errors / total)
        b, q = np.mean(base_acc), np.mean(pers_acc)
        print(f"  k={k}: {100 * b:.2f} % -> {100 * q:.2f} % ({100 * (q - b):+.2f} points; "
              f"per seed {', '.join(f'{100 * (y - x):+.2f}' for x, y in zip(base_acc, pers_acc))})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--fonts", type=Path, default=ROOT / "training" / "fonts")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--per-class", type=int, default=15)
    parser.add_argument("--k", default="1,3,5")
    parser.add_argument("--seeds", type=int, default=3, help="random choices of the corrected samples")
    parser.add_argument("--lines", type=int, default=100, help="lines per seed in the pen62 line test (0: skip)")
    args = parser.parse_args()
    rec = Recognizer.from_path(args.model)
    ks = [int(v) for v in args.k.split(",")]
    t = time.time()

    def read(x: np.ndarray, y: np.ndarray) -> Set:
        probs, feats = rec.predict(uint8_to_glyphs(x))
        return probs, feats, y

    fonts = {spec.name: read(*font_writer(spec.path, args.per_class, 1000 + i))
             for i, spec in enumerate(holdout_fonts(args.fonts))}
    real = {}
    if (args.data / "pen62").is_dir():
        real = {name: read(*real_set(name, args.data, limit)) for name, limit in REAL_OTHERS}
        pen62 = {"pen62": read(*real_set("pen62", args.data, None))}
    n = sum(len(s[2]) for s in (*fonts.values(), *real.values()))
    print(f"{len(fonts)} font writers, {len(real)} real sets, {n} glyphs, made and read in {time.time() - t:.0f} s; "
          f"model {rec.info.path}")
    lone_glyphs(rec, fonts, real, ks, args.seeds, "1. held-out fonts as writers, lone glyphs (accuracy, case-sensitive)")
    if not real:
        print(f"(no {args.data}: the pen62 measurements are skipped)")
        return
    lone_glyphs(rec, pen62, {**fonts, **real}, ks, args.seeds, "2. pen62 as the writer, lone glyphs")
    if args.lines:
        in_lines(rec, args.data, ks, min(args.seeds, 2), args.lines)


if __name__ == "__main__":
    main()
