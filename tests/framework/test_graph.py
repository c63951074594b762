"""Graph construction: unique names, scopes, collections, control dependencies, devices, default graphs."""
import threading

import numpy as np
import pytest

import minitf as tf


def test_names_are_unique_and_scoped():
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="a")
    with tf.name_scope("loss"):
        err = a - b
        mse = tf.square(err, name="mse")
    with tf.name_scope("loss"):
        err2 = a - b
    assert (a.name, b.name) == ("a:0", "a_1:0")
    assert (err.name, mse.name, err2.name) == ("loss/sub:0", "loss/mse:0", "loss_1/sub:0")


def test_five_relus_get_suffixed_scopes_and_variable_names():
    X = tf.placeholder(tf.float32, shape=(None, 3), name="X")

    def relu(X):
        with tf.name_scope("relu"):
            w = tf.Variable(tf.zeros([3, 1]), name="weights")
            b = tf.Variable(0.0, name="bias")
            z = tf.add(tf.matmul(X, w), b, name="z")
            return tf.maximum(z, 0.0, name="relu")

    relus = [relu(X) for _ in range(5)]
    output = tf.add_n(relus, name="output")
    names = [v.name for v in tf.global_variables()]
    assert names[:4] == ["relu/weights:0", "relu/bias:0", "relu_1/weights:0", "relu_1/bias:0"]
    assert [r.name for r in relus] == ["relu/relu:0"] + [f"relu_{i}/relu:0" for i in range(1, 5)]
    assert output.name == "output:0"
    ops = [op.name for op in tf.get_default_graph().get_operations()]
    assert ["relu/weights", "relu/weights/Assign", "relu/weights/read"] == \
        [n for n in ops if n.startswith("relu/weights")]


def test_variable_node_structure():
    x = tf.Variable(1.0, name="x")
    graph = tf.get_default_graph()
    assert [(op.name, op.type) for op in graph.get_operations()] == [
        ("x/initial_value", "Const"), ("x", "VariableV2"), ("x/Assign", "Assign"), ("x/read", "Identity")]
    assert x.name == "x:0" and x.dtype == tf.float32._as_ref
    assert tf.Variable(2.0, name="x").name == "x_1:0"
    assert graph.get_operation_by_name("x/read").get_attr("_class") == ["loc:@x"]


def test_name_scope_reset_and_reentry():
    with tf.name_scope("outer") as outer:
        with tf.name_scope(None):
            root = tf.constant(0, name="c")
        with tf.name_scope(outer):
            again = tf.constant(0, name="c")
    assert outer == "outer/"
    assert root.name == "c:0" and again.name == "outer/c:0"
    with pytest.raises(ValueError):
        with tf.name_scope("bad name!"):
            pass


def test_collections():
    graph = tf.get_default_graph()
    tf.add_to_collection("things", 1)
    tf.add_to_collections(["things", "more"], 2)
    assert tf.get_collection("things") == [1, 2]
    tf.get_collection("things").append(3)  # a copy
    assert tf.get_collection("things") == [1, 2]
    tf.get_collection_ref("things").append(3)
    assert tf.get_collection("things") == [1, 2, 3]
    a = tf.Variable(1.0, name="scope_a/v")
    tf.Variable(1.0, name="scope_b/v")
    assert tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope="scope_a") == [a]
    assert set(graph.get_all_collection_keys()) >= {"things", "more", "variables", "trainable_variables"}


def test_control_dependencies_are_recorded_and_cleared():
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    with tf.control_dependencies([a]):
        c = tf.identity(b)
        with tf.control_dependencies([b.op]):
            d = tf.identity(a)
            with tf.control_dependencies(None):
                e = tf.identity(a)
    assert c.op.control_inputs == [a.op]
    assert d.op.control_inputs == [b.op]  # a is already a data input
    assert e.op.control_inputs == []
    with pytest.raises(TypeError):
        with tf.control_dependencies([42]):
            pass


def test_device_scopes_merge_and_functions():
    with tf.device("/job:ps/task:1"):
        with tf.device("/cpu:0"):
            a = tf.constant(1.0)
        with tf.device(lambda op: "/gpu:1" if op.type == "Const" else ""):
            b = tf.constant(1.0)
            c = tf.identity(b)
    assert a.device == "/job:ps/task:1/device:CPU:0"
    assert b.device == "/job:ps/task:1/device:GPU:1"
    assert c.device == "/job:ps/task:1"
    with pytest.raises(ValueError):
        with tf.device("/tpu:0"):
            pass
    with pytest.raises(TypeError, match="bad"):
        with tf.device(lambda op: 42):
            tf.constant(0, name="bad")


def test_container_is_recorded_on_variables():
    with tf.container("experiment"):
        v = tf.Variable(1.0)
    assert v.op.get_attr("container") == "experiment"


def test_finalize_blocks_new_ops():
    graph = tf.Graph()
    with graph.as_default():
        tf.constant(1)
    graph.finalize()
    with graph.as_default(), pytest.raises(RuntimeError, match="finalized"):
        tf.constant(2)


def test_default_graph_is_thread_local_and_reset():
    graph = tf.Graph()
    seen = []
    with graph.as_default():
        worker = threading.Thread(target=lambda: seen.append(tf.get_default_graph()))
        worker.start()
        worker.join(timeout=10)
        assert tf.get_default_graph() is graph
        with pytest.raises(AssertionError):
            tf.reset_default_graph()
    assert seen and seen[0] is not graph
    before = tf.get_default_graph()
    tf.reset_default_graph()
    assert tf.get_default_graph() is not before


def test_as_graph_element_errors():
    graph = tf.get_default_graph()
    a = tf.constant(1.0, name="a")
    assert graph.get_tensor_by_name("a:0") is a
    assert graph.get_operation_by_name("a") is a.op
    with pytest.raises(KeyError, match="does not exist"):
        graph.get_tensor_by_name("nope:0")
    with pytest.raises(KeyError):
        graph.get_operation_by_name("nope")
    with pytest.raises(ValueError):
        graph.get_tensor_by_name("a")
    other = tf.Graph()
    with other.as_default():
        b = tf.constant(2.0)
    with pytest.raises(ValueError, match="not an element of this graph"):
        graph.as_graph_element(b)


def test_tensor_protocol():
    a = tf.constant([1.0, 2.0])
    with pytest.raises(TypeError):
        bool(a)
    with pytest.raises(TypeError):
        iter(a)
    assert a.consumers() == []
    b = a * 2
    assert a.consumers() == [b.op]
    assert np.array([1.0]) + a is not None  # NumPy defers to Tensor.__radd__


def test_static_shape_errors_at_construction():
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
        tf.matmul(tf.zeros([2, 3]), tf.zeros([4, 5]))
    with pytest.raises(TypeError):
        tf.add(tf.constant(1.0), tf.constant(1))


def test_set_shape_refines_and_checks():
    p = tf.placeholder(tf.float32, shape=[None, 3])
    p.set_shape([2, 3])
    assert p.shape.as_list() == [2, 3]
    with pytest.raises(ValueError):
        p.set_shape([2, 4])
