"""Variable ops (TF1's ref variables): VariableV2, Assign, AssignAdd, AssignSub, IsVariableInitialized,
CountUpTo, and the sparse updates ScatterUpdate, ScatterAdd, ScatterSub, ScatterMul, ScatterDiv,
ScatterMin, ScatterMax."""
from minitf.framework import dtypes
from minitf.framework.common_shapes import unchanged, SCALAR
from minitf.framework.op_def import TypeAttr, REQUIRED, define_op
from minitf.framework.tensor_shape import as_shape
from minitf.ops.array_static import merge_dims
from minitf.ops.op_builder import apply_op

define_op("VariableV2", outputs=["ref: Ref(dtype)"],
          attrs={"shape": REQUIRED, "dtype": TypeAttr(), "container": "", "shared_name": ""},
          shape=lambda op: [as_shape(op.get_attr("shape"))], stateful=True, differentiable=False)
define_op("Assign", inputs=["ref: Ref(T)", "value: T"], outputs=["output_ref: Ref(T)"],
          attrs={"T": TypeAttr(), "validate_shape": True, "use_locking": True},
          shape=lambda op: [op.inputs[1].shape if op.get_attr("validate_shape") is False
                            else op.inputs[0].shape.merge_with(op.inputs[1].shape)],
          stateful=True, differentiable=False)
for _name in ("AssignAdd", "AssignSub"):
    define_op(_name, inputs=["ref: Ref(T)", "value: T"], outputs=["output_ref: Ref(T)"],
              attrs={"T": TypeAttr(dtypes.NUMBERS), "use_locking": False},
              shape=unchanged, stateful=True, differentiable=False)
define_op("IsVariableInitialized", inputs=["ref: Ref(dtype)"], outputs=["is_initialized: bool"],
          attrs={"dtype": TypeAttr()}, shape=lambda op: [SCALAR], stateful=True, differentiable=False)
define_op("CountUpTo", inputs=["ref: Ref(T)"], outputs=["output: T"],
          attrs={"limit": REQUIRED, "T": TypeAttr({dtypes.int32, dtypes.int64})},
          shape=lambda op: [op.inputs[0].shape.merge_with(SCALAR)], stateful=True, differentiable=False)


def _scatter_shape(op):
    """TF1's: `updates` is a scalar (applied to every named row) or has shape
    indices.shape + ref.shape[1:]; the output is the variable, so it keeps ref's shape."""
    ref, indices, updates = (tensor.shape for tensor in op.inputs)
    if updates.ndims != 0:
        merge_dims(updates, indices.concatenate(ref[1:]))  # updates first: TF's message order
    return [ref]


# op type: (tf.* function, the dtypes T may take, use_locking's default), as TF1's op defs say
# (ScatterMin/ScatterMax take only the real types TF1 has kernels for).
_SCATTER_OPS = {
    "ScatterUpdate": ("scatter_update", dtypes.ALL, True),
    "ScatterAdd": ("scatter_add", dtypes.NUMBERS, False),
    "ScatterSub": ("scatter_sub", dtypes.NUMBERS, False),
    "ScatterMul": ("scatter_mul", dtypes.NUMBERS, False),
    "ScatterDiv": ("scatter_div", dtypes.NUMBERS, False),
    "ScatterMin": ("scatter_min", dtypes.FLOATS | {dtypes.int32, dtypes.int64}, False),
    "ScatterMax": ("scatter_max", dtypes.FLOATS | {dtypes.int32, dtypes.int64}, False),
}
for _name, (_, _types, _locking) in _SCATTER_OPS.items():
    define_op(_name, inputs=["ref: Ref(T)", "indices: Tindices", "updates: T"], outputs=["output_ref: Ref(T)"],
              attrs={"T": TypeAttr(_types), "Tindices": TypeAttr(dtypes.INDEX), "use_locking": _locking},
              shape=_scatter_shape, stateful=True, differentiable=False)


def variable_op_v2(shape, dtype, name="Variable", container="", shared_name=""):
    """The raw VariableV2 op's ref output (what `tf.Variable` builds on)."""
    from minitf.framework.default_graph import get_default_graph
    graph = get_default_graph()
    return apply_op("VariableV2", name=name, shape=as_shape(shape), dtype=dtypes.as_dtype(dtype),
                    container=container or graph._container, shared_name=shared_name)


def _ref_of(ref):
    return ref._ref() if hasattr(ref, "_ref") else ref


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """TF1 `tf.assign`: stores `value` in variable `ref`; the result is the variable's new value."""
    attrs = {}
    if validate_shape is not None:
        attrs["validate_shape"] = validate_shape
    if use_locking is not None:
        attrs["use_locking"] = use_locking
    return apply_op("Assign", _ref_of(ref), value, name=name or "Assign", **attrs)


def assign_add(ref, value, use_locking=None, name=None):
    """TF1 `tf.assign_add`: `ref += value`."""
    return apply_op("AssignAdd", _ref_of(ref), value, name=name or "AssignAdd",
                    **({} if use_locking is None else {"use_locking": use_locking}))


def assign_sub(ref, value, use_locking=None, name=None):
    """TF1 `tf.assign_sub`: `ref -= value`."""
    return apply_op("AssignSub", _ref_of(ref), value, name=name or "AssignSub",
                    **({} if use_locking is None else {"use_locking": use_locking}))


def is_variable_initialized(ref, name=None):
    """TF1 `tf.is_variable_initialized`: a bool scalar."""
    return apply_op("IsVariableInitialized", _ref_of(ref), name=name or "IsVariableInitialized")


def count_up_to(ref, limit, name=None):
    """TF1 `tf.count_up_to`: increments the scalar int variable `ref` and returns its value before
    the increment; raises OutOfRangeError ("Reached limit of N") once it has reached `limit`."""
    return apply_op("CountUpTo", _ref_of(ref), limit=limit, name=name or "CountUpTo")


def _scatter_function(op_type, update):
    """The tf.* wrapper of a scatter op; `update` says what it does to each named row."""
    def scatter(ref, indices, updates, use_locking=None, name=None):
        return apply_op(op_type, _ref_of(ref), indices, updates, name=name or op_type,
                        **({} if use_locking is None else {"use_locking": use_locking}))
    scatter.__name__ = scatter.__qualname__ = _SCATTER_OPS[op_type][0]
    scatter.__doc__ = (f"TF1 `tf.{scatter.__name__}`: `{update}` for each i, rows named twice updated in "
                       f"turn; `updates` may be a scalar. The result is the variable's new value.")
    return scatter


scatter_update = _scatter_function("ScatterUpdate", "ref[indices[i]] = updates[i]")
scatter_add = _scatter_function("ScatterAdd", "ref[indices[i]] += updates[i]")
scatter_sub = _scatter_function("ScatterSub", "ref[indices[i]] -= updates[i]")
scatter_mul = _scatter_function("ScatterMul", "ref[indices[i]] *= updates[i]")
scatter_div = _scatter_function("ScatterDiv", "ref[indices[i]] /= updates[i]")
scatter_min = _scatter_function("ScatterMin", "ref[indices[i]] = min(ref[indices[i]], updates[i])")
scatter_max = _scatter_function("ScatterMax", "ref[indices[i]] = max(ref[indices[i]], updates[i])")
