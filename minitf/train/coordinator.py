"""TF1's `tf.train.Coordinator` and `tf.train.LooperThread`: stopping a set of threads together.

Threads ask `should_stop()` (or block in `wait_for_stop()`), any thread may `request_stop(ex)`,
and `join()` waits for the threads and re-raises the first exception reported. Everything waits
on events and conditions, never by sleeping in a loop.

Departures from TF1: `request_stop(ex)` accepts an exception instance outside an `except` block
(TF1 needs `sys.exc_info()` to be set then, and fails otherwise); `join` waits for threads without
polling (a helper thread joins them and signals the coordinator).
"""
import contextlib
import sys
import threading
import time

from minitf.framework import errors


class Coordinator:
    """TF1 `tf.train.Coordinator(clean_stop_exception_types=None)`.

    Exceptions of `clean_stop_exception_types` (default: `OutOfRangeError`, the end of the input)
    stop the threads without being re-raised by `join`.
    """

    def __init__(self, clean_stop_exception_types=None):
        if clean_stop_exception_types is None:
            clean_stop_exception_types = (errors.OutOfRangeError,)
        self._clean_stop_exception_types = tuple(clean_stop_exception_types)
        self._condition = threading.Condition(threading.Lock())
        self._stop_event = threading.Event()
        self._exception = None  # the first exception reported, re-raised by join()
        self._joined = False
        self._registered_threads = set()
        self._stop_callbacks = []  # one-shot, run when stop is requested

    # --- stopping -----------------------------------------------------------------------------
    def request_stop(self, ex=None):
        """Asks every coordinated thread to stop. `ex` (an exception or an `exc_info` tuple) is
        recorded when it is the first one and not a clean-stop type; `join` re-raises it. After
        `join`, reporting an exception raises it at once (as TF1 does)."""
        ex = self._exception_of(ex)
        with self._condition:
            if self._joined and ex is not None:
                raise ex
            if self._stop_event.is_set():
                return
            if ex is not None and self._exception is None:
                self._exception = ex
            self._stop_event.set()
            callbacks, self._stop_callbacks = self._stop_callbacks, []
            self._condition.notify_all()
        for callback in callbacks:
            callback()

    def _exception_of(self, ex):
        if isinstance(ex, tuple):
            ex = ex[1]
        if ex is None or isinstance(ex, self._clean_stop_exception_types):
            return None
        if not isinstance(ex, BaseException):
            raise TypeError(f"ex must be an exception or an exc_info tuple, got {ex!r}")
        return ex

    def clear_stop(self):
        """Clears the stop request, the recorded exception and the joined state (to reuse the
        coordinator, e.g. after a recovered error)."""
        with self._condition:
            self._joined = False
            self._exception = None
            self._stop_event.clear()

    def should_stop(self):
        return self._stop_event.is_set()

    def wait_for_stop(self, timeout=None):
        """Blocks until stop is requested or `timeout` seconds pass; True when stop was requested."""
        return self._stop_event.wait(timeout)

    @contextlib.contextmanager
    def stop_on_exception(self):
        """Context manager: an exception raised in the block is reported with `request_stop` (and
        swallowed), so a thread can exit its loop and let `join` raise it."""
        try:
            yield
        except BaseException:  # noqa: BLE001 - TF1 reports everything, even SystemExit
            self.request_stop(sys.exc_info())

    def raise_requested_exception(self):
        """Raises the exception reported with `request_stop`, if any."""
        with self._condition:
            if self._exception is not None:
                raise self._exception

    def _on_stop(self, callback):
        """Runs `callback()` once when stop is requested (now, if it already was). For threads that
        wait on another event too, such as a queue runner's close-on-stop thread."""
        with self._condition:
            if not self._stop_event.is_set():
                self._stop_callbacks.append(callback)
                return
        callback()

    # --- joining ------------------------------------------------------------------------------
    def register_thread(self, thread):
        """Adds `thread` to the threads `join()` waits for."""
        with self._condition:
            self._registered_threads.add(thread)

    @property
    def joined(self):
        return self._joined

    def join(self, threads=None, stop_grace_period_secs=120, ignore_live_threads=False):
        """Waits until the threads (and the registered ones) have ended or stop is requested; then
        gives them `stop_grace_period_secs` more to end. Re-raises the exception reported with
        `request_stop`; else raises RuntimeError naming threads still running (unless
        `ignore_live_threads`)."""
        with self._condition:
            threads = list(self._registered_threads.union(threads or ()))
        done = threading.Event()
        threading.Thread(target=self._join_all, args=(threads, done), daemon=True,
                         name="Coordinator-join").start()
        with self._condition:
            self._condition.wait_for(lambda: done.is_set() or self._stop_event.is_set())
        done.wait(max(stop_grace_period_secs, 0))
        stragglers = [t.name for t in threads if t.is_alive()]
        with self._condition:
            self._joined = True
            self._registered_threads = set()
            if self._exception is not None:
                raise self._exception
        if stragglers and not ignore_live_threads:
            raise RuntimeError("Coordinator stopped with threads still running: " + " ".join(stragglers))

    def _join_all(self, threads, done):
        for thread in threads:
            try:
                thread.join()
            except RuntimeError:  # never started: nothing to wait for
                pass
        done.set()
        with self._condition:
            self._condition.notify_all()

    # --- looping ------------------------------------------------------------------------------
    def loop(self, timer_interval_secs, target, args=None, kwargs=None):
        """Starts a LooperThread calling `target(*args, **kwargs)` every `timer_interval_secs`."""
        return LooperThread.loop(self, timer_interval_secs, target, args, kwargs)


class LooperThread(threading.Thread):
    """TF1 `tf.train.LooperThread(coord, timer_interval_secs, target=None, args=None, kwargs=None)`:
    a daemon thread calling `run_loop()` (by default `target(*args, **kwargs)`) every
    `timer_interval_secs` (back to back when None) until the coordinator stops; an exception in
    it is reported to the coordinator."""

    def __init__(self, coord, timer_interval_secs, target=None, args=None, kwargs=None):
        if not isinstance(coord, Coordinator):
            raise ValueError(f"'coord' argument must be a Coordinator: {coord}")
        super().__init__(daemon=True)
        if target is None and (args or kwargs):
            raise ValueError("'args' and 'kwargs' argument require that you also pass 'target'")
        self._coord = coord
        self._timer_interval_secs = timer_interval_secs
        self._loop_target = target
        self._loop_args = tuple(args or ())
        self._loop_kwargs = dict(kwargs or {})
        coord.register_thread(self)

    @staticmethod
    def loop(coord, timer_interval_secs, target, args=None, kwargs=None):
        """Creates and starts a LooperThread; returns it."""
        looper = LooperThread(coord, timer_interval_secs, target=target, args=args, kwargs=kwargs)
        looper.start()
        return looper

    def run(self):
        with self._coord.stop_on_exception():
            self.start_loop()
            if self._timer_interval_secs is None:
                while not self._coord.should_stop():
                    self.run_loop()
            else:
                next_time = time.monotonic()  # the first call runs at once
                while not self._coord.wait_for_stop(max(next_time - time.monotonic(), 0)):
                    next_time += self._timer_interval_secs
                    self.run_loop()
            self.stop_loop()

    def start_loop(self):
        """Called once when the thread starts (override in subclasses)."""

    def stop_loop(self):
        """Called once when the thread ends its loop (override in subclasses)."""

    def run_loop(self):
        """One iteration; calls the target by default."""
        if self._loop_target is not None:
            self._loop_target(*self._loop_args, **self._loop_kwargs)
