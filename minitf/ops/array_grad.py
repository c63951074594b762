"""Gradients of the array and selection ops (TF1's array_grad.py, plus Select from its math_grad.py),
registered by op type. Each builds graph ops and returns one gradient (or None) per input; index,
shape and axis inputs get None, as in TF1.

Where TF1 has a dedicated backward op, these are built from forward ops instead:
  * GatherV2 along an axis other than 0: a dense gradient (TF1 builds the same sums through
    transposes), summed per row by `_unsorted_segment_sum`. Along axis 0 it is TF1's IndexedSlices.
  * StridedSlice (TF1: StridedSliceGrad): the gradient is widened one dimension at a time by a
    gather from the gradient padded with one zero slot (see `_strided_slice_grad`).
  * MirrorPad (TF1: MirrorPadGrad): the mirrored borders are reversed and added back onto x.
Static shapes and constant index inputs are used when known, so common cases build only Consts.
"""
import numpy as np

from minitf.framework import dtypes
from minitf.framework import default_graph
from minitf.framework.indexed_slices import IndexedSlices
from minitf.framework.op_def import register_gradient
from minitf.framework.tensor_util import constant_value
from minitf.ops import array_ops, math_ops, segment_ops, selection_ops
from minitf.ops.array_static import STRIDED_SLICE_MASKS, normalize_axis, strided_slice_index


# ======================================================================================
# Helpers
# ======================================================================================
def _static_axis(axis, rank):
    """The non-negative value of an axis tensor when it is known at construction, else None."""
    value = constant_value(axis)
    if value is None or rank is None and int(value) < 0:
        return None
    return normalize_axis(int(value), rank) if rank is not None else int(value)


def _dim(tensor, d):
    """Dim `d` (an int or an int32 scalar tensor) of `tensor`: an int when static, else an int32
    scalar tensor."""
    if isinstance(d, int) and tensor.shape.ndims is not None and tensor.shape[d].value is not None:
        return tensor.shape[d].value
    return array_ops.shape(tensor)[d]


def _is_zero(value):
    """Whether a padding amount is a static 0 (it may be a tensor)."""
    return isinstance(value, int) and value == 0


def _unsorted_segment_sum(data, segment_ids, num_segments):
    """Rows of `data` summed into `num_segments` rows by `segment_ids` (TF1 UnsortedSegmentSum)."""
    return segment_ops.unsorted_segment_sum(data, segment_ids, num_segments)


@register_gradient("UnsortedSegmentSum")
def _unsorted_segment_sum_grad(op, grad):
    """Each data row receives its segment's gradient (a gather; TF1 clips negative ids to zero rows)."""
    ids = op.inputs[1]
    safe = selection_ops.where(ids >= 0, ids, array_ops.zeros_like(ids))
    gathered = selection_ops.gather(grad, safe)
    mask = math_ops.cast(ids >= 0, grad.dtype.base_dtype)
    # The mask covers the id dims; the row dims (however many, known or not) broadcast.
    row_dims = array_ops.rank(gathered) - array_ops.rank(ids)
    ones = array_ops.fill(array_ops.expand_dims(row_dims, 0), 1)
    mask = array_ops.reshape(mask, array_ops.concat([array_ops.shape(ids), ones], 0))
    return [gathered * mask, None, None]


# ======================================================================================
# Identity, reshape-like ops, transpose
# ======================================================================================
@register_gradient("Identity")
@register_gradient("PlaceholderWithDefault")
def _identity_grad(op, grad):
    return [grad]


@register_gradient("Reshape")
@register_gradient("ExpandDims")
@register_gradient("Squeeze")
def _reshape_grad(op, grad):
    """The gradient reshaped back to the input's shape; the shape/axis input gets None."""
    x = op.inputs[0]
    return [array_ops.reshape(grad, array_ops.shape(x))] + [None] * (len(op.inputs) - 1)


@register_gradient("Transpose")
def _transpose_grad(op, grad):
    perm = op.inputs[1]
    value = constant_value(perm)
    if value is not None:
        inverse = np.argsort(np.mod(value, max(value.size, 1))).astype(np.int32)
    else:  # inverse[j] = the i with perm[i] == j
        perm = math_ops.cast(perm, dtypes.int32)
        hits = math_ops.equal(array_ops.expand_dims(perm, 0),
                              array_ops.expand_dims(selection_ops.range(array_ops.size(perm)), 1))
        inverse = math_ops.argmax(hits, 1, output_type=dtypes.int32)
    return [array_ops.transpose(grad, inverse), None]


# ======================================================================================
# Concat, stack/unstack, split
# ======================================================================================
@register_gradient("ConcatV2")
def _concat_grad(op, grad):
    """The gradient split back into pieces of the inputs' sizes along the axis."""
    values, axis = op.inputs[:-1], op.inputs[-1]
    rank = next((v.shape.ndims for v in values if v.shape.ndims is not None), None)
    static = _static_axis(axis, rank)
    if isinstance(grad, IndexedSlices):
        return _concat_sparse_grad(values, static, grad) + [None]
    at = static if static is not None else math_ops.cast(axis, dtypes.int32)
    return array_ops.split(grad, [_dim(v, at) for v in values], at) + [None]


def _concat_sparse_grad(values, axis, grad):
    """TF1's sparse concat gradient: along axis 0, each input gets the slices whose rows fall in
    its range (renumbered from 0); along another axis, every slice, cut to the input's columns."""
    if axis is None:
        raise ValueError("Can only compute IndexedSlices gradient with statically-known concat_dim")
    shapes = [array_ops.shape(v) for v in values]
    if axis > 0:
        pieces = array_ops.split(grad.values, [_dim(v, axis) for v in values], axis)
        return [IndexedSlices(piece, grad.indices, shape) for piece, shape in zip(pieces, shapes)]
    grads, start = [], 0
    for value, shape in zip(values, shapes):
        end = start + math_ops.cast(_dim(value, 0), grad.indices.dtype)
        inside = math_ops.logical_and(grad.indices >= start, grad.indices < end)
        picked = array_ops.reshape(selection_ops.where(inside), [-1])
        grads.append(IndexedSlices(selection_ops.gather(grad.values, picked),
                                   selection_ops.gather(grad.indices, picked) - start, shape))
        start = end
    return grads


@register_gradient("Pack")
def _pack_grad(op, grad):
    return array_ops.unstack(grad, num=op.get_attr("N"), axis=op.get_attr("axis"))


@register_gradient("Unpack")
def _unpack_grad(op, *grads):
    return [array_ops.stack(list(grads), axis=op.get_attr("axis"))]


@register_gradient("Split")
def _split_grad(op, *grads):
    return [None, array_ops.concat(list(grads), op.inputs[0])]


@register_gradient("SplitV")
def _split_v_grad(op, *grads):
    return [array_ops.concat(list(grads), op.inputs[2]), None, None]


# ======================================================================================
# Slice and StridedSlice
# ======================================================================================
@register_gradient("Slice")
def _slice_grad(op, grad):
    """The gradient padded with zeros back to the input's shape: `begin` before, the rest after."""
    x, begin, y = op.inputs[0], op.inputs[1], op.outputs[0]
    begin_value = constant_value(begin)
    if begin_value is not None and x.shape.is_fully_defined() and y.shape.is_fully_defined():
        before = np.asarray(begin_value, np.int64)
        after = np.array(x.shape.as_list()) - before - np.array(y.shape.as_list())
        paddings = np.stack([before, after], axis=1).astype(begin.dtype.base_dtype.as_numpy_dtype)
    else:
        index_type = begin.dtype.base_dtype
        after = array_ops.shape(x, out_type=index_type) - begin - array_ops.shape(y, out_type=index_type)
        paddings = array_ops.stack([begin, after], axis=1)
    return [selection_ops.pad(grad, paddings), None, None]


def _slice_layout(op, rank):
    """How StridedSlice's spec maps x's dims to the output's: (the spec entry slicing each x dim, or
    None for a dim kept whole; the output positions of new axes; the x dims that were shrunk).
    None when the spec's length is unknown at construction."""
    length = op.inputs[1].shape.num_elements() if op.inputs[1].shape.ndims == 1 else None
    if length is None:
        return None
    ellipsis, new_axis, shrink = (op.get_attr(m) for m in ("ellipsis_mask", "new_axis_mask", "shrink_axis_mask"))
    # An ellipsis takes precedence over a new axis, which takes precedence over a shrink.
    consuming = sum(1 for i in range(length) if not (ellipsis | new_axis) & (1 << i))
    entries, new_axes, shrunk, position = [], [], [], 0
    for i in range(length):
        bit = 1 << i
        if ellipsis & bit:
            whole = rank - consuming
            entries += [None] * whole
            position += whole
        elif new_axis & bit:
            new_axes.append(position)
            position += 1
        else:
            if shrink & bit:
                shrunk.append(len(entries))
            else:
                position += 1
            entries.append(i)
    entries += [None] * (rank - len(entries))  # dims after the spec are kept whole
    return entries, new_axes, shrunk


def _mask_bits(op, i):
    """The begin/end/shrink mask bits of spec entry i, moved to bit 0 (for a 1-entry slice)."""
    return {m: (op.get_attr(m) >> i) & 1 for m in ("begin_mask", "end_mask", "shrink_axis_mask")}


def _source_positions(op, d, i):
    """For each index c of x's dim d (sliced by spec entry i): the position along that dim of the
    output element taken from c, or the count of taken elements (a zero slot) where c was not
    taken. None when the entry takes the whole dim in order."""
    x, begin, end, strides = op.inputs
    bits = _mask_bits(op, i)
    spec = [constant_value(t) for t in (begin, end, strides)]
    size = x.shape[d].value
    if size is not None and all(v is not None for v in spec):
        index = strided_slice_index(*([int(v[i])] for v in spec), bits["begin_mask"], bits["end_mask"],
                                    0, 0, bits["shrink_axis_mask"])
        try:
            taken = np.atleast_1d(np.arange(size)[index])
        except IndexError:  # an out-of-range shrink index: the forward op reports it at run time
            taken = None
        if taken is not None:
            if len(taken) == size and np.array_equal(taken, np.arange(size)):
                return None
            positions = np.full(size, len(taken), np.int32)
            positions[taken] = np.arange(len(taken))
            return positions
    whole = bits["begin_mask"] and bits["end_mask"] and not bits["shrink_axis_mask"]
    if whole and spec[2] is not None and int(spec[2][i]) == 1:
        return None
    # At run time: the taken indices are the same 1-D slice of range(size), an arithmetic
    # progression first, first + stride, ...; c is taken iff (c - first) is a multiple k*stride, k < n.
    indices = selection_ops.range(_dim(x, d))
    taken = selection_ops.strided_slice(indices, begin[i:i + 1], end[i:i + 1], strides[i:i + 1], **bits)
    if bits["shrink_axis_mask"]:
        taken, stride = array_ops.reshape(taken, [1]), 1
    else:
        stride = math_ops.cast(strides[i], dtypes.int32)
    count = array_ops.size(taken)
    offset = indices - math_ops.reduce_sum(taken[:1])
    k = math_ops.floordiv(offset, stride)
    hit = math_ops.logical_and(math_ops.equal(math_ops.floormod(offset, stride), 0),
                               math_ops.logical_and(math_ops.greater_equal(k, 0), math_ops.less(k, count)))
    return selection_ops.where(hit, k, array_ops.zeros_like(k) + count)


@register_gradient("StridedSlice")
def _strided_slice_grad(op, grad):
    """TF1's StridedSliceGrad from forward ops. The gradient is brought to x's rank (new axes
    squeezed out, shrunk dims put back), then widened dim by dim: along a sliced dim it gathers,
    for each index of x, its element of the gradient or a zero slot padded on at the end."""
    x = op.inputs[0]
    layout = _slice_layout(op, x.shape.ndims) if x.shape.ndims is not None else None
    if layout is None:
        return [_flat_strided_slice_grad(op, grad), None, None, None]
    entries, new_axes, shrunk = layout
    if new_axes:
        grad = array_ops.squeeze(grad, new_axes)
    for d in shrunk:
        grad = array_ops.expand_dims(grad, d)
    for d, i in enumerate(entries):
        positions = None if i is None else _source_positions(op, d, i)
        if positions is not None:
            slot = np.zeros([len(entries), 2], np.int32)
            slot[d, 1] = 1
            grad = selection_ops.gather(selection_ops.pad(grad, slot), positions, axis=d)
    return [grad, None, None, None]


def _flat_strided_slice_grad(op, grad):
    """For an input of unknown rank: the same slice of x's flat indices says where each gradient
    element goes."""
    x = op.inputs[0]
    count, x_shape = array_ops.size(x), array_ops.shape(x)
    indices = array_ops.reshape(selection_ops.range(count), x_shape)
    masks = {m: op.get_attr(m) for m in STRIDED_SLICE_MASKS}
    taken = selection_ops.strided_slice(indices, *op.inputs[1:], **masks)
    summed = _unsorted_segment_sum(array_ops.reshape(grad, [-1, 1]), array_ops.reshape(taken, [-1]), count)
    return array_ops.reshape(summed, x_shape)


# ======================================================================================
# Gather
# ======================================================================================
@register_gradient("GatherV2")
def _gather_grad(op, grad):
    """Along axis 0 (embedding lookups), TF1's sparse gradient: an IndexedSlices of the gradient
    rows and the indices they came from. Along another axis, dense: the gradient rows summed into
    the rows of params, params viewed as [outer, rows, inner] and the gradient as [outer, n, inner]."""
    params, indices, axis = op.inputs
    at = _static_axis(axis, params.shape.ndims)
    written = constant_value(axis)
    if written is not None and int(written) == 0:  # TF1 tests the axis as written: -rank is dense
        return [_gather_rows_grad(params, indices, grad), None, None]
    if at is not None and params.shape.is_fully_defined():
        dims = params.shape.as_list()
        outer, rows, inner = int(np.prod(dims[:at])), dims[at], int(np.prod(dims[at + 1:]))
        params_shape = dims
    else:
        params_shape = array_ops.shape(params)
        if at is None:
            at = math_ops.floormod(math_ops.cast(axis, dtypes.int32), array_ops.rank(params))
        outer, rows = math_ops.reduce_prod(params_shape[:at]), params_shape[at]
        inner = math_ops.reduce_prod(params_shape[at + 1:])
    ids = array_ops.reshape(indices, [-1])
    count = indices.shape.num_elements()  # no -1 in the shapes below: a dim may be 0
    count = count if count is not None else array_ops.size(ids)
    if isinstance(at, int) and at == 0:  # outer is 1: the gradient is already [n, inner]
        summed = _unsorted_segment_sum(array_ops.reshape(grad, array_ops.stack([count, inner])), ids, rows)
    else:
        grad = array_ops.reshape(grad, array_ops.stack([outer, count, inner]))
        grad = array_ops.reshape(array_ops.transpose(grad, [1, 0, 2]), array_ops.stack([count, outer * inner]))
        summed = array_ops.reshape(_unsorted_segment_sum(grad, ids, rows), array_ops.stack([rows, outer, inner]))
        summed = array_ops.transpose(summed, [1, 0, 2])
    return [array_ops.reshape(summed, params_shape), None, None]


def _gather_rows_grad(params, indices, grad):
    """IndexedSlices(values: the gradient as [n, *params.shape[1:]], indices: flat, dense_shape:
    params' shape), with static shapes where they are known."""
    with default_graph.colocate_with(params.op):
        params_shape = array_ops.shape(params)
    count = indices.shape.num_elements()
    tail = params.shape[1:] if params.shape.ndims is not None else None
    if count is not None and tail is not None and tail.is_fully_defined():
        values_shape = [count, *tail.as_list()]
    else:
        size = array_ops.expand_dims(array_ops.size(indices), 0)
        values_shape = array_ops.concat([size, params_shape[1:]], 0)
    return IndexedSlices(array_ops.reshape(grad, values_shape), array_ops.reshape(indices, [-1]), params_shape)


# ======================================================================================
# DynamicPartition and DynamicStitch (TF1's: each is the other's gradient, through gathers)
# ======================================================================================
@register_gradient("DynamicPartition")
def _dynamic_partition_grad(op, *grads):
    """The partitions' gradients stitched back to where their slices came from."""
    data, partitions = op.inputs
    prefix = array_ops.shape(partitions)
    positions = array_ops.reshape(selection_ops.range(math_ops.reduce_prod(prefix)), prefix)
    routes = segment_ops.dynamic_partition(positions, partitions, op.get_attr("num_partitions"))
    stitched = segment_ops.parallel_dynamic_stitch(routes, list(grads))
    return [array_ops.reshape(stitched, array_ops.shape(data)), None]


@register_gradient("DynamicStitch")
@register_gradient("ParallelDynamicStitch")
def _dynamic_stitch_grad(op, grad):
    """Each piece's gradient gathered from the merged gradient at its indices (as TF1, a piece
    that a later one overwrote gets the gradient too)."""
    count = len(op.inputs) // 2
    return [None] * count + [selection_ops.gather(grad, index) for index in op.inputs[:count]]


# ======================================================================================
# Tile, pad, reverse
# ======================================================================================
@register_gradient("Tile")
def _tile_grad(op, grad):
    """The gradient viewed as [m0, d0, m1, d1, ...] and summed over the copies (the m axes)."""
    x, multiples = op.inputs
    value = constant_value(multiples)
    if value is not None and x.shape.is_fully_defined():
        split_shape = np.stack([value, x.shape.as_list()], axis=1).reshape(-1)
    else:
        index_type = multiples.dtype.base_dtype
        split_shape = array_ops.reshape(
            array_ops.stack([multiples, array_ops.shape(x, out_type=index_type)], axis=1), [-1])
    rank = x.shape.ndims
    axes = (list(range(0, 2 * rank, 2)) if rank is not None
            else selection_ops.range(0, array_ops.size(split_shape), 2))
    result = math_ops.reduce_sum(array_ops.reshape(grad, split_shape), axes)
    result.set_shape(x.shape)
    return [result, None]


@register_gradient("Pad")
@register_gradient("PadV2")
def _pad_grad(op, grad):
    """The slice of the gradient where x sits; paddings and constant_values get None (TF1)."""
    x, paddings = op.inputs[:2]
    value = constant_value(paddings)
    begin = value[:, 0] if value is not None else paddings[:, 0]
    size = array_ops.shape(x, out_type=paddings.dtype.base_dtype)
    return [selection_ops.slice(grad, begin, size)] + [None] * (len(op.inputs) - 1)


@register_gradient("MirrorPad")
def _mirror_pad_grad(op, grad):
    """TF1's MirrorPadGrad from forward ops: dim by dim, the middle of the gradient plus its two
    borders reversed and added onto the x indices they mirror (REFLECT skips the edge element)."""
    x, paddings = op.inputs
    edge = 1 if op.get_attr("mode") == "REFLECT" else 0
    value = constant_value(paddings)
    rank = x.shape.ndims if x.shape.ndims is not None else paddings.shape.with_rank(2)[0].value
    if rank is None:
        raise NotImplementedError(f"The gradient of {op.name} (MirrorPad) needs the rank of its input")
    for d in range(rank):
        before, after = ((int(value[d, 0]), int(value[d, 1])) if value is not None else
                         (math_ops.cast(paddings[d, 0], dtypes.int32), math_ops.cast(paddings[d, 1], dtypes.int32)))
        if _is_zero(before) and _is_zero(after):
            continue
        size = _dim(x, d)
        parts = [_slice_dim(grad, d, rank, before, size)]
        if not _is_zero(before):
            head = selection_ops.reverse(_slice_dim(grad, d, rank, 0, before), [d])
            parts.append(_pad_dim(head, d, rank, edge, size - edge - before))
        if not _is_zero(after):
            tail = selection_ops.reverse(_slice_dim(grad, d, rank, before + size, after), [d])
            parts.append(_pad_dim(tail, d, rank, size - edge - after, edge))
        grad = math_ops.add_n(parts)
    return [grad, None]


def _slice_dim(tensor, d, rank, start, length):
    """`length` elements of dim d from `start` (ints or int32 scalars), other dims whole."""
    begin = [0] * rank
    size = [-1] * rank
    begin[d], size[d] = start, length
    return selection_ops.slice(tensor, begin, size)


def _pad_dim(tensor, d, rank, before, after):
    paddings = [[0, 0] for _ in range(rank)]
    paddings[d] = [before, after]
    return selection_ops.pad(tensor, paddings)


@register_gradient("ReverseV2")
def _reverse_grad(op, grad):
    return [selection_ops.reverse(grad, op.inputs[1]), None]


# ======================================================================================
# Select, fill
# ======================================================================================
@register_gradient("Select")
def _select_grad(op, grad):
    """Each branch gets the gradient where it was selected and zeros elsewhere."""
    condition = op.inputs[0]
    zeros = array_ops.zeros_like(grad)
    return [None, selection_ops.where(condition, grad, zeros), selection_ops.where(condition, zeros, grad)]


@register_gradient("Fill")
def _fill_grad(op, grad):
    return [None, math_ops.reduce_sum(grad)]
