"""Kernels of the nn ops (activations, softmax and cross-entropies, top-k, bias, L2 loss, LRN),
written once against `ctx.xp` and registered for CPU and GPU.

Everything is vectorized: the MLP benchmark runs Relu, ReluGrad and the sparse cross-entropy every
step, so each of them is the few NumPy calls a hand-written step would make. 0-d values arrive as
NumPy scalars and leave as scalars (`_scalar`); every result has exactly the op's dtype. Half
precision softmax-like kernels compute in float32 and round once at the end.
"""
import operator

import numpy

from minitf.runtime.kernel_registry import register_kernel, scalar_or_array

_BOTH = ("CPU", "GPU")
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _kernel(op_type):
    return register_kernel(op_type, devices=_BOTH)



def _dims(value):
    """A shape in TF's message style: [2,3]."""
    return "[" + ",".join(str(d) for d in value.shape) + "]"


def _working(xp, x):
    """`x` in the precision the reductions run in: float16 is widened to float32."""
    return x.astype(xp.float32) if x.dtype == xp.float16 else x


def _elementwise(function):
    """A factory for an elementwise kernel `function(xp, *values)`; 0-d results become scalars."""
    def factory(ctx):
        xp = ctx.xp
        return lambda *values: scalar_or_array(xp.asarray(function(xp, *values)))
    return factory


# ======================================================================================
# Activations and their gradient ops (TF1 computes *Grad from the forward output where it can)
# ======================================================================================
# Plain ufunc compositions keep NumPy scalars scalars and are registered without a wrapper.
_kernel("Relu")(lambda ctx: lambda x: ctx.xp.maximum(x, 0))


@_kernel("ReluGrad")
def relu_grad(ctx):
    """gradients * (features > 0), with the mask written straight into the output buffer: no bool
    temporary and one pass fewer over memory (the CNN benchmark's largest elementwise op)."""
    xp = ctx.xp

    def compute(gradients, features):
        if gradients.ndim == 0 or gradients.shape != features.shape:
            return gradients * (features > 0)
        out = xp.empty(gradients.shape, gradients.dtype)
        xp.greater(features, 0, out=out)
        return xp.multiply(out, gradients, out=out)
    return compute


_kernel("Relu6")(lambda ctx: lambda x: ctx.xp.minimum(ctx.xp.maximum(x, 0), 6))
_kernel("Relu6Grad")(lambda ctx: lambda gradients, features: gradients * ((features > 0) & (features < 6)))
_kernel("Softplus")(lambda ctx: lambda x: ctx.xp.logaddexp(x, 0))  # log(1 + e^x) without overflow
_kernel("SoftplusGrad")(lambda ctx: lambda gradients, features: gradients / (1 + ctx.xp.exp(-features)))
_kernel("Softsign")(lambda ctx: lambda x: x / (1 + ctx.xp.abs(x)))
_kernel("SoftsignGrad")(
    lambda ctx: lambda gradients, features: gradients / ctx.xp.square(1 + ctx.xp.abs(features)))

# The negative branch sees min(x, 0) so that expm1 never overflows on the branch `where` discards.
_kernel("Elu")(_elementwise(lambda xp, x: xp.where(x > 0, x, xp.expm1(xp.minimum(x, 0)))))
_kernel("EluGrad")(_elementwise(lambda xp, g, outputs: xp.where(outputs < 0, g * (outputs + 1), g)))
_kernel("Selu")(_elementwise(
    lambda xp, x: SELU_SCALE * xp.where(x > 0, x, SELU_ALPHA * xp.expm1(xp.minimum(x, 0)))))
_kernel("SeluGrad")(_elementwise(
    lambda xp, g, outputs: xp.where(outputs < 0, g * (outputs + SELU_SCALE * SELU_ALPHA), g * SELU_SCALE)))


@_kernel("LeakyRelu")
def leaky_relu(ctx):
    xp, alpha = ctx.xp, ctx.attr("alpha")
    if 0 <= alpha <= 1:  # then max(x, alpha * x) is the function, one ufunc cheaper than where
        return lambda x: xp.maximum(x, x * alpha)
    return lambda x: scalar_or_array(xp.asarray(xp.where(x > 0, x, x * alpha)))


@_kernel("LeakyReluGrad")
def leaky_relu_grad(ctx):
    xp, alpha = ctx.xp, ctx.attr("alpha")
    return lambda gradients, features: scalar_or_array(xp.asarray(xp.where(features > 0, gradients, gradients * alpha)))


# ======================================================================================
# Softmax and log-softmax over the last axis (shifted by the maximum: stable for huge logits)
# ======================================================================================
def _shifted(ctx, logits):
    """logits - max(logits) over the last axis, in the working precision."""
    if logits.ndim == 0:
        raise ctx.error("logits must have >= 1 dimension, got shape []")
    work = _working(ctx.xp, logits)
    return work - work.max(axis=-1, keepdims=True)


def _softmax_kernel(finish):
    def factory(ctx):
        def compute(logits):
            if logits.size == 0:
                return logits.copy()
            return finish(ctx.xp, _shifted(ctx, logits)).astype(logits.dtype, copy=False)
        return compute
    return factory


def _softmax(xp, shifted):
    exps = xp.exp(shifted)
    exps /= exps.sum(axis=-1, keepdims=True)
    return exps


def _log_softmax(xp, shifted):
    return shifted - xp.log(xp.exp(shifted).sum(axis=-1, keepdims=True))


_kernel("Softmax")(_softmax_kernel(_softmax))
_kernel("LogSoftmax")(_softmax_kernel(_log_softmax))


# ======================================================================================
# Cross-entropies: loss and backprop (softmax - labels) in one pass
# ======================================================================================
@_kernel("SoftmaxCrossEntropyWithLogits")
def softmax_cross_entropy(ctx):
    xp = ctx.xp

    def compute(features, labels):
        if features.shape != labels.shape:
            try:
                shape = numpy.broadcast_shapes(features.shape, labels.shape)
            except ValueError:
                raise ctx.error(f"logits and labels must be broadcastable: logits_size={_dims(features)} "
                                f"labels_size={_dims(labels)}") from None
            features, labels = xp.broadcast_to(features, shape), xp.broadcast_to(labels, shape)
        if features.ndim != 2:
            raise ctx.error("logits and labels must be either 2-dimensional, or broadcasted to be "
                            "2-dimensional")
        if features.shape[1] == 0:  # no classes: nothing to lose
            return xp.zeros(features.shape[0], features.dtype), xp.zeros(features.shape, features.dtype)
        shifted = _shifted(ctx, features)
        labels_work = _working(xp, labels)
        exps = xp.exp(shifted)
        total = exps.sum(axis=1, keepdims=True)
        loss = (labels_work * (xp.log(total) - shifted)).sum(axis=1)
        exps /= total
        exps -= labels_work
        return loss.astype(features.dtype, copy=False), exps.astype(features.dtype, copy=False)
    return compute


@register_kernel("SparseSoftmaxCrossEntropyWithLogits", devices=_BOTH, type_attr="T")
def sparse_softmax_cross_entropy(ctx):
    """On the CPU an out-of-range label fails the step, as in TF1; on the GPU (where TF1 does not
    check either) its row's loss and backprop are NaN, so no device-to-host sync is needed."""
    xp, on_gpu = ctx.xp, ctx.device.device_type == "GPU"
    rows = xp.arange(0)  # reused while the batch size stays the same

    def compute(features, labels):
        nonlocal rows
        _check_sparse_shapes(ctx, features, labels)
        batch, classes = features.shape
        if batch == 0:
            return xp.zeros(0, features.dtype), xp.zeros(features.shape, features.dtype)
        if len(rows) != batch:
            rows = xp.arange(batch)
        if on_gpu:
            labels = xp.asarray(labels)  # int32 labels arrive in host memory
            outside = (labels < 0) | (labels >= classes)
            labels = xp.where(outside, 0, labels)
        elif labels.view(_UNSIGNED[labels.dtype.itemsize]).max() >= classes:  # negatives wrap to huge
            _raise_label_error(ctx, labels, classes)
        shifted = _shifted(ctx, features)
        backprop = xp.exp(shifted)
        total = backprop.sum(axis=1, keepdims=True)
        backprop /= total
        loss = xp.log(total[:, 0]) - shifted[rows, labels]
        backprop[rows, labels] -= 1
        if on_gpu:
            loss = xp.where(outside, xp.nan, loss)
            backprop = xp.where(outside[:, None], xp.nan, backprop)
        return loss.astype(features.dtype, copy=False), backprop.astype(features.dtype, copy=False)
    return compute


_UNSIGNED = {4: numpy.uint32, 8: numpy.uint64}  # int32/int64 labels viewed without a copy


def _check_sparse_shapes(ctx, features, labels):
    if features.ndim != 2:
        raise ctx.error(f"logits must be 2-D, but got shape {_dims(features)}")
    if labels.ndim != 1:
        raise ctx.error(f"labels must be 1-D, but got shape {_dims(labels)}")
    if labels.shape[0] != features.shape[0]:
        raise ctx.error("logits and labels must have the same first dimension, got logits shape "
                        f"{_dims(features)} and labels shape {_dims(labels)}")
    if features.shape[1] == 0 and features.shape[0]:
        raise ctx.error(f"Must have at least one class, but got logits shape {_dims(features)}")


def _raise_label_error(ctx, labels, classes):
    bad = labels[((labels < 0) | (labels >= classes)).argmax()]
    values = " ".join(str(v) for v in labels.tolist())
    raise ctx.error(f"Received a label value of {bad} which is outside the valid range of "
                    f"[0, {classes}).  Label values: {values}")


# ======================================================================================
# Top-k and in-top-k (ties: the lower index ranks first, as in TF1)
# ======================================================================================
def _in_top_k(ctx, predictions, targets, k):
    xp = ctx.xp
    if predictions.ndim != 2:
        raise ctx.error(f"predictions must be 2-dimensional, got shape {_dims(predictions)}")
    if targets.ndim != 1:
        raise ctx.error(f"targets must be 1-dimensional, got shape {_dims(targets)}")
    batch, classes = predictions.shape
    if targets.shape[0] != batch:
        raise ctx.error(f"First dimension of predictions {batch} must match length of targets {targets.shape[0]}")
    targets = xp.asarray(targets)  # int32 targets arrive in host memory
    valid = (targets >= 0) & (targets < classes)
    if classes == 0:
        return valid
    # TF1: a target is in the top k when fewer than k classes score strictly higher; a row with a
    # non-finite prediction, or an out-of-range target, is never in the top k.
    target_scores = predictions[xp.arange(batch), xp.where(valid, targets, 0)]
    higher = (predictions > target_scores[:, None]).sum(axis=1)
    return valid & xp.isfinite(predictions).all(axis=1) & (higher < k)


@register_kernel("InTopK", devices=_BOTH)
def in_top_k(ctx):
    k = ctx.attr("k")
    return lambda predictions, targets: _in_top_k(ctx, predictions, targets, k)


@register_kernel("InTopKV2", devices=_BOTH)
def in_top_k_v2(ctx):
    def compute(predictions, targets, k):
        if numpy.ndim(k) != 0:
            raise ctx.error(f"k must be 0-D, got shape {_dims(k)}")
        return _in_top_k(ctx, predictions, targets, int(k))
    return compute


@_kernel("TopKV2")
def top_k(ctx):
    xp, index_type = ctx.xp, ctx.attr("index_type").as_numpy_dtype

    def compute(values, k):
        k = int(k)
        if k < 0:
            raise ctx.error(f"Need k >= 0, got {k}")
        if values.ndim < 1:
            raise ctx.error(f"input must be >= 1-D, got shape {_dims(values)}")
        columns = values.shape[-1]
        if columns < k:
            raise ctx.error(f"input must have at least k columns. Had {columns}, needed {k}")
        # A stable ascending sort of the reversed row, read backwards, is descending with ties in
        # ascending index order (negating would break unsigned types).
        order = xp.argsort(values[..., ::-1], axis=-1, kind="stable")[..., ::-1][..., :k]
        indices = (columns - 1) - order
        return xp.take_along_axis(values, indices, axis=-1), indices.astype(index_type)
    return compute


# ======================================================================================
# L2 loss, bias add and its gradient
# ======================================================================================
_kernel("L2Loss")(lambda ctx: lambda t: ctx.xp.sum(ctx.xp.square(t)) / 2)


def _channel_axis(data_format, ndim):
    return 1 if data_format.startswith("NC") else ndim - 1


@_kernel("BiasAdd")
def bias_add(ctx):
    """A plain (inlined) `+` when the static shapes already guarantee a match; else checked."""
    data_format = ctx.attr("data_format")
    value_shape, bias_shape = (t.shape for t in ctx.op.inputs)
    if data_format == "NHWC" and value_shape.ndims and bias_shape.ndims == 1 \
            and value_shape[-1].value is not None and value_shape[-1].value == bias_shape[0].value:
        return operator.add

    def compute(value, bias):
        minimum_rank = 3 if data_format.startswith("NC") else 2
        if value.ndim < minimum_rank:
            raise ctx.error(f"Input tensor must be at least {minimum_rank}D: {_dims(value)}")
        if bias.ndim != 1:
            raise ctx.error(f"Biases must be 1D: {_dims(bias)}")
        axis = _channel_axis(data_format, value.ndim)
        if bias.shape[0] != value.shape[axis]:
            which = "channel" if data_format.startswith("NC") else "last"
            raise ctx.error(f"Must provide as many biases as the {which} dimension of the input tensor: "
                            f"{_dims(bias)} vs. {_dims(value)}")
        return value + bias.reshape((-1,) + (1,) * (value.ndim - 1 - axis))
    return compute


@_kernel("BiasAddGrad")
def bias_add_grad(ctx):
    xp, data_format = ctx.xp, ctx.attr("data_format")

    def compute(out_backprop):
        if out_backprop.ndim < 2:
            raise ctx.error(f"Input tensor must be at least 2D: {_dims(out_backprop)}")
        axis = _channel_axis(data_format, out_backprop.ndim)
        others = tuple(a for a in range(out_backprop.ndim) if a != axis)
        return _working(xp, out_backprop).sum(axis=others).astype(out_backprop.dtype, copy=False)
    return compute


# ======================================================================================
# Local response normalization: windows along the depth (last) axis
# ======================================================================================
def _window_sums(xp, values, radius):
    """sum(values[..., d - radius : d + radius + 1]) for every d: 2 * radius + 1 shifted adds of a
    zero-padded copy (exact, unlike differences of a cumulative sum)."""
    depth = values.shape[-1]
    radius = min(radius, max(depth - 1, 0))
    padded = xp.zeros(values.shape[:-1] + (depth + 2 * radius,), values.dtype)
    padded[..., radius:radius + depth] = values
    total = padded[..., :depth].copy()
    for offset in range(1, 2 * radius + 1):
        total += padded[..., offset:offset + depth]
    return total


def _lrn_params(ctx):
    return ctx.attr("depth_radius"), ctx.attr("bias"), ctx.attr("alpha"), ctx.attr("beta")


def _check_4d(ctx, *values):
    for value in values:
        if value.ndim != 4:
            raise ctx.error(f"input must be 4-dimensional, got shape {_dims(value)}")


@_kernel("LRN")
def lrn(ctx):
    xp, (radius, bias, alpha, beta) = ctx.xp, _lrn_params(ctx)

    def compute(x):
        _check_4d(ctx, x)
        work = _working(xp, x)
        norm = bias + alpha * _window_sums(xp, work * work, radius)
        return (work * norm ** -beta).astype(x.dtype, copy=False)
    return compute


@_kernel("LRNGrad")
def lrn_grad(ctx):
    """d out_i / d x_j = [i == j] norm_i^-beta - 2 alpha beta x_i x_j norm_i^(-beta-1) for j in the
    window of i; windows are symmetric, so the second term is a window sum over i around j."""
    xp, (radius, bias, alpha, beta) = ctx.xp, _lrn_params(ctx)

    def compute(grads, image, output_image):
        _check_4d(ctx, grads, image, output_image)
        g, x = _working(xp, grads), _working(xp, image)
        norm = bias + alpha * _window_sums(xp, x * x, radius)
        scaled = g * x * norm ** (-beta - 1)
        result = g * norm ** -beta - (2 * alpha * beta) * x * _window_sums(xp, scaled, radius)
        return result.astype(grads.dtype, copy=False)
    return compute
