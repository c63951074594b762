"""Variable ops (TF1's ref variables): VariableV2, Assign, AssignAdd, AssignSub, IsVariableInitialized,
CountUpTo."""
from minitf.framework import dtypes
from minitf.framework.common_shapes import unchanged, SCALAR
from minitf.framework.op_def import TypeAttr, REQUIRED, define_op
from minitf.framework.tensor_shape import as_shape
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
