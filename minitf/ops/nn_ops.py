"""The nn family but convolution and pooling (TF1 `tf.nn.relu`, `tf.nn.softmax`,
`tf.nn.sparse_softmax_cross_entropy_with_logits`, `tf.nn.top_k`, `tf.nn.dropout`, ...).

Op types, attrs and node names are TF1's. Ops are declared here, their kernels live in
kernels/nn.py and their gradients in ops/nn_grad.py. The cross-entropy wrappers build the graph
TF1's Python builds; the other composites (moments, dropout, ...) are in nn_impl.py.
"""
import collections

from minitf.framework import dtypes, errors
from minitf.framework.common_shapes import SCALAR, UNKNOWN, broadcast_shapes, unchanged
from minitf.framework.default_graph import name_scope
from minitf.framework.op_def import REQUIRED, TypeAttr, define_op
from minitf.framework.tensor_shape import Dimension, TensorShape
from minitf.ops import array_ops, math_ops, selection_ops
from minitf.ops.array_static import merge_dims, normalize_axis, scalar_value
from minitf.ops.constant_op import convert_to_tensor
from minitf.ops.gradients_impl import stop_gradient
from minitf.ops.op_builder import apply_op

# The public (tf.nn.*) names of this module; the activation table adds its own below.
__all__ = [
    "leaky_relu", "crelu", "softmax", "log_softmax", "softmax_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits_v2", "sparse_softmax_cross_entropy_with_logits", "in_top_k",
    "top_k", "l2_loss", "bias_add", "xw_plus_b", "local_response_normalization", "lrn",
]

_FLOATS = TypeAttr(dtypes.FLOATS)
_REAL = TypeAttr(dtypes.REAL)
_INDEX = TypeAttr(dtypes.INDEX, default=dtypes.int32)
_HALF_TYPES = (dtypes.float16, dtypes.bfloat16)  # computed in float32 by the loss wrappers, as TF1 does


# ======================================================================================
# Shape-function helpers (TF's messages; the graph appends the op and its input shapes)
# ======================================================================================
def _with_rank(shape, rank):
    if shape.ndims is not None and shape.ndims != rank:
        raise ValueError(f"Shape must be rank {rank} but is rank {shape.ndims}")
    return shape if shape.ndims is not None else TensorShape([None] * rank)


def _with_rank_at_least(shape, rank):
    if shape.ndims is not None and shape.ndims < rank:
        raise ValueError(f"Shape must be at least rank {rank} but is rank {shape.ndims}")
    return shape


def _dim(shape, index):
    return shape.dims[index] if shape.ndims is not None else Dimension(None)


def _merged_dim(a, b):
    """Two dims that must agree (TF's Merge of dimensions)."""
    if a.value is not None and b.value is not None and a.value != b.value:
        raise ValueError(f"Dimensions must be equal, but are {a.value} and {b.value}")
    return a if a.value is not None else b


def _merged(*shapes):
    result = UNKNOWN
    for shape in shapes:
        result = merge_dims(result, shape)
    return result


def _merge_inputs(op):
    """Elementwise gradient ops: every input has the output's shape."""
    return [_merged(*(t.shape for t in op.inputs))]


# ======================================================================================
# Activations: Relu, Relu6, Elu, Selu, LeakyRelu, Softplus, Softsign and their *Grad ops
# ======================================================================================
_ACTIVATIONS = {  # op type: (tf.nn name, allowed types, the second input of its gradient op)
    "Relu": ("relu", _REAL, "features"), "Relu6": ("relu6", _REAL, "features"),
    "Elu": ("elu", _FLOATS, "outputs"), "Selu": ("selu", _FLOATS, "outputs"),
    "LeakyRelu": (None, _FLOATS, "features"), "Softplus": ("softplus", _FLOATS, "features"),
    "Softsign": ("softsign", _FLOATS, "features"),
}
for _op_type, (_, _allowed, _second) in _ACTIVATIONS.items():
    _attrs = {"T": _allowed, **({"alpha": 0.2} if _op_type == "LeakyRelu" else {})}
    define_op(_op_type, inputs=["features: T"], outputs=["activations: T"], attrs=_attrs, shape=unchanged)
    define_op(f"{_op_type}Grad", inputs=["gradients: T", f"{_second}: T"], outputs=["backprops: T"],
              attrs=_attrs, shape=_merge_inputs)


def _activation_function(op_type, public_name):
    def function(features, name=None):
        return apply_op(op_type, features, name=name or op_type)
    function.__name__ = function.__qualname__ = public_name
    function.__doc__ = f"TF1 `tf.nn.{public_name}`: the elementwise {op_type} op."
    return function


_PUBLIC_ACTIVATIONS = {name: _activation_function(op_type, name)
                       for op_type, (name, _, _) in _ACTIVATIONS.items() if name}
globals().update(_PUBLIC_ACTIVATIONS)
__all__.extend(_PUBLIC_ACTIVATIONS)


def leaky_relu(features, alpha=0.2, name=None):
    """TF1 `tf.nn.leaky_relu`: max(features, alpha * features); integer features are cast to
    float32 first, as TF1 does."""
    with name_scope(name, "LeakyRelu", [features, alpha]) as scope:
        features = convert_to_tensor(features, name="features")
        if features.dtype.is_integer:
            features = math_ops.cast(features, dtypes.float32)
        return apply_op("LeakyRelu", features, alpha=float(alpha), name=scope)


def crelu(features, name=None, axis=-1):
    """TF1 `tf.nn.crelu`: relu(concat([features, -features], axis)); the concat is "CRelu"."""
    with name_scope(name, "CRelu", [features]) as scope:
        features = convert_to_tensor(features, name="features")
        return apply_op("Relu", array_ops.concat([features, -features], axis, name=scope))


# ======================================================================================
# Softmax and log-softmax (over the last axis; another axis is transposed there and back)
# ======================================================================================
def _at_least_rank_1(op):
    return [_with_rank_at_least(op.inputs[0].shape, 1)]


define_op("Softmax", inputs=["logits: T"], outputs=["softmax: T"], attrs={"T": _FLOATS}, shape=_at_least_rank_1)
define_op("LogSoftmax", inputs=["logits: T"], outputs=["logsoftmax: T"], attrs={"T": _FLOATS},
          shape=_at_least_rank_1)


def _alias(name, value, old_name, old_value):
    """TF1's deprecated_argument_lookup: the new argument or its deprecated spelling, not both."""
    if value is not None and old_value is not None:
        raise ValueError(f"Cannot specify both '{name}' and '{old_name}'")
    return value if value is not None else old_value


def _last_axis_perm(rank, axis):
    """The permutation that moves `axis` last (and, applied again, back: it is a swap)."""
    perm = list(range(rank))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    return perm


def _softmax(op_type, logits, axis, name):
    """TF1's _softmax: the op itself on the last axis; for another axis, the op between two
    transposes swapping that axis with the last (the second one takes `name`). The permutation is a
    constant here (TF1 builds it from Range/ConcatV2 ops), so the rank must be known."""
    logits = convert_to_tensor(logits)
    rank = logits.shape.ndims
    axis = -1 if axis is None else axis
    if axis == -1 or (rank is not None and axis == rank - 1):
        return apply_op(op_type, logits, name=name or op_type)
    if rank is None:
        raise ValueError(f"{op_type} over axis {axis} needs a tensor of known rank")
    if not -rank <= axis < rank:
        raise errors.InvalidArgumentError(
            None, None, f"Dimension ({axis}) must be in the range [{-rank}, {rank}) where {rank} is the "
                        "number of dimensions in the input.")
    perm = _last_axis_perm(rank, axis % rank)
    output = apply_op(op_type, array_ops.transpose(logits, perm))
    output = array_ops.transpose(output, perm, name=name or "transpose")
    output.set_shape(logits.shape)
    return output


def softmax(logits, axis=None, name=None, dim=None):
    """TF1 `tf.nn.softmax`: exp(logits) / sum(exp(logits), axis), computed stably."""
    return _softmax("Softmax", logits, _alias("axis", axis, "dim", dim), name)


def log_softmax(logits, axis=None, name=None, dim=None):
    """TF1 `tf.nn.log_softmax`: logits - log(sum(exp(logits), axis)), computed stably."""
    return _softmax("LogSoftmax", logits, _alias("axis", axis, "dim", dim), name)


# ======================================================================================
# Cross-entropy ops (loss and backprop, the gradient wrt the logits, in one kernel)
# ======================================================================================
def _softmax_xent_shape(op):
    """TF1: features and labels are [batch, classes] (or broadcast to it)."""
    features, labels = op.inputs[0].shape, op.inputs[1].shape
    try:
        merged = merge_dims(_with_rank(features, 2), labels)
    except ValueError:
        merged = broadcast_shapes(features, labels)
        if merged.ndims is not None and merged.ndims != 2:
            raise ValueError(f"Shape must be broadcasted with rank 2, but is rank {merged.ndims}") from None
        merged = _with_rank(merged, 2)
    return [TensorShape([_dim(merged, 0)]), merged]


def _sparse_xent_shape(op):
    features, labels = _with_rank(op.inputs[0].shape, 2), _with_rank(op.inputs[1].shape, 1)
    batch = _merged_dim(_dim(features, 0), _dim(labels, 0))
    return [TensorShape([batch]), TensorShape([batch, _dim(features, 1)])]


define_op("SoftmaxCrossEntropyWithLogits", inputs=["features: T", "labels: T"],
          outputs=["loss: T", "backprop: T"], attrs={"T": _FLOATS}, shape=_softmax_xent_shape)
define_op("SparseSoftmaxCrossEntropyWithLogits", inputs=["features: T", "labels: Tlabels"],
          outputs=["loss: T", "backprop: T"],
          attrs={"T": _FLOATS, "Tlabels": TypeAttr(dtypes.INDEX, default=dtypes.int64)},
          shape=_sparse_xent_shape)


def _ensure_xent_args(name, sentinel, labels, logits):
    """TF1 makes the cross-entropies keyword-only through a leading `_sentinel` argument."""
    if sentinel is not None:
        raise ValueError(f"Only call `{name}` with named arguments (labels=..., logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")


def _flatten_outer_dims(tensor):
    """TF1's _flatten_outer_dims: reshaped to [-1, last dim] by ops, with the static shape set."""
    rank = array_ops.rank(tensor)
    last_dim = selection_ops.slice(array_ops.shape(tensor), [math_ops.subtract(rank, 1)], [1])
    flat = array_ops.reshape(tensor, array_ops.concat([[-1], last_dim], 0))
    dims = tensor.shape.as_list() if tensor.shape.ndims is not None else None
    if dims and all(d is not None for d in dims[:-1]):
        outer = 1
        for d in dims[:-1]:
            outer *= d
        flat.set_shape([outer, dims[-1]])
    return flat


def _softmax_xent_v2(labels, logits, axis, name):
    """TF1's softmax_cross_entropy_with_logits_v2 helper: `axis` moved last, everything flattened to
    2-D for the op, the loss reshaped back; half precision runs in float32."""
    with name_scope(name, "softmax_cross_entropy_with_logits", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels")
        widen = logits.dtype.base_dtype in _HALF_TYPES
        precise_logits = math_ops.cast(logits, dtypes.float32) if widen else logits
        labels = math_ops.cast(labels, precise_logits.dtype.base_dtype)
        input_rank = array_ops.rank(precise_logits)
        static = logits.shape
        rank = static.ndims
        if axis != -1 and not (rank is not None and axis == rank - 1):
            if rank is None:
                raise ValueError(f"softmax_cross_entropy_with_logits over axis {axis} needs a known rank")
            # TF1's _move_dim_to_end (a rotation, not a swap); the permutation is a constant here.
            axis = normalize_axis(axis, rank)
            perm = [p for p in range(rank) if p != axis] + [axis]
            precise_logits = array_ops.transpose(precise_logits, perm)
            labels = array_ops.transpose(labels, perm)
        input_shape = array_ops.shape(precise_logits)
        precise_logits, labels = _flatten_outer_dims(precise_logits), _flatten_outer_dims(labels)
        cost, _ = apply_op("SoftmaxCrossEntropyWithLogits", precise_logits, labels, name=scope)
        output_shape = selection_ops.slice(input_shape, [0], [math_ops.subtract(input_rank, 1)])
        cost = array_ops.reshape(cost, output_shape)
        if rank is not None:
            cost.set_shape([d for i, d in enumerate(static.as_list()) if i != axis % rank])
        return math_ops.cast(cost, logits.dtype.base_dtype) if widen else cost


def softmax_cross_entropy_with_logits_v2(_sentinel=None, labels=None, logits=None, dim=-1, name=None,
                                         axis=None):
    """TF1 `tf.nn.softmax_cross_entropy_with_logits_v2`: -sum(labels * log_softmax(logits), axis);
    gradients flow into both logits and labels. Keyword arguments only."""
    _ensure_xent_args("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    axis = _alias("axis", axis, "dim", None if dim == -1 else dim)
    return _softmax_xent_v2(labels, logits, -1 if axis is None else axis, name)


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1, name=None):
    """TF1 `tf.nn.softmax_cross_entropy_with_logits` (the deprecated one): as _v2, under the scope
    "softmax_cross_entropy_with_logits_sg", with a StopGradient on the labels."""
    _ensure_xent_args("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "softmax_cross_entropy_with_logits_sg", [logits, labels]) as scope:
        labels = stop_gradient(labels, name="labels_stop_gradient")
        return _softmax_xent_v2(labels, logits, dim, scope)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """TF1 `tf.nn.sparse_softmax_cross_entropy_with_logits`: the cross-entropy of int class labels
    of shape logits.shape[:-1]. Keyword arguments only. An out-of-range label fails at run time on
    the CPU (InvalidArgumentError "Received a label value of ..."). Departure: when the static
    shapes cannot prove that labels and logits agree, no assert_equal op is built; the op's
    kernel still rejects a first-dimension mismatch."""
    _ensure_xent_args("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "SparseSoftmaxCrossEntropyWithLogits", [labels, logits]):
        labels, logits = convert_to_tensor(labels), convert_to_tensor(logits)
        widen = logits.dtype.base_dtype in _HALF_TYPES
        precise_logits = math_ops.cast(logits, dtypes.float32) if widen else logits
        labels_static, logits_static = labels.shape, logits.shape
        labels_shape = array_ops.shape(labels)
        if logits_static.ndims == 0:
            raise ValueError(f"Logits cannot be scalars - received shape {logits_static}.")
        if logits_static.ndims is not None and labels_static.ndims is not None \
                and labels_static.ndims != logits_static.ndims - 1:
            raise ValueError(f"Rank mismatch: Rank of labels (received {labels_static.ndims}) should equal "
                             f"rank of logits minus 1 (received {logits_static.ndims}).")
        if labels_static.is_fully_defined() and logits_static[:-1].is_fully_defined() \
                and labels_static.as_list() != logits_static[:-1].as_list():
            raise ValueError(f"Shape mismatch: The shape of labels (received {labels_static}) should equal "
                             f"the shape of logits except for the last dimension (received {logits_static}).")
        if logits_static.ndims != 2:
            classes = array_ops.shape(logits)[array_ops.rank(logits) - 1]
            precise_logits = array_ops.reshape(precise_logits, [-1, classes])
            labels = array_ops.reshape(labels, [-1])
        cost, _ = apply_op("SparseSoftmaxCrossEntropyWithLogits", precise_logits, labels)
        if logits_static.ndims != 2:
            cost = array_ops.reshape(cost, labels_shape)
            cost.set_shape(labels_static)
        return math_ops.cast(cost, logits.dtype.base_dtype) if widen else cost


# ======================================================================================
# In-top-k and top-k
# ======================================================================================
def _in_top_k_shape(op):
    predictions, targets = _with_rank(op.inputs[0].shape, 2), _with_rank(op.inputs[1].shape, 1)
    if len(op.inputs) == 3:
        _with_rank(op.inputs[2].shape, 0)
    return [TensorShape([_merged_dim(_dim(predictions, 0), _dim(targets, 0))])]


_IN_TOP_K_TYPES = {"T": _INDEX}
define_op("InTopK", inputs=["predictions: float32", "targets: T"], outputs=["precision: bool"],
          attrs={**_IN_TOP_K_TYPES, "k": REQUIRED}, shape=_in_top_k_shape, differentiable=False)
define_op("InTopKV2", inputs=["predictions: float32", "targets: T", "k: T"], outputs=["precision: bool"],
          attrs=_IN_TOP_K_TYPES, shape=_in_top_k_shape, differentiable=False)


def _top_k_shape(op):
    shape = _with_rank_at_least(op.inputs[0].shape, 1)
    _with_rank(op.inputs[1].shape, 0)
    k = scalar_value(op.inputs[1])
    if k is not None and k < 0:
        raise ValueError(f"Dimension size, given by scalar input 1, must be non-negative but is {k}")
    if shape.ndims is None:
        return [UNKNOWN, UNKNOWN]
    last = shape.dims[-1].value
    if k is not None and last is not None and last < k:
        raise ValueError(f"input must have last dimension >= k = {k} but is {last}")
    result = shape[:-1].concatenate([k])
    return [result, result]


define_op("TopKV2", inputs=["input: T", "k: Tk"], outputs=["values: T", "indices: index_type"],
          attrs={"T": _REAL, "sorted": True, "Tk": _INDEX, "index_type": _INDEX}, shape=_top_k_shape)

TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])


def in_top_k(predictions, targets, k, name=None):
    """TF1 `tf.nn.in_top_k`: whether each target's prediction is among the k largest of its row
    (ties: fewer than k strictly larger predictions; rows with non-finite values are False)."""
    with name_scope(name, "in_top_k"):
        return apply_op("InTopKV2", predictions, targets, k)


def top_k(input, k=1, sorted=True, name=None):  # noqa: A002 - TF1's argument names
    """TF1 `tf.nn.top_k`: (values, indices) of the k largest entries of the last axis, largest
    first; equal values keep index order. `sorted=False` returns them sorted anyway (allowed)."""
    values, indices = apply_op("TopKV2", input, k, sorted=bool(sorted), name=name or "TopKV2")
    return TopKV2(values, indices)


# ======================================================================================
# L2 loss, bias add
# ======================================================================================
define_op("L2Loss", inputs=["t: T"], outputs=["output: T"], attrs={"T": _FLOATS}, shape=lambda op: [SCALAR])


def _bias_add_shape(op):
    data_format = op.get_attr("data_format")
    value = _with_rank_at_least(op.inputs[0].shape, 3 if data_format == "NCHW" else 2)
    bias = _with_rank(op.inputs[1].shape, 1)
    if value.ndims is None:
        return [UNKNOWN]
    axis = 1 if data_format == "NCHW" else value.ndims - 1
    dims = list(value.dims)
    dims[axis] = _merged_dim(dims[axis], bias.dims[0])
    return [TensorShape(dims)]


def _bias_add_grad_shape(op):
    data_format = op.get_attr("data_format")
    grad = _with_rank_at_least(op.inputs[0].shape, 2)
    if grad.ndims is None:
        return [TensorShape([None])]
    return [TensorShape([grad.dims[1 if data_format == "NCHW" else -1]])]


_BIAS_ATTRS = {"T": TypeAttr(dtypes.NUMBERS), "data_format": "NHWC"}
define_op("BiasAdd", inputs=["value: T", "bias: T"], outputs=["output: T"], attrs=_BIAS_ATTRS,
          shape=_bias_add_shape)
define_op("BiasAddGrad", inputs=["out_backprop: T"], outputs=["output: T"], attrs=_BIAS_ATTRS,
          shape=_bias_add_grad_shape)


def l2_loss(t, name=None):
    """TF1 `tf.nn.l2_loss`: sum(t ** 2) / 2."""
    return apply_op("L2Loss", t, name=name or "L2Loss")


def _bias_data_format(data_format):
    if data_format is None:
        return "NHWC"
    if data_format.startswith("NC"):
        return "NCHW"
    if data_format.startswith("N") and data_format.endswith("C"):
        return "NHWC"
    raise ValueError("data_format must be of the form `N...C` or `NC...`")


def bias_add(value, bias, data_format=None, name=None):
    """TF1 `tf.nn.bias_add`: `value + bias` with `bias` along the channel axis (last for NHWC)."""
    with name_scope(name, "BiasAdd", [value, bias]) as scope:
        value = convert_to_tensor(value, name="input")
        bias = convert_to_tensor(bias, dtype=value.dtype.base_dtype, name="bias")
        return apply_op("BiasAdd", value, bias, data_format=_bias_data_format(data_format), name=scope)


def xw_plus_b(x, weights, biases, name=None):
    """TF1 `tf.nn.xw_plus_b`: bias_add(matmul(x, weights), biases) under "xw_plus_b"."""
    with name_scope(name, "xw_plus_b", [x, weights, biases]) as scope:
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(weights, name="weights")
        biases = convert_to_tensor(biases, name="biases")
        return bias_add(math_ops.matmul(x, weights), biases, name=scope)


# ======================================================================================
# Local response normalization
# ======================================================================================
# Departure: TF1's LRN takes no float64; it is allowed here so gradients can be checked precisely.
_LRN_ATTRS = {"T": TypeAttr(dtypes.FLOATS, default=dtypes.float32),
              "depth_radius": 5, "bias": 1.0, "alpha": 1.0, "beta": 0.5}
define_op("LRN", inputs=["input: T"], outputs=["output: T"], attrs=_LRN_ATTRS,
          shape=lambda op: [_with_rank(op.inputs[0].shape, 4)])
define_op("LRNGrad", inputs=["input_grads: T", "input_image: T", "output_image: T"], outputs=["output: T"],
          attrs=_LRN_ATTRS, shape=lambda op: [_merged(*(_with_rank(t.shape, 4) for t in op.inputs))])


def local_response_normalization(input, depth_radius=5, bias=1, alpha=1, beta=0.5, name=None):  # noqa: A002
    """TF1 `tf.nn.local_response_normalization` (alias `tf.nn.lrn`): input / (bias + alpha *
    sum(input ** 2 over depth_radius neighbours in the last axis)) ** beta; 4-D input."""
    return apply_op("LRN", input, depth_radius=int(depth_radius), bias=float(bias), alpha=float(alpha),
                    beta=float(beta), name=name or "LRN")


lrn = local_response_normalization
