"""Kernel of SparseToDense, with TF's index checks (bounds always; order and repeats when
`validate_indices`) so a bad index fails the step instead of wrapping around or being dropped."""
import numpy

from minitf.runtime.kernel_registry import register_kernel, scalar_or_array

_BOTH = ("CPU", "GPU")


def _text(index):
    return "[" + ",".join(str(int(i)) for i in index) + "]"


@register_kernel("SparseToDense", devices=_BOTH)
def sparse_to_dense(ctx):
    xp, validate = ctx.xp, ctx.attr("validate_indices")

    def compute(indices, output_shape, values, default):
        shape = [int(d) for d in numpy.asarray(output_shape).reshape(-1)]
        indices = numpy.asarray(indices)  # checked on the host, where TF checks them
        if indices.ndim > 2:
            raise ctx.error(f"sparse_indices should be a scalar, vector, or matrix, got shape {list(indices.shape)}")
        rows = indices.reshape(-1, 1) if indices.ndim < 2 else indices
        count = rows.shape[0]
        if rows.shape[1] != len(shape):
            raise ctx.error(f"sparse_indices should have {len(shape)} columns (the output rank), got {rows.shape[1]}")
        if numpy.ndim(values) not in (0, 1) or (numpy.ndim(values) == 1 and len(values) != count):
            raise ctx.error(f"sparse_values has incorrect shape {list(numpy.shape(values))}, should be [] or [{count}]")
        if numpy.ndim(default) != 0:
            raise ctx.error(f"default_value should be a scalar, got shape {list(numpy.shape(default))}")
        _check(ctx, rows, shape, validate)
        dense = xp.full(shape, default, dtype=numpy.asarray(default).dtype)
        if count:
            dense[tuple(rows.T)] = values
        return scalar_or_array(dense)
    return compute


def _check(ctx, rows, shape, validate):
    """Fails on the first bad row, as TF's loop does: out of bounds, else (with `validate`) equal
    to the row before it or lexicographically before it. Computed for all rows at once."""
    out_of_bounds = ((rows < 0) | (rows >= numpy.asarray(shape, dtype=rows.dtype))).any(axis=1)
    repeated = numpy.zeros(len(rows), bool)
    out_of_order = numpy.zeros(len(rows), bool)
    if validate and len(rows) > 1:
        step = rows[1:] - rows[:-1]
        differs = step != 0
        repeated[1:] = ~differs.any(axis=1)
        if rows.shape[1]:  # rows of a 0-d output have no columns: all equal
            out_of_order[1:] = step[numpy.arange(len(step)), differs.argmax(axis=1)] < 0
    bad = out_of_bounds | repeated | out_of_order
    if not bad.any():
        return
    i = int(bad.argmax())
    index = _text(rows[i])
    if out_of_bounds[i]:
        raise ctx.error(f"indices[{i}] = {index} is out of bounds: need 0 <= index < {_text(shape)}")
    if repeated[i]:
        raise ctx.error(f"indices[{i}] = {index} is repeated")
    raise ctx.error(f"indices[{i}] = {index} is out of order. Many sparse ops require sorted indices.")
