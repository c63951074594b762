"""Harness cases: summary ops (minitf/ops/summary_ops.py). Each output is a serialized Summary,
checked by parsing it; tests/summary/ holds the detailed checks against TF1's values."""
import numpy as np
import pytest

import minitf as tf
from harness import FLOATS, REALS, OpCase, uniform


def _values(results):
    return tf.summary.Summary.FromString(results[0]).value


def _check_scalar(results, arrays):
    (value,) = _values(results)
    assert (value.tag, value.simple_value) == ("s", pytest.approx(float(arrays[0]), rel=1e-3))


def _check_histogram(results, arrays):
    (value,) = _values(results)
    flat = arrays[0].astype(np.float64).ravel()
    assert (value.histo.num, sum(value.histo.bucket)) == (flat.size, flat.size)
    assert (value.histo.min, value.histo.max) == (flat.min(), flat.max())


def _check_image(results, arrays):
    values = _values(results)
    assert [v.tag for v in values] == ["i/image/0", "i/image/1"]
    assert all((v.image.height, v.image.width, v.image.colorspace) == (4, 5, 3) for v in values)


def _check_tensor(results, arrays):
    (value,) = _values(results)
    assert value.tag == "t" and value.metadata.display_name == "T"
    np.testing.assert_array_equal(tf.make_ndarray(tf.TensorProto.FromString(value.tensor.SerializeToString())),
                                  arrays[0])


def _check_merge(results, arrays):
    assert [v.tag for v in _values(results)] == ["a", "b"]


CASES = [
    OpCase("ScalarSummary", build=lambda v: tf.summary.scalar("s", v), inputs=lambda d, rng: [
        uniform(())(d, rng)], check=_check_scalar, dtypes=REALS + (tf.float16, tf.uint8), grad=False),
    OpCase("HistogramSummary", build=lambda v: tf.summary.histogram("h", v), inputs=lambda d, rng: [
        uniform((3, 4))(d, rng)], check=_check_histogram, dtypes=REALS + (tf.float16,), grad=False),
    OpCase("ImageSummary", build=lambda v: tf.summary.image("i", v), inputs=lambda d, rng: [
        uniform((2, 4, 5, 3), 0, 1)(d, rng)], check=_check_image, dtypes=FLOATS, grad=False),
    OpCase("TensorSummaryV2", build=lambda v: tf.summary.tensor_summary("t", v, display_name="T"),
           inputs=lambda d, rng: [uniform((2, 3))(d, rng)], check=_check_tensor,
           dtypes=REALS, grad=False),
    OpCase("MergeSummary", build=lambda v: tf.summary.merge([tf.summary.scalar("a", v), tf.summary.scalar("b", v)]),
           inputs=lambda d, rng: [uniform(())(d, rng)], check=_check_merge, grad=False),
]
