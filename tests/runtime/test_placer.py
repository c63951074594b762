"""The simple placer on local CPU devices: pins, virtual CPUs, soft placement and the placement log."""
import pytest

import minitf as tf


def test_pins_to_virtual_cpus_are_honoured():
    with tf.device("/cpu:1"):
        a = tf.constant(2.0)
    b = a * 3.0
    config = tf.ConfigProto(device_count={"CPU": 2})
    with tf.Session(config=config) as sess:
        assert sess.run(b) == 6.0
        placements = sess._placer._placements
        assert placements[a.op].name.endswith("/device:CPU:1")
        assert placements[b.op].name.endswith("/device:CPU:0")
        assert [d.name for d in sess.list_devices()][-1].endswith("CPU:1")


def test_missing_device_fails_unless_soft_placement():
    with tf.device("/gpu:0"):
        a = tf.constant(2.0, name="pinned")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="Cannot assign a device"):
        sess.run(a)
    with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        assert sess.run(a) == 2.0


def test_variables_are_colocated(capfd):
    with tf.device("/cpu:1"):
        v = tf.Variable(1.0, name="v")
    config = tf.ConfigProto(device_count={"CPU": 2}, log_device_placement=True)
    with tf.Session(config=config) as sess:
        sess.run(v.initializer)
        assert sess.run(v.value()) == 1.0
        placements = sess._placer._placements
        assert {placements[op].name for op in (v.op, v.initializer, v.value().op)} == \
            {"/job:localhost/replica:0/task:0/device:CPU:1"}
    log = capfd.readouterr().err
    assert "v: (VariableV2): /job:localhost/replica:0/task:0/device:CPU:1" in log
