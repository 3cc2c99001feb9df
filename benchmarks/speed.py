"""Speed and memory of the recognition engine on this machine.

    python benchmarks/speed.py [--model PATH]

Prints, with the goals of the engine issue:
  - classification time per glyph, batched (goal < 0.3 ms);
  - a 30-glyph ink line, strokes to text (goal < 20 ms), and with the line recognizer beside the glyphs (joined-up
    writing, as the app and ``hwr recognize`` read; goal < 60 ms);
  - a 300 dpi A4 page (2480 x 3508) with 1,000 handwritten-style glyphs, PNG file to text, glyphs alone (goal
    < 1.5 s) and with the line recognizer (goal < 3 s);
  - peak memory of that page run through ``hwr recognize`` in a fresh process, line recognizer on (goal < 400 MB);
  - ``hwr --help`` wall time (goal < 0.3 s).
Needs nothing from ../shared: the ink line replays the shipped test strokes, the
page is drawn with OpenCV's Hershey script fonts.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hwr_desktop.ink import Stroke, load_ink  # noqa: E402
from hwr_desktop.joined import LineReader  # noqa: E402
from hwr_desktop.lexicon import Lexicon  # noqa: E402
from hwr_desktop.pipeline import GlyphCache, recognize_file, recognize_ink  # noqa: E402
from hwr_desktop.recognizer import Recognizer  # noqa: E402
from inkline import side_by_side  # noqa: E402


def timed(fn, repeat: int) -> float:
    """Median wall time of ``fn()`` in seconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def ink_line(n_words: int = 6) -> list[Stroke]:
    """'hello' (real Omniglot strokes) written n times on one line: 5 n glyphs."""
    hello = load_ink(ROOT / "tests" / "resources" / "omniglot_hello.ink.json")
    return side_by_side([hello] * n_words, gap=40, pause_ms=30_000)


def a4_page(path: Path, rng: np.random.Generator) -> int:
    """Draw 25 lines of 8 five-letter words at 300 dpi; returns the number of glyphs."""
    page = np.full((3508, 2480), 235, np.uint8)
    chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghkmnopqrstuvwxyz"
    fonts = [cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX]
    n = 0
    for line in range(25):
        y = 200 + line * 128
        x = 120
        for _ in range(8):
            for _ in range(5):
                ch = chars[rng.integers(len(chars))]
                f = fonts[rng.integers(len(fonts))]
                cv2.putText(page, ch, (x, y + int(rng.integers(-4, 5))), f, 2.0, 30, 4, cv2.LINE_AA)
                (w, _), _ = cv2.getTextSize(ch, f, 2.0, 4)
                x += w + 12
                n += 1
            x += 60
    cv2.imwrite(str(path), page)
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--line-model", default=None)
    args = parser.parse_args()
    rec = Recognizer.from_path(args.model)
    rng = np.random.default_rng(0)

    glyphs = rng.random((1024, 1, 28, 28), dtype=np.float32)
    t = timed(lambda: rec.predict(glyphs), 5)
    print(f"classify, batched 1024:          {1000 * t / len(glyphs):7.3f} ms/glyph   (goal < 0.3)")

    line = ink_line()
    n = len(recognize_ink(line, rec).glyphs)
    t = timed(lambda: recognize_ink(line, rec), 20)
    print(f"ink line, {n} glyphs, end to end: {1000 * t:7.1f} ms          (goal < 20)")
    reader = LineReader.from_path(args.line_model)
    reader.lm  # built once at start (the app does it in the background)
    lexicon = Lexicon.from_files([])
    lexicon.prefixes
    t = timed(lambda: recognize_ink(line, rec, line_reader=reader, lexicon=lexicon), 20)
    print(f"  + line recognizer, word list:  {1000 * t:7.1f} ms          (goal < 60)")
    cache, runs = GlyphCache(), iter(range(1, 10_000))

    def last_letter_anew() -> None:  # as in the app after a pause: the line read before, its last stroke new
        moved = line[-1].points.copy()
        moved[:, 0] += 0.5 * next(runs)
        recognize_ink(line[:-1] + [Stroke(moved)], rec, line_reader=reader, lexicon=lexicon, cache=cache)
    t = timed(last_letter_anew, 20)
    print(f"    the app's way (glyph cache), the last stroke new: {1000 * t:5.1f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a4.png"
        n = a4_page(path, rng)
        pages = recognize_file(path, rec)
        found = len(pages[0].glyphs)
        t = timed(lambda: recognize_file(path, rec), 3)
        print(f"A4 300 dpi page, {n} glyphs ({found} found): {t:5.2f} s   (goal < 1.5)")
        t = timed(lambda: recognize_file(path, rec, line_reader=reader, lexicon=lexicon), 3)
        print(f"  + line recognizer, word list:  {t:7.2f} s           (goal < 3)")
        code = (
            "import resource, sys; from hwr_desktop.cli import main; rc = main(['recognize', sys.argv[1]]"
            + (f" + ['--model', {args.model!r}]" if args.model else "")
            + (f" + ['--line-model', {args.line_model!r}]" if args.line_model else "")
            + "); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"
        )
        out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT)
        peak_mb = int(out.stderr.strip().splitlines()[-1]) / 1024
        print(f"peak memory of hwr recognize:    {peak_mb:7.0f} MB          (goal < 400)")

    help_cmd = [sys.executable, "-m", "hwr_desktop.cli", "--help"]
    t = timed(lambda: subprocess.run(help_cmd, capture_output=True, check=True, cwd=ROOT), 5)
    print(f"hwr --help:                      {t:7.3f} s           (goal < 0.3)")


if __name__ == "__main__":
    main()
