"""Slot variables: the per-variable state of an optimizer (TF1's `training/slot_creator.py`).

A slot of variable `theta` made by the optimizer named "Momentum" is the non-trainable global
variable `theta/Momentum` (then `theta/Momentum_1`, ... when that name is taken), colocated with
`theta`. TF1 names it through a variable scope: inside `tf.variable_scope("vs")` it becomes
`vs/theta/Momentum`, and the enclosing name scope plays no part. Its initializer ops live under
`theta/Momentum/Initializer/`.
"""
from minitf.framework.graph import GraphKeys
from minitf.ops import array_ops
from minitf.ops.variable_scope import get_variable_scope
from minitf.ops.variables import Variable


def _create_slot_var(primary, initial_value, name, validate_shape, dtype):
    """The slot variable itself: named from the primary's op name, outside every name scope and
    control dependency (TF1 creates it under `init_scope`), colocated with the primary."""
    scope = get_variable_scope().name
    full_name = f"{scope}/{primary.op.name}/{name}" if scope else f"{primary.op.name}/{name}"
    graph = primary.graph
    with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None), \
            graph.colocate_with(primary.op):
        return Variable(initial_value, trainable=False, name=full_name, validate_shape=validate_shape,
                        dtype=dtype, collections=[GraphKeys.GLOBAL_VARIABLES])


def create_slot(primary, val, name, colocate_with_primary=True):
    """TF1 `slot_creator.create_slot`: a slot initialized to the tensor `val`.

    Departure: the slot is always colocated with `primary`.
    """
    del colocate_with_primary
    return _create_slot_var(primary, val, name, val.shape.is_fully_defined(), val.dtype.base_dtype)


def create_slot_with_initializer(primary, initializer, shape, dtype, name, colocate_with_primary=True):
    """TF1 `slot_creator.create_slot_with_initializer`: `initializer(shape, dtype=dtype)` builds
    the initial value (inside `<slot>/Initializer/`)."""
    del colocate_with_primary
    shape = shape.as_list()
    return _create_slot_var(primary, lambda: initializer(shape, dtype=dtype), name, True, dtype)


def create_zeros_slot(primary, name, dtype=None, colocate_with_primary=True):
    """TF1 `slot_creator.create_zeros_slot`: a slot of zeros shaped like `primary`."""
    del colocate_with_primary
    return create_filled_slot(primary, 0, name, dtype, "zeros")


def create_filled_slot(primary, value, name, dtype=None, initializer_name="Const"):
    """A slot shaped like `primary` and filled with `value` (the ops are named
    `<slot>/Initializer/<initializer_name>`); a primary of unknown shape gets a slot of its
    initialized value's runtime shape, as in TF1."""
    dtype = (dtype or primary.dtype).base_dtype
    shape = primary.get_shape()
    if shape.is_fully_defined():
        return create_slot_with_initializer(
            primary, lambda dims, dtype: array_ops._filled(dims, value, dtype, None, initializer_name),
            shape, dtype, name)
    with primary.graph.as_default(), primary.graph.control_dependencies(None):
        filled = array_ops._filled(array_ops.shape(primary.initialized_value()), value, dtype, None,
                                   initializer_name)
    return create_slot(primary, filled, name)
