"""Gradients of the scan ops (Cumsum, Cumprod) and the segment reductions (Segment*, and the
UnsortedSegment Max/Min/Prod; UnsortedSegmentSum's is in array_grad.py), TF1's formulas.

The sorted and unsorted reductions share their gradients through `_Segments`, which says how to
sum or multiply data-shaped values per segment and how to hand each data slice its segment's
value; for unsorted ids, slices with a negative id (dropped by the op) get 0.
SegmentProd has no gradient in TF 1.15; it gets the one TF 2 gave it, the formula of
UnsortedSegmentProd's.
"""
from minitf.framework import dtypes
from minitf.framework.op_def import register_gradient
from minitf.ops import array_ops, cumulative_ops, math_ops, segment_ops, selection_ops


# ======================================================================================
# Cumsum and Cumprod
# ======================================================================================
@register_gradient("Cumsum")
def _cumsum_grad(op, grad):
    """Each entry feeds the running sums after it (before it, reversed): the reversed scan."""
    return [cumulative_ops.cumsum(grad, op.inputs[1], exclusive=op.get_attr("exclusive"),
                                  reverse=not op.get_attr("reverse")), None]


@register_gradient("Cumprod")
def _cumprod_grad(op, grad):
    """TF1's formula: the reversed cumsum of grad * the running products, divided by x (so it is
    only right where x is nonzero; TF1 leaves it so)."""
    x, axis = op.inputs
    exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
    products = cumulative_ops.cumprod(x, axis, exclusive=exclusive, reverse=reverse)
    summed = cumulative_ops.cumsum(products * grad, axis, exclusive=exclusive, reverse=not reverse)
    return [summed / x, None]


# ======================================================================================
# Segment reductions
# ======================================================================================
def _broadcastable(values, ids, like):
    """`values`, shaped like `ids`, reshaped to ids.shape + [1, ...] to broadcast against `like`
    (whose shape starts with ids.shape): a constant shape when the static shapes settle it."""
    if ids.shape.is_fully_defined() and like.shape.ndims is not None:
        return array_ops.reshape(values, ids.shape.as_list() + [1] * (like.shape.ndims - ids.shape.ndims))
    row_dims = array_ops.rank(like) - array_ops.rank(ids)
    ones = array_ops.fill(array_ops.expand_dims(row_dims, 0), 1)
    return array_ops.reshape(values, array_ops.concat([array_ops.shape(ids), ones], 0))


class _Segments:
    """How a segment op's data slices meet its segments, for the gradients: `sum` and `prod` of
    data-shaped values per segment, and `gather` of each slice's segment entry."""

    def __init__(self, op):
        self.data, self.ids = op.inputs[0], op.inputs[1]
        self.sorted = not op.type.startswith("Unsorted")
        if not self.sorted:
            self.num_segments = op.inputs[2]
            self.clipped = math_ops.maximum(self.ids, array_ops.zeros_like(self.ids))
            kept = _broadcastable(math_ops.greater_equal(self.ids, 0), self.ids, self.data)
            self.kept = math_ops.logical_and(kept, array_ops.ones_like(self.data, dtype=dtypes.bool))

    def sum(self, values):
        if self.sorted:
            return segment_ops.segment_sum(values, self.ids)
        return segment_ops.unsorted_segment_sum(values, self.ids, self.num_segments)

    def prod(self, values):
        if self.sorted:
            return segment_ops.segment_prod(values, self.ids)
        return segment_ops.unsorted_segment_prod(values, self.ids, self.num_segments)

    def gather(self, params):
        """params[id] for each data slice; 0 for a slice the op dropped (negative id)."""
        if self.sorted:
            return selection_ops.gather(params, self.ids)
        gathered = selection_ops.gather(params, self.clipped)
        return selection_ops.where(self.kept, gathered, array_ops.zeros_like(gathered))


def _for_data(op, data_grad):
    """The gradient list of a segment op: data's, then None for the ids (and num_segments)."""
    return [data_grad] + [None] * (len(op.inputs) - 1)


@register_gradient("SegmentSum")
def _segment_sum_grad(op, grad):
    return _for_data(op, _Segments(op).gather(grad))


@register_gradient("SegmentMean")
def _segment_mean_grad(op, grad):
    """Each slice gets its segment's gradient divided by the segment's slice count."""
    segments = _Segments(op)
    ones = _broadcastable(array_ops.ones_like(segments.ids, dtype=grad.dtype), segments.ids, segments.data)
    return _for_data(op, segments.gather(grad / segments.sum(ones)))


@register_gradient("SegmentMax")
@register_gradient("SegmentMin")
@register_gradient("UnsortedSegmentMax")
@register_gradient("UnsortedSegmentMin")
def _segment_min_or_max_grad(op, grad):
    """The gradient goes to the slices equal to their segment's result, split evenly between ties."""
    segments = _Segments(op)
    is_selected = math_ops.equal(segments.data, segments.gather(op.outputs[0]))
    shares = grad / segments.sum(math_ops.cast(is_selected, grad.dtype))
    gathered = segments.gather(shares)
    return _for_data(op, selection_ops.where(is_selected, gathered, array_ops.zeros_like(gathered)))


@register_gradient("SegmentProd")
@register_gradient("UnsortedSegmentProd")
def _segment_prod_grad(op, grad):
    """The product of the other slices of the segment: the product / the slice when the segment
    has no zero; with one zero, the product of the nonzero slices for the zero and 0 for the rest;
    with two or more zeros, 0 everywhere (TF1's UnsortedSegmentProd formula)."""
    segments = _Segments(op)
    data = segments.data
    is_zero = math_ops.equal(data, array_ops.zeros_like(data))
    zeros_per_segment = segments.sum(math_ops.cast(is_zero, dtypes.int32))
    grad = selection_ops.where(math_ops.greater(zeros_per_segment, 1), array_ops.zeros_like(grad), grad)
    nonzero_data = selection_ops.where(is_zero, array_ops.ones_like(data), data)
    others = selection_ops.where(is_zero, segments.gather(segments.prod(nonzero_data)),
                                 segments.gather(op.outputs[0]) / nonzero_data)
    return _for_data(op, segments.gather(grad) * others)
