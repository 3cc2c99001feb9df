"""Fine-tune a trained checkpoint on a user's exported samples ("My handwriting" -> Export) and export ONNX.

    python training/finetune.py --checkpoint runs/main/best.pt --samples my_handwriting.npz \
        --out runs/personal --export runs/personal/model.onnx

The samples npz is in the format of ``../shared/data`` (``x`` uint8 (N, 28, 28)
white ink on black, already normalized by the app; ``y`` indices into
``classes``). A few epochs at a low learning rate; every batch mixes the
user's glyphs with glyphs of the base training set (``--base``: a training
cache ``training/cache/data-*.npz`` with ``xt``/``yt``, or any shared-data npz;
by default the newest cache, if there is one) so the model keeps what it knew.
It reports accuracy on the user's glyphs and on base validation glyphs (the
cache's ``xv``/``yv``) before and after, and exports with ``train.export_onnx``
(labels and preprocessing in the metadata, parity checked).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hwr_desktop.personal import load_npz_samples  # noqa: E402
from training.synth import CLASSES  # noqa: E402
from training.train import Net, evaluate, export_onnx, jitter  # noqa: E402

log = logging.getLogger("finetune")


@dataclass
class FinetuneConfig:
    checkpoint: str = str(ROOT / "runs" / "main" / "best.pt")
    samples: str = ""
    base: str = ""  # "" = newest training/cache/data-*.npz if any; "none" = user samples only
    out: str = str(ROOT / "runs" / "personal")
    export: str = ""  # "" = <out>/model.onnx
    epochs: int = 4
    steps_per_epoch: int = 50
    batch_size: int = 128
    user_share: float = 0.25  # of each batch
    lr: float = 1e-4
    weight_decay: float = 5e-4
    val_limit: int = 4000
    seed: int = 1
    threads: int = 2


def load_user_samples(path: Path) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 (N, 1, 28, 28) and int64 (N,) class indices; labels outside CLASSES are dropped."""
    x, labels = load_npz_samples(path)
    keep = [i for i, c in enumerate(labels) if c in CLASSES]
    if not keep:
        raise SystemExit(f"{path}: no samples of the model's classes")
    if x.shape[1:] != (28, 28):
        raise SystemExit(f"{path}: expected normalized 28x28 glyphs (the app's export), got {x.shape[1:]}")
    y = np.array([CLASSES.index(labels[i]) for i in keep], np.int64)
    return torch.from_numpy(np.ascontiguousarray(x[keep])).unsqueeze(1), torch.from_numpy(y)


def load_base(spec: str) -> tuple[torch.Tensor | None, torch.Tensor | None, torch.Tensor | None, torch.Tensor | None]:
    """Base training and validation glyphs (uint8 (N, 1, 28, 28), int64 (N,)); Nones where there are none."""
    if spec == "none":
        return None, None, None, None
    path = Path(spec) if spec else max((ROOT / "training" / "cache").glob("data-*.npz"),
                                       key=lambda p: p.stat().st_mtime, default=None)
    if path is None:
        log.info("no base data: fine-tuning on the user's samples only")
        return None, None, None, None
    log.info(f"base data {path}")
    with np.load(path) as d:
        if "xt" in d:
            t = lambda a: torch.from_numpy(np.ascontiguousarray(a))  # noqa: E731
            return t(d["xt"]).unsqueeze(1), t(d["yt"]), t(d["xv"]).unsqueeze(1), t(d["yv"])
    x, labels = load_npz_samples(path)
    y = torch.tensor([CLASSES.index(c) for c in labels])
    return torch.from_numpy(x).unsqueeze(1), y, None, None


def finetune(model: Net, xu, yu, xb, yb, cfg: FinetuneConfig, gen: torch.Generator) -> None:
    """A few epochs of AdamW at a low rate on batches of user glyphs mixed with base glyphs."""
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    n_user = max(1, round(cfg.batch_size * (cfg.user_share if xb is not None else 1.0)))
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        total = 0.0
        for _ in range(cfg.steps_per_epoch):
            iu = torch.randint(len(yu), (n_user,), generator=gen)
            xs, ys = [xu[iu]], [yu[iu]]
            if xb is not None:
                ib = torch.randint(len(yb), (cfg.batch_size - n_user,), generator=gen)
                xs.append(xb[ib])
                ys.append(yb[ib])
            x = jitter(torch.cat(xs).float().div_(255.0), gen)
            logits, _ = model(x)
            loss = F.cross_entropy(logits, torch.cat(ys), label_smoothing=0.1)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item()
        log.info(f"epoch {epoch} loss {total / cfg.steps_per_epoch:.4f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in asdict(FinetuneConfig()).items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    cfg = FinetuneConfig(**vars(parser.parse_args(argv)))
    if not cfg.samples:
        parser.error("--samples is required (an npz exported from My Handwriting)")
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                        handlers=[logging.StreamHandler(), logging.FileHandler(out / "finetune.log")])
    log.info("config " + json.dumps(asdict(cfg)))
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    gen = torch.Generator().manual_seed(cfg.seed)

    state = torch.load(cfg.checkpoint, weights_only=False)
    model = Net(len(CLASSES), state["mean"], state["std"])
    model.load_state_dict(state["model"])
    xu, yu = load_user_samples(Path(cfg.samples))
    xb, yb, xv, yv = load_base(cfg.base)
    if xv is not None and len(yv) > cfg.val_limit:
        pick = torch.randperm(len(yv), generator=torch.Generator().manual_seed(0))[: cfg.val_limit]
        xv, yv = xv[pick], yv[pick]
    log.info(f"{len(yu)} user samples of {len(set(yu.tolist()))} classes; base {0 if yb is None else len(yb)}")

    def report(when: str) -> dict:
        r = {"user": evaluate(model, xu, yu)["accuracy"]}
        if xv is not None:
            r["base_val"] = evaluate(model, xv, yv)["accuracy"]
        log.info(f"{when}: " + ", ".join(f"{k} accuracy {v:.4f}" for k, v in r.items()))
        return r

    before = report("before")
    finetune(model, xu, yu, xb, yb, cfg, gen)
    after = report("after")
    ckpt = dict(state, model=model.state_dict(), finetune=asdict(cfg), finetune_report={"before": before, "after": after})
    torch.save(ckpt, out / "finetuned.pt")
    export = Path(cfg.export) if cfg.export else out / "model.onnx"
    rep = {"val_accuracy": after.get("base_val", state.get("val")), "epoch": state.get("epoch"),
           "finetuned_on": len(yu), "user_accuracy": after["user"]}
    diff = export_onnx(model, export, rep, xu[:64])
    log.info(f"exported {export}, parity max abs diff {diff:.2e}")
    if diff >= 1e-4:
        raise SystemExit(f"ONNX parity check failed: max abs diff {diff:.2e} >= 1e-4")


if __name__ == "__main__":
    main()
