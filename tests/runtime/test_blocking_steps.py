"""Steps with blocking ops: independent work proceeds, close() cancels, deadlines end the wait."""
import threading

import numpy as np
import pytest

import minitf as tf
from minitf.framework import op_def
from minitf.framework.common_shapes import scalar
from minitf.runtime import kernel_registry
from minitf.runtime.cancellation import wait_until


@pytest.fixture
def gate_op(monkeypatch):
    """A throwaway blocking op type: "Gate" waits until its event is set, then outputs 1.0."""
    monkeypatch.setattr(op_def, "_REGISTRY", dict(op_def._REGISTRY))
    monkeypatch.setattr(kernel_registry, "_KERNELS", dict(kernel_registry._KERNELS))
    op_def.define_op("Gate", outputs=["y: float32"], shape=scalar, blocking=True, differentiable=False)
    event = threading.Event()
    condition = threading.Condition()

    @kernel_registry.register_kernel("Gate", type_attr=None)
    def gate(ctx):
        def compute():
            with condition:
                wait_until(condition, event.is_set, ctx.op, "the gate")
            return np.float32(1.0)
        return compute

    def release():
        with condition:
            event.set()
            condition.notify_all()
    return (lambda name="gate": tf.get_default_graph().create_op("Gate", [], name=name).outputs[0]), release


def test_independent_work_runs_while_an_op_blocks(gate_op):
    make_gate, release = gate_op
    gated = make_gate()

    def open_gate(x):
        release()
        return x
    opener = tf.py_func(open_gate, [tf.constant(2.0)], tf.float32)
    with tf.Session() as sess:
        assert sess.run([gated, opener]) == [1.0, 2.0]


def test_close_cancels_a_blocked_step(gate_op):
    make_gate, _ = gate_op
    gated = make_gate()
    sess = tf.Session()
    errors = []
    started = threading.Event()

    def blocked_run():
        started.set()
        try:
            sess.run(gated)
        except Exception as e:  # noqa: BLE001 - checked below
            errors.append(e)
    threads = [threading.Thread(target=blocked_run) for _ in range(4)]
    for thread in threads:
        thread.start()
    started.wait(timeout=10)
    sess.close()
    for thread in threads:
        thread.join(timeout=10)
        assert not thread.is_alive()
    assert len(errors) == 4 and all(isinstance(e, (tf.errors.CancelledError, RuntimeError)) for e in errors)


def test_run_options_timeout_ends_the_wait(gate_op):
    make_gate, _ = gate_op
    gated = make_gate()
    with tf.Session() as sess, pytest.raises(tf.errors.DeadlineExceededError):
        sess.run(gated, options=tf.RunOptions(timeout_in_ms=50))
    config = tf.ConfigProto(operation_timeout_in_ms=50)
    with tf.Session(config=config) as sess, pytest.raises(tf.errors.DeadlineExceededError) as info:
        sess.run(gated)
    assert info.value.op is gated.op


def test_a_failing_op_cancels_the_blocked_rest_of_its_step(gate_op):
    make_gate, _ = gate_op
    gated = make_gate()
    shape = tf.placeholder(tf.int32, [2])
    bad = tf.reshape(tf.constant([1, 2, 3]), shape)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run([gated, bad], {shape: [2, 2]})
    assert info.value.op is bad.op
