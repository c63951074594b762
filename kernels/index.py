"""Kernels of the n-d index ops and of MatrixBandPart and ReverseSequence (minitf/ops/index_ops.py),
written once against `ctx.xp`. Bad inputs raise TF 1.15's InvalidArgumentError messages.

GatherNd and the scatters flatten the indexed dims: with depth = indices.shape[-1], each index
row becomes one position in shape[:depth] (row-major), and params/the output are viewed as a
matrix [prod(shape[:depth]), prod(shape[depth:])] whose rows are the slices.
"""
import math

import numpy

from minitf.framework import dtypes
from minitf.kernels.math import assign_last, scatter_at
from minitf.ops.array_static import dims_text
from minitf.runtime.kernel_registry import register_kernel, scalar_or_array

_NOT_STRING = dtypes.ALL - {dtypes.string}


def _kernel(op_type, allowed=dtypes.ALL, gpu=None, type_attr="T"):
    """Registers a factory for the CPU (`allowed` dtypes) and the GPU (`gpu`, by default those
    but string)."""
    def decorate(factory):
        register_kernel(op_type, devices=("CPU",), dtypes=allowed, type_attr=type_attr)(factory)
        register_kernel(op_type, devices=("GPU",), dtypes=gpu or allowed - {dtypes.string},
                        type_attr=type_attr)(factory)
        return factory
    return decorate


def _text(shape):
    return dims_text(list(shape))


# ======================================================================================
# Index rows -> positions
# ======================================================================================
def _positions(ctx, indices, shape, target):
    """The row-major position within shape[:depth] of each index row (an int64 vector); TF's
    error naming the first row out of range (`target`: "param shape" or "shape")."""
    xp = ctx.xp
    outer, depth = indices.shape[:-1], indices.shape[-1]
    rows = indices.reshape(math.prod(outer), depth).astype(xp.int64)
    bad = ((rows < 0) | (rows >= xp.asarray(shape[:depth], dtype=xp.int64))).any(axis=1)
    if bool(bad.any()):
        i = int(xp.argmax(bad))
        where = "" if not outer else _text(int(k) for k in numpy.unravel_index(i, outer))
        row = ", ".join(str(v) for v in rows[i].tolist())
        raise ctx.error(f"indices{where} = [{row}] does not index into {target} {_text(shape)}")
    strides = [math.prod(shape[k + 1:depth]) for k in range(depth)]
    return (rows * xp.asarray(strides, dtype=xp.int64)).sum(axis=1)


def _as_slices(array, depth):
    """`array` viewed as one row per position in its first `depth` dims."""
    return array.reshape(math.prod(array.shape[:depth]), math.prod(array.shape[depth:]))


# ======================================================================================
# GatherNd
# ======================================================================================
@_kernel("GatherNd", type_attr="Tparams")
def gather_nd(ctx):
    xp = ctx.xp

    def compute(params, indices):
        params, indices = xp.asarray(params), xp.asarray(indices)
        if params.ndim < 1:
            raise ctx.error("params must be at least a vector")
        if indices.ndim < 1:
            raise ctx.error("indices must be at least a vector")
        depth = indices.shape[-1]
        if depth > params.ndim:
            raise ctx.error(f"index innermost dimension length must be <= params rank; saw: {depth} vs. "
                            f"{params.ndim}")
        if math.prod(indices.shape[:-1]) and not params.size:
            raise ctx.error(f"Requested more than 0 entries, but params is empty.  Params shape: "
                            f"{_text(params.shape)}")
        picked = _as_slices(params, depth)[_positions(ctx, indices, params.shape, "param shape")]
        return scalar_or_array(picked.reshape(indices.shape[:-1] + params.shape[depth:]))
    return compute


# ======================================================================================
# ScatterNd and TensorScatterUpdate/Add/Sub
# ======================================================================================
def _check_scatter(ctx, shape, indices, updates, size):
    """TF 1.15's first checks (the op kernel's) that updates.shape == indices.shape[:-1] +
    shape[indices.shape[-1]:]. `size`: the element count TF tests for emptiness (ScatterNd: its
    shape vector's)."""
    for name, value in (("Indices", indices), ("Updates", updates)):
        if value.ndim < 1:
            raise ctx.error(f"{name} shape must have rank at least one. Found:{_text(value.shape)}")
    if not _valid_emptiness(size, indices, updates):
        raise ctx.error("Indices and updates specified for empty output shape")
    outer, depth = indices.ndim - 1, indices.shape[-1]
    if updates.shape[:outer] != indices.shape[:outer]:
        raise ctx.error(f"Outer dimensions of indices and update must match. Indices shape: "
                        f"{_text(indices.shape)}, updates shape:{_text(updates.shape)}")
    if updates.ndim - outer != len(shape) - depth:
        raise ctx.error(f"Inner dimensions of output shape must match inner dimensions of updates shape. "
                        f"Output: {_text(shape)} updates: {_text(updates.shape)}")
    if updates.shape[outer:] != tuple(shape[depth:]):
        raise ctx.error(f"The inner {len(shape) - depth} dimensions of output.shape={_text(shape)} must match "
                        f"the inner {updates.ndim - outer} dimensions of updates.shape={_text(updates.shape)}")


def _valid_emptiness(size, indices, updates):
    """TF: no indices and no updates, or an output, indices and updates that all have elements."""
    return not (indices.size or updates.size) or bool(size and indices.size and updates.size)


def _check_scatter_functor(ctx, shape, indices, updates):
    """TF 1.15's second checks (its scatter functor's), which read rank-1 indices as a list of
    one-dim indices (depth 1) where the first checks read them as one index row: rank-1 indices
    pass both only when nothing is scattered."""
    if not shape:
        raise ctx.error(f"Output must be at least 1-D, got shape: {_text(shape)}")
    if not _valid_emptiness(math.prod(shape), indices, updates):
        raise ctx.error(f"Indices and updates specified for empty output.  indices shape: {_text(indices.shape)}")
    if updates.shape[0] != indices.shape[0]:
        raise ctx.error(f"The outermost dimension of updates and indices must match. Got indices.shape "
                        f"{_text(indices.shape)}, updates.shape {_text(updates.shape)}")
    depth, outer = (indices.shape[-1], indices.ndim - 1) if indices.ndim > 1 else (1, 1)
    if updates.shape != indices.shape[:outer] + shape[depth:]:
        raise ctx.error(f"Must have updates.shape = indices.shape[:batch_dim] + params_shape[slice_dim:], got "
                        f"updates.shape: {_text(updates.shape)}, indices.shape: {_text(indices.shape)}, "
                        f"params_shape: {_text(shape)}, slice_dim: {depth}, and batch_dim: {outer}")
    if math.prod(shape) and not 1 <= depth <= 7:
        raise ctx.error(f"Only indices.shape[-1] values between 1 and 5 are currently supported.  Requested "
                        f"rank: {depth}")


def _add(xp, rows, positions, values):
    """rows[positions] += values, repeated positions adding up."""
    scatter_at(xp, "add", rows, positions, values)


def _subtract(xp, rows, positions, values):
    _add(xp, rows, positions, -values)  # unsigned values wrap around, as subtraction does


def _scatter_into(ctx, target, indices, updates, combine):
    """Applies `combine` to the slices of `target` (changed in place, and returned) that the index
    rows name, with the matching slices of `updates`."""
    _check_scatter_functor(ctx, target.shape, indices, updates)
    depth = indices.shape[-1]
    positions = _positions(ctx, indices, target.shape, "shape")
    values = updates.reshape(positions.size, math.prod(target.shape[depth:]))
    combine(ctx.xp, _as_slices(target, depth), positions, values)
    return scalar_or_array(target)


@_kernel("ScatterNd", gpu=dtypes.NUMBERS)  # string and bool (TF: CPU only) stay on the host
def scatter_nd(ctx):
    xp = ctx.xp
    # What a new output holds before the updates add up: zeros, or empty strings (which add by
    # concatenation, as TF's string ScatterNd does).
    dtype = ctx.attr("T").as_numpy_dtype
    zero = b"" if dtype == numpy.object_ else 0

    def compute(indices, updates, shape):
        indices, updates, dims = xp.asarray(indices), xp.asarray(updates), numpy.asarray(shape.tolist())
        for dim in dims.reshape(-1).tolist():
            if dim < 0:
                raise ctx.error(f"Dimension {dim} must be >= 0")
        _check_scatter(ctx, dims.reshape(-1).tolist(), indices, updates, dims.size)
        if dims.ndim != 1:
            raise ctx.error("Shape must be a vector")
        return _scatter_into(ctx, xp.full(dims.tolist(), zero, dtype=dtype), indices, updates, _add)
    return compute


def _tensor_scatter(combine):
    """The kernel factory of a TensorScatter op: `combine` applied to a copy of the tensor."""
    def factory(ctx):
        xp = ctx.xp

        def compute(tensor, indices, updates):
            tensor, indices, updates = xp.asarray(tensor), xp.asarray(indices), xp.asarray(updates)
            _check_scatter(ctx, tensor.shape, indices, updates, tensor.size)
            return _scatter_into(ctx, tensor.copy(), indices, updates, combine)
        return compute
    return factory


_kernel("TensorScatterUpdate")(_tensor_scatter(assign_last))  # the last repeated index wins
_kernel("TensorScatterAdd", allowed=dtypes.NUMBERS)(_tensor_scatter(_add))
_kernel("TensorScatterSub", allowed=dtypes.NUMBERS)(_tensor_scatter(_subtract))


# ======================================================================================
# MatrixBandPart and ReverseSequence
# ======================================================================================
@_kernel("MatrixBandPart", allowed=_NOT_STRING)
def matrix_band_part(ctx):
    xp = ctx.xp

    def compute(x, num_lower, num_upper):
        x = xp.asarray(x)
        if x.ndim < 2:
            raise ctx.error(f"input must be at least 2-dim, received shape: {_text(x.shape)}")
        for name, value in (("num_lower", num_lower), ("num_upper", num_upper)):
            if getattr(value, "ndim", 0):
                raise ctx.error(f"{name} must be scalar, got shape {_text(value.shape)}")
        lower, upper = int(num_lower), int(num_upper)
        rows, cols = x.shape[-2:]
        if lower > rows:
            raise ctx.error(f"num_lower must be negative or less or equal to number of rows ({rows}) got: {lower}")
        if upper > cols:
            raise ctx.error(f"num_upper must be negative or less or equal to number of columns ({cols}) got: "
                            f"{upper}")
        above = xp.arange(cols)[None, :] - xp.arange(rows)[:, None]  # j - i: how far above the diagonal
        keep = xp.ones((rows, cols), dtype=bool)
        if lower >= 0:
            keep &= above >= -lower
        if upper >= 0:
            keep &= above <= upper
        return xp.where(keep, x, xp.zeros((), dtype=x.dtype))
    return compute


@_kernel("ReverseSequence")
def reverse_sequence(ctx):
    xp, seq_dim, batch_dim = ctx.xp, ctx.attr("seq_dim"), ctx.attr("batch_dim")

    def check(x, lengths):
        if lengths.ndim != 1:
            raise ctx.error(f"seq_lens input must be 1-dim, not {lengths.ndim}")
        if batch_dim == seq_dim:
            raise ctx.error(f"batch_dim == seq_dim == {seq_dim}")
        for name, dim in (("seq_dim", seq_dim), ("batch_dim", batch_dim)):
            if not 0 <= dim < x.ndim:
                raise ctx.error(f"{name} must be < input.dims()( {dim} vs. {x.ndim})")
        if lengths.size != x.shape[batch_dim]:
            raise ctx.error(f"len(seq_lens) != input.dims({batch_dim}), ({lengths.size} vs. "
                            f"{x.shape[batch_dim]})")
        bad = (lengths < 0) | (lengths > x.shape[seq_dim])
        if bool(bad.any()):
            d = int(xp.argmax(bad))
            raise ctx.error(f"seq_lens({d}) < 0" if int(lengths[d]) < 0 else
                            f"seq_lens({d}) > input.dims({seq_dim})")

    def compute(x, lengths):
        x, lengths = xp.asarray(x), xp.asarray(lengths)
        check(x, lengths)
        # Where each output entry comes from along seq_dim, per batch entry: the first
        # lengths[b] positions mirrored, the rest in place.
        position = xp.arange(x.shape[seq_dim])[None, :]
        length = lengths.astype(xp.int64)[:, None]
        source = xp.where(position < length, length - 1 - position, position)  # [batch, seq]
        if batch_dim > seq_dim:
            source = source.T
        line = [1] * x.ndim
        line[batch_dim], line[seq_dim] = x.shape[batch_dim], x.shape[seq_dim]
        source = xp.broadcast_to(source.reshape(line), x.shape)
        return xp.take_along_axis(x, source, axis=seq_dim)
    return compute
