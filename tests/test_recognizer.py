import shutil

import numpy as np
import onnx
import pytest

from hwr_desktop.errors import ModelError
from hwr_desktop.normalize import PREPROCESS_VERSION
from hwr_desktop.recognizer import Recognizer, default_model_path


def test_shipped_model_loads_with_its_metadata(recognizer):
    assert default_model_path().is_file()
    assert "".join(recognizer.labels) == "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" + ".,;:?!'\"-()/+=&@#%*"
    assert recognizer.info.preprocess == PREPROCESS_VERSION
    assert default_model_path().stat().st_size <= 5 * 1024 * 1024


def test_batched_prediction_gives_probabilities_and_features(recognizer):
    rng = np.random.default_rng(0)
    x = rng.random((300, 1, 28, 28), dtype=np.float32)
    probs, feats = recognizer.predict(x, batch=128)
    assert probs.shape == (300, len(recognizer.labels)) and feats is not None and feats.shape[0] == 300
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-4)
    single, _ = recognizer.predict(x[:1])
    np.testing.assert_allclose(single[0], probs[0], atol=1e-5)
    empty, _ = recognizer.predict(np.zeros((0, 1, 28, 28), np.float32))
    assert empty.shape == (0, len(recognizer.labels))


def test_missing_and_corrupt_models_name_the_file(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        Recognizer.from_path(tmp_path / "nope.onnx")
    bad = tmp_path / "truncated.onnx"
    bad.write_bytes(default_model_path().read_bytes()[:1000])
    with pytest.raises(ModelError, match="truncated.onnx"):
        Recognizer.from_path(bad)


def _with_metadata(tmp_path, key, value):
    m = onnx.load(str(default_model_path()))
    for p in m.metadata_props:
        if p.key == key:
            p.value = value
    out = tmp_path / f"{key}.onnx"
    onnx.save(m, str(out))
    return out


def test_wrong_preprocess_version_is_refused(tmp_path):
    with pytest.raises(ModelError, match="preprocessing"):
        Recognizer.from_path(_with_metadata(tmp_path, "hwr_preprocess", "old-1"))


def test_wrong_labels_are_refused(tmp_path):
    with pytest.raises(ModelError, match="labels"):
        Recognizer.from_path(_with_metadata(tmp_path, "hwr_labels", '["0", "1"]'))
    with pytest.raises(ModelError, match="hwr_labels"):
        Recognizer.from_path(_with_metadata(tmp_path, "hwr_labels", "not json"))
