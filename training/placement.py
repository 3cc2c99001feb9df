"""Train the placement head: the glyph model's second stage, which reads where a glyph sits on its line.

    python training/placement.py --unipen-cache ~/.cache/hwr-unipen          # writes resources/model.placement.onnx
    python training/placement.py --lines 300 --composed 300 --export /tmp/m.placement.onnx   # a quick run

Lone, a c and a C, an o, an O and a 0, a p and a P are one picture: the glyph model sees each glyph scaled into
the same box. Its line tells them apart. The head takes, per glyph, the glyph model's probabilities (as the app
has them before the line's geometry) and ``hwr_desktop.context.placement`` (top and bottom in x-heights above the
baseline, width, height against the line's other glyphs) and gives the class probabilities again; the app
calls it in ``context.apply_geometry`` in place of the measured table (``resources/geometry.json``).

It is trained on real writers in context: UNIPEN category 3 (the characters the training writers wrote in their
words and lines, with their own sizes and positions) and lines composed of the training writers' isolated
characters (categories 1a-1c: lower case, Capitalized, ALL CAPS and numbers, sized as handwriting), each read
through the app's own ink path (``training.geometry.observe``). Writers of the training split only; a tenth of
them (by writer) are held out to pick the epoch and report, and the dev writers are reported too. The exported
head carries the glyph model's labels, ``context.PLACEMENT_VERSION`` and the glyph model's digest
(``recognizer.file_digest``), so it is used only with the model it was trained for.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.context import random_words  # noqa: E402
from benchmarks.unipen_lines import compose, writer_banks  # noqa: E402
from hwr_desktop import context  # noqa: E402
from hwr_desktop.ink import Stroke  # noqa: E402
from hwr_desktop.recognizer import PLACEMENT_SUFFIX, Recognizer, default_model_path, file_digest  # noqa: E402
from training import unipen  # noqa: E402
from training.geometry import observe  # noqa: E402
from training.synth import SYMBOLS  # noqa: E402

LOG_FLOOR = 1e-6  # probabilities below this are the same to the head


class Head(nn.Module):
    """(probs (N, C), placement (N, P)) -> probs (N, C): the glyph model's log-probabilities plus a correction
    an MLP reads from them and the placement (zero at the start: the head starts as the glyph model)."""

    def __init__(self, classes: int, hidden: int = 192):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(classes + context.PLACEMENT_DIM, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, classes))
        nn.init.zeros_(self.mlp[-1].weight)
        nn.init.zeros_(self.mlp[-1].bias)

    def logits(self, probs: torch.Tensor, place: torch.Tensor) -> torch.Tensor:
        logp = torch.log(torch.clamp(probs, min=LOG_FLOOR))
        return logp + self.mlp(torch.cat([logp / 5.0, place], 1))

    def forward(self, probs, place):
        return torch.softmax(self.logits(probs, place), 1)


def held_out(writer: str) -> bool:
    """A tenth of the training writers, the same on every run."""
    return zlib.crc32(writer.encode()) % 10 == 0


def observations(rec: Recognizer, args) -> dict[str, np.ndarray]:
    """Per glyph: probs, placement, label index, split (0 train, 1 held out, 2 dev), source (0 written, 1 composed)."""
    index = {c: i for i, c in enumerate(rec.labels)}
    rows: list[tuple] = []
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    written = [s for s in unipen.cached_segments(["3"], args.unipen, args.unipen_cache) if s.split in ("train", "dev")]
    lines = unipen.character_lines(written, symbols=SYMBOLS)
    pick = rng.permutation(len(lines))[: args.lines]
    for n, i in enumerate(pick, 1):
        chars = lines[i]
        split = 2 if chars[0].split == "dev" else int(held_out(chars[0].writer))
        points, owners = unipen.character_line_ink(chars)
        whose = {o: chars[k].label for k, o in enumerate(owners)}
        rows += [(p, q, index[ch], split, 0) for ch, p, q in observe([Stroke(s) for s in points], whose, rec)
                 if ch in index]
        if n % 500 == 0:
            print(f"  written lines {n}/{len(pick)}: {len(rows)} glyphs, {time.perf_counter() - t0:.0f} s", flush=True)
    alone = [s for s in unipen.cached_segments(["1a", "1b", "1c", "1d"], args.unipen, args.unipen_cache)
             if s.split in ("train", "dev")]
    banks = writer_banks(alone)
    writers = sorted(w for w, b in banks.items() if len(b) >= 40)
    split_of = {s.writer: s.split for s in alone}
    for n in range(1, args.composed + 1):
        writer = writers[rng.integers(len(writers))]
        bank = banks[writer]
        words = [w for w in random_words(rng, bank) if all(c in bank for c in w)]
        if not words:
            continue
        strokes, owners = compose(words, bank, rng)
        labels = "".join(words)
        whose = {tuple(sorted(o)): labels[k] for k, o in enumerate(owners)}
        split = 2 if split_of[writer] == "dev" else int(held_out(writer))
        rows += [(p, q, index[ch], split, 1) for ch, p, q in observe(strokes, whose, rec)]
        if n % 500 == 0:
            print(f"  composed lines {n}/{args.composed}: {len(rows)} glyphs, {time.perf_counter() - t0:.0f} s",
                  flush=True)
    return {"probs": np.stack([r[0] for r in rows]).astype(np.float32),
            "placement": np.stack([r[1] for r in rows]).astype(np.float32),
            "label": np.array([r[2] for r in rows], np.int64), "split": np.array([r[3] for r in rows], np.int8),
            "source": np.array([r[4] for r in rows], np.int8)}


def table_probs(probs: np.ndarray, place: np.ndarray, labels) -> np.ndarray:
    """What the measured table (``context.table_scores``) makes of the same glyphs, to compare."""
    p = probs * context.table_scores(place[:, 0], place[:, 1], labels)
    return p / np.maximum(p.sum(1, keepdims=True), 1e-12)


def scores(pred: np.ndarray, label: np.ndarray, labels) -> tuple[float, float]:
    """(accuracy, accuracy with look-alike case folded) in %."""
    lab = np.array(labels)
    folded = np.char.lower(lab[pred]) == np.char.lower(lab[label])
    return 100 * float((pred == label).mean()), 100 * float(folded.mean())


def confusions(pred: np.ndarray, label: np.ndarray, labels, n: int = 12) -> list[str]:
    c = Counter((labels[t], labels[p]) for t, p in zip(label, pred) if t != p)
    return [f"{t}->{p} {k}" for (t, p), k in c.most_common(n)]


def train(obs: dict[str, np.ndarray], classes: int, args) -> tuple[Head, list[dict]]:
    torch.manual_seed(args.seed)
    fit = obs["split"] == 0
    probs, place = torch.from_numpy(obs["probs"]), torch.from_numpy(obs["placement"])
    label = torch.from_numpy(obs["label"])
    counts = np.bincount(obs["label"][fit], minlength=classes).astype(np.float64)
    # classes weighed by 1/sqrt(count): category 3 is English text, the canvas holds capitals and numbers too
    weight = torch.tensor(np.where(counts > 0, 1 / np.sqrt(np.maximum(counts, 1)), 0.0), dtype=torch.float32)
    weight *= classes / weight.sum()
    head = Head(classes)
    opt = torch.optim.AdamW(head.parameters(), lr=args.lr, weight_decay=1e-4)
    idx = np.flatnonzero(fit)
    held = torch.from_numpy(np.flatnonzero(obs["split"] == 1))
    best, best_state, history = -1.0, None, []
    steps = args.epochs * (len(idx) // args.batch + 1)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, args.lr, total_steps=steps)
    for epoch in range(1, args.epochs + 1):
        head.train()
        perm = np.random.default_rng(args.seed + epoch).permutation(idx)
        total = 0.0
        for i in range(0, len(perm), args.batch):
            b = torch.from_numpy(perm[i : i + args.batch])
            # a little noise on the placement: lines are measured from a few glyphs
            q = place[b] + 0.05 * torch.randn_like(place[b])
            loss = F.cross_entropy(head.logits(probs[b], q), label[b], weight=weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(b)
        head.eval()
        with torch.no_grad():
            acc = float((head.logits(probs[held], place[held]).argmax(1) == label[held]).float().mean()) * 100
        history.append({"epoch": epoch, "loss": total / len(idx), "held_out": acc})
        print(f"  epoch {epoch}: loss {total / len(idx):.4f}, held-out writers {acc:.2f} %", flush=True)
        if acc > best:
            best, best_state = acc, {k: v.clone() for k, v in head.state_dict().items()}
    head.load_state_dict(best_state)
    return head.eval(), history


def export(head: Head, path: Path, labels, model: Path, report: dict, check: tuple[np.ndarray, np.ndarray]) -> float:
    """The head as ONNX (inputs ``probs``, ``placement``; output ``placed``) with its metadata; returns the largest
    difference from torch on ``check``."""
    import onnx
    import onnxruntime as ort

    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(head, (torch.zeros(1, len(labels)), torch.zeros(1, context.PLACEMENT_DIM)), str(path),
                      input_names=["probs", "placement"], output_names=["placed"],
                      dynamic_axes={"probs": {0: "n"}, "placement": {0: "n"}, "placed": {0: "n"}},
                      opset_version=17, dynamo=False)
    m = onnx.load(str(path))
    for k, v in {"hwr_labels": json.dumps(list(labels)), "hwr_placement": context.PLACEMENT_VERSION,
                 "hwr_glyph_model": file_digest(model), "hwr_report": json.dumps(report)}.items():
        entry = m.metadata_props.add()
        entry.key, entry.value = k, v
    m.producer_name = "hwr-training"
    onnx.save(m, str(path))
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(["placed"], {"probs": check[0], "placement": check[1]})[0]
    with torch.no_grad():
        ref = head(torch.from_numpy(check[0]), torch.from_numpy(check[1])).numpy()
    return float(np.abs(ref - got).max())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--unipen", type=Path, default=unipen.DEFAULT_SOURCE)
    ap.add_argument("--unipen-cache", type=Path, default=ROOT / "training" / "cache" / "unipen")
    ap.add_argument("--model", type=Path, default=None, help="the glyph model (default: the shipped one)")
    ap.add_argument("--lines", type=int, default=100000, help="category 3 written lines to read (default: all)")
    ap.add_argument("--composed", type=int, default=3000, help="lines to compose of isolated characters")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "placement", help="observations cache and report")
    ap.add_argument("--export", type=Path, default=None, help="default: beside the glyph model")
    args = ap.parse_args(argv)
    model = args.model or default_model_path()
    rec = Recognizer.from_path(model)
    labels = rec.labels
    args.out.mkdir(parents=True, exist_ok=True)
    cache = args.out / (f"observations_{file_digest(model)}_v{context.PLACEMENT_VERSION}_{args.lines}_{args.composed}_"
                         f"{args.seed}.npz")
    if cache.exists():
        obs = dict(np.load(cache))
    else:
        print(f"reading lines through the app's ink path with {model.name} ...", flush=True)
        obs = observations(rec, args)
        np.savez_compressed(cache, **obs)
    print(f"{len(obs['label'])} glyphs: {int((obs['split'] == 0).sum())} to train on, "
          f"{int((obs['split'] == 1).sum())} of held-out writers, {int((obs['split'] == 2).sum())} of dev writers")
    t0 = time.perf_counter()
    head, history = train(obs, len(labels), args)
    print(f"trained in {time.perf_counter() - t0:.0f} s")
    report: dict = {"glyphs": int(len(obs["label"])), "epochs": history, "model": model.name}
    with torch.no_grad():
        mine = head(torch.from_numpy(obs["probs"]), torch.from_numpy(obs["placement"])).numpy()
    table = table_probs(obs["probs"], obs["placement"], labels)
    for split, name in ((1, "held-out training writers"), (2, "dev writers")):
        for source, what in ((0, "written lines"), (1, "composed lines")):
            sel = (obs["split"] == split) & (obs["source"] == source)
            if not sel.any():
                continue
            row = {}
            for kind, p in (("glyph model", obs["probs"]), ("measured table", table), ("placement head", mine)):
                row[kind] = scores(p[sel].argmax(1), obs["label"][sel], labels)
            report[f"{name}, {what}"] = {"glyphs": int(sel.sum()), **row,
                                         "head's confusions": confusions(mine[sel].argmax(1), obs["label"][sel], labels)}
            print(f"{name}, {what} ({int(sel.sum())} glyphs): " + "   ".join(
                f"{kind} {a:.2f} / {f:.2f} folded" for kind, (a, f) in row.items()))
            print("  head's top confusions: " + ", ".join(report[f"{name}, {what}"]["head's confusions"]))
    (args.out / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    path = args.export or model.with_name(model.stem + PLACEMENT_SUFFIX)
    sel = np.flatnonzero(obs["split"] == 1)[:256]
    diff = export(head, path, labels, model, {k: v for k, v in report.items() if k != "epochs"},
                  (obs["probs"][sel], obs["placement"][sel]))
    print(f"wrote {path} ({path.stat().st_size / 1e3:.0f} kB; onnxruntime vs torch max diff {diff:.2e})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
