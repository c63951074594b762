"""Tests of minitf/ops/math_grad.py beyond the harness's finite-difference checks: second
derivatives against NumPy formulas, TF1's gradient naming, broadcast reductions with static and
unknown shapes, reduction gradients over axes and keepdims, and TF1's choices at ties and kinks."""
import math

import numpy as np
import pytest

import minitf as tf
from minitf.ops.op_builder import apply_op


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def _grad_op_types(scope):
    return {op.type for op in tf.get_default_graph().get_operations() if op.name.startswith(scope)}


# ======================================================================================
# Second derivatives: gradients are graph ops, so they can be differentiated again
# ======================================================================================
def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


_SECOND_DERIVATIVES = [  # tf function, d2/dx2 in NumPy, input range
    (tf.tanh, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2), (-2, 2)),
    (tf.sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x)) * (1 - 2 * _sigmoid(x)), (-3, 3)),
    (tf.exp, np.exp, (-2, 2)), (tf.expm1, np.exp, (-2, 2)),
    (tf.log, lambda x: -1 / x ** 2, (0.5, 3)), (tf.log1p, lambda x: -1 / (1 + x) ** 2, (-0.5, 2)),
    (tf.sin, lambda x: -np.sin(x), (-3, 3)), (tf.cos, lambda x: -np.cos(x), (-3, 3)),
    (tf.tan, lambda x: 2 * np.tan(x) / np.cos(x) ** 2, (-1, 1)),
    (tf.asin, lambda x: x / (1 - x ** 2) ** 1.5, (-0.9, 0.9)),
    (tf.acos, lambda x: -x / (1 - x ** 2) ** 1.5, (-0.9, 0.9)),
    (tf.atan, lambda x: -2 * x / (1 + x ** 2) ** 2, (-2, 2)),
    (tf.sinh, np.sinh, (-2, 2)), (tf.cosh, np.cosh, (-2, 2)),
    (tf.sqrt, lambda x: -0.25 * x ** -1.5, (0.5, 3)), (tf.rsqrt, lambda x: 0.75 * x ** -2.5, (0.5, 3)),
    (tf.reciprocal, lambda x: 2 / x ** 3, (0.5, 3)), (tf.square, lambda x: np.full_like(x, 2.0), (-2, 2)),
    (tf.erf, lambda x: -4 * x / math.sqrt(math.pi) * np.exp(-x ** 2), (-2, 2)),
    (tf.erfc, lambda x: 4 * x / math.sqrt(math.pi) * np.exp(-x ** 2), (-2, 2)),
    (lambda x: x ** 3, lambda x: 6 * x, (0.5, 2)),
    (lambda x: 2.0 / x, lambda x: 4 / x ** 3, (0.5, 2)),
    (lambda x: tf.reduce_mean(x * x * x), lambda x: 6 * x / x.size, (-2, 2)),
]


@pytest.mark.parametrize("function,expected,value_range", _SECOND_DERIVATIVES,
                         ids=[f"d2-{i}" for i in range(len(_SECOND_DERIVATIVES))])
def test_second_derivative_of_elementwise_functions(function, expected, value_range):
    values = np.random.default_rng(0).uniform(*value_range, size=(2, 3))
    x = tf.placeholder(tf.float64, values.shape)
    first, = tf.gradients(function(x), x)
    second, = tf.gradients(first, x)
    np.testing.assert_allclose(_run(second, {x: values}), expected(values), rtol=1e-10, atol=1e-12)


def test_second_derivatives_of_a_product():
    x_value, y_value = np.array([1.5, -2.0, 0.5]), np.array([0.5, 3.0, -1.0])
    x, y = tf.placeholder(tf.float64, [3]), tf.placeholder(tf.float64, [3])
    f = x * x * y
    dx, = tf.gradients(f, x)
    dxx, dxy = tf.gradients(dx, [x, y])
    results = _run([dx, dxx, dxy], {x: x_value, y: y_value})
    np.testing.assert_allclose(results, [2 * x_value * y_value, 2 * y_value, 2 * x_value])


def test_hessian_vector_product_of_a_matmul_quadratic():
    rng = np.random.default_rng(1)
    a_value, x_value, v_value = rng.normal(size=(4, 4)), rng.normal(size=(4, 1)), rng.normal(size=(4, 1))
    x = tf.placeholder(tf.float64, [4, 1])
    f = tf.matmul(tf.matmul(x, tf.constant(a_value), transpose_a=True), x)  # x^T A x
    grad, = tf.gradients(f, x)
    hessian_v, = tf.gradients(grad, x, grad_ys=tf.constant(v_value))
    got_grad, got_hv = _run([grad, hessian_v], {x: x_value})
    np.testing.assert_allclose(got_grad, (a_value + a_value.T) @ x_value, rtol=1e-12)
    np.testing.assert_allclose(got_hv, (a_value + a_value.T) @ v_value, rtol=1e-12)


def test_hessian_vector_product_of_a_batch_matmul_quadratic():
    rng = np.random.default_rng(2)
    a_value, x_value, v_value = rng.normal(size=(2, 3, 3)), rng.normal(size=(2, 1, 3)), rng.normal(size=(2, 1, 3))
    x = tf.placeholder(tf.float64, [2, 1, 3])
    f = tf.matmul(tf.matmul(x, tf.constant(a_value)), x, adjoint_b=True)  # x A x^T per batch
    assert f.op.type == "BatchMatMulV2"
    grad, = tf.gradients(f, x)
    hessian_v, = tf.gradients(grad, x, grad_ys=tf.constant(v_value))
    got_grad, got_hv = _run([grad, hessian_v], {x: x_value})
    symmetric = a_value + np.swapaxes(a_value, 1, 2)
    np.testing.assert_allclose(got_grad, x_value @ symmetric, rtol=1e-12)
    np.testing.assert_allclose(got_hv, v_value @ symmetric, rtol=1e-12)


# ======================================================================================
# Naming and graph economy
# ======================================================================================
def test_gradient_ops_are_named_in_tf1_scopes():
    x, y = tf.placeholder(tf.float32, [2, 3]), tf.placeholder(tf.float32, [2, 3])
    w = tf.placeholder(tf.float32, [3, 4])
    loss = tf.reduce_sum(tf.matmul(x * y, w))
    grads = tf.gradients(loss, [x, y, w])
    assert [g.name for g in grads] == ["gradients/mul_grad/Mul:0", "gradients/mul_grad/Mul_1:0",
                                       "gradients/MatMul_grad/MatMul_1:0"]
    again = tf.gradients(loss, x, name="grads")
    assert again[0].name == "grads/mul_grad/Mul:0"
    assert tf.gradients(loss, x)[0].name == "gradients_1/mul_grad/Mul:0"


def test_static_shapes_build_no_shape_arithmetic():
    """An MLP layer with static shapes: no Shape, BroadcastGradientArgs or Select in its gradient."""
    x = tf.placeholder(tf.float32, [50, 8])
    w, b = tf.placeholder(tf.float32, [8, 4]), tf.placeholder(tf.float32, [4])
    loss = tf.reduce_mean(tf.tanh(tf.matmul(x, w) + b))
    tf.gradients(loss, [w, b])
    types = _grad_op_types("gradients/")
    assert not types & {"Shape", "BroadcastGradientArgs", "Select", "Range"}, types
    assert _grad_op_types("gradients/add_grad/") == {"Sum", "Const"}


def test_bias_add_with_an_unknown_batch_sums_without_shape_ops():
    x, b = tf.placeholder(tf.float64, [None, 3]), tf.placeholder(tf.float64, [3])
    weights = tf.placeholder(tf.float64, [None, 3])
    gx, gb = tf.gradients(x + b, [x, b], grad_ys=weights)
    assert gx is weights  # x's shape cannot have been widened by b: its gradient is the incoming one
    assert _grad_op_types("gradients/add_grad/") == {"Sum", "Const"}
    assert gb.shape.as_list() == [3]
    w_value = np.arange(12.0).reshape(4, 3)
    np.testing.assert_allclose(_run(gb, {x: np.zeros((4, 3)), b: np.zeros(3), weights: w_value}),
                               w_value.sum(0))


# ======================================================================================
# Broadcasting binary ops: each gradient summed back to its input's shape
# ======================================================================================
_BROADCAST_CASES = [  # x shape, y shape
    ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)), ((2, 3, 1), (3, 4)), ((2, 3), (2, 3)),
]


def _expected_binary_grads(op_name, x, y, w):
    """NumPy partial derivatives of x+y, x-y, x*y, x/y weighted by w, summed to each shape."""
    partials = {"add": (w, w), "sub": (w, -w), "mul": (w * y, w * x), "div": (w / y, -w * x / y ** 2)}[op_name]
    return [_sum_to_shape(p, np.shape(v)) for p, v in zip(partials, (x, y))]


def _sum_to_shape(value, shape):
    value = np.sum(value, axis=tuple(range(value.ndim - len(shape))))
    return np.sum(value, axis=tuple(i for i, d in enumerate(shape) if d == 1), keepdims=True).reshape(shape)


_BINARY_FUNCTIONS = {"add": tf.add, "sub": tf.subtract, "mul": tf.multiply, "div": tf.truediv}


@pytest.mark.parametrize("shapes", _BROADCAST_CASES, ids=str)
@pytest.mark.parametrize("op_name", sorted(_BINARY_FUNCTIONS))
@pytest.mark.parametrize("known", ["static", "unknown-dims", "unknown-rank"])
def test_broadcast_gradients_are_summed_to_input_shapes(shapes, op_name, known):
    rng = np.random.default_rng(3)
    x_value, y_value = (rng.uniform(0.5, 2, size=s) for s in shapes)
    static = {"static": list, "unknown-dims": lambda s: [None] * len(s), "unknown-rank": lambda s: None}[known]
    x, y = (tf.placeholder(tf.float64, static(s)) for s in shapes)
    z = _BINARY_FUNCTIONS[op_name](x, y)
    w_value = rng.uniform(0.5, 1.5, size=np.broadcast_shapes(*shapes))
    grads = tf.gradients(z, [x, y], grad_ys=tf.constant(w_value))
    for grad, shape in zip(grads, shapes):
        assert grad.shape.is_compatible_with(shape)
    if known != "static" and shapes[0] != shapes[1] and all(x.shape.ndims != 0 for x in (x, y)):
        # Neither shape is known (a scalar's is): the reduction axes are found at run time.
        assert "BroadcastGradientArgs" in _grad_op_types("gradients/")
    got = _run(grads, {x: x_value, y: y_value})
    for value, want in zip(got, _expected_binary_grads(op_name, x_value, y_value, w_value)):
        assert np.shape(value) == np.shape(want)
        np.testing.assert_allclose(value, want, rtol=1e-12)


def test_one_graph_with_unknown_shapes_serves_several_broadcasts():
    x, y = tf.placeholder(tf.float64, [None, None]), tf.placeholder(tf.float64, [None])
    gx, gy = tf.gradients(x * y, [x, y])
    for x_shape, y_shape in [((2, 3), (3,)), ((2, 1), (3,)), ((2, 3), (1,))]:
        x_value, y_value = np.full(x_shape, 2.0), np.full(y_shape, 5.0)
        got_x, got_y = _run([gx, gy], {x: x_value, y: y_value})
        ones = np.ones(np.broadcast_shapes(x_shape, y_shape))
        np.testing.assert_allclose(got_x, _sum_to_shape(ones * 5.0, x_shape))
        np.testing.assert_allclose(got_y, _sum_to_shape(ones * 2.0, y_shape))


# ======================================================================================
# Reductions over axes, negative axes, keepdims, fed axes and unknown shapes
# ======================================================================================
_NUMPY_REDUCTIONS = {"Sum": np.sum, "Mean": np.mean, "Max": np.max, "Min": np.min, "Prod": np.prod}
_TF_REDUCTIONS = {"Sum": tf.reduce_sum, "Mean": tf.reduce_mean, "Max": tf.reduce_max, "Min": tf.reduce_min,
                  "Prod": tf.reduce_prod}


def _expected_reduction_grad(kind, x, axis, w):
    axis = tuple(axis) if isinstance(axis, list) else axis
    kept = _NUMPY_REDUCTIONS[kind](x, axis=axis, keepdims=True)
    w = np.reshape(w, kept.shape)
    if kind == "Sum":
        return np.broadcast_to(w, x.shape)
    if kind == "Mean":
        return np.broadcast_to(w, x.shape) * kept.size / x.size
    if kind == "Prod":
        return w * kept / x
    selected = (x == kept).astype(np.float64)
    return selected * w / np.sum(selected, axis=axis, keepdims=True)


_REDUCTION_PARAMS = [pytest.param(kind, axis, keepdims, known, id=f"{kind}-{axis}-{keepdims}-{known}")
                     for kind in sorted(_TF_REDUCTIONS) for axis in [None, 1, -1, [0, 2], [], [-1, 0]]
                     for keepdims in (False, True)
                     for known in ("static", "unknown-dims", "unknown-rank", "fed-axes")
                     if not (known == "fed-axes" and axis is None)]  # None cannot be fed


@pytest.mark.parametrize("kind,axis,keepdims,known", _REDUCTION_PARAMS)
def test_reduction_gradients(kind, axis, keepdims, known):
    rng = np.random.default_rng(4)
    x_value = rng.uniform(0.5, 1.5, size=(2, 3, 4)) * rng.choice([-1, 1], size=(2, 3, 4))
    shape = {"static": [2, 3, 4], "unknown-dims": [None, 3, None], "unknown-rank": None,
             "fed-axes": [2, 3, 4]}[known]
    x = tf.placeholder(tf.float64, shape)
    feed = {x: x_value}
    axes = axis
    if known == "fed-axes":
        axes = tf.placeholder(tf.int32, None)
        feed[axes] = np.array(axis, np.int32)
    y = _TF_REDUCTIONS[kind](x, axis=axes, keepdims=keepdims)
    y_shape = np.shape(_NUMPY_REDUCTIONS[kind](x_value, axis=tuple(axis) if isinstance(axis, list) else axis,
                                               keepdims=keepdims))
    w_value = rng.uniform(0.5, 1.5, size=y_shape)
    weights = tf.placeholder(tf.float64, None)
    feed[weights] = w_value
    grad, = tf.gradients(y, x, grad_ys=weights)
    assert grad.shape.is_compatible_with([2, 3, 4])
    if known == "static":
        assert grad.shape.as_list() == [2, 3, 4]
    np.testing.assert_allclose(_run(grad, feed), _expected_reduction_grad(kind, x_value, axis, w_value),
                               rtol=1e-12)


def test_mean_of_an_unknown_batch_divides_by_its_run_time_size():
    x = tf.placeholder(tf.float32, [None])
    grad, = tf.gradients(tf.reduce_mean(x), x)
    assert grad.shape.as_list() == [None]
    for n in (2, 5):
        np.testing.assert_allclose(_run(grad, {x: np.ones(n, np.float32)}), np.full(n, 1 / n, np.float32))


def test_max_and_min_split_the_gradient_among_ties():
    x = tf.placeholder(tf.float64, [2, 3])
    value = np.array([[2.0, 2.0, 2.0], [1.0, -1.0, -1.0]])
    got = _run(tf.gradients([tf.reduce_max(x, 1), tf.reduce_min(x)], x), {x: value})[0]
    np.testing.assert_allclose(got, [[1 / 3, 1 / 3, 1 / 3], [1.0, 0.5, 0.5]])


def test_prod_gradient_is_exact_at_zeros():
    x = tf.placeholder(tf.float64, [3, 3])
    value = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.5, -2.0, 4.0]])
    got = _run(tf.gradients(tf.reduce_prod(x, 1), x)[0], {x: value})
    np.testing.assert_allclose(got, [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [-8.0, 6.0, -3.0]])


# ======================================================================================
# TF1's choices at ties, kinks and for piecewise-constant ops
# ======================================================================================
def test_maximum_and_minimum_give_ties_to_x():
    x, y = tf.placeholder(tf.float64, [3]), tf.placeholder(tf.float64, [3])
    feed = {x: np.array([1.0, 2.0, 0.0]), y: np.array([1.0, 0.0, 3.0])}
    max_x, max_y = _run(tf.gradients(tf.maximum(x, y), [x, y]), feed)
    min_x, min_y = _run(tf.gradients(tf.minimum(x, y), [x, y]), feed)
    np.testing.assert_array_equal(max_x, [1, 1, 0])
    np.testing.assert_array_equal(max_y, [0, 0, 1])
    np.testing.assert_array_equal(min_x, [1, 0, 1])
    np.testing.assert_array_equal(min_y, [0, 1, 0])


def test_pow_gradient_guards_log_at_non_positive_x():
    x, y = tf.placeholder(tf.float64, [3]), tf.placeholder(tf.float64, [3])
    x_value, y_value = np.array([0.0, -2.0, 2.0]), np.array([2.0, 2.0, 3.0])
    gx, gy = _run(tf.gradients(tf.pow(x, y), [x, y]), {x: x_value, y: y_value})
    np.testing.assert_allclose(gx, y_value * x_value ** (y_value - 1))
    np.testing.assert_allclose(gy, [0.0, 0.0, 8 * np.log(2.0)])


def test_abs_and_sign_gradients():
    x = tf.placeholder(tf.float64, [3])
    feed = {x: np.array([-2.0, 0.0, 3.0])}
    sign_grad = tf.gradients(tf.sign(x), x)[0]
    assert sign_grad is not None  # TF1 gives zeros, not None
    np.testing.assert_array_equal(_run([tf.gradients(tf.abs(x), x)[0], sign_grad], feed), [[-1, 0, 1], [0, 0, 0]])


@pytest.mark.parametrize("function", [tf.floor, tf.ceil, tf.rint, tf.round, lambda x: tf.floordiv(x, 2.0),
                                      lambda x: tf.truncatediv(x, 2.0)],
                         ids=["floor", "ceil", "rint", "round", "floordiv", "truncatediv"])
def test_piecewise_constant_ops_have_no_gradient(function):
    x = tf.placeholder(tf.float64, [3])
    assert tf.gradients(function(x), x) == [None]


@pytest.mark.parametrize("function,quotient", [(tf.floormod, np.floor), (tf.truncatemod, np.trunc)],
                         ids=["floormod", "truncatemod"])
def test_modulo_gradients(function, quotient):
    x, y = tf.placeholder(tf.float64, [4]), tf.placeholder(tf.float64, [4])
    x_value, y_value = np.array([5.5, -5.5, 7.0, -1.2]), np.array([2.0, 2.0, -3.0, 0.5])
    gx, gy = _run(tf.gradients(function(x, y), [x, y]), {x: x_value, y: y_value})
    np.testing.assert_array_equal(gx, np.ones(4))
    np.testing.assert_array_equal(gy, -quotient(x_value / y_value))


def test_clip_by_value_sends_the_gradient_to_the_clipping_bound():
    """Both tf.clip_by_value (Minimum then Maximum) and the ClipByValue op; at t == bound, t keeps it."""
    t = tf.placeholder(tf.float64, [2, 3])
    low, high = tf.placeholder(tf.float64, []), tf.placeholder(tf.float64, [3])
    built = tf.clip_by_value(t, low, high)
    fused = apply_op("ClipByValue", t, low, high)
    assert built.op.type == "Maximum"
    feed = {t: np.array([[-3.0, 0.5, 3.0], [1.0, -2.0, 0.0]]), low: -1.0, high: np.array([1.0, 0.2, 2.0])}
    want = [np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 1.0]]), 2.0, np.array([0.0, 1.0, 1.0])]
    for clipped in (built, fused):
        for value, expected in zip(_run(tf.gradients(clipped, [t, low, high]), feed), want):
            np.testing.assert_array_equal(value, expected)


# ======================================================================================
# Casts, sums of tensors, matrix ops, numerics checks
# ======================================================================================
def test_cast_gradient_is_cast_back_between_floats_only():
    x = tf.placeholder(tf.float32, [2])
    grad, = tf.gradients(tf.cast(x, tf.float64) * tf.constant([3.0, 4.0], tf.float64), x)
    assert grad.dtype == tf.float32
    np.testing.assert_array_equal(_run(grad, {x: [1, 2]}), np.array([3, 4], np.float32))
    through_int = tf.cast(tf.cast(x, tf.int32), tf.float32)
    assert tf.gradients(through_int, x) == [None]


def test_add_n_sends_the_gradient_to_every_input():
    x, y = tf.placeholder(tf.float64, [2]), tf.placeholder(tf.float64, [2])
    gx, gy = _run(tf.gradients(tf.add_n([x, y, x]) * tf.constant([1.0, 3.0], tf.float64), [x, y]),
                  {x: [0, 0], y: [0, 0]})
    np.testing.assert_array_equal(gx, [2, 6])
    np.testing.assert_array_equal(gy, [1, 3])


@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
def test_matmul_gradients_for_every_transpose(transpose_a, transpose_b):
    rng = np.random.default_rng(5)
    a_value = rng.normal(size=(3, 2) if transpose_a else (2, 3))
    b_value = rng.normal(size=(4, 3) if transpose_b else (3, 4))
    w_value = rng.normal(size=(2, 4))
    a, b = tf.placeholder(tf.float64, a_value.shape), tf.placeholder(tf.float64, b_value.shape)
    product = tf.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
    ga, gb = tf.gradients(product, [a, b], grad_ys=tf.constant(w_value))
    assert {ga.op.type, gb.op.type} == {"MatMul"}
    got_a, got_b = _run([ga, gb], {a: a_value, b: b_value})
    a_plain = a_value.T if transpose_a else a_value
    b_plain = b_value.T if transpose_b else b_value
    want_a, want_b = w_value @ b_plain.T, a_plain.T @ w_value
    np.testing.assert_allclose(got_a, want_a.T if transpose_a else want_a, rtol=1e-12)
    np.testing.assert_allclose(got_b, want_b.T if transpose_b else want_b, rtol=1e-12)


@pytest.mark.parametrize("adjoint", [False, True])
def test_matrix_inverse_gradient(adjoint):
    rng = np.random.default_rng(6)
    a_value, w_value = 4 * np.eye(3) + rng.uniform(-0.5, 0.5, (3, 3)), rng.normal(size=(3, 3))
    a = tf.placeholder(tf.float64, [3, 3])
    grad, = tf.gradients(tf.matrix_inverse(a, adjoint=adjoint), a, grad_ys=tf.constant(w_value))
    inverse = np.linalg.inv(a_value.T if adjoint else a_value)
    want = -inverse @ w_value.T @ inverse if adjoint else -inverse.T @ w_value @ inverse.T
    np.testing.assert_allclose(_run(grad, {a: a_value}), want, rtol=1e-12)


def test_check_numerics_checks_the_gradient_it_passes_through():
    x, weights = tf.placeholder(tf.float64, [2]), tf.placeholder(tf.float64, [2])
    grad, = tf.gradients(tf.check_numerics(x, "forward x"), x, grad_ys=weights)
    assert grad.op.type == "CheckNumerics"
    np.testing.assert_array_equal(_run(grad, {x: [1, 2], weights: [3, 4]}), [3, 4])
    with pytest.raises(tf.errors.InvalidArgumentError, match="detected in gradient. forward x"):
        _run(grad, {x: [1, 2], weights: [np.nan, 4]})
