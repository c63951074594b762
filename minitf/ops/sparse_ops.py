"""TF1's dense views of sparse data: `tf.sparse_to_dense`, `tf.sparse_tensor_to_dense` (and
`tf.sparse.to_dense`), one SparseToDense op: `output_shape` filled with `default_value`, and
`sparse_values` written at `sparse_indices` (an index per row of an [N, rank] matrix, or one
index per element of a vector, or a single scalar index)."""
from minitf.framework import dtypes
from minitf.framework.common_shapes import shape_from_tensor
from minitf.framework.default_graph import name_scope
from minitf.framework.op_def import TypeAttr, define_op
from minitf.ops.constant_op import convert_to_tensor
from minitf.ops.op_builder import apply_op
from minitf.ops.parsing_ops import SparseTensor

__all__ = ["sparse_to_dense", "sparse_tensor_to_dense"]


def _sparse_to_dense_shape(op):
    return [shape_from_tensor(op.inputs[1])]


define_op("SparseToDense", inputs=["sparse_indices: Tindices", "output_shape: Tindices", "sparse_values: T",
                                   "default_value: T"], outputs=["dense: T"],
          attrs={"T": TypeAttr(), "Tindices": TypeAttr(dtypes.INDEX), "validate_indices": True},
          shape=_sparse_to_dense_shape)


def sparse_to_dense(sparse_indices, output_shape, sparse_values, default_value=0, validate_indices=True,
                    name=None):
    """TF1 `tf.sparse_to_dense`. With `validate_indices` the indices must be sorted (row-major) and
    unique, as TF checks; out-of-bounds indices always fail."""
    with name_scope(name, "SparseToDense", [sparse_indices, output_shape, sparse_values, default_value]) as scope:
        values = convert_to_tensor(sparse_values, name="sparse_values")
        default = convert_to_tensor(default_value, dtype=values.dtype.base_dtype, name="default_value")
        return apply_op("SparseToDense", sparse_indices, output_shape, values, default,
                        validate_indices=validate_indices, name=scope)


def sparse_tensor_to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """TF1 `tf.sparse_tensor_to_dense` (`tf.sparse.to_dense`): a SparseTensor's dense tensor;
    missing entries are `default_value`, by default the values' zero (b"" for strings)."""
    if not isinstance(sp_input, SparseTensor):
        raise TypeError(f"Input must be a SparseTensor, got {type(sp_input).__name__}")
    values = convert_to_tensor(sp_input.values)
    indices = convert_to_tensor(sp_input.indices, dtype=dtypes.int64)
    shape = convert_to_tensor(sp_input.dense_shape, dtype=dtypes.int64)
    if default_value is None:
        default_value = b"" if values.dtype.base_dtype == dtypes.string else 0
    return sparse_to_dense(indices, shape, values, default_value, validate_indices,
                           name=name or "SparseToDense")
