"""Devices and placement with fake GPUs (MINITF_FAKE_GPUS): defaults, pins, host-memory dtypes,
transfers, listing, concurrency across devices and the BLAS thread cap."""
import threading

import numpy as np
import pytest

import minitf as tf


@pytest.fixture
def fake_gpus(monkeypatch):
    monkeypatch.setenv("MINITF_FAKE_GPUS", "2")


def _placements(sess):
    return {op.name: device.name.rsplit("/device:", 1)[1] for op, device in sess._placer._placements.items()}


def test_gpu_is_the_default_and_int32_stays_on_the_host(fake_gpus):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.reduce_sum(x * 2.0, axis=1, name="y")
    count = tf.shape(x, name="count")
    as_int = tf.cast(x, tf.int32, name="as_int")
    with tf.Session() as sess:
        values, shape, _ = sess.run([y, count, as_int], {x: np.ones((2, 3))})
        placed = _placements(sess)
    np.testing.assert_array_equal(values, [6.0, 6.0])
    assert shape.tolist() == [2, 3]
    assert placed["mul"] == "GPU:0" and placed["y"] == "GPU:0"
    # As in TF1, Shape and int32 constants have GPU kernels whose outputs live in host memory;
    # other int32 producers (here the Cast) have none and go to the CPU.
    assert placed["y/reduction_indices"] == "GPU:0" and placed["count"] == "GPU:0"
    assert placed["as_int"] == "CPU:0"


def test_transfers_are_explicit_steps(fake_gpus):
    with tf.device("/gpu:1"):
        a = tf.placeholder(tf.float32, [2], name="a") * 3.0
    with tf.device("/cpu:0"):
        b = a + 1.0
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(b, {"a:0": [1.0, 2.0]}), [4.0, 7.0])


def test_placement_function_and_soft_placement(fake_gpus):
    def variables_on_cpu(op):
        return "/cpu:0" if op.type in ("VariableV2", "Assign", "Identity") else "/gpu:0"
    with tf.device(variables_on_cpu):
        w = tf.Variable(2.0, name="w")
        y = w * 3.0
    with tf.device("/gpu:0"):
        counter = tf.Variable(0, name="counter")  # int32: no GPU kernel
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert sess.run(y) == 6.0
        placed = _placements(sess)
        assert placed["w"] == "CPU:0" and placed["mul"] == "GPU:0"
        with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot assign a device"):
            sess.run(counter.initializer)
    with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        sess.run(counter.initializer)
        assert sess.run(counter) == 0 and _placements(sess)["counter"] == "CPU:0"


def test_no_gpu_without_fake_gpus_or_cupy(monkeypatch):
    monkeypatch.setenv("MINITF_FAKE_GPUS", "0")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    with tf.device("/gpu:0"):
        a = tf.constant(1.0)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError):
        sess.run(a)
    with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        assert sess.run(a) == 1.0


def test_listing(fake_gpus):
    assert tf.test.is_gpu_available() and not tf.test.is_gpu_available(cuda_only=True)
    assert tf.test.gpu_device_name() == "/device:GPU:0"
    names = [d.name for d in tf.device_lib.list_local_devices()]
    assert names == ["/job:localhost/replica:0/task:0/device:CPU:0",
                     "/job:localhost/replica:0/task:0/device:GPU:0",
                     "/job:localhost/replica:0/task:0/device:GPU:1"]
    with tf.Session(config=tf.ConfigProto(device_count={"GPU": 1})) as sess:
        assert [d.device_type for d in sess.list_devices()] == ["CPU", "GPU"]


def test_branches_on_different_devices_run_concurrently():
    barrier = threading.Barrier(2, timeout=10)

    def meet(x):
        barrier.wait()  # both branches must be inside at once, or this times out
        return x
    with tf.device("/cpu:0"):
        left = tf.py_func(meet, [tf.constant(1.0)], tf.float32)
    with tf.device("/cpu:1"):
        right = tf.py_func(meet, [tf.constant(2.0)], tf.float32)
    with tf.Session(config=tf.ConfigProto(device_count={"CPU": 2})) as sess:
        assert sess.run([left, right]) == [1.0, 2.0]


def test_intra_op_threads_cap_blas_while_the_session_is_open():
    from threadpoolctl import threadpool_info
    with tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=1)):
        blas = [info for info in threadpool_info() if info["user_api"] == "blas"]
        assert all(info["num_threads"] == 1 for info in blas)


def test_book_style_cpu_block_with_the_multiplication_unpinned(fake_gpus):
    with tf.device("/cpu:0"):
        a = tf.Variable(3.0, name="a")
        b = tf.Variable(4.0, name="b")
    c = a * b
    with tf.Session() as sess:
        sess.run([a.initializer, b.initializer])
        assert sess.run(c) == 12.0
        placed = _placements(sess)
    assert placed["a"] == placed["b"] == "CPU:0" and placed["mul"] == "GPU:0"
