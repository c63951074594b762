"""What shape functions of the array family can know statically about tensors (TF1's
partial-shape and constant-value reasoning), shared by array_ops and selection_ops."""
import builtins

import numpy as np

from minitf.framework import dtypes
from minitf.framework.op_def import TypeAttr
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.framework.tensor_util import constant_value
from minitf.ops.constant_op import convert_to_tensor

INDEX_TYPE = TypeAttr(dtypes.INDEX, default=dtypes.int32)  # shape/axis/perm inputs: int32 unless given
STRIDED_SLICE_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")  # StridedSlice's


# ======================================================================================
# Helpers for shape functions: what is statically known about tensors
# ======================================================================================
def partial_value(tensor):
    """The value of `tensor` as far as it is known at construction: an object array whose entries
    are numbers or None (unknown), or None. Beyond tensor_util.constant_value it reads the known
    dims of Shape, Pack-ed scalars and StridedSlices of those (`tf.shape(x)[0]`), as TF1's
    shape inference does."""
    value = constant_value(tensor)
    if value is not None:
        return np.asarray(value, dtype=object)
    op = tensor.op
    if op.type == "Shape" and op.inputs[0].shape.ndims is not None:
        return np.array(op.inputs[0].shape.as_list(), dtype=object)
    if op.type == "Pack" and op.get_attr("axis") == 0 and all(t.shape.ndims == 0 for t in op.inputs):
        items = [partial_value(t) for t in op.inputs]
        return np.array([None if v is None else v[()] for v in items], dtype=object)
    if op.type == "StridedSlice":
        source, spec = partial_value(op.inputs[0]), [constant_value(t) for t in op.inputs[1:]]
        if source is not None and all(v is not None for v in spec):
            try:
                index = strided_slice_index(*(v.tolist() for v in spec), *(op.get_attr(m) for m in STRIDED_SLICE_MASKS))
                return np.asarray(source[index], dtype=object)
            except (IndexError, ValueError):
                return None
    return None


def scalar_value(tensor):
    """The int value of a (1-element) tensor known at construction, else None."""
    value = partial_value(tensor)
    if value is None or value.size != 1 or value.flat[0] is None:
        return None
    return int(value.flat[0])


def shape_entries(tensor):
    """A 1-D int tensor's entries known at construction: ints (negatives kept), None where unknown.
    Returns None when not even the length is known."""
    value = partial_value(tensor)
    if value is not None:
        return [None if v is None else int(v) for v in value.reshape(-1)]
    if tensor.shape.ndims == 1 and tensor.shape[0].value is not None:
        return [None] * tensor.shape[0].value
    return None


def dims_of(shape):
    """A static shape as a list of ints/None, or None for an unknown rank."""
    return None if shape.dims is None else shape.as_list()


def dims_text(dims):
    """TF's way of printing a shape in messages: [2,?,3]."""
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def merge_dims(a, b):
    """TensorShape.merge_with, with TF's shape-inference messages."""
    if a.ndims is None:
        return b
    if b.ndims is None:
        return a
    if a.ndims != b.ndims:
        raise ValueError(f"Shapes must be equal rank, but are {a.ndims} and {b.ndims}")
    dims = []
    for i, (x, y) in enumerate(zip(a.as_list(), b.as_list())):
        if x is not None and y is not None and x != y:
            raise ValueError(f"Dimension {i} in both shapes must be equal, but are {x} and {y}. "
                             f"Shapes are {dims_text(a.as_list())} and {dims_text(b.as_list())}.")
        dims.append(x if x is not None else y)
    return TensorShape(dims)


def normalize_axis(axis, rank, message=None):
    """`axis` made non-negative for `rank` dims; ValueError when it is out of [-rank, rank)."""
    if not -rank <= axis < rank:
        raise ValueError(message or f"Invalid axis: {axis}; must be in [{-rank},{rank})")
    return axis % rank if rank else axis


def contains_tensor(value):
    if isinstance(value, Tensor) or hasattr(value, "_as_graph_element"):
        return True
    return isinstance(value, (list, tuple)) and any(contains_tensor(v) for v in value)


def first_tensor_dtype(value):
    if isinstance(value, (list, tuple)):
        return next((d for d in map(first_tensor_dtype, value) if d is not None), None)
    return convert_to_tensor(value).dtype.base_dtype if contains_tensor(value) else None


UNKNOWN_INDEX = type("UnknownIndex", (), {"__repr__": lambda self: "?"})()  # not known at construction


def strided_slice_index(begin, end, strides, begin_mask, end_mask, ellipsis_mask, new_axis_mask,
                        shrink_axis_mask):
    """StridedSlice's spec as a NumPy index tuple: ints (shrunk axes), slices, None (new axes) and
    Ellipsis. Entries may be UNKNOWN_INDEX (at construction). Shared with the kernel."""
    index, ellipsis = [], False
    for i, (b, e, s) in enumerate(zip(begin, end, strides)):
        bit = 1 << i
        if ellipsis_mask & bit:
            if ellipsis:
                raise ValueError("Multiple ellipses in slice spec not allowed")
            ellipsis = True
            index.append(Ellipsis)
        elif new_axis_mask & bit:
            index.append(None)
        elif s == 0:
            raise ValueError(f"strides[{i}] must be non-zero")
        elif shrink_axis_mask & bit:
            if s is not UNKNOWN_INDEX and s < 0:
                raise ValueError("only stride 1 allowed on non-range indexing.")
            index.append(b)
        else:
            index.append(builtins.slice(None if begin_mask & bit else b, None if end_mask & bit else e, s))
    return tuple(index)


def index_shape(dims, index):
    """The shape `dims` (ints/None) takes under a strided_slice_index; ValueError with TF's messages."""
    consumed = sum(1 for item in index if item is not None and item is not Ellipsis)
    if consumed > len(dims):
        raise ValueError(f"Index out of range using input dim {len(dims)}; input has only {len(dims)} dims")
    fill = [builtins.slice(None)] * (len(dims) - consumed)
    at = next((i for i, item in enumerate(index) if item is Ellipsis), len(index))
    out, position = [], 0
    for item in index[:at] + tuple(fill) + index[at + 1:]:
        if item is None:
            out.append(1)
            continue
        d, position = dims[position], position + 1
        if isinstance(item, builtins.slice):
            known = d is not None and UNKNOWN_INDEX not in (item.start, item.stop, item.step)
            out.append(len(builtins.range(*item.indices(d))) if known else None)
        elif item is not UNKNOWN_INDEX and d is not None and not -d <= item < d:
            raise ValueError(f"slice index {item} of dimension {position - 1} out of bounds.")
    return out


def reshape_missing_dim(input_dims, sizes):
    """TF's rule for the -1 of a reshape: (missing size, whether it divides exactly). When the
    requested sizes contain a 0, zero-sized dims are left out of both products, so the other
    dims of an empty tensor can still be inferred ([0, 10] -> [0, 5, -1] gives [0, 5, 2])."""
    has_zero = any(s == 0 for s in sizes)
    product = int(np.prod([s for s in sizes if s > 0], dtype=np.int64))
    count = int(np.prod([d for d in input_dims if d > 0 or not has_zero], dtype=np.int64))
    input_has_zero = has_zero and any(d == 0 for d in input_dims)
    missing = count // product
    return missing, input_has_zero or product * missing == count
