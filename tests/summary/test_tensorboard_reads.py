"""Acceptance: the real `tensorboard` package reads our event files back (DESIGN §7, tier 3).

Both of TensorBoard's readers are used: the classic EventAccumulator (scalars, histograms,
images, tensors, graph, run metadata) and the plugin EventAccumulator that TensorBoard's
dashboards use, which migrates TF1 summaries to tensors by their plugin metadata.
"""
import struct
from datetime import datetime

import numpy as np
import pytest

from tensorboard.backend.event_processing import event_accumulator as ea
from tensorboard.backend.event_processing import plugin_event_accumulator as pea

import minitf as tf
from minitf.proto import config_pb2

KEEP_ALL = ea.STORE_EVERYTHING_SIZE_GUIDANCE
CPU = "/job:localhost/replica:0/task:0/device:CPU:0"


def accumulate(logdir, module=ea):
    accumulator = module.EventAccumulator(str(logdir), size_guidance=KEEP_ALL)
    accumulator.Reload()
    return accumulator


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def logged_run(tmp_path):
    """A small model logged for three steps: every summary kind, the graph, and run metadata."""
    x = tf.placeholder(tf.float32, [None, 3], name="X")
    with tf.name_scope("layer"):
        w = tf.Variable(tf.ones([3, 1]), name="weights")
        y = tf.matmul(x, w, name="y")
    with tf.name_scope("loss"):
        mse = tf.reduce_mean(tf.square(y), name="mean_sq")
        tf.summary.scalar("MSE", mse)
    tf.summary.histogram("weights", w)
    tf.summary.image("inputs", tf.reshape(x, [-1, 1, 3, 1]), max_outputs=2)
    tf.summary.text("notes", tf.constant("step *notes*"))
    merged = tf.summary.merge_all()
    batch = np.arange(6, dtype=np.float32).reshape(2, 3)
    run_metadata = config_pb2.RunMetadata()
    node = run_metadata.step_stats.dev_stats.add(device=CPU).node_stats.add(node_name="layer/y")
    node.all_start_micros, node.op_end_rel_micros = 100, 7
    with tf.summary.FileWriter(str(tmp_path), tf.get_default_graph()) as writer, tf.Session() as sess:
        sess.run(w.initializer)
        for step in range(3):
            writer.add_summary(sess.run(merged, {x: batch * step}), step)
        writer.add_run_metadata(run_metadata, "step_2", global_step=2)
    return tmp_path, batch, run_metadata


def test_scalars_histograms_images_and_text_read_back(logged_run):
    logdir, batch, _ = logged_run
    acc = accumulate(logdir)
    tags = acc.Tags()
    assert tags["scalars"] == ["loss/MSE"] and tags["histograms"] == ["weights"]
    assert sorted(tags["images"]) == ["inputs/image/0", "inputs/image/1"] and tags["tensors"] == ["notes"]
    expected_mse = [np.mean(np.square(batch.sum(axis=1) * step)) for step in range(3)]
    scalars = acc.Scalars("loss/MSE")
    assert [s.step for s in scalars] == [0, 1, 2]
    np.testing.assert_allclose([s.value for s in scalars], expected_mse, rtol=1e-6)
    histogram = acc.Histograms("weights")[-1].histogram_value
    assert (histogram.min, histogram.max, histogram.num, histogram.sum) == (1.0, 1.0, 3.0, 3.0)
    assert (list(histogram.bucket_limit[-2:]), list(histogram.bucket[-2:])) == \
        ([1.0089710279437536, 1.7976931348623157e+308], [3.0, 0.0])
    images = acc.Images("inputs/image/1")
    assert [(i.step, i.width, i.height) for i in images] == [(0, 3, 1), (1, 3, 1), (2, 3, 1)]
    assert png_size(images[0].encoded_image_string) == (3, 1)
    texts = acc.Tensors("notes")
    assert [t.step for t in texts] == [0, 1, 2]
    assert list(texts[0].tensor_proto.string_val) == [b"step *notes*"]
    assert acc.PluginTagToContent("text") == {"notes": b""}


def test_dashboards_find_every_summary_by_its_plugin(logged_run):
    acc = accumulate(logged_run[0], pea)
    by_plugin = {plugin: sorted(acc.PluginTagToContent(plugin)) for plugin in ("scalars", "histograms",
                                                                                "images", "text")}
    assert by_plugin == {"scalars": ["loss/MSE"], "histograms": ["weights"], "text": ["notes"],
                         "images": ["inputs/image/0", "inputs/image/1"]}
    assert [e.step for e in acc.Tensors("loss/MSE")] == [0, 1, 2]


def test_graph_keeps_tf1_scopes_and_output_shapes(logged_run):
    acc = accumulate(logged_run[0])
    graph_def = acc.Graph()
    assert acc.Tags()["meta_graph"] and acc.MetaGraph().graph_def == graph_def
    nodes = {n.name: n for n in graph_def.node}
    assert {"X", "layer/weights", "layer/weights/Assign", "layer/weights/read", "layer/y", "loss/mean_sq",
            "loss/MSE", "loss/MSE/tags", "weights", "inputs", "notes", "Merge/MergeSummary"} <= set(nodes)
    assert (nodes["layer/y"].op, list(nodes["layer/y"].input)) == ("MatMul", ["X", "layer/weights/read"])
    assert nodes["loss/MSE"].op == "ScalarSummary"
    assert all("_output_shapes" in n.attr for n in graph_def.node)
    shape = nodes["layer/y"].attr["_output_shapes"].list.shape[0]
    assert [d.size for d in shape.dim] == [-1, 1]


def test_tagged_run_metadata_reads_back(logged_run):
    logdir, _, written = logged_run
    acc = accumulate(logdir)
    assert acc.Tags()["run_metadata"] == ["step_2"]
    read = acc.RunMetadata("step_2")
    assert read.SerializeToString() == written.SerializeToString()
    (device,) = read.step_stats.dev_stats
    assert (device.device, device.node_stats[0].node_name, device.node_stats[0].op_end_rel_micros) == \
        (CPU, "layer/y", 7)


def test_book_pattern_training_loop(tmp_path):
    """The TF1 book's logging loop: a timestamped run directory, one scalar per few batches."""
    now = datetime.utcnow().strftime("%Y%m%d%H%M%S")
    logdir = f"{tmp_path}/run-{now}/"
    X = tf.constant(np.c_[np.ones(20), np.linspace(0, 1, 20)], dtype=tf.float32, name="X")
    y = tf.constant(3 + 2 * np.linspace(0, 1, 20).reshape(-1, 1), dtype=tf.float32, name="y")
    theta = tf.Variable(tf.zeros([2, 1]), name="theta")
    with tf.name_scope("loss"):
        error = tf.matmul(X, theta, name="predictions") - y
        mse = tf.reduce_mean(tf.square(error), name="mse")
    training_op = tf.train.GradientDescentOptimizer(learning_rate=0.5).minimize(mse)
    mse_summary = tf.summary.scalar("MSE", mse)
    file_writer = tf.summary.FileWriter(logdir, tf.get_default_graph())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(30):
            if step % 10 == 0:
                summary_str = mse_summary.eval()
                file_writer.add_summary(summary_str, step)
            sess.run(training_op)
    file_writer.close()
    scalars = accumulate(logdir).Scalars("MSE")
    assert [s.step for s in scalars] == [0, 10, 20]
    assert scalars[0].value == pytest.approx(np.mean(np.square(3 + 2 * np.linspace(0, 1, 20))), rel=1e-6)
    assert scalars[2].value < scalars[1].value < scalars[0].value
    assert accumulate(logdir).Tags()["graph"]
