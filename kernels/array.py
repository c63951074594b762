"""Kernels of the array ops, written once against `ctx.xp`.

Conventions: 0-d results are returned as scalars (`_scalar_or_array`), as the runtime carries them;
int "host memory" inputs (shapes, axes, paddings) are read with `_ints`, and when such an input is
a constant its value is read once in the factory instead of on every run. Ops with several outputs
return a tuple, or the value itself when there is only one output.
"""
import numpy

from minitf.framework import dtypes
from minitf.framework.tensor_util import constant_value
from minitf.ops.array_static import index_shape, reshape_missing_dim, strided_slice_index
from minitf.ops.selection_ops import range_length
from minitf.runtime.codegen import identity
from minitf.runtime.kernel_registry import in_host_memory, Constant, register_kernel, scalar_or_array

_BOTH = ("CPU", "GPU")
_GPU_TYPES = dtypes.ALL - {dtypes.string}  # CuPy has no string arrays: string ops stay on the CPU


def _kernel(op_type, type_attr="T"):
    """Registers a factory for the CPU (every dtype) and the GPU (every dtype but string)."""
    def decorate(factory):
        register_kernel(op_type, devices=("CPU",), type_attr=type_attr)(factory)
        register_kernel(op_type, devices=("GPU",), dtypes=_GPU_TYPES, type_attr=type_attr)(factory)
        return factory
    return decorate



def _ints(value):
    """An int tensor value (NumPy/CuPy array or scalar) as a Python int or list of ints."""
    return value.tolist() if hasattr(value, "tolist") else value


def _static(ctx, index):
    """The Python value of input `index` when it is a constant, else None."""
    value = constant_value(ctx.op.inputs[index])
    return None if value is None else value.tolist()


def _outputs(values):
    return values[0] if len(values) == 1 else tuple(values)


def normalize_axis(ctx, axis, rank):
    if not -rank <= axis < rank:
        raise ctx.error(f"Expected axis in the range [{-rank}, {rank}), but got {axis}")
    return axis % rank


# ======================================================================================
# Placeholders, identity, constants
# ======================================================================================
@register_kernel("Placeholder", devices=_BOTH, type_attr="dtype")
def placeholder(ctx):
    op = ctx.op
    dtype = op.get_attr("dtype")
    shape = op.get_attr("shape")
    shape_text = "<unknown>" if shape.dims is None else \
        "[" + ",".join("?" if d.value is None else str(d.value) for d in shape.dims) + "]"
    message = (f"You must feed a value for placeholder tensor '{op.name}' with dtype "
               f"{_tf_type_name(dtype)} and shape {shape_text}")

    def compute():
        raise ctx.error(message)
    return compute


def _tf_type_name(dtype):
    return {"float32": "float", "float64": "double", "float16": "half"}.get(dtype.name, dtype.name)


register_kernel("PlaceholderWithDefault", devices=_BOTH, type_attr="dtype")(lambda ctx: identity)
register_kernel("Identity", devices=_BOTH)(lambda ctx: identity)


@register_kernel("Const", devices=_BOTH, type_attr="dtype")
def const(ctx):
    # int32 and string constants stay in host memory even for a GPU Const (as in TF1).
    xp = numpy if in_host_memory(ctx.op.outputs[0]) else ctx.xp
    value = xp.asarray(ctx.attr("value"))
    # 0-d values travel as NumPy scalars: scalar arithmetic is several times faster on them.
    return Constant(scalar_or_array(value))


# ======================================================================================
# Reshape, transpose, squeeze, expand_dims
# ======================================================================================
def _reshape_target(ctx, input_shape, dims):
    """`dims` with its -1 resolved for an input of `input_shape`; the errors of TF's Reshape kernel."""
    count = int(numpy.prod(input_shape, dtype=numpy.int64))
    unknown = [i for i, d in enumerate(dims) if d == -1]
    if len(unknown) > 1:
        raise ctx.error(f"Only one input size may be -1, not both {unknown[0]} and {unknown[1]}")
    known = int(numpy.prod([d for d in dims if d != -1], dtype=numpy.int64))
    if any(d < -1 for d in dims):
        raise ctx.error(f"Size {next(i for i, d in enumerate(dims) if d < -1)} must be non-negative, "
                        f"not {min(dims)}")
    if unknown:
        missing, exact = reshape_missing_dim(input_shape, dims)
        if not exact:
            product = int(numpy.prod([d for d in dims if d > 0], dtype=numpy.int64))
            raise ctx.error(f"Input to reshape is a tensor with {count} values, but the requested "
                            f"shape requires a multiple of {product}")
        dims = list(dims)
        dims[unknown[0]] = missing
    elif known != count:
        raise ctx.error(f"Input to reshape is a tensor with {count} values, but the requested shape "
                        f"has {known}")
    return tuple(dims)


@_kernel("Reshape")
def reshape(ctx):
    xp, static = ctx.xp, _static(ctx, 1)

    def compute(x, shape):
        dims = static if static is not None else _ints(shape)
        target = _reshape_target(ctx, x.shape, [dims] if isinstance(dims, int) else dims)
        return scalar_or_array(xp.reshape(x, target))
    return compute


@_kernel("Transpose")
def transpose(ctx):
    xp = ctx.xp

    def compute(x, perm):
        given = _ints(perm)
        perm = [p + x.ndim if -x.ndim <= p < 0 else p for p in given]  # TF counts -1 as the last dim
        if sorted(perm) != list(range(x.ndim)):
            raise ctx.error(f"{given} is not a permutation of the {x.ndim} dims of the input")
        return scalar_or_array(xp.transpose(x, perm))
    return compute


@_kernel("Squeeze")
def squeeze(ctx):
    xp, axes = ctx.xp, ctx.attr("squeeze_dims")

    def compute(x):
        if not axes:
            return scalar_or_array(xp.squeeze(x))
        for axis in axes:
            axis = normalize_axis(ctx, axis, x.ndim)
            if x.shape[axis] != 1:
                raise ctx.error(f"Can not squeeze dim[{axis}], expected a dimension of 1, got {x.shape[axis]}")
        return scalar_or_array(xp.squeeze(x, axis=tuple(a % x.ndim for a in axes)))
    return compute


@_kernel("ExpandDims")
def expand_dims(ctx):
    xp = ctx.xp

    def compute(x, dim):
        dim = _ints(dim)
        dim = dim[0] if isinstance(dim, list) else dim
        return xp.expand_dims(xp.asarray(x), normalize_axis(ctx, dim, x.ndim + 1))
    return compute


# ======================================================================================
# Concat, stack/unstack, split
# ======================================================================================
@_kernel("ConcatV2")
def concat(ctx):
    xp = ctx.xp

    def compute(*args):
        values, axis = args[:-1], int(args[-1])
        ranks = {v.ndim for v in values}
        if len(ranks) > 1:
            raise ctx.error(f"ConcatOp : Ranks of all input tensors should match: {sorted(ranks)}")
        rank = ranks.pop()
        if rank == 0:
            raise ctx.error("ConcatOp : Can't concatenate scalars (use tf.stack instead)")
        return xp.concatenate(values, axis=normalize_axis(ctx, axis, rank))
    return compute


@_kernel("Pack")
def pack(ctx):
    xp, axis = ctx.xp, ctx.attr("axis")

    def compute(*values):
        if len({v.shape for v in values}) > 1:
            raise ctx.error(f"Shapes of all inputs must match: {[list(v.shape) for v in values]}")
        return xp.stack([xp.asarray(v) for v in values], axis=normalize_axis(ctx, axis, values[0].ndim + 1))
    return compute


@_kernel("Unpack")
def unpack(ctx):
    num, axis = ctx.attr("num"), ctx.attr("axis")

    def compute(x):
        at = normalize_axis(ctx, axis, x.ndim)
        if x.shape[at] != num:
            raise ctx.error(f"Input shape axis {at} must equal {num}, got shape {list(x.shape)}")
        lead = (slice(None),) * at
        return _outputs([scalar_or_array(x[lead + (i,)]) for i in range(num)])
    return compute


def _pieces(xp, x, axis, sizes):
    """`x` cut along `axis` into pieces of `sizes`."""
    bounds = numpy.cumsum(sizes)[:-1].tolist()
    return _outputs(xp.split(x, bounds, axis=axis))


@_kernel("Split")
def split(ctx):
    xp, num = ctx.xp, ctx.attr("num_split")

    def compute(split_dim, x):
        axis = normalize_axis(ctx, int(split_dim), x.ndim)
        if x.shape[axis] % num:
            raise ctx.error(f"Number of ways to split should evenly divide the split dimension, but got "
                            f"split_dim {axis} (size = {x.shape[axis]}) and num_split {num}")
        return _pieces(xp, x, axis, [x.shape[axis] // num] * num)
    return compute


@_kernel("SplitV")
def split_v(ctx):
    xp = ctx.xp

    def compute(x, size_splits, split_dim):
        axis, sizes = normalize_axis(ctx, int(split_dim), x.ndim), list(_ints(size_splits))
        total, known = x.shape[axis], sum(s for s in sizes if s != -1)
        if sizes.count(-1) > 1 or sizes.count(-1) == 1 and known > total or \
                -1 not in sizes and known != total:
            raise ctx.error(f"Determined shape must either match input shape along split_dim exactly if "
                            f"fully specified, or be less than the size of the input along split_dim if "
                            f"not fully specified.  Got: {known}")
        if -1 in sizes:
            sizes[sizes.index(-1)] = total - known
        return _pieces(xp, x, axis, sizes)
    return compute


# ======================================================================================
# Slice, StridedSlice
# ======================================================================================
@_kernel("Slice")
def slice_(ctx):
    def compute(x, begin, size):
        index = []
        for i, (dim, b, s) in enumerate(zip(x.shape, _ints(begin), _ints(size))):
            s = dim - b if s == -1 else s
            if not 0 <= b <= dim or not 0 <= s <= dim - b:
                raise ctx.error(f"Expected size[{i}] in [0, {dim - b}], and begin[{i}] in [0, {dim}], "
                                f"but got size {s} and begin {b}")
            index.append(slice(b, b + s))
        return scalar_or_array(x[tuple(index)])
    return compute


STRIDED_SLICE_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


@_kernel("StridedSlice")
def strided_slice(ctx):
    masks = [ctx.attr(m) for m in STRIDED_SLICE_MASKS]

    def index_of(begin, end, strides):
        try:
            return strided_slice_index(begin, end, strides, *masks)
        except ValueError as e:
            raise ctx.error(str(e)) from None

    spec = [_static(ctx, i) for i in (1, 2, 3)]
    # Indexing with constant bounds (every `tensor[...]` with Python bounds) is parsed only once.
    fixed = index_of(*spec) if all(s is not None for s in spec) else None

    def compute(x, begin, end, strides):
        index = fixed if fixed is not None else index_of(_ints(begin), _ints(end), _ints(strides))
        try:
            return scalar_or_array(x[index])
        except IndexError:
            try:  # TF's message for the bad index
                index_shape(list(x.shape), index)
            except ValueError as e:
                raise ctx.error(str(e)) from None
            raise
    return compute


# ======================================================================================
# Gather, one_hot, tile, pad, reverse
# ======================================================================================
@_kernel("GatherV2", type_attr="Tparams")
def gather(ctx):
    xp = ctx.xp

    def compute(params, indices, axis):
        axis = normalize_axis(ctx, int(axis), params.ndim)
        indices = check_indices(ctx, xp.asarray(indices), params.shape[axis])
        return scalar_or_array(xp.take(params, indices, axis=axis))
    return compute


def check_indices(ctx, indices, limit):
    """`indices`, once each is in [0, limit): NumPy would wrap a negative index around or raise
    IndexError, where TF names the first bad one (in C order) in an InvalidArgumentError."""
    bad = (indices < 0) | (indices >= limit)
    if bad.any():
        position = tuple(int(i) for i in ctx.xp.argwhere(bad)[0])
        where = f"[{','.join(map(str, position))}]" if position else ""  # TF: "indices = 7" for a scalar
        raise ctx.error(f"indices{where} = {int(indices[position])} is not in [0, {limit})")
    return indices


@_kernel("OneHot")
def one_hot(ctx):
    xp, axis, dtype = ctx.xp, ctx.attr("axis"), ctx.attr("T").as_numpy_dtype

    def compute(indices, depth, on_value, off_value):
        depth, indices = int(depth), xp.asarray(indices)
        if depth < 0:
            raise ctx.error(f"depth must be non-negative, got: {depth}")
        at = indices.ndim if axis == -1 else axis
        line = [1] * (indices.ndim + 1)
        line[at] = depth
        hot = xp.expand_dims(indices, at) == xp.arange(depth).reshape(line)
        return xp.where(hot, on_value, off_value).astype(dtype)
    return compute


@_kernel("Tile")
def tile(ctx):
    xp = ctx.xp

    def compute(x, multiples):
        multiples = _ints(multiples)
        if len(multiples) != x.ndim or min(multiples, default=0) < 0:
            raise ctx.error(f"Expected {x.ndim} non-negative multiples, got {multiples}")
        return scalar_or_array(xp.tile(x, multiples))
    return compute


def _paddings(ctx, x, paddings):
    paddings = [tuple(p) for p in _ints(paddings)]
    if len(paddings) != x.ndim:
        raise ctx.error(f"The first dimension of paddings must be the rank of inputs{[len(paddings), 2]}, "
                        f"{list(x.shape)}")
    if any(a < 0 or b < 0 for a, b in paddings):
        raise ctx.error(f"Paddings must be non-negative: {paddings}")
    return paddings


@_kernel("Pad")
def pad(ctx):
    xp = ctx.xp

    def compute(x, paddings):
        paddings = _paddings(ctx, x, paddings)
        return xp.pad(x, paddings) if x.ndim else x
    return compute


@_kernel("PadV2")
def pad_v2(ctx):
    xp = ctx.xp

    def compute(x, paddings, constant_values):
        paddings = _paddings(ctx, x, paddings)
        if hasattr(constant_values, "item"):  # a Python scalar: CuPy's pad reads it on the host
            constant_values = constant_values.item()
        return xp.pad(x, paddings, constant_values=constant_values) if x.ndim else x
    return compute


@_kernel("MirrorPad")
def mirror_pad(ctx):
    xp, mode = ctx.xp, ctx.attr("mode")
    mode = (mode.decode() if isinstance(mode, bytes) else mode).lower()
    # REFLECT leaves the edge out, so it can add at most dim - 1 values on a side; SYMMETRIC dim.
    offset = 1 if mode == "reflect" else 0

    def compute(x, paddings):
        paddings = _paddings(ctx, x, paddings)
        for dim, (a, b) in zip(x.shape, paddings):
            if max(a, b) > dim - offset:
                raise ctx.error(f"paddings must be no greater than the dimension size: {a}, {b} greater "
                                f"than {dim - offset}")
        return xp.pad(x, paddings, mode=mode) if x.ndim else x
    return compute


@_kernel("ReverseV2")
def reverse(ctx):
    xp = ctx.xp

    def compute(x, axis):
        axes = [normalize_axis(ctx, a, x.ndim) for a in _ints(axis)]
        if len(set(axes)) != len(axes):
            raise ctx.error(f"axis {axes} specified more than once.")
        return xp.flip(x, axis=tuple(axes)) if axes else x
    return compute


# ======================================================================================
# Fill, zeros/ones like
# ======================================================================================
@_kernel("Fill")
def fill(ctx):
    xp, dtype = ctx.xp, ctx.attr("T").as_numpy_dtype

    def compute(dims, value):
        dims = _ints(dims)
        if min(dims, default=0) < 0:
            raise ctx.error(f"Dimension {min(dims)} must be >= 0")
        return scalar_or_array(xp.full(tuple(dims), value, dtype=dtype))
    return compute


_kernel("ZerosLike")(lambda ctx: lambda x: scalar_or_array(ctx.xp.zeros_like(x)))
_kernel("OnesLike")(lambda ctx: lambda x: scalar_or_array(ctx.xp.ones_like(x)))


# ======================================================================================
# Shape, ShapeN, Size, Rank: computed from the input's shape, returned in host memory (NumPy)
# ======================================================================================
@_kernel("Shape")
def shape(ctx):
    dtype = ctx.attr("out_type").as_numpy_dtype
    return lambda x: numpy.array(numpy.shape(x), dtype=dtype)


@_kernel("ShapeN")
def shape_n(ctx):
    dtype = ctx.attr("out_type").as_numpy_dtype
    return lambda *xs: _outputs([numpy.array(numpy.shape(x), dtype=dtype) for x in xs])


@_kernel("Size")
def size(ctx):
    dtype = ctx.attr("out_type").as_numpy_dtype
    return lambda x: dtype(numpy.size(x))


_kernel("Rank")(lambda ctx: lambda x: numpy.int32(numpy.ndim(x)))


# ======================================================================================
# Range, Where, Select
# ======================================================================================
@_kernel("Range", type_attr="Tidx")
def range_(ctx):
    xp, dtype = ctx.xp, ctx.attr("Tidx").as_numpy_dtype

    def compute(start, limit, delta):
        start, limit, delta = (dtype(v.item()) for v in (start, limit, delta))  # NumPy scalars
        try:
            count = range_length(start, limit, delta)
        except ValueError as e:
            raise ctx.error(str(e)) from None
        # start + i * delta in the op's dtype: the length agrees with the shape function's
        return xp.arange(count, dtype=dtype) * dtype(delta) + dtype(start)
    return compute


@_kernel("Where")
def where(ctx):
    xp = ctx.xp
    return lambda x: xp.argwhere(xp.asarray(x)).astype(numpy.int64, copy=False)


@_kernel("Select")
def select(ctx):
    xp = ctx.xp

    def compute(condition, t, e):
        if t.shape != e.shape:
            raise ctx.error(f"'then' and 'else' must have the same size.  but received: "
                            f"{list(t.shape)} vs. {list(e.shape)}")
        condition = xp.asarray(condition)
        if condition.ndim == 1 and t.ndim > 1:  # one choice per row
            if condition.shape[0] != t.shape[0]:
                raise ctx.error(f"Number of batches of 'then' must match size of 'cond', but saw: "
                                f"{t.shape[0]} vs. {condition.shape[0]}")
            condition = condition.reshape((-1,) + (1,) * (t.ndim - 1))
        elif condition.ndim and condition.shape != t.shape:
            raise ctx.error(f"'then' and 'cond' must have the same size.  but received: "
                            f"{list(t.shape)} vs. {list(condition.shape)}")
        return scalar_or_array(xp.where(condition, t, e))
    return compute
