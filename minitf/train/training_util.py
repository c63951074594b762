"""The global step: TF1's `training_util` (`tf.train.get_or_create_global_step`, ...).

The global step is the int64 scalar variable "global_step" in the GLOBAL_STEP and
GLOBAL_VARIABLES collections, not trainable, created at the top of the graph's name scopes.
"""
import logging

from minitf.framework import dtypes
from minitf.framework.default_graph import get_default_graph
from minitf.framework.graph import GraphKeys
from minitf.framework.tensor import Tensor
from minitf.ops import array_ops
from minitf.ops.variables import Variable


def global_step(sess, global_step_tensor):
    """TF1 `tf.train.global_step`: the global step's value as a Python int."""
    return int(sess.run(global_step_tensor))


def get_global_step(graph=None):
    """TF1 `tf.train.get_global_step`: the GLOBAL_STEP collection's single member, else the
    tensor named "global_step:0", else None."""
    graph = graph or get_default_graph()
    found = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) > 1:
        logging.getLogger("minitf").error("Multiple tensors in global_step collection.")
        return None
    if found:
        tensor = found[0]
    else:
        try:
            tensor = graph.get_tensor_by_name("global_step:0")
        except (KeyError, ValueError):
            return None
    assert_global_step(tensor)
    return tensor


def create_global_step(graph=None):
    """TF1 `tf.train.create_global_step`: a new global step; ValueError if there is one."""
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    with graph.as_default(), graph.name_scope(None):
        return Variable(lambda: array_ops.zeros([], dtypes.int64), name=GraphKeys.GLOBAL_STEP,
                        trainable=False, collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph=None):
    """TF1 `tf.train.get_or_create_global_step`."""
    graph = graph or get_default_graph()
    step = get_global_step(graph)
    return create_global_step(graph) if step is None else step


def assert_global_step(global_step_tensor):
    """TF1 `tf.train.assert_global_step`: TypeError unless an integer scalar variable or tensor."""
    if not isinstance(global_step_tensor, (Variable, Tensor)):
        raise TypeError(f'Existing "global_step" must be a Variable or Tensor: {global_step_tensor}.')
    if not global_step_tensor.dtype.base_dtype.is_integer:
        raise TypeError(f'Existing "global_step" does not have integer type: {global_step_tensor.dtype}')
    shape = global_step_tensor.get_shape()
    if shape.ndims != 0 and shape.is_fully_defined():
        raise TypeError(f'Existing "global_step" is not scalar: {shape}')
