"""Make training glyphs: font and Hershey renders, pen-like augmentation, real images re-drawn.

Every sample ends in ``hwr_desktop.normalize.normalize_glyph``, the function the
app runs on every glyph it reads; nothing here produces model input any other way.
All functions take an explicit ``numpy.random.Generator`` so a seed reproduces a set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from hwr_desktop.errors import EmptyInputError
from hwr_desktop.normalize import normalize_glyph

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SYMBOLS = ".,;:?!'\"-()/+=&@#%*"  # the punctuation and symbols the glyph model reads (UNIPEN 1d, fonts, Hershey)
CLASSES = ALNUM + SYMBOLS

HERSHEY_FACES = {
    "simplex": cv2.FONT_HERSHEY_SIMPLEX,
    "plain": cv2.FONT_HERSHEY_PLAIN,
    "duplex": cv2.FONT_HERSHEY_DUPLEX,
    "complex": cv2.FONT_HERSHEY_COMPLEX,
    "triplex": cv2.FONT_HERSHEY_TRIPLEX,
    "script_simplex": cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
    "script_complex": cv2.FONT_HERSHEY_SCRIPT_COMPLEX,
}


@dataclass(frozen=True)
class FontSpec:
    """A vendored font: its file and the characters it draws distinctly."""

    name: str
    path: Path


def load_font_manifest(font_dir: Path) -> list[FontSpec]:
    """Read ``manifest.json`` of the vendored fonts folder."""
    manifest = json.loads((font_dir / "manifest.json").read_text())
    return [FontSpec(f["name"], font_dir / f["file"]) for f in manifest["fonts"]]


def render_font(path: Path, char: str, px: int) -> np.ndarray:
    """Render one character of a TrueType/WOFF font.

    Returns:
        bool (H, W), True = ink; may be empty when the font lacks the glyph.
    """
    font = ImageFont.truetype(str(path), px)
    x0, y0, x1, y1 = font.getbbox(char)
    w, h = max(1, x1 - x0 + 8), max(1, y1 - y0 + 8)
    img = Image.new("L", (w, h), 0)
    ImageDraw.Draw(img).text((4 - x0, 4 - y0), char, fill=255, font=font)
    return np.asarray(img) > 100


_NOTDEF = "\U0010fffd"  # no font draws this: what it renders is the font's "missing glyph" box


def font_draws(path: Path, char: str) -> bool:
    """Whether a font draws ``char`` with a glyph of its own (not empty, not its missing-glyph box)."""
    drawn = render_font(path, char, 48)
    if not drawn.any():
        return False
    missing = render_font(path, _NOTDEF, 48)
    return not (drawn.shape == missing.shape and np.array_equal(drawn, missing))


def render_hershey(face: int, char: str, italic: bool, thickness: int) -> np.ndarray:
    """Render one character with an OpenCV Hershey (single-stroke) font; bool (H, W)."""
    f = face | (cv2.FONT_ITALIC if italic else 0)
    scale = 2.0
    (tw, th), base = cv2.getTextSize(char, f, scale, thickness)
    pad = 10 + thickness
    img = np.zeros((th + base + 2 * pad, tw + 2 * pad), np.uint8)
    cv2.putText(img, char, (pad, pad + th), f, scale, 255, thickness, cv2.LINE_AA)
    return img > 100


def _pad(mask: np.ndarray, frac: float = 0.35) -> np.ndarray:
    h, w = mask.shape
    p = int(max(h, w) * frac) + 2
    return np.pad(mask, p)


def random_affine(mask: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """Rotate, shear and stretch a mask the way hands and cameras do."""
    m = _pad(mask).astype(np.uint8)
    h, w = m.shape
    angle = np.deg2rad(rng.normal(0, 6) * strength)
    shear = rng.normal(0, 0.18) * strength
    sx = np.exp(rng.normal(0, 0.12) * strength)
    sy = np.exp(rng.normal(0, 0.08) * strength)
    c, s = np.cos(angle), np.sin(angle)
    a = np.array([[c, -s], [s, c]]) @ np.array([[1, shear], [0, 1]]) @ np.diag([sx, sy])
    center = np.array([w / 2, h / 2])
    t = center - a @ center
    mat = np.hstack([a, t[:, None]]).astype(np.float32)
    return cv2.warpAffine(m, mat, (w, h), flags=cv2.INTER_LINEAR) > 0


def elastic(mask: np.ndarray, rng: np.random.Generator, alpha: float, sigma: float) -> np.ndarray:
    """Smooth random displacement (Simard et al. 2003), in units of the glyph size."""
    h, w = mask.shape
    size = max(h, w)
    dx = cv2.GaussianBlur(rng.uniform(-1, 1, (h, w)).astype(np.float32), (0, 0), sigma * size)
    dy = cv2.GaussianBlur(rng.uniform(-1, 1, (h, w)).astype(np.float32), (0, 0), sigma * size)
    norm = max(np.abs(dx).max(), np.abs(dy).max(), 1e-6)
    dx *= alpha * size / norm
    dy *= alpha * size / norm
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(mask.astype(np.uint8) * 255, xs + dx, ys + dy, cv2.INTER_LINEAR) > 127


def pen_damage(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Imitate faint pens and poor scans: gaps in strokes, varying width, stray specks."""
    m = mask.astype(np.uint8)
    h, w = m.shape
    size = max(h, w)
    r = rng.random()
    if r < 0.25:
        k = max(1, int(size * rng.uniform(0.01, 0.05)))
        m = cv2.dilate(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    elif r < 0.4:
        eroded = cv2.erode(m, np.ones((2, 2), np.uint8))
        if eroded.sum() > 0.4 * m.sum():
            m = eroded
    if rng.random() < 0.25:  # small gaps where the pen skipped
        ys, xs = np.nonzero(m)
        for _ in range(rng.integers(1, 3)):
            i = rng.integers(len(ys))
            cv2.circle(m, (int(xs[i]), int(ys[i])), max(1, int(size * 0.025)), 0, -1)
    return m > 0


def augment(mask: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """The full pen/canvas/scanner augmentation of one glyph mask (bool (H, W))."""
    m = random_affine(mask, rng, strength)
    if rng.random() < 0.7:
        m = elastic(m, rng, alpha=rng.uniform(0.01, 0.035) * strength, sigma=rng.uniform(0.06, 0.12))
    m = pen_damage(m, rng)
    if not m.any():
        return mask
    return m


def upsample_real(img: np.ndarray) -> np.ndarray:
    """A gray real sample (white ink on black) as a bool mask, enlarged to about 84 px."""
    h, w = img.shape
    factor = max(1, round(84 / max(h, w)))
    big = cv2.resize(img, (w * factor, h * factor), interpolation=cv2.INTER_CUBIC)
    return big > 110


def normalize_or_none(mask: np.ndarray) -> np.ndarray | None:
    """``normalize_glyph`` that returns None for an empty mask instead of raising."""
    try:
        return normalize_glyph(mask)
    except EmptyInputError:
        return None


def simulate_scan(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Photograph or scan a glyph, then read it back exactly as the app reads an image.

    The glyph's skeleton is redrawn with a random pen width at a small random
    size (14-64 px), laid as ink of random contrast on paper with uneven light,
    noise, blur and JPEG, then binarized by ``hwr_desktop.binarize.binarize``
    and cut out by ``pipeline.single_glyph_mask``. Returns a bool mask (the
    original when nothing survives).
    """
    from hwr_desktop.binarize import binarize
    from hwr_desktop.normalize import thin
    from hwr_desktop.pipeline import single_glyph_mask

    m = mask.astype(np.uint8)
    ys, xs = np.nonzero(m)
    if ys.size == 0:
        return mask
    m = m[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    size = max(m.shape)
    target = rng.uniform(14, 64)
    scale = target / size
    pen_px = rng.uniform(0.8, 3.5) if rng.random() < 0.8 else rng.uniform(3.5, 6)  # in output pixels
    d = max(1, int(round(pen_px / scale)))
    skel = thin(np.pad(m, d + 1))
    drawn = cv2.dilate(skel, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))).astype(np.float32)
    h, w = drawn.shape
    cov = cv2.resize(drawn, (max(2, round(w * scale)), max(2, round(h * scale))), interpolation=cv2.INTER_AREA)
    pad = int(rng.integers(2, 12))
    cov = np.pad(cov, pad)
    paper = rng.uniform(140, 245)
    contrast = rng.uniform(0.25, 0.9)
    hh, ww = cov.shape
    light = 1.0 + rng.uniform(-0.12, 0.12) * np.linspace(-1, 1, ww)[None, :] + rng.uniform(-0.12, 0.12) * np.linspace(-1, 1, hh)[:, None]
    img = paper * light * (1.0 - contrast * np.clip(cov, 0, 1))
    if rng.random() < 0.5:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 0.9))
    img = img + rng.normal(0, rng.uniform(0, 6), img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(40, 95))])
        img = cv2.imdecode(enc, cv2.IMREAD_GRAYSCALE)
    try:
        return single_glyph_mask(binarize(img))
    except Exception:  # nothing legible survived: keep the clean glyph
        return mask


def writer_glyphs(draw, per_class: int, rng: np.random.Generator, classes: str = CLASSES) -> tuple[np.ndarray, np.ndarray]:
    """One "writer": each character drawn once by ``draw(char, rng) -> bool mask`` (the writer's shape, held
    fixed), then varied ``per_class`` times by ``augment`` (and half of them by ``simulate_scan``).

    Returns:
        uint8 (N, 28, 28) normalized glyphs (ink 255) and int64 (N,) indices into ``classes``;
        characters that ``draw`` leaves empty are skipped.
    """
    xs, ys = [], []
    for ci, ch in enumerate(classes):
        base = draw(ch, rng)
        if not base.any():
            continue
        for _ in range(per_class):
            m = augment(base, rng, 1.0)
            if rng.random() < 0.5:
                m = simulate_scan(m, rng)
            g = normalize_or_none(m)
            if g is not None:
                xs.append((g * 255).round().astype(np.uint8))
                ys.append(ci)
    if not xs:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64)
    return np.stack(xs), np.array(ys, np.int64)
