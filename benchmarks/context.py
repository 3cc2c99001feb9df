"""How much line context helps: lines composed from real handwritten glyphs, read with and without it.

    python benchmarks/context.py [--data ../shared/data] [--lines 150] [--seed 0]

Each line holds words (lower case, Capitalized, ALL CAPS, numbers) made of
``pen62`` validation crops (real pen on paper; measuring only, never trained on),
sized and placed as handwriting is: small letters at the x-height, capitals,
digits and ascenders at the cap height, descenders below the baseline, with
uneven spacing and a wandering baseline. Every line is read through the app's
image path (``pipeline.recognize_image``) four ways:

  argmax      the glyph's own best reading (field mode auto, no rules)
  words       + word rules (numbers read as digits, words as letters)
  geometry    + line geometry (baseline, x-height: case and descenders)
  context     + case consistency within words (the app's default)
  lexicon     + the shipped English word list (the words here all come from a
              list of common words, so this row shows the best case)

and scored by character accuracy, case-sensitive (1 - edit distance / length). With ``--line-model``
(a path, or "shipped"), two more rows read each line also with the line recognizer beside the glyphs
(``joined.combine_line``), without and with the word list: printed lines should read no worse with it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import hwr_desktop.context as context  # noqa: E402
import hwr_desktop.pipeline as pipeline  # noqa: E402
from hwr_desktop.binarize import binarize  # noqa: E402
from hwr_desktop.decoding import mode_mask, restrict  # noqa: E402
from hwr_desktop.lexicon import Lexicon  # noqa: E402
from hwr_desktop.recognizer import Recognizer  # noqa: E402

WORDS = ("the of and to in is you that it he was for on are as with his they at be this have from or one had by "
         "word but not what all were we when your can said there use each which she do how their if will up other "
         "about out many then them these so some her would make like him into time has look two more write go see "
         "number way could people my than first water been call who oil its now find long down day did get come "
         "made may part over new sound take only little work know place year live me back give most very after "
         "thing our just name good sentence man think say great where help through much before line right too "
         "mean old any same tell boy follow came want show also around form three small set put end does another "
         "well large must big even such because turn here why ask went men read need land different home us move "
         "try kind hand picture again change off play spell air away animal house point page letter mother answer "
         "found study still learn should world high every near add food between own below country plant last school "
         "father keep tree never start city earth eye light thought head under story saw left few while along might "
         "close something seem next hard open example begin life always those both paper together got group often "
         "run important until children side feet car mile night walk white sea began grow took river four carry "
         "state once book hear stop without second later miss idea enough eat face watch far real almost let above "
         "girl sometimes mountain cut young talk soon list song being leave family quick zoo jump box fox quiz").split()
X_HEIGHT = 30
_CAP = 1.45
_SIZES = {c: (1.0, 0.0) for c in "acemnorsuvwxz"}
_SIZES.update({c: (1.0, -0.5) for c in "gpqy"})
_SIZES.update({"t": (1.25, 0.0), "i": (1.3, 0.0), "j": (1.3, -0.5), "f": (_CAP, 0.0)})


def glyph_bank(data: Path) -> dict[str, list[np.ndarray]]:
    """pen62 validation crops, cut to their ink, by class (dark ink on white paper, uint8)."""
    with np.load(data / "pen62" / "pen62_val.npz") as d:
        flat, off, shapes, y, classes = d["native_flat"], d["native_offsets"], d["native_shapes"], d["y"], d["classes"]
    bank: dict[str, list[np.ndarray]] = {}
    for i, label in enumerate(y):
        img = flat[off[i] : off[i + 1]].reshape(shapes[i])
        ink = binarize(img)
        ys, xs = np.nonzero(ink)
        if ys.size < 5:
            continue
        crop = img[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.float32)
        # one pen on one sheet: the crop's paper becomes white and its darkest ink the same dark grey
        paper, ink_level = float(np.percentile(img, 75)), float(img.min())
        crop = 255.0 - (paper - crop) * (255.0 - 50.0) / max(paper - ink_level, 1.0)
        bank.setdefault(str(classes[label]), []).append(np.clip(crop, 0, 255).astype(np.uint8))
    return bank


def draw_mark(page: np.ndarray, mark: str, x: int, base: int, ink: int) -> int:
    """Draw a period, a comma, a hyphen or an apostrophe as a pen makes it (a round dot on the baseline; a
    comma's tail below it; a bar at half the x-height; a tick from the cap height down) with its left edge at
    ``x``; returns its width."""
    r = max(2, int(round(0.11 * X_HEIGHT)))
    if mark == "-":
        w = int(round(0.5 * X_HEIGHT))
        y = base - int(round(0.5 * X_HEIGHT))
        cv2.line(page, (x + r, y), (x + w - r, y), ink, 2 * r - 1, cv2.LINE_AA)
        return w
    if mark == "'":
        top = base - int(round(_CAP * X_HEIGHT))
        cv2.line(page, (x + r, top + r), (x + r - 1, top + int(0.4 * X_HEIGHT)), ink, 2 * r - 1, cv2.LINE_AA)
        return 2 * r
    cv2.circle(page, (x + r, base - r), r, ink, -1, cv2.LINE_AA)
    if mark == ",":
        cv2.line(page, (x + 2 * r - 1, base - r), (x + r - 1, base + 3 * r), ink, max(2, r), cv2.LINE_AA)
    return 2 * r


def make_line(words: list[str], bank, rng: np.random.Generator, max_rise: float | None = None) -> np.ndarray:
    """Paste glyphs along a wandering baseline; returns a uint8 line image (dark ink on light paper).

    The baseline drifts by up to 3 % of the line's width, or by at most ``max_rise`` pixels over the
    whole line (long lines on a page). Every character of ``words`` is drawn: where the baseline drifts a
    glyph out of the image, the image grows. A word may end in a period or a comma, or hold a hyphen or an
    apostrophe (``documents.py --punctuation``, ``--inner``): drawn with ``draw_mark`` in the ink of the glyph
    before it."""
    width = sum(len(w) for w in words) * 50 + len(words) * 60 + 60
    page = np.full((int(X_HEIGHT * 4), width), 255, np.uint8)
    base = int(X_HEIGHT * 2.6)
    x = 20
    drift = rng.uniform(-0.03, 0.03)
    if max_rise is not None:
        drift = float(np.clip(drift, -max_rise / width, max_rise / width))
    for word in words:
        for ch in word:
            if ch in ".,-'":
                at = end + int(rng.uniform(0.08, 0.2) * X_HEIGHT)
                ink = int(page[:, max(0, end - 40) : end].min())
                x = at + draw_mark(page, ch, at, int(base + drift * at), ink) + int(0.2 * X_HEIGHT)
                continue
            crop = bank[ch][rng.integers(len(bank[ch]))]
            top, bottom = _SIZES.get(ch, (_CAP, 0.0))
            h = max(4, int(round((top - bottom) * X_HEIGHT * rng.uniform(0.92, 1.08))))
            w = max(2, int(round(crop.shape[1] * h / crop.shape[0])))
            glyph = cv2.resize(crop, (w, h), interpolation=cv2.INTER_AREA)
            y1 = int(base + drift * x - bottom * X_HEIGHT + rng.uniform(-2, 2))
            y0 = y1 - h
            if x + w >= page.shape[1]:  # wide letters: widen the line rather than drop one
                page = np.pad(page, ((0, 0), (0, x + w + 60 - page.shape[1])), constant_values=255)
            if y1 > page.shape[0]:  # a line drifting down: grow the image rather than drop a glyph
                page = np.pad(page, ((0, y1 - page.shape[0] + 10), (0, 0)), constant_values=255)
            if y0 < 0:  # ... or up
                page = np.pad(page, ((10 - y0, 0), (0, 0)), constant_values=255)
                base, y1, y0 = base + 10 - y0, y1 + 10 - y0, 10
            region = page[y0:y1, x : x + w]
            np.minimum(region, glyph, out=region)
            end = x + w
            x += w + int(rng.uniform(0.15, 0.45) * X_HEIGHT)
        x += int(rng.uniform(0.9, 1.4) * X_HEIGHT)
    return page


def compose_lines(bank, count: int, rng: np.random.Generator) -> list[tuple[str, np.ndarray]]:
    """``count`` lines of random words made of ``bank``'s glyphs: (the words joined by spaces, the line image)."""
    lines = []
    for _ in range(count):
        words = random_words(rng, bank)
        lines.append((" ".join(words), make_line(words, bank, rng)))
    return lines


def char_errors(got: str, truth: str) -> int:
    """Edit distance between a reading and the truth, spaces and line breaks left out of both."""
    return edit_distance("".join(got.split()), "".join(truth.split()))


def random_words(rng: np.random.Generator, bank) -> list[str]:
    out = []
    for _ in range(rng.integers(2, 5)):
        r = rng.random()
        if r < 0.15:
            w = "".join(str(d) for d in rng.integers(0, 10, rng.integers(2, 6)))
        else:
            w = WORDS[rng.integers(len(WORDS))]
            if r < 0.35:
                w = w.capitalize()
            elif r < 0.5:
                w = w.upper()
        if all(c in bank for c in w):
            out.append(w)
    return out or ["hello"]


LOOKALIKE_DIGITS = {frozenset(p) for p in ("0o", "0O", "1l", "1I", "5s", "5S", "2z", "2Z", "9g", "9q", "6b", "8B", "4A")}


def context_errors(got: str, truth: str) -> int:
    """Errors context can fix: case (c for C) and digit/letter lookalikes (0 for o), counted where the
    line was cut into the right number of glyphs (so characters pair up)."""
    if len(got) != len(truth):
        return 0
    return sum(a != b and (a.lower() == b.lower() or frozenset((a, b)) in LOOKALIKE_DIGITS) for a, b in zip(got, truth))


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


VARIANTS = {  # (context decoding, word rules, geometry, case per word, lexicon)
    "argmax": (False, False, False, False, False),
    "words": (True, True, False, False, False),
    "geometry": (True, True, True, False, False),
    "context": (True, True, True, True, False),
    "lexicon": (True, True, True, True, True),
}
_decode_word, _geometry, _word_case = context.decode_word, context.apply_geometry, context.word_case


def configure(words: bool, geometry: bool, case: bool) -> None:
    """Switch stages of ``context.decode_line`` on or off (the module attributes it calls)."""
    context.decode_word = _decode_word if words else (lambda p, labels, mode: restrict(p, mode_mask(labels, mode)))
    context.apply_geometry = _geometry if geometry else (lambda probs, *_, **__: probs)
    context.word_case = _word_case if case else (lambda probs, labels, doubt=0.25: probs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--model", default=None)
    parser.add_argument("--lines", type=int, default=150)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--line-model", default=None, help='a line model, or "shipped"')
    args = parser.parse_args()
    rec = Recognizer.from_path(args.model)
    bank = glyph_bank(args.data)
    rng = np.random.default_rng(args.seed)
    lines = compose_lines(bank, args.lines, rng)
    total = sum(len(t.replace(" ", "")) for t, _ in lines)
    print(f"{len(lines)} lines, {total} characters from pen62 validation crops; model {rec.info.path}")
    base_errors = base_ctx = None
    lexicon = Lexicon.from_files([])
    for name, (in_context, words, geometry, case, use_lexicon) in VARIANTS.items():
        configure(words, geometry, case)
        lex = lexicon if use_lexicon else None
        errors = ctx = 0
        for truth, img in lines:
            got = pipeline.recognize_image(img, rec, lexicon=lex, context=in_context).text
            errors += char_errors(got, truth)
            ctx += context_errors("".join(got.split()), truth.replace(" ", ""))
        base_errors, base_ctx = (errors, ctx) if base_errors is None else (base_errors, base_ctx)
        print(f"  {name:9s} character accuracy {100 * (1 - errors / total):6.2f} %   errors {errors:5d}"
              f" ({100 * (1 - errors / base_errors):3.0f} % fewer)   case and digit/letter errors {ctx:4d}"
              f" ({100 * (1 - ctx / max(base_ctx, 1)):3.0f} % fewer)")
    configure(True, True, True)
    if args.line_model:
        from hwr_desktop.joined import LineReader

        reader = LineReader.from_path(None if args.line_model == "shipped" else args.line_model)
        for name, lex in (("+ line", None), ("+ line, lexicon", lexicon)):
            errors = ctx = 0
            for truth, img in lines:
                got = pipeline.recognize_image(img, rec, lexicon=lex, line_reader=reader).text
                errors += char_errors(got, truth)
                ctx += context_errors("".join(got.split()), truth.replace(" ", ""))
            print(f"  {name:9s} character accuracy {100 * (1 - errors / total):6.2f} %   errors {errors:5d}"
                  f" ({100 * (1 - errors / base_errors):3.0f} % fewer)   case and digit/letter errors {ctx:4d}")
    cv2.imwrite("/tmp/hwr_context_line.png", lines[0][1])


if __name__ == "__main__":
    main()
