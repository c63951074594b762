"""TF1's `tf.losses` (1.15): per-example losses reduced by `compute_weighted_loss` and added to
the LOSSES collection, plus the collection helpers (get_losses, get_total_loss, ...).

Every loss is computed in float32 and cast back to the input dtype, as in TF1. Departure: TF1's
run-time check that `weights` broadcast to the losses (assert_broadcastable) is left to the
Mul's own static and run-time shape checks.
"""
from minitf.framework import dtypes
from minitf.framework.default_graph import add_to_collection, get_collection, name_scope
from minitf.framework.graph import GraphKeys
from minitf.ops import array_ops, math_ops, nn_impl, nn_ops, selection_ops
from minitf.ops.constant_op import constant, convert_to_tensor
from minitf.ops.gradients_impl import stop_gradient

__all__ = ["Reduction", "compute_weighted_loss", "mean_squared_error", "absolute_difference", "log_loss",
           "huber_loss", "hinge_loss", "sigmoid_cross_entropy", "softmax_cross_entropy",
           "sparse_softmax_cross_entropy", "add_loss", "get_losses", "get_regularization_losses",
           "get_regularization_loss", "get_total_loss"]


class Reduction:
    """TF1 `tf.losses.Reduction`: how compute_weighted_loss reduces the weighted losses."""
    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE, cls.SUM_OVER_NONZERO_WEIGHTS,
                cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}.")


# ======================================================================================
# The reduction
# ======================================================================================
def _safe_mean(total, count):
    """total / count, 0 where count is 0 (TF1's div_no_nan, named "value"); the where-guarded
    denominator keeps the gradient finite too."""
    positive = math_ops.greater(count, 0.0)
    safe_count = selection_ops.where(positive, count, array_ops.ones_like(count))
    return selection_ops.where(positive, total / safe_count, array_ops.zeros_like(total), name="value")


def _num_present(losses, weights):
    """How many losses have a nonzero weight (weights broadcast to the losses' shape)."""
    with name_scope(None, "num_present", [losses, weights]) as scope:
        weights = math_ops.cast(weights, dtypes.float32)
        present = selection_ops.where(math_ops.equal(weights, 0.0), array_ops.zeros_like(weights),
                                      array_ops.ones_like(weights))
        present = present * array_ops.ones_like(losses)
        return math_ops.reduce_sum(present, name=scope)


def _num_elements(losses):
    with name_scope(None, "num_elements"):
        return math_ops.cast(array_ops.size(losses), losses.dtype)


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """TF1 `tf.losses.compute_weighted_loss`: losses * weights, reduced by `reduction`, cast
    back to the losses' dtype and added to `loss_collection`."""
    Reduction.validate(reduction)
    with name_scope(scope, "weighted_loss", [losses, weights]):
        losses = convert_to_tensor(losses)
        input_dtype = losses.dtype.base_dtype
        losses = math_ops.cast(losses, dtypes.float32)
        weights = math_ops.cast(weights, dtypes.float32)
        weighted_losses = math_ops.multiply(losses, weights)
        if reduction == Reduction.NONE:
            loss = weighted_losses
        else:
            loss = math_ops.reduce_sum(weighted_losses)
            if reduction == Reduction.MEAN:
                loss = _safe_mean(loss, math_ops.reduce_sum(array_ops.ones_like(losses) * weights))
            elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                loss = _safe_mean(loss, _num_present(losses, weights))
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                loss = _safe_mean(loss, _num_elements(losses))
        loss = math_ops.cast(loss, input_dtype)
        add_loss(loss, loss_collection)
        return loss


# ======================================================================================
# The losses: each builds per-element losses in its scope, then compute_weighted_loss
# ======================================================================================
def _check_given(**tensors):
    for name, value in tensors.items():
        if value is None:
            raise ValueError(f"{name} must not be None.")


def _float_pair(labels, predictions):
    predictions = math_ops.cast(predictions, dtypes.float32)
    labels = math_ops.cast(labels, dtypes.float32)
    predictions.shape.assert_is_compatible_with(labels.shape)
    return labels, predictions


def _regression_loss(default_name, per_element):
    """A loss of (labels, predictions) whose per-element losses are `per_element(labels, predictions)`."""
    def loss(labels, predictions, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
             reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
        _check_given(labels=labels, predictions=predictions)
        with name_scope(scope, default_name, [predictions, labels, weights]) as scope:
            losses = per_element(*_float_pair(labels, predictions))
            return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)
    loss.__name__ = loss.__qualname__ = default_name
    loss.__doc__ = f"TF1 `tf.losses.{default_name}(labels, predictions, weights=1.0, ...)`."
    return loss


mean_squared_error = _regression_loss(
    "mean_squared_error", lambda labels, predictions: math_ops.squared_difference(predictions, labels))
absolute_difference = _regression_loss(
    "absolute_difference", lambda labels, predictions: math_ops.abs(math_ops.subtract(predictions, labels)))


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None, loss_collection=GraphKeys.LOSSES,
             reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """TF1 `tf.losses.log_loss`: -labels * log(p + eps) - (1 - labels) * log(1 - p + eps)."""
    _check_given(labels=labels, predictions=predictions)
    with name_scope(scope, "log_loss", [predictions, labels, weights]) as scope:
        labels, predictions = _float_pair(labels, predictions)
        losses = -math_ops.multiply(labels, math_ops.log(predictions + epsilon)) - math_ops.multiply(
            (1 - labels), math_ops.log(1 - predictions + epsilon))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """TF1 `tf.losses.huber_loss`: 0.5 * e^2 where |e| <= delta, else delta * (|e| - 0.5 * delta)."""
    _check_given(labels=labels, predictions=predictions)
    with name_scope(scope, "huber_loss", [predictions, labels, weights]) as scope:
        labels, predictions = _float_pair(labels, predictions)
        abs_error = math_ops.abs(math_ops.subtract(predictions, labels))
        quadratic = math_ops.minimum(abs_error, delta)
        linear = math_ops.subtract(abs_error, quadratic)
        losses = math_ops.add(math_ops.multiply(0.5, math_ops.multiply(quadratic, quadratic)),
                              math_ops.multiply(delta, linear))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """TF1 `tf.losses.hinge_loss`: relu(1 - (2 * labels - 1) * logits), labels in {0, 1}."""
    _check_given(labels=labels, logits=logits)
    with name_scope(scope, "hinge_loss", [logits, labels, weights]) as scope:
        labels, logits = _float_pair(labels, logits)
        all_ones = array_ops.ones_like(labels)
        labels = math_ops.subtract(2 * labels, all_ones)
        losses = nn_ops.relu(math_ops.subtract(all_ones, math_ops.multiply(labels, logits)))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """TF1 `tf.losses.sigmoid_cross_entropy`; label_smoothing moves labels toward 1/2."""
    _check_given(multi_class_labels=multi_class_labels, logits=logits)
    with name_scope(scope, "sigmoid_cross_entropy_loss", [logits, multi_class_labels, weights]) as scope:
        logits = convert_to_tensor(logits)
        labels = math_ops.cast(multi_class_labels, logits.dtype.base_dtype)
        logits.shape.assert_is_compatible_with(labels.shape)
        if label_smoothing > 0:
            labels = labels * (1 - label_smoothing) + 0.5 * label_smoothing
        losses = nn_impl.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """TF1 `tf.losses.softmax_cross_entropy`; label_smoothing gives each class ls / num_classes
    and the true class 1 - ls more; no gradient flows into the labels."""
    _check_given(onehot_labels=onehot_labels, logits=logits)
    with name_scope(scope, "softmax_cross_entropy_loss", [logits, onehot_labels, weights]) as scope:
        logits = convert_to_tensor(logits)
        labels = math_ops.cast(onehot_labels, logits.dtype.base_dtype)
        logits.shape.assert_is_compatible_with(labels.shape)
        if label_smoothing > 0:
            num_classes = math_ops.cast(array_ops.shape(labels)[-1], logits.dtype.base_dtype)
            labels = labels * (1 - label_smoothing) + label_smoothing / num_classes
        labels = stop_gradient(labels, name="labels_stop_gradient")
        losses = nn_ops.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """TF1 `tf.losses.sparse_softmax_cross_entropy`: labels of shape [batch] (or [batch, 1],
    squeezed as TF1 does when the ranks say so)."""
    _check_given(labels=labels, logits=logits)
    with name_scope(scope, "sparse_softmax_cross_entropy_loss", [logits, labels, weights]) as scope:
        labels, logits = convert_to_tensor(labels), convert_to_tensor(logits)
        if labels.shape.ndims is not None and labels.shape.ndims == logits.shape.ndims:
            labels = array_ops.squeeze(labels, [-1])
        losses = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


# ======================================================================================
# Collections
# ======================================================================================
def add_loss(loss, loss_collection=GraphKeys.LOSSES):
    """TF1 `tf.losses.add_loss`: adds `loss` to `loss_collection` (nothing when it is None)."""
    if loss_collection:
        add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES):
    return get_collection(loss_collection, scope)


def get_regularization_losses(scope=None):
    return get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss"):
    """TF1: the sum of the regularization losses (AddN named `name`), or a 0.0 constant."""
    losses = get_regularization_losses(scope)
    return math_ops.add_n(losses, name=name) if losses else constant(0.0)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """TF1: AddN of the LOSSES collection (and the regularization losses); ValueError when empty."""
    losses = get_losses(scope=scope)
    if add_regularization_losses:
        losses = losses + get_regularization_losses(scope)
    if not losses:
        raise ValueError("No losses were found in the collection.")  # TF1's add_n message differs
    return math_ops.add_n(losses, name=name)
