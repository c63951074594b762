"""TF1 `tf.contrib.layers` layer functions: fully_connected, conv2d, batch_norm, dropout, flatten, pooling.

Each opens a variable scope (`scope`, else a unique default: "fully_connected", "Conv",
"BatchNorm", ...) and creates model variables ("weights", "biases", "beta", "gamma",
"moving_mean", "moving_variance") that are also in MODEL_VARIABLES; all take defaults from
`arg_scope`. `variables_collections` is a list or a dict keyed by those short names;
`outputs_collections` receives the output tensor.

Departures: weight regularizer losses are named "<scope>/weights/Regularizer/..." (TF 1.x before
the Keras-based layers); batch_norm always computes unfused (TF1 may use FusedBatchNorm, whose
moving variance update uses the unbiased batch variance) and supports no zero_debias_moving_mean,
batch_weights or renorm; output tensors get no `aliases` attribute.
"""
from minitf.contrib.framework.arg_scope import add_arg_scope
from minitf.contrib.framework.variables import model_variable
from minitf.contrib.layers.initializers import xavier_initializer
from minitf.framework.default_graph import add_to_collections, control_dependencies, name_scope
from minitf.framework.graph import GraphKeys
from minitf.layers import core as core_layers
from minitf.layers import utils
from minitf.layers.base import normalize_tuple
from minitf.ops import array_ops, conv_ops, init_ops, math_ops, nn_impl, nn_ops
from minitf.ops import variable_scope as vs
from minitf.ops.constant_op import convert_to_tensor

__all__ = ["fully_connected", "conv2d", "convolution2d", "batch_norm", "dropout", "flatten",
           "max_pool2d", "avg_pool2d"]


def _collections(variables_collections, name):
    """TF1's get_variable_collections: a dict picks by variable name, a list applies to all."""
    if isinstance(variables_collections, dict):
        return variables_collections.get(name)
    return variables_collections


def _collect_named_outputs(collections, outputs):
    if collections:
        add_to_collections(collections, outputs)
    return outputs


def _weights_and_biases(shape, dtype, weights_initializer, weights_regularizer, biases_initializer,
                        biases_regularizer, use_biases, variables_collections, trainable):
    weights = model_variable("weights", shape=shape, dtype=dtype, initializer=weights_initializer,
                             regularizer=weights_regularizer, trainable=trainable,
                             collections=_collections(variables_collections, "weights"))
    biases = None
    if use_biases:
        biases = model_variable("biases", shape=[shape[-1]], dtype=dtype, initializer=biases_initializer,
                                regularizer=biases_regularizer, trainable=trainable,
                                collections=_collections(variables_collections, "biases"))
    return weights, biases


def _finish(outputs, biases, normalizer_fn, normalizer_params, activation_fn, data_format=None):
    """Adds the biases (or applies the normalizer instead) and the activation."""
    if biases is not None:
        outputs = nn_ops.bias_add(outputs, biases, data_format=data_format)
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **(normalizer_params or {}))
    return outputs if activation_fn is None else activation_fn(outputs)


# ======================================================================================
# fully_connected and conv2d
# ======================================================================================
@add_arg_scope
def fully_connected(inputs, num_outputs, activation_fn=nn_ops.relu, normalizer_fn=None,
                    normalizer_params=None, weights_initializer=xavier_initializer(),
                    weights_regularizer=None, biases_initializer=init_ops.zeros_initializer(),
                    biases_regularizer=None, reuse=None, variables_collections=None,
                    outputs_collections=None, trainable=True, scope=None):
    """TF1 `tf.contrib.layers.fully_connected`: activation_fn(inputs @ weights + biases) in scope
    "fully_connected" (ReLU by default; no biases when a normalizer_fn is given)."""
    if not isinstance(num_outputs, int) or isinstance(num_outputs, bool):
        raise ValueError(f"num_outputs type should be one of [<class 'int'>], got {type(num_outputs)}.")
    with vs.variable_scope(scope, "fully_connected", [inputs], reuse=reuse):
        inputs = convert_to_tensor(inputs)
        last = inputs.shape.dims[-1].value if inputs.shape.ndims else None
        if last is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. Found `None`.")
        weights, biases = _weights_and_biases(
            [last, num_outputs], inputs.dtype.base_dtype, weights_initializer, weights_regularizer,
            biases_initializer, biases_regularizer, not normalizer_fn and biases_initializer,
            variables_collections, trainable)
        if inputs.shape.ndims > 2:
            outputs = utils.matmul_last_axis(inputs, weights, num_outputs)
        else:
            outputs = math_ops.matmul(inputs, weights)
        outputs = _finish(outputs, biases, normalizer_fn, normalizer_params, activation_fn)
        return _collect_named_outputs(outputs_collections, outputs)


@add_arg_scope
def conv2d(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None, rate=1,
           activation_fn=nn_ops.relu, normalizer_fn=None, normalizer_params=None,
           weights_initializer=xavier_initializer(), weights_regularizer=None,
           biases_initializer=init_ops.zeros_initializer(), biases_regularizer=None, reuse=None,
           variables_collections=None, outputs_collections=None, trainable=True, scope=None):
    """TF1 `tf.contrib.layers.conv2d`: a 2-D convolution in scope "Conv" with "weights"
    [kh, kw, in, num_outputs] and "biases"; padding "SAME" and ReLU by default."""
    if data_format not in (None, "NHWC", "NCHW"):
        raise ValueError(f"Invalid data_format: {data_format}")
    data_format = data_format or "NHWC"
    with vs.variable_scope(scope, "Conv", [inputs], reuse=reuse):
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims not in (None, 4):
            raise ValueError(f"Convolution not supported for input with rank {inputs.shape.ndims}")
        channel_axis = 1 if data_format == "NCHW" else -1
        channels = inputs.shape.dims[channel_axis].value if inputs.shape.ndims else None
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        kernel = normalize_tuple(kernel_size, 2, "kernel_size")
        weights, biases = _weights_and_biases(
            list(kernel) + [channels, num_outputs], inputs.dtype.base_dtype, weights_initializer,
            weights_regularizer, biases_initializer, biases_regularizer,
            not normalizer_fn and biases_initializer, variables_collections, trainable)
        strides, dilations = normalize_tuple(stride, 2, "strides"), normalize_tuple(rate, 2, "rate")
        if data_format == "NCHW":
            strides, dilations = [1, 1, *strides], [1, 1, *dilations]
        else:
            strides, dilations = [1, *strides, 1], [1, *dilations, 1]
        outputs = conv_ops.conv2d(inputs, weights, strides=strides, padding=padding.upper(),
                                  data_format=data_format, dilations=dilations)
        outputs = _finish(outputs, biases, normalizer_fn, normalizer_params, activation_fn, data_format)
        return _collect_named_outputs(outputs_collections, outputs)


convolution2d = conv2d


# ======================================================================================
# batch_norm
# ======================================================================================
@add_arg_scope
def batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001, activation_fn=None,
               param_initializers=None, param_regularizers=None,
               updates_collections=GraphKeys.UPDATE_OPS, is_training=True, reuse=None,
               variables_collections=None, outputs_collections=None, trainable=True,
               batch_weights=None, fused=None, data_format="NHWC", zero_debias_moving_mean=False,
               scope=None, renorm=False, renorm_clipping=None, renorm_decay=0.99, adjustment=None):
    """TF1 `tf.contrib.layers.batch_norm`: normalizes over all axes but the channels (last, or 1
    for NCHW) in scope "BatchNorm", with "beta" (center), "gamma" (scale) and the moving averages.

    When training (`is_training` a bool or a bool tensor) the batch moments are used and the
    moving averages move by `decay`: with `updates_collections` (UPDATE_OPS by default) the two
    update tensors go there and must be run by the caller; with `updates_collections=None` they
    run in place, before the output (control dependencies).
    """
    if batch_weights is not None or renorm or zero_debias_moving_mean or adjustment is not None:
        raise NotImplementedError("minitf's batch_norm supports no batch_weights, renorm, "
                                  "zero_debias_moving_mean or adjustment")
    if data_format not in ("NCHW", "NHWC"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with vs.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse):
        inputs = convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if rank is None:
            raise ValueError(f"Inputs {inputs.name} has undefined rank.")
        channels_first = data_format == "NCHW"
        channel_axis = 1 if channels_first else rank - 1
        moments_axes = [i for i in range(rank) if i != channel_axis]
        params_shape = inputs.shape[channel_axis:channel_axis + 1]
        if not params_shape.is_fully_defined():
            raise ValueError(f"Inputs {inputs.name} has undefined channels dimension {params_shape}.")
        beta, gamma, moving_mean, moving_variance = _batch_norm_variables(
            params_shape, inputs.dtype.base_dtype, center, scale, param_initializers or {},
            param_regularizers or {}, variables_collections, trainable)

        if utils.constant_value(is_training) is False:
            mean, variance = moving_mean, moving_variance
        else:
            mean, variance = nn_impl.moments(inputs, moments_axes, keep_dims=channels_first)
            if channels_first:
                mean, variance = array_ops.reshape(mean, [-1]), array_ops.reshape(variance, [-1])
            mean, variance = _batch_moments_with_updates(
                mean, variance, moving_mean, moving_variance, decay, is_training, updates_collections)
        if channels_first:
            broadcast = [1, params_shape.dims[0].value] + [1] * (rank - 2)
            mean, variance, beta, gamma = (None if v is None else array_ops.reshape(v, broadcast)
                                           for v in (mean, variance, beta, gamma))
        outputs = nn_impl.batch_normalization(inputs, mean, variance, beta, gamma, epsilon)
        outputs.set_shape(inputs.shape)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect_named_outputs(outputs_collections, outputs)


def _batch_norm_variables(params_shape, dtype, center, scale, initializers, regularizers,
                          variables_collections, trainable):
    """beta, gamma (either may be None), moving_mean, moving_variance, created in TF1's order."""
    def make(name, default_initializer, is_trainable, regularizer=None):
        return model_variable(name, shape=params_shape, dtype=dtype,
                              initializer=initializers.get(name, default_initializer),
                              regularizer=regularizer, trainable=is_trainable,
                              collections=_collections(variables_collections, name))
    beta = gamma = None
    if center:
        beta = make("beta", init_ops.zeros_initializer(), trainable, regularizers.get("beta"))
    if scale:
        gamma = make("gamma", init_ops.ones_initializer(), trainable, regularizers.get("gamma"))
    return (beta, gamma, make("moving_mean", init_ops.zeros_initializer(), False),
            make("moving_variance", init_ops.ones_initializer(), False))


def _batch_moments_with_updates(mean, variance, moving_mean, moving_variance, decay, is_training,
                                updates_collections):
    """The moments to normalize with, after arranging the moving-average updates (TF1's rules)."""
    def moving_vars():
        return moving_mean, moving_variance

    def updates():
        return (utils.assign_moving_average(moving_mean, mean, decay),
                utils.assign_moving_average(moving_variance, variance, decay))

    if updates_collections is None:
        def forced_updates():
            with control_dependencies(updates()):
                return array_ops.identity(mean), array_ops.identity(variance)
        return utils.smart_cond(is_training, forced_updates, moving_vars)
    update_mean, update_variance = utils.smart_cond(is_training, updates, moving_vars)
    add_to_collections(updates_collections, update_mean)
    add_to_collections(updates_collections, update_variance)
    return utils.smart_cond(is_training, lambda: (mean, variance), moving_vars)


# ======================================================================================
# dropout, flatten, pooling (no variables)
# ======================================================================================
@add_arg_scope
def dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True, outputs_collections=None,
            scope=None, seed=None):
    """TF1 `tf.contrib.layers.dropout`: `tf.nn.dropout` with `keep_prob` (not rate) when
    `is_training` (a bool or a bool tensor), else an Identity; scope "Dropout"."""
    with vs.variable_scope(scope, "Dropout", [inputs]):
        inputs = convert_to_tensor(inputs)
        outputs = utils.smart_cond(
            is_training,
            lambda: nn_impl.dropout(inputs, noise_shape=noise_shape, seed=seed, rate=1 - keep_prob),
            lambda: array_ops.identity(inputs))
        return _collect_named_outputs(outputs_collections, outputs)


@add_arg_scope
def flatten(inputs, outputs_collections=None, scope=None):
    """TF1 `tf.contrib.layers.flatten`: [batch, ...] -> [batch, k], under "Flatten/"."""
    with name_scope(scope, "Flatten", [inputs]):
        outputs = core_layers.flatten(convert_to_tensor(inputs))
        return _collect_named_outputs(outputs_collections, outputs)


def _pool(pool, default_name, inputs, kernel_size, stride, padding, data_format, outputs_collections,
          scope):
    if data_format not in ("NCHW", "NHWC"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with name_scope(scope, default_name, [inputs]):
        inputs = convert_to_tensor(inputs)
        kernel, strides = normalize_tuple(kernel_size, 2, "pool_size"), normalize_tuple(stride, 2, "strides")
        if data_format == "NCHW":
            ksize, strides = [1, 1, *kernel], [1, 1, *strides]
        else:
            ksize, strides = [1, *kernel, 1], [1, *strides, 1]
        outputs = pool(inputs, ksize=ksize, strides=strides, padding=padding.upper(),
                       data_format=data_format)
        return _collect_named_outputs(outputs_collections, outputs)


@add_arg_scope
def max_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format="NHWC",
               outputs_collections=None, scope=None):
    """TF1 `tf.contrib.layers.max_pool2d`: MaxPool under "MaxPool2D/" (stride 2, VALID by default)."""
    return _pool(conv_ops.max_pool, "MaxPool2D", inputs, kernel_size, stride, padding, data_format,
                 outputs_collections, scope)


@add_arg_scope
def avg_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format="NHWC",
               outputs_collections=None, scope=None):
    """TF1 `tf.contrib.layers.avg_pool2d`: AvgPool under "AvgPool2D/"."""
    return _pool(conv_ops.avg_pool, "AvgPool2D", inputs, kernel_size, stride, padding, data_format,
                 outputs_collections, scope)
