"""A per-thread stack of defaults (the default graph, the default session)."""
import contextlib
import threading


class DefaultStack(threading.local):
    """Each thread sees its own stack; `as_default(value)` pushes `value` for a `with` block."""

    def __init__(self):
        self.stack = []

    def top(self, fallback=None):
        return self.stack[-1] if self.stack else fallback

    @contextlib.contextmanager
    def as_default(self, value):
        self.stack.append(value)
        try:
            yield value
        finally:
            # Remove this entry even when an inner default was left open (InteractiveSession).
            for index in range(len(self.stack) - 1, -1, -1):
                if self.stack[index] is value:
                    del self.stack[index]
                    break
