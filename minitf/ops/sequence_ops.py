"""TF1's evenly spaced sequences: `tf.linspace` (the LinSpace op; `tf.range` lives in
selection_ops). Kernel: kernels/sequence.py."""
from minitf.framework import dtypes
from minitf.framework.default_graph import name_scope
from minitf.framework.op_def import TypeAttr, define_op
from minitf.framework.tensor_shape import TensorShape, unknown_shape
from minitf.ops.array_static import partial_value
from minitf.ops.constant_op import convert_to_tensor
from minitf.ops.op_builder import apply_op

__all__ = ["linspace", "lin_space"]


def _scalar_error(name, shape):
    return ValueError(f"Shape must be rank 0 but is rank {shape.ndims} for '{name}'")


def _lin_space_shape(op):
    """[num] when num is known at construction, else [?]; start, stop and num must be scalars."""
    for name, tensor in zip(("start", "stop", "num"), op.inputs):
        if tensor.shape.ndims not in (None, 0):
            raise _scalar_error(name, tensor.shape)
    num = partial_value(op.inputs[2])
    if num is None or num.size != 1 or num.flat[0] is None:
        return [unknown_shape(1)]
    if int(num.flat[0]) <= 0:
        raise ValueError(f"Requires num > 0: {int(num.flat[0])}")
    return [TensorShape([int(num.flat[0])])]


define_op("LinSpace", inputs=["start: T", "stop: T", "num: Tidx"], outputs=["output: T"],
          attrs={"T": TypeAttr({dtypes.bfloat16, dtypes.float32, dtypes.float64}),
                 "Tidx": TypeAttr({dtypes.int32, dtypes.int64}, default=dtypes.int32)},
          shape=_lin_space_shape, differentiable=False)


def linspace(start, stop, num, name=None):
    """TF1 `tf.linspace` / `tf.lin_space`: `num` values from `start` to `stop` inclusive
    (start + i * (stop - start) / (num - 1)); one LinSpace op named "LinSpace" by default."""
    with name_scope(name, "LinSpace", [start, stop, num]) as scope:
        start = convert_to_tensor(start, name="start")
        stop = convert_to_tensor(stop, dtype=start.dtype.base_dtype, name="stop")
        num = convert_to_tensor(num, preferred_dtype=dtypes.int32, name="num")
        return apply_op("LinSpace", start, stop, num, name=scope)


lin_space = linspace
