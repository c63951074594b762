"""RunOptions(trace_level=FULL_TRACE) fills RunMetadata.step_stats with per-node times and sizes."""
import numpy as np

import minitf as tf


def test_full_trace_records_every_executed_node():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(tf.ones([3, 2]), name="w")
    y = tf.matmul(x, w, name="y")
    options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    metadata = tf.RunMetadata()
    with tf.Session() as sess:
        sess.run(w.initializer)
        result = sess.run(y, {x: np.ones((4, 3))}, options=options, run_metadata=metadata)
        np.testing.assert_array_equal(result, np.full((4, 2), 3.0))
        plain = tf.RunMetadata()
        sess.run(y, {x: np.ones((4, 3))}, run_metadata=plain)
    assert not plain.HasField("step_stats")
    device, = metadata.step_stats.dev_stats
    assert device.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    stats = {s.node_name: s for s in device.node_stats}
    assert {"w/read", "y"} <= set(stats)
    matmul = stats["y"]
    assert matmul.all_start_micros > 0 and matmul.all_end_rel_nanos >= 0
    output, = matmul.output
    assert output.tensor_description.dtype == tf.float32.as_datatype_enum
    assert [d.size for d in output.tensor_description.shape.dim] == [4, 2]
    assert output.tensor_description.allocation_description.requested_bytes == 4 * 2 * 4
    assert matmul.timeline_label == "y = MatMul(x, w/read)"


def test_traced_run_of_a_cond_skips_the_dead_branch():
    p = tf.placeholder(tf.bool, [])
    out = tf.cond(p, lambda: tf.constant(1.0, name="yes") * 2, lambda: tf.constant(2.0, name="no") * 3)
    options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    metadata = tf.RunMetadata()
    with tf.Session() as sess:
        assert sess.run(out, {p: True}, options=options, run_metadata=metadata) == 2.0
    names = [s.node_name for s in metadata.step_stats.dev_stats[0].node_stats]
    assert any(n.startswith("cond/Merge") for n in names)
