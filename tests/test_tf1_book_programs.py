"""Programs written the way TF1's books write them, run with only the import changed."""
import numpy as np
import pytest

import minitf as tf
from minitf.contrib.layers import batch_norm, fully_connected


@pytest.fixture
def classification_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 20)).astype(np.float32)
    y = (X[:, :5].sum(axis=1) > 0).astype(np.int64) + 2 * (X[:, 5] > 0)
    return X, y


def _dnn(n_inputs=20, n_outputs=4):
    X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
    y = tf.placeholder(tf.int64, shape=(None,), name="y")
    hidden1 = fully_connected(X, 30, scope="hidden1")
    hidden2 = fully_connected(hidden1, 20, scope="hidden2")
    logits = fully_connected(hidden2, n_outputs, scope="outputs", activation_fn=None)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    accuracy = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, y, 1), tf.float32))
    return X, y, hidden1, hidden2, logits, loss, accuracy


def test_relu_sharing_through_variable_scope():
    def relu(X):
        threshold = tf.get_variable("threshold", shape=(), initializer=tf.constant_initializer(0.0))
        w = tf.Variable(tf.ones([3, 1]), name="weights")
        return tf.maximum(tf.matmul(X, w), threshold, name="max")

    X = tf.placeholder(tf.float32, shape=(None, 3), name="X")
    relus = []
    for i in range(5):
        with tf.variable_scope("relu", reuse=(i >= 1)) as scope:
            relus.append(relu(X))
    output = tf.add_n(relus, name="output")
    thresholds = [v for v in tf.global_variables() if "threshold" in v.name]
    assert [v.name for v in thresholds] == ["relu/threshold:0"]
    assert relus[1].name == "relu_1/max:0" and scope.name == "relu"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(output, {X: [[1.0, 1.0, 1.0]]})[0, 0] == 15.0
        with pytest.raises(ValueError, match="already exists"):
            with tf.variable_scope("relu"):
                tf.get_variable("threshold", shape=())


def test_gradient_clipping_and_freezing_layers(classification_data):
    X_data, y_data = classification_data
    X, y, hidden1, hidden2, logits, loss, accuracy = _dnn()
    optimizer = tf.train.GradientDescentOptimizer(0.1)
    upper = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="hidden2|outputs")
    grads_and_vars = optimizer.compute_gradients(loss, var_list=upper)
    capped = [(tf.clip_by_value(grad, -1.0, 1.0), var) for grad, var in grads_and_vars]
    training_op = optimizer.apply_gradients(capped)
    frozen = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="hidden1")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(frozen)
        first = loss.eval({X: X_data, y: y_data})
        # The book's trick: cache the frozen layer's output once and feed it to train the rest.
        cached = sess.run(hidden1, {X: X_data})
        for _ in range(50):
            sess.run(training_op, {hidden1: cached, y: y_data})
        assert loss.eval({X: X_data, y: y_data}) < first
        for old, new in zip(before, sess.run(frozen)):
            np.testing.assert_array_equal(old, new)


def test_max_norm_through_clip_by_norm_assign_and_a_collection(classification_data):
    X_data, y_data = classification_data
    X, y, hidden1, hidden2, logits, loss, accuracy = _dnn()
    weights = tf.get_default_graph().get_tensor_by_name("hidden1/weights:0")
    clipped = tf.clip_by_norm(weights, clip_norm=0.5, axes=1)
    tf.add_to_collection("max_norm", tf.assign(weights, clipped))
    training_op = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(5):
            sess.run(training_op, {X: X_data, y: y_data})
            sess.run(tf.get_collection("max_norm"))
        norms = np.linalg.norm(sess.run(weights), axis=1)
    assert norms.max() <= 0.5 + 1e-5


def test_exponential_decay_with_global_step_and_batch_norm_placeholder(classification_data):
    X_data, y_data = classification_data
    X = tf.placeholder(tf.float32, shape=(None, 20), name="X")
    y = tf.placeholder(tf.int64, shape=(None,), name="y")
    is_training = tf.placeholder(tf.bool, shape=(), name="is_training")
    bn_params = {"is_training": is_training, "decay": 0.9, "updates_collections": None}
    hidden = fully_connected(X, 30, normalizer_fn=batch_norm, normalizer_params=bn_params)
    logits = fully_connected(hidden, 4, activation_fn=None)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    global_step = tf.Variable(0, trainable=False, name="global_step")
    learning_rate = tf.train.exponential_decay(0.1, global_step, decay_steps=10, decay_rate=0.5)
    training_op = tf.train.MomentumOptimizer(learning_rate, momentum=0.9).minimize(loss, global_step)
    moving_mean = [v for v in tf.global_variables() if "moving_mean" in v.name][0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = loss.eval({X: X_data, y: y_data, is_training: False})
        for _ in range(20):
            sess.run(training_op, {X: X_data, y: y_data, is_training: True})
        assert sess.run(global_step) == 20
        assert sess.run(learning_rate) == pytest.approx(0.1 * 0.5 ** 2)
        assert np.any(sess.run(moving_mean) != 0)
        assert loss.eval({X: X_data, y: y_data, is_training: False}) < first


def test_every_optimizer_minimizes_a_quadratic():
    for optimizer in (tf.train.GradientDescentOptimizer(0.1), tf.train.MomentumOptimizer(0.05, 0.9),
                      tf.train.AdagradOptimizer(0.5), tf.train.RMSPropOptimizer(0.05),
                      tf.train.AdamOptimizer(0.1), tf.train.FtrlOptimizer(0.5)):
        tf.reset_default_graph()
        theta = tf.Variable([3.0, -2.0], name="theta")
        loss = tf.reduce_sum(tf.square(theta - [1.0, 0.5]))
        training_op = optimizer.minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(300):
                sess.run(training_op)
            assert sess.run(loss) < 1e-2, type(optimizer).__name__


def test_preloaded_data_in_a_variable_feeds_slice_input_producer():
    data = np.arange(20, dtype=np.float32).reshape(10, 2)
    labels_data = np.arange(10, dtype=np.int32)
    input_data = tf.placeholder(tf.float32, shape=data.shape)
    input_labels = tf.placeholder(tf.int32, shape=labels_data.shape)
    data_var = tf.Variable(input_data, trainable=False, collections=[])
    labels_var = tf.Variable(input_labels, trainable=False, collections=[])
    image, label = tf.train.slice_input_producer([data_var, labels_var], num_epochs=2, shuffle=False)
    images, labels = tf.train.batch([image, label], batch_size=5)
    assert tf.global_variables() == [] and tf.trainable_variables() == []
    with tf.Session() as sess:
        sess.run(data_var.initializer, feed_dict={input_data: data})
        sess.run(labels_var.initializer, feed_dict={input_labels: labels_data})
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        seen = []
        try:
            while not coord.should_stop():
                batch_images, batch_labels = sess.run([images, labels])
                np.testing.assert_array_equal(batch_images, data[batch_labels])
                seen.extend(batch_labels.tolist())
        except tf.errors.OutOfRangeError:
            pass
        finally:
            coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)
    assert sorted(seen) == sorted(labels_data.tolist() * 2)
