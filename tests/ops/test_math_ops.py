"""Focused tests of the math family beyond the harness table: TF1 names and graph structure,
construction-time and run-time errors, dtypes of integer arithmetic, composites (logsumexp,
clip_by_norm, count_nonzero, add_check_numerics_ops) and the operator overloads."""
import operator

import numpy as np
import pytest

import minitf as tf
from minitf.ops.op_builder import apply_op
from minitf.runtime.devices import local_devices
from minitf.runtime.kernel_registry import KernelContext, find_kernel


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


def _ops():
    return [(op.name, op.type) for op in tf.get_default_graph().get_operations()]


# ======================================================================================
# TF1 names
# ======================================================================================
def test_operator_names_follow_tf1():
    x = tf.placeholder(tf.float32, [2, 2], name="x")
    assert (x + 1.0).name == "add:0"
    assert ("add/y", "Const") in _ops()
    assert (x @ [[1.0, 0.0], [0.0, 1.0]]).name == "matmul:0"
    assert ([[1.0, 0.0], [0.0, 1.0]] @ x).op.inputs[0].name == "matmul_1/x:0"
    assert abs(x).name == "Abs:0"
    assert (x > 0).name == "Greater:0" and (x > 0).op.inputs[1].name == "Greater_1/y:0"
    assert (2 < x).op.type == "Greater"
    assert (x ** 2).op.inputs[1].name == "pow/y:0"


def test_function_names_follow_tf1():
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    with tf.name_scope("loss"):
        assert tf.reduce_mean(x, name="mse").name == "loss/mse:0"
    assert tf.reduce_sum(x).op.inputs[1].op.name == "Const"
    assert tf.reduce_sum(x, 1).op.inputs[1].op.name == "Sum_1/reduction_indices"
    assert tf.argmax(x).op.inputs[1].op.name == "ArgMax/dimension"
    assert tf.exp([1.0]).op.inputs[0].name == "Exp/x:0"
    assert [t.name for t in (tf.to_float(tf.constant(1)), tf.to_int32(x), tf.to_int64(x), tf.to_double(x))] \
        == ["ToFloat:0", "ToInt32:0", "ToInt64:0", "ToDouble:0"]
    cast = tf.cast(1.5, tf.int32)
    assert (cast.name, cast.op.inputs[0].name) == ("Cast:0", "Cast/x:0")


def test_div_builds_realdiv_or_floordiv_like_tf1():
    floats = tf.div(tf.constant([7.0]), 2.0)
    ints = tf.div(tf.constant([-7]), 2)
    assert (floats.name, floats.op.type, ints.name, ints.op.type) == ("div:0", "RealDiv", "div_1:0", "FloorDiv")
    assert list(_run([floats, ints])) == [3.5, -4]
    # The Div op itself truncates integers, as TF's kernel (C division) does.
    assert _run(apply_op("Div", tf.constant([-7, 7]), tf.constant([2, -2]))).tolist() == [-3, -3]


def test_truediv_of_int32_is_float64():
    quotient = tf.constant([1, 3], tf.int32) / tf.constant([2, 2], tf.int32)
    assert quotient.dtype == tf.float64
    np.testing.assert_array_equal(_run(quotient), [0.5, 1.5])
    assert (tf.constant([1], tf.int16) / 2).dtype == tf.float32


def test_add_n_of_one_tensor_returns_it():
    x = tf.placeholder(tf.float32, [2])
    assert tf.add_n([x]) is x
    named = tf.add_n([x], name="total")
    assert (named.name, named.op.type) == ("total:0", "Identity")
    assert tf.add_n([x, x, x]).op.type == "AddN"


def test_clip_by_value_builds_minimum_then_maximum_like_tf1():
    clipped = tf.clip_by_value(tf.placeholder(tf.float32, [3]), 0.0, 1.0)
    assert (clipped.name, clipped.op.type) == ("clip_by_value:0", "Maximum")
    assert clipped.op.inputs[0].op.name == "clip_by_value/Minimum"
    saturated = tf.saturate_cast(tf.constant([-1.0, 300.0]), tf.uint8)
    assert saturated.name == "saturate_cast:0" and saturated.op.inputs[0].op.type == "ClipByValue"
    assert _run(saturated).tolist() == [0, 255]


def test_matmul_picks_matmul_or_batch_matmul():
    matrix, batch = tf.zeros([3, 2]), tf.zeros([4, 3, 2])
    product = tf.matmul(matrix, matrix, adjoint_a=True)
    assert product.op.type == "MatMul" and product.op.get_attr("transpose_a") is True
    assert product.shape.as_list() == [2, 2]
    batched = tf.matmul(batch, batch, transpose_b=True)
    assert batched.op.type == "BatchMatMulV2" and batched.op.get_attr("adj_y") is True
    assert batched.shape.as_list() == [4, 3, 3]
    assert tf.matmul(tf.placeholder(tf.float32), matrix).op.type == "BatchMatMulV2"
    assert tf.matmul(tf.placeholder(tf.float32, [None, 3]), matrix).shape.as_list() == [None, 2]


# ======================================================================================
# Construction errors
# ======================================================================================
@pytest.mark.parametrize("build, error, message", [
    (lambda: tf.matmul(tf.zeros([2, 3]), tf.zeros([4, 5])), ValueError,
     "Dimensions must be equal, but are 3 and 4 for 'MatMul' (op: 'MatMul') with input shapes: [2,3], [4,5]"),
    (lambda: tf.matmul(tf.zeros([2, 3]), tf.zeros([2, 5]), transpose_a=True, adjoint_a=True), ValueError,
     "Only one of transpose_a and adjoint_a"),
    (lambda: apply_op("MatMul", tf.zeros([3]), tf.zeros([3, 2])), ValueError,
     "Shape must be rank 2 but is rank 1"),
    (lambda: tf.matmul(tf.zeros([2, 2, 3]), tf.zeros([5, 3, 4])), ValueError, "but are 2 and 5"),
    (lambda: tf.matrix_inverse(tf.zeros([2, 3])), ValueError, "Dimensions must be equal, but are 3 and 2"),
    (lambda: tf.add(tf.zeros([2]), tf.zeros([2], tf.int32)), TypeError, "does not match"),
    (lambda: tf.constant([1]) + 2.5, TypeError, "type float32 that does not match"),
    (lambda: tf.truediv(tf.constant(1.0), tf.constant(1)), TypeError, "must have the same dtype"),
    (lambda: tf.reduce_sum(tf.zeros([2, 3]), 2), ValueError, "Invalid reduction dimension 2 for input with 2"),
    (lambda: tf.reduce_sum(tf.zeros([2]), axis=0, reduction_indices=0), ValueError, "Cannot specify both"),
    (lambda: tf.reduce_all(tf.constant([1])), TypeError, "bool"),
    (lambda: tf.reduce_sum(tf.constant([True])), TypeError, "not in list of allowed values"),
    (lambda: tf.argmax(tf.zeros([2, 3]), 2), ValueError, "Dimension (2) must be in the range [-2, 2)"),
    (lambda: tf.add_n([tf.zeros([2]), tf.zeros([3])]), ValueError, "but are 2 and 3"),
    (lambda: tf.add_n([]), ValueError, "at least one Tensor"),
    (lambda: tf.sqrt(tf.constant([4])), TypeError, "not in list of allowed values"),
    (lambda: tf.check_numerics(tf.constant([1]), "m"), TypeError, "not in list of allowed values"),
])
def test_construction_errors(build, error, message):
    with pytest.raises(error) as raised:
        build()
    assert message in str(raised.value)


# ======================================================================================
# Run-time errors
# ======================================================================================
@pytest.mark.parametrize("function, op_type", [(tf.floordiv, "FloorDiv"), (tf.floormod, "FloorMod"),
                                               (tf.truncatediv, "TruncateDiv"), (tf.truncatemod, "TruncateMod"),
                                               (lambda x, y: apply_op("Div", x, y), "Div")])
def test_integer_division_by_zero_names_the_op(function, op_type):
    result = function(tf.constant([1, 2]), tf.placeholder(tf.int32, [2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero") as raised:
        _run(result, {result.op.inputs[1]: [1, 0]})
    assert raised.value.op is result.op and raised.value.op.type == op_type


def test_float_division_by_zero_gives_inf():
    assert _run(tf.floordiv(tf.constant([1.0]), 0.0)).tolist() == [np.inf]


def test_singular_matrix_inverse_fails():
    inverse = tf.matrix_inverse(tf.constant([[[1.0, 2.0], [2.0, 4.0]]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input is not invertible.") as raised:
        _run(inverse)
    assert raised.value.op is inverse.op


@pytest.mark.parametrize("values, found", [([1.0, np.nan], "NaN"), ([np.inf, 1.0], "Inf"),
                                           ([np.inf, np.nan], "Inf and NaN")])
def test_check_numerics(values, found):
    x = tf.placeholder(tf.float32, [2])
    checked = tf.check_numerics(x, "my message")
    np.testing.assert_array_equal(_run(checked, {x: [1.0, 2.0]}), [1.0, 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError) as raised:
        _run(checked, {x: values})
    assert f"my message : Tensor had {found} values" in str(raised.value)
    assert raised.value.op is checked.op


def test_add_check_numerics_ops_chains_checks_of_every_float_tensor():
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.log(x, name="y")
    tf.cast(x, tf.int32)
    check = tf.add_check_numerics_ops()
    checks = [op for op in tf.get_default_graph().get_operations() if op.type == "CheckNumerics"]
    assert check.type == "NoOp" and check.control_inputs == [checks[-1]]
    assert [c.inputs[0] for c in checks] == [x, y]
    assert [c.get_attr("message") for c in checks] == ["x:0", "y:0"]
    assert checks[1].control_inputs == [checks[0]]
    with tf.Session() as sess:
        sess.run(check, {x: [1.0, 2.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="y:0 : Tensor had Inf values"):
            sess.run(check, {x: [0.0, 2.0]})


def test_duplicate_reduction_axes_fail_at_run_time():
    total = tf.reduce_sum(tf.ones([2, 3]), [1, -1])
    with pytest.raises(tf.errors.InvalidArgumentError):
        _run(total)


# ======================================================================================
# Values and dtypes
# ======================================================================================
def test_integer_mean_truncates_and_keeps_dtype():
    mean = tf.reduce_mean([1, 2])
    assert mean.dtype == tf.int32
    assert _run(mean) == 1 and type(_run(mean)) is np.int32
    assert _run(tf.reduce_mean([-1, -2])) == -1
    assert _run(tf.reduce_mean(tf.constant([[1, 2], [4, 8]], tf.int64), 0)).tolist() == [2, 5]


def test_integer_sums_do_not_widen():
    x = tf.constant(np.full(4, 2 ** 30, np.int32))
    total = _run(tf.reduce_sum(x))
    assert type(total) is np.int32  # wraps around like TF's int32 kernel, never becomes int64
    assert _run(tf.reduce_prod(tf.constant([3, 4], tf.int32))).dtype == np.int32


def test_scalars_travel_as_numpy_scalars():
    x = tf.placeholder(tf.float32, [])
    results = _run([x * 2.0, tf.reduce_sum(x), tf.abs(x), tf.cast(x, tf.int32), tf.erf(x), tf.argmax([x, x])],
                   {x: -1.5})
    assert [type(r) for r in results] == [np.float32, np.float32, np.float32, np.int32, np.float32, np.int64]


def test_round_is_half_to_even_and_passes_integers_through():
    np.testing.assert_array_equal(_run(tf.round([0.5, 1.5, 2.5, -0.5, -1.5])), [0.0, 2.0, 2.0, -0.0, -2.0])
    ints = tf.constant([1, 2])
    assert tf.round(ints) is ints


def test_cast_truncates_toward_zero():
    assert _run(tf.cast([-1.7, 1.7, 2.5], tf.int32)).tolist() == [-1, 1, 2]
    assert _run(tf.cast([-1.7, 0.0, 2.5], tf.bool)).tolist() == [True, False, True]
    assert tf.cast(tf.constant(1.0), tf.float32).op.type == "Const"
    assert tf.cast(tf.constant(1.0), tf.int32).op.get_attr("Truncate") is False


def test_reductions_of_nothing_give_identities():
    assert _run(tf.reduce_max(tf.zeros([0, 3]), 0)).tolist() == [-np.inf] * 3
    assert _run(tf.reduce_min(tf.zeros([0, 2], tf.int32), 0)).tolist() == [np.iinfo(np.int32).max] * 2
    assert _run(tf.reduce_sum(tf.zeros([0]))) == 0.0


def test_reduction_static_shapes():
    x = tf.placeholder(tf.float32, [2, None, 4])
    axis = tf.placeholder(tf.int32, [])
    assert tf.reduce_sum(x, [0, -1]).shape.as_list() == [None]
    assert tf.reduce_max(x, 1, keepdims=True).shape.as_list() == [2, 1, 4]
    assert tf.reduce_sum(x, axis).shape.as_list() == [None, None]
    assert tf.reduce_sum(x, axis, keep_dims=True).shape.as_list() == [None, None, None]
    assert tf.reduce_sum(x, tf.placeholder(tf.int32, [None])).shape.ndims is None
    assert tf.argmax(x, axis).shape.as_list() == [None, None]


def test_reduction_over_unknown_rank():
    x = tf.placeholder(tf.float32)
    total, kept = tf.reduce_sum(x), tf.reduce_mean(x, keepdims=True)
    assert total.shape.as_list() == [] and kept.shape.ndims is None
    assert total.op.inputs[1].op.type == "Range"
    values = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    total_value, kept_value = _run([total, kept], {x: values})
    assert total_value == values.sum() and kept_value.shape == (1, 1, 1)


def test_reduce_logsumexp_is_stable():
    x = tf.placeholder(tf.float32, [2, 3])
    values = np.array([[1000.0, 1000.0, 1.0], [-1.0, 0.0, 2.0]], np.float32)
    expected = np.array([1000.0 + np.log(2.0), np.log(np.sum(np.exp(values[1].astype(np.float64))))])
    results = _run([tf.reduce_logsumexp(x, 1), tf.reduce_logsumexp(x, -1, keepdims=True),
                    tf.reduce_logsumexp(x)], {x: values})
    np.testing.assert_allclose(results[0], expected, rtol=1e-6)
    np.testing.assert_allclose(results[1], expected[:, None], rtol=1e-6)
    np.testing.assert_allclose(results[2], 1000.0 + np.log(2.0), rtol=1e-6)
    infinite = _run(tf.reduce_logsumexp(x, 1), {x: [[np.inf, 1, 1], [-np.inf, -np.inf, -np.inf]]})
    assert infinite.tolist() == [np.inf, -np.inf]
    assert tf.reduce_logsumexp(x, name="lse").name == "lse:0"


def test_clip_by_norm():
    x = tf.placeholder(tf.float32, [2, 3])
    values = np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 0.0]], np.float32)
    whole, rows = _run([tf.clip_by_norm(x, 1.0), tf.clip_by_norm(x, 1.0, axes=[1])], {x: values})
    np.testing.assert_allclose(whole, values / 5.0, rtol=1e-6)
    np.testing.assert_allclose(rows, values / 5.0, rtol=1e-6)
    np.testing.assert_allclose(_run(tf.clip_by_norm(x, 10.0), {x: values}), values)
    assert tf.clip_by_norm(x, 1.0).name == "clip_by_norm_3:0"


def test_count_nonzero():
    x = tf.constant([[0.0, 1.5, 0.0], [2.0, -1.0, 0.0]])
    assert tf.count_nonzero(x).dtype == tf.int64
    assert _run(tf.count_nonzero(x)) == 3
    assert _run(tf.count_nonzero(x, axis=1, keepdims=True, dtype=tf.int32)).tolist() == [[1], [2]]
    assert _run(tf.count_nonzero(tf.constant([True, False, True]))) == 2


def test_plain_operator_kernels_are_inlined():
    """Kernels that are exactly a Python operator are registered as that operator (the plan inlines it)."""
    device = local_devices()[0]
    for tensor, expected in [(tf.matmul(tf.zeros([2, 2]), tf.zeros([2, 2])), operator.matmul),
                             (tf.matmul(tf.zeros([1, 2, 2]), tf.zeros([1, 2, 2])), operator.matmul),
                             (tf.realdiv(tf.zeros([2]), 1.0), operator.truediv),
                             (apply_op("Div", tf.zeros([2]), 1.0), operator.truediv)]:
        factory = find_kernel(tensor.op, "CPU")
        assert factory(KernelContext(tensor.op, device, None, None)) is expected
