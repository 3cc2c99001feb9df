"""Train the line recognizer (CNN + BiLSTM, CTC) and export resources/line_model.onnx.

    python training/train_lines.py --unipen-cache /root/cache/unipen --minutes 90     # full run
    python training/train_lines.py --quick --out /tmp/ql                               # smoke run, about a minute
    python training/train_lines.py --resume runs/lines/last.pt --minutes 60           # go on from a checkpoint
    python training/train_lines.py --init runs/lines/best.pt --lr 3e-4 --paper-p 0.5 --paper-dev   # fine-tune
    python training/train_lines.py --init resources/line_model.onnx --lr 3e-4 --paper-p 0.5 --paper-dev  # from the shipped model
    python training/train_lines.py --export-checkpoint runs/lines/best.pt             # re-export

What it reads, drawn afresh (with random slant, stretch and rotation) every time a sample is used, through
the app's own ``hwr_desktop.lines.ink_line_mask`` and ``normalize_line``:
- UNIPEN words (category 7: printed, cursive and mixed; category 6 is the same ink) and one-line texts
  (category 8) of the training writers (``unipen.split_of``; validation writers are never read, dev writers pick
  the checkpoint), a share of them "on paper": photographed and read back through the app's binarizer;
- words and short phrases from the shipped word list, with digits and punctuation, set in the training
  handwriting fonts (cursive ones included; the held-out fonts are not used).
The learning rate follows a cosine over the time budget (``--minutes``), so a run ends on time and a resumed
run goes on along the same curve. Logs config, progress and ETA to OUT/train.log; keeps last.pt and best.pt.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import multiprocessing as mp
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hwr_desktop.binarize import binarize  # noqa: E402
from hwr_desktop.errors import EmptyInputError  # noqa: E402
from hwr_desktop.ink import Stroke, rasterize  # noqa: E402
from hwr_desktop.lines import HEIGHT, LINE_PREPROCESS_VERSION, ink_line_mask, normalize_line  # noqa: E402
from training import unipen  # noqa: E402
from training.datasets import heldout_font_indices  # noqa: E402
from training.synth import load_font_manifest  # noqa: E402

PUNCT = ".,;:?!'\"-()/+=&@#%*"
LABELS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" + PUNCT + " "
INDEX = {c: i + 1 for i, c in enumerate(LABELS)}  # 0 is the CTC blank
STRIDE = 4


@dataclass
class TrainConfig:
    out: str = str(ROOT / "runs" / "lines")
    export: str = str(ROOT / "resources" / "line_model.onnx")
    unipen_source: str = str(unipen.DEFAULT_SOURCE)
    unipen_cache: str | None = None
    font_dir: str = str(ROOT / "training" / "fonts")
    words: str = str(ROOT / "resources" / "words_en.txt")
    minutes: float = 90.0
    lr: float = 2e-3
    batch: int = 24
    font_share: float = 0.2  # of samples drawn from the fonts
    paper_p: float = 0.3  # of UNIPEN samples photographed and binarized
    max_text: int = 64  # category 8 texts longer than this are left out
    hidden: int = 128
    seed: int = 0
    quick: bool = False
    eval_every: float = 6.0  # minutes
    dev_limit: int = 400
    paper_dev: bool = False  # the dev CER also over the dev words written on paper (picks best.pt on both)


# --- the network ---------------------------------------------------------------------------------------


class LineNet(nn.Module):
    """(N, 1, 40, W) in [0, 1] -> (N, W / 4, C) logits: four conv blocks (height 40 -> 5, width / 4), a
    projection, two BiLSTM layers and a linear layer per frame."""

    def __init__(self, n_out: int, hidden: int = 128):
        super().__init__()

        def block(cin, cout, pool):
            layers = [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
            return nn.Sequential(*layers, *([nn.MaxPool2d(pool)] if pool else []))

        self.conv = nn.Sequential(block(1, 32, (2, 2)), block(32, 64, (2, 2)), block(64, 128, None),
                                  block(128, 128, (2, 1)))
        self.proj = nn.Linear(128 * (HEIGHT // 8), 2 * hidden)
        self.rnn = nn.LSTM(2 * hidden, hidden, num_layers=2, bidirectional=True, batch_first=True, dropout=0.2)
        self.head = nn.Linear(2 * hidden, n_out)
        self.drop = nn.Dropout(0.2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.conv(x - 0.1)  # (N, 128, 5, W/4)
        n, c, h, w = f.shape
        f = f.permute(0, 3, 1, 2).reshape(n, w, c * h)
        f, _ = self.rnn(self.drop(F.relu(self.proj(f))))
        return self.head(self.drop(f))


class Exported(nn.Module):
    def __init__(self, net: LineNet):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.softmax(self.net(x), dim=-1)


def weights_from_onnx(model: LineNet, path: Path, calibrate: list[np.ndarray]) -> float:
    """Load an exported line model (``resources/line_model.onnx``) back into ``model`` so that a run can start
    from the shipped weights when no checkpoint is at hand. The export folds each BatchNorm into its
    convolution, so the convolutions take the folded weights and each BatchNorm is set to the statistics its
    convolution produces on ``calibrate`` (images as ``collate`` takes them), with scale and shift chosen so
    that in eval mode it adds the folded bias and nothing else (and in training mode nearly so). ONNX's LSTM
    keeps its gates as i, o, f, c where torch keeps i, f, g, o. Returns the max |torch - onnxruntime|."""
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    m = onnx.load(str(path))
    init = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    convs = [n for n in m.graph.node if n.op_type == "Conv"]
    lstms = [n for n in m.graph.node if n.op_type == "LSTM"]
    matmuls = [n for n in m.graph.node if n.op_type == "MatMul" and n.input[1] in init]
    if len(convs) != 4 or len(lstms) != 2 or len(matmuls) != 2:
        raise ValueError(f"{path}: not a LineNet export ({len(convs)} Conv, {len(lstms)} LSTM, {len(matmuls)} MatMul)")
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a)).float()  # noqa: E731
    sd = {}
    blocks = [b for b in model.conv]
    folded_bias = []
    for k, (node, block) in enumerate(zip(convs, blocks)):
        sd[f"conv.{k}.0.weight"] = t(init[node.input[1]])
        folded_bias.append(init[node.input[2]])
    sd["proj.weight"], sd["proj.bias"] = t(init[matmuls[0].input[1]].T), t(init["net.proj.bias"])
    sd["head.weight"], sd["head.bias"] = t(init[matmuls[1].input[1]].T), t(init["net.head.bias"])
    h = model.rnn.hidden_size
    order = np.concatenate([np.arange(h) + g * h for g in (0, 2, 3, 1)])  # torch gate g <- ONNX gate order[g]
    for layer, node in enumerate(lstms):
        w, r, b = (init[name] for name in node.input[1:4])
        for d, suffix in enumerate(("", "_reverse")):
            sd[f"rnn.weight_ih_l{layer}{suffix}"] = t(w[d][order])
            sd[f"rnn.weight_hh_l{layer}{suffix}"] = t(r[d][order])
            sd[f"rnn.bias_ih_l{layer}{suffix}"] = t(b[d][: 4 * h][order])
            sd[f"rnn.bias_hh_l{layer}{suffix}"] = t(b[d][4 * h :][order])
    for k, fb in enumerate(folded_bias):  # identity BatchNorms first, then calibrated block by block
        n = len(fb)
        sd[f"conv.{k}.1.weight"], sd[f"conv.{k}.1.bias"] = torch.ones(n), t(fb)
        sd[f"conv.{k}.1.running_mean"], sd[f"conv.{k}.1.running_var"] = torch.zeros(n), torch.ones(n) - 1e-5
        sd[f"conv.{k}.1.num_batches_tracked"] = torch.tensor(0)
    model.load_state_dict(sd)
    model.eval()
    x, _ = collate(calibrate)
    with torch.no_grad():
        f = x - 0.1
        for k, block in enumerate(blocks):
            conv, bn = block[0], block[1]
            z = conv(f)
            mean, var = z.mean((0, 2, 3)), z.var((0, 2, 3), unbiased=False)
            bn.running_mean.copy_(mean)
            bn.running_var.copy_(var)
            bn.weight.copy_(torch.sqrt(var + bn.eps))
            bn.bias.copy_(mean + torch.from_numpy(folded_bias[k]).float())
            f = block(f)
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        ref = sess.run(None, {"lines": x.numpy()})[0]
        got = torch.softmax(model(x), -1).numpy()
    model.train()
    return float(np.abs(ref - got).max())


# --- samples -------------------------------------------------------------------------------------------


def encodable(text: str) -> bool:
    return bool(text.strip()) and all(c in INDEX for c in text)


def clean_label(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def unipen_items(cfg: TrainConfig, log) -> tuple[list, list]:
    """(label, strokes) of the training and dev writers' words (category 7) and one-line texts (8)."""
    cache = Path(cfg.unipen_cache) if cfg.unipen_cache else None
    train, dev = [], []
    for cat in ("7", "8"):
        segs = unipen.cached_segments([cat], Path(cfg.unipen_source), cache, log)
        kept = skipped = 0
        for s in segs:
            split = s.split
            if split == "val":
                continue
            label = clean_label(s.label)
            if not encodable(label) or (cat == "8" and (len(label) > cfg.max_text or unipen.written_lines(list(s.strokes)) > 1)):
                skipped += 1
                continue
            (dev if split == "dev" else train).append((label, tuple(p[:, :2] * unipen.PX_PER_INCH for p in s.strokes)))
            kept += 1
        log(f"UNIPEN {cat}: {kept} kept (train + dev), {skipped} left out (symbols outside the labels, long or multi-line)")
    return train, dev


def transform(points: np.ndarray, m: np.ndarray) -> np.ndarray:
    return points @ m.T


def random_matrix(rng: np.random.Generator) -> np.ndarray:
    """A writer's variation: slant, horizontal stretch, a small rotation."""
    a = math.radians(rng.uniform(-3, 3))
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    shear = np.array([[rng.uniform(0.8, 1.25), rng.uniform(-0.35, 0.35)], [0.0, rng.uniform(0.9, 1.1)]])
    return rot @ shear


def photograph(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw a line mask as pen on paper (random pen, paper, light, blur, noise, JPEG) and read it back through
    the app's binarizer; bool (H, W). The original when nothing survives."""
    m = mask.astype(np.uint8)
    d = int(rng.integers(1, 6))  # pens from fine to a felt tip
    if d > 1:
        m = cv2.dilate(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d)))
    s = rng.uniform(0.33, 1.0)  # bodies of 14-42 px: phone photos and 150-300 dpi scans
    small = cv2.resize(m.astype(np.float32), None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    small = np.pad(small, 6)
    hh, ww = small.shape
    paper, contrast = rng.uniform(140, 245), rng.uniform(0.3, 0.9)
    light = 1.0 + rng.uniform(-0.1, 0.1) * np.linspace(-1, 1, ww)[None, :] + rng.uniform(-0.1, 0.1) * np.linspace(-1, 1, hh)[:, None]
    img = paper * light * (1.0 - contrast * np.clip(small, 0, 1))
    if rng.random() < 0.5:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 0.9))
    out = _read_back(np.clip(img + rng.normal(0, rng.uniform(0, 6), img.shape), 0, 255).astype(np.uint8), rng)
    return out if out.any() else mask


def _read_back(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A photographed uint8 page, JPEG-compressed three times in ten, read back through the app's binarizer."""
    if rng.random() < 0.3:
        _, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(40, 95))])
        img = cv2.imdecode(enc, cv2.IMREAD_GRAYSCALE)
    return binarize(img)


def written_on_paper(strokes: list[Stroke], rng: np.random.Generator) -> np.ndarray | None:
    """The strokes written with a pen straight onto paper at a small size (bodies of 12-40 px, pens of 1-4 px:
    thick pens on small writing fill loops and thin faint ones break) and read back through the app's binarizer;
    bool (H, W), or None when nothing survives. Unlike ``photograph``, the pen is drawn at the final size."""
    pts = np.vstack([s.points[:, :2] for s in strokes])
    y10, y90 = np.percentile(pts[:, 1], (10, 90))
    body = rng.uniform(12, 40)
    scale = body / max(float(y90 - y10), 1.0)
    ink = rasterize(strokes, scale=scale, width=rng.uniform(1.0, min(4.0, 0.28 * body)), margin=8).astype(np.float32) / 255.0
    if rng.random() < 0.7:
        ink = cv2.GaussianBlur(ink, (0, 0), rng.uniform(0.3, 1.1))
    h, w = ink.shape
    paper, level = rng.uniform(150, 245), rng.uniform(20, 120)
    paper = paper * (1.0 + rng.uniform(-0.1, 0.1) * np.linspace(-1, 1, w)[None, :])
    img = paper - (1.0 - ink) * (paper - level) + rng.normal(0, rng.uniform(0, 8), (h, w))
    out = _read_back(np.clip(img, 0, 255).astype(np.uint8), rng)
    return out if out.any() else None


def ink_sample(strokes, rng: np.random.Generator | None, paper_p: float) -> np.ndarray:
    """float32 (40, W): UNIPEN strokes drawn as the canvas draws a line (varied with ``rng``); a share
    ``paper_p`` of them on paper, half photographed from the canvas drawing, half written small."""
    m = random_matrix(rng) if rng is not None else np.eye(2)
    strokes = [Stroke(transform(p, m)) for p in strokes]
    r = rng.random() if rng is not None else 1.0
    if r < paper_p / 2:
        mask = written_on_paper(strokes, rng)
        if mask is not None:
            return normalize_line(mask).image
    mask, _, _ = ink_line_mask(strokes)
    if r < paper_p:
        mask = photograph(mask, rng)
    return normalize_line(mask).image


class FontText:
    """Text from the word list set in the training fonts, with digits and punctuation mixed in."""

    def __init__(self, cfg: TrainConfig):
        from PIL import ImageFont

        fonts = load_font_manifest(Path(cfg.font_dir))
        held = set(heldout_font_indices(len(fonts), 4))
        self.fonts = [str(f.path) for i, f in enumerate(fonts) if i not in held]
        self.words = [w.strip() for w in Path(cfg.words).read_text(encoding="utf-8").split() if w.strip().isalpha()]
        self._font_cache: dict = {}
        self._ImageFont = ImageFont

    def text(self, rng: np.random.Generator) -> str:
        n = int(rng.choice([1, 1, 1, 2, 2, 3]))
        out = []
        for _ in range(n):
            r = rng.random()
            if r < 0.12:
                w = str(int(rng.integers(0, 10 ** int(rng.integers(1, 6)))))
            elif r < 0.18:
                w = f"{rng.integers(1, 32)}/{rng.integers(1, 13)}" if rng.random() < 0.5 else f"{rng.integers(0, 100)}.{rng.integers(0, 100):02d}"
            else:
                w = self.words[int(rng.integers(len(self.words)))]
                c = rng.random()
                w = w.capitalize() if c < 0.25 else w.upper() if c < 0.32 else w
            if rng.random() < 0.15:
                w = w + str(rng.choice(list(".,;:?!")))
            if rng.random() < 0.05:
                w = str(rng.choice(['"', "(", "'"])) + w + str(rng.choice(['"', ")", "'"]))
            out.append(w)
        t = " ".join(out)
        return t if encodable(t) else "hello"

    def render(self, text: str, rng: np.random.Generator) -> np.ndarray | None:
        from PIL import Image, ImageDraw

        path = self.fonts[int(rng.integers(len(self.fonts)))]
        px = int(rng.integers(28, 56))
        key = (path, px)
        if key not in self._font_cache:
            self._font_cache[key] = self._ImageFont.truetype(path, px)
        font = self._font_cache[key]
        x0, y0, x1, y1 = font.getbbox(text)
        if x1 <= x0 or y1 <= y0:
            return None
        img = Image.new("L", (x1 - x0 + 16, y1 - y0 + 16), 0)
        ImageDraw.Draw(img).text((8 - x0, 8 - y0), text, fill=255, font=font)
        mask = np.asarray(img) > 100
        if not mask.any():
            return None
        sh = rng.uniform(-0.3, 0.3)
        h, w = mask.shape
        mat = np.array([[1.0, sh, -sh * h / 2 + abs(sh) * h], [0.0, 1.0, 0.0]], np.float32)
        mask = cv2.warpAffine(mask.astype(np.uint8), mat, (w + int(abs(sh) * h * 2) + 1, h), flags=cv2.INTER_NEAREST) > 0
        if rng.random() < 0.3:
            mask = photograph(mask, rng)
        return normalize_line(mask).image


_DRAW: dict = {}  # what the drawing worker reads (inherited by fork)


def draw_pool(seed: int) -> list[tuple[str, np.ndarray]]:
    """A pool of training samples (text, float32 (40, W) image), in the drawing worker: a ``font_share`` of
    them from the fonts, the rest UNIPEN ink, each varied afresh; samples too narrow for their text left out."""
    items, font, cfg = _DRAW["items"], _DRAW["font"], _DRAW["cfg"]
    rng = np.random.default_rng(seed)
    pool = []
    for _ in range(cfg.batch * 8):
        if not items or rng.random() < cfg.font_share:
            t = font.text(rng)
            im = font.render(t, rng)
        else:
            t, strokes = items[int(rng.integers(len(items)))]
            try:
                im = ink_sample(strokes, rng, cfg.paper_p)
            except EmptyInputError:
                im = None
        if im is not None and im.shape[1] // STRIDE >= 2 * len(t) + 1:
            pool.append((t, im))
    return pool


def encode(text: str) -> list[int]:
    return [INDEX[c] for c in text]


def greedy(logits: torch.Tensor, lengths: list[int]) -> list[str]:
    best = logits.argmax(-1).numpy()
    out = []
    for row, n in zip(best, lengths):
        prev, s = 0, []
        for k in row[:n]:
            if k != prev and k != 0:
                s.append(LABELS[k - 1])
            prev = k
        out.append("".join(s))
    return out


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def collate(images: list[np.ndarray]) -> tuple[torch.Tensor, list[int]]:
    width = max(im.shape[1] for im in images)
    width = int(math.ceil(width / STRIDE) * STRIDE)
    x = torch.zeros(len(images), 1, HEIGHT, width)
    for i, im in enumerate(images):
        x[i, 0, :, : im.shape[1]] = torch.from_numpy(im)
    return x, [int(math.ceil(im.shape[1] / STRIDE)) for im in images]


def evaluate(model: LineNet, dev: list[tuple[str, np.ndarray]]) -> float:
    """CER of greedy decoding on pre-drawn dev samples."""
    model.eval()
    errors = total = 0
    with torch.no_grad():
        for i in range(0, len(dev), 32):
            chunk = dev[i : i + 32]
            x, lengths = collate([im for _, im in chunk])
            for (text, _), got in zip(chunk, greedy(model(x), lengths)):
                errors += edit_distance(got, text)
                total += len(text)
    model.train()
    return errors / max(total, 1)


def export_onnx(model: LineNet, path: Path, report: dict, check: list[np.ndarray]) -> float:
    """Export with metadata; returns the max |torch - onnxruntime| on ``check``."""
    import onnx
    import onnxruntime as ort

    model.eval()
    wrapped = Exported(model).eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(wrapped, torch.zeros(1, 1, HEIGHT, 64), str(path), input_names=["lines"], output_names=["probs"],
                      dynamic_axes={"lines": {0: "n", 3: "w"}, "probs": {0: "n", 1: "t"}}, opset_version=17, dynamo=False)
    m = onnx.load(str(path))
    meta = {"hwr_line_labels": json.dumps(list(LABELS)), "hwr_line_preprocess": LINE_PREPROCESS_VERSION,
            "hwr_line_stride": str(STRIDE), "hwr_report": json.dumps(report)}
    for k, v in meta.items():
        e = m.metadata_props.add()
        e.key, e.value = k, v
    m.producer_name = "hwr-training"
    onnx.save(m, str(path))
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x, _ = collate(check)
    with torch.no_grad():
        ref = wrapped(x).numpy()
    got = sess.run(None, {"lines": x.numpy()})[0]
    return float(np.abs(ref - got).max())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the hwr line recognizer and export resources/line_model.onnx.")
    for f in dataclasses.fields(TrainConfig):
        name = "--" + f.name.replace("_", "-")
        if f.type == "bool":
            parser.add_argument(name, action="store_true")
        else:
            kind = {"float": float, "int": int}.get(str(f.type), str)
            parser.add_argument(name, type=kind, default=f.default)
    parser.add_argument("--resume", help="a last.pt / best.pt to go on from (its config, weights, optimizer, time)")
    parser.add_argument("--init", help="a checkpoint (or an exported .onnx) whose weights start a new run (its own optimizer and clock)")
    parser.add_argument("--export-checkpoint", help="only export this checkpoint to --export")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (1 leaves a core to other work)")
    args = parser.parse_args(argv)
    cfg = TrainConfig(**{f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig)})
    torch.set_num_threads(args.threads)
    model = LineNet(len(LABELS) + 1, cfg.hidden)

    if args.export_checkpoint:
        state = torch.load(args.export_checkpoint, weights_only=False)
        model.load_state_dict(state["model"])
        rng = np.random.default_rng(0)
        font = FontText(cfg)
        check = [font.render("check", rng) for _ in range(4)]
        diff = export_onnx(model, Path(cfg.export), state.get("report", {}), [c for c in check if c is not None])
        print(f"exported {cfg.export} (torch vs onnxruntime max abs diff {diff:.2e})")
        return

    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    logf = open(out / "train.log", "a")

    def log(msg: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {msg}"
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    if cfg.quick:
        cfg.minutes, cfg.eval_every, cfg.dev_limit = min(cfg.minutes, 1.0), 0.5, 40
    log("config " + json.dumps(dataclasses.asdict(cfg)))
    rng = np.random.default_rng(cfg.seed)
    font = FontText(cfg)
    if cfg.quick and not cfg.unipen_cache:
        train_items, dev_items = [], []
    else:
        train_items, dev_items = unipen_items(cfg, log)
    if cfg.quick:
        train_items, dev_items = train_items[:500], dev_items[:40]
    dev = []
    for label, strokes in dev_items[: cfg.dev_limit]:
        dev.append((label, ink_sample(strokes, None, 0.0)))
    if cfg.paper_dev:  # the same dev words written on paper (a fixed draw)
        paper_rng = np.random.default_rng(12345)
        dev += [(label, ink_sample(strokes, paper_rng, 2.0)) for label, strokes in dev_items[: cfg.dev_limit]]
    while len(dev) < min(cfg.dev_limit, 40):  # no UNIPEN: the fonts alone
        t = font.text(rng)
        im = font.render(t, rng)
        if im is not None:
            dev.append((t, im))
    log(f"{len(train_items)} UNIPEN training samples, {len(dev)} dev samples, {len(font.fonts)} fonts")

    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-4)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    state = {"elapsed": 0.0, "step": 0, "best": float("inf"), "seen": 0}
    if args.init and args.init.endswith(".onnx"):
        diff = weights_from_onnx(model, Path(args.init), [im for _, im in dev[:96]])
        log(f"weights from {args.init} (torch vs onnxruntime max abs diff {diff:.2e})")
        if diff > 1e-3:
            raise SystemExit(f"{args.init}: the weights read back do not reproduce the model ({diff:.2e})")
    elif args.init:
        model.load_state_dict(torch.load(args.init, weights_only=False)["model"])
        log(f"weights from {args.init}")
    if args.resume:
        ck = torch.load(args.resume, weights_only=False)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        state.update(ck["state"])
        rng = np.random.default_rng(cfg.seed + state["step"])
        log(f"resumed from {args.resume} at {state['elapsed'] / 60:.1f} min, step {state['step']}")
    budget = cfg.minutes * 60
    start = time.time() - state["elapsed"]
    last_eval = state["elapsed"]
    losses: list[float] = []
    model.train()

    def save(name: str) -> None:
        report = {"dev_cer": state["best"], "minutes": state["elapsed"] / 60, "samples_seen": state["seen"],
                  "unipen_train": len(train_items)}
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "state": state, "config": dataclasses.asdict(cfg),
                    "report": report}, out / name)

    def checkpoint(what: str) -> None:
        """Measure the dev CER, keep best.pt when it is the best so far, and last.pt always."""
        cer = evaluate(model, dev)
        log(f"{what} {cer:.4f} (best {state['best']:.4f})")
        if cer < state["best"]:
            state["best"] = cer
            save("best.pt")
        save("last.pt")

    _DRAW.update(items=train_items, font=font, cfg=cfg)
    workers = mp.get_context("fork").Pool(1)
    pending = [workers.apply_async(draw_pool, (int(rng.integers(2**31)),)) for _ in range(2)]
    while True:
        elapsed = time.time() - start
        if elapsed >= budget:
            break
        for g in opt.param_groups:
            g["lr"] = cfg.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, elapsed / budget))))
            if elapsed < 60:  # warm up
                g["lr"] *= max(0.05, elapsed / 60)
        pool = pending.pop(0).get()  # drawn by the worker while the last pool trained
        pending.append(workers.apply_async(draw_pool, (int(rng.integers(2**31)),)))
        pool.sort(key=lambda p: p[1].shape[1])
        batches = [pool[i : i + cfg.batch] for i in range(0, len(pool), cfg.batch)]
        rng.shuffle(batches)
        for b in batches:
            x, lengths = collate([im for _, im in b])
            targets = [encode(t) for t, _ in b]
            logp = F.log_softmax(model(x), -1).permute(1, 0, 2)  # (T, N, C)
            loss = ctc(logp, torch.tensor([c for t in targets for c in t]), torch.tensor(lengths),
                       torch.tensor([len(t) for t in targets]))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            losses.append(float(loss))
            state["step"] += 1
            state["seen"] += len(b)
        state["elapsed"] = time.time() - start
        if state["step"] % 50 < len(batches):
            rate = state["seen"] / max(state["elapsed"], 1e-6)
            log(f"step {state['step']} loss {np.mean(losses[-50:]):.3f} lr {opt.param_groups[0]['lr']:.2e} "
                f"{rate:.0f} samples/s, {state['elapsed'] / 60:.1f}/{cfg.minutes:.0f} min, ETA {(budget - state['elapsed']) / 60:.1f} min")
        if state["elapsed"] - last_eval >= cfg.eval_every * 60:
            last_eval = state["elapsed"]
            checkpoint("dev CER")
    workers.terminate()
    checkpoint("final dev CER")
    best = torch.load(out / "best.pt", weights_only=False)
    model.load_state_dict(best["model"])
    report = best["report"]
    diff = export_onnx(model, Path(cfg.export), report, [im for _, im in dev[:8]])
    report["onnx_max_abs_diff"] = diff
    (out / "report.json").write_text(json.dumps(report, indent=2))
    log(f"exported {cfg.export}: dev CER {report['dev_cer']:.4f}, torch vs onnxruntime max abs diff {diff:.2e}")


if __name__ == "__main__":
    main()
