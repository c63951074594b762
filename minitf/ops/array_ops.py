"""Array ops: placeholders, identity, and the shape/layout family (TF1 `tf.reshape`, `tf.concat`,
`tf.stack`, `tf.split`, `tf.fill`, `tf.zeros`, `tf.shape`, ...).

Shape functions use whatever is known at construction (constant shape vectors, Pack-ed partial
shapes, known ranks) the way TF1's shape inference does, and raise ValueError for what is already
certain to fail. Indexing and selection (slices, `Tensor.__getitem__`, gather, where, ...) live in
selection_ops.py.
"""
import numpy as np

from minitf.framework import dtypes
from minitf.framework.common_shapes import UNKNOWN, SCALAR, unchanged
from minitf.framework.default_graph import name_scope
from minitf.framework.op_def import REQUIRED, TypeAttr, define_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape, as_shape, unknown_shape
from minitf.ops.constant_op import constant, convert_to_tensor
from minitf.ops.op_builder import apply_op
from minitf.ops.array_static import (INDEX_TYPE, contains_tensor, dims_of, dims_text,
                                     first_tensor_dtype, merge_dims, normalize_axis,
                                     reshape_missing_dim, scalar_value, shape_entries)

# The public (tf.*) names of this module; keep it in step with the functions below.
__all__ = [
    "placeholder", "placeholder_with_default", "identity", "reshape", "transpose", "squeeze",
    "expand_dims", "concat", "stack", "unstack", "split", "fill", "zeros", "ones", "zeros_like",
    "ones_like", "shape", "shape_n", "size", "rank",
]


def auto_pack(values, dtype=None, name="packed"):
    """A (nested) Python list of tensors and numbers as one tensor, as TF1's auto-packing builds it:
    a Const when there is no tensor, else a Pack named `name` whose numbers are Consts named by
    their position inside it ("stack/0"). Numbers take `dtype`, else the first tensor's dtype.
    (Not in __all__: convert_to_tensor's hook for lists that hold tensors.)"""
    if not contains_tensor(values):
        return constant(values, dtype, name=name)
    dtype = dtype or first_tensor_dtype(values)
    with name_scope(name) as scope:
        items = [auto_pack(v, dtype, name=str(i)) if isinstance(v, (list, tuple)) or not contains_tensor(v)
                 else convert_to_tensor(v, dtype) for i, v in enumerate(values)]
        return apply_op("Pack", items, axis=0, name=scope)



# ======================================================================================
# Placeholders and identity
# ======================================================================================
define_op("Placeholder", outputs=["output: dtype"], attrs={"dtype": TypeAttr(), "shape": TensorShape(None)},
          shape=lambda op: [as_shape(op.get_attr("shape"))], differentiable=False)
define_op("PlaceholderWithDefault", inputs=["input: dtype"], outputs=["output: dtype"],
          attrs={"dtype": TypeAttr(), "shape": TensorShape(None)},
          shape=lambda op: [as_shape(op.get_attr("shape"))])
define_op("Identity", inputs=["input: T"], outputs=["output: T"], attrs={"T": TypeAttr()}, shape=unchanged)


def placeholder(dtype, shape=None, name=None):
    """TF1 `tf.placeholder`: a value that must be fed; `shape` may have None dimensions."""
    return apply_op("Placeholder", name=name or "Placeholder", dtype=dtypes.as_dtype(dtype),
                    shape=TensorShape(shape))


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TF1's argument name
    """TF1 `tf.placeholder_with_default`: `input` unless fed; the static shape is `shape`."""
    input = convert_to_tensor(input)
    shape = TensorShape(shape)
    if not shape.is_compatible_with(input.shape):
        raise ValueError(f"Shape {shape} is not compatible with the default value's shape {input.shape}")
    return apply_op("PlaceholderWithDefault", input, name=name or "PlaceholderWithDefault",
                    shape=shape)


def identity(input, name=None):  # noqa: A002
    """TF1 `tf.identity`; on a variable's ref it reads (snapshots) the value."""
    return apply_op("Identity", input, name=name or "Identity")


# ======================================================================================
# Reshape, transpose, squeeze, expand_dims
# ======================================================================================
def _reshape_shape(op):
    target = shape_entries(op.inputs[1])
    if target is None:
        return [UNKNOWN]
    dims = [None if d is None or d < 0 else d for d in target]
    count = op.inputs[0].shape.num_elements()
    unknown = [i for i, d in enumerate(dims) if d is None]
    known = int(np.prod([d for d in dims if d is not None], dtype=np.int64))
    if count is not None and not unknown and known != count:
        raise ValueError(f"Cannot reshape a tensor with {count} elements to shape {dims_text(dims)} "
                         f"({known} elements)")
    # An empty input reshaped to sizes with a 0 and a -1: TF's rule leaves the zeros out.
    if count == 0 and len(unknown) == 1 and known == 0 and target[unknown[0]] == -1:
        dims[unknown[0]] = reshape_missing_dim(op.inputs[0].shape.as_list(), target)[0]
    # With the element count known, a single unknown entry (-1 or not) can only be count / rest.
    elif count is not None and len(unknown) == 1 and known > 0:
        if count % known:
            raise ValueError(f"Dimension size must be evenly divisible by {known} but is {count}")
        dims[unknown[0]] = count // known
    return [TensorShape(dims)]


def _transpose_shape(op):
    dims, perm = dims_of(op.inputs[0].shape), shape_entries(op.inputs[1])
    if perm is None:
        return [UNKNOWN if dims is None else unknown_shape(len(dims))]
    if dims is None:
        return [unknown_shape(len(perm))]
    if len(perm) != len(dims):
        raise ValueError(f"Dimension must be {len(dims)} but is {len(perm)}")
    return [TensorShape([None if p is None else dims[normalize_axis(p, len(dims))] for p in perm])]


def _squeeze_shape(op):
    dims, axes = dims_of(op.inputs[0].shape), op.get_attr("squeeze_dims")
    if dims is None:
        return [UNKNOWN]
    rank = len(dims)
    if not axes:  # every size-1 dim goes; an unknown dim might be 1, so the rank is unknown
        return [UNKNOWN if None in dims else TensorShape([d for d in dims if d != 1])]
    drop = {normalize_axis(a, rank, f"squeeze_dims[{i}] not in [{-rank},{rank}).") for i, a in enumerate(axes)}
    for a in sorted(drop):
        if dims[a] is not None and dims[a] != 1:
            raise ValueError(f"Can not squeeze dim[{a}], expected a dimension of 1, got {dims[a]}")
    return [TensorShape([d for i, d in enumerate(dims) if i not in drop])]


def _expand_dims_shape(op):
    dims, axis = dims_of(op.inputs[0].shape), scalar_value(op.inputs[1])
    if dims is None:
        return [UNKNOWN]
    if axis is None:
        return [unknown_shape(len(dims) + 1)]
    rank = len(dims) + 1
    axis = normalize_axis(axis, rank, f"dim {axis} not in the interval [{-rank}, {rank - 1}].")
    return [TensorShape(dims[:axis] + [1] + dims[axis:])]


define_op("Reshape", inputs=["tensor: T", "shape: Tshape"], outputs=["output: T"],
          attrs={"T": TypeAttr(), "Tshape": INDEX_TYPE}, shape=_reshape_shape)
define_op("Transpose", inputs=["x: T", "perm: Tperm"], outputs=["y: T"],
          attrs={"T": TypeAttr(), "Tperm": INDEX_TYPE}, shape=_transpose_shape)
define_op("Squeeze", inputs=["input: T"], outputs=["output: T"],
          attrs={"T": TypeAttr(), "squeeze_dims": []}, shape=_squeeze_shape)
define_op("ExpandDims", inputs=["input: T", "dim: Tdim"], outputs=["output: T"],
          attrs={"T": TypeAttr(), "Tdim": INDEX_TYPE}, shape=_expand_dims_shape)


def reshape(tensor, shape, name=None):  # noqa: F811 - TF1's argument name
    """TF1 `tf.reshape`; one entry of `shape` may be -1 (inferred)."""
    return apply_op("Reshape", tensor, shape, name=name or "Reshape")


def transpose(a, perm=None, name="transpose", conjugate=False):
    """TF1 `tf.transpose`; the default `perm` reverses the dimensions."""
    with name_scope(name, "transpose", [a]) as scope:
        a = convert_to_tensor(a, name="a")
        if perm is None:
            if a.shape.ndims is not None:
                perm = np.arange(a.shape.ndims - 1, -1, -1, dtype=np.int32)
            else:  # rank known only at run time: perm = (rank - 1) - range(rank)
                from minitf.ops import math_ops
                r = rank(a)
                perm = math_ops.subtract(r - 1, apply_op("Range", 0, r, 1, name="Range"), name="sub")
        return apply_op("Transpose", a, perm, name=scope)


def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002
    """TF1 `tf.squeeze`: removes the size-1 dims `axis` (all of them when None)."""
    if squeeze_dims is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'squeeze_dims' and 'axis'")
        axis = squeeze_dims
    axis = [] if axis is None else [int(axis)] if np.ndim(axis) == 0 else [int(a) for a in axis]
    return apply_op("Squeeze", input, squeeze_dims=axis, name=name or "Squeeze")


def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002
    """TF1 `tf.expand_dims`: inserts a size-1 dim at `axis` (negative counts from the end)."""
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    return apply_op("ExpandDims", input, axis, name=name or "ExpandDims")


# ======================================================================================
# Concat, stack/unstack, split
# ======================================================================================
def _concat_shape(op):
    values, axis = op.inputs[:-1], scalar_value(op.inputs[-1])
    known = [t.shape for t in values if t.shape.ndims is not None]
    if not known:
        return [UNKNOWN]
    rank = known[0].ndims
    for s in known:
        if s.ndims != rank:
            raise ValueError(f"Shape must be rank {rank} but is rank {s.ndims}")
    if rank == 0:
        raise ValueError("Can't concatenate scalars (use tf.stack instead)")
    if axis is None:
        return [unknown_shape(rank)]
    axis = normalize_axis(axis, rank, f"ConcatOp : Expected concatenating dimensions in the range "
                             f"[{-rank}, {rank}), but got {axis}")
    rest, total = unknown_shape(rank - 1), 0
    for s in values:
        dims = dims_of(s.shape)
        if dims is None:
            total = None
            continue
        total = None if total is None or dims[axis] is None else total + dims[axis]
        rest = merge_dims(rest, TensorShape(dims[:axis] + dims[axis + 1:]))
    dims = rest.as_list()
    return [TensorShape(dims[:axis] + [total] + dims[axis:])]


def _pack_shape(op):
    merged = UNKNOWN
    for t in op.inputs:
        merged = merge_dims(merged, t.shape)
    if merged.ndims is None:
        return [UNKNOWN]
    dims = merged.as_list()
    axis = normalize_axis(op.get_attr("axis"), len(dims) + 1)
    return [TensorShape(dims[:axis] + [len(op.inputs)] + dims[axis:])]


def _unpack_shape(op):
    dims, num = dims_of(op.inputs[0].shape), op.get_attr("num")
    if dims is None:
        return [UNKNOWN] * num
    axis = normalize_axis(op.get_attr("axis"), len(dims))
    if dims[axis] is not None and dims[axis] != num:
        raise ValueError(f"Dimension must be {num} but is {dims[axis]}")
    return [TensorShape(dims[:axis] + dims[axis + 1:])] * num


def _split_shapes(dims, axis, sizes):
    """The shapes of the pieces of a `dims` tensor cut along `axis` into `sizes` (None: unknown)."""
    return [TensorShape(dims[:axis] + [s] + dims[axis + 1:]) for s in sizes]


def _split_shape(op):
    dims, axis, num = dims_of(op.inputs[1].shape), scalar_value(op.inputs[0]), op.get_attr("num_split")
    if dims is None or axis is None:
        return [UNKNOWN if dims is None else unknown_shape(len(dims))] * num
    axis = normalize_axis(axis, len(dims))
    if dims[axis] is not None and dims[axis] % num:
        raise ValueError(f"Dimension size must be evenly divisible by {num} but is {dims[axis]}")
    return _split_shapes(dims, axis, [None if dims[axis] is None else dims[axis] // num] * num)


def _split_v_shape(op):
    dims, sizes, axis = dims_of(op.inputs[0].shape), shape_entries(op.inputs[1]), scalar_value(op.inputs[2])
    num = op.get_attr("num_split")
    if dims is None or axis is None:
        return [UNKNOWN if dims is None else unknown_shape(len(dims))] * num
    axis = normalize_axis(axis, len(dims))
    if sizes is None:
        return _split_shapes(dims, axis, [None] * num)
    sizes = [None if s is None or s < 0 else s for s in sizes]
    total, known, missing = dims[axis], sum(s for s in sizes if s is not None), sizes.count(None)
    if total is not None:
        if missing == 0 and known != total or missing == 1 and known > total:
            raise ValueError(f"can't split axis of size {total} into pieces of size "
                             f"{dims_text(sizes).replace('?', '-1')}")
        if missing == 1:  # the -1 piece takes the rest
            sizes[sizes.index(None)] = total - known
    return _split_shapes(dims, axis, sizes)


define_op("ConcatV2", inputs=["values: N * T", "axis: Tidx"], outputs=["output: T"],
          attrs={"N": REQUIRED, "T": TypeAttr(), "Tidx": INDEX_TYPE}, shape=_concat_shape)
define_op("Pack", inputs=["values: N * T"], outputs=["output: T"],
          attrs={"N": REQUIRED, "T": TypeAttr(), "axis": 0}, shape=_pack_shape)
define_op("Unpack", inputs=["value: T"], outputs=["output: num * T"],
          attrs={"num": REQUIRED, "T": TypeAttr(), "axis": 0}, shape=_unpack_shape)
define_op("Split", inputs=["split_dim: int32", "value: T"], outputs=["output: num_split * T"],
          attrs={"num_split": REQUIRED, "T": TypeAttr()}, shape=_split_shape)
define_op("SplitV", inputs=["value: T", "size_splits: Tlen", "split_dim: int32"],
          outputs=["output: num_split * T"],
          attrs={"num_split": REQUIRED, "T": TypeAttr(), "Tlen": INDEX_TYPE}, shape=_split_v_shape)


def concat(values, axis, name="concat"):
    """TF1 `tf.concat(values, axis)`; a single value passes through an Identity."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    if len(values) == 1:
        with name_scope(name) as scope:
            axis = convert_to_tensor(axis, dtypes.int32, name="concat_dim")
            axis.shape.assert_is_compatible_with(SCALAR)
            return identity(values[0], name=scope)
    return apply_op("ConcatV2", list(values), axis, name=name)


def stack(values, axis=0, name="stack"):
    """TF1 `tf.stack`: packs tensors (or numbers) of one shape along a new `axis`."""
    if axis == 0:  # TF1 converts the list itself: a Const when all are numbers, else auto-packing
        return auto_pack(values, name=name)
    rank = convert_to_tensor(values[0]).shape.ndims
    if rank is not None and not -rank - 1 <= axis <= rank:
        raise ValueError(f"axis = {axis} not in [{-rank - 1}, {rank + 1})")
    return apply_op("Pack", list(values), axis=axis, name=name)


def unstack(value, num=None, axis=0, name="unstack"):
    """TF1 `tf.unstack`: the list of slices of `value` along `axis`; `num` is inferred if None."""
    if num is None:
        value = convert_to_tensor(value)
        dims = dims_of(value.shape)
        if dims is None or not -len(dims) <= axis < len(dims) or dims[axis] is None:
            raise ValueError(f"Cannot infer num from shape {value.shape}")
        num = dims[axis]
    return apply_op("Unpack", value, num=num, axis=axis, name=name)


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """TF1 `tf.split`: an int makes `Split` (equal pieces), a list of sizes (one may be -1) `SplitV`."""
    if isinstance(num_or_size_splits, (int, np.integer)):
        return apply_op("Split", axis, value, num_split=int(num_or_size_splits), name=name)
    sizes = convert_to_tensor(num_or_size_splits)
    if num is None:
        num = sizes.shape[0].value if sizes.shape.ndims == 1 else None
        if num is None:
            raise ValueError(f"Cannot infer num from shape {sizes.shape}")
    return apply_op("SplitV", value, sizes, axis, num_split=num, name=name)


# ======================================================================================
# Fill, zeros/ones(_like)
# ======================================================================================
def _fill_shape(op):
    if op.inputs[1].shape.ndims not in (0, None):
        raise ValueError(f"Shape must be rank 0 but is rank {op.inputs[1].shape.ndims}")
    dims = shape_entries(op.inputs[0])
    if dims is None:
        return [UNKNOWN]
    if any(d is not None and d < 0 for d in dims):
        raise ValueError("Fill dimensions must be >= 0")
    return [TensorShape(dims)]


define_op("Fill", inputs=["dims: index_type", "value: T"], outputs=["output: T"],
          attrs={"T": TypeAttr(), "index_type": INDEX_TYPE}, shape=_fill_shape)
for _op_type in ("ZerosLike", "OnesLike"):
    define_op(_op_type, inputs=["x: T"], outputs=["y: T"], attrs={"T": TypeAttr()}, shape=unchanged,
              differentiable=False)


def fill(dims, value, name=None):
    """TF1 `tf.fill`: a tensor of shape `dims` filled with the scalar `value`."""
    return apply_op("Fill", dims, value, name=name or "Fill")


def _filled(shape, value, dtype, name, default_name):
    """zeros/ones: a Const when `shape` is a small known Python shape (TF1 keeps GraphDefs small
    by switching to Fill from 1000 elements on), else Fill of the shape vector."""
    dtype = dtypes.as_dtype(dtype).base_dtype
    value = {dtypes.bool: bool(value), dtypes.string: b""}.get(dtype, value)
    with name_scope(name, default_name, [shape]) as scope:
        if not isinstance(shape, Tensor):
            if not contains_tensor(shape):
                dims = [int(d) for d in (as_shape(shape).as_list() if isinstance(shape, TensorShape)
                                         else np.reshape(shape, -1))]
                if np.prod(dims, dtype=np.int64) < 1000:
                    return constant(value, dtype, shape=dims, name=scope)
                shape = constant(dims, dtypes.int32, name="shape_as_tensor")
            else:
                shape = auto_pack(list(shape), dtypes.int32)
        if shape.shape.ndims == 0:
            shape = reshape(shape, [-1])
        return fill(shape, constant(value, dtype), name=scope)


def zeros(shape, dtype=dtypes.float32, name=None):
    """TF1 `tf.zeros`."""
    return _filled(shape, 0, dtype, name, "zeros")


def ones(shape, dtype=dtypes.float32, name=None):
    """TF1 `tf.ones`."""
    return _filled(shape, 1, dtype, name, "ones")


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    """TF1 `tf.zeros_like`: ZerosLike, or zeros of the tensor's shape when `dtype` differs."""
    with name_scope(name, "zeros_like", [tensor]) as scope:
        tensor = convert_to_tensor(tensor, name="tensor")
        if dtype is not None and dtypes.as_dtype(dtype) != tensor.dtype.base_dtype:
            return zeros(_shape_of(tensor, optimize), dtype, name=scope)
        return apply_op("ZerosLike", tensor, name=scope)


def ones_like(tensor, dtype=None, name=None, optimize=True):
    """TF1 `tf.ones_like`: ones of the tensor's shape (a Fill, as TF1 builds it)."""
    with name_scope(name, "ones_like", [tensor]) as scope:
        tensor = convert_to_tensor(tensor, name="tensor")
        result = ones(_shape_of(tensor, optimize), dtype or tensor.dtype.base_dtype, name=scope)
        result.set_shape(tensor.shape)
        return result


# ======================================================================================
# Shape, ShapeN, Size, Rank
# ======================================================================================
define_op("Shape", inputs=["input: T"], outputs=["output: out_type"], attrs={"T": TypeAttr(), "out_type": INDEX_TYPE},
          shape=lambda op: [TensorShape([op.inputs[0].shape.ndims])], differentiable=False)
define_op("ShapeN", inputs=["input: N * T"], outputs=["output: N * out_type"],
          attrs={"N": REQUIRED, "T": TypeAttr(), "out_type": INDEX_TYPE},
          shape=lambda op: [TensorShape([t.shape.ndims]) for t in op.inputs], differentiable=False)
define_op("Size", inputs=["input: T"], outputs=["output: out_type"],
          attrs={"T": TypeAttr(), "out_type": INDEX_TYPE}, shape=lambda op: [SCALAR], differentiable=False)
define_op("Rank", inputs=["input: T"], outputs=["output: int32"], attrs={"T": TypeAttr()},
          shape=lambda op: [SCALAR], differentiable=False)


def _shape_of(tensor, optimize=True, name=None, out_type=dtypes.int32):
    """TF1's shape_internal: a Const when the shape is fully known (and `optimize`), else Shape."""
    with name_scope(name, "Shape", [tensor]) as scope:
        tensor = convert_to_tensor(tensor)
        if optimize and tensor.shape.is_fully_defined():
            return constant(tensor.shape.as_list(), out_type, name=scope)
        return apply_op("Shape", tensor, out_type=out_type, name=scope)


def shape(input, name=None, out_type=dtypes.int32):  # noqa: A002
    """TF1 `tf.shape`: the 1-D shape of `input` (a Const when statically known)."""
    return _shape_of(input, True, name, out_type)


def shape_n(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """TF1 `tf.shape_n`: the shapes of a list of tensors, from one ShapeN op."""
    return apply_op("ShapeN", list(input), out_type=out_type, name=name or "ShapeN")


def size(input, name=None, out_type=dtypes.int32):  # noqa: A002
    """TF1 `tf.size`: the number of elements (a Const when statically known)."""
    with name_scope(name, "Size", [input]) as scope:
        input = convert_to_tensor(input)
        if input.shape.is_fully_defined():
            return constant(input.shape.num_elements(), out_type, name=scope)
        return apply_op("Size", input, out_type=out_type, name=scope)


def rank(input, name=None):  # noqa: A002
    """TF1 `tf.rank`: the number of dimensions (a Const when statically known)."""
    with name_scope(name, "Rank", [input]) as scope:
        input = convert_to_tensor(input)
        if input.shape.ndims is not None:
            return constant(input.shape.ndims, dtypes.int32, name=scope)
        return apply_op("Rank", input, name=scope)
