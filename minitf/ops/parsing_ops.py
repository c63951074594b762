"""Parsing ops: TF1's `tf.decode_csv`, `tf.decode_raw`, `tf.parse_example`, `tf.parse_single_example`.

Records are strings (lines from a TextLineReader, records of fixed-length or TFRecord files);
these ops turn them into typed tensors. `parse_example` reads serialized `tf.train.Example`
protos (minitf.proto.example_pb2); a `VarLenFeature` comes back as a `SparseTensor`.

Kernels: kernels/parsing.py. None of these ops is differentiable (TF1 registers no gradients).
"""
import collections
import re

from minitf.framework import dtypes
from minitf.framework.default_graph import name_scope
from minitf.framework.op_def import TypeAttr, TypeListAttr, define_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape, as_shape
from minitf.framework.tensor_util import constant_value
from minitf.ops.array_ops import reshape
from minitf.ops.constant_op import constant, convert_to_tensor
from minitf.ops.op_builder import apply_op

__all__ = ["decode_csv", "decode_raw", "parse_example", "parse_single_example", "FixedLenFeature",
           "VarLenFeature", "SparseTensor", "SparseTensorValue"]


# ======================================================================================
# SparseTensor
# ======================================================================================
SparseTensorValue = collections.namedtuple("SparseTensorValue", ["indices", "values", "dense_shape"])


class SparseTensor(collections.namedtuple("SparseTensor", ["indices", "values", "dense_shape"])):
    """TF1 `tf.SparseTensor`, as far as parsing needs it: an int64 `indices` matrix [N, rank],
    the `values` vector [N] and the int64 `dense_shape` vector [rank].

    Departures: the parts are kept as given (TF converts them to tensors), and `Session.run`
    returns a fetched SparseTensor as a SparseTensor of NumPy arrays (TF: a SparseTensorValue).
    """

    __slots__ = ()

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def op(self):
        return self.values.op

    @property
    def graph(self):
        return self.values.graph

    def get_shape(self):
        """The static dense shape: known where `dense_shape` is a constant, else its rank only."""
        value = constant_value(self.dense_shape)
        if value is not None:
            return TensorShape([int(d) for d in value])
        shape = self.dense_shape.shape
        rank = shape[0].value if shape.ndims == 1 else None
        return TensorShape(None if rank is None else [None] * rank)

    @property
    def shape(self):
        return self.get_shape()


# ======================================================================================
# Shared checks
# ======================================================================================
def _check_list_types(op, attr, allowed, parameter):
    """TypeError, as TF1 raises it, for a list(type) attr entry outside `allowed`."""
    for dtype in op.get_attr(attr):
        if dtype not in allowed:
            names = ", ".join(d.name for d in allowed)
            raise TypeError(f"Value passed to parameter '{parameter}' has DataType {dtype.name} not "
                            f"in list of allowed values: {names}")


def _check_rank(shape, rank):
    if shape.ndims is not None and shape.ndims != rank:
        raise ValueError(f"Shape must be rank {rank} but is rank {shape.ndims}")


# ======================================================================================
# DecodeCSV
# ======================================================================================
_CSV_TYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64, dtypes.string)


def _decode_csv_shape(op):
    _check_list_types(op, "OUT_TYPE", _CSV_TYPES, "record_defaults")
    for default in op.inputs[1:]:
        shape = default.shape
        if shape.ndims is not None and shape.ndims > 1:
            raise ValueError(f"Shape must be at most rank 1 but is rank {shape.ndims}")
        if shape.ndims == 1 and shape[0].value is not None and shape[0].value > 1:
            raise ValueError("Shape of a default must be a length-0 or length-1 vector, or a scalar.")
    return [op.inputs[0].shape] * (len(op.inputs) - 1)


define_op("DecodeCSV", inputs=["records: string", "record_defaults: OUT_TYPE"],
          outputs=["output: OUT_TYPE"],
          attrs={"OUT_TYPE": TypeListAttr(), "field_delim": ",", "use_quote_delim": True,
                 "na_value": "", "select_cols": []},
          shape=_decode_csv_shape, differentiable=False)


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, name=None, na_value="",
               select_cols=None):
    """TF1 `tf.decode_csv`: one tensor per column, shaped like `records`.

    Each entry of `record_defaults` (a 1-element list/tensor, or an empty one for a required
    column) fixes its column's type (float32, float64, int32, int64 or string) and fills empty
    fields and fields equal to `na_value`. Quotes follow TF: with `use_quote_delim` a field may be
    quoted, and `""` inside quotes is a quote. `select_cols` picks (increasing) columns to return.
    """
    if select_cols is not None:
        select_cols = list(select_cols)
        if any(a >= b for a, b in zip(select_cols, select_cols[1:])):
            raise ValueError("select_cols is not strictly increasing.")
        if select_cols and select_cols[0] < 0:
            raise ValueError("select_cols contains negative values.")
        if len(select_cols) != len(record_defaults):
            raise ValueError("Length of select_cols and record_defaults do not match.")
    return apply_op("DecodeCSV", records, list(record_defaults), field_delim=field_delim,
                    use_quote_delim=use_quote_delim, na_value=na_value, select_cols=select_cols or [],
                    name=name or "DecodeCSV")


# ======================================================================================
# DecodeRaw
# ======================================================================================
# TF also allows bfloat16, which has no NumPy type here.
_RAW_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.uint16, dtypes.uint8,
              dtypes.int16, dtypes.int8, dtypes.int64, dtypes.complex64, dtypes.complex128, dtypes.bool)

define_op("DecodeRaw", inputs=["bytes: string"], outputs=["output: out_type"],
          attrs={"out_type": TypeAttr(allowed=_RAW_TYPES), "little_endian": True},
          shape=lambda op: [op.inputs[0].shape.concatenate([None])], differentiable=False)


def decode_raw(input_bytes=None, out_type=None, little_endian=True, name=None, bytes=None):  # noqa: A002
    """TF1 `tf.decode_raw`: each string's bytes as a vector of `out_type` (a new last dimension).

    All strings must have the same length, a multiple of the type's size. `bytes` is TF1's
    older name for `input_bytes`.
    """
    if bytes is not None:
        if input_bytes is not None:
            raise ValueError("Cannot specify both 'input_bytes' and 'bytes'")
        input_bytes = bytes
    return apply_op("DecodeRaw", input_bytes, out_type=dtypes.as_dtype(out_type),
                    little_endian=little_endian, name=name or "DecodeRaw")


# ======================================================================================
# ParseExample, ParseSingleExample
# ======================================================================================
_EXAMPLE_TYPES = (dtypes.float32, dtypes.int64, dtypes.string)
_PARSE_ATTRS = {"sparse_types": TypeListAttr(), "Tdense": TypeListAttr(), "dense_shapes": []}


def _parse_shapes(op, batch, num_sparse, rank):
    """Outputs: per sparse key indices [?, rank], values [?], dense_shape [rank]; per dense key
    the (batch +) dense shape."""
    _check_list_types(op, "sparse_types", _EXAMPLE_TYPES, "sparse_types")
    _check_list_types(op, "Tdense", _EXAMPLE_TYPES, "Tdense")
    dense_shapes = [as_shape(s) for s in op.get_attr("dense_shapes")]
    if len(dense_shapes) != len(op.get_attr("Tdense")):
        raise ValueError("len(dense_keys) != len(dense_shapes)")
    return ([TensorShape([None, rank])] * num_sparse + [TensorShape([None])] * num_sparse
            + [TensorShape([rank])] * num_sparse + [batch.concatenate(s) for s in dense_shapes])


def _parse_example_shape(op):
    serialized, names = op.inputs[0].shape, op.inputs[1].shape
    _check_rank(serialized, 1)
    _check_rank(names, 1)
    batch = TensorShape([serialized[0] if serialized.ndims else None])
    return _parse_shapes(op, batch, op.get_attr("Nsparse"), 2)


def _parse_single_example_shape(op):
    _check_rank(op.inputs[0].shape, 0)
    num_sparse = op.get_attr("num_sparse")
    if len(op.get_attr("sparse_keys")) != num_sparse:
        raise ValueError("len(sparse_keys) != num_sparse")
    if len(op.get_attr("dense_keys")) != len(op.get_attr("Tdense")):
        raise ValueError("len(dense_keys) != len(dense_types)")
    return _parse_shapes(op, TensorShape([]), num_sparse, 1)


_PARSE_OUTPUTS = ["sparse_values: sparse_types", "sparse_shapes: {n} * int64", "dense_values: Tdense"]
define_op("ParseExample",
          inputs=["serialized: string", "names: string", "sparse_keys: Nsparse * string",
                  "dense_keys: Ndense * string", "dense_defaults: Tdense"],
          outputs=["sparse_indices: Nsparse * int64"] + [o.format(n="Nsparse") for o in _PARSE_OUTPUTS],
          attrs={"Nsparse": 0, "Ndense": 0, **_PARSE_ATTRS}, shape=_parse_example_shape,
          differentiable=False)
define_op("ParseSingleExample", inputs=["serialized: string", "dense_defaults: Tdense"],
          outputs=["sparse_indices: num_sparse * int64"] + [o.format(n="num_sparse") for o in _PARSE_OUTPUTS],
          attrs={"num_sparse": 0, "sparse_keys": [], "dense_keys": [], **_PARSE_ATTRS},
          shape=_parse_single_example_shape, differentiable=False)


class FixedLenFeature(collections.namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"])):
    """TF1 `tf.FixedLenFeature(shape, dtype, default_value=None)`: a dense feature of a fully
    known shape; without a default, examples lacking it are an error."""

    __slots__ = ()

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


VarLenFeature = collections.namedtuple("VarLenFeature", ["dtype"])
VarLenFeature.__doc__ = "TF1 `tf.VarLenFeature(dtype)`: a feature of any length, parsed to a SparseTensor."


def _features_to_raw_params(features):
    """(sparse keys, sparse types, dense features by key) in key order, with TF1's checks."""
    if not features:
        raise ValueError(f"Missing: features was {features}.")
    sparse_keys, sparse_types, dense = [], [], {}
    for key in sorted(features):
        feature = features[key]
        if not isinstance(feature, (VarLenFeature, FixedLenFeature)):
            raise ValueError(f"Invalid feature {key}:{feature}.")
        if not feature.dtype:
            raise ValueError(f"Missing type for feature {key}.")
        if isinstance(feature, VarLenFeature):
            sparse_keys.append(key)
            sparse_types.append(dtypes.as_dtype(feature.dtype))
            continue
        if feature.shape is None:
            raise ValueError(f"Missing shape for feature {key}.")
        shape = as_shape(feature.shape)
        if shape.ndims and shape[0].value is None:
            raise ValueError(f"First dimension of shape for feature {key} unknown. Consider using "
                             "FixedLenSequenceFeature.")
        if not shape.is_fully_defined():
            raise ValueError(f"All dimensions of shape for feature {key} need to be known but "
                             f"received {feature.shape}.")
        dense[key] = feature._replace(shape=shape, dtype=dtypes.as_dtype(feature.dtype))
    return sparse_keys, sparse_types, dense


def _dense_default(key, feature):
    """The default tensor of a dense feature: empty when it has none (the feature is required)."""
    if feature.default_value is None:
        return constant([], dtype=feature.dtype)
    if isinstance(feature.default_value, Tensor):
        return feature.default_value
    value = convert_to_tensor(feature.default_value, dtype=feature.dtype,
                              name="key_" + re.sub(r"[^A-Za-z0-9_.\-/]", "_", key))
    return reshape(value, feature.shape.as_list())


def _parsed(outputs, sparse_keys, dense_keys):
    """The op's flat outputs (a lone output comes alone) as {key: SparseTensor or dense Tensor}."""
    outputs = outputs if isinstance(outputs, list) else [outputs]
    n = len(sparse_keys)
    sparse = [SparseTensor(outputs[i], outputs[n + i], outputs[2 * n + i]) for i in range(n)]
    return dict(zip(sparse_keys + dense_keys, sparse + list(outputs[3 * n:])))


def _raw_params(features):
    sparse_keys, sparse_types, dense = _features_to_raw_params(features)
    dense_keys = list(dense)
    return sparse_keys, sparse_types, dense_keys, {
        "sparse_types": sparse_types, "Tdense": [dense[k].dtype for k in dense_keys],
        "dense_shapes": [dense[k].shape for k in dense_keys]}, dense


def parse_example(serialized, features, name=None, example_names=None):
    """TF1 `tf.parse_example`: a batch (vector) of serialized Examples to {key: tensor}.

    Dense features come back as [batch] + shape tensors; VarLenFeatures as SparseTensors with
    indices [example, position] and dense_shape [batch, longest list]. `example_names` (a vector
    like `serialized`) only serves error messages.
    """
    sparse_keys, _, dense_keys, attrs, dense = _raw_params(features)
    with name_scope(name, "ParseExample", [serialized, example_names]):
        defaults = [_dense_default(k, dense[k]) for k in dense_keys]
        names = constant([] if example_names is None else example_names, dtype=dtypes.string)
        outputs = apply_op("ParseExample", serialized, names, sparse_keys, dense_keys, defaults,
                           name="ParseExample", **attrs)
    return _parsed(outputs, sparse_keys, dense_keys)


def parse_single_example(serialized, features, name=None, example_names=None):
    """TF1 `tf.parse_single_example`: one serialized Example (a scalar) to {key: tensor}.

    Departure: `example_names` is accepted and ignored (TF1 uses it in error messages only).
    """
    del example_names
    sparse_keys, _, dense_keys, attrs, dense = _raw_params(features)
    with name_scope(name, "ParseSingleExample", [serialized]):
        serialized = convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        if serialized.shape.ndims not in (None, 0):
            raise ValueError("Input serialized must be a scalar")
        defaults = [_dense_default(k, dense[k]) for k in dense_keys]
        outputs = apply_op("ParseSingleExample", serialized, defaults, num_sparse=len(sparse_keys),
                           sparse_keys=sparse_keys, dense_keys=dense_keys, name="ParseSingleExample",
                           **attrs)
    return _parsed(outputs, sparse_keys, dense_keys)
