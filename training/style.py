"""Train the style head: an embedding that keeps what makes one writer's glyphs theirs, for personalization.

    python training/style.py --checkpoint runs/main/best.pt          # writes resources/model.onnx (about 2 min)
    python training/style.py --checkpoint runs/main/best.pt --quick --export /tmp/m.onnx

The classifier's penultimate features are trained to ignore the writer, so one
user's glyphs are no closer to each other there than to anyone else's: a few
corrected samples can hardly tell the user's glyph from another writer's. The
style head is a small MLP on the frozen network's convolutional output
(``Net.trunk``), trained with a supervised contrastive loss whose classes are
(writer, character) pairs: the same character of the same writer (a training
font or Hershey face, varied by the training augmentation and the scan
simulator) is pulled together, the same character of other writers and the
writer's look-alike characters (c/C, 0/o/O, ...) pushed apart. Each batch
holds a few characters with a look-alike partner, each from several writers.

The classifier is untouched: the exported model gives the same ``probs`` and
``features`` as the checkpoint alone, plus ``style`` (N, 128), L2-normalized,
which ``hwr_desktop.personal.PersonalModel`` compares. The fonts that
``benchmarks/personal.py`` uses as writers (``heldout_font_indices``) are not
used here.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hwr_desktop.normalize import SIZE  # noqa: E402
from training.datasets import WriterBatches, writer_set  # noqa: E402
from training.synth import CLASSES  # noqa: E402
from training.train import Net, export_onnx  # noqa: E402

log = logging.getLogger("style")

STYLE_DIM = 128
TEMPERATURE = 0.1


class StyleHead(nn.Module):
    """``Net.trunk``'s two outputs -> (N, STYLE_DIM) unit vectors.

    It reads the body's output and, pooled to 3x3, the 7x7 middle block: the
    finer shape there (proportions, how a stroke ends) is much of what tells
    one writer's c from their C.
    """

    def __init__(self, hidden: int = 256, d_out: int = STYLE_DIM):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(2 * 128 * 9, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, d_out))

    @staticmethod
    def inputs(h: torch.Tensor, mid: torch.Tensor) -> torch.Tensor:
        return torch.cat([h, F.avg_pool2d(mid, 3, stride=2).flatten(1)], 1)

    def forward(self, h, mid):
        return self.embed(self.inputs(h, mid))

    def embed(self, inputs: torch.Tensor) -> torch.Tensor:
        """The head on ``inputs(h, mid)`` (precomputed once for training)."""
        return F.normalize(self.mlp(inputs), dim=1)


def trunk_features(net: Net, x: np.ndarray, batch: int = 2048) -> torch.Tensor:
    """uint8 (N, 28, 28) glyphs -> the style head's inputs from the frozen network, (N, 2304)."""
    out = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out.append(StyleHead.inputs(*net.trunk(torch.from_numpy(x[i : i + batch, None]).float().div(255.0))))
    return torch.cat(out)


def supcon_loss(emb: torch.Tensor, groups: torch.Tensor, temperature: float = TEMPERATURE) -> torch.Tensor:
    """Supervised contrastive loss (Khosla et al. 2020) of unit embeddings whose positives share a group id."""
    n = len(groups)
    eye = torch.eye(n, dtype=torch.bool)
    pos = (groups[:, None] == groups[None]) & ~eye
    sim = (emb @ emb.T / temperature).masked_fill(eye, -1e9)
    logp = sim - torch.logsumexp(sim, 1, keepdim=True)
    per = -(logp * pos).sum(1) / pos.sum(1).clamp(min=1)
    return per[pos.any(1)].mean()


def train_head(h: torch.Tensor, y: np.ndarray, w: np.ndarray, steps: int, seed: int, lr: float = 2e-3) -> StyleHead:
    torch.manual_seed(seed)
    head = StyleHead()
    opt = torch.optim.AdamW(head.parameters(), lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=steps)
    batches = WriterBatches(y, w, seed)
    t = time.time()
    for step in range(steps):
        idx, gid = batches()
        loss = supcon_loss(head.embed(h[idx]), torch.from_numpy(gid))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 250 == 0 or step == steps - 1:
            log.info(f"step {step}/{steps} loss {loss.item():.3f} ({time.time() - t:.0f} s)")
    return head.eval()


def own_vs_other(head: StyleHead, h: torch.Tensor, y: np.ndarray, w: np.ndarray) -> dict:
    """Mean similarity of a glyph to another of its (writer, character) vs to the same character of other writers."""
    with torch.no_grad():
        e = head.embed(h).numpy()
    rng = np.random.default_rng(0)
    own, other = [], []
    for i in rng.choice(len(y), min(2000, len(y)), replace=False):
        same_c = np.nonzero(y == y[i])[0]
        mine = same_c[(w[same_c] == w[i]) & (same_c != i)]
        theirs = same_c[w[same_c] != w[i]]
        if len(mine) and len(theirs):
            own.append(float(e[i] @ e[rng.choice(mine)]))
            other.append(float(e[i] @ e[rng.choice(theirs)]))
    return {"own": float(np.mean(own)), "other": float(np.mean(other))}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, default=ROOT / "runs" / "main" / "best.pt",
                        help="a train.py checkpoint (the shipped model: runs/run2/best.pt)")
    parser.add_argument("--fonts", type=Path, default=ROOT / "training" / "fonts")
    parser.add_argument("--export", type=Path, default=ROOT / "resources" / "model.onnx")
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "style")
    parser.add_argument("--per-class", type=int, default=12, help="glyphs of each character per writer")
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="4 writers, 3 glyphs each, 30 steps: a smoke run")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                        handlers=[logging.StreamHandler(), logging.FileHandler(args.out / "style.log")])
    torch.set_num_threads(args.workers)
    state = torch.load(args.checkpoint, weights_only=False)
    net = Net(len(CLASSES), state["mean"], state["std"])
    net.load_state_dict(state["model"])
    net.eval()
    per_class, steps, limit = (3, 30, 4) if args.quick else (args.per_class, args.steps, 0)
    t = time.time()
    x, y, w = writer_set(args.fonts, per_class, args.seed, args.workers, limit)
    log.info(f"{len(np.unique(w))} writers, {len(y)} glyphs in {time.time() - t:.0f} s")
    h = trunk_features(net, x)
    head = train_head(h, y, w, steps, args.seed)
    sims = own_vs_other(head, h, y, w)
    log.info(f"similarity to the same character on the training writers: same writer {sims['own']:.3f}, "
             f"other writers {sims['other']:.3f} (benchmarks/personal.py measures on held-out ones)")
    torch.save({"head": head.state_dict(), "checkpoint": str(args.checkpoint), "steps": steps}, args.out / "head.pt")
    report_file = args.checkpoint.parent / "report.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else {"val_accuracy": state["val"],
                                                                               "epoch": state["epoch"]}
    report["style"] = {"writers": int(len(np.unique(w))), "glyphs": int(len(y)), "steps": steps, **sims}
    check = (torch.rand(64, 1, SIZE, SIZE) * 255).to(torch.uint8)
    diff = export_onnx(net, args.export, report, check, style=head)
    log.info(f"exported {args.export} ({args.export.stat().st_size} bytes), parity max abs diff {diff:.2e}")
    if diff >= 1e-4:
        raise SystemExit(f"ONNX parity check failed: max abs diff {diff:.2e} >= 1e-4")


if __name__ == "__main__":
    main()
