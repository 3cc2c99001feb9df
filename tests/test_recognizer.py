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


def _head(path, labels, digest, version=None, scale=3.0):
    """A placement head in the format training/placement.py exports: placed = softmax(log p + placement @ W),
    W lifting the capitals by ``scale`` per x-height of the glyph's top."""
    from onnx import TensorProto, helper

    from hwr_desktop.context import PLACEMENT_DIM, PLACEMENT_VERSION

    w = np.zeros((PLACEMENT_DIM, len(labels)), np.float32)
    w[0] = [scale if c.isupper() else 0.0 for c in labels]
    graph = helper.make_graph(
        [helper.make_node("Max", ["probs", "floor"], ["kept"]), helper.make_node("Log", ["kept"], ["logp"]),
         helper.make_node("MatMul", ["placement", "w"], ["lift"]), helper.make_node("Add", ["logp", "lift"], ["z"]),
         helper.make_node("Softmax", ["z"], ["placed"], axis=1)],
        "head",
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["n", len(labels)]),
         helper.make_tensor_value_info("placement", TensorProto.FLOAT, ["n", PLACEMENT_DIM])],
        [helper.make_tensor_value_info("placed", TensorProto.FLOAT, ["n", len(labels)])],
        [helper.make_tensor("floor", TensorProto.FLOAT, [], [1e-6]),
         helper.make_tensor("w", TensorProto.FLOAT, list(w.shape), w.ravel().tolist())])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    import json

    for k, v in {"hwr_labels": json.dumps(list(labels)), "hwr_placement": version or PLACEMENT_VERSION,
                 "hwr_glyph_model": digest}.items():
        e = m.metadata_props.add()
        e.key, e.value = k, v
    onnx.save(m, str(path))
    return w


def test_a_placement_head_beside_its_model_is_loaded_and_reads_probabilities_and_placements(tmp_path, recognizer):
    from hwr_desktop.recognizer import PLACEMENT_SUFFIX, file_digest

    model = tmp_path / "m.onnx"
    shutil.copy(default_model_path(), model)
    assert Recognizer.from_path(model).placement is None  # none beside it: the measured table
    w = _head(tmp_path / ("m" + PLACEMENT_SUFFIX), recognizer.labels, file_digest(model))
    head = Recognizer.from_path(model).placement
    assert head is not None
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(len(recognizer.labels)), 5).astype(np.float32)
    place = rng.normal(1, 0.3, (5, w.shape[0])).astype(np.float32)
    want = probs * np.exp(place @ w)
    np.testing.assert_allclose(head(probs, place), want / want.sum(1, keepdims=True), rtol=1e-4, atol=1e-6)
    assert head(probs[:0], place[:0]).shape == (0, len(recognizer.labels))


@pytest.mark.parametrize("wrong", ["digest", "labels", "version"])
def test_a_placement_head_trained_for_something_else_is_not_used(tmp_path, recognizer, wrong, caplog):
    from hwr_desktop.recognizer import PLACEMENT_SUFFIX, file_digest

    model = tmp_path / "m.onnx"
    shutil.copy(default_model_path(), model)
    labels = recognizer.labels[::-1] if wrong == "labels" else recognizer.labels
    digest = "0" * 16 if wrong == "digest" else file_digest(model)
    _head(tmp_path / ("m" + PLACEMENT_SUFFIX), labels, digest, version="0" if wrong == "version" else None)
    with caplog.at_level("WARNING"):
        assert Recognizer.from_path(model).placement is None
    assert "measured table" in caplog.text


def test_the_shipped_placement_head_is_the_shipped_models():
    """training/placement.py trains the head on one glyph model's outputs: retraining the glyph model means
    training the head again, and this fails until then."""
    assert Recognizer.from_path(None).placement is not None
