"""Fuzz the loaders for a fixed budget: mutated images, PDFs and ink files through ``pipeline.recognize_file``.

    python benchmarks/fuzz_loaders.py [--seconds 120] [--seed 0] [--keep DIR]

Seeds: small valid files (PNG, JPEG, TIFF, BMP, WebP, a 2-page PDF, an ink file) and every file of the
bad-input corpus (``tests/badcorpus.py``). Each round takes a seed, flips, cuts, inserts or duplicates a
few bytes (or, for ink, replaces a JSON value), writes it under the seed's suffix and recognizes it with
a fake recognizer (the network is not what is fuzzed). Outcomes are counted: read, InputError, crash
(any other exception; the input is kept with ``--keep``), slow (over ``--slow`` seconds: a would-be hang).
Prints the counts and the peak memory; exit status 1 when anything crashed or was slow.
Documents are capped at 20 pages (``HWR_MAX_PAGES``, unless set): a mutated 10,000-page PDF that still
holds 1,600 pages is a long job, not a hang, and would eat the budget.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

os.environ.setdefault("HWR_MAX_PAGES", "20")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import badcorpus  # noqa: E402
from conftest import FakeRecognizer  # noqa: E402
from hwr_desktop.errors import InputError  # noqa: E402
from hwr_desktop.pipeline import recognize_file  # noqa: E402


def seeds(folder: Path) -> list[tuple[str, bytes]]:
    """(suffix, bytes) of the valid seeds and the bad corpus."""
    img = badcorpus.page(60, 90)
    out = [(ext, badcorpus.encode(ext, img)) for ext in (".png", ".jpg", ".tif", ".bmp", ".webp")]
    out.append((".pdf", badcorpus.pdf(2)))
    out.append((".ink.json", json.dumps(badcorpus.ink_doc([badcorpus.good_stroke(10), badcorpus.good_stroke(40)])).encode()))
    for case in badcorpus.make_corpus(folder / "corpus"):
        suffix = ".ink.json" if case.name.endswith(".ink.json") else case.path.suffix
        if case.kind != "decompression bomb" or case.path.stat().st_size < 1 << 16:
            out.append((suffix, case.path.read_bytes()))
    return out


def mutate(data: bytes, rng: np.random.Generator) -> bytes:
    b = bytearray(data)
    for _ in range(int(rng.integers(1, 8))):
        op = rng.choice(["flip", "cut", "insert", "repeat", "int"])
        i = int(rng.integers(0, len(b) + 1))
        if op == "flip" and i < len(b):
            b[i] = int(rng.integers(0, 256))
        elif op == "cut":
            del b[i : i + int(rng.integers(1, 64))]
        elif op == "insert":
            b[i:i] = rng.integers(0, 256, int(rng.integers(1, 16)), np.uint8).tobytes()
        elif op == "repeat" and b:
            j = int(rng.integers(0, len(b)))
            b[i:i] = b[j : j + int(rng.integers(1, 256))]
        elif op == "int" and i + 4 <= len(b):  # a header field set to an extreme
            b[i : i + 4] = rng.choice([b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x7f\xff\xff\xff", b"\x00\x00\xff\xff"])
    return bytes(b)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--slow", type=float, default=10.0, help="seconds after which an input counts as a hang")
    ap.add_argument("--keep", metavar="DIR", help="copy crashing or slow inputs here")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    rec = FakeRecognizer()
    counts: Counter = Counter()
    kinds: Counter = Counter()
    crashes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pool = seeds(folder)
        end = time.monotonic() + args.seconds
        n = 0
        while time.monotonic() < end:
            suffix, data = pool[int(rng.integers(0, len(pool)))]
            path = folder / f"in{n}{suffix}"
            path.write_bytes(mutate(data, rng))
            kinds[suffix] += 1
            if args.keep:  # a hang that never returns still leaves its input behind
                Path(args.keep).mkdir(parents=True, exist_ok=True)
                shutil.copy(path, Path(args.keep) / ("current" + suffix))
            faulthandler.dump_traceback_later(args.slow * 6, exit=True)  # a true hang: stack, then exit
            start = time.monotonic()
            try:
                recognize_file(path, rec)
                outcome = "read"
            except InputError:
                outcome = "InputError"
            except Exception as e:  # noqa: BLE001 (that is what is counted)
                outcome = "crash"
                crashes.append(f"{path.name}: {type(e).__name__}: {e}")
            faulthandler.cancel_dump_traceback_later()
            if time.monotonic() - start > args.slow:
                outcome = "slow" if outcome != "crash" else outcome
            counts[outcome] += 1
            if outcome in ("crash", "slow") and args.keep:
                Path(args.keep).mkdir(parents=True, exist_ok=True)
                shutil.copy(path, Path(args.keep) / path.name)
            path.unlink()
            n += 1
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"inputs: {n} in {args.seconds:.0f} s ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")
    print(f"outcomes: read {counts['read']}, InputError {counts['InputError']}, crash {counts['crash']}, "
          f"slow (> {args.slow:g} s) {counts['slow']}")
    print(f"peak RSS: {rss:.0f} MB")
    for line in crashes[:20]:
        print("  crash:", line)
    return 1 if counts["crash"] or counts["slow"] else 0


if __name__ == "__main__":
    sys.exit(main())
