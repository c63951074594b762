"""Control flow: no_op, group, tuple, with_dependencies, Assert, and `cond` built from Switch and Merge."""
import builtins

from minitf.framework import dtypes
from minitf.framework.common_shapes import SCALAR
from minitf.framework.default_graph import control_dependencies, get_default_graph, name_scope
from minitf.framework.op_def import TypeAttr, TypeListAttr, define_op
from minitf.framework.indexed_slices import IndexedSlices
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.ops.op_builder import apply_op

define_op("NoOp", shape=lambda op: [], differentiable=False)


def _assert_shape(op):
    op.inputs[0].shape.merge_with(SCALAR)  # the condition must be a scalar
    return []


# TF1's logging op: fails the step with InvalidArgumentError when `condition` is false.
define_op("Assert", inputs=["condition: bool", "data: T"], attrs={"T": TypeListAttr(), "summarize": 3},
          shape=_assert_shape, stateful=True, differentiable=False)


# Resource handles (queues, readers) may flow through a cond, as in TF1.
_ANY = TypeAttr(dtypes.ALL | {dtypes.resource})
define_op("Switch", inputs=["data: T", "pred: bool"], outputs=["output_false: T", "output_true: T"],
          attrs={"T": _ANY}, shape=lambda op: [op.inputs[0].shape] * 2)
define_op("RefSwitch", inputs=["data: Ref(T)", "pred: bool"],
          outputs=["output_false: Ref(T)", "output_true: Ref(T)"],
          attrs={"T": TypeAttr()}, shape=lambda op: [op.inputs[0].shape] * 2)


def _merge_shape(op):
    shape = op.inputs[0].shape
    for tensor in op.inputs[1:]:
        shape = _most_specific_compatible(shape, tensor.shape)
    return [shape, SCALAR]


def _most_specific_compatible(a, b):
    from minitf.framework.tensor_shape import TensorShape
    if a.dims is None or b.dims is None or len(a.dims) != len(b.dims):
        return TensorShape(None)
    return TensorShape([x.value if x.value == y.value else None for x, y in zip(a.dims, b.dims)])


define_op("Merge", inputs=["inputs: N * T"], outputs=["output: T", "value_index: int32"],
          attrs={"T": _ANY, "N": 2}, shape=_merge_shape)


def no_op(name=None):
    """TF1 `tf.no_op`: does nothing; useful as a target with control dependencies."""
    return apply_op("NoOp", name=name or "NoOp")


def group(*inputs, **kwargs):
    """TF1 `tf.group`: one op that runs after all `inputs` (ops or tensors)."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"Unknown keyword arguments: {', '.join(kwargs)}")
    ops = []
    for item in inputs:
        if isinstance(item, (list, builtins.tuple)):
            ops.extend(_as_op(x) for x in item)
        else:
            ops.append(_as_op(item))
    with name_scope(name, "group_deps", ops) as scope:
        with control_dependencies(ops):
            return no_op(name=scope)


def _as_op(item):
    if isinstance(item, Operation):
        return item
    if isinstance(item, Tensor):
        return item.op
    if hasattr(item, "op"):
        return item.op
    raise TypeError(f"Expected an Operation or Tensor, got {item!r}")


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 - TF1's name
    """TF1 `tf.Assert`: an op raising InvalidArgumentError ("assertion failed: [data...]", the first
    `summarize` entries of each tensor) when `condition` is false. Departure: TF1 guards data that
    is not string/int32 with a cond (to avoid copying it to the host); here it is always direct."""
    from minitf.ops.constant_op import convert_n_to_tensor
    with name_scope(name, "Assert", [condition, data]) as name:
        convert_n_to_tensor(data)  # TF1 converts the data twice: kept for its node names
        return apply_op("Assert", condition, list(data), summarize=3 if summarize is None else summarize,
                        name="Assert")


def tuple(tensors, name=None, control_inputs=None):  # noqa: A001 - TF1's name
    """TF1 `tf.tuple`: the tensors, each available only after all of them are computed."""
    with name_scope(name, "tuple", tensors):
        gate = group(*[t.values if isinstance(t, IndexedSlices) else t for t in tensors if t is not None],
                     *(control_inputs or []))
        return [None if t is None else with_dependencies([gate], t) for t in tensors]


def with_dependencies(dependencies, output_tensor, name=None):
    """`output_tensor` passed through an Identity that runs after `dependencies` (each part of
    an IndexedSlices, which stays one)."""
    from minitf.ops.array_ops import identity
    with name_scope(name, "control_dependency", list(dependencies) + [output_tensor]) as scope:
        with control_dependencies(dependencies):
            if isinstance(output_tensor, Operation):
                return group(output_tensor, name=scope)
            if isinstance(output_tensor, IndexedSlices):
                return IndexedSlices(identity(output_tensor.values, name=scope), output_tensor.indices,
                                     output_tensor.dense_shape)
            return identity(output_tensor, name=scope)


# ======================================================================================
# cond: Switch routes each input to the taken branch; the other side gets a dead value,
# which makes every op that depends on it skip (the executor's liveness guard). Merge
# forwards whichever input is live.
# ======================================================================================
class CondContext:
    """Routes tensors from outside a cond branch through a Switch, so the branch runs only if taken."""

    def __init__(self, pred, pivot, branch, outer):
        self.pred = pred
        self.pivot = pivot
        self.branch = branch
        self.outer = outer
        self._switched = {}
        self._ops = set()

    def enter_inputs(self, inputs):
        return [self._enter(t) for t in inputs]

    def _enter(self, tensor):
        if tensor.op in self._ops or tensor is self.pivot:
            return tensor
        switched = self._switched.get(tensor)
        if switched is None:
            graph = tensor.graph
            if self.outer is not None:
                tensor = self.outer._enter(tensor)
            with control_dependencies(None):
                graph._control_flow_context = self.outer  # the Switch belongs to the outer branch
                switch_type = "RefSwitch" if tensor.dtype.is_ref_dtype else "Switch"
                outputs = apply_op(switch_type, tensor, self.pred, name=switch_type)
            switched = self._switched[tensor] = outputs[self.branch]
        return switched

    def gate_for_sourceless_op(self, control_inputs):
        """An op without data inputs runs only in the taken branch: it gets the pivot as a control
        input unless one of its control inputs is already inside the branch (TF1's rule)."""
        if any(c in self._ops for c in control_inputs):
            return []
        return [self.pivot.op]

    def add_op(self, op):
        self._ops.add(op)
        op._cond_context = self
        if self.outer is not None:
            self.outer.add_op(op)


def _switch_pred(pred):
    from minitf.ops.array_ops import identity
    switch_false, switch_true = apply_op("Switch", pred, pred, name="Switch")
    return identity(switch_false, name="switch_f"), identity(switch_true, name="switch_t")


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """TF1 `tf.cond`: the result of `true_fn()` if `pred` else `false_fn()`; only the taken
    branch's ops run. Both branches must return the same structure of tensors."""
    from minitf.ops.array_ops import identity
    from minitf.ops.constant_op import convert_to_tensor
    true_fn = true_fn if true_fn is not None else fn1
    false_fn = false_fn if false_fn is not None else fn2
    if not callable(true_fn) or not callable(false_fn):
        raise TypeError("true_fn and false_fn must be callable.")
    with name_scope(name, "cond", [pred]):
        pred = convert_to_tensor(pred)
        if pred.dtype.base_dtype != dtypes.bool or pred.shape.ndims not in (0, None):
            raise TypeError(f"pred must be a scalar bool tensor, got {pred}")
        graph = get_default_graph()
        outer = graph._control_flow_context
        pivot_false, pivot_true = _switch_pred(pred)
        results = []
        for branch, pivot, fn in ((1, pivot_true, true_fn), (0, pivot_false, false_fn)):
            context = CondContext(pred, pivot, branch, outer)
            context.add_op(pivot.op)
            graph._control_flow_context = context
            try:
                value = fn()
                results.append(_map_structure(
                    lambda t: identity(t) if not isinstance(t, Operation) else _op_output(t, pivot), value))
            finally:
                graph._control_flow_context = outer
        true_result, false_result = results
        true_flat, false_flat = _flatten(true_result), _flatten(false_result)
        if len(true_flat) != len(false_flat):
            raise ValueError("Outputs of true_fn and false_fn must have the same structure")
        merged = []
        for t, f in zip(true_flat, false_flat):
            if t.dtype.base_dtype != f.dtype.base_dtype:
                raise ValueError(f"Outputs of true_fn and false_fn must have the same type: "
                                 f"{t.dtype.name}, {f.dtype.name}")
            merged.append(apply_op("Merge", [f, t], name="Merge")[0])
        result = _pack_like(true_result, merged)
        if not strict and isinstance(result, (list, builtins.tuple)) and len(result) == 1 \
                and not hasattr(result, "_fields"):
            return result[0]
        return result


def _op_output(op, pivot):
    """A branch returning an op yields a pivot-gated value so Merge has something to forward."""
    from minitf.ops.array_ops import identity
    with control_dependencies([op]):
        return identity(pivot)


def _flatten(value):
    if isinstance(value, (list, builtins.tuple)):
        return [x for item in value for x in _flatten(item)]
    if isinstance(value, dict):
        return [x for key in sorted(value) for x in _flatten(value[key])]
    return [value]


def _map_structure(fn, value):
    if isinstance(value, (list, builtins.tuple)):
        mapped = [_map_structure(fn, v) for v in value]
        return type(value)(*mapped) if hasattr(value, "_fields") else type(value)(mapped)
    if isinstance(value, dict):
        return {key: _map_structure(fn, v) for key, v in value.items()}
    if value is None:
        raise ValueError("cond branches must return tensors, not None")
    if not isinstance(value, (Tensor, Operation)):
        from minitf.ops.constant_op import convert_to_tensor
        value = convert_to_tensor(value)
    return fn(value)


def _pack_like(structure, flat):
    flat = list(flat)

    def build(value):
        if isinstance(value, (list, builtins.tuple)):
            items = [build(v) for v in value]
            return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
        if isinstance(value, dict):
            return {key: build(value[key]) for key in sorted(value)}
        return flat.pop(0)
    return build(structure)
