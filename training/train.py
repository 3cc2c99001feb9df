"""Train the glyph CNN (digits, letters, punctuation) and export it to ONNX for hwr_desktop.

    python training/train.py                       # full run, writes resources/model.onnx
    python training/train.py --quick --out /tmp/q  # smoke run in about a minute

Every training image goes through ``hwr_desktop.normalize.normalize_glyph``, the
function the app applies to every glyph it reads. The exported model takes
float32 (N, 1, 28, 28) in [0, 1] and returns ``probs`` (N, len(CLASSES)) and ``features``
(N, 256) (training/style.py adds ``style`` (N, 128)); labels and the normalization
version travel in its metadata.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hwr_desktop.normalize import PREPROCESS_VERSION, SIZE  # noqa: E402
from training.datasets import build, load_emnist, plan_jobs  # noqa: E402, F401
from training.synth import CLASSES  # noqa: E402

log = logging.getLogger("train")


@dataclass
class TrainConfig:
    data_dir: str = str(ROOT.parent / "shared" / "data")
    font_dir: str = str(ROOT / "training" / "fonts")
    out: str = str(ROOT / "runs" / "main")
    export: str = str(ROOT / "resources" / "model.onnx")
    emnist: str = ""  # "IMAGES.gz,LABELS.gz,MAPPING.txt" of an official EMNIST split, optional
    unipen: str = str(ROOT.parent / "shared" / "data" / "unipen" / "train_r01_v07_dev.tar.xz")  # "" = none
    unipen_cache: str = str(ROOT / "training" / "cache" / "unipen")  # parsed UNIPEN categories (unipen.save_cache)
    unipen_limit: int = 0  # 0 = every UNIPEN character; else a random sample of this many (--quick)
    unipen_copies: int = 1  # samples per UNIPEN character of a training writer (categories 1a-1c and 3)
    font_copies: int = 40
    hershey_copies: int = 24
    real_letter_copies: int = 5
    mnist_limit: int = 0  # 0 = all of MNIST train[:55000]
    scan_p: float = 0.5  # share of training samples photographed and read back through the app's binarizer
    epochs: int = 12
    batch_size: int = 256
    lr: float = 3e-3
    weight_decay: float = 5e-4
    label_smoothing: float = 0.1
    seed: int = 1
    workers: int = 2
    threads: int = 2
    quick: bool = False
    export_checkpoint: str = ""  # only export this checkpoint to --export and stop
    init: str = ""  # start from this checkpoint's weights (continued training; use a lower --lr)


class Net(nn.Module):
    """A small VGG-style CNN: about 0.6 M parameters, 14 M multiply-adds per glyph."""

    def __init__(self, n_classes: int = 80, mean: float = 0.1, std: float = 0.28):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean))
        self.register_buffer("std", torch.tensor(std))

        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))

        self.body = nn.Sequential(
            block(1, 32), nn.MaxPool2d(2),  # 14
            block(32, 48), block(48, 64), nn.MaxPool2d(2),  # 7
            block(64, 128), nn.MaxPool2d(2),  # 3
            block(128, 128),
        )
        self.fc = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(128 * 9, 256), nn.ReLU(inplace=True))
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(256, n_classes))

    MID = 5  # index in ``body`` of the 7x7 block whose output the style head also reads

    def trunk(self, x):
        """The body's output, flattened (N, 1152), and the 7x7 middle block's (N, 128, 7, 7)."""
        h = (x - self.mean) / self.std
        mid = h
        for i, layer in enumerate(self.body):
            h = layer(h)
            if i == self.MID:
                mid = h
        return h.flatten(1), mid

    def forward(self, x):
        feats = self.fc(self.trunk(x)[0])
        return self.head(feats), feats


class Exported(nn.Module):
    """What ships: probabilities, penultimate features and, with a style head (training/style.py), style embeddings."""

    def __init__(self, net: Net, style: nn.Module | None = None):
        super().__init__()
        self.net = net
        self.style = style

    def forward(self, x):
        h, mid = self.net.trunk(x)
        feats = self.net.fc(h)
        probs = F.softmax(self.net.head(feats), dim=1)
        if self.style is None:
            return probs, feats
        return probs, feats, self.style(h, mid)


def grow_head(model: Net, weights: dict) -> None:
    """Load a checkpoint's weights into ``model``; a checkpoint with fewer classes (the first classes of
    ``CLASSES``, e.g. before the symbols were added) fills the rows of its classes, the new rows keep their
    fresh initialization."""
    weights = dict(weights)
    key_w, key_b = "head.1.weight", "head.1.bias"
    old_w, old_b = weights.pop(key_w), weights.pop(key_b)
    model.load_state_dict(weights, strict=False)
    with torch.no_grad():
        n = min(old_w.shape[0], model.head[1].weight.shape[0])
        model.head[1].weight[:n] = old_w[:n]
        model.head[1].bias[:n] = old_b[:n]


def jitter(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Cheap per-batch augmentation on normalized glyphs: small shifts, turns and scales."""
    n = x.shape[0]
    ang = (torch.rand(n, generator=gen) - 0.5) * 0.2
    sc = 1.0 + (torch.rand(n, generator=gen) - 0.5) * 0.2
    tx = (torch.rand(n, generator=gen) - 0.5) * 0.12
    ty = (torch.rand(n, generator=gen) - 0.5) * 0.12
    cos, sin = torch.cos(ang) / sc, torch.sin(ang) / sc
    theta = torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")


def train_epoch(model, x, y, opt, sched, cfg: TrainConfig, gen: torch.Generator, epoch: int, weights: torch.Tensor):
    model.train()
    n = len(y)
    order = torch.multinomial(weights, n, replacement=True, generator=gen)  # class-balanced, shuffled
    steps = (n + cfg.batch_size - 1) // cfg.batch_size
    t0 = time.time()
    total, correct, loss_sum = 0, 0, 0.0
    for step in range(steps):
        idx = order[step * cfg.batch_size : (step + 1) * cfg.batch_size]
        xb = x[idx].float().div_(255.0)
        xb = jitter(xb, gen)
        yb = y[idx]
        logits, _ = model(xb)
        loss = F.cross_entropy(logits, yb, label_smoothing=cfg.label_smoothing)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        loss_sum += loss.item() * len(idx)
        correct += (logits.argmax(1) == yb).sum().item()
        total += len(idx)
        if (step + 1) % 100 == 0 or step + 1 == steps:
            el = time.time() - t0
            eta = el / (step + 1) * (steps - step - 1)
            log.info(f"epoch {epoch} step {step + 1}/{steps} loss {loss_sum / total:.4f} acc {correct / total:.4f} "
                     f"lr {sched.get_last_lr()[0]:.2e} eta {eta:.0f}s")


@torch.no_grad()
def predict(model, x: torch.Tensor, batch: int = 1024) -> np.ndarray:
    model.eval()
    out = []
    for i in range(0, len(x), batch):
        logits, _ = model(x[i : i + batch].float().div(255.0))
        out.append(F.softmax(logits, 1).numpy())
    return np.concatenate(out) if out else np.zeros((0, len(CLASSES)), np.float32)


def evaluate(model, x: torch.Tensor, y: torch.Tensor) -> dict:
    probs = predict(model, x)
    pred = probs.argmax(1)
    yt = y.numpy()
    per_class = {}
    for c in range(len(CLASSES)):
        m = yt == c
        if m.any():
            per_class[CLASSES[c]] = float((pred[m] == c).mean())
    conf = np.zeros((len(CLASSES), len(CLASSES)), np.int64)
    np.add.at(conf, (yt, pred), 1)
    return {"accuracy": float((pred == yt).mean()) if len(yt) else 0.0, "per_class": per_class, "confusion": conf}


def confusion_png(conf: np.ndarray, path: Path) -> None:
    """Write a confusion matrix as a heat map (rows: truth, columns: prediction)."""
    import cv2

    cell = 12
    n = len(CLASSES)
    norm = conf / np.maximum(conf.sum(1, keepdims=True), 1)
    img = np.full((n * cell + 20, n * cell + 20, 3), 255, np.uint8)
    heat = (255 - (np.sqrt(norm) * 255)).astype(np.uint8)
    heat = cv2.resize(heat, (n * cell, n * cell), interpolation=cv2.INTER_NEAREST)
    img[20:, 20:] = cv2.applyColorMap(255 - heat, cv2.COLORMAP_VIRIDIS)
    for i, c in enumerate(CLASSES):
        cv2.putText(img, c, (20 + i * cell + 2, 14), cv2.FONT_HERSHEY_PLAIN, 0.7, (0, 0, 0), 1)
        cv2.putText(img, c, (4, 20 + i * cell + 10), cv2.FONT_HERSHEY_PLAIN, 0.7, (0, 0, 0), 1)
    cv2.imwrite(str(path), img)


def export_onnx(model: Net, path: Path, report: dict, x_check: torch.Tensor, style: nn.Module | None = None) -> float:
    """Export to ONNX with metadata; returns the max |torch - onnxruntime| over the outputs on ``x_check``.

    With ``style`` (a head on ``Net.trunk``, see training/style.py) the model has a third output, ``style``.
    """
    import onnx
    import onnxruntime as ort

    model.eval()
    wrapped = Exported(model, style).eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    dummy = torch.zeros(1, 1, SIZE, SIZE)
    names = ["probs", "features"] + (["style"] if style is not None else [])
    torch.onnx.export(
        wrapped, dummy, str(path), input_names=["glyphs"], output_names=names,
        dynamic_axes={"glyphs": {0: "n"}, **{n: {0: "n"} for n in names}}, opset_version=17,
        dynamo=False,
    )
    m = onnx.load(str(path))
    meta = {
        "hwr_labels": json.dumps(list(CLASSES)),
        "hwr_preprocess": PREPROCESS_VERSION,
        "hwr_input_size": str(SIZE),
        "hwr_report": json.dumps({k: v for k, v in report.items() if k != "per_class"}),
    }
    for k, v in meta.items():
        entry = m.metadata_props.add()
        entry.key, entry.value = k, v
    m.producer_name = "hwr-training"
    onnx.save(m, str(path))
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    xb = x_check.float().div(255.0)
    with torch.no_grad():
        ref = wrapped(xb)
    got = sess.run(names, {"glyphs": xb.numpy()})
    return max(float(np.abs(r.numpy() - g).max()) for r, g in zip(ref, got))


def dataset_cache_key(cfg: TrainConfig) -> str:
    keys = ["data_dir", "font_dir", "emnist", "font_copies", "hershey_copies", "real_letter_copies", "mnist_limit", "seed",
            "scan_p", "unipen", "unipen_copies", "unipen_limit"]
    blob = json.dumps({k: getattr(cfg, k) for k in keys}) + PREPROCESS_VERSION
    for p in sorted(Path(cfg.font_dir).glob("manifest.json")) + sorted(Path(ROOT / "training").glob("*.py")):
        if p.name in ("synth.py", "manifest.json", "datasets.py", "unipen.py"):
            blob += hashlib.sha256(p.read_bytes()).hexdigest()
    for module in ("normalize", "binarize", "pipeline", "segmentation", "ink"):  # what the samples are drawn with
        blob += hashlib.sha256((ROOT / "hwr_desktop" / f"{module}.py").read_bytes()).hexdigest()
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def load_or_build(cfg: TrainConfig):
    cache = ROOT / "training" / "cache" / f"data-{dataset_cache_key(cfg)}.npz"
    if cache.exists():
        log.info(f"dataset from cache {cache}")
        d = np.load(cache)
        return d["xt"], d["yt"], d["xv"], d["yv"]
    emnist = tuple(Path(p) for p in cfg.emnist.split(",")) if cfg.emnist else None
    segments = None
    if cfg.unipen:
        from training.unipen import cached_segments

        segments = [s for cats in (["1a", "1b", "1c", "1d"], ["3"])
                    for s in cached_segments(cats, Path(cfg.unipen), Path(cfg.unipen_cache), log.info)]
        if cfg.unipen_limit:
            segments = [segments[i] for i in np.random.default_rng(cfg.seed).permutation(len(segments))[:cfg.unipen_limit]]
    train_jobs, val_jobs = plan_jobs(
        Path(cfg.data_dir), Path(cfg.font_dir), font_copies=cfg.font_copies, hershey_copies=cfg.hershey_copies,
        real_letter_copies=cfg.real_letter_copies, mnist_limit=cfg.mnist_limit or None, seed=cfg.seed, emnist=emnist,
        scan_p=cfg.scan_p, unipen=segments, unipen_copies=cfg.unipen_copies,
    )
    log.info(f"building {len(train_jobs)} train jobs, {len(val_jobs)} val jobs on {cfg.workers} workers")
    t = time.time()
    xt, yt = build(train_jobs, cfg.workers, log.info)
    xv, yv = build(val_jobs, cfg.workers, log.info)
    log.info(f"built {len(yt)} train / {len(yv)} val samples in {time.time() - t:.0f}s")
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, xt=xt, yt=yt, xv=xv, yv=yv)
    return xt, yt, xv, yv


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the hwr glyph classifier and export resources/model.onnx.")
    for f in dataclasses.fields(TrainConfig):
        if f.type == "bool":
            parser.add_argument(f"--{f.name.replace('_', '-')}", action="store_true")
        else:
            parser.add_argument(f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default)
    cfg = TrainConfig(**vars(parser.parse_args(argv)))
    if cfg.quick:
        cfg.font_copies, cfg.hershey_copies, cfg.real_letter_copies, cfg.mnist_limit, cfg.epochs = 2, 1, 1, 3000, 1
        cfg.unipen_limit = cfg.unipen_limit or 3000
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                        handlers=[logging.StreamHandler(), logging.FileHandler(out / "train.log")])
    log.info("config " + json.dumps(dataclasses.asdict(cfg)))
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    if cfg.export_checkpoint:
        state = torch.load(cfg.export_checkpoint, weights_only=False)
        model = Net(len(CLASSES), state["mean"], state["std"])
        model.load_state_dict(state["model"])
        check = (torch.rand(64, 1, SIZE, SIZE) * 255).to(torch.uint8)
        diff = export_onnx(model, Path(cfg.export), {"val_accuracy": state["val"], "epoch": state["epoch"]}, check)
        log.info(f"exported {cfg.export} from {cfg.export_checkpoint}, parity max abs diff {diff:.2e}")
        return
    gen = torch.Generator().manual_seed(cfg.seed)

    xt, yt, xv, yv = load_or_build(cfg)
    xt, yt = torch.from_numpy(xt).unsqueeze(1), torch.from_numpy(yt)
    xv, yv = torch.from_numpy(xv).unsqueeze(1), torch.from_numpy(yv)
    counts = torch.bincount(yt, minlength=len(CLASSES)).float()
    weights = (1.0 / counts.clamp(min=1))[yt]
    mean = float(xt[:20000].float().mean() / 255)
    std = float(xt[:20000].float().std() / 255)
    model = Net(len(CLASSES), mean, std)
    if cfg.init:
        state = torch.load(cfg.init, weights_only=False)
        model = Net(len(CLASSES), state["mean"], state["std"])
        grow_head(model, state["model"])
        mean, std = state["mean"], state["std"]
        log.info(f"weights from {cfg.init} (epoch {state['epoch']}, val {state['val']:.4f})")
    log.info(f"model {sum(p.numel() for p in model.parameters())} parameters; train {len(yt)}, val {len(yv)}")
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps = cfg.epochs * ((len(yt) + cfg.batch_size - 1) // cfg.batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=steps, pct_start=0.15)
    best = -1.0
    for epoch in range(1, cfg.epochs + 1):
        train_epoch(model, xt, yt, opt, sched, cfg, gen, epoch, weights)
        res = evaluate(model, xv, yv)
        log.info(f"epoch {epoch} val accuracy {res['accuracy']:.4f}")
        ckpt = {"model": model.state_dict(), "config": dataclasses.asdict(cfg), "epoch": epoch, "val": res["accuracy"],
                "mean": mean, "std": std}
        torch.save(ckpt, out / "last.pt")
        if res["accuracy"] > best:
            best = res["accuracy"]
            torch.save(ckpt, out / "best.pt")

    state = torch.load(out / "best.pt", weights_only=False)
    model.load_state_dict(state["model"])
    res = evaluate(model, xv, yv)
    confusion_png(res["confusion"], out / "confusion.png")
    pairs = []
    conf = res["confusion"].copy()
    np.fill_diagonal(conf, 0)
    for i, j in zip(*np.unravel_index(np.argsort(conf, axis=None)[::-1][:15], conf.shape)):
        pairs.append(f"{CLASSES[i]}->{CLASSES[j]}: {conf[i, j]}")
    report = {"val_accuracy": res["accuracy"], "epoch": state["epoch"], "train_samples": int(len(yt)),
              "val_samples": int(len(yv)), "per_class": res["per_class"], "top_confusions": pairs,
              "preprocess": PREPROCESS_VERSION, "seed": cfg.seed}
    export = Path(cfg.export)
    diff = export_onnx(model, export, report, xv[:256])
    report["onnx_max_abs_diff"] = diff
    (out / "report.json").write_text(json.dumps(report, indent=1))
    lines = [f"# Training report", "", f"validation accuracy {res['accuracy']:.4f} (epoch {state['epoch']})",
             f"torch vs onnxruntime max abs diff {diff:.2e}", "", "| class | accuracy |", "|---|---|"]
    lines += [f"| {c} | {a:.3f} |" for c, a in res["per_class"].items()]
    lines += ["", "top confusions (truth->predicted: count): " + ", ".join(pairs)]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    log.info(f"exported {export} ({export.stat().st_size} bytes), parity max abs diff {diff:.2e}")
    if diff >= 1e-4:
        raise SystemExit(f"ONNX parity check failed: max abs diff {diff:.2e} >= 1e-4")


if __name__ == "__main__":
    main()
