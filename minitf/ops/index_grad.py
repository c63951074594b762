"""Gradients of the ops in index_ops.py, as TF 1.15 builds them. Index, shape and length inputs
get None.

GatherNd and ScatterNd are each other's transpose: the gradient of one is the other applied to
the incoming gradient with the same indices (TF 1.15's GatherNd gradient is the dense ScatterNd,
so repeated indices add up). The TensorScatter ops pass the gradient through to `tensor` (with
the overwritten entries zeroed, for an update) and gather it for `updates`.
"""
from minitf.framework.op_def import register_gradient
from minitf.ops import array_ops, index_ops


@register_gradient("GatherNd")
def _gather_nd_grad(op, grad):
    params, indices = op.inputs
    shape = array_ops.shape(params, out_type=indices.dtype.base_dtype)
    return [index_ops.scatter_nd(indices, grad, shape), None]


@register_gradient("ScatterNd")
def _scatter_nd_grad(op, grad):
    return [None, index_ops.gather_nd(grad, op.inputs[0]), None]


@register_gradient("TensorScatterUpdate")
def _tensor_scatter_update_grad(op, grad):
    """The overwritten entries of `tensor` do not reach the output. (With repeated indices every
    update gets the gradient, though only the last one lands: TF's gradient does the same.)"""
    _, indices, updates = op.inputs
    zeros = array_ops.zeros_like(updates, dtype=grad.dtype.base_dtype)
    tensor_grad = index_ops.tensor_scatter_update(array_ops.identity(grad), indices, zeros)
    return [tensor_grad, None, index_ops.gather_nd(grad, indices)]


@register_gradient("TensorScatterAdd")
@register_gradient("TensorScatterSub")
def _tensor_scatter_add_sub_grad(op, grad):
    updates_grad = index_ops.gather_nd(grad, op.inputs[1])
    if op.type == "TensorScatterSub":
        updates_grad = -updates_grad
    return [array_ops.identity(grad), None, updates_grad]


@register_gradient("MatrixBandPart")
def _matrix_band_part_grad(op, grad):
    """Entries outside the band are constant zeros: only the band passes the gradient on."""
    _, num_lower, num_upper = op.inputs
    return [index_ops.matrix_band_part(grad, num_lower, num_upper), None, None]


@register_gradient("ReverseSequence")
def _reverse_sequence_grad(op, grad):
    """Reversing the same prefixes again puts each gradient entry back where its input came from."""
    return [index_ops.reverse_sequence(grad, op.inputs[1], seq_axis=op.get_attr("seq_dim"),
                                       batch_axis=op.get_attr("batch_dim")), None]
