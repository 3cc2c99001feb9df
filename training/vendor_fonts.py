"""Copy handwriting fonts into training/fonts/ and write their manifest.

Usage: python training/vendor_fonts.py SOURCE_DIR

SOURCE_DIR holds one folder per font with one ``*.woff``/``*.ttf``, its LICENSE
and SOURCE.txt (the layout of ``../shared/data/fonts``). The manifest records,
per font, the characters to leave out: glyphs the font lacks, and lower-case
letters drawn as small capitals (their normalized shape equals the capital's),
which would teach the model that 'a' looks like 'A'.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from training.synth import CLASSES, normalize_or_none, render_font  # noqa: E402

# Letters whose lower case differs clearly from the capital in ordinary handwriting.
DISTINCT_LOWER = "abdefghnqrt"


def audit_font(path: Path) -> list[str]:
    """Characters of CLASSES that this font should not be trained on."""
    skip = []
    norm = {}
    for ch in CLASSES:
        mask = render_font(path, ch, 64)
        g = normalize_or_none(mask) if mask.sum() > 20 else None
        if g is None:
            skip.append(ch)
        norm[ch] = g
    # A font with no glyph for a char often draws the same .notdef box for all of them.
    same_as_lower = 0
    for ch in DISTINCT_LOWER:
        lo, up = norm.get(ch), norm.get(ch.upper())
        if lo is None or up is None:
            continue
        if float(np.abs(lo - up).mean()) < 0.04:
            same_as_lower += 1
    if same_as_lower >= 3:
        skip.extend(c for c in "abcdefghijklmnopqrstuvwxyz" if c not in skip)
    return sorted(set(skip))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "fonts")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    fonts = []
    for folder in sorted(p for p in args.source.iterdir() if p.is_dir()):
        files = sorted(list(folder.glob("*.woff")) + list(folder.glob("*.ttf")))
        if not files:
            continue
        dest = args.out / folder.name
        dest.mkdir(exist_ok=True)
        for f in [files[0], folder / "LICENSE", folder / "SOURCE.txt"]:
            if f.exists():
                shutil.copy2(f, dest / f.name)
        source = (folder / "SOURCE.txt").read_text().strip() if (folder / "SOURCE.txt").exists() else ""
        skip = audit_font(dest / files[0].name)
        fonts.append({"name": folder.name, "file": f"{folder.name}/{files[0].name}", "source": source, "skip": "".join(skip)})
        print(f"{folder.name:32s} skip={''.join(skip)!r}")
    (args.out / "manifest.json").write_text(json.dumps({"fonts": fonts}, indent=1) + "\n")


if __name__ == "__main__":
    main()
