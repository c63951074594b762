"""The thread-local default graph and the module-level scope functions TF1 users call (`tf.name_scope`, ...)."""
import contextlib

from minitf.framework.default_stack import DefaultStack
from minitf.framework.graph import Graph


_stack = DefaultStack()
_global_default_graph = Graph()


def get_default_graph():
    """The innermost graph entered with `as_default()` in this thread, else the global default."""
    return _stack.top(_global_default_graph)


def graph_as_default(graph):
    return _stack.as_default(graph)


def reset_default_graph():
    """Replaces the global default graph with a new empty one (TF1 `tf.reset_default_graph`)."""
    global _global_default_graph
    if _stack.stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If you need "
                             "a cleared graph, exit the nesting and create a new graph.")
    _global_default_graph = Graph()


def _graph_of(values):
    """The graph the given tensors/ops belong to, or the default graph (TF1's `_get_graph_from_inputs`)."""
    for value in values or ():
        graph = getattr(value, "graph", None)
        if isinstance(graph, Graph):
            return graph
    return get_default_graph()


@contextlib.contextmanager
def name_scope(name, default_name=None, values=None):
    """TF1 `tf.name_scope(name, default_name=None, values=None)`: yields the scope string ("a/b/")."""
    if name is None and default_name is not None:
        name = default_name
        if name.endswith("/"):
            raise ValueError(f"default_name cannot end with '/': {default_name}")
    graph = _graph_of(values)
    with graph.as_default(), graph.name_scope(name) as scope:
        yield scope


def control_dependencies(control_inputs):
    return get_default_graph().control_dependencies(control_inputs)


def device(device_name_or_function):
    return get_default_graph().device(device_name_or_function)


def container(container_name):
    return get_default_graph().container(container_name)


def colocate_with(op, ignore_existing=False):
    return get_default_graph().colocate_with(op, ignore_existing)


def add_to_collection(name, value):
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value):
    get_default_graph().add_to_collections(names, value)


def get_collection(key, scope=None):
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    return get_default_graph().get_collection_ref(key)


def set_random_seed(seed):
    """Sets the graph-level seed of the default graph (TF1 `tf.set_random_seed`)."""
    get_default_graph().seed = seed
