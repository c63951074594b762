"""Random ops honouring graph- and op-level seeds (TF1 `tf.random_uniform`, `tf.random_normal`, ...).

Each random op carries the attrs `seed` and `seed2` computed by `random_seed.get_seed` when it is
created; its kernel (kernels/random.py) seeds one generator per session from them. The public
functions build TF1's node structure, e.g. `tf.random_normal([2])` makes
`random_normal/{shape,mean,stddev,RandomStandardNormal,mul}` and the final Add `random_normal`.
"""
from minitf.framework import dtypes
from minitf.framework.common_shapes import shape_from_tensor, unchanged
from minitf.framework.default_graph import name_scope
from minitf.framework.op_def import TypeAttr, define_op
from minitf.framework.random_seed import seed_attrs
from minitf.framework.tensor_shape import Dimension, TensorShape
from minitf.framework.tensor_util import constant_value
from minitf.ops.constant_op import convert_to_tensor
from minitf.ops.math_ops import add
from minitf.ops.op_builder import apply_op

# The public (tf.*) names of this module; keep it in step with the functions below.
__all__ = ["random_uniform", "random_normal", "truncated_normal", "random_shuffle", "multinomial"]

_SEED_ATTRS = {"seed": 0, "seed2": 0}


# ======================================================================================
# Shape functions
# ======================================================================================
def _check_rank(tensor, rank):
    """TF's WithRank check on an input, with TF's message (the graph appends the op and shapes)."""
    ndims = tensor.shape.ndims
    if ndims is not None and ndims != rank:
        raise ValueError(f"Shape must be rank {rank} but is rank {ndims}")


def _shape_from_shape_input(op):
    """The output shape is the value of input 0, a 1-D shape vector (as static as it is known)."""
    _check_rank(op.inputs[0], 1)
    return [shape_from_tensor(op.inputs[0])]


def _uniform_int_shape(op):
    _check_rank(op.inputs[1], 0)
    _check_rank(op.inputs[2], 0)
    return _shape_from_shape_input(op)


def _multinomial_shape(op):
    logits, num_samples = op.inputs
    _check_rank(logits, 2)
    _check_rank(num_samples, 0)
    batch = logits.shape[0] if logits.shape.dims is not None else Dimension(None)
    count = constant_value(num_samples)
    if count is not None and int(count) < 0:
        raise ValueError(f"num_samples should be nonnegative, got {int(count)}")
    return [TensorShape([batch, None if count is None else int(count)])]


# ======================================================================================
# Op declarations (TF1's op types and attrs; random sources have no gradient)
# ======================================================================================
for _op_type in ("RandomUniform", "RandomStandardNormal", "TruncatedNormal"):
    define_op(_op_type, inputs=["shape: T"], outputs=["output: dtype"],
              attrs={**_SEED_ATTRS, "dtype": TypeAttr(dtypes.FLOATS), "T": TypeAttr(dtypes.INDEX)},
              shape=_shape_from_shape_input, stateful=True, differentiable=False)
define_op("RandomUniformInt", inputs=["shape: T", "minval: Tout", "maxval: Tout"], outputs=["output: Tout"],
          attrs={**_SEED_ATTRS, "Tout": TypeAttr(dtypes.INDEX), "T": TypeAttr(dtypes.INDEX)},
          shape=_uniform_int_shape, stateful=True, differentiable=False)
define_op("RandomShuffle", inputs=["value: T"], outputs=["output: T"],
          attrs={**_SEED_ATTRS, "T": TypeAttr()}, shape=unchanged, stateful=True, differentiable=False)
define_op("Multinomial", inputs=["logits: T", "num_samples: int32"], outputs=["output: output_dtype"],
          attrs={**_SEED_ATTRS, "T": TypeAttr(dtypes.REAL),
                 "output_dtype": TypeAttr(dtypes.INDEX, default=dtypes.int64)},
          shape=_multinomial_shape, stateful=True, differentiable=False)


# ======================================================================================
# Public functions
# ======================================================================================
def _shape_tensor(shape):
    """A shape argument (list, tuple, TensorShape, array or tensor) as a 1-D tensor named "shape".

    Like TF1, a non-empty Python list keeps the dtype its values infer (int32, or int64 for large
    dims; floats fail in the op's type check), and an empty one becomes an int32 vector.
    """
    if isinstance(shape, TensorShape):
        if not shape.is_fully_defined():
            raise ValueError(f"Cannot convert a partially known TensorShape {shape} to a Tensor.")
        shape = shape.as_list()
    dtype = None
    if isinstance(shape, (list, tuple)):
        if not shape:
            dtype = dtypes.int32
        else:
            shape = [d.value if isinstance(d, Dimension) else d for d in shape]
    return convert_to_tensor(shape, dtype=dtype, name="shape")


def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """TF1 `tf.random_uniform`: values uniform in [minval, maxval).

    Floats build `RandomUniform * (max - min) + min` (maxval defaults to 1); integer dtypes use
    RandomUniformInt and need `maxval`.
    """
    dtype = dtypes.as_dtype(dtype)
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        maxval = 1
    with name_scope(name, "random_uniform", [shape, minval, maxval]) as scope:
        shape = _shape_tensor(shape)
        minval = convert_to_tensor(minval, dtype=dtype, name="min")
        maxval = convert_to_tensor(maxval, dtype=dtype, name="max")
        seeds = seed_attrs(seed)  # after the inputs: with a graph seed, seed2 counts them (TF1)
        if dtype.is_integer:
            return apply_op("RandomUniformInt", shape, minval, maxval, name=scope, **seeds)
        unit = apply_op("RandomUniform", shape, dtype=dtype, **seeds)
        return add(unit * (maxval - minval), minval, name=scope)


def _scaled_normal(op_type, default_name, shape, mean, stddev, dtype, seed, name):
    """`op_type(shape) * stddev + mean` under TF1's names (shared by normal and truncated normal)."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, default_name, [shape, mean, stddev]) as scope:
        shape = _shape_tensor(shape)
        mean = convert_to_tensor(mean, dtype=dtype, name="mean")
        stddev = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        standard = apply_op(op_type, shape, dtype=dtype, **seed_attrs(seed))
        return add(standard * stddev, mean, name=scope)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """TF1 `tf.random_normal`: normally distributed values."""
    return _scaled_normal("RandomStandardNormal", "random_normal", shape, mean, stddev, dtype, seed, name)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """TF1 `tf.truncated_normal`: normal values, re-drawn when more than 2 stddev from the mean."""
    return _scaled_normal("TruncatedNormal", "truncated_normal", shape, mean, stddev, dtype, seed, name)


def random_shuffle(value, seed=None, name=None):
    """TF1 `tf.random_shuffle`: `value` with its first dimension randomly permuted."""
    # TF1 takes the seeds before converting `value`, so seed2 does not count the value's Const.
    seeds = seed_attrs(seed)
    return apply_op("RandomShuffle", value, name=name or "RandomShuffle", **seeds)


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None):
    """TF1 `tf.multinomial`: `num_samples` class indices per row of `logits` [batch, classes]."""
    with name_scope(name, "multinomial", [logits]):
        logits = convert_to_tensor(logits, name="logits")
        attrs = seed_attrs(seed)
        if output_dtype is not None:
            attrs["output_dtype"] = dtypes.as_dtype(output_dtype)
        return apply_op("Multinomial", logits, num_samples, **attrs)
