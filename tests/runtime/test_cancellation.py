"""Cancellation managers and step contexts: children follow their parent, and a step makes its
own manager only when an op of it has to wait."""
import threading

import pytest

import minitf as tf
from minitf.framework import errors
from minitf.runtime.cancellation import CancellationManager, StepContext, running_step, wait_until


def test_a_child_follows_its_parent_even_when_made_after_the_cancel():
    parent = CancellationManager()
    early = CancellationManager(parent=parent)
    parent.cancel()
    late = CancellationManager(parent=parent)
    assert early.cancelled and late.cancelled


def test_a_step_registers_with_the_session_only_when_it_waits():
    session = CancellationManager()
    step = StepContext(session)
    assert not step.cancelled and session._callbacks == {}
    condition = threading.Condition()
    released = []

    def release_soon():
        with condition:
            released.append(True)
            condition.notify_all()
    with running_step(step), condition:
        # The releaser needs the lock, which the wait below is the first to give up.
        threading.Thread(target=release_soon, daemon=True).start()
        wait_until(condition, lambda: bool(released), None, "the test")
    assert len(session._callbacks) == 1  # the wait made the step's manager
    step.detach()
    assert session._callbacks == {}


def test_a_step_started_after_the_session_closed_cannot_wait():
    session = CancellationManager()
    step = StepContext(session)
    session.cancel()
    assert step.cancelled
    with running_step(step), pytest.raises(errors.CancelledError, match="Session has been closed"):
        wait_until(threading.Condition(), lambda: False, None, "the test")


def test_queue_steps_that_never_wait_leave_the_session_untouched():
    q = tf.FIFOQueue(10, tf.float32, shapes=[[]])
    with tf.Session() as sess:
        sess.run(q.enqueue(1.0))
        assert sess.run(q.dequeue()) == 1.0
        assert sess._cancellation._callbacks == {}
