"""Real writers' ink lines through the canvas path: lines found, letters kept whole, characters read.

    python benchmarks/unipen_lines.py [--unipen ../shared/data/unipen/train_r01_v07_dev.tar.xz]
                                      [--cache ~/.cache/hwr-benchmarks] [--texts 600] [--lines 200] [--written 300]
                                      [--seed 0] [--line-model shipped]

Only UNIPEN validation writers (``training/unipen.py split_of``: whole writers, never trained on).

1. Texts (category 8, the writers' own pen trajectories and layout): each segment is read by
   ``pipeline.ink_lines`` (what ``hwr recognize`` and the app do with strokes) and the lines found are
   compared with the lines written. The truth comes from the pen's path, which the app does not use: a new
   written line starts where a stroke centred below the ink of the line so far begins after the pen has
   swept back across more than half of the segment's width (the t-bars and i-dots added at a line's end do not go
   down). Segments whose truth is several lines are counted apart. For one-line texts of two words or more,
   the words of the text read are counted against the words of the transcription (tokens holding a letter
   or digit: UNIPEN writes punctuation as tokens of its own, and the app reads marks on their own too).
2. Composed lines: words (lower case, Capitalized, ALL CAPS, numbers) made of one validation writer's
   isolated characters (categories 1a-1c, each character's own strokes), sized as handwriting (x-height,
   ascenders, capitals, descenders), spaced unevenly, on a wandering baseline; ``--mixed`` writes one word
   of each line at twice the size. Counted: lines found, characters whose strokes end up as one glyph of
   their own (letters whole), lines whose glyphs fall into the words written (word gaps found),
   characters missing from the text, and the character error rate of
   ``pipeline.recognize_ink`` with context and without a word list (case-sensitive, spaces left out).
3. Written lines (``--written N``): category 3's characters, cut from the words the writers wrote (the
   alphabet, words and sentences, printed or partly joined), put back together as the lines they were written
   on, with their real sizes, positions and spacing; read whole through the ink path, CER without the word
   list (spaces left out: category 3 does not mark them). ``--split dev`` reads the dev writers instead. The lines
   that hold punctuation or symbols are read apart, their marks counted: read as written, read where none was.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "training"))

import unipen  # noqa: E402
from synth import SYMBOLS  # noqa: E402

from benchmarks.context import edit_distance, random_words  # noqa: E402
from hwr_desktop import pipeline  # noqa: E402
from hwr_desktop.ink import Stroke  # noqa: E402
from hwr_desktop.recognizer import Recognizer  # noqa: E402

PX_PER_INCH = 100.0
X_HEIGHT = 18.0  # composed lines: x-height in ink pixels (a canvas line of small handwriting)
_CAP = 1.45
SIZES = {c: (1.0, 0.0) for c in "acemnorsuvwxz"}  # (top, bottom) in x-heights above the baseline
SIZES.update({c: (1.0, -0.5) for c in "gpqy"})
SIZES.update({"t": (1.25, 0.0), "i": (1.3, 0.0), "j": (1.3, -0.5), "f": (_CAP, 0.0)})


def to_strokes(points: list[np.ndarray]) -> list[Stroke]:
    return [Stroke(p) for p in points]


def bench_texts(segments, rec: Recognizer, limit: int, rng: np.random.Generator) -> None:
    pick = rng.permutation(len(segments))[:limit]
    found = Counter()
    per_contributor = defaultdict(lambda: [0, 0])
    multi = [0, 0]
    t0 = time.perf_counter()
    misses = []
    words_right = words_n = 0
    for i in pick:
        seg = segments[i]
        truth = unipen.written_lines(list(seg.strokes))
        lines = pipeline.ink_lines(to_strokes(unipen.to_ink_points(seg, PX_PER_INCH)), rec)
        ok = len(lines) == truth
        tokens = [t for t in seg.label.split() if any(c.isalnum() for c in t)]
        if truth == 1 and len(tokens) >= 2:  # words of one line: do the word gaps fall where the writer's did?
            text = pipeline.recognize_ink(to_strokes(unipen.to_ink_points(seg, PX_PER_INCH)), rec, lines=lines).text
            words_n += 1
            words_right += sum(any(c.isalnum() for c in w) for w in text.split()) == len(tokens)
        if truth == 1:
            found[len(lines)] += 1
            per_contributor[seg.contributor][0] += 1
            per_contributor[seg.contributor][1] += ok
            if not ok:
                misses.append((seg.contributor, seg.label, len(lines)))
        else:
            multi[0] += 1
            multi[1] += ok
    n1 = sum(found.values())
    print(f"texts (category 8, validation writers): {len(pick)} segments, {n1} written as one line, "
          f"{multi[0]} as several ({time.perf_counter() - t0:.0f} s)")
    print(f"  one-line texts read as one line: {100 * found[1] / max(n1, 1):.1f} %   "
          f"(lines found: {dict(sorted(found.items()))})")
    print(f"  multi-line texts read with the right number of lines: {100 * multi[1] / max(multi[0], 1):.1f} %")
    print(f"  one-line texts of 2 words or more cut into as many words as written: "
          f"{100 * words_right / max(words_n, 1):.1f} % of {words_n}")
    worst = sorted(per_contributor.items(), key=lambda kv: kv[1][1] / kv[1][0])[:6]
    print("  worst contributors: " + ", ".join(f"{c} {100 * k / n:.0f} % of {n}" for c, (n, k) in worst))
    for c, label, n in misses[:8]:
        print(f"    {c}: {label!r} -> {n} lines")


def writer_banks(segments) -> dict[str, dict[str, list]]:
    """Validation writers' isolated characters: writer -> character -> [Segment]."""
    banks: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for s in segments:
        if len(s.label) == 1 and s.label.isalnum():
            banks[s.writer][s.label].append(s)
    return banks


def compose(words: list[str], bank, rng: np.random.Generator, big_word: int | None = None):
    """(strokes, per character the indices of its strokes) of one composed line."""
    strokes: list[Stroke] = []
    owners: list[list[int]] = []
    x, t = 20.0, 0.0
    base = 80.0
    drift = rng.uniform(-0.03, 0.03)
    for wi, word in enumerate(words):
        scale_word = 2.0 if wi == big_word else 1.0
        for ch in word:
            seg = bank[ch][rng.integers(len(bank[ch]))]
            pts = np.vstack(seg.strokes)
            lo, hi = pts[:, :2].min(0), pts[:, :2].max(0)
            top, bottom = SIZES.get(ch, (_CAP, 0.0))
            h = (top - bottom) * X_HEIGHT * scale_word * rng.uniform(0.9, 1.1)
            k = h / max(hi[1] - lo[1], 1e-6)
            if (hi[0] - lo[0]) * k > 3 * h:  # a flat mark (a dash-like 1): keep its width sane
                k = 3 * h / (hi[0] - lo[0])
            y1 = base + drift * x - bottom * X_HEIGHT * scale_word + rng.uniform(-1, 1)
            mine = []
            t0 = min(float(s[0, 2]) for s in seg.strokes)
            for s in seg.strokes:
                p = np.zeros((len(s), 4))
                p[:, 0] = x + (s[:, 0] - lo[0]) * k
                p[:, 1] = y1 - (hi[1] - s[:, 1]) * k
                p[:, 2] = 1.0
                p[:, 3] = t + (s[:, 2] - t0)
                mine.append(len(strokes))
                strokes.append(Stroke(p))
            owners.append(mine)
            t = float(strokes[-1].points[-1, 3]) + rng.uniform(150, 400)
            x += (hi[0] - lo[0]) * k + rng.uniform(0.2, 0.5) * X_HEIGHT * scale_word
        x += rng.uniform(0.9, 1.5) * X_HEIGHT * scale_word
    return strokes, owners


def bench_composed(segments, rec: Recognizer, count: int, rng: np.random.Generator, mixed: bool, reader=None) -> None:
    banks = writer_banks(segments)
    writers = sorted(w for w, b in banks.items() if len(b) >= 40)
    n_lines = one = whole = chars = missing = errors = spaced = line_missing = line_errors = 0
    t0 = time.perf_counter()
    for _ in range(count):
        bank = banks[writers[rng.integers(len(writers))]]
        words = random_words(rng, bank)  # benchmarks/context.py's: "hello" when none fits
        if not all(c in bank for w in words for c in w):
            continue
        big = int(rng.integers(len(words))) if mixed else None
        strokes, owners = compose(words, bank, rng, big)
        truth = "".join(words)
        lines = pipeline.ink_lines(strokes, rec)
        result = pipeline.recognize_ink(strokes, rec, lines=lines)
        glyphs = [set(g.strokes) for line in lines for g in line.glyphs]
        whole += sum(any(set(o) == g for g in glyphs) for o in owners)
        truth_words, k = [], 0
        for word in words:
            truth_words.append(frozenset(i for o in owners[k : k + len(word)] for i in o))
            k += len(word)
        found_words = [frozenset(i for g in w.glyphs for i in g.strokes) for line in lines for w in line.words]
        spaced += sorted(found_words, key=min) == sorted(truth_words, key=min)
        got = "".join(result.text.split())
        missing += max(0, len(truth) - len(got))
        errors += edit_distance(got, truth)
        if reader is not None:
            got = "".join(pipeline.recognize_ink(strokes, rec, lines=lines, line_reader=reader).text.split())
            line_missing += max(0, len(truth) - len(got))
            line_errors += edit_distance(got, truth)
        chars += len(truth)
        n_lines += 1
        one += len(lines) == 1
    kind = "mixed sizes (one word at twice the size)" if mixed else "sizes as handwriting"
    print(f"composed lines, {kind}: {n_lines} lines, {chars} characters of {len(writers)} validation writers "
          f"({time.perf_counter() - t0:.0f} s)")
    print(f"  read as one line: {100 * one / max(n_lines, 1):.1f} %   letters whole (their strokes one glyph): "
          f"{100 * whole / max(chars, 1):.1f} %   lines cut into the words written: {100 * spaced / max(n_lines, 1):.1f} %")
    print(f"  CER with context, no word list: {100 * errors / max(chars, 1):.2f} %   characters missing from the "
          f"text: {missing}")
    if reader is not None:
        print(f"  with the line recognizer beside the glyphs: CER {100 * line_errors / max(chars, 1):.2f} %   "
              f"characters missing: {line_missing}")


def bench_written(segments, rec: Recognizer, count: int, rng: np.random.Generator, reader=None,
                  punctuation: bool = False) -> None:
    """Validation writers' own words and lines as they wrote them (category 3: printed or partly joined, every
    character labelled; real sizes, positions and spacing), through the ink path; spaces are not counted
    (category 3 does not mark them). With ``punctuation``, the lines that hold punctuation or symbols
    (``training.synth.SYMBOLS``) instead of those of letters and digits only."""
    if punctuation:
        lines = [line for line in unipen.character_lines(segments, symbols=SYMBOLS)
                 if not "".join(c.label for c in line).isalnum()]
    else:
        lines = unipen.character_lines(segments)
    pick = sorted(rng.permutation(len(lines))[:count])
    n = one = chars = errors = line_errors = missing = line_missing = 0
    marks = Counter()  # punctuation and symbols: written, read (as many of each as written, at most), read extra
    t0 = time.perf_counter()
    for i in pick:
        truth = "".join(c.label for c in lines[i])
        ink = to_strokes(unipen.character_line_ink(lines[i])[0])
        found = pipeline.ink_lines(ink, rec)
        got = "".join(pipeline.recognize_ink(ink, rec, lines=found).text.split())
        errors += edit_distance(got, truth)
        missing += max(0, len(truth) - len(got))
        written, read = Counter(c for c in truth if not c.isalnum()), Counter(c for c in got if not c.isalnum())
        marks["written"] += sum(written.values())
        marks["read"] += sum((written & read).values())
        marks["extra"] += sum((read - written).values())
        if reader is not None:
            got = "".join(pipeline.recognize_ink(ink, rec, lines=found, line_reader=reader).text.split())
            line_errors += edit_distance(got, truth)
            line_missing += max(0, len(truth) - len(got))
        one += len(found) == 1
        chars += len(truth)
        n += 1
    kind = "with punctuation and symbols" if punctuation else "of letters and digits"
    print(f"written words and lines {kind} (category 3): {n} lines, {chars} characters "
          f"({time.perf_counter() - t0:.0f} s)")
    print(f"  read as one line: {100 * one / max(n, 1):.1f} %   CER with context, no word list (spaces not "
          f"counted): {100 * errors / max(chars, 1):.2f} %   characters missing: {missing}")
    print(f"  punctuation and symbols: {marks['read']} of {marks['written']} written read as written "
          f"({100 * marks['read'] / max(marks['written'], 1):.1f} %), {marks['extra']} read where none was written")
    if reader is not None:
        print(f"  with the line recognizer beside the glyphs: CER {100 * line_errors / max(chars, 1):.2f} %   "
              f"characters missing: {line_missing}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--unipen", type=Path, default=unipen.DEFAULT_SOURCE)
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "hwr-benchmarks")
    ap.add_argument("--model", default=None)
    ap.add_argument("--texts", type=int, default=600)
    ap.add_argument("--lines", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-texts", action="store_true")
    ap.add_argument("--written", type=int, default=300, help="category 3 written lines to read (0: none)")
    ap.add_argument("--split", choices=("val", "dev"), default="val", help="writers of the written lines")
    ap.add_argument("--line-model", default=None, help='also read composed lines with a line model ("shipped" or a path)')
    args = ap.parse_args()
    reader = None
    if args.line_model:
        from hwr_desktop.joined import LineReader

        reader = LineReader.from_path(None if args.line_model == "shipped" else args.line_model)
    rec = Recognizer.from_path(args.model)
    print(f"model {rec.info.path}")
    if not args.skip_texts:
        texts = [s for s in unipen.cached_segments(["8"], args.unipen, args.cache) if s.split == "val"]
        bench_texts(texts, rec, args.texts, np.random.default_rng(args.seed))
    if args.written:
        cat3 = [s for s in unipen.cached_segments(["3"], args.unipen, args.cache) if s.split == args.split]
        for punctuation in (False, True):
            bench_written(cat3, rec, args.written, np.random.default_rng(args.seed), reader, punctuation)
    if args.lines:
        chars = [s for s in unipen.cached_segments(["1a", "1b", "1c", "1d"], args.unipen, args.cache)
                 if s.split == "val"]
        for mixed in (False, True):
            bench_composed(chars, rec, args.lines, np.random.default_rng(args.seed), mixed, reader)


if __name__ == "__main__":
    main()
