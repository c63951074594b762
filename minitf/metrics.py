"""TF1's `tf.metrics`: streaming metrics. Each returns (value, update_op): `update_op` folds one
batch into local variables (zeros, in LOCAL_VARIABLES and METRIC_VARIABLES, named as TF1 names
them: `accuracy/total`, `precision/true_positives/count`, ...), and `value` reads the metric
from them without changing them. `tf.local_variables_initializer()` resets every metric.
"""
from minitf.framework import dtypes
from minitf.framework.default_graph import add_to_collections, control_dependencies, name_scope
from minitf.framework.graph import GraphKeys
from minitf.ops import array_ops, math_ops, selection_ops, state_ops
from minitf.ops.constant_op import convert_to_tensor
from minitf.ops.variable_scope import variable_scope
from minitf.ops.variables import Variable

__all__ = ["mean", "accuracy", "true_positives", "false_positives", "true_negatives", "false_negatives",
           "precision", "recall", "mean_squared_error", "root_mean_squared_error", "mean_absolute_error"]


def _metric_variable(name):
    """A float32 scalar accumulator starting at zero, local to the session (TF1's metric_variable)."""
    return Variable(lambda: array_ops.zeros([], dtypes.float32), trainable=False, name=name,
                    collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES])


def _ratio(numerator, denominator, name):
    """numerator / denominator, 0 where the denominator is 0 (TF1's metrics never return NaN)."""
    positive = math_ops.greater(denominator, 0)
    safe = selection_ops.where(positive, denominator, array_ops.ones_like(denominator))
    return selection_ops.where(positive, numerator / safe, array_ops.zeros_like(numerator), name=name)


def _collect(value, update_op, metrics_collections, updates_collections):
    if metrics_collections:
        add_to_collections(metrics_collections, value)
    if updates_collections:
        add_to_collections(updates_collections, update_op)
    return value, update_op


def _squeezed(labels, predictions):
    """labels and predictions with an extra trailing size-1 dim dropped from one of them, as TF1's
    remove_squeezable_dimensions does ([N, 1] labels against [N] predictions of an argmax)."""
    labels, predictions = convert_to_tensor(labels), convert_to_tensor(predictions)
    label_rank, prediction_rank = labels.shape.ndims, predictions.shape.ndims
    if label_rank is not None and prediction_rank is not None:
        if label_rank == prediction_rank + 1 and labels.shape[-1].is_compatible_with(1):
            labels = array_ops.squeeze(labels, [-1])
        elif prediction_rank == label_rank + 1 and predictions.shape[-1].is_compatible_with(1):
            predictions = array_ops.squeeze(predictions, [-1])
    return labels, predictions


def _as_float(values, weights):
    """(values, weights) as float32, the weights broadcast to the values' shape (TF1's)."""
    values = math_ops.cast(convert_to_tensor(values), dtypes.float32)
    if weights is None:
        return values, None
    weights = math_ops.cast(convert_to_tensor(weights), dtypes.float32)
    return values, weights * array_ops.ones_like(values)


def mean(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """TF1 `tf.metrics.mean`: the (weighted) mean of every value seen so far."""
    with variable_scope(name, "mean", [values, weights]):
        values, weights = _as_float(values, weights)
        total, count = _metric_variable("total"), _metric_variable("count")
        if weights is None:
            num_values = math_ops.cast(array_ops.size(values), dtypes.float32)
        else:
            values = values * weights
            num_values = math_ops.reduce_sum(weights)
        update_total = state_ops.assign_add(total, math_ops.reduce_sum(values))
        with control_dependencies([values]):
            update_count = state_ops.assign_add(count, num_values)
        value = _ratio(total, math_ops.maximum(count, 0.0), "value")
        update_op = _ratio(update_total, math_ops.maximum(update_count, 0.0), "update_op")
        return _collect(value, update_op, metrics_collections, updates_collections)


def accuracy(labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """TF1 `tf.metrics.accuracy`: how often predictions equal labels (the mean of the matches)."""
    with name_scope(None, "accuracy_inputs", [labels, predictions]):
        labels, predictions = _squeezed(labels, predictions)
        if predictions.dtype.base_dtype != labels.dtype.base_dtype:
            predictions = math_ops.cast(predictions, labels.dtype.base_dtype)
        labels.shape.assert_is_compatible_with(predictions.shape)
    is_correct = math_ops.cast(math_ops.equal(predictions, labels), dtypes.float32)
    return mean(is_correct, weights, metrics_collections, updates_collections, name or "accuracy")


def _count_condition(condition, weights, metrics_collections, updates_collections):
    """The (weighted) number of true elements of `condition` so far, in a variable `count`."""
    count = _metric_variable("count")
    values, weights = _as_float(condition, weights)
    if weights is not None:
        values = values * weights
    update_op = state_ops.assign_add(count, math_ops.reduce_sum(values))
    return _collect(array_ops.identity(count), update_op, metrics_collections, updates_collections)


def _confusion_metric(default_name, wanted_label, wanted_prediction):
    def metric(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
               name=None):
        with variable_scope(name, default_name, [predictions, labels, weights]):
            labels, predictions = _squeezed(labels, predictions)
            labels, predictions = math_ops.cast(labels, dtypes.bool), math_ops.cast(predictions, dtypes.bool)
            labels.shape.assert_is_compatible_with(predictions.shape)
            condition = math_ops.logical_and(math_ops.equal(labels, wanted_label),
                                             math_ops.equal(predictions, wanted_prediction))
            return _count_condition(condition, weights, metrics_collections, updates_collections)
    metric.__name__ = default_name
    metric.__doc__ = (f"TF1 `tf.metrics.{default_name}`: the (weighted) number of elements with label "
                      f"{wanted_label} predicted {wanted_prediction}, so far.")
    return metric


true_positives = _confusion_metric("true_positives", True, True)
false_positives = _confusion_metric("false_positives", False, True)
true_negatives = _confusion_metric("true_negatives", False, False)
false_negatives = _confusion_metric("false_negatives", True, False)


def _share(default_name, found, missed):
    """precision (true positives among predicted positives) or recall (among actual positives)."""
    def metric(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
               name=None):
        with variable_scope(name, default_name, [predictions, labels, weights]):
            hits, hits_update = found(labels, predictions, weights)
            misses, misses_update = missed(labels, predictions, weights)
            value = _ratio(hits, hits + misses, "value")
            update_op = _ratio(hits_update, hits_update + misses_update, "update_op")
            return _collect(value, update_op, metrics_collections, updates_collections)
    metric.__name__ = default_name
    return metric


precision = _share("precision", true_positives, false_positives)
precision.__doc__ = "TF1 `tf.metrics.precision`: true positives / (true positives + false positives)."
recall = _share("recall", true_positives, false_negatives)
recall.__doc__ = "TF1 `tf.metrics.recall`: true positives / (true positives + false negatives)."


def mean_squared_error(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                       name=None):
    """TF1 `tf.metrics.mean_squared_error`: the mean of (labels - predictions)^2 so far."""
    labels, predictions = (_as_float(t, None)[0] for t in _squeezed(labels, predictions))
    return mean(math_ops.squared_difference(labels, predictions), weights, metrics_collections,
                updates_collections, name or "mean_squared_error")


def mean_absolute_error(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                        name=None):
    """TF1 `tf.metrics.mean_absolute_error`: the mean of |labels - predictions| so far."""
    labels, predictions = (_as_float(t, None)[0] for t in _squeezed(labels, predictions))
    return mean(math_ops.abs(labels - predictions), weights, metrics_collections, updates_collections,
                name or "mean_absolute_error")


def root_mean_squared_error(labels, predictions, weights=None, metrics_collections=None,
                            updates_collections=None, name=None):
    """TF1 `tf.metrics.root_mean_squared_error`: the square root of the mean squared error."""
    mse, update_mse = mean_squared_error(labels, predictions, weights, name=name or "root_mean_squared_error")
    return _collect(math_ops.sqrt(mse), math_ops.sqrt(update_mse), metrics_collections, updates_collections)
