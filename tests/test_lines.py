"""The line recognizer's input: one normalization for any ink, and the model's metadata checked on load."""

import json

import cv2
import numpy as np
import onnx
import pytest

from hwr_desktop.errors import EmptyInputError, ModelError
from hwr_desktop.ink import Stroke
from hwr_desktop.lines import (BODY, CENTER, HEIGHT, PAD, LineImage, LineRecognizer, default_line_model_path,
                               ink_line_mask, line_body, normalize_line)


def text_mask(text: str, scale: float, thickness: int) -> np.ndarray:
    (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    img = np.zeros((h + base + 20, w + 20), np.uint8)
    cv2.putText(img, text, (10, 10 + h), cv2.FONT_HERSHEY_SIMPLEX, scale, 255, thickness)
    return img > 0


def test_a_line_is_drawn_at_one_body_height_whatever_its_size_and_pen():
    small = normalize_line(text_mask("vacuum", 1.0, 2))
    big = normalize_line(text_mask("vacuum", 4.0, 9))
    for li in (small, big):
        assert li.image.shape[0] == HEIGHT and li.image.dtype == np.float32
        assert 0.0 <= li.image.min() and li.image.max() <= 1.0
        rows = np.nonzero(li.image.sum(1) > 0.5)[0]
        assert abs((rows.max() - rows.min()) - BODY) <= 4  # x-height letters only: the body is the whole
    assert abs(small.image.shape[1] - big.image.shape[1]) <= 0.1 * big.image.shape[1]
    # the pen is redrawn: the same ink per column whatever drew it
    assert small.image.sum() == pytest.approx(big.image.sum(), rel=0.2)


def test_the_median_row_lands_on_the_centre_and_columns_map_back():
    mask = text_mask("hello", 2.0, 4)
    li = normalize_line(mask)
    rows = np.nonzero(li.image > 0.5)[0]
    assert abs(np.median(rows) - CENTER) <= 2
    cols = np.nonzero(mask.any(0))[0]
    assert li.to_input_x(PAD) == pytest.approx(cols[0])
    out_cols = np.nonzero(li.image.sum(0) > 0.2)[0]
    assert li.to_input_x(out_cols[-1] + 1) == pytest.approx(cols[-1] + 1, abs=2 / li.scale)


def test_an_empty_line_is_refused_and_a_dash_has_a_body():
    with pytest.raises(EmptyInputError):
        normalize_line(np.zeros((10, 10), bool))
    dash = np.zeros((20, 40), bool)
    dash[10, 5:35] = True
    assert line_body(dash)[1] >= 1.0
    assert normalize_line(dash).image.max() > 0


def test_ink_is_drawn_by_its_own_size_so_canvas_zoom_does_not_matter():
    def wave(scale):
        t = np.linspace(0, 6 * np.pi, 200)
        return [Stroke(np.c_[t * 5 * scale, (np.sin(t) * 5 + 20) * scale])]

    a = normalize_line(ink_line_mask(wave(1.0))[0]).image
    b = normalize_line(ink_line_mask(wave(3.0))[0]).image
    assert abs(a.shape[1] - b.shape[1]) <= 2
    assert np.abs(a[:, : min(a.shape[1], b.shape[1])] - b[:, : min(a.shape[1], b.shape[1])]).mean() < 0.05
    with pytest.raises(EmptyInputError):
        ink_line_mask([])


@pytest.fixture(scope="module")
def line_recognizer():
    return LineRecognizer.from_path()


def test_the_shipped_line_model_loads_and_reads_lines_of_any_width(line_recognizer):
    assert " " in line_recognizer.labels and "a" in line_recognizer.labels and "7" in line_recognizer.labels
    lines = [LineImage(np.zeros((HEIGHT, w), np.float32), 0.0, 1.0) for w in (30, 200, 201, 900)]
    out = line_recognizer.predict(lines)
    for li, p in zip(lines, out):
        assert p.shape == (int(np.ceil(li.image.shape[1] / line_recognizer.stride)), len(line_recognizer.labels) + 1)
        assert np.allclose(p.sum(1), 1.0, atol=1e-4)
    assert line_recognizer.predict([]) == []


def _with_meta(tmp_path, key, value):
    m = onnx.load(str(default_line_model_path()))
    for e in m.metadata_props:
        if e.key == key:
            e.value = value
    out = tmp_path / "bad.onnx"
    onnx.save(m, str(out))
    return out


def test_line_models_with_wrong_metadata_or_no_file_are_refused(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        LineRecognizer.from_path(tmp_path / "none.onnx")
    with pytest.raises(ModelError, match="preprocessing"):
        LineRecognizer.from_path(_with_meta(tmp_path, "hwr_line_preprocess", "hwr-line-0"))
    with pytest.raises(ModelError, match="outputs"):
        LineRecognizer.from_path(_with_meta(tmp_path, "hwr_line_labels", json.dumps(list("abc"))))
    (tmp_path / "junk.onnx").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="junk.onnx"):
        LineRecognizer.from_path(tmp_path / "junk.onnx")
