"""Gradient of SparseToDense (TF1's): the written values get the gradient at their indices, the
default value the rest of it."""
from minitf.framework.op_def import register_gradient
from minitf.ops import array_ops, index_ops, math_ops


@register_gradient("SparseToDense")
def _sparse_to_dense_grad(op, grad):
    indices, shape, values, _ = op.inputs
    rank = array_ops.size(shape)
    # Scalar and vector indices name positions of a 1-D output: as [N, 1] rows for gather_nd.
    rows = array_ops.reshape(indices, array_ops.stack([-1, rank]))
    picked = index_ops.gather_nd(grad, rows)
    values_grad = math_ops.reduce_sum(picked) if values.shape.ndims == 0 else \
        array_ops.reshape(picked, array_ops.shape(values))
    default_grad = math_ops.reduce_sum(grad) - math_ops.reduce_sum(picked)
    return [None, None, values_grad, default_grad]
