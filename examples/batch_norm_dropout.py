"""A deeper classifier with the training tricks of TF1's books: He initialization, ELU,
batch normalization (an `is_training` placeholder, moving averages updated through UPDATE_OPS),
dropout and Adam. Trains on scikit-learn's digits by default, or MNIST given its IDX files.

Run: python examples/batch_norm_dropout.py [--mnist DIR] [--epochs N]
"""
import argparse

import numpy as np

import minitf as tf
from datasets import load_classification_data, shuffled_batches


def build(n_inputs, n_outputs):
    tf.reset_default_graph()
    tf.set_random_seed(42)
    X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
    y = tf.placeholder(tf.int64, shape=(None,), name="y")
    training = tf.placeholder_with_default(False, shape=(), name="training")
    he_init = tf.variance_scaling_initializer()
    layer = X
    with tf.name_scope("dnn"):
        for i, units in enumerate((200, 100)):
            layer = tf.layers.dense(layer, units, kernel_initializer=he_init, name=f"hidden{i + 1}")
            layer = tf.layers.batch_normalization(layer, training=training, momentum=0.9)
            layer = tf.nn.elu(layer)
            layer = tf.layers.dropout(layer, rate=0.2, training=training)
        logits = tf.layers.dense(layer, n_outputs, name="outputs")
    with tf.name_scope("loss"):
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    with tf.name_scope("train"):
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            training_op = tf.train.AdamOptimizer(0.005).minimize(loss)
    with tf.name_scope("eval"):
        accuracy = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, y, 1), tf.float32))
    return X, y, training, training_op, accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", help="directory holding MNIST's IDX files (default: digits)")
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    X_train, y_train, X_test, y_test = load_classification_data(args.mnist)
    X, y, training, training_op, accuracy = build(X_train.shape[1], int(y_train.max()) + 1)
    rng = np.random.default_rng(42)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for epoch in range(args.epochs):
            for X_batch, y_batch in shuffled_batches(X_train, y_train, 50, rng):
                sess.run(training_op, feed_dict={X: X_batch, y: y_batch, training: True})
        test_accuracy = accuracy.eval(feed_dict={X: X_test, y: y_test})
    print(f"test accuracy {test_accuracy:.4f}")
    if test_accuracy < 0.95:
        raise SystemExit("test accuracy below 95%")
    print("OK: batch norm + dropout + Adam network reaches at least 95% test accuracy")


if __name__ == "__main__":
    main()
