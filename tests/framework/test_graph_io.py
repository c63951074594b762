"""GraphDef export (TensorFlow's op/attr names) and import_graph_def."""
import numpy as np
import pytest

import minitf as tf


def _small_graph():
    x = tf.Variable(3.0, name="x")
    y = tf.Variable(4.0, name="y")
    return x, y, x * x * y + y + 2


def test_graph_def_uses_tensorflow_names():
    _small_graph()
    graph_def = tf.get_default_graph().as_graph_def(add_shapes=True)
    nodes = {n.name: n for n in graph_def.node}
    assert nodes["x"].op == "VariableV2" and nodes["x"].attr["dtype"].type == 1
    assert nodes["x/Assign"].input == ["x", "x/initial_value"]
    assert nodes["x/read"].attr["_class"].list.s == [b"loc:@x"]
    assert nodes["mul"].op == "Mul" and nodes["mul"].attr["T"].type == 1
    assert nodes["add_1/y"].attr["value"].tensor.dtype == 1
    assert len(nodes["add_1"].attr["_output_shapes"].list.shape) == 1
    assert graph_def.versions.producer > 0


def test_round_trip_through_bytes_runs_the_same():
    _small_graph()
    data = tf.get_default_graph().as_graph_def().SerializeToString()
    graph = tf.Graph()
    with graph.as_default():
        result, = tf.import_graph_def(tf.GraphDef.FromString(data), return_elements=["add_1:0"], name="m")
        with tf.Session() as sess:
            sess.run(["m/x/Assign", "m/y/Assign"])
            assert sess.run(result) == 42.0


def test_input_map_and_control_inputs():
    a = tf.placeholder(tf.float32, [2], name="a")
    gate = tf.no_op(name="gate")
    with tf.control_dependencies([gate]):
        b = tf.identity(a * 2.0, name="b")
    graph_def = tf.get_default_graph().as_graph_def()
    graph = tf.Graph()
    with graph.as_default():
        replacement = tf.constant([1.0, 5.0])
        out, = tf.import_graph_def(graph_def, input_map={"a:0": replacement}, return_elements=["b:0"])
        assert [c.name for c in out.op.control_inputs] == ["import/gate"]
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(out), [2.0, 10.0])
        with pytest.raises(ValueError):
            tf.import_graph_def(graph_def, input_map={"missing:0": replacement})


def test_unknown_op_type_is_rejected():
    graph_def = tf.GraphDef()
    graph_def.node.add(name="n", op="NoSuchOp")
    with pytest.raises(ValueError, match="NoSuchOp"):
        tf.import_graph_def(graph_def)
