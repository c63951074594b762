"""Reverse-mode autodiff (TF1 `tf.gradients`): gradient ops are built symbolically in the graph.

Each op type registers `grad_fn(op, *output_grads) -> [input grads]` (minitf.framework.op_def.
register_gradient) next to its family, in ops/*_grad.py. `gradients` walks the ops between `xs`
and `ys` in reverse topological order, sums the gradients reaching each tensor (AddN), and calls
each op's gradient function under the name scope `gradients/<op name>_grad`.
"""
import heapq

import numpy as np

from minitf.framework import dtypes
from minitf.framework.tensor_shape import TensorShape
from minitf.framework.common_shapes import unchanged
from minitf.framework.default_graph import name_scope
from minitf.framework.op_def import TypeAttr, define_op
from minitf.ops.array_ops import ones_like, zeros_like
from minitf.ops.constant_op import convert_to_tensor
from minitf.ops.op_builder import apply_op

__all__ = ["gradients", "stop_gradient"]

define_op("StopGradient", inputs=["input: T"], outputs=["output: T"], attrs={"T": TypeAttr()},
          shape=unchanged, differentiable=False)
define_op("BroadcastGradientArgs", inputs=["s0: T", "s1: T"], outputs=["r0: T", "r1: T"],
          attrs={"T": TypeAttr(dtypes.INDEX, default=dtypes.int32)},
          shape=lambda op: [TensorShape([None])] * 2, differentiable=False)


def stop_gradient(input, name=None):  # noqa: A002 - TF1's argument name
    """TF1 `tf.stop_gradient`: the identity, but gradients do not flow through it."""
    return apply_op("StopGradient", input, name=name or "StopGradient")


def _is_backpropagatable(tensor):
    dtype = tensor.dtype.base_dtype
    return dtype.is_floating or dtype.is_complex


def _as_tensors(values, name, as_ref):
    single = not isinstance(values, (list, tuple))
    values = [values] if single else list(values)
    return [convert_to_tensor(v, name=name, as_ref=as_ref) for v in values]


def _ops_between(ys, xs):
    """The ops on a data path from some x to some y: reachable forward from the consumers of
    the xs, and backward from the ys."""
    forward, stack = set(), [op for x in xs for op in x.consumers()]
    while stack:
        op = stack.pop()
        if op not in forward:
            forward.add(op)
            stack.extend(consumer for output in op.outputs for consumer in output.consumers())
    between, stack = set(), [y.op for y in ys]
    while stack:
        op = stack.pop()
        if op in forward and op not in between:
            between.add(op)
            stack.extend(t.op for t in op.inputs)
    return between


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False,
              gate_gradients=False, aggregation_method=None, stop_gradients=None):
    """TF1 `tf.gradients`: d(sum of ys)/d(x) for each x in xs (None where x does not reach ys).

    `grad_ys` weights each y (default: ones). Integer tensors get no gradient, and none flows
    through `stop_gradients`. Ops of a type that is differentiable but has no registered
    gradient raise LookupError naming the type.
    """
    del colocate_gradients_with_ops, aggregation_method
    ys = _as_tensors(ys, "y", as_ref=False)
    xs = _as_tensors(xs, "x", as_ref=True)
    stopped = set(_as_tensors(stop_gradients, "stop", as_ref=False)) if stop_gradients is not None else set()
    graph = ys[0].graph
    with graph.as_default(), name_scope(name, "gradients", ys + xs):
        grads = {}
        for y, grad_y in zip(ys, _default_grad_ys(ys, grad_ys)):
            grads.setdefault(y, []).append(grad_y)
        between = _ops_between(ys, xs)
        pending = dict.fromkeys(between, 0)
        for op in between:
            for tensor in op.inputs:
                if tensor.op in pending:
                    pending[tensor.op] += 1
        # Latest-created ready op first: a reverse topological order that is deterministic.
        ready = [(-op._id, op) for op, count in pending.items() if count == 0]
        heapq.heapify(ready)
        while ready:
            _, op = heapq.heappop(ready)
            out_grads = [None if t in stopped else _aggregate(grads.get(t), t) for t in op.outputs]
            if any(g is not None for g in out_grads):
                for tensor, grad in zip(op.inputs, _call_grad_fn(op, out_grads, gate_gradients)):
                    if grad is not None and _is_backpropagatable(tensor):
                        grads.setdefault(tensor, []).append(grad)
            for tensor in op.inputs:
                if tensor.op in pending:
                    pending[tensor.op] -= 1
                    if pending[tensor.op] == 0:
                        heapq.heappush(ready, (-tensor.op._id, tensor.op))
        return [_aggregate(grads.get(x), x) if _is_backpropagatable(x) else None for x in xs]


def _default_grad_ys(ys, grad_ys):
    if grad_ys is None:
        grad_ys = [None] * len(ys)
    elif not isinstance(grad_ys, (list, tuple)):
        grad_ys = [grad_ys]
    if len(grad_ys) != len(ys):
        raise ValueError(f"Passed {len(grad_ys)} grad_ys for {len(ys)} ys")
    result = []
    for i, (y, grad_y) in enumerate(zip(ys, grad_ys)):
        if grad_y is None:
            if not _is_backpropagatable(y):
                raise TypeError(f"Gradients of complex or integer tensors are not supported: {y}")
            grad_y = ones_like(y, name=f"grad_ys_{i}")
        else:
            grad_y = convert_to_tensor(grad_y, dtype=y.dtype.base_dtype, name=f"grad_ys_{i}")
        result.append(grad_y)
    return result


def _aggregate(grad_list, tensor):
    """One gradient from all the paths that reached `tensor` (AddN when there are several)."""
    if not grad_list:
        return None
    if len(grad_list) == 1:
        return grad_list[0]
    from minitf.ops.math_ops import add_n
    with name_scope(f"{tensor.op.name}_grad_sum"):
        return add_n(grad_list)


def _call_grad_fn(op, out_grads, gate_gradients):
    grad_fn = op.op_def.gradient
    if grad_fn is None:
        if not op.op_def.differentiable:
            return [None] * len(op.inputs)
        raise LookupError(f"No gradient defined for operation '{op.name}' (op type: {op.type})")
    with name_scope(f"{op.name}_grad"):
        # As in TF1, a float output that no path reached gets a zero gradient.
        filled = [zeros_like(t) if g is None and _is_backpropagatable(t) else g
                  for t, g in zip(op.outputs, out_grads)]
        in_grads = grad_fn(op, *filled)
        in_grads = list(in_grads) if isinstance(in_grads, (list, tuple)) else [in_grads]
        if len(in_grads) != len(op.inputs):
            raise ValueError(f"Gradient function for {op.type} returned {len(in_grads)} gradients, "
                             f"expected {len(op.inputs)}")
        if gate_gradients and sum(g is not None for g in in_grads) > 1:
            from minitf.ops.control_flow_ops import tuple as gated_tuple
            in_grads = gated_tuple(in_grads)
    return in_grads



def unbroadcast(grad, x):
    """`grad` (shaped like a broadcast result) summed back to the shape of input `x`.

    When both static shapes are known the reduction axes are computed now and the common case of
    equal shapes costs nothing; otherwise BroadcastGradientArgs finds them at run time.
    """
    from minitf.ops import array_ops, math_ops
    x_shape, grad_shape = x.shape, grad.shape
    if x_shape.is_fully_defined() and grad_shape.is_fully_defined():
        x_dims, grad_dims = x_shape.as_list(), grad_shape.as_list()
        if x_dims == grad_dims:
            return grad
        axes = broadcast_reduction_axes(x_dims, grad_dims)
        summed = math_ops.reduce_sum(grad, axes) if axes else grad
        return array_ops.reshape(summed, x_dims)
    x_dynamic, grad_dynamic = array_ops.shape(x), array_ops.shape(grad)
    axes, _ = apply_op("BroadcastGradientArgs", x_dynamic, grad_dynamic)
    return array_ops.reshape(math_ops.reduce_sum(grad, axes), x_dynamic)


def broadcast_reduction_axes(x_dims, result_dims):
    """The axes of `result_dims` along which a tensor of `x_dims` was broadcast."""
    lead = len(result_dims) - len(x_dims)
    padded = [1] * lead + list(x_dims)
    return [i for i, (a, b) in enumerate(zip(padded, result_dims)) if i < lead or (a == 1 and b != 1)]


def broadcast_gradient_args(s0, s1):
    """The BroadcastGradientArgs computation on concrete shape vectors (shared with the kernel)."""
    s0, s1 = [int(d) for d in np.reshape(s0, -1)], [int(d) for d in np.reshape(s1, -1)]
    rank = max(len(s0), len(s1))
    p0, p1 = [1] * (rank - len(s0)) + s0, [1] * (rank - len(s1)) + s1
    r0 = [i for i, (a, b) in enumerate(zip(p0, p1)) if a == 1 and b != 1 or (a == 1 and b == 1)]
    r1 = [i for i, (a, b) in enumerate(zip(p0, p1)) if b == 1 and a != 1 or (a == 1 and b == 1)]
    return r0, r1
