"""TF1 `tf.layers.BatchNormalization`/`batch_normalization`.

Variables (in this order): "gamma" (scale), "beta" (center), and the non-trainable "moving_mean"
and "moving_variance". When training (True, or a bool tensor decided at run time through
tf.cond) the batch moments normalize the inputs and two AssignMovingAvg updates
(`moving -= (moving - batch) * (1 - momentum)`) are added to UPDATE_OPS, which the training op
must run (`tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS))`). With
`training=False` the moving averages normalize and no update is made.

Departures: always the unfused computation (TF1 may pick FusedBatchNorm for 4-D inputs; the
values agree); renorm, virtual_batch_size and adjustment are not supported.
"""
from minitf.framework.tensor_shape import TensorShape
from minitf.layers import utils
from minitf.layers.base import Layer
from minitf.ops import array_ops, init_ops, math_ops, nn_impl
from minitf.ops.constant_op import convert_to_tensor

__all__ = ["BatchNormalization", "batch_normalization", "BatchNorm"]


class BatchNormalization(Layer):
    """TF1 `tf.layers.BatchNormalization(axis=-1, momentum=0.99, epsilon=1e-3, center=True,
    scale=True, ...)`; call it with `training=`."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer=init_ops.zeros_initializer(), gamma_initializer=init_ops.ones_initializer(),
                 moving_mean_initializer=init_ops.zeros_initializer(),
                 moving_variance_initializer=init_ops.ones_initializer(), beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, renorm=False,
                 renorm_clipping=None, renorm_momentum=0.99, fused=None, trainable=True,
                 virtual_batch_size=None, adjustment=None, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise NotImplementedError("minitf's BatchNormalization supports no renorm, "
                                      "virtual_batch_size or adjustment")
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.momentum, self.epsilon = momentum, epsilon
        self.center, self.scale = center, scale
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.fused = fused
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.ndims is None:
            raise ValueError(f"Input has undefined rank: {input_shape}")
        ndims = input_shape.ndims
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for x in axes:
            if not -ndims <= x < ndims:
                raise ValueError(f"Invalid axis: {x}")
        self._axes = sorted({x % ndims for x in axes})
        dims = {x: input_shape.dims[x].value for x in self._axes}
        if None in dims.values():
            raise ValueError(f"Input has undefined `axis` dimension. Received input with shape "
                             f"{input_shape}. Axis value: {self.axis}")
        # One axis: a vector; several: the input's shape with 1 on the reduced axes.
        param_shape = list(dims.values()) if len(dims) == 1 else [dims.get(i, 1) for i in range(ndims)]
        weights = (("gamma", self.scale, self.gamma_initializer, self.gamma_regularizer,
                    self.gamma_constraint, True),
                   ("beta", self.center, self.beta_initializer, self.beta_regularizer,
                    self.beta_constraint, True),
                   ("moving_mean", True, self.moving_mean_initializer, None, None, False),
                   ("moving_variance", True, self.moving_variance_initializer, None, None, False))
        for name, wanted, initializer, regularizer, constraint, trainable in weights:
            if wanted:
                setattr(self, name, self.add_weight(name, shape=param_shape, dtype=self.dtype,
                                                    initializer=initializer, regularizer=regularizer,
                                                    constraint=constraint, trainable=trainable))

    def call(self, inputs, training=False):
        training = False if training is None else training  # TF1's default learning phase
        ndims = inputs.shape.ndims
        reduction_axes = [i for i in range(ndims) if i not in self._axes]
        broadcast_shape = [1] * ndims
        broadcast_shape[self._axes[0]] = inputs.shape.dims[self._axes[0]].value
        needs_broadcast = len(self._axes) == 1 and reduction_axes != list(range(ndims - 1))

        def broadcast(value):
            if value is None or not needs_broadcast:
                return value
            return array_ops.reshape(value, broadcast_shape)

        if utils.constant_value(training) is False:
            mean, variance = self.moving_mean, self.moving_variance
        else:
            batch_mean, batch_variance = nn_impl.moments(inputs, reduction_axes,
                                                        keep_dims=len(self._axes) > 1)
            mean = utils.smart_cond(training, lambda: batch_mean,
                                    lambda: convert_to_tensor(self.moving_mean))
            variance = utils.smart_cond(training, lambda: batch_variance,
                                        lambda: convert_to_tensor(self.moving_variance))
            self.add_update([self._moving_average_update(self.moving_mean, mean, training),
                             self._moving_average_update(self.moving_variance, variance, training)])
        dtype = inputs.dtype.base_dtype
        mean, variance = math_ops.cast(mean, dtype), math_ops.cast(variance, dtype)
        offset = None if self.beta is None else math_ops.cast(self.beta, dtype)
        scale = None if self.gamma is None else math_ops.cast(self.gamma, dtype)
        outputs = nn_impl.batch_normalization(inputs, broadcast(mean), broadcast(variance),
                                             broadcast(offset), broadcast(scale), self.epsilon)
        outputs.set_shape(inputs.shape)
        return outputs

    def _moving_average_update(self, variable, value, training):
        return utils.smart_cond(training,
                                lambda: utils.assign_moving_average(variable, value, self.momentum),
                                lambda: variable)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                        beta_initializer=init_ops.zeros_initializer(),
                        gamma_initializer=init_ops.ones_initializer(),
                        moving_mean_initializer=init_ops.zeros_initializer(),
                        moving_variance_initializer=init_ops.ones_initializer(), beta_regularizer=None,
                        gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                        training=False, trainable=True, name=None, reuse=None, renorm=False,
                        renorm_clipping=None, renorm_momentum=0.99, fused=None, virtual_batch_size=None,
                        adjustment=None):
    """TF1 `tf.layers.batch_normalization`: a fresh BatchNormalization layer applied to `inputs`.
    Note the default momentum 0.99 and `training=False`."""
    layer = BatchNormalization(
        axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
        beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
        moving_mean_initializer=moving_mean_initializer,
        moving_variance_initializer=moving_variance_initializer, beta_regularizer=beta_regularizer,
        gamma_regularizer=gamma_regularizer, beta_constraint=beta_constraint,
        gamma_constraint=gamma_constraint, renorm=renorm, renorm_clipping=renorm_clipping,
        renorm_momentum=renorm_momentum, fused=fused, trainable=trainable,
        virtual_batch_size=virtual_batch_size, adjustment=adjustment, name=name, _reuse=reuse,
        _scope=name)
    return layer.apply(inputs, training=training)


BatchNorm = BatchNormalization
