"""The scatter ops (tf.scatter_update, tf.scatter_add, ...) and the Variable.scatter_* methods.

Values and messages marked "TF1" were checked against TensorFlow 2.21's tf.compat.v1 with
v2 behavior disabled (its graph-construction messages name the node differently; minitf keeps
TF 1.x's "for 'ScatterAdd' (op: 'ScatterAdd') with input shapes: ..." suffix).
"""
import numpy as np
import pytest

import minitf as tf
from minitf.framework.op_def import get_op_def
from minitf.kernels.state import _in_turn

SCATTERS = [tf.scatter_update, tf.scatter_add, tf.scatter_sub, tf.scatter_mul, tf.scatter_div,
            tf.scatter_min, tf.scatter_max]


def run_after_init(variable, fetches, feed=None):
    """Initializes `variable` and runs `fetches` once in a new session."""
    with tf.Session() as sess:
        sess.run(variable.initializer)
        return sess.run(fetches, feed)


def test_tf1_book_program():
    """The classic example: scattered rows replaced, the rest kept, and `v` reads the new value."""
    v = tf.Variable([1.0, 2.0, 3.0, 4.0], name="v")
    update = tf.scatter_update(v, [0, 2], [10.0, 20.0])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(update), [10.0, 2.0, 20.0, 4.0])
        np.testing.assert_array_equal(sess.run(v), [10.0, 2.0, 20.0, 4.0])
        np.testing.assert_array_equal(sess.run(tf.scatter_add(v, [1, 1], [0.5, 0.25])), [10.0, 2.75, 20.0, 4.0])


@pytest.mark.parametrize("function,updates,want", [  # TF1's values, duplicates included
    (tf.scatter_update, [1.0, 2.0, 3.0], [3.0, 2.0, 3.0, 4.0, 5.0]),  # the last write wins (CPU)
    (tf.scatter_add, [1.0, 2.0, 3.0], [7.0, 2.0, 3.0, 4.0, 5.0]),
    (tf.scatter_sub, [1.0, 2.0, 3.0], [-5.0, 2.0, 3.0, 4.0, 5.0]),
    (tf.scatter_mul, [3.0, 4.0, 0.5], [6.0, 2.0, 3.0, 4.0, 5.0]),
    (tf.scatter_div, [4.0, 2.0, 0.5], [0.25, 2.0, 3.0, 4.0, 5.0]),
    (tf.scatter_min, [4.0, -2.0, 7.0], [-2.0, 2.0, 3.0, 4.0, 5.0]),
    (tf.scatter_max, [4.0, -2.0, 7.0], [7.0, 2.0, 3.0, 4.0, 5.0]),
])
def test_duplicate_indices(function, updates, want):
    v = tf.Variable([1.0, 2.0, 3.0, 4.0, 5.0])
    np.testing.assert_array_equal(run_after_init(v, function(v, [0, 0, 0], updates)), want)


def test_scalar_updates_and_indices():
    """A scalar update applies to every named row; a scalar index names one row (TF1)."""
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(run_after_init(v, tf.scatter_add(v, [1], 10.0)), [[1.0, 2.0], [13.0, 14.0]])
    w = tf.Variable([1.0, 2.0, 3.0, 4.0, 5.0])
    np.testing.assert_array_equal(run_after_init(w, tf.scatter_add(w, 1, 10.0)), [1.0, 12.0, 3.0, 4.0, 5.0])
    np.testing.assert_array_equal(run_after_init(w, tf.scatter_update(w, [0, 3], 9.0)), [9.0, 2.0, 3.0, 9.0, 5.0])


def test_empty_indices_change_nothing():
    v = tf.Variable([1.0, 2.0])
    update = tf.scatter_mul(v, tf.zeros([0], tf.int32), tf.zeros([0]))
    np.testing.assert_array_equal(run_after_init(v, update), [1.0, 2.0])


def test_integer_division_truncates_in_turn():
    """C's division, each divisor in turn: 20 / 3 / -2 == -3 and -7 / 2 == -3 (TF1)."""
    v = tf.Variable([10, 20, 30, -7])
    np.testing.assert_array_equal(run_after_init(v, tf.scatter_div(v, [1, 1, 3], [3, -2, 2])), [10, -3, 30, -3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
        run_after_init(v, tf.scatter_div(v, [0, 1], [0, 1]))  # TF1's kernel crashes the process


def test_unsigned_subtraction_wraps():
    v = tf.Variable(np.array([250, 20], np.uint8))
    update = tf.scatter_sub(v, [1, 1], np.array([30, 1], np.uint8))
    np.testing.assert_array_equal(run_after_init(v, update), [250, 245])  # TF1


@pytest.mark.parametrize("function", [np.multiply, np.divide, np.minimum])
def test_in_turn_matches_ufunc_at(function):
    """The fallback for updates CuPy has no atomic form of (ScatterMul, ScatterDiv on a GPU) gives
    NumPy's `ufunc.at` result to the bit: the same operations in the same order."""
    rng = np.random.default_rng(0)
    target = rng.uniform(0.5, 2.0, (6, 4)).astype(np.float32)
    indices = rng.integers(0, 6, (5, 3))
    updates = rng.uniform(0.5, 2.0, (5, 3, 4)).astype(np.float32)
    want = target.copy()
    function.at(want, indices, updates)
    _in_turn(np, function)(target, indices, updates)
    np.testing.assert_array_equal(target, want)


# ======================================================================================
# Construction: dtypes, attrs, shapes (TF1's messages)
# ======================================================================================
@pytest.mark.parametrize("ref,indices,updates,message", [
    ([1.0, 2.0, 3.0, 4.0, 5.0], [0, 1], [1.0, 2.0, 3.0],
     "Dimension 0 in both shapes must be equal, but are 3 and 2. Shapes are [3] and [2]."),
    ([1.0, 2.0, 3.0, 4.0, 5.0], [[0, 1]], [1.0, 2.0], "Shapes must be equal rank, but are 1 and 2"),
    ([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [0, 1], [1.0, 2.0], "Shapes must be equal rank, but are 1 and 2"),
    ([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [0, 1], [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]],
     "Dimension 1 in both shapes must be equal, but are 3 and 2. Shapes are [2,3] and [2,2]."),
    ([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], 1, [[1.0, 2.0]], "Shapes must be equal rank, but are 2 and 1"),
])
@pytest.mark.parametrize("function", SCATTERS)
def test_shape_errors_at_construction(function, ref, indices, updates, message):
    v = tf.Variable(ref)
    with pytest.raises(ValueError) as raised:
        function(v, indices, updates)
    assert str(raised.value).startswith(message)
    assert "with input shapes:" in str(raised.value)


def test_static_shapes():
    """The output is the variable (its shape); unknown parts of the inputs are not checked (TF1)."""
    v = tf.Variable(tf.zeros([3, 2]))
    assert tf.scatter_add(v, [0, 1], tf.placeholder(tf.float32, [None, 2])).shape.as_list() == [3, 2]
    assert tf.scatter_add(v, tf.placeholder(tf.int32), [[1.0, 2.0]]).shape.as_list() == [3, 2]
    assert tf.scatter_add(v, [0], tf.placeholder(tf.float32)).shape.as_list() == [3, 2]
    assert tf.scatter_update(tf.Variable(3.0), [0], [1.0]).shape.as_list() == []  # fails when run
    unknown = tf.Variable(tf.zeros([3, 2]), validate_shape=False)
    assert tf.scatter_update(unknown, [0, 1], [[1.0, 2.0, 3.0]]).shape.ndims is None


def test_attrs_dtypes_and_names():
    v = tf.Variable([1.0, 2.0])
    update = tf.scatter_update(v, [0], [1.0])
    assert update.dtype == tf.float32._as_ref and update.name == "ScatterUpdate:0"
    assert update.op.get_attr("Tindices") == tf.int32
    assert tf.scatter_max(v, tf.constant([0], tf.int64), [1.0]).op.get_attr("Tindices") == tf.int64
    # use_locking defaults as TF1's op defs say
    assert [f(v, [0], [1.0]).op.get_attr("use_locking") for f in SCATTERS] == [True] + [False] * 6
    assert not tf.scatter_update(v, [0], [1.0], use_locking=False).op.get_attr("use_locking")
    assert tf.scatter_div(v, [1], [2.0], name="halve").op.name == "halve"
    # ints convert to the variable's dtype
    assert tf.scatter_update(v, [0, 1], [1, 2]).dtype.base_dtype == tf.float32


@pytest.mark.parametrize("build,message", [  # TF1's messages
    (lambda v: tf.scatter_add(v, [0.5], [1.0]),
     "Value passed to parameter 'indices' has DataType float32 not in list of allowed values: int32, int64"),
    (lambda v: tf.scatter_min(tf.Variable([True]), [0], [False]),
     "Value passed to parameter 'ref' has DataType bool not in list of allowed values"),
    (lambda v: tf.scatter_add(v, [0], tf.constant([1], tf.int32)), "Input 'updates' of 'ScatterAdd' Op has type int32"),
])
def test_type_errors(build, message):
    with pytest.raises(TypeError, match=message):
        build(tf.Variable([1.0, 2.0]))


def test_not_differentiable():
    """TF1 registers no gradient for these: scatter_add/sub/mul/div are NotDifferentiable there too.
    Departure: TF1 raises LookupError for ScatterUpdate, ScatterMin and ScatterMax, minitf gives None."""
    assert not any(get_op_def(f"Scatter{kind}").differentiable
                   for kind in ("Update", "Add", "Sub", "Mul", "Div", "Min", "Max"))
    updates = tf.placeholder(tf.float32, [1])
    assert tf.gradients(tf.scatter_add(tf.Variable([1.0, 2.0]), [0], updates), [updates]) == [None]


# ======================================================================================
# Run time: bad indices, bad shapes, uninitialized variables (TF1's classes and messages)
# ======================================================================================
@pytest.mark.parametrize("function", SCATTERS)
@pytest.mark.parametrize("indices,updates,message", [
    ([0, 7], [1.0, 2.0], r"indices\[1\] = 7 is not in \[0, 5\)"),
    ([0, -1], [1.0, 2.0], r"indices\[1\] = -1 is not in \[0, 5\)"),
    ([[0, 1], [7, 1]], [[1.0, 2.0], [1.0, 2.0]], r"indices\[1,0\] = 7 is not in \[0, 5\)"),
    (np.array([0, 7], np.int64), [1.0, 2.0], r"indices\[1\] = 7 is not in \[0, 5\)"),
    (7, 1.0, r"^indices = 7 is not in \[0, 5\)"),
])
def test_out_of_range_indices(function, indices, updates, message):
    v = tf.Variable([1.0, 2.0, 3.0, 4.0, 5.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            sess.run(function(v, indices, updates))
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0, 3.0, 4.0, 5.0])  # no row changed


@pytest.mark.parametrize("updates,indices", [(np.ones(3), [0, 1]), (np.ones((2, 3)), [0, 1]), (np.ones(2), [0, 1]),
                                             (np.ones((2, 2)), [0])])
def test_update_shape_errors_at_run_time(updates, indices):
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    fed = tf.placeholder(tf.float32)
    message = (r"Must have updates.shape = indices.shape \+ params.shape\[1:\] or updates.shape = \[\], got "
               rf"updates.shape \[{','.join(map(str, updates.shape))}\], indices.shape \[{len(indices)}\], "
               r"params.shape \[2,2\]")
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        run_after_init(v, tf.scatter_update(v, indices, fed), {fed: updates})


def test_scalar_variable_fails_at_run_time():
    v = tf.Variable(5.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"params must be at least 1-D, got shape \[\]"):
        run_after_init(v, tf.scatter_update(v, [0], [1.0]))


def test_uninitialized_variable():
    v = tf.Variable([1.0, 2.0], name="weights")
    with tf.Session() as sess, pytest.raises(tf.errors.FailedPreconditionError,
                                             match="Attempting to use uninitialized value weights"):
        sess.run(tf.scatter_add(v, [0], [1.0]))


# ======================================================================================
# In-place updates never change a value someone holds
# ======================================================================================
def test_fetched_values_never_change():
    v = tf.Variable([1.0, 2.0, 3.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        before = sess.run(v)
        first = sess.run(tf.scatter_add(v, [0], [100.0]))
        second = sess.run(tf.scatter_mul(v, [0, 1], [2.0, 2.0]))
        np.testing.assert_array_equal(before, [1.0, 2.0, 3.0])
        np.testing.assert_array_equal(first, [101.0, 2.0, 3.0])
        np.testing.assert_array_equal(second, [202.0, 4.0, 3.0])


def test_unshared_variable_is_updated_in_place():
    """Nothing but the variable holds its array, so a scatter changes rows without copying it."""
    v = tf.Variable(tf.zeros([1000, 4]), name="table")
    update = tf.scatter_add(v, [3], tf.ones([1, 4])).op  # run as an op: nothing fetched holds the value
    with tf.Session() as sess:
        sess.run(v.initializer)
        storage = sess._resources.lookup("", "table")
        address = id(storage.value)
        sess.run(update)
        assert id(storage.value) == address
        np.testing.assert_array_equal(sess.run(v)[3], [1.0] * 4)


# ======================================================================================
# Variable.scatter_* (TF1's RefVariable methods)
# ======================================================================================
def test_variable_methods():
    v = tf.Variable([1.0, 2.0, 3.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        delta = tf.IndexedSlices(tf.constant([1.0, 1.0]), tf.constant([0, 0]))
        np.testing.assert_array_equal(sess.run(v.scatter_sub(delta)), [-1.0, 2.0, 3.0])  # TF1
        np.testing.assert_array_equal(sess.run(v.scatter_add(tf.IndexedSlices(tf.constant([1.0, 1.0]),
                                                                              tf.constant([0, 2])))),
                                      [0.0, 2.0, 4.0])
        update = v.scatter_update(tf.IndexedSlices(tf.constant([7.0, 8.0]), tf.constant([0, 2])), name="put")
        np.testing.assert_array_equal(sess.run(update), [7.0, 2.0, 8.0])
        assert update.op.name == "put" and update.op.type == "ScatterUpdate"
        assert not update.op.get_attr("use_locking")  # the methods default to False, as TF1's do


def test_variable_methods_take_any_indexed_slices_like_object():
    class Rows:
        indices, values = [1], [[5.0, 5.0]]
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    updates = [v.scatter_max(Rows()), v.scatter_min(Rows()), v.scatter_mul(Rows()), v.scatter_div(Rows())]
    assert [u.op.type for u in updates] == ["ScatterMax", "ScatterMin", "ScatterMul", "ScatterDiv"]
    np.testing.assert_array_equal(run_after_init(v, updates[0]), [[1.0, 2.0], [5.0, 5.0]])
    with pytest.raises(TypeError, match=r"sparse_delta is not IndexedSlices: \[1, 2\]"):  # TF1's message
        v.scatter_update([1, 2])
