"""tf.cumsum / tf.cumprod and the segment reductions: names, static shapes, construction and
run-time errors, TF1's values at the edges (missing segments, empty segments, integer means) and
gradient values. The harness (cases_segment.py) covers values and gradients at ordinary inputs.

Values and messages were checked against TensorFlow 2.21's tf.compat.v1 with v2 behavior
disabled (its graph-construction messages name the node differently; minitf keeps TF 1.x's
"for 'SegmentSum' (op: 'SegmentSum') with input shapes: ..." suffix).
"""
import numpy as np
import pytest

import minitf as tf

DATA = np.array([[1, 2], [3, -4], [5, 6], [-7, 8]], np.float32)


def run(fetch, feed=None):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


def fed(value):
    """A tensor whose value (and so whose problems) only shows at run time."""
    return tf.placeholder_with_default(value, None)


# ======================================================================================
# Names and static shapes
# ======================================================================================
def test_names_and_static_shapes():
    x = tf.placeholder(tf.float32, [2, None])
    total = tf.cumsum(x, 1, exclusive=True)
    assert total.name == "Cumsum:0" and total.shape.as_list() == [2, None]
    assert [t.name for t in total.op.inputs] == ["Placeholder:0", "Cumsum/axis:0"]
    assert total.op.get_attr("exclusive") and not total.op.get_attr("reverse")
    assert tf.cumsum([1.0, 2.0]).op.inputs[0].name == "Cumsum_1/x:0"
    assert tf.cumprod(x, name="foo").op.inputs[1].name == "foo/axis:0"
    data = tf.placeholder(tf.float32, [4, 3])
    for function in (tf.segment_sum, tf.segment_mean, tf.segment_max, tf.segment_min, tf.segment_prod):
        result = function(data, [0, 0, 2, 2])
        assert result.shape.as_list() == [None, 3]  # TF1 leaves the row count unknown
    for function in (tf.unsorted_segment_max, tf.unsorted_segment_min, tf.unsorted_segment_prod):
        assert function(data, [0, 0, 2, 2], 3).shape.as_list() == [3, 3]
    mean = tf.unsorted_segment_mean(data, [0, 0, 2, 2], 3)
    assert mean.name == "UnsortedSegmentMean/truediv:0" and mean.shape.as_list() == [3, 3]
    sqrt_n = tf.unsorted_segment_sqrt_n(data, [0, 0, 2, 2], 3)
    assert sqrt_n.name == "UnsortedSegmentSqrtN/truediv:0" and sqrt_n.shape.as_list() == [3, 3]


# ======================================================================================
# Errors at construction (static shapes and dtypes)
# ======================================================================================
@pytest.mark.parametrize("build,error,message", [
    (lambda d: tf.segment_sum(d, [[0, 0], [1, 1]]), ValueError, "Shape must be rank 1 but is rank 2"),
    (lambda d: tf.segment_max(tf.constant(1.0), [0]), ValueError, "Shape must be at least rank 1 but is rank 0"),
    (lambda d: tf.segment_sum(d, tf.constant([0.0, 1, 2, 3])), TypeError,
     "parameter 'segment_ids' has DataType float32 not in list of allowed values: int32, int64"),
    (lambda d: tf.segment_max(tf.constant([1j]), [0]), TypeError, "DataType complex128 not in list"),
    (lambda d: tf.unsorted_segment_max(d, [[0, 0], [1, 1]], 3), ValueError,
     "Dimensions must be equal, but are 4 and 2"),
    (lambda d: tf.unsorted_segment_min(d, [0, 0, 1], 3), ValueError, "Dimensions must be equal, but are 4 and 3"),
    (lambda d: tf.unsorted_segment_prod(d, [0, 0, 1, 1], [3]), ValueError, "Shape must be rank 0 but is rank 1"),
    (lambda d: tf.unsorted_segment_max(tf.constant(1.0), [0], 2), ValueError,
     "Shape must be at least rank 1 but is rank 0"),
    (lambda d: tf.unsorted_segment_prod(d, [0, 0, 1, 1], -1), ValueError,
     "Dimension size, given by scalar input 2, must be non-negative but is -1"),
    (lambda d: tf.unsorted_segment_sqrt_n(tf.constant([1, 2, 3]), [0, 0, 1], 2), TypeError,
     "parameter 'x' has DataType int32 not in list of allowed values"),
    (lambda d: tf.cumsum(tf.constant([True])), TypeError, "parameter 'x' has DataType bool not in list"),
])
def test_construction_errors(build, error, message):
    with pytest.raises(error, match=message):
        build(tf.placeholder(tf.float32, [4, 3]))


def test_construction_error_names_the_op():
    with pytest.raises(ValueError, match=r"for 'SegmentSum' \(op: 'SegmentSum'\) with input shapes: \[4,3\], \[2,2\]"):
        tf.segment_sum(tf.placeholder(tf.float32, [4, 3]), [[0, 0], [1, 1]])


def test_scan_shapes_are_not_checked_at_construction():
    """TF1's Cumsum shape function is UnchangedShape: a bad axis waits for the kernel."""
    x = tf.placeholder(tf.float32, [2, 3])
    assert tf.cumsum(x, 5).shape.as_list() == [2, 3]
    assert tf.cumprod(x, [0, 1]).shape.as_list() == [2, 3]
    assert tf.cumsum(tf.constant(3.0)).shape.as_list() == []


# ======================================================================================
# Errors at run time (TF1's kernel messages)
# ======================================================================================
@pytest.mark.parametrize("ids,message", [
    ([0, 2, 1, 3], "segment ids are not increasing"),
    ([0, 0, 1, 0], "segment ids are not increasing"),
    ([0, -1, 1, 1], "segment ids are not increasing"),
    ([0, 0, -3, 1], "segment ids are not increasing"),  # the decrease comes before the negative run
    ([-1, 0, 1, 1], r"Segment id -1 out of range \[0, 2\), possibly because 'segment_ids' input is not sorted."),
    ([3, 4, 1, 1], r"Segment id 3 out of range \[0, 2\), possibly because 'segment_ids' input is not sorted."),
    ([0, 0, 1, -1], "segment ids must be >= 0"),  # the last id sets the row count
    ([1, 0, 0, -1], "segment ids must be >= 0"),
    ([-1, -1, -1, -1], "segment ids must be >= 0"),
])
@pytest.mark.parametrize("function", [tf.segment_sum, tf.segment_mean, tf.segment_max, tf.segment_prod])
def test_sorted_segment_id_errors(function, ids, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        run(function(DATA, ids))


@pytest.mark.parametrize("build,message", [
    (lambda: tf.segment_min(DATA, fed([0, 0, 1])), "segment_ids should be the same size as dimension 0 of input."),
    (lambda: tf.segment_min(DATA, fed([[0, 0], [1, 1]])), "segment_ids should be a vector."),
    (lambda: tf.segment_min(fed(1.0), [0]), "input must be at least rank 1"),
    (lambda: tf.unsorted_segment_max(DATA, [0, 5, 7, 1], 4), r"segment_ids\[1\] = 5 is out of range \[0, 4\)"),
    (lambda: tf.unsorted_segment_max(DATA.reshape(2, 2, 2), [[0, 1], [7, 1]], 3),
     r"segment_ids\[1,0\] = 7 is out of range \[0, 3\)"),
    (lambda: tf.unsorted_segment_prod(DATA, 4, 3), r"segment_ids = 4 is out of range \[0, 3\)"),
    (lambda: tf.unsorted_segment_min(DATA, fed([0, 0, 1]), 4),
     r"data.shape = \[4,2\] does not start with segment_ids.shape = \[3\]"),
    (lambda: tf.unsorted_segment_min(DATA, fed([0]), fed(-1)),  # the shapes are checked first
     r"data.shape = \[4,2\] does not start with segment_ids.shape = \[1\]"),
    (lambda: tf.unsorted_segment_prod(DATA, [0, 0, 1, 1], fed(np.int64(-1))),
     "Input num_segments == -1 must not be negative."),
    (lambda: tf.unsorted_segment_max(DATA, [0, 0, 1, 1], fed([3])),
     r"num_segments should be a scalar, not shape \[1\]"),
    (lambda: tf.cumsum(DATA, 2), r"ScanOp: Expected scan axis in the range \[-2, 2\), but got 2"),
    (lambda: tf.cumprod(DATA, -3), r"ScanOp: Expected scan axis in the range \[-2, 2\), but got -1"),
    (lambda: tf.cumsum(DATA, [0]), r"ScanOp: axis must be a scalar, not \[1\]"),
    (lambda: tf.cumprod(fed(np.float32(3.0))), r"ScanOp: Expected scan axis in the range \[0, 0\), but got 0"),
])
def test_run_time_errors(build, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        run(build())


# ======================================================================================
# Values at the edges
# ======================================================================================
def test_sorted_segments_no_id_names_are_zero_or_one():
    ids = [0, 0, 3, 3]
    np.testing.assert_array_equal(run(tf.segment_sum(DATA, ids)), [[4, -2], [0, 0], [0, 0], [-2, 14]])
    np.testing.assert_array_equal(run(tf.segment_mean(DATA, ids)), [[2, -1], [0, 0], [0, 0], [-1, 7]])
    np.testing.assert_array_equal(run(tf.segment_max(DATA, ids)), [[3, 2], [0, 0], [0, 0], [5, 8]])
    np.testing.assert_array_equal(run(tf.segment_min(DATA, ids)), [[1, -4], [0, 0], [0, 0], [-7, 6]])
    np.testing.assert_array_equal(run(tf.segment_prod(DATA, ids)), [[3, -8], [1, 1], [1, 1], [-35, 48]])


def test_integer_segment_mean_truncates():
    """C's integer division: the mean of -3 and -4 is -3."""
    result = run(tf.segment_mean(np.array([-3, -4, 5], np.int32), [0, 0, 1]))
    assert result.dtype == np.int32
    np.testing.assert_array_equal(result, [-3, 5])
    np.testing.assert_array_equal(run(tf.segment_mean(DATA.astype(np.int64), [1, 1, 1, 3])),
                                  [[0, 0], [3, 1], [0, 0], [-7, 8]])


@pytest.mark.parametrize("dtype,lowest,highest", [
    (np.float32, -3.4028235e38, 3.4028235e38), (np.float16, -65504, 65504),
    (np.int32, -2**31, 2**31 - 1), (np.int64, -2**63, 2**63 - 1), (np.uint8, 0, 255),
])
def test_empty_unsorted_segments(dtype, lowest, highest):
    """An empty segment's max is the dtype's lowest value, its min the highest, its product 1."""
    data = np.array([1, 2], dtype)
    for function, empty in ((tf.unsorted_segment_max, lowest), (tf.unsorted_segment_min, highest),
                            (tf.unsorted_segment_prod, 1)):
        result = run(function(data, [0, 0], 2))
        assert result.dtype == dtype and result[1] == np.array(empty, dtype)


def test_unsorted_segments_drop_negative_ids():
    ids = [2, -1, 0, 2]
    np.testing.assert_array_equal(run(tf.unsorted_segment_max(DATA, ids, 3))[[0, 2]], [[5, 6], [1, 8]])
    np.testing.assert_array_equal(run(tf.unsorted_segment_prod(DATA, ids, 3)), [[5, 6], [1, 1], [-7, 16]])
    np.testing.assert_allclose(run(tf.unsorted_segment_mean(DATA, ids, 4)), [[5, 6], [0, 0], [-3, 5], [0, 0]])
    np.testing.assert_allclose(run(tf.unsorted_segment_sqrt_n(DATA, ids, 3)),
                               [[5, 6], [0, 0], [-6 / np.sqrt(2), 10 / np.sqrt(2)]], rtol=1e-6)


def test_unsorted_segment_mean_of_integers_is_float64():
    result = tf.unsorted_segment_mean(DATA.astype(np.int32), [2, -1, 0, 2], 4)
    assert result.dtype == tf.float64
    np.testing.assert_array_equal(run(result), [[5, 6], [0, 0], [-3, 5], [0, 0]])


def test_scalar_ids_make_one_segment_of_the_whole():
    result = run(tf.unsorted_segment_max(DATA, fed(0), 2))
    np.testing.assert_array_equal(result[0], DATA)
    assert (result[1] == np.finfo(np.float32).min).all()


def test_scans():
    x = np.array([[1, 2, 3], [4, 5, 6]], np.float32)
    np.testing.assert_array_equal(run(tf.cumsum(x, 1, exclusive=True, reverse=True)), [[5, 3, 0], [11, 6, 0]])
    np.testing.assert_array_equal(run(tf.cumprod(x, -1, exclusive=True)), [[1, 1, 2], [1, 4, 20]])
    np.testing.assert_array_equal(run(tf.cumsum(np.array([3, 4, 5], np.uint8))), [3, 7, 12])
    assert run(tf.cumsum(np.zeros((0, 3), np.float32), exclusive=True)).shape == (0, 3)


# ======================================================================================
# Gradients at ties, zeros and dropped rows (TF's values)
# ======================================================================================
@pytest.mark.parametrize("build,x,want", [
    (lambda x: tf.segment_max(x, [0, 0, 0]), [3.0, 3.0, 3.0], [1 / 3, 1 / 3, 1 / 3]),  # ties share
    (lambda x: tf.segment_min(x, [0, 0, 1]), [3.0, 3.0, 3.0], [0.5, 0.5, 1.0]),
    (lambda x: tf.unsorted_segment_max(x, [0, -1, 0], 3), [3.0, 1.0, 3.0], [0.5, 0.0, 0.5]),
    (lambda x: tf.unsorted_segment_max(x, [0, -1, 1], 3), [3.0, 0.0, 3.0], [1.0, 0.0, 1.0]),
    (lambda x: tf.unsorted_segment_prod(x, [0, 0, 0], 1), [2.0, 0.0, 3.0], [0.0, 6.0, 0.0]),  # one zero
    (lambda x: tf.unsorted_segment_prod(x, [0, 0, 0], 1), [0.0, 0.0, 3.0], [0.0, 0.0, 0.0]),  # two zeros
    (lambda x: tf.unsorted_segment_prod(x, [0, -1, 0], 1), [2.0, 0.0, 3.0], [3.0, 0.0, 2.0]),
    (lambda x: tf.segment_prod(x, [0, 0, 1]), [2.0, 0.0, 3.0], [0.0, 2.0, 1.0]),
    (lambda x: tf.segment_mean(x, [0, 0, 2]), [2.0, 5.0, 3.0], [0.5, 0.5, 1.0]),
    (lambda x: tf.unsorted_segment_sqrt_n(x, [0, 0, 2], 3), [2.0, 5.0, 3.0], [0.5 ** 0.5, 0.5 ** 0.5, 1.0]),
    (lambda x: tf.cumsum(x, exclusive=True, reverse=True) * [1.0, 2.0, 3.0], [2.0, 5.0, 3.0], [0.0, 1.0, 3.0]),
    (lambda x: tf.cumprod(x, exclusive=True) * [1.0, 2.0, 3.0], [2.0, 5.0, 3.0], [17.0, 6.0, 0.0]),
    (lambda x: tf.cumprod(x, reverse=True) * [1.0, 2.0, 3.0], [2.0, 5.0, 3.0], [15.0, 12.0, 23.0]),
])
def test_gradients(build, x, want):
    placeholder = tf.placeholder(tf.float64, [3])
    grad, = tf.gradients(build(placeholder), placeholder)
    np.testing.assert_allclose(run(grad, {placeholder: x}), want)


def test_cumprod_gradient_divides_by_the_input():
    """TF1's formula divides by x, so a zero input gets NaN (TF 2 switched to div_no_nan: 0)."""
    x = tf.placeholder(tf.float64, [3])
    grad, = tf.gradients(tf.cumprod(x), x)
    result = run(grad, {x: [1.0, 0.0, 3.0]})
    assert np.isnan(result[1]) and result[0] == 1.0
