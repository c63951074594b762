"""Array ops: placeholders, identity, and the shape/layout family (TF1 `tf.reshape`, `tf.concat`, ...)."""
from minitf.framework import dtypes
from minitf.framework.common_shapes import unchanged
from minitf.framework.op_def import TypeAttr, define_op
from minitf.framework.tensor_shape import TensorShape, as_shape
from minitf.ops.op_builder import apply_op

# The public (tf.*) names of this module; keep it in step with the functions below.
__all__ = ["placeholder", "placeholder_with_default", "identity"]

# ======================================================================================
# Placeholders and identity
# ======================================================================================
define_op("Placeholder", outputs=["output: dtype"], attrs={"dtype": TypeAttr(), "shape": TensorShape(None)},
          shape=lambda op: [as_shape(op.get_attr("shape"))], differentiable=False)
define_op("PlaceholderWithDefault", inputs=["input: dtype"], outputs=["output: dtype"],
          attrs={"dtype": TypeAttr(), "shape": TensorShape(None)},
          shape=lambda op: [as_shape(op.get_attr("shape"))])
define_op("Identity", inputs=["input: T"], outputs=["output: T"], attrs={"T": TypeAttr()}, shape=unchanged)


def placeholder(dtype, shape=None, name=None):
    """TF1 `tf.placeholder`: a value that must be fed; `shape` may have None dimensions."""
    return apply_op("Placeholder", name=name or "Placeholder", dtype=dtypes.as_dtype(dtype),
                    shape=TensorShape(shape))


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TF1's argument name
    """TF1 `tf.placeholder_with_default`: `input` unless fed; the static shape is `shape`."""
    from minitf.ops.constant_op import convert_to_tensor
    input = convert_to_tensor(input)
    shape = TensorShape(shape)
    if not shape.is_compatible_with(input.shape):
        raise ValueError(f"Shape {shape} is not compatible with the default value's shape {input.shape}")
    return apply_op("PlaceholderWithDefault", input, name=name or "PlaceholderWithDefault",
                    shape=shape)


def identity(input, name=None):  # noqa: A002
    """TF1 `tf.identity`; on a variable's ref it reads (snapshots) the value."""
    return apply_op("Identity", input, name=name or "Identity")
