"""The PyFunc kernel: calls back into Python on the host.

The callable is looked up by the op's `token` in its graph's registry. Results are checked and
converted to the op's `Tout` dtypes; a Python exception inside the callable becomes the OpError
TF1 maps it to (ValueError/TypeError -> InvalidArgumentError, StopIteration -> OutOfRangeError,
MemoryError -> ResourceExhaustedError, NotImplementedError -> UnimplementedError, anything else
-> UnknownError), naming the op.
"""
import traceback

import numpy as np

from minitf.framework import dtypes, errors, tensor_util
from minitf.runtime.kernel_registry import register_kernel

# Checked in order, so subclasses must come before their bases.
_ERROR_CLASSES = (
    ((ValueError, TypeError), errors.InvalidArgumentError),
    (StopIteration, errors.OutOfRangeError),
    (MemoryError, errors.ResourceExhaustedError),
    (NotImplementedError, errors.UnimplementedError),
)


def _error_class_for(exception):
    for python_types, error_class in _ERROR_CLASSES:
        if isinstance(exception, python_types):
            return error_class
    return errors.UnknownError


def _describe(exception):
    """The exception's type, message and traceback, as TF1 puts them in the error message."""
    text = "".join(traceback.format_exception(type(exception), exception, exception.__traceback__))
    return f"{type(exception).__name__}: {exception}\n{text}"


def _argument(value):
    # A copy: the callable may modify its arguments in place, and a value here can be a
    # variable's storage or a constant that later runs still read.
    return np.array(value) if isinstance(value, np.ndarray) else value


def _returned_values(returned):
    """The callable's result as a list of output values (a tuple or list holds several; None none)."""
    if returned is None:
        return []
    if isinstance(returned, (tuple, list)):
        return list(returned)
    return [returned]


def _dtype_name(numpy_dtype):
    try:
        return dtypes.as_dtype(numpy_dtype).name
    except TypeError:
        return str(numpy_dtype)


def _converted(ctx, token, index, value, dtype):
    """Output `index` as an array of `dtype`; same-kind conversions (float64 -> float32) are made,
    others (a string or a float where an int is declared) are an InvalidArgumentError."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as e:  # e.g. a ragged list
        raise ctx.error(f"{index}-th value returned by {token} cannot be converted to an "
                        f"array: {e}") from None
    if dtype == dtypes.string:
        if array.dtype.kind not in "OSU":
            raise ctx.error(f"{index}-th value returned by {token} is {_dtype_name(array.dtype)}, "
                            "but expects string")
        array = tensor_util.to_numpy(array, dtype)  # an object array of bytes
    elif array.dtype != dtype.as_numpy_dtype:
        if not np.can_cast(array.dtype, dtype.as_numpy_dtype, casting="same_kind"):
            raise ctx.error(f"{index}-th value returned by {token} is {_dtype_name(array.dtype)}, "
                            f"but expects {dtype.name}")
        array = array.astype(dtype.as_numpy_dtype)
    # 0-d values travel as NumPy scalars (bytes for strings) everywhere in the runtime.
    return array[()] if array.ndim == 0 else array


def py_func(ctx):
    token, out_types = ctx.attr("token"), ctx.attr("Tout")
    func = ctx.op.graph._py_funcs.get(token)

    def compute(*args):
        if func is None:
            raise ctx.error(f"callback {token} is not found")
        try:
            returned = func(*[_argument(a) for a in args])
        except Exception as e:  # noqa: BLE001 - every Python error becomes the op's error
            raise ctx.error(_describe(e), _error_class_for(e)) from e
        values = _returned_values(returned)
        if len(values) != len(out_types):
            raise ctx.error(f"{token} returns {len(values)} values, but expects to see "
                            f"{len(out_types)} values.")
        outputs = [_converted(ctx, token, i, v, t) for i, (v, t) in enumerate(zip(values, out_types))]
        if not outputs:
            return None
        return outputs[0] if len(outputs) == 1 else tuple(outputs)
    return compute


register_kernel("PyFunc", devices=("CPU",))(py_func)
register_kernel("PyFuncStateless", devices=("CPU",))(py_func)
