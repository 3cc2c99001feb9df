"""Soak: recognize many random inks and pages in one process and watch the memory; kill autosave writers.

    python benchmarks/soak.py [--inks 10000] [--pages 200] [--kills 100] [--seed 0]

Inks: 1 to 12 random letter-like strokes (arcs and bars with pressure and time) recognized by
``pipeline.recognize_ink`` with the shipped model and word list. Pages: 1,240 x 1,754 (A4 at 150 dpi)
with lines of random blobs and strokes, some rotated, through ``pipeline.recognize_image``.
Memory is the process's resident set (``/proc/self/statm``); growth is measured from after a
warm-up (the first 5% of each phase) to the end, since the first calls allocate caches and pools.
Kills: ``tests/ui/killtrial.py``, an autosave writer process SIGKILLed at a random point, then read back.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "ui"))

from hwr_desktop.batch import load_lexicon  # noqa: E402
from hwr_desktop.ink import Stroke  # noqa: E402
from hwr_desktop.pipeline import recognize_image, recognize_ink  # noqa: E402
from hwr_desktop.recognizer import Recognizer  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def random_ink(rng: np.random.Generator) -> list[Stroke]:
    strokes, t = [], 0.0
    for k in range(int(rng.integers(1, 13))):
        x0, y0 = 50.0 * k + rng.normal(0, 5), 100 + rng.normal(0, 5)
        n = int(rng.integers(2, 60))
        a = np.linspace(rng.uniform(0, 6.3), rng.uniform(0, 12.6), n)
        r = rng.uniform(5, 25)
        xy = np.column_stack([x0 + r * np.cos(a), y0 + r * np.sin(a) * rng.uniform(0.5, 2)])
        pts = np.column_stack([xy, rng.uniform(0.2, 1, n), t + np.arange(n) * 8.0])
        t += n * 8.0 + rng.uniform(50, 600)
        strokes.append(Stroke(pts))
    return strokes


def random_page(rng: np.random.Generator, h: int = 1754, w: int = 1240) -> np.ndarray:
    img = np.full((h, w), int(rng.integers(200, 256)), np.uint8)
    for y in range(120, h - 120, int(rng.integers(70, 140))):
        x = 100
        while x < w - 150:
            if rng.random() < 0.15:
                x += 40
                continue
            gh, gw = int(rng.integers(20, 45)), int(rng.integers(10, 35))
            pts = np.column_stack([x + rng.uniform(0, gw, 5), y + rng.uniform(-gh, 0, 5)]).astype(np.int32)
            cv2.polylines(img, [pts], False, int(rng.integers(0, 90)), int(rng.integers(2, 5)))
            x += gw + int(rng.integers(4, 14))
    if rng.random() < 0.3:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), float(rng.uniform(-6, 6)), 1.0)
        img = cv2.warpAffine(img, m, (w, h), borderValue=255)
    return img


def phase(name: str, n: int, step, report_every: int) -> dict:
    warm = max(1, n // 20)
    start_rss, t0 = None, time.perf_counter()
    peak = 0.0
    for i in range(n):
        step(i)
        if i + 1 == warm:
            start_rss = rss_mb()
        peak = max(peak, rss_mb())
        if (i + 1) % report_every == 0:
            print(f"  {name} {i + 1}/{n}: RSS {rss_mb():.0f} MB, {time.perf_counter() - t0:.0f} s", flush=True)
    end_rss = rss_mb()
    return {"n": n, "warm_rss": start_rss, "end_rss": end_rss, "growth": end_rss - start_rss, "peak": peak,
            "seconds": time.perf_counter() - t0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inks", type=int, default=10_000)
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    rec, lex = Recognizer.from_path(), load_lexicon(())
    print(f"start: RSS {rss_mb():.0f} MB (model and word list loaded)")
    failures = 0

    def ink_step(i):
        nonlocal failures
        try:
            recognize_ink(random_ink(rng), rec, lexicon=lex)
        except Exception as e:  # noqa: BLE001 (counted)
            failures += 1
            print("  ink failed:", type(e).__name__, e)

    def page_step(i):
        nonlocal failures
        try:
            recognize_image(random_page(rng), rec, lexicon=lex)
        except Exception as e:  # noqa: BLE001
            failures += 1
            print("  page failed:", type(e).__name__, e)

    inks = phase("inks", args.inks, ink_step, max(1, args.inks // 5)) if args.inks else None
    pages = phase("pages", args.pages, page_step, max(1, args.pages // 5)) if args.pages else None
    for label, r in (("inks", inks), ("pages", pages)):
        if r:
            print(f"{label}: {r['n']} in {r['seconds']:.0f} s; RSS after warm-up {r['warm_rss']:.0f} MB, "
                  f"at end {r['end_rss']:.0f} MB, growth {r['growth']:+.1f} MB, peak {r['peak']:.0f} MB")
    print(f"exceptions: {failures}")
    lost = 0
    if args.kills:
        from killtrial import kill_trial

        with tempfile.TemporaryDirectory() as tmp:
            for k in range(args.kills):
                folder = Path(tmp) / str(k)
                folder.mkdir()
                r = kill_trial(folder, rng)
                lost += not r["ok"]
        print(f"autosave kills: {args.kills}, unreadable or older than the last write: {lost}")
    return 1 if failures or lost else 0


if __name__ == "__main__":
    sys.exit(main())
