"""tf.train.Coordinator and LooperThread: stop requests, exceptions re-raised by join, the grace
period, stop_on_exception. Threads synchronise on events; every wait is bounded."""
import threading

import pytest

import minitf as tf

pytestmark = pytest.mark.timeout(60)


def _thread(target, *args, name=None):
    thread = threading.Thread(target=target, args=args, name=name, daemon=True)
    thread.start()
    return thread


def test_request_stop_wakes_waiting_threads_and_join_returns():
    coord = tf.train.Coordinator()
    woke = []
    threads = [_thread(lambda: woke.append(coord.wait_for_stop(30))) for _ in range(3)]
    assert not coord.should_stop()
    assert coord.wait_for_stop(0.001) is False
    coord.request_stop()
    coord.join(threads, stop_grace_period_secs=30)
    assert woke == [True, True, True] and coord.should_stop() and coord.joined


def test_join_without_stop_returns_when_threads_end():
    coord = tf.train.Coordinator()
    threads = [_thread(lambda: None) for _ in range(3)]
    coord.join(threads)
    assert not coord.should_stop() and coord.joined


def test_join_reraises_the_first_exception_of_a_thread():
    coord = tf.train.Coordinator()

    def fail(message):
        try:
            raise ValueError(message)
        except ValueError as e:
            coord.request_stop(e)
    first = _thread(fail, "first")
    first.join(30)
    _thread(fail, "second").join(30)  # after the stop: ignored
    with pytest.raises(ValueError, match="first"):
        coord.join([first])
    assert coord.joined


def test_out_of_range_is_a_clean_stop_and_clean_types_can_be_chosen():
    coord = tf.train.Coordinator()
    coord.request_stop(tf.errors.OutOfRangeError(None, None, "end of input"))
    assert coord.should_stop()
    coord.join([])
    coord = tf.train.Coordinator(clean_stop_exception_types=[KeyError])
    coord.request_stop(KeyError("k"))
    coord.join([])
    coord.clear_stop()
    coord.request_stop(tf.errors.OutOfRangeError(None, None, "now an error"))
    coord.request_stop(ValueError("after the stop: ignored"))
    with pytest.raises(tf.errors.OutOfRangeError):
        coord.join([])


def test_stop_on_exception_reports_and_swallows():
    coord = tf.train.Coordinator()

    def work():
        with coord.stop_on_exception():
            raise tf.errors.InvalidArgumentError(None, None, "bad input")
    thread = _thread(work)
    assert coord.wait_for_stop(30)
    with pytest.raises(tf.errors.InvalidArgumentError, match="bad input"):
        coord.join([thread])
    with pytest.raises(tf.errors.InvalidArgumentError):
        coord.raise_requested_exception()


def test_request_stop_after_join_raises_and_clear_stop_resets():
    coord = tf.train.Coordinator()
    coord.request_stop()
    coord.join([])
    with pytest.raises(ValueError, match="late"):
        coord.request_stop(ValueError("late"))
    coord.request_stop()  # no exception: fine after join
    coord.clear_stop()
    assert not coord.should_stop() and not coord.joined
    coord.raise_requested_exception()  # nothing recorded any more


def test_join_raises_for_threads_still_running_after_the_grace_period():
    coord = tf.train.Coordinator()
    release = threading.Event()
    straggler = _thread(release.wait, 30, name="straggler")
    coord.request_stop()
    with pytest.raises(RuntimeError, match="Coordinator stopped with threads still running: straggler"):
        coord.join([straggler], stop_grace_period_secs=0.01)
    coord.clear_stop()
    coord.request_stop()
    coord.join([straggler], stop_grace_period_secs=0.01, ignore_live_threads=True)
    release.set()
    straggler.join(30)


def test_grace_period_lets_slow_threads_finish():
    coord = tf.train.Coordinator()

    def slow():
        coord.wait_for_stop(30)
        done.wait(30)
    done = threading.Event()
    thread = _thread(slow)
    coord.register_thread(thread)
    coord.request_stop()
    done.set()
    coord.join(stop_grace_period_secs=30)  # registered threads are joined too
    assert not thread.is_alive()


def test_looper_thread_runs_target_until_stop():
    coord = tf.train.Coordinator()
    calls = []
    enough = threading.Event()

    def tick(step):
        calls.append(step)
        if len(calls) == 3:
            enough.set()
    looper = coord.loop(0.001, tick, args=(7,))
    assert enough.wait(30)
    coord.request_stop()
    coord.join(stop_grace_period_secs=30)
    assert calls[:3] == [7, 7, 7] and not looper.is_alive()


def test_looper_thread_reports_its_exception():
    coord = tf.train.Coordinator()

    def fail():
        raise ZeroDivisionError("tick failed")
    tf.train.LooperThread.loop(coord, None, fail)
    with pytest.raises(ZeroDivisionError, match="tick failed"):
        coord.join(stop_grace_period_secs=30)
    with pytest.raises(ValueError):
        tf.train.LooperThread(object(), 1.0)
