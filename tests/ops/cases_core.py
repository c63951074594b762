"""Harness cases: constants, placeholders, identity, variables, control flow."""
import numpy as np

import minitf as tf
from harness import OpCase, REALS, fixed, inputs_of, uniform


def _assign_then_read(kind):
    def build(x):
        v = tf.Variable(tf.zeros_like(x) + 1 if kind != "Assign" else x, name="v")
        with tf.control_dependencies([v.initializer]):
            op = {"Assign": tf.assign, "AssignAdd": tf.assign_add, "AssignSub": tf.assign_sub}[kind](v, x)
        return op
    return build


def _count_twice(x):
    """Counts up twice from the fed start (limit 5): the values before each increment."""
    v = tf.Variable(x, name="counter")
    with tf.control_dependencies([v.initializer]):
        first = v.count_up_to(5)
    with tf.control_dependencies([first]):
        return [first, tf.count_up_to(v, 5)]


def _asserted(x):
    """x, behind an Assert that holds (a failing one: tests/train/test_input.py)."""
    with tf.control_dependencies([tf.Assert(tf.reduce_all(tf.equal(x, x)), [x, "x has a NaN"])]):
        return tf.identity(x)


CASES = [
    OpCase("Const", lambda x: tf.constant([[1.5, 2.0]]) + tf.cast(x, tf.float32), fixed(np.float32(0)),
           lambda x: np.array([[1.5, 2.0]], np.float32)),
    OpCase("Placeholder", lambda x: x, inputs_of(uniform((2, 3))), lambda x: x, dtypes=REALS),
    OpCase("PlaceholderWithDefault", lambda x: tf.placeholder_with_default(x, [2, None]),
           inputs_of(uniform((2, 3))), lambda x: x, dtypes=REALS, exact_shape=False),
    OpCase("Identity", tf.identity, inputs_of(uniform((3,))), lambda x: x, dtypes=REALS + (tf.bool,)),
    OpCase("VariableV2", lambda x: tf.Variable(tf.zeros([2]) + 5.0).initialized_value(),
           fixed(np.float32(0)), lambda x: np.full([2], 5.0, np.float32)),
    OpCase("Assign", _assign_then_read("Assign"), inputs_of(uniform((2, 2))), lambda x: x, dtypes=REALS),
    OpCase("AssignAdd", _assign_then_read("AssignAdd"), inputs_of(uniform((2, 2))), lambda x: x + 1,
           dtypes=REALS),
    OpCase("AssignSub", _assign_then_read("AssignSub"), inputs_of(uniform((2, 2))), lambda x: 1 - x,
           dtypes=REALS),
    OpCase("IsVariableInitialized", lambda x: tf.is_variable_initialized(tf.Variable(x, name="w")),
           inputs_of(uniform((2,))), lambda x: np.bool_(False)),
    OpCase("NoOp", lambda x: [tf.no_op(), tf.identity(x)], inputs_of(uniform((2,))), lambda x: x),
    OpCase("CountUpTo", _count_twice, inputs_of(uniform((), 0, 3)), lambda x: [x, x + 1],
           dtypes=(tf.int32, tf.int64)),
    OpCase("Assert", _asserted, inputs_of(uniform((3,))), lambda x: x),
    OpCase("Switch", lambda x: tf.cond(tf.constant(True), lambda: x * 2, lambda: x * 3),
           inputs_of(uniform((2,))), lambda x: x * 2, dtypes=REALS),
    OpCase("Merge", lambda x: tf.cond(tf.reduce_sum(tf.cast(x, tf.float64)) > 1e9, lambda: x * 2, lambda: x * 3),
           inputs_of(uniform((2, 3))), lambda x: x * 3, dtypes=REALS),
    # The variable is never initialized, so the cond takes x through its Switch. No gradient with
    # respect to a fed value can pass a RefSwitch (its input is a variable's ref), so this checks
    # the cond around it; test_gradients.py differentiates through the RefSwitch itself.
    OpCase("RefSwitch", lambda x: tf.Variable(x, name="w").initialized_value(),
           inputs_of(uniform((2,))), lambda x: x, dtypes=(tf.float32, tf.float64), exact_shape=False),
]
