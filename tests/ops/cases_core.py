"""Harness cases: constants, placeholders, identity, variables, control flow."""
import numpy as np

import minitf as tf
from harness import INTS, OpCase, REALS, fixed, inputs_of, uniform


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


# The scatter ops: op type -> (tf function, what one occurrence does to its row). The references
# apply the updates one at a time in order (TF1's CPU kernel order), independently of ufunc.at.
_SCATTERS = {
    "ScatterUpdate": (tf.scatter_update, lambda row, u: u),
    "ScatterAdd": (tf.scatter_add, lambda row, u: row + u),
    "ScatterSub": (tf.scatter_sub, lambda row, u: row - u),
    "ScatterMul": (tf.scatter_mul, lambda row, u: row * u),
    "ScatterDiv": (tf.scatter_div, lambda row, u: row / u),
    "ScatterMin": (tf.scatter_min, np.minimum),
    "ScatterMax": (tf.scatter_max, np.maximum),
}
# Indices of both types, 1-D and 2-D. Rows named more than once accumulate, except for
# ScatterUpdate, whose duplicates a GPU may write in any order (test_scatter_ops.py checks the CPU's).
_SCATTER_INDICES = {np.int32: np.array([3, 0, 3, 1, 3], np.int32),
                    np.int64: np.array([[4, 2], [2, 0]], np.int64)}
_UNIQUE_INDICES = {np.int32: np.array([3, 0, 1], np.int32), np.int64: np.array([[4, 2], [1, 0]], np.int64)}


def _scatter_then_read(function):
    def build(x, indices, updates):
        v = tf.Variable(x, name="v")
        with tf.control_dependencies([v.initializer]):
            return function(v, indices, updates)
    return build


def _scatter_reference(row_update):
    def reference(x, indices, updates):
        x, row = x.copy(), x.shape[1:]
        updates = np.broadcast_to(updates, indices.shape + row).reshape((indices.size,) + row)
        for i, u in zip(indices.reshape(-1), updates):
            x[i] = row_update(x[i], u)
        return x
    return reference


def _scatter_inputs(indices, updates=None, value=uniform((5, 3))):
    """A (5, 3) variable's initial value, the indices, and `updates` (by default one uniform row
    per index)."""
    updates = updates or uniform(indices.shape + (3,))
    return lambda dtype, rng: [value(dtype, rng), indices, updates(dtype, rng)]


def _nonzero_integers(shape):
    """Integer divisors of either sign, never zero (TF1's integer ScatterDiv crashes on one)."""
    return lambda dtype, rng: rng.choice([-3, -2, 2, 3], size=shape).astype(dtype.as_numpy_dtype)


def _scatter_cases():
    cases = []
    for op_type, (function, row_update) in _SCATTERS.items():
        table = _UNIQUE_INDICES if op_type == "ScatterUpdate" else _SCATTER_INDICES
        for index_type, indices in table.items():
            # Divisors away from zero.
            updates = uniform(indices.shape + (3,), 0.5, 2.0) if op_type == "ScatterDiv" else None
            cases.append(OpCase(op_type, _scatter_then_read(function), _scatter_inputs(indices, updates),
                                _scatter_reference(row_update), dtypes=(tf.float32, tf.float64),
                                name=f"{op_type}-{np.dtype(index_type).name}"))
    indices = _SCATTER_INDICES[np.int32]
    return cases + [
        # A scalar update applies to every named row.
        OpCase("ScatterAdd", _scatter_then_read(tf.scatter_add), _scatter_inputs(indices, uniform(())),
               _scatter_reference(_SCATTERS["ScatterAdd"][1]), dtypes=REALS, name="ScatterAdd-scalar-updates"),
        # Integer division truncates toward zero (C's), each divisor in turn: (20 / 3) / -2 == -3.
        OpCase("ScatterDiv", _scatter_then_read(tf.scatter_div),
               _scatter_inputs(indices, _nonzero_integers(indices.shape + (3,)), uniform((5, 3), -20, 20)),
               _scatter_reference(lambda row, u: np.fix(row / u).astype(row.dtype)), dtypes=INTS,
               name="ScatterDiv-integer"),
        OpCase("ScatterMax", _scatter_then_read(tf.scatter_max), _scatter_inputs(indices),
               _scatter_reference(np.maximum), dtypes=INTS, name="ScatterMax-integer"),
    ]


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
    *_scatter_cases(),
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
