"""Constants and the conversion of Python/NumPy values to tensors (TF1 `tf.constant`, `tf.convert_to_tensor`)."""
import numbers

import numpy as np

from minitf.framework import dtypes, tensor_util
from minitf.framework.common_shapes import shape_from_value
from minitf.framework.default_graph import get_default_graph
from minitf.framework.op_def import TypeAttr, REQUIRED, define_op
from minitf.framework.tensor import Tensor

define_op("Const", outputs=["output: dtype"],
          attrs={"dtype": TypeAttr(), "value": REQUIRED},
          shape=lambda op: [shape_from_value(op.get_attr("value").shape)],
          differentiable=False)


def infer_dtype(value):
    """The DType TF1 gives a Python or NumPy value: float32 for floats, int32 for ints that fit."""
    if isinstance(value, (np.ndarray, np.generic)):
        return dtypes.as_dtype(value.dtype)
    flat = _flatten(value)
    if not flat:
        return dtypes.float32
    if any(isinstance(v, (str, bytes)) for v in flat):
        return dtypes.string
    if all(isinstance(v, (bool, np.bool_)) for v in flat):
        return dtypes.bool
    if all(isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, bool) for v in flat):
        low, high = min(flat), max(flat)
        return dtypes.int32 if -2**31 <= low and high < 2**31 else dtypes.int64
    if any(isinstance(v, complex) for v in flat):
        return dtypes.complex128
    return dtypes.float32


def _flatten(value):
    if isinstance(value, (list, tuple)):
        return [x for item in value for x in _flatten(item)]
    if isinstance(value, np.ndarray):
        return value.reshape(-1).tolist()
    return [value]


def _checked_array(value, dtype):
    """`value` as an array of `dtype`, refusing lossy Python-value conversions as TF1 does."""
    if isinstance(value, (np.ndarray, np.generic)):
        if dtype == dtypes.string or value.dtype.kind not in "OSU":
            return tensor_util.to_numpy(value, dtype)
    for item in _flatten(value):
        if not _fits(item, dtype):
            raise TypeError(f"Expected {dtype.name}, got {item!r} of type '{type(item).__name__}' instead.")
    try:
        return tensor_util.to_numpy(value, dtype)
    except (ValueError, TypeError, OverflowError) as e:
        raise TypeError(f"Expected {dtype.name}, got {value!r} of type '{type(value).__name__}' "
                        f"instead. ({e})") from None


def _fits(item, dtype):
    if isinstance(item, Tensor):
        return False
    if dtype == dtypes.string:
        return isinstance(item, (str, bytes, np.str_, np.bytes_))
    if isinstance(item, (str, bytes)):
        return False
    if dtype.is_integer:
        return isinstance(item, (numbers.Integral, np.integer, bool, np.bool_))
    if dtype.is_bool:
        return isinstance(item, (bool, np.bool_))
    if dtype.is_floating:
        return isinstance(item, (numbers.Real, np.floating, np.integer, np.bool_))
    return isinstance(item, numbers.Number)


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """TF1 `tf.constant`: a Const op holding `value`, optionally cast to `dtype` and filled to `shape`."""
    dtype = dtypes.as_dtype(dtype) if dtype is not None else infer_dtype(value)
    array = _checked_array(value, dtype)
    if shape is not None:
        shape = [int(d) for d in (shape if isinstance(shape, (list, tuple)) else np.atleast_1d(shape))]
        count = int(np.prod(shape))
        if verify_shape and list(array.shape) != shape:
            raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, got {array.shape}.")
        if array.size == 1:
            array = np.full(shape, array.reshape(()), dtype=array.dtype)
        elif array.size == count:
            array = array.reshape(shape)
        elif array.size > count:
            raise TypeError(f"Too many elements provided. Needed at most {count}, but received {array.size}")
        else:
            flat = np.concatenate([array.reshape(-1), np.repeat(array.reshape(-1)[-1:], count - array.size)])
            array = flat.reshape(shape)
    array.setflags(write=False)
    op = get_default_graph().create_op("Const", [], {"dtype": dtype, "value": array}, name=name)
    return op.outputs[0]


_conversion_functions = []


def register_tensor_conversion_function(base_type, conversion_func):
    """Lets objects of `base_type` (e.g. Variable) be used where tensors are expected."""
    _conversion_functions.append((base_type, conversion_func))


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None, as_ref=False):
    """TF1 `tf.convert_to_tensor`: Tensors pass through (dtype-checked); lists of tensors are stacked."""
    dtype = dtypes.as_dtype(dtype) if dtype is not None else None
    if isinstance(value, Tensor):
        if dtype is not None and not dtype.is_compatible_with(value.dtype.base_dtype):
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor with dtype "
                             f"{value.dtype.name}: {value!r}")
        return value
    for base_type, convert in _conversion_functions:
        if isinstance(value, base_type):
            return convert(value, dtype=dtype, name=name, as_ref=as_ref)
    if isinstance(value, (list, tuple)) and _has_tensor(value):
        from minitf.ops.array_ops import auto_pack
        return auto_pack(value, dtype, name=name or "packed")
    if dtype is None and preferred_dtype is not None:
        try:
            return constant(value, dtypes.as_dtype(preferred_dtype), name=name or "Const")
        except TypeError:
            pass
    return constant(value, dtype, name=name or "Const")


def _has_tensor(value):
    if isinstance(value, (list, tuple)):
        return any(isinstance(v, Tensor) or _has_tensor(v) for v in value)
    return any(isinstance(value, base) for base, _ in _conversion_functions)


def convert_n_to_tensor(values, dtype=None, name=None):
    return [convert_to_tensor(v, dtype, name=name) for v in values]
