"""Kernels of the segment reductions: SegmentSum/Mean/Prod/Max/Min (sorted ids) and
UnsortedSegmentMax/Min/Prod, written once against `ctx.xp`.

Every reduction scatters the data rows into an output that starts at the reduction's identity,
through the same scatter the Scatter* ops use (NumPy's `ufunc.at`, CuPy's atomic scatters).
The identity is what TF1 gives an empty unsorted segment (the dtype's lowest value for a max);
the sorted ops give rows that no id names 0 (1 for a product) instead.
"""
import numpy

from minitf.kernels.math import truncate_divide
from minitf.kernels.state import _accumulate
from minitf.ops.array_static import dims_text
from minitf.runtime.kernel_registry import register_kernel

_BOTH = ("CPU", "GPU")
# reduction -> (ufunc, CuPy's atomic scatter for it; None: applied in turn)
_SCATTERS = {"Sum": ("add", "scatter_add"), "Prod": ("multiply", None), "Max": ("maximum", "scatter_max"),
             "Min": ("minimum", "scatter_min")}


def _identity(kind, dtype):
    if kind in ("Max", "Min"):
        info = numpy.finfo(dtype) if dtype.kind == "f" else numpy.iinfo(dtype)
        return info.min if kind == "Max" else info.max
    return 1 if kind == "Prod" else 0


def _reducer(ctx, kind):
    """reduce(data, ids, rows): data's slices reduced into `rows` segments by ids (each in [0, rows))."""
    xp, scatter = ctx.xp, _accumulate(*_SCATTERS[kind])(ctx)

    def reduce(data, ids, rows):
        result = xp.full((rows,) + data.shape[ids.ndim:], _identity(kind, data.dtype), dtype=data.dtype)
        scatter(result, ids, data)
        return result
    return reduce


# ======================================================================================
# Sorted ids: SegmentSum, SegmentMean, SegmentProd, SegmentMax, SegmentMin
# ======================================================================================
def _sorted_rows(ctx, xp, data, ids):
    """The output's row count (last id + 1) once the ids pass TF1's checks, which the kernel makes
    run by run (a run: equal neighbouring ids): a run followed by a smaller one is "not increasing",
    else one outside [0, rows) is out of range; the first run failing either names the error."""
    if data.ndim < 1:
        raise ctx.error("input must be at least rank 1")
    if ids.ndim != 1:
        raise ctx.error("segment_ids should be a vector.")
    if ids.shape[0] != data.shape[0]:
        raise ctx.error("segment_ids should be the same size as dimension 0 of input.")
    if not ids.size:
        return 0
    rows = int(ids[-1]) + 1
    if rows <= 0:
        raise ctx.error("segment ids must be >= 0")
    runs = ids[xp.concatenate([xp.ones(1, bool), ids[1:] != ids[:-1]])]
    decreasing = xp.concatenate([runs[:-1] > runs[1:], xp.zeros(1, bool)])
    bad = decreasing | (runs < 0) | (runs >= rows)
    if bad.any():
        first = int(xp.argmax(bad))
        if decreasing[first]:
            raise ctx.error("segment ids are not increasing")
        raise ctx.error(f"Segment id {int(runs[first])} out of range [0, {rows}), possibly because "
                        "'segment_ids' input is not sorted.")
    return rows


def _divided_by_counts(xp, sums, counts):
    """Segment means: C's truncating division for integers, as TF1's; empty segments stay 0."""
    counts = xp.maximum(counts, 1).astype(sums.dtype).reshape(counts.shape + (1,) * (sums.ndim - 1))
    return truncate_divide(xp)(sums, counts) if sums.dtype.kind in "iu" else sums / counts


def _sorted_segment_kernel(kind):
    def factory(ctx):
        xp, reduce = ctx.xp, _reducer(ctx, "Sum" if kind == "Mean" else kind)

        def compute(data, ids):
            data, ids = xp.asarray(data), xp.asarray(ids)
            rows = _sorted_rows(ctx, xp, data, ids)
            result = reduce(data, ids, rows)
            if kind in ("Mean", "Max", "Min"):
                counts = xp.bincount(ids, minlength=rows)
                if kind == "Mean":
                    return _divided_by_counts(xp, result, counts)
                result[counts == 0] = 0
            return result
        return compute
    return factory


# ======================================================================================
# Unsorted ids: UnsortedSegmentMax, UnsortedSegmentMin, UnsortedSegmentProd
# ======================================================================================
def _unsorted_rows(ctx, xp, data, ids, count):
    """num_segments once the inputs pass TF1's checks (negative ids are fine: they are dropped)."""
    if numpy.ndim(count) != 0:
        raise ctx.error(f"num_segments should be a scalar, not shape {dims_text(numpy.shape(count))}")
    if data.shape[:ids.ndim] != ids.shape:
        raise ctx.error(f"data.shape = {dims_text(data.shape)} does not start with segment_ids.shape = "
                        f"{dims_text(ids.shape)}")
    rows = int(count)
    if rows < 0:
        raise ctx.error(f"Input num_segments == {rows} must not be negative.")
    bad = ids >= rows
    if bad.any():
        position = [int(i) for i in xp.argwhere(bad)[0]]
        where = f"[{','.join(map(str, position))}]" if position else ""  # TF: "segment_ids = 4" for a scalar
        raise ctx.error(f"segment_ids{where} = {int(ids[tuple(position)])} is out of range [0, {rows})")
    return rows


def _unsorted_segment_kernel(kind):
    def factory(ctx):
        xp, reduce = ctx.xp, _reducer(ctx, kind)

        def compute(data, ids, count):
            data, ids = xp.asarray(data), xp.asarray(ids)
            rows = _unsorted_rows(ctx, xp, data, ids, count)
            keep = ids >= 0
            return reduce(data[keep], ids[keep], rows)
        return compute
    return factory


for _kind in ("Sum", "Mean", "Prod", "Max", "Min"):
    register_kernel(f"Segment{_kind}", devices=_BOTH)(_sorted_segment_kernel(_kind))
for _kind in ("Max", "Min", "Prod"):
    register_kernel(f"UnsortedSegment{_kind}", devices=_BOTH)(_unsorted_segment_kernel(_kind))
