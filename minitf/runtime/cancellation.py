"""Cancellation and deadlines for ops that block (queue dequeue/enqueue, reader read).

A blocking kernel waits through `wait_until(condition, ready, op)`. The wait ends with
CancelledError when the session closes or the step is cancelled (another op of the step failed),
and with DeadlineExceededError when the step's deadline passes (`RunOptions.timeout_in_ms`,
`ConfigProto.operation_timeout_in_ms`). Closing a session therefore frees every thread blocked in
it instead of leaving it hanging.
"""
import threading
import time

from minitf.framework import errors


class CancellationManager:
    """Callbacks to run on cancellation; children are cancelled with their parent."""

    def __init__(self, parent=None):
        self._lock = threading.Lock()
        self._callbacks = {}
        self._next_token = 0
        self.cancelled = False
        self._parent_token = parent.register(self.cancel) if parent is not None else None
        self._parent = parent
        if parent is not None and self._parent_token is None:  # the parent was cancelled already
            self.cancelled = True

    def register(self, callback):
        """Registers `callback`; returns a token for `deregister`, or None if already cancelled."""
        with self._lock:
            if self.cancelled:
                return None
            self._next_token += 1
            self._callbacks[self._next_token] = callback
            return self._next_token

    def deregister(self, token):
        with self._lock:
            self._callbacks.pop(token, None)

    def cancel(self):
        with self._lock:
            if self.cancelled:
                return
            self.cancelled = True
            callbacks = list(self._callbacks.values())
            self._callbacks.clear()
        for callback in callbacks:
            callback()

    def detach(self):
        """Stops following the parent (a finished step no longer needs the session's signal)."""
        if self._parent is not None and self._parent_token is not None:
            self._parent.deregister(self._parent_token)


class StepContext:
    """What a blocking kernel needs to know about the step it runs in.

    The step's own CancellationManager (a child of the session's) is made when first asked for,
    typically by an op that has to wait: most steps never wait, and registering every step with
    the session would make concurrent steps (queue-runner threads) contend for its lock."""

    _creating = threading.Lock()

    def __init__(self, parent, deadline=None, closed_message="Session has been closed."):
        self._parent = parent
        self._cancellation = None
        self.deadline = deadline  # time.monotonic() value, or None
        self.closed_message = closed_message

    @property
    def cancellation(self):
        if self._cancellation is None:
            with self._creating:
                if self._cancellation is None:
                    self._cancellation = CancellationManager(parent=self._parent)
        return self._cancellation

    @property
    def cancelled(self):
        """Whether the step is cancelled, without making its manager."""
        return (self._cancellation or self._parent).cancelled

    def detach(self):
        """Stops following the session (the step has finished)."""
        if self._cancellation is not None:
            self._cancellation.detach()


_NEVER = StepContext(CancellationManager())
_current = threading.local()


def current_step():
    """The StepContext of the step running in this thread (a never-cancelled one outside steps)."""
    return getattr(_current, "step", _NEVER)


class running_step:
    """Context manager making `step` the current StepContext of this thread."""

    def __init__(self, step):
        self._step = step

    def __enter__(self):
        self._saved = getattr(_current, "step", None)
        _current.step = self._step
        return self._step

    def __exit__(self, *exc):
        if self._saved is None:
            del _current.step
        else:
            _current.step = self._saved


def wait_until(condition, ready, op, what="the operation"):
    """Waits on `condition` (held by the caller) until `ready()` is true, honouring the current
    step's cancellation and deadline."""
    if ready():
        return
    step = current_step()

    def wake():
        with condition:
            condition.notify_all()
    token = step.cancellation.register(wake)
    try:
        while not ready():
            if step.cancellation.cancelled or token is None:
                raise errors.CancelledError(None, op, f"{what} was cancelled: {step.closed_message}")
            timeout = None
            if step.deadline is not None:
                timeout = step.deadline - time.monotonic()
                if timeout <= 0:
                    raise errors.DeadlineExceededError(None, op, f"Timed out waiting for {what}")
            condition.wait(timeout)
    finally:
        if token is not None:
            step.cancellation.deregister(token)
