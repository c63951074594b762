"""MetaGraphDef export and import (minitf/framework/meta_graph.py, tf.train.export_meta_graph /
import_meta_graph): TF1's collection serialization, op lists, scopes and the imported Saver."""
import logging

import numpy as np
import pytest

import minitf as tf
import minitf.kernels.io  # noqa: F401 - the SaveV2/RestoreV2 kernels
from minitf.framework import meta_graph
from minitf.proto import meta_graph_pb2, variable_pb2


def _model():
    """A small trained-model graph with the collections TF1 programs use."""
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    with tf.name_scope("hidden1"):
        w = tf.Variable(tf.zeros([2, 1]), name="w")
    b = tf.Variable(0.5, name="b")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y), name="loss")
    step = tf.train.get_or_create_global_step()
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    tf.add_to_collection("loss", loss)
    return x, y, loss, train_op


def _feed():
    return {"x:0": np.array([[1.0, 2.0], [3.0, 4.0]], np.float32),
            "y:0": np.array([[1.0], [2.0]], np.float32)}


def _variable_def(data):
    return variable_pb2.VariableDef.FromString(data)


# ======================================================================================
# Export
# ======================================================================================
def test_export_serializes_collections_the_tf1_way(caplog):
    _model()
    tf.add_to_collection("mystr", "hello")
    tf.add_to_collection("myint", 3)
    tf.add_to_collection("myfloat", 2.5)
    tf.add_to_collection(("tuple", "key"), 1)
    tf.add_to_collection("obj", object())
    with caplog.at_level(logging.WARNING, logger="minitf"):
        meta = tf.train.export_meta_graph()
        assert "Only collections with string type keys" not in caplog.text
        tf.train.export_meta_graph(collection_list=[("tuple", "key")])
    kinds = {k: v.WhichOneof("kind") for k, v in meta.collection_def.items()}
    assert kinds == {"variables": "bytes_list", "trainable_variables": "bytes_list",
                     "global_step": "bytes_list", "train_op": "node_list", "loss": "node_list",
                     "mystr": "bytes_list", "myint": "int64_list", "myfloat": "float_list"}
    assert list(meta.collection_def["train_op"].node_list.value) == ["GradientDescent"]
    assert list(meta.collection_def["loss"].node_list.value) == ["loss:0"]
    assert list(meta.collection_def["mystr"].bytes_list.value) == [b"hello"]
    assert list(meta.collection_def["myint"].int64_list.value) == [3]
    assert list(meta.collection_def["myfloat"].float_list.value) == [2.5]
    assert "Issue encountered when serializing: obj" in caplog.text
    assert "Only collections with string type keys" in caplog.text
    w_def = _variable_def(meta.collection_def["trainable_variables"].bytes_list.value[0])
    assert (w_def.variable_name, w_def.initializer_name, w_def.snapshot_name, w_def.initial_value_name,
            w_def.trainable) == ("hidden1/w:0", "hidden1/w/Assign", "hidden1/w/read:0",
                                 "hidden1/zeros:0", True)
    names = [_variable_def(v).variable_name for v in meta.collection_def["variables"].bytes_list.value]
    assert names == ["hidden1/w:0", "b:0", "global_step:0"]
    assert not meta.HasField("saver_def")


def test_export_has_shapes_and_a_stripped_op_list():
    _model()
    meta = tf.train.export_meta_graph()
    x_node = next(n for n in meta.graph_def.node if n.name == "x")
    assert [d.size for d in x_node.attr["_output_shapes"].list.shape[0].dim] == [-1, 2]
    op_names = [op.name for op in meta.meta_info_def.stripped_op_list.op]
    assert op_names == sorted({n.op for n in meta.graph_def.node})
    variable_def = next(op for op in meta.meta_info_def.stripped_op_list.op if op.name == "VariableV2")
    assert variable_def.is_stateful and variable_def.output_arg[0].is_ref
    attrs = {a.name: a for a in variable_def.attr}
    assert attrs["shape"].type == "shape" and attrs["dtype"].type == "type"
    assert attrs["container"].type == "string" and attrs["container"].default_value.s == b""
    assert meta.meta_info_def.tensorflow_version


def test_export_writes_binary_and_text_files(tmp_path):
    _model()
    binary = str(tmp_path / "nested" / "m.meta")
    text = str(tmp_path / "m.pbtxt")
    meta = tf.train.export_meta_graph(binary)
    tf.train.export_meta_graph(text, as_text=True)
    assert meta_graph.read_meta_graph_file(binary) == meta
    assert meta_graph.read_meta_graph_file(text) == meta
    assert open(text).read().startswith("meta_info_def")
    with pytest.raises(IOError, match="does not exist"):
        tf.train.import_meta_graph(str(tmp_path / "missing.meta"))


def test_export_scope_and_clear_devices():
    with tf.device("/cpu:0"):
        with tf.name_scope("tower"):
            a = tf.Variable(1.0, name="a")
            out = tf.identity(a * 2.0, name="out")
    tf.add_to_collection("outputs", out)
    meta = tf.train.export_meta_graph(export_scope="tower", clear_devices=True)
    names = {n.name for n in meta.graph_def.node}
    assert "a" in names and "out" in names and not any(n.startswith("tower/") for n in names)
    assert all(n.device == "" for n in meta.graph_def.node)
    assign = next(n for n in meta.graph_def.node if n.name == "a/Assign")
    assert list(assign.attr["_class"].list.s) == [b"loc:@a"] and list(assign.input)[0] == "a"
    assert list(meta.collection_def["outputs"].node_list.value) == ["out:0"]
    assert _variable_def(meta.collection_def["variables"].bytes_list.value[0]).variable_name == "a:0"


def test_strip_default_attrs():
    tf.Variable(1.0, name="v")
    meta = tf.train.export_meta_graph(strip_default_attrs=True)
    node = next(n for n in meta.graph_def.node if n.name == "v")
    assert "container" not in node.attr and "shape" in node.attr
    assert meta.meta_info_def.stripped_default_attrs


# ======================================================================================
# Import
# ======================================================================================
def test_import_in_a_fresh_graph_restores_everything(tmp_path):
    _, _, loss, train_op = _model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op, _feed())
        path = saver.save(sess, str(tmp_path / "m.ckpt"))
        expected_loss = sess.run(loss, _feed())
        sess.run(train_op, _feed())
        expected_after = sess.run(loss, _feed())
    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(path + ".meta")
    graph = tf.get_default_graph()
    assert [v.name for v in tf.global_variables()] == ["hidden1/w:0", "b:0", "global_step:0"]
    assert [v.name for v in tf.trainable_variables()] == ["hidden1/w:0", "b:0"]
    assert tf.get_collection("train_op") == [graph.get_operation_by_name("GradientDescent")]
    assert tf.get_collection("loss") == [graph.get_tensor_by_name("loss:0")]
    # One Variable object per variable, whatever collections hold it.
    assert tf.train.get_global_step() is tf.global_variables()[2]
    with tf.Session() as sess:
        saver.restore(sess, path)
        assert sess.run("global_step:0") == 1
        assert sess.run("loss:0", _feed()) == expected_loss
        sess.run(tf.get_collection("train_op")[0], _feed())
        assert sess.run(tf.get_collection("loss")[0], _feed()) == expected_after


def test_imported_names_are_taken():
    v = tf.Variable(1.0, name="v")
    meta = tf.train.Saver([v]).export_meta_graph()
    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(meta)
    assert tf.Variable(2.0, name="v").name == "v_1:0"
    assert tf.train.Saver().saver_def.filename_tensor_name == "save/Const_1:0"
    assert saver.saver_def.filename_tensor_name == "save/Const:0"


def test_import_scope_prefixes_names_and_the_saver(tmp_path):
    _model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "m"))
    tf.reset_default_graph()
    tf.constant(0, name="outer")  # the scope name is taken: the import goes under outer_1/
    saver = tf.train.import_meta_graph(path + ".meta", import_scope="outer")
    assert saver.saver_def.restore_op_name == "outer_1/save/restore_all"
    assert [v.name for v in tf.trainable_variables()] == ["outer_1/hidden1/w:0", "outer_1/b:0"]
    assert tf.get_collection("loss")[0].name == "outer_1/loss:0"
    with tf.Session() as sess:
        saver.restore(sess, path)
        assert sess.run("outer_1/b:0") == 0.5
    with tf.name_scope("inner"):
        tf.train.import_meta_graph(path + ".meta")
    assert tf.get_default_graph().get_tensor_by_name("inner/hidden1/w/read:0") is not None


def test_import_without_a_saver_def():
    tf.Variable(1.0, name="v")
    with_variables = tf.train.export_meta_graph()
    tf.reset_default_graph()
    tf.constant(1.0, name="c")
    without_variables = tf.train.export_meta_graph()
    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(with_variables)
    assert saver.saver_def.filename_tensor_name == "save/Const:0"
    tf.reset_default_graph()
    assert tf.train.import_meta_graph(without_variables) is None


def test_clear_devices_on_import():
    with tf.device("/job:ps/task:0"):
        tf.Variable(1.0, name="v")
    meta = tf.train.export_meta_graph()
    tf.reset_default_graph()
    tf.train.import_meta_graph(meta, clear_devices=True)
    assert tf.get_default_graph().get_operation_by_name("v").device == ""


def test_savers_collection_round_trips():
    v = tf.Variable(1.0, name="v")
    saver = tf.train.Saver([v])
    tf.add_to_collection(tf.GraphKeys.SAVERS, saver)
    meta = tf.train.export_meta_graph()
    assert meta.collection_def["savers"].WhichOneof("kind") == "bytes_list"
    tf.reset_default_graph()
    tf.train.import_meta_graph(meta, import_scope="imported")
    (restored,) = tf.get_collection(tf.GraphKeys.SAVERS)
    assert restored.saver_def.save_tensor_name == "imported/save/control_dependency:0"


def test_prepend_and_strip_name_scope():
    assert meta_graph.prepend_name_scope("x:0", "s") == "s/x:0"
    assert meta_graph.prepend_name_scope("^x", "s/") == "^s/x"
    assert meta_graph.prepend_name_scope("loc:@x", "s") == "loc:@s/x"
    assert meta_graph.strip_name_scope("s/x:0", "s") == "x:0"
    assert meta_graph.strip_name_scope("^s/x", "s") == "^x"
    assert meta_graph.strip_name_scope("t/x", "s") == "t/x"
    assert isinstance(tf.train.export_meta_graph(graph=tf.Graph()), meta_graph_pb2.MetaGraphDef)
