"""A small CNN, TF1 style: conv -> max pool -> conv -> max pool -> dense, trained with Adam.
Uses scikit-learn's 8x8 digits by default, or 28x28 MNIST given the directory of its IDX files.

Run: python examples/cnn.py [--mnist DIR] [--epochs N]
"""
import argparse

import numpy as np

import minitf as tf
from datasets import load_classification_data, shuffled_batches


def build(side, n_outputs):
    tf.reset_default_graph()
    tf.set_random_seed(42)
    X = tf.placeholder(tf.float32, shape=(None, side * side), name="X")
    y = tf.placeholder(tf.int64, shape=(None,), name="y")
    images = tf.reshape(X, [-1, side, side, 1])
    conv1 = tf.layers.conv2d(images, filters=32, kernel_size=3, padding="SAME", activation=tf.nn.relu,
                             name="conv1")
    pool1 = tf.nn.max_pool(conv1, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")
    conv2 = tf.layers.conv2d(pool1, filters=64, kernel_size=3, padding="SAME", activation=tf.nn.relu,
                             name="conv2")
    pool2 = tf.nn.max_pool(conv2, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")
    flat = tf.reshape(pool2, [-1, int(np.prod(pool2.shape.as_list()[1:]))])
    hidden = tf.layers.dense(flat, 64, activation=tf.nn.relu, name="fc1")
    logits = tf.layers.dense(hidden, n_outputs, name="output")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    training_op = tf.train.AdamOptimizer(0.002).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, y, 1), tf.float32))
    return X, y, training_op, accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", help="directory holding MNIST's IDX files (default: digits)")
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    X_train, y_train, X_test, y_test = load_classification_data(args.mnist)
    side = int(round(np.sqrt(X_train.shape[1])))
    X, y, training_op, accuracy = build(side, int(y_train.max()) + 1)
    rng = np.random.default_rng(42)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for epoch in range(args.epochs):
            for X_batch, y_batch in shuffled_batches(X_train, y_train, 64, rng):
                sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        test_accuracy = accuracy.eval(feed_dict={X: X_test, y: y_test})
    print(f"test accuracy {test_accuracy:.4f}")
    if test_accuracy < 0.95:
        raise SystemExit("test accuracy below 95%")
    print("OK: the CNN reaches at least 95% test accuracy")


if __name__ == "__main__":
    main()
