"""tf.summary.FileWriter: event file name and framing, each kind of event, queueing, lifecycle.

Event files are read back here with an independent reader (its own bitwise CRC-32C); the real
TensorBoard reader is exercised in test_tensorboard_reads.py.
"""
import os
import re
import socket
import struct

import pytest
from tensorboard.compat.proto import meta_graph_pb2

import minitf as tf
from minitf import summary
from minitf.proto import config_pb2

_EVENT_FILE = re.compile(r"^events\.out\.tfevents\.(\d{10})\." + re.escape(socket.gethostname()) + r"(.*)$")


def crc32c(data):
    """CRC-32C (Castagnoli), bit by bit: slow, but independent of the writer's table."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def test_crc32c_reference_vector():
    assert crc32c(b"123456789") == 0xE3069283


def read_events(path):
    """Every Event in `path`, checking each record's framing and both CRCs."""
    data, events, position = open(path, "rb").read(), [], 0
    while position < len(data):
        header = data[position:position + 8]
        (length,) = struct.unpack("<Q", header)
        (header_crc,) = struct.unpack("<I", data[position + 8:position + 12])
        body = data[position + 12:position + 12 + length]
        (body_crc,) = struct.unpack("<I", data[position + 12 + length:position + 16 + length])
        assert header_crc == masked(crc32c(header)) and body_crc == masked(crc32c(body))
        events.append(summary.Event.FromString(body))
        position += 16 + length
    return events


def event_files(logdir):
    return sorted(os.path.join(logdir, name) for name in os.listdir(logdir) if _EVENT_FILE.match(name))


def only_events(logdir):
    (path,) = event_files(logdir)
    return read_events(path)


def scalar_summary(tag, value):
    return summary.Summary(value=[summary.Summary.Value(tag=tag, simple_value=value)])


# ======================================================================================
# The file
# ======================================================================================
def test_creates_logdir_and_an_event_file_starting_with_the_file_version(tmp_path):
    logdir = tmp_path / "runs" / "run-1"
    writer = tf.summary.FileWriter(str(logdir))
    assert writer.get_logdir() == str(logdir)
    (name,) = os.listdir(logdir)
    assert _EVENT_FILE.match(name).group(2) == ""
    (version,) = only_events(logdir)  # written and flushed at once
    assert (version.file_version, version.step) == ("brain.Event:2", 0) and version.wall_time > 0
    writer.close()


def test_filename_suffix_and_path_like_logdir(tmp_path):
    with tf.summary.FileWriter(tmp_path, filename_suffix=".sfx") as writer:
        assert writer.get_logdir() == str(tmp_path)
    (name,) = os.listdir(tmp_path)
    assert _EVENT_FILE.match(name).group(2) == ".sfx"


# ======================================================================================
# Summaries
# ======================================================================================
def test_add_summary_takes_what_a_summary_op_evaluates_to(tmp_path):
    x = tf.placeholder(tf.float32, name="x")
    mse_summary = tf.summary.scalar("MSE", x)
    with tf.summary.FileWriter(str(tmp_path)) as writer, tf.Session():
        for step in range(3):
            writer.add_summary(mse_summary.eval(feed_dict={x: step * 0.5}), step)
        writer.add_summary(scalar_summary("proto", 7.0))
    events = only_events(tmp_path)[1:]
    assert [(e.step, e.summary.value[0].tag, e.summary.value[0].simple_value) for e in events] == \
        [(0, "MSE", 0.0), (1, "MSE", 0.5), (2, "MSE", 1.0), (0, "proto", 7.0)]
    assert all(e.wall_time > 0 for e in events)


def test_plugin_metadata_is_written_only_with_the_first_value_of_a_tag(tmp_path):
    text = tf.summary.text("notes", tf.constant("hi"))
    with tf.Session() as sess:
        serialized = sess.run(text)
    given = summary.Summary.FromString(serialized)
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_summary(given, 1)
        writer.add_summary(given, 2)
        writer.add_summary(serialized, 3)
    kept = [e.summary.value[0].HasField("metadata") for e in only_events(tmp_path)[1:]]
    assert kept == [True, False, False]
    assert given.value[0].HasField("metadata")  # the caller's proto is left alone


def test_add_summary_rejects_other_objects(tmp_path):
    with tf.summary.FileWriter(str(tmp_path)) as writer, pytest.raises(TypeError, match="Summary"):
        writer.add_summary(object())


# ======================================================================================
# Graphs, session logs, run metadata, raw events
# ======================================================================================
def test_graph_given_to_the_constructor_is_written_with_output_shapes(tmp_path):
    with tf.name_scope("layer"):
        w = tf.Variable(tf.zeros([3, 2]), name="w")
    tf.matmul(tf.placeholder(tf.float32, [None, 3], name="X"), w, name="y")
    with tf.summary.FileWriter(str(tmp_path), tf.get_default_graph()):
        pass
    version, graph_event, meta_event = only_events(tmp_path)
    graph_def = tf.GraphDef.FromString(graph_event.graph_def)
    nodes = {n.name: n for n in graph_def.node}
    assert {"X", "layer/w", "layer/w/Assign", "layer/w/read", "y"} <= set(nodes)
    assert [d.size for d in nodes["y"].attr["_output_shapes"].list.shape[0].dim] == [-1, 2]
    # As in TF1, a MetaGraphDef of the same graph follows, with the graph's collections.
    meta_graph = meta_graph_pb2.MetaGraphDef.FromString(meta_event.meta_graph_def)
    assert meta_graph.graph_def.SerializeToString() == graph_event.graph_def
    assert "MatMul" in [op.name for op in meta_graph.meta_info_def.stripped_op_list.op]
    assert "variables" in meta_graph.collection_def


def test_add_graph_variants(tmp_path):
    graph = tf.get_default_graph()
    tf.constant(1.0, name="c")
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_graph(graph, global_step=4)
        writer.add_graph(graph.as_graph_def())  # deprecated GraphDef: written as given
        with pytest.raises(ValueError, match="not both"):
            writer.add_graph(graph, graph_def=graph.as_graph_def())
        with pytest.raises(TypeError, match="must be an instance of `Graph`"):
            writer.add_graph(None)
    first, second = [tf.GraphDef.FromString(e.graph_def) for e in only_events(tmp_path)[1:]]
    assert "_output_shapes" in first.node[0].attr and "_output_shapes" not in second.node[0].attr
    assert only_events(tmp_path)[1].step == 4


def test_add_run_metadata_writes_tagged_step_stats_once_per_tag(tmp_path):
    run_metadata = config_pb2.RunMetadata()
    device = run_metadata.step_stats.dev_stats.add(device="/job:localhost/replica:0/task:0/device:CPU:0")
    device.node_stats.add(node_name="MatMul", all_start_micros=10, op_end_rel_micros=3)
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_run_metadata(run_metadata, "step 5", global_step=5)
        with pytest.raises(ValueError, match="The provided tag was already used for this event type"):
            writer.add_run_metadata(run_metadata, "step 5", global_step=6)
    (event,) = only_events(tmp_path)[1:]
    assert (event.step, event.tagged_run_metadata.tag) == (5, "step 5")
    assert config_pb2.RunMetadata.FromString(event.tagged_run_metadata.run_metadata) == run_metadata


def test_session_log_meta_graph_and_raw_events(tmp_path):
    meta_graph = meta_graph_pb2.MetaGraphDef()
    meta_graph.meta_info_def.tags.append("serve")
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_session_log(summary.SessionLog(status=summary.SessionLog.START), 7)
        writer.add_meta_graph(meta_graph, global_step=8)
        with pytest.raises(TypeError, match="meta_graph_def must be type MetaGraphDef"):
            writer.add_meta_graph(tf.GraphDef())
        writer.add_event(summary.Event(step=9, wall_time=1.5, summary=scalar_summary("raw", 1.0)))
    log, meta, raw = only_events(tmp_path)[1:]
    assert (log.step, log.session_log.status) == (7, summary.SessionLog.START)
    assert (meta.step, meta_graph_pb2.MetaGraphDef.FromString(meta.meta_graph_def)) == (8, meta_graph)
    assert (raw.step, raw.wall_time, raw.summary.value[0].tag) == (9, 1.5, "raw")


# ======================================================================================
# Queueing and lifecycle
# ======================================================================================
def test_events_reach_the_disk_after_max_queue_adds_or_a_flush(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path), max_queue=3, flush_secs=3600)
    writer.add_summary(scalar_summary("a", 1.0), 1)
    writer.add_summary(scalar_summary("a", 2.0), 2)
    assert len(only_events(tmp_path)) == 1
    writer.add_summary(scalar_summary("a", 3.0), 3)
    assert len(only_events(tmp_path)) == 4
    writer.add_summary(scalar_summary("a", 4.0), 4)
    writer.flush()
    assert [e.step for e in only_events(tmp_path)] == [0, 1, 2, 3, 4]
    writer.close()


def test_closed_writer_drops_events_with_a_warning_until_reopened(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path))
    writer.add_summary(scalar_summary("a", 1.0), 1)
    writer.close()
    assert not writer.event_writer._flusher.is_alive()
    with pytest.warns(UserWarning, match="Attempting to use a closed FileWriter"):
        writer.add_summary(scalar_summary("a", 2.0), 2)
    writer.close()  # closing twice is harmless
    writer.reopen()
    writer.add_summary(scalar_summary("a", 3.0), 3)
    writer.close()
    # Reopening starts a new file, or appends to the old one when it gets the same name.
    steps = [e.step for path in event_files(tmp_path) for e in read_events(path) if e.HasField("summary")]
    assert steps == [1, 3]


def test_file_writer_cache_shares_one_writer_per_logdir(tmp_path):
    first = tf.summary.FileWriterCache.get(str(tmp_path / "a"))
    assert tf.summary.FileWriterCache.get(str(tmp_path / "a")) is first
    assert tf.summary.FileWriterCache.get(str(tmp_path / "b")) is not first
    tf.summary.FileWriterCache.clear()
    assert first.event_writer.closed
    assert tf.summary.FileWriterCache.get(str(tmp_path / "a")) is not first
    tf.summary.FileWriterCache.clear()
