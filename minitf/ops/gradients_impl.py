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
from minitf.framework.indexed_slices import IndexedSlices
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
        x_set = set(xs)
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
                # Gradients for inputs off every x-to-y path are never used: drop them before
                # gating, so the plan prunes them (e.g. MatMul's gradient for a fed batch).
                wanted = [t in x_set or t.op in between for t in op.inputs]
                for tensor, grad in zip(op.inputs, _call_grad_fn(op, out_grads, gate_gradients, wanted)):
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
            dtype = y.dtype.base_dtype
            if dtype.is_complex:
                raise TypeError(f"Gradients of complex tensors ({y}) must set grad_ys (y.dtype = {dtype.name})")
            if not (dtype.is_floating or dtype.is_integer or dtype == dtypes.bool):
                raise TypeError(f"Tensor {y} with type {dtype.name} must be numeric to obtain a default gradient")
            # An integer y gets a gradient seed too; it stops at the first integer input (TF1: None).
            grad_y = ones_like(y, name=f"grad_ys_{i}")
        else:
            grad_y = convert_to_tensor(grad_y, dtype=y.dtype.base_dtype, name=f"grad_ys_{i}")
        result.append(grad_y)
    return result


def _aggregate(grad_list, tensor):
    """One gradient from all the paths that reached `tensor`: AddN of dense gradients. When a
    path gave a sparse one (an IndexedSlices, from a gather), TF1 keeps the sum sparse: dense
    gradients become slices of every row, and all the slices are concatenated."""
    if not grad_list:
        return None
    if len(grad_list) == 1:
        return grad_list[0]
    from minitf.ops import array_ops, math_ops, selection_ops
    with name_scope(f"{tensor.op.name}_grad_sum"):
        if not any(isinstance(g, IndexedSlices) for g in grad_list):
            return math_ops.add_n(grad_list)
        slices = []
        for grad in grad_list:
            if not isinstance(grad, IndexedSlices):
                shape = array_ops.shape(grad)
                grad = IndexedSlices(grad, selection_ops.range(shape[0]), shape)
            slices.append(grad)
        indices = [g.indices for g in slices]
        if len({i.dtype.base_dtype for i in indices}) > 1:
            indices = [math_ops.cast(i, dtypes.int64) for i in indices]
        return IndexedSlices(array_ops.concat([g.values for g in slices], 0), array_ops.concat(indices, 0),
                             slices[0].dense_shape)


# Ops whose gradient functions take a sparse (IndexedSlices) gradient as it is, and keep it
# sparse as TF1's do; every other gradient function gets it made dense.
_SPARSE_PASS_THROUGH = frozenset(["Identity", "Cast", "ConcatV2"])


def _call_grad_fn(op, out_grads, gate_gradients, wanted):
    grad_fn = op.op_def.gradient
    if grad_fn is None:
        if not op.op_def.differentiable:
            return [None] * len(op.inputs)
        raise LookupError(f"No gradient defined for operation '{op.name}' (op type: {op.type})")
    with name_scope(f"{op.name}_grad"):
        # As in TF1, a float output that no path reached gets a zero gradient. Sparse gradients
        # pass through identities (a variable's read) and are made dense for anything else.
        filled = [zeros_like(t) if g is None and _is_backpropagatable(t) else
                  convert_to_tensor(g) if isinstance(g, IndexedSlices) and op.type not in _SPARSE_PASS_THROUGH
                  else g for t, g in zip(op.outputs, out_grads)]
        in_grads = grad_fn(op, *filled)
        in_grads = list(in_grads) if isinstance(in_grads, (list, tuple)) else [in_grads]
        if len(in_grads) != len(op.inputs):
            raise ValueError(f"Gradient function for {op.type} returned {len(in_grads)} gradients, "
                             f"expected {len(op.inputs)}")
        in_grads = [g if keep else None for g, keep in zip(in_grads, wanted)]
        if gate_gradients and sum(g is not None for g in in_grads) > 1:
            from minitf.ops.control_flow_ops import tuple as gated_tuple
            in_grads = gated_tuple(in_grads)
    return in_grads



def unbroadcast(grad, x, other=None):
    """`grad` (shaped like a broadcast result of `x` and `other`) summed back to x's shape.

    Decides statically where it can: no op when `other` cannot have widened `x` (the bias of a
    batch of unknown size), fixed axes when x's shape is known; otherwise BroadcastGradientArgs
    finds the axes at run time. The result carries x's static shape.
    """
    from minitf.ops import array_ops, math_ops
    if other is not None and _keeps_shape(x.shape, other.shape):
        return grad
    if x.shape.is_fully_defined() and grad.shape.ndims is not None:
        dims, grad_dims = x.shape.as_list(), grad.shape.as_list()
        lead = len(grad_dims) - len(dims)
        ones = [lead + i for i, d in enumerate(dims) if d == 1 and grad_dims[lead + i] != 1]
        axes = list(range(lead)) + ones
        if not axes:
            return grad
        summed = math_ops.reduce_sum(grad, axes)
        # Summing dropped x's size-1 dims: put them back.
        return shaped_like(array_ops.reshape(summed, dims) if ones else summed, x)
    x_dynamic, grad_dynamic = array_ops.shape(x), array_ops.shape(grad)
    axes, _ = apply_op("BroadcastGradientArgs", x_dynamic, grad_dynamic)
    return shaped_like(array_ops.reshape(math_ops.reduce_sum(grad, axes), x_dynamic), x)


def _keeps_shape(x_shape, other_shape):
    """Whether broadcasting `x` against `other` leaves x's shape as it is, whatever values the
    unknown dims take at run time (each aligned dim of `other` is 1, or x's is known and not 1)."""
    if x_shape.ndims is None or other_shape.ndims is None or other_shape.ndims > x_shape.ndims:
        return False
    aligned = x_shape.dims[x_shape.ndims - other_shape.ndims:]
    return all(o.value == 1 or (d.value is not None and d.value != 1) for d, o in zip(aligned, other_shape.dims))


def shaped_like(result, x):
    """`result`, a new tensor holding x's gradient, with the static shape x is known to have
    (what run-time shape vectors cannot tell the shape functions)."""
    if not result.shape.is_fully_defined():
        result.set_shape(x.shape)
    return result


def broadcast_gradient_args(s0, s1):
    """The BroadcastGradientArgs computation on concrete shape vectors (shared with the kernel)."""
    s0, s1 = [int(d) for d in np.reshape(s0, -1)], [int(d) for d in np.reshape(s1, -1)]
    rank = max(len(s0), len(s1))
    p0, p1 = [1] * (rank - len(s0)) + s0, [1] * (rank - len(s1)) + s1
    r0 = [i for i, (a, b) in enumerate(zip(p0, p1)) if a == 1 and b != 1 or (a == 1 and b == 1)]
    r1 = [i for i, (a, b) in enumerate(zip(p0, p1)) if b == 1 and a != 1 or (a == 1 and b == 1)]
    return r0, r1
