"""Checkpoints and meta graphs move between minitf and TensorFlow (both directions).

Skipped without tensorflow; run it with a Python that has both, e.g.
  /tmp/tfvenv/bin/python -m pytest tests/train/test_checkpoint_compat.py
"""
import numpy as np
import pytest

import minitf as mtf
import minitf.kernels.io  # noqa: F401 - the SaveV2/RestoreV2 kernels

tensorflow = pytest.importorskip("tensorflow")
tf1 = tensorflow.compat.v1

VALUES = {
    "dense/kernel": np.arange(6, dtype=np.float32).reshape(2, 3) / 7,
    "dense/bias": np.array([0.5, -1.5, 2.0], np.float32),
    "scale": np.float64(1.25),
    "counts": np.array([[1, 2], [3, 4]], np.int64),
    "step": np.int32(17),
    "mask": np.array([True, False, True]),
    "vocab": np.array([b"alpha", b"", b"gamma"], dtype=object),
}


@pytest.fixture(autouse=True, scope="module")
def graph_mode():
    tf1.disable_v2_behavior()  # graph mode and ref variables, as TF1 programs run
    yield


def _variables(module):
    """The VALUES as variables of `module` (minitf or tf.compat.v1), in its default graph."""
    return {name: module.Variable(value, name=name) for name, value in VALUES.items()}


def _check(values):
    for name, expected in VALUES.items():
        np.testing.assert_array_equal(values[name], expected)
        assert np.asarray(values[name]).dtype == np.asarray(expected).dtype, name


def test_minitf_checkpoint_restores_in_tensorflow(tmp_path):
    variables = _variables(mtf)
    with mtf.Session() as sess:
        sess.run(mtf.global_variables_initializer())
        path = mtf.train.Saver().save(sess, str(tmp_path / "model.ckpt"), global_step=3)
    assert tf1.train.latest_checkpoint(str(tmp_path)) == path
    assert dict(tf1.train.list_variables(path)) == {k: list(np.shape(v)) for k, v in VALUES.items()}
    with tf1.Graph().as_default():
        variables = {name: tf1.Variable(tf1.zeros_like(value), name=name) if name != "vocab"
                     else tf1.Variable(["", "", ""], name=name) for name, value in VALUES.items()}
        with tf1.Session() as sess:
            tf1.train.Saver().restore(sess, path)
            _check(sess.run(variables))


def test_minitf_meta_graph_imports_in_tensorflow(tmp_path):
    x = mtf.placeholder(mtf.float32, [None, 2], name="x")
    kernel = mtf.Variable(VALUES["dense/kernel"], name="dense/kernel")
    bias = mtf.Variable(VALUES["dense/bias"], name="dense/bias")
    out = mtf.identity(mtf.matmul(x, kernel) + bias, name="out")
    mtf.add_to_collection("outputs", out)
    feed = np.array([[1.0, 2.0]], np.float32)
    with mtf.Session() as sess:
        sess.run(mtf.global_variables_initializer())
        path = mtf.train.Saver().save(sess, str(tmp_path / "m"))
        expected = sess.run(out, {x: feed})
    with tf1.Graph().as_default():
        saver = tf1.train.import_meta_graph(path + ".meta")
        assert [v.name for v in tf1.trainable_variables()] == ["dense/kernel:0", "dense/bias:0"]
        with tf1.Session() as sess:
            saver.restore(sess, path)
            np.testing.assert_allclose(sess.run(tf1.get_collection("outputs")[0], {"x:0": feed}), expected)


def test_tensorflow_checkpoint_restores_in_minitf(tmp_path):
    with tf1.Graph().as_default():
        _variables(tf1)
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            path = tf1.train.Saver().save(sess, str(tmp_path / "tf.ckpt"), global_step=9)
    assert mtf.train.latest_checkpoint(str(tmp_path)) == path
    reader = mtf.train.NewCheckpointReader(path)
    assert reader.get_variable_to_dtype_map()["counts"] == mtf.int64
    variables = {name: mtf.Variable(np.zeros_like(value), name=name) for name, value in VALUES.items()}
    with mtf.Session() as sess:
        mtf.train.Saver().restore(sess, path)
        _check(sess.run(variables))


def test_tensorflow_meta_graph_imports_in_minitf(tmp_path):
    feed = np.array([[1.0, 2.0], [0.0, -1.0]], np.float32)
    with tf1.Graph().as_default():
        x = tf1.placeholder(tf1.float32, [None, 2], name="x")
        kernel = tf1.Variable(VALUES["dense/kernel"], name="dense/kernel")
        out = tf1.identity(tf1.matmul(x, kernel), name="out")
        tf1.add_to_collection("outputs", out)
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            sess.run(kernel.assign(kernel * 2.0))
            path = tf1.train.Saver().save(sess, str(tmp_path / "tf.ckpt"))
            expected = sess.run(out, {x: feed})
    saver = mtf.train.import_meta_graph(path + ".meta")
    assert [v.name for v in mtf.global_variables()] == ["dense/kernel:0"]
    with mtf.Session() as sess:
        saver.restore(sess, path)
        np.testing.assert_allclose(sess.run(mtf.get_collection("outputs")[0], {"x:0": feed}), expected)
