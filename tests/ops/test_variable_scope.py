"""tf.variable_scope / tf.get_variable: TF1's sharing rules, names, errors and scope defaults.

Expected names and messages were taken from TensorFlow's tf.compat.v1 running the same programs.
"""
import re

import numpy as np
import pytest

import minitf as tf

EXISTS = ("Variable relu/threshold already exists, disallowed. Did you mean to set reuse=True or "
          "reuse=tf.AUTO_REUSE in VarScope?")
MISSING = ("Variable relu/threshold does not exist, or was not created with tf.get_variable(). Did "
           "you mean to set reuse=tf.AUTO_REUSE in VarScope?")


def op_names():
    return [op.name for op in tf.get_default_graph().get_operations()]


def zero_threshold():
    return tf.get_variable("threshold", shape=(), initializer=tf.constant_initializer(0.0))


def relu(X):
    w = tf.Variable(tf.ones((3, 1)), name="weights")
    return tf.maximum(tf.matmul(X, w), zero_threshold(), name="max")


X_VALUE = np.array([[1.0, -3.0, 0.5], [2.0, 2.0, -1.0]], np.float32)


def check_relus(X, relus):
    """Every relu shares the single threshold variable, which moves all outputs together."""
    thresholds = [v for v in tf.global_variables() if "threshold" in v.name]
    assert [v.name for v in thresholds] == ["relu/threshold:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        expected = np.maximum(X_VALUE.sum(axis=1, keepdims=True), 0.0)
        for value in sess.run(relus, {X: X_VALUE}):
            np.testing.assert_allclose(value, expected)
        sess.run(tf.assign(thresholds[0], 1.5))
        for value in sess.run(relus, {X: X_VALUE}):
            np.testing.assert_allclose(value, np.maximum(expected, 1.5))


# ======================================================================================
# The book's ways of sharing the ReLU threshold
# ======================================================================================
def test_threshold_created_first_then_reused_around_the_calls():
    X = tf.placeholder(tf.float32, (None, 3), name="X")
    with tf.variable_scope("relu"):
        zero_threshold()
    with tf.variable_scope("relu", reuse=True):
        relus = [relu(X) for _ in range(2)]
    names = op_names()
    assert names[:5] == ["X", "relu/threshold/Initializer/Const", "relu/threshold",
                         "relu/threshold/Assign", "relu/threshold/read"]
    # The reusing scope opened name scope relu_1: ops get the suffix, the variable does not.
    assert "relu_1/max" in names and "relu_1/max_1" in names and "relu_1/weights_1" in names
    check_relus(X, relus)


def test_reuse_scope_inside_the_function():
    def shared_relu(X):
        with tf.variable_scope("relu", reuse=True):
            threshold = tf.get_variable("threshold")
        w = tf.Variable(tf.ones((3, 1)), name="weights")
        return tf.maximum(tf.matmul(X, w), threshold, name="max")

    X = tf.placeholder(tf.float32, (None, 3), name="X")
    with tf.variable_scope("relu"):
        zero_threshold()
    relus = [shared_relu(X) for _ in range(3)]
    check_relus(X, relus)


def test_first_call_creates_later_calls_reuse():
    X = tf.placeholder(tf.float32, (None, 3), name="X")
    relus = []
    for index in range(5):
        with tf.variable_scope("relu", reuse=(index >= 1)) as scope:
            assert scope.reuse is (index >= 1)
            relus.append(relu(X))
    tf.add_n(relus, name="output")
    names = op_names()
    for suffix in ("", "_1", "_2", "_3", "_4"):
        assert f"relu{suffix}/max" in names
    check_relus(X, relus)


def test_reuse_variables_on_the_current_scope():
    X = tf.placeholder(tf.float32, (None, 3), name="X")
    with tf.variable_scope("relu") as scope:
        first = relu(X)
        scope.reuse_variables()
        assert tf.get_variable_scope().reuse is True
        second = relu(X)
    check_relus(X, [first, second])


# ======================================================================================
# Errors
# ======================================================================================
def test_creating_an_existing_variable_says_where_it_was_defined():
    with tf.variable_scope("relu"):
        zero_threshold()
    with pytest.raises(ValueError) as info:
        with tf.variable_scope("relu"):
            zero_threshold()
    message = str(info.value)
    assert message.startswith(EXISTS + " Originally defined at:")
    assert "test_variable_scope.py" in message and "minitf/ops" not in message


def test_reusing_a_missing_variable():
    with pytest.raises(ValueError, match="^" + re.escape(MISSING) + "$"):
        with tf.variable_scope("relu", reuse=True):
            zero_threshold()


def test_sharing_with_another_shape_or_dtype():
    with tf.variable_scope("relu"):
        zero_threshold()
    with tf.variable_scope("relu", reuse=True):
        with pytest.raises(ValueError, match=r"^Trying to share variable relu/threshold, but specified "
                                             r"shape \(2,\) and found shape \(\)\.$"):
            tf.get_variable("threshold", shape=(2,))
        with pytest.raises(ValueError, match="specified dtype int32 and found dtype float32_ref"):
            tf.get_variable("threshold", dtype=tf.int32)
        # A compatible (here unspecified) shape and the base dtype are fine.
        assert tf.get_variable("threshold", dtype=tf.float32) is tf.global_variables()[0]


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(name_or_scope=None), TypeError, "If default_name is None then name_or_scope is required"),
    (dict(name_or_scope=3), TypeError, "name_or_scope must be a string or VariableScope"),
    (dict(name_or_scope="s", reuse="yes"), ValueError, "The reuse parameter must be True or False or None."),
    (dict(name_or_scope=None, default_name="d", reuse=True), ValueError,
     "reuse=True cannot be used without a name_or_scope"),
])
def test_bad_scope_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        with tf.variable_scope(**kwargs):
            pass


def test_get_variable_argument_errors():
    with pytest.raises(ValueError, match="Variable v did not get an initializer, so its `shape` "
                                         "argument must be specified."):
        tf.get_variable("v")
    with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape."):
        tf.get_variable("c", shape=[2], initializer=tf.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match="Initializer type '<dtype: 'float32'>' and explicit dtype "
                                         "'<dtype: 'float64'>' don't match."):
        tf.get_variable("c", initializer=tf.constant([1.0, 2.0]), dtype=tf.float64)
    with pytest.raises(ValueError, match="The initializer passed is not valid"):
        tf.get_variable("p", shape=[None, 2], initializer=lambda shape, dtype=None: tf.ones(shape))
    with pytest.raises(NotImplementedError, match="partitioned"):
        tf.get_variable("q", shape=[4], partitioner=lambda shape, dtype: [2])
    assert tf.global_variables() == []


# ======================================================================================
# Reuse inheritance, AUTO_REUSE, scope objects
# ======================================================================================
def test_reuse_is_inherited_and_cannot_be_turned_off_inside():
    with tf.variable_scope("outer", reuse=True):
        with tf.variable_scope("inner", reuse=False) as inner:
            assert inner.name == "outer/inner" and inner.reuse is True
            assert tf.get_variable_scope().reuse is True
    with tf.variable_scope("x"):
        tf.get_variable_scope().reuse_variables()
        with tf.variable_scope("y") as y:
            assert y.reuse is True
    with tf.variable_scope("x") as x:
        assert x.reuse is False and x.original_name_scope == "x_1/"


def test_scope_objects_keep_their_own_reuse():
    with tf.variable_scope("a", reuse=True) as reusing:
        pass
    with tf.variable_scope("b") as plain:
        pass
    with tf.variable_scope("c", reuse=True):
        with tf.variable_scope(plain) as entered:
            assert (entered.name, entered.reuse) == ("b", False)
    with tf.variable_scope(reusing, reuse=False) as entered:
        assert entered.reuse is True


def test_reentering_a_scope_object_opens_a_new_name_scope_but_keeps_variable_names():
    with tf.variable_scope("relu") as scope:
        first = zero_threshold()
    with tf.variable_scope(scope, reuse=True) as again:
        assert again.original_name_scope == "relu/"
        assert tf.get_default_graph().get_name_scope() == "relu_1"
        assert tf.constant(1).name == "relu_1/Const:0"
        assert zero_threshold() is first
    with tf.variable_scope(scope, auxiliary_name_scope=False):
        assert tf.constant(1).name == "Const:0"
        with tf.variable_scope("inner", auxiliary_name_scope=False) as inner:
            assert inner.name == "relu/inner" and tf.constant(1).name == "Const_1:0"


def test_auto_reuse_creates_once_then_reuses():
    assert str(tf.AUTO_REUSE) == "_ReuseMode.AUTO_REUSE"
    with tf.variable_scope("auto", reuse=tf.AUTO_REUSE) as scope:
        first = tf.get_variable("v", [1])
        assert tf.get_variable("v", [1]) is first
        with tf.variable_scope("sub") as sub:
            assert sub.reuse is tf.AUTO_REUSE
    assert scope.reuse is tf.AUTO_REUSE
    assert len(tf.global_variables()) == 1


def test_root_scope_trick_reaches_any_variable():
    with tf.variable_scope("hidden1"):
        weights = tf.get_variable("weights", [2, 2])
    with tf.variable_scope("", default_name="", reuse=True) as root:
        assert (root.name, root.original_name_scope, root.reuse) == ("", "", True)
        assert tf.get_variable("hidden1/weights") is weights
        assert tf.constant(0).name == "Const:0"


# ======================================================================================
# Names
# ======================================================================================
def test_default_names_are_unique_among_variable_scopes():
    def scope_names(name=None):
        with tf.variable_scope(name, default_name="layer") as scope:
            return scope.name, scope.original_name_scope
    assert scope_names() == ("layer", "layer/")
    assert scope_names() == ("layer_1", "layer_1/")
    assert scope_names("layer_3") == ("layer_3", "layer_3/")
    assert scope_names() == ("layer_2", "layer_2/")
    # Leaving a string scope forgets its sub-scope counts, so the name repeats.
    for name_scope in ("outer/layer/", "outer_1/layer/"):
        with tf.variable_scope("outer"):
            assert scope_names() == ("outer/layer", name_scope)


def test_name_scopes_do_not_affect_variable_names():
    with tf.name_scope("ns"):
        with tf.variable_scope("vs") as scope:
            v = tf.get_variable("v", [1])
            c = tf.constant(1.0)
    assert (scope.name, scope.original_name_scope) == ("vs", "ns/vs/")
    assert (v.name, c.name) == ("vs/v:0", "ns/vs/Const:0")


def test_variable_node_structure():
    with tf.variable_scope("s"):
        v = tf.get_variable("v", ())
    assert isinstance(v, tf.Variable)
    assert op_names() == ["s/v/Initializer/random_uniform/shape", "s/v/Initializer/random_uniform/min",
                          "s/v/Initializer/random_uniform/max",
                          "s/v/Initializer/random_uniform/RandomUniform",
                          "s/v/Initializer/random_uniform/sub", "s/v/Initializer/random_uniform/mul",
                          "s/v/Initializer/random_uniform", "s/v", "s/v/Assign", "s/v/read"]
    from_list = tf.get_variable("from_list", initializer=[1, 2])
    assert from_list.dtype.base_dtype == tf.int32
    assert from_list.initializer.inputs[1].op.name == "from_list/initial_value"


def test_variables_are_created_without_the_callers_control_dependencies():
    with tf.control_dependencies([tf.no_op(name="dep")]):
        v = tf.get_variable("v", [1])
    assert v.op.control_inputs == [] and v.initializer.control_inputs == []


def test_each_graph_has_its_own_scopes_and_variables():
    with tf.variable_scope("relu"):
        zero_threshold()
    graph = tf.Graph()
    with graph.as_default():
        assert tf.get_variable_scope().name == ""
        with tf.variable_scope("relu") as scope:
            assert scope.original_name_scope == "relu/"
            zero_threshold()  # no clash: another graph
        assert [v.name for v in tf.global_variables()] == ["relu/threshold:0"]


def test_scope_follows_the_graph_of_its_values():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant(1.0)
    with tf.variable_scope("vs", values=[x]):
        assert tf.get_default_graph() is graph
        v = tf.get_variable("v", [1])
    assert v.graph is graph and tf.get_default_graph() is not graph


# ======================================================================================
# Scope defaults and get_variable arguments
# ======================================================================================
def test_scope_initializer_dtype_and_regularizer_defaults():
    def penalty(w):
        return tf.reduce_sum(w) * 2.0

    with tf.variable_scope("s", initializer=tf.constant_initializer(3.0), dtype=tf.float64,
                           regularizer=penalty) as scope:
        a = tf.get_variable("a", [2])
        with tf.variable_scope("inner"):
            b = tf.get_variable("b", [2], dtype=tf.float32, initializer=tf.ones_initializer())
        c = tf.get_variable("c", [2], regularizer=tf.no_regularizer)
    assert scope.initializer is not None and scope.dtype == tf.float64
    assert (a.dtype.base_dtype, b.dtype.base_dtype) == (tf.float64, tf.float32)
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert [loss.name for loss in losses] == ["s/a/Regularizer/mul:0", "s/inner/b/Regularizer/mul:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run([a, b, c]), [[3.0, 3.0], [1.0, 1.0], [3.0, 3.0]])
        np.testing.assert_allclose(sess.run(losses), [12.0, 4.0])


def test_initializer_is_called_with_shape_dtype_and_partition_info():
    calls = []

    def initializer(shape, dtype=None, partition_info="unset"):
        calls.append((shape, dtype, partition_info))
        return tf.zeros(shape, dtype)

    class NoPartitionInfo:
        def __call__(self, shape, dtype=None):
            calls.append((shape, dtype))
            return tf.ones(shape, dtype)

    tf.get_variable("v", [2, 3], initializer=initializer)
    tf.get_variable("w", [4], dtype=tf.float64, initializer=NoPartitionInfo())
    assert calls == [([2, 3], tf.float32, None), ([4], tf.float64)]
    # A class is instantiated first; a no-argument callable serves when no shape is given.
    zeros = tf.get_variable("z", [2, 2], initializer=tf.zeros_initializer)
    lazy = tf.get_variable("lazy", initializer=lambda: tf.ones([3]))
    assert zeros.initializer.inputs[1].op.name == "z/Initializer/zeros"
    assert lazy.initializer.inputs[1].op.name == "lazy/Initializer/ones" and lazy.shape == (3,)


def test_default_initializers_by_dtype():
    floats = tf.get_variable("f", [2, 2])
    ints = tf.get_variable("i", [2], dtype=tf.int32)
    assert floats.initializer.inputs[1].op.name == "f/Initializer/random_uniform"
    assert ints.initializer.inputs[1].op.name == "i/Initializer/zeros"
    with pytest.raises(ValueError, match="An initializer for variable c of <dtype: 'complex64'> is required"):
        tf.get_variable("c", [2], dtype=tf.complex64)


def test_collections_and_trainable():
    frozen = tf.get_variable("frozen", [1], trainable=False)
    mine = tf.get_variable("mine", [1], collections=["mine"])
    local = tf.get_local_variable("local", [1])
    assert tf.global_variables() == [frozen]
    assert tf.trainable_variables() == [mine]
    assert tf.get_collection("mine") == [mine]
    assert tf.local_variables() == [local] and local not in tf.trainable_variables()
    with tf.variable_scope("s") as scope:
        inside = tf.get_variable("v", [1])
    assert scope.global_variables() == [inside] and scope.trainable_variables() == [inside]


def test_custom_getters_wrap_outer_to_inner():
    seen = []

    def renaming(getter, name, *args, **kwargs):
        seen.append(("renaming", name, kwargs["reuse"]))
        return getter(name + "_c", *args, **kwargs)

    def logging(label):
        def getter_fn(getter, name, *args, **kwargs):
            seen.append((label, name))
            return getter(name, *args, **kwargs)
        return getter_fn

    with tf.variable_scope("cg", custom_getter=renaming):
        assert tf.get_variable("v", [2]).name == "cg/v_c:0"
    with tf.variable_scope("o", custom_getter=logging("outer")):
        with tf.variable_scope("i", custom_getter=logging("inner")):
            assert tf.get_variable("w", [1]).name == "o/i/w:0"
    assert seen == [("renaming", "cg/v", False), ("inner", "o/i/w"), ("outer", "o/i/w")]
    with pytest.raises(ValueError, match="Passed a custom_getter which is not callable"):
        tf.get_variable("x", [1], custom_getter=3)


def test_improper_nesting_is_detected():
    outer = tf.variable_scope("a")
    outer.__enter__()
    inner = tf.variable_scope("b")
    inner.__enter__()
    with pytest.raises(RuntimeError, match="Improper nesting of variable_scope."):
        outer.__exit__(None, None, None)
    inner.__exit__(None, None, None)  # leaves the default-graph stack as it was
