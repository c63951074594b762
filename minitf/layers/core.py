"""TF1 `tf.layers.Dense`/`dense`, `Dropout`/`dropout` and `Flatten`/`flatten`.

Departure: a Dense layer on inputs of rank > 2 multiplies by reshaping to 2-D and back under
"Tensordot/" instead of building TF1's full tensordot subgraph (same values and static shape).
"""
import numpy as np

from minitf.framework.tensor_shape import TensorShape
from minitf.layers import utils
from minitf.layers.base import Layer, check_input_rank
from minitf.ops import array_ops, init_ops, math_ops, nn_impl, nn_ops
from minitf.ops.constant_op import constant

__all__ = ["Dense", "dense", "Dropout", "dropout", "Flatten", "flatten"]


class Dense(Layer):
    """TF1 `tf.layers.Dense`: `activation(inputs @ kernel + bias)`, with variables "kernel" [in, units]
    (glorot_uniform unless the scope or `kernel_initializer` says otherwise) and "bias" [units]."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, activity_regularizer=activity_regularizer,
                         **kwargs)
        self.units = int(units)
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint
        self.kernel = self.bias = None

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.ndims is not None and input_shape.ndims < 2:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                             f"min_ndim=2, found ndim={input_shape.ndims}. Full shape received: "
                             f"{input_shape}")
        last_dim = input_shape.dims[-1].value if input_shape.ndims is not None else None
        if last_dim is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. Found `None`.")
        self._input_dim = last_dim
        self.kernel = self.add_weight("kernel", shape=[last_dim, self.units],
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, dtype=self.dtype)
        if self.use_bias:
            self.bias = self.add_weight("bias", shape=[self.units], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, dtype=self.dtype)

    def call(self, inputs):
        check_input_rank(self, inputs, min_ndim=2)
        last = inputs.shape.dims[-1].value if inputs.shape.ndims is not None else None
        if last is not None and last != self._input_dim:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                             f"axis -1 of input shape to have value {self._input_dim}, but received "
                             f"input with shape {inputs.shape}")
        if inputs.shape.ndims is not None and inputs.shape.ndims > 2:
            outputs = utils.matmul_last_axis(inputs, self.kernel, self.units)
        else:
            outputs = math_ops.matmul(inputs, self.kernel)
        if self.use_bias:
            outputs = nn_ops.bias_add(outputs, self.bias)
        return outputs if self.activation is None else self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)[:-1].concatenate([self.units])


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None, bias_regularizer=None,
          activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True,
          name=None, reuse=None):
    """TF1 `tf.layers.dense`: a fresh Dense layer applied to `inputs`."""
    layer = Dense(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                  bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                  bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                  kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                  trainable=trainable, name=name, _scope=name, _reuse=reuse)
    return layer.apply(inputs)


class Dropout(Layer):
    """TF1 `tf.layers.Dropout(rate=0.5, noise_shape=None, seed=None)`: `tf.nn.dropout` when
    training (a bool or a bool tensor), else an Identity."""

    def __init__(self, rate=0.5, noise_shape=None, seed=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.rate, self.noise_shape, self.seed = rate, noise_shape, seed

    def call(self, inputs, training=False):
        return utils.smart_cond(
            False if training is None else training,  # None: TF1's default learning phase
            lambda: nn_impl.dropout(inputs, noise_shape=self.noise_shape, seed=self.seed, rate=self.rate),
            lambda: array_ops.identity(inputs))

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """TF1 `tf.layers.dropout`: drops with probability `rate` (not keep_prob) only when `training`."""
    return Dropout(rate, noise_shape=noise_shape, seed=seed, name=name).apply(inputs, training=training)


class Flatten(Layer):
    """TF1 `tf.layers.Flatten`: [batch, ...] -> [batch, product of the rest]."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format

    def call(self, inputs):
        check_input_rank(self, inputs, min_ndim=1)
        if self.data_format == "channels_first" and inputs.shape.ndims not in (None, 1, 2):
            inputs = array_ops.transpose(inputs, [0] + list(range(2, inputs.shape.ndims)) + [1])
        if inputs.shape.ndims == 1:
            return array_ops.expand_dims(inputs, 1)
        rest = inputs.shape[1:]
        if rest.is_fully_defined():
            size = int(np.prod(rest.as_list(), dtype=np.int64))
            return array_ops.reshape(inputs, constant([-1, size]))
        outputs = array_ops.reshape(inputs, (array_ops.shape(inputs)[0], -1))
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        rest = input_shape[1:]
        size = int(np.prod(rest.as_list(), dtype=np.int64)) if rest.is_fully_defined() else None
        return TensorShape([input_shape.dims[0].value, size])


def flatten(inputs, name=None, data_format="channels_last"):
    """TF1 `tf.layers.flatten`."""
    return Flatten(name=name, data_format=data_format).apply(inputs)
