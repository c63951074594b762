"""tf.train learning-rate schedules against their NumPy formulas at several global steps."""
import math

import numpy as np
import pytest

import minitf as tf

STEPS = [0, 1, 3, 7, 10, 25, 99, 100, 101, 250]

# schedule: (build(step tensor) -> rate tensor, formula(step) -> rate, output op name)
SCHEDULES = {
    "exponential": (lambda s: tf.train.exponential_decay(0.1, s, 10, 0.96),
                    lambda s: 0.1 * 0.96 ** (s / 10), "ExponentialDecay"),
    "exponential-staircase": (lambda s: tf.train.exponential_decay(0.1, s, 10, 0.5, staircase=True),
                              lambda s: 0.1 * 0.5 ** (s // 10), "ExponentialDecay"),
    "natural-exp": (lambda s: tf.train.natural_exp_decay(0.1, s, 5, 0.3),
                    lambda s: 0.1 * math.exp(-0.3 * s / 5), "NaturalExpDecay"),
    "natural-exp-staircase": (lambda s: tf.train.natural_exp_decay(0.1, s, 5, 0.3, staircase=True),
                              lambda s: 0.1 * math.exp(-0.3 * (s // 5)), "NaturalExpDecay"),
    "inverse-time": (lambda s: tf.train.inverse_time_decay(0.1, s, 10, 0.5),
                     lambda s: 0.1 / (1 + 0.5 * s / 10), "InverseTimeDecay"),
    "inverse-time-staircase": (lambda s: tf.train.inverse_time_decay(0.1, s, 10, 0.5, staircase=True),
                               lambda s: 0.1 / (1 + 0.5 * (s // 10)), "InverseTimeDecay"),
    "polynomial": (lambda s: tf.train.polynomial_decay(0.1, s, 100, end_learning_rate=0.01, power=2.0),
                   lambda s: (0.1 - 0.01) * (1 - min(s, 100) / 100) ** 2 + 0.01, "PolynomialDecay"),
    "polynomial-cycle": (
        lambda s: tf.train.polynomial_decay(0.1, s, 100, end_learning_rate=0.01, power=0.5, cycle=True),
        lambda s: (0.1 - 0.01) * (1 - s / (100 * max(1, math.ceil(s / 100)))) ** 0.5 + 0.01,
        "PolynomialDecay"),
    "cosine": (lambda s: tf.train.cosine_decay(0.1, s, 100, alpha=0.2),
               lambda s: 0.1 * (0.8 * 0.5 * (1 + math.cos(math.pi * min(s, 100) / 100)) + 0.2), "CosineDecay"),
    "piecewise": (lambda s: tf.train.piecewise_constant(s, [5, 50], [1.0, 0.5, 0.1]),
                  lambda s: 1.0 if s <= 5 else 0.5 if s <= 50 else 0.1, None),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_its_formula(name):
    build, formula, op_name = SCHEDULES[name]
    step = tf.placeholder(tf.int64, [])
    rate = build(step)
    assert rate.dtype == tf.float32 and rate.shape == tf.TensorShape([])
    if op_name:
        assert rate.op.name == op_name
    with tf.Session() as sess:
        for value in STEPS:
            np.testing.assert_allclose(sess.run(rate, {step: value}), formula(value), rtol=5e-6,
                                       err_msg=f"{name} at step {value}")


def test_schedule_follows_the_global_step_variable_and_keeps_its_dtype():
    global_step = tf.train.get_or_create_global_step()
    rate = tf.train.exponential_decay(tf.constant(0.1, tf.float64), global_step, 2, 0.5, staircase=True)
    increment = tf.assign_add(global_step, 1)
    assert rate.dtype == tf.float64
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        seen = []
        for _ in range(5):
            seen.append(sess.run(rate))
            sess.run(increment)
    assert seen == [0.1, 0.1, 0.05, 0.05, 0.025]


def test_piecewise_constant_dtypes():
    x64 = tf.placeholder(tf.int64, [])
    rate = tf.train.piecewise_constant(x64, [10, 20], [0.3, 0.2, 0.1])  # int32 boundaries promoted
    xf = tf.placeholder(tf.float32, [])
    float_rate = tf.train.piecewise_constant(xf, [0.5], [tf.constant(1, tf.int32), tf.constant(2, tf.int32)])
    assert float_rate.dtype == tf.int32
    with tf.Session() as sess:
        assert [sess.run(rate, {x64: v}) for v in (10, 11, 20, 21)] == [np.float32(v) for v in (0.3, 0.2, 0.2, 0.1)]
        assert [sess.run(float_rate, {xf: v}) for v in (0.5, 0.75)] == [1, 2]
    with pytest.raises(ValueError, match="The length of boundaries should be 1 less than the length of values"):
        tf.train.piecewise_constant(x64, [1, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="Boundaries .* must have the same dtype as x"):
        tf.train.piecewise_constant(xf, [1, 2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="Values must have elements all with the same dtype"):
        tf.train.piecewise_constant(x64, [1], [0.1, 2])


@pytest.mark.parametrize("schedule", ["exponential_decay", "natural_exp_decay", "inverse_time_decay"])
def test_schedules_require_a_global_step(schedule):
    with pytest.raises(ValueError, match=f"global_step is required for {schedule}."):
        getattr(tf.train, schedule)(0.1, None, 10, 0.5)
    with pytest.raises(ValueError, match="global_step is required for polynomial_decay."):
        tf.train.polynomial_decay(0.1, None, 10)


def test_schedule_names_its_scope():
    step = tf.placeholder(tf.int64, [])
    rate = tf.train.exponential_decay(0.1, step, 10, 0.5, name="lr")
    assert rate.op.name == "lr"
    assert tf.get_default_graph().get_operation_by_name("lr/learning_rate").type == "Const"
