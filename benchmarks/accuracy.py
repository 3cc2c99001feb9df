"""Accuracy of hwr on real handwriting, through the app's own image and ink paths.

    python benchmarks/accuracy.py [--data ../shared/data] [--model resources/model.onnx] [--sets mnist,usps,...]
                                  [--page-path]

Each sample is handed over as an image (dark ink on light paper, the native
crop where the set has one) to ``pipeline.recognize_glyph_image``: the
binarizer, speck removal and normalization run exactly as in the app. Omniglot
drawers 9 and 10 (not trained on) go through ``pipeline.recognize_ink`` from
their recorded strokes. With ``--page-path`` each image goes to
``pipeline.recognize_image`` instead (what ``hwr recognize`` does with a file):
the page path must find the glyph itself, so edge shadows, cut-off bits of
neighbours and loose dots cost accuracy there. Prints accuracy, the case-folded accuracy for letters
whose capital and small forms look alike, and the top confusions.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hwr_desktop.errors import EmptyInputError  # noqa: E402
from hwr_desktop.ink import Stroke  # noqa: E402
from hwr_desktop.pipeline import recognize_glyph_image, recognize_image, recognize_ink  # noqa: E402
from hwr_desktop.recognizer import Recognizer  # noqa: E402

# Letters whose capital and small forms differ mainly in size: case cannot be read from the glyph alone.
LOOKALIKE = set("CKMOPSUVWXYZ")
OMNIGLOT_EVAL_DRAWERS = (9, 10)
DIGIT_SETS = {
    "mnist": "mnist/mnist_test.npz",
    "usps": "usps/usps_test.npz",
    "optdigits": "optdigits_orig/optdigits_orig_windep.npz",
}


def fold(ch: str) -> str:
    return ch.upper() if ch.upper() in LOOKALIKE else ch


def paper(img_white_on_black: np.ndarray, margin: int = 4) -> np.ndarray:
    """A white-on-black dataset image as dark ink on light paper with a small margin (a scan crop)."""
    return np.pad(255 - img_white_on_black, margin, constant_values=255)


def load(path: Path) -> dict:
    with np.load(path) as d:
        return {k: d[k] for k in d.files}


def samples(name: str, data: Path):
    """Yield (image, label) for a set: images as dark ink on light paper."""
    if name in DIGIT_SETS:
        d = load(data / DIGIT_SETS[name])
        for x, y in zip(d["x"], d["y"]):
            yield paper(x), str(d["classes"][y])
    elif name == "comnist":
        d = load(data / "comnist_latin_early" / "comnist_latin_early_all.npz")
        for x, y, dup in zip(d["x_native"], d["y"], d["is_duplicate"]):
            if not dup:
                yield paper(x, 0), str(d["classes"][y])
    elif name == "pen62":
        d = load(data / "pen62" / "pen62_val.npz")
        flat, off, shapes = d["native_flat"], d["native_offsets"], d["native_shapes"]
        for i, y in enumerate(d["y"]):
            yield flat[off[i] : off[i + 1]].reshape(shapes[i]), str(d["classes"][y])
    else:
        raise SystemExit(f"unknown set {name}")


def omniglot_inks(data: Path):
    d = load(data / "omniglot_latin" / "omniglot_latin_dev.npz")
    strokes = json.loads((data / "omniglot_latin" / "omniglot_latin_dev_strokes.json").read_text())
    for i, (y, who) in enumerate(zip(d["y"], d["drawer"])):
        if who in OMNIGLOT_EVAL_DRAWERS:
            yield [Stroke(np.array([[x, yy, 1.0, t] for x, yy, t in s], float)) for s in strokes[i]], str(d["classes"][y])


def score(pairs: list[tuple[str, str]]) -> dict:
    n = len(pairs)
    exact = sum(t == p for t, p in pairs)
    folded = sum(fold(t) == fold(p) for t, p in pairs)
    conf = Counter((t, p) for t, p in pairs if t != p)
    return {"n": n, "accuracy": exact / n, "folded": folded / n, "confusions": conf.most_common(12)}


def run_set(name: str, data: Path, rec: Recognizer, mode: str, page_path: bool = False) -> dict:
    pairs = []
    t = time.perf_counter()
    if name == "omniglot":
        for strokes, label in omniglot_inks(data):
            page = recognize_ink(strokes, rec, mode=mode)
            pairs.append((label, page.text.replace(" ", "").replace("\n", "") or "?"))
    else:
        for img, label in samples(name, data):
            if page_path:
                page = recognize_image(img, rec, mode=mode)
                pairs.append((label, page.text.replace(" ", "").replace("\n", "") or "?"))
                continue
            try:
                pairs.append((label, recognize_glyph_image(img, rec, mode=mode).char))
            except EmptyInputError:
                pairs.append((label, "?"))
    res = score(pairs)
    res["seconds"] = time.perf_counter() - t
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--model", default=None)
    parser.add_argument("--sets", default="mnist,usps,optdigits,comnist,pen62,omniglot")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--page-path", action="store_true", help="read each image as a page (recognize_image)")
    args = parser.parse_args()
    rec = Recognizer.from_path(args.model)
    # digits sets are read as digit fields, capitals as capitals: the modes a form would use.
    modes = {"mnist": "digits", "usps": "digits", "optdigits": "digits", "comnist": "upper", "pen62": "auto",
             "omniglot": "lower"}
    results = {}
    print(f"model {rec.info.path}")
    for name in args.sets.split(","):
        r = run_set(name, args.data, rec, modes[name], args.page_path)
        results[name] = r
        line = f"{name:10s} n={r['n']:6d}  accuracy {100 * r['accuracy']:6.2f} %"
        if name in ("pen62", "comnist", "omniglot"):
            line += f"  case-folded ({''.join(sorted(LOOKALIKE))}) {100 * r['folded']:6.2f} %"
        line += f"  mode={modes[name]}  {r['seconds']:.1f}s"
        print(line)
        print("           top confusions (truth->read): " + ", ".join(f"{t}->{p} {c}" for (t, p), c in r["confusions"]))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
