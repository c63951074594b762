"""tf.train.AdadeltaOptimizer, ProximalGradientDescentOptimizer and ProximalAdagradOptimizer:
several steps against the NumPy rules of tests/ops/cases_training.py, against values TF1 1.15
printed for the same program, and their slots and node names."""
import numpy as np
import pytest

import cases_training as rules
import minitf as tf
from minitf.train.adadelta import AdadeltaOptimizer
from minitf.train.proximal_adagrad import ProximalAdagradOptimizer
from minitf.train.proximal_gradient_descent import ProximalGradientDescentOptimizer

# loss = sum(SCALE * v * v), so grad = 2 * SCALE * v.
V0 = np.array([1.0, -2.0, 0.01])
SCALE = np.array([1.0, 2.0, 3.0])


def _train(optimizer, steps, dtype=tf.float32):
    v = tf.Variable(V0.astype(dtype.as_numpy_dtype), name="v")
    train = optimizer.minimize(tf.reduce_sum(v * v * SCALE.astype(dtype.as_numpy_dtype)))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            sess.run(train)
        slots = {name: sess.run(optimizer.get_slot(v, name)) for name in optimizer.get_slot_names()}
        return v, sess.run(v), slots


# ======================================================================================
# Values TF1 printed: three steps of the program above in float32
# ======================================================================================
@pytest.mark.parametrize("make, expected", [
    (lambda: AdadeltaOptimizer(0.5), [0.9993216395378113, -1.999321460723877, 0.009330026805400848]),
    (lambda: ProximalGradientDescentOptimizer(0.1, l1_regularization_strength=0.05,
                                              l2_regularization_strength=0.1),
     [0.48496460914611816, -0.4096565246582031, 0.0]),
    (lambda: ProximalAdagradOptimizer(0.1, l1_regularization_strength=0.05, l2_regularization_strength=0.1),
     [0.7671937942504883, -1.7692569494247437, 0.0]),
])
def test_three_steps_match_tf1(make, expected):
    _, value, _ = _train(make(), 3)
    np.testing.assert_allclose(value, expected, rtol=2e-6, atol=1e-7)


# ======================================================================================
# Many steps in float64 against the NumPy rules
# ======================================================================================
def _f32(value):
    """A Python hyperparameter as the optimizer sees it: a float32 constant cast to float64."""
    return float(np.float32(value))


def _numpy_steps(step, state, steps):
    for _ in range(steps):
        state = step(state, 2 * SCALE * state[0])
    return state


@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.05, 0.1), (0.0, 0.3)])
def test_proximal_gradient_descent_steps(l1, l2):
    _, value, _ = _train(ProximalGradientDescentOptimizer(0.05, l1, l2), 6, tf.float64)
    expected = _numpy_steps(lambda s, g: rules.proximal_gradient_descent(s[0], _f32(0.05), _f32(l1), _f32(l2), g), (V0,), 6)
    np.testing.assert_allclose(value, expected[0], rtol=1e-12)


@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.05, 0.1)])
def test_proximal_adagrad_steps(l1, l2):
    _, value, slots = _train(ProximalAdagradOptimizer(0.1, 0.2, l1, l2), 6, tf.float64)
    expected = _numpy_steps(lambda s, g: rules.proximal_adagrad(s[0], s[1], _f32(0.1), _f32(l1), _f32(l2), g),
                            (V0, np.full(3, 0.2)), 6)
    np.testing.assert_allclose(value, expected[0], rtol=1e-12)
    np.testing.assert_allclose(slots["accumulator"], expected[1], rtol=1e-12)


def test_adadelta_steps_and_slots():
    v, value, slots = _train(AdadeltaOptimizer(1.0, rho=0.9, epsilon=1e-6), 6, tf.float64)
    expected = _numpy_steps(lambda s, g: rules.adadelta(*s, 1.0, _f32(0.9), _f32(1e-6), g),
                            (V0, np.zeros(3), np.zeros(3)), 6)
    np.testing.assert_allclose(value, expected[0], rtol=1e-12)
    np.testing.assert_allclose(slots["accum"], expected[1], rtol=1e-12)
    np.testing.assert_allclose(slots["accum_update"], expected[2], rtol=1e-12)


# ======================================================================================
# Node structure (as TF1 names it)
# ======================================================================================
def test_adadelta_defaults_and_names():
    optimizer = AdadeltaOptimizer()
    assert (optimizer._lr, optimizer._rho, optimizer._epsilon) == (0.001, 0.95, 1e-8)
    v, _, _ = _train(optimizer, 1)
    assert optimizer.get_slot_names() == ["accum", "accum_update"]
    assert optimizer.get_slot(v, "accum").op.name == "v/Adadelta"
    assert optimizer.get_slot(v, "accum_update").op.name == "v/Adadelta_1"
    graph = tf.get_default_graph()
    assert graph.get_operation_by_name("Adadelta/update_v/ApplyAdadelta").type == "ApplyAdadelta"
    assert [graph.get_operation_by_name(f"Adadelta/{n}").type for n in ("lr", "rho", "epsilon")] == ["Const"] * 3


@pytest.mark.parametrize("make, op_type, slot_names", [
    (lambda: ProximalGradientDescentOptimizer(0.1), "ApplyProximalGradientDescent", []),
    (lambda: ProximalAdagradOptimizer(0.1), "ApplyProximalAdagrad", ["accumulator"]),
])
def test_proximal_names(make, op_type, slot_names):
    optimizer = make()
    _train(optimizer, 1)
    name = optimizer.get_name()
    graph = tf.get_default_graph()
    assert graph.get_operation_by_name(f"{name}/update_v/{op_type}").type == op_type
    assert graph.get_operation_by_name(f"{name}/l1_regularization_strength").type == "Const"
    assert optimizer.get_slot_names() == slot_names


def test_proximal_adagrad_rejects_non_positive_accumulator():
    with pytest.raises(ValueError):
        ProximalAdagradOptimizer(0.1, initial_accumulator_value=0.0)
