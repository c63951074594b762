"""Harness cases: the scans (tf.cumsum, tf.cumprod) and the segment reductions (tf.segment_*,
tf.unsorted_segment_max/min/prod, and tf.unsorted_segment_mean/sqrt_n built on UnsortedSegmentSum),
each against a plain-loop NumPy reference.

Products and cumulative products draw their inputs away from zero: TF1's gradient formulas
divide by the inputs. Sorted segment ops have an unknown static row count (TF1's shape function).
"""
import itertools

import numpy as np

import minitf as tf
from cases_math import nonzero
from harness import FLOATS, INTS, OpCase, fixed, inputs_of, uniform

NUMERIC = FLOATS + INTS


# ======================================================================================
# Cumsum and Cumprod
# ======================================================================================
def _scan_reference(reduce, axis, exclusive, reverse):
    """out[i] = reduce of x[j] along `axis` over j <= i (j < i when exclusive; j >= i / j > i reversed)."""
    def reference(x):
        moved = np.moveaxis(x, axis, 0)
        spans = [moved[i + exclusive:] if reverse else moved[:i + 1 - exclusive] for i in range(len(moved))]
        out = np.stack([reduce(span, axis=0, dtype=x.dtype) for span in spans]) if spans else moved
        return np.moveaxis(out, 0, axis)
    return reference


def _scan_cases(op_type, function, reduce, values):
    cases = []
    for exclusive, reverse in itertools.product((False, True), repeat=2):
        for axis in (0, -1):
            cases.append(OpCase(
                op_type, lambda x, a=axis, e=exclusive, r=reverse: function(x, a, exclusive=e, reverse=r),
                inputs_of(values((3, 4))), _scan_reference(reduce, axis, exclusive, reverse), dtypes=NUMERIC,
                name=f"{op_type}-axis{axis}{'-exclusive' * exclusive}{'-reverse' * reverse}"))
    cases.append(OpCase(op_type, lambda x: function(x, np.int64(1), exclusive=True), inputs_of(values((2, 3, 2))),
                        _scan_reference(reduce, 1, True, False), dtypes=(tf.float64, tf.int64),
                        name=f"{op_type}-rank3-int64-axis"))
    cases.append(OpCase(op_type, lambda x: function(x, 0, exclusive=True), inputs_of(values((0, 2))),
                        lambda x: x, dtypes=(tf.float32,), name=f"{op_type}-empty"))
    return cases


_SCAN_CASES = (_scan_cases("Cumsum", tf.cumsum, np.sum, uniform)
               + _scan_cases("Cumprod", tf.cumprod, np.prod, nonzero))


# ======================================================================================
# Segment reductions
# ======================================================================================
def _lowest(dtype):
    return np.finfo(dtype).min if dtype.kind == "f" else np.iinfo(dtype).min


def _highest(dtype):
    return np.finfo(dtype).max if dtype.kind == "f" else np.iinfo(dtype).max


def _mean(rows, axis):
    mean = np.mean(rows.astype(np.float64), axis=axis)
    return np.trunc(mean) if rows.dtype.kind in "iu" else mean  # TF1: C's integer division


# reduction -> (reduce over a segment's rows, value of a segment with no rows: sorted, unsorted)
_REDUCTIONS = {
    "Sum": (np.sum, lambda dtype: 0, lambda dtype: 0),
    "Mean": (_mean, lambda dtype: 0, lambda dtype: 0),
    "Prod": (np.prod, lambda dtype: 1, lambda dtype: 1),
    "Max": (np.max, lambda dtype: 0, _lowest),
    "Min": (np.min, lambda dtype: 0, _highest),
}


def _segment_reference(kind, ids, count=None):
    """Row i of the output: `kind` over the data slices whose id is i, from a loop over segments;
    count None: the sorted ops' last id + 1 rows."""
    reduce, sorted_empty, unsorted_empty = _REDUCTIONS[kind]

    def reference(data, *fed_ids):
        segment_ids = np.asarray(fed_ids[0] if fed_ids else ids)
        rows = int(segment_ids.max()) + 1 if count is None else count
        empty = (sorted_empty if count is None else unsorted_empty)(data.dtype)
        slices = data.reshape((-1,) + data.shape[segment_ids.ndim:])
        flat_ids = segment_ids.reshape(-1)
        out = np.empty((rows,) + slices.shape[1:], data.dtype)
        for i in range(rows):
            chosen = slices[flat_ids == i]
            out[i] = reduce(chosen, axis=0) if len(chosen) else empty
        return out
    return reference


_SORTED_IDS = [0, 0, 2, 2, 2, 3]
_UNSORTED_IDS = [3, -1, 0, 3, 1, 3]  # segments 2 and 4 are empty; the -1 row is dropped
_UNSORTED_IDS_2D = [[0, -1, 2], [2, 0, 1]]


def _values(kind):
    """Products divide by their inputs in the gradient: keep them away from zero."""
    return nonzero if kind == "Prod" else uniform


def _sorted_cases(kind, function, dtypes):
    values = _values(kind)
    return [
        OpCase(f"Segment{kind}", lambda d: function(d, _SORTED_IDS), inputs_of(values((6, 3))),
               _segment_reference(kind, _SORTED_IDS), dtypes=dtypes, exact_shape=False),
        OpCase(f"Segment{kind}", function,
               lambda dtype, rng: [values((5,))(dtype, rng), np.array([1, 1, 1, 4, 4], np.int64)],
               _segment_reference(kind, None), dtypes=(tf.float32, tf.float64, tf.int32), exact_shape=False,
               name=f"Segment{kind}-fed-int64-ids"),
        OpCase(f"Segment{kind}", lambda d: function(d, [0, 1]), inputs_of(values((2, 2, 2))),
               _segment_reference(kind, [0, 1]), dtypes=(tf.float64,), exact_shape=False,
               name=f"Segment{kind}-rank3"),
    ]


_2D_DTYPES = (tf.float32, tf.float64, tf.int64)


def _unsorted_cases(kind, function, dtypes, op_type=None):
    """The first case has empty segments, whose max/min is the dtype's lowest/highest value: too
    large for the finite differences, so its gradient check is left to the others."""
    values, op_type = _values(kind), op_type or f"UnsortedSegment{kind}"
    return [
        OpCase(op_type, lambda d: function(d, _UNSORTED_IDS, 5), inputs_of(values((6, 2))),
               _segment_reference(kind, _UNSORTED_IDS, 5), dtypes=dtypes, name=f"{function.__name__}",
               grad=False if kind in ("Max", "Min") else None),
        OpCase(op_type, lambda d: function(d, _UNSORTED_IDS_2D, 3), inputs_of(values((2, 3, 2))),
               _segment_reference(kind, _UNSORTED_IDS_2D, 3), dtypes=tuple(d for d in _2D_DTYPES if d in dtypes),
               name=f"{function.__name__}-2d-ids"),
        OpCase(op_type, lambda d: function(d, 0, 1), inputs_of(values((3,))),
               _segment_reference(kind, 0, 1), dtypes=(tf.float64,), name=f"{function.__name__}-scalar-id"),
    ]


def _sqrt_n_reference(ids, count):
    """The segment sums divided by the square root of each segment's slice count (1 when empty)."""
    sums = _segment_reference("Sum", ids, count)
    counts = np.array([max(np.sum(np.equal(ids, i)), 1) for i in range(count)])
    return lambda data: sums(data) / np.sqrt(counts).reshape((-1,) + (1,) * (data.ndim - np.ndim(ids)))


# Ties share the gradient of a max or min evenly; with two of them that is also what central
# differences measure (half the one-sided slopes 1 and 0).
_TIES = np.array([[1.5, -2.0], [1.5, 0.5], [-1.0, 0.5], [0.25, 3.0]])

_SEGMENT_CASES = [
    *(case for kind in _REDUCTIONS for case in _sorted_cases(kind, getattr(tf, f"segment_{kind.lower()}"), NUMERIC)),
    *_unsorted_cases("Max", tf.unsorted_segment_max, NUMERIC),
    *_unsorted_cases("Min", tf.unsorted_segment_min, NUMERIC),
    *_unsorted_cases("Prod", tf.unsorted_segment_prod, NUMERIC),
    *_unsorted_cases("Mean", tf.unsorted_segment_mean, (tf.float32, tf.float64), op_type="UnsortedSegmentSum"),
    OpCase("SegmentMax", lambda d: tf.segment_max(d, [0, 0, 1, 1]), fixed(_TIES),
           _segment_reference("Max", [0, 0, 1, 1]), dtypes=(tf.float64,), exact_shape=False, name="SegmentMax-ties"),
    OpCase("UnsortedSegmentMin", lambda d: tf.unsorted_segment_min(d, [1, 1, 0, 0], 2), fixed(-_TIES),
           _segment_reference("Min", [1, 1, 0, 0], 2), dtypes=(tf.float64,), name="UnsortedSegmentMin-ties"),
    OpCase("UnsortedSegmentSum", lambda d: tf.unsorted_segment_sqrt_n(d, _UNSORTED_IDS, 5), inputs_of(uniform((6, 2))),
           _sqrt_n_reference(_UNSORTED_IDS, 5), dtypes=(tf.float32, tf.float64), name="unsorted_segment_sqrt_n"),
]

CASES = _SCAN_CASES + _SEGMENT_CASES
