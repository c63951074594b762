"""Session.run: fetch structures, feeds, defaults, closing, and TF1's errors for bad input."""
import collections
import threading

import numpy as np
import pytest

import minitf as tf


@pytest.fixture
def classic():
    x = tf.Variable(3, name="x")
    y = tf.Variable(4, name="y")
    return x, y, x * x * y + y + 2


def test_first_graph_tutorial_styles(classic):
    x, y, f = classic
    sess = tf.Session()
    sess.run(x.initializer)
    sess.run(y.initializer)
    assert sess.run(f) == 42
    sess.close()
    with tf.Session() as sess:
        x.initializer.run()
        y.initializer.run()
        assert f.eval() == 42
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        init.run()
        assert f.eval() == 42
    sess = tf.InteractiveSession()
    init.run()
    assert f.eval() == 42
    sess.close()
    assert tf.get_default_session() is None


def test_scalars_come_back_as_numpy_scalars(classic):
    x, y, f = classic
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        value = sess.run(f)
    assert type(value) is np.int32 and value == 42
    with tf.Session() as sess:
        array = sess.run(tf.constant([1, 2]))
    assert type(array) is np.ndarray and array.dtype == np.int32
    array[0] = 7  # fetched arrays are the caller's to modify


def test_nested_fetch_structures(classic):
    x, y, f = classic
    Pair = collections.namedtuple("Pair", "first second")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        result = sess.run({"f": f, "rest": [x, (y, "add_1:0")], "pair": Pair(f, x.initializer)})
        assert result["f"] == 42 and result["rest"][0] == 3
        assert result["rest"][1] == (4, 42)
        assert isinstance(result["pair"], Pair) and result["pair"] == Pair(42, None)
        assert sess.run([]) == [] and sess.run(()) == ()
        assert sess.run(tf.no_op()) is None
        with pytest.raises(TypeError):
            sess.run(None)
        with pytest.raises(TypeError):
            sess.run({f})


def test_y_and_z_in_one_run_share_w():
    w = tf.constant(3)
    x = w + 2
    y = x + 5
    z = x * 3
    with tf.Session() as sess:
        assert sess.run([y, z]) == [10, 15]


def test_multiple_graphs():
    graph = tf.Graph()
    with graph.as_default():
        x2 = tf.Variable(2)
    x1 = tf.Variable(1)
    assert x2.graph is graph and x1.graph is tf.get_default_graph()
    with tf.Session(graph=graph) as sess:
        x2.initializer.run()
        assert x2.eval() == 2


def test_placeholders_fed_with_one_and_two_rows():
    A = tf.placeholder(tf.float32, shape=(None, 3))
    B = A + 5
    with tf.Session() as sess:
        b1 = B.eval(feed_dict={A: [[1, 2, 3]]})
        b2 = B.eval(feed_dict={A: [[4, 5, 6], [7, 8, 9]]})
    np.testing.assert_array_equal(b1, [[6, 7, 8]])
    np.testing.assert_array_equal(b2, [[9, 10, 11], [12, 13, 14]])


def test_any_tensor_can_be_fed():
    a = tf.constant(2.0)
    b = a * 3
    c = b + 1
    with tf.Session() as sess:
        assert sess.run(c, {b: 10.0}) == 11.0
        assert sess.run(c, {"mul:0": 1.0}) == 2.0
        assert sess.run(c) == 7.0


def test_manual_gradient_descent_with_assign():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(100, 3))
    target = data @ np.array([[1.0], [-2.0], [0.5]])
    X = tf.constant(data, dtype=tf.float32)
    y = tf.constant(target, dtype=tf.float32)
    theta = tf.Variable(tf.zeros([3, 1]), name="theta")
    error = tf.matmul(X, theta) - y
    mse = tf.reduce_mean(tf.square(error), name="mse")
    gradients = 2 / 100 * tf.matmul(tf.transpose(X), error)
    training_op = tf.assign(theta, theta - 0.1 * gradients)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = mse.eval()
        for _ in range(200):
            sess.run(training_op)
        assert mse.eval() < first * 1e-3


# --- bad input -------------------------------------------------------------------------------
def test_unfed_placeholder_names_it():
    p = tf.placeholder(tf.float32, shape=(None, 3), name="inputs")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="'inputs'") as info:
        sess.run(p * 2)
    assert info.value.op.name == "inputs"


def test_feed_of_wrong_shape_or_type():
    p = tf.placeholder(tf.float32, shape=(None, 3))
    i = tf.placeholder(tf.int32)
    with tf.Session() as sess:
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(2, 4\)"):
            sess.run(p, {p: np.zeros((2, 4))})
        with pytest.raises(ValueError):
            sess.run(i, {i: "abc"})
        with pytest.raises(TypeError, match="not compatible"):
            sess.run(i, {i: 2 ** 40})
        with pytest.raises(TypeError, match="cannot be a tf.Tensor"):
            sess.run(p, {p: tf.zeros([1, 3])})
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key"):
            sess.run(p, {"nope:0": 1.0})
        assert sess.run(i, {i: 1.5}) == 1  # TF1 truncates, as NumPy does


def test_uninitialized_variable_names_it():
    v = tf.Variable(1.0, name="never_inited")
    with tf.Session() as sess, pytest.raises(tf.errors.FailedPreconditionError, match="never_inited"):
        sess.run(v)


def test_fetch_from_other_graph_or_unknown_name():
    other = tf.Graph()
    with other.as_default():
        foreign = tf.constant(1.0)
    tf.constant(1.0)
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="not an element of this graph"):
            sess.run(foreign)
        with pytest.raises(ValueError, match="does not exist"):
            sess.run("nonexistent:0")
        with pytest.raises(ValueError):
            sess.run("nonexistent")


def test_kernel_error_names_the_op():
    shape = tf.placeholder(tf.int32, [2])
    reshaped = tf.reshape(tf.constant([1, 2, 3]), shape, name="my_reshape")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(reshaped, {shape: [2, 2]})
    assert info.value.op.name == "my_reshape"
    assert "my_reshape" in str(info.value)


def test_closed_session_and_missing_default():
    c = tf.constant(1)
    sess = tf.Session()
    sess.close()
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(c)
    with pytest.raises(ValueError, match="No default session"):
        c.eval()
    other = tf.Graph()
    with tf.Session(graph=other) as sess, pytest.raises(ValueError, match="graph is different"):
        c.eval(session=sess)


# --- plans ------------------------------------------------------------------------------------
def test_plans_are_cached_and_invalidated_by_new_ops():
    a = tf.constant(1.0)
    b = a + 1
    with tf.Session() as sess:
        sess.run(b)
        sess.run(b)
        assert len(sess._plans) == 1
        c = b * 2
        assert sess.run(c) == 4.0
        assert sess.run(b) == 2.0


def test_make_callable():
    p = tf.placeholder(tf.float32, [])
    out = p * 2
    with tf.Session() as sess:
        double = sess.make_callable(out, [p])
        assert double(3.0) == 6.0 and double(4.0) == 8.0


def test_concurrent_runs_on_one_session():
    counter = tf.Variable(0, name="counter")
    increment = tf.assign_add(counter, 1)
    with tf.Session() as sess:
        sess.run(counter.initializer)
        errors = []

        def work():
            try:
                for _ in range(200):
                    sess.run(increment)
            except Exception as e:  # noqa: BLE001 - surfaced below
                errors.append(e)
        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert not errors
        assert sess.run(counter) == 800


def test_session_keeps_variables_per_session():
    v = tf.Variable(1.0)
    add = tf.assign_add(v, 1.0)
    with tf.Session() as first, tf.Session() as second:
        first.run(v.initializer)
        second.run(v.initializer)
        first.run(add)
        assert first.run(v) == 2.0 and second.run(v) == 1.0
