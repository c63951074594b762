"""Shape functions shared by many ops. Each takes an Operation and returns one TensorShape per output."""
from minitf.framework import tensor_shape
from minitf.framework.tensor_shape import TensorShape, Dimension

UNKNOWN = TensorShape(None)
SCALAR = TensorShape([])


def unchanged(op):
    """Every output has the shape of input 0 (elementwise unary ops, Identity, ...)."""
    return [op.inputs[0].shape] * len(op.outputs if op.outputs else op._output_dtypes)


def scalar(op):
    return [SCALAR] * len(op._output_dtypes)


def unknown(op):
    return [UNKNOWN] * len(op._output_dtypes)


def broadcast_shapes(a, b):
    """NumPy broadcasting over static shapes; raises ValueError when the shapes cannot broadcast."""
    if a.dims is None or b.dims is None:
        return UNKNOWN
    a_dims, b_dims = list(a.dims), list(b.dims)
    rank = max(len(a_dims), len(b_dims))
    a_dims = [Dimension(1)] * (rank - len(a_dims)) + a_dims
    b_dims = [Dimension(1)] * (rank - len(b_dims)) + b_dims
    result = []
    for x, y in zip(a_dims, b_dims):
        if x.value == 1:
            result.append(y)
        elif y.value == 1:
            result.append(x)
        elif x.value is None or y.value is None:
            # One side may be 1 at run time; TF1 keeps the known side unless it is 1.
            result.append(x if x.value is not None else y if y.value is not None else Dimension(None))
        elif x.value == y.value:
            result.append(x)
        else:
            raise ValueError(f"Dimensions must be equal, but are {x.value} and {y.value}")
    return TensorShape(result)


def broadcast(op):
    """Output shape of a binary elementwise op with NumPy broadcasting."""
    shape = broadcast_shapes(op.inputs[0].shape, op.inputs[1].shape)
    return [shape] * len(op._output_dtypes)


def broadcast_all(op):
    shape = SCALAR
    for tensor in op.inputs:
        shape = broadcast_shapes(shape, tensor.shape)
    return [shape]


def shape_from_value(value):
    """A static shape from a constant shape vector whose entries may be -1 (unknown)."""
    if value is None:
        return UNKNOWN
    return TensorShape([None if int(d) < 0 else int(d) for d in value])


def shape_from_tensor(tensor):
    """The static shape described by a 1-D shape tensor, using whatever is known statically."""
    from minitf.framework.tensor_util import constant_value, partial_shape_value
    value = constant_value(tensor)
    if value is not None:
        return shape_from_value(value.reshape(-1))
    partial = partial_shape_value(tensor)
    if partial is not None:
        return partial
    length = tensor.shape[0].value if tensor.shape.dims else None
    return tensor_shape.unknown_shape(length)
