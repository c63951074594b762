"""tf.metrics: streaming metrics accumulate in local variables named as TF1 names them, and
their values match TF1's (checked against TensorFlow where it imports)."""
import numpy as np
import pytest

import minitf as tf

BATCHES = [([1, 0, 1, 1], [1, 1, 0, 1], [1.0, 0.5, 2.0, 1.0]), ([0, 0, 1], [0, 1, 1], [1.0, 1.0, 0.0])]


def streamed(t, weighted):
    """The metrics' values after each batch, through `t` (minitf or tensorflow.compat.v1)."""
    graph = t.Graph()
    with graph.as_default():
        labels, predictions = t.placeholder(t.int64, [None]), t.placeholder(t.int64, [None])
        weights = t.placeholder(t.float32, [None]) if weighted else None
        metrics = {
            "accuracy": t.metrics.accuracy(labels, predictions, weights),
            "precision": t.metrics.precision(labels, predictions, weights),
            "recall": t.metrics.recall(labels, predictions, weights),
            "true_positives": t.metrics.true_positives(labels, predictions, weights),
            "false_negatives": t.metrics.false_negatives(labels, predictions, weights),
            "true_negatives": t.metrics.true_negatives(labels, predictions, weights),
            "false_positives": t.metrics.false_positives(labels, predictions, weights),
            "mean": t.metrics.mean(t.cast(labels, t.float32), weights),
            "mse": t.metrics.mean_squared_error(labels, predictions, weights),
            "rmse": t.metrics.root_mean_squared_error(labels, predictions, weights),
            "mae": t.metrics.mean_absolute_error(labels, predictions, weights),
        }
        names = sorted(v.name for v in t.local_variables())
        with t.Session(graph=graph) as sess:
            sess.run(t.local_variables_initializer())
            history = []
            for batch_labels, batch_predictions, batch_weights in BATCHES:
                feed = {labels: batch_labels, predictions: batch_predictions}
                if weighted:
                    feed[weights] = batch_weights
                sess.run([update for _, update in metrics.values()], feed)
                history.append(sess.run({k: value for k, (value, _) in metrics.items()}))
            return history, names


@pytest.mark.parametrize("weighted", [False, True])
def test_streamed_values_match_tensorflow(weighted):
    tensorflow = pytest.importorskip("tensorflow")
    tf1 = tensorflow.compat.v1
    tf1.disable_v2_behavior()
    theirs, their_names = streamed(tf1, weighted)
    ours, our_names = streamed(tf, weighted)
    assert our_names == their_names
    for their_step, our_step in zip(theirs, ours):
        for key in their_step:
            np.testing.assert_allclose(our_step[key], their_step[key], rtol=1e-6, err_msg=key)


def test_streamed_values_and_variables():
    history, names = streamed(tf, weighted=False)
    assert "accuracy/total:0" in names and "precision/true_positives/count:0" in names
    first, second = history
    assert first["accuracy"] == pytest.approx(0.5) and second["accuracy"] == pytest.approx(4 / 7)
    assert first["precision"] == pytest.approx(2 / 3) and first["recall"] == pytest.approx(2 / 3)
    assert second["true_positives"] == 3 and second["true_negatives"] == 1 and second["false_positives"] == 2
    assert second["mse"] == pytest.approx(3 / 7) and second["rmse"] == pytest.approx(np.sqrt(3 / 7))


def test_collections_and_reset():
    labels = tf.constant([1, 1])
    precision, update = tf.metrics.precision(labels, tf.constant([0, 0]), metrics_collections=["m"],
                                             updates_collections=["u"])
    assert tf.get_collection("m") == [precision] and tf.get_collection("u") == [update]
    assert all(v in tf.get_collection(tf.GraphKeys.METRIC_VARIABLES) for v in tf.local_variables())
    assert not tf.trainable_variables()
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(update) == 0.0  # no predicted positives: 0, never NaN
        accuracy, accuracy_update = tf.metrics.accuracy(labels, labels)
        sess.run(tf.local_variables_initializer())
        sess.run(accuracy_update)
        assert sess.run(accuracy) == 1.0
        sess.run(tf.local_variables_initializer())  # resets every metric
        assert sess.run(accuracy) == 0.0
