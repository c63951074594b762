"""tf.gradients semantics (TF1): the "gradients/" scope, summed paths, None where no gradient flows,
grad_ys, several ys, stop_gradient(s), variables, cond, missing gradient functions, the dtypes
of ys, and gradients of gradients. Values are compared with derivatives worked out in NumPy."""
import numpy as np
import pytest

import minitf as tf
from minitf.framework import op_def
from minitf.framework.common_shapes import unchanged
from minitf.ops.op_builder import apply_op

X = np.array([0.5, -1.5, 2.0])


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


@pytest.fixture
def x():
    return tf.placeholder(tf.float64, [3], name="x")


def _new_ops(function):
    """The result of `function()` and the ops it added to the default graph."""
    graph = tf.get_default_graph()
    before = set(graph.get_operations())
    result = function()
    return result, [op for op in graph.get_operations() if op not in before]


# ======================================================================================
# Construction: scope, summed paths, None results
# ======================================================================================
def test_gradient_ops_are_built_under_the_gradients_scope(x):
    y = x * x
    _, first = _new_ops(lambda: tf.gradients(y, x))
    _, second = _new_ops(lambda: tf.gradients(y, x))
    _, named = _new_ops(lambda: tf.gradients(y, x, name="my_grads"))
    assert first and all(op.name.startswith("gradients/") for op in first)
    assert second and all(op.name.startswith("gradients_1/") for op in second)
    assert named and all(op.name.startswith("my_grads/") for op in named)
    assert any(op.name.startswith("gradients/mul_grad/") for op in first)


def test_paths_reaching_a_tensor_are_summed_with_add_n(x):
    (grad,), ops = _new_ops(lambda: tf.gradients(x * x + x, x))
    assert "AddN" in [op.type for op in ops]
    np.testing.assert_allclose(_run(grad, {x: X}), 2 * X + 1)


def test_unconnected_xs_get_none(x):
    other = tf.placeholder(tf.float64, [3])
    grads = tf.gradients(x * 2.0, [x, other])
    assert grads[1] is None
    np.testing.assert_allclose(_run(grads[0], {x: X}), [2, 2, 2])


def test_integer_xs_get_none(x):
    count = tf.placeholder(tf.int32, [3])
    y = x * tf.cast(count, tf.float64)
    grads = tf.gradients(y, [x, count])
    assert grads[1] is None
    np.testing.assert_allclose(_run(grads[0], {x: X, count: [1, 2, 3]}), [1, 2, 3])


def test_ys_that_do_not_reach_any_x_give_none(x):
    assert tf.gradients(tf.constant(1.0), x) == [None]


# ======================================================================================
# grad_ys and several ys
# ======================================================================================
def test_grad_ys_weight_the_gradient(x):
    weights = np.array([1.0, -2.0, 0.5])
    from_array, = tf.gradients(x * x, x, grad_ys=weights)
    from_tensor, = tf.gradients(x * x, x, grad_ys=tf.constant(weights))
    for grad in (from_array, from_tensor):
        np.testing.assert_allclose(_run(grad, {x: X}), weights * 2 * X)


def test_a_wrong_number_of_grad_ys_raises(x):
    with pytest.raises(ValueError):
        tf.gradients([x * 2.0, x * 3.0], x, grad_ys=[np.ones(3)])
    with pytest.raises(ValueError):  # TF1 reads a Python list as one grad_y per y
        tf.gradients(x * 2.0, x, grad_ys=[1.0, 2.0, 3.0])


def test_several_ys_are_summed(x):
    grad, = tf.gradients([x * 2.0, x * x], x)
    np.testing.assert_allclose(_run(grad, {x: X}), 2 + 2 * X)


def test_several_ys_with_their_own_grad_ys(x):
    weights = [np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.5, -1.0])]
    grad, = tf.gradients([x * 2.0, x * x], x, grad_ys=weights)
    np.testing.assert_allclose(_run(grad, {x: X}), weights[0] * 2 + weights[1] * 2 * X)


# ======================================================================================
# stop_gradient and stop_gradients
# ======================================================================================
def test_stop_gradient_blocks_its_path(x):
    grad, = tf.gradients(tf.stop_gradient(x) * x, x)
    np.testing.assert_allclose(_run(grad, {x: X}), X)
    assert tf.gradients(tf.stop_gradient(x), x) == [None]


def test_stop_gradients_argument_stops_at_the_tensors_but_still_differentiates_them(x):
    doubled = x * 2.0
    y = doubled * 3.0 + x
    grads = tf.gradients(y, [x, doubled], stop_gradients=[doubled])
    np.testing.assert_allclose(_run(grads, {x: X}), [np.ones(3), np.full(3, 3.0)])
    assert tf.gradients(doubled * 3.0, x, stop_gradients=doubled) == [None]


# ======================================================================================
# Variables and cond
# ======================================================================================
def test_gradient_with_respect_to_a_variable_is_that_of_its_reads():
    v = tf.Variable([1.0, 2.0], name="v")
    unused = tf.Variable([0.0], name="unused")
    y = v * v + v * 3.0
    grads = tf.gradients(y, [v, unused])
    assert grads[1] is None
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_allclose(sess.run(grads[0]), [5.0, 7.0])


@pytest.mark.parametrize("taken", [True, False])
def test_cond_gradient_comes_from_the_taken_branch(x, taken):
    other = tf.placeholder(tf.float64, [3])
    pred = tf.placeholder(tf.bool, [])
    y = tf.cond(pred, lambda: x * x, lambda: other * 3.0 + x)
    grads = tf.gradients(y, [x, other])
    grad_x, grad_other = _run(grads, {x: X, other: X, pred: taken})
    np.testing.assert_allclose(grad_x, 2 * X if taken else np.ones(3))
    np.testing.assert_allclose(grad_other, np.zeros(3) if taken else np.full(3, 3.0))


def test_gradient_through_a_ref_switch():
    """`initialized_value` is a cond whose true branch reads the variable's ref through a RefSwitch."""
    initial = tf.placeholder(tf.float32, [2])
    v = tf.Variable(initial, name="v")
    y = v.initialized_value() * 3.0
    assert "RefSwitch" in [op.type for op in tf.get_default_graph().get_operations()]
    grad_v, grad_initial = tf.gradients(y, [v, initial])
    feed = {initial: [1.0, 2.0]}
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(grad_initial, feed), [3.0, 3.0])  # uninitialized: initial
        sess.run(v.initializer, feed)
        np.testing.assert_allclose(sess.run(grad_v, feed), [3.0, 3.0])
        np.testing.assert_allclose(sess.run(grad_initial, feed), [0.0, 0.0])


# ======================================================================================
# Op types without a gradient function
# ======================================================================================
@pytest.fixture
def scratch_registry(monkeypatch):
    """Op types defined during the test are forgotten afterwards (the harness checks the registry)."""
    monkeypatch.setattr(op_def, "_REGISTRY", dict(op_def._REGISTRY))


def _scratch_op(op_type, x, differentiable):
    op_def.define_op(op_type, inputs=["x: T"], outputs=["y: T"], attrs={"T": op_def.TypeAttr()},
                     shape=unchanged, differentiable=differentiable)
    return apply_op(op_type, x, name="scratch")


def test_a_differentiable_op_without_a_gradient_raises_lookup_error(x, scratch_registry):
    y = _scratch_op("GradientlessForTest", x, differentiable=True)
    with pytest.raises(LookupError, match=r"'scratch'.*op type: GradientlessForTest"):
        tf.gradients(y * 2.0, x)


def test_a_non_differentiable_op_gives_none(x, scratch_registry):
    y = _scratch_op("NotDifferentiableForTest", x, differentiable=False)
    assert tf.gradients(y * 2.0, x) == [None]


# ======================================================================================
# The dtype of y (TF1: ones of an integer y flow back and give None; strings and complex
# numbers without grad_ys raise TypeError)
# ======================================================================================
def test_integer_ys_give_none(x):
    count = tf.placeholder(tf.int32, [3])
    assert tf.gradients(count * 2, count) == [None]
    assert tf.gradients(tf.cast(x, tf.int32) * 2, x) == [None]


def test_string_ys_raise_type_error(x):
    with pytest.raises(TypeError):
        tf.gradients(tf.placeholder(tf.string, [3]), x)


def test_complex_ys_need_grad_ys(x):
    with pytest.raises(TypeError, match="complex"):
        tf.gradients(tf.placeholder(tf.complex64, [3]), x)


# ======================================================================================
# Gradients of gradients
# ======================================================================================
_SECOND_DERIVATIVES = [  # (f, f'' in NumPy)
    ("cube", lambda x: x ** 3, lambda x: 6 * x),
    ("product", lambda x: x * x * x, lambda x: 6 * x),
    ("sin", tf.sin, lambda x: -np.sin(x)),
    ("exp", tf.exp, np.exp),
    ("tanh", tf.tanh, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    ("reciprocal", lambda x: 1.0 / x, lambda x: 2 / x ** 3),
    ("square-of-slice", lambda x: tf.square(x[1:]), lambda x: np.array([0.0, 2.0, 2.0])),
    ("gathered-cube", lambda x: tf.gather(x, [2, 2, 0]) ** 3, lambda x: np.array([6 * x[0], 0, 12 * x[2]])),
]


@pytest.mark.parametrize("function,expected", [pytest.param(f, e, id=n) for n, f, e in _SECOND_DERIVATIVES])
def test_second_derivatives(x, function, expected):
    first, = tf.gradients(function(x), x)
    second, = tf.gradients(first, x)  # a gather's gradients are IndexedSlices: compare them dense
    np.testing.assert_allclose(_run(tf.convert_to_tensor(second), {x: X}), expected(X), rtol=1e-12)


def test_mixed_second_derivative():
    a = tf.placeholder(tf.float64, [])
    b = tf.placeholder(tf.float64, [])
    grad_a, = tf.gradients(a * a * b, a)
    grad_ab, = tf.gradients(grad_a, b)
    assert _run(grad_ab, {a: 1.5, b: -2.0}) == pytest.approx(3.0)
