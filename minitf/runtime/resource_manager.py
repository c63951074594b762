"""Stateful resources (variables, queues, readers) keyed by (container, name), shared by a session's steps."""
import threading


class ResourceManager:
    """Thread-safe map from (container, name) to a resource object."""

    def __init__(self):
        self._lock = threading.Lock()
        self._resources = {}

    def lookup_or_create(self, container, name, create):
        with self._lock:
            key = (container or "", name)
            resource = self._resources.get(key)
            if resource is None:
                resource = self._resources[key] = create()
            return resource

    def lookup(self, container, name):
        with self._lock:
            return self._resources.get((container or "", name))

    def clear(self, containers=None):
        """Drops every resource in `containers` (all containers when None)."""
        with self._lock:
            if containers is None:
                dropped = list(self._resources.values())
                self._resources.clear()
            else:
                names = {c or "" for c in containers}
                keys = [k for k in self._resources if k[0] in names]
                dropped = [self._resources.pop(k) for k in keys]
        for resource in dropped:
            close = getattr(resource, "close", None)
            if close is not None:
                close()
