"""Conversions between NumPy arrays and TensorProtos, and static evaluation of constant tensors."""
import numpy as np

from minitf.framework import dtypes
from minitf.framework.tensor_shape import TensorShape


def to_numpy(value, dtype=None):
    """`value` as a NumPy array of `dtype` (strings become object arrays of bytes, as TF1 returns)."""
    if dtype is not None and dtype.base_dtype == dtypes.string:
        array = np.asarray(value, dtype=object)
        return np.vectorize(_as_bytes, otypes=[object])(array) if array.size else array
    if dtype is None:
        return np.asarray(value)
    return np.asarray(value, dtype=dtype.as_numpy_dtype)


def _as_bytes(value):
    return value.encode() if isinstance(value, str) else bytes(value) if not isinstance(value, bytes) else value


def make_tensor_proto(values, dtype=None, shape=None):
    """A TensorProto (minitf.proto.tensor_pb2) holding `values` (TF1 `tf.make_tensor_proto`)."""
    from minitf.proto import tensor_pb2
    dtype = dtypes.as_dtype(dtype) if dtype is not None else None
    array = to_numpy(values, dtype)
    if dtype is None:
        dtype = dtypes.as_dtype(array.dtype)
    if shape is not None:
        array = np.broadcast_to(array, shape) if array.size == 1 else array.reshape(shape)
    proto = tensor_pb2.TensorProto(dtype=dtype.as_datatype_enum)
    TensorShape(array.shape).as_proto(lambda: proto.tensor_shape)
    if dtype == dtypes.string:
        proto.string_val.extend(_as_bytes(v) for v in array.reshape(-1))
    else:
        proto.tensor_content = np.ascontiguousarray(array, dtype=dtype.as_numpy_dtype).astype(
            np.dtype(dtype.as_numpy_dtype).newbyteorder("<")).tobytes()
    return proto


_VALUE_FIELDS = {
    dtypes.float32: "float_val", dtypes.float64: "double_val", dtypes.float16: "half_val",
    dtypes.int32: "int_val", dtypes.int16: "int_val", dtypes.int8: "int_val", dtypes.uint8: "int_val",
    dtypes.uint16: "int_val", dtypes.int64: "int64_val", dtypes.bool: "bool_val",
    dtypes.uint32: "uint32_val", dtypes.uint64: "uint64_val", dtypes.string: "string_val",
}


def make_ndarray(proto):
    """The NumPy array a TensorProto holds (TF1 `tf.make_ndarray`)."""
    dtype = dtypes.as_dtype(proto.dtype)
    shape = [d.size for d in proto.tensor_shape.dim]
    count = int(np.prod(shape)) if shape else 1
    numpy_dtype = np.dtype(dtype.as_numpy_dtype) if dtype != dtypes.string else np.dtype(object)
    if proto.tensor_content:
        return np.frombuffer(proto.tensor_content, dtype=numpy_dtype.newbyteorder("<")).astype(
            numpy_dtype).reshape(shape)
    values = list(getattr(proto, _VALUE_FIELDS[dtype]))
    if dtype == dtypes.float16:
        values = np.array(values, dtype=np.uint16).view(np.float16)
    array = np.array(values, dtype=numpy_dtype)
    if array.size == count:
        return array.reshape(shape)
    if array.size == 0:
        return np.zeros(shape, dtype=numpy_dtype) if dtype != dtypes.string else np.full(shape, b"", object)
    # TF stores a repeated last value only once.
    padded = np.concatenate([array, np.repeat(array[-1:], count - array.size)])
    return padded.reshape(shape)


def constant_value(tensor):
    """The value of `tensor` if it can be computed at construction time, else None (TF1 semantics)."""
    op = tensor.op
    if op.type == "Const":
        return op.get_attr("value")
    if op.type == "Shape":
        shape = op.inputs[0].shape
        if shape.is_fully_defined():
            return np.array(shape.as_list(), dtype=op.get_attr("out_type").as_numpy_dtype)
    elif op.type == "Size":
        shape = op.inputs[0].shape
        if shape.is_fully_defined():
            return np.array(shape.num_elements(), dtype=op.get_attr("out_type").as_numpy_dtype)
    elif op.type == "Rank":
        if op.inputs[0].shape.ndims is not None:
            return np.array(op.inputs[0].shape.ndims, dtype=np.int32)
    elif op.type in ("Identity", "StopGradient"):
        return constant_value(op.inputs[0])
    elif op.type == "Cast":
        value = constant_value(op.inputs[0])
        if value is not None:
            return value.astype(op.get_attr("DstT").as_numpy_dtype)
    elif op.type == "Pack":
        values = [constant_value(t) for t in op.inputs]
        if all(v is not None for v in values):
            return np.stack(values, axis=op.get_attr("axis"))
    elif op.type == "ConcatV2":
        values = [constant_value(t) for t in op.inputs]
        if all(v is not None for v in values):
            return np.concatenate(values[:-1], axis=int(values[-1]))
    return None


def partial_shape_value(tensor):
    """A TensorShape read from a shape-vector tensor built by Shape/Pack with some unknown entries."""
    op = tensor.op
    if op.type == "Shape":
        return op.inputs[0].shape
    if op.type == "Pack" and op.get_attr("axis") == 0:
        dims = []
        for t in op.inputs:
            value = constant_value(t)
            dims.append(None if value is None or int(value) < 0 else int(value))
        return TensorShape(dims)
    return None
