"""A DNN classifier, TF1 style, built twice: with a hand-written `neuron_layer` and with
`tf.contrib.layers.fully_connected`. Trains on scikit-learn's digits by default, or on MNIST
when given the directory of its IDX files.

Run: python examples/dnn_classifier.py [--mnist DIR] [--epochs N]
"""
import argparse

import numpy as np

import minitf as tf
from datasets import load_classification_data, shuffled_batches

N_HIDDEN1, N_HIDDEN2 = 300, 100


def neuron_layer(X, n_neurons, name, activation=None):
    """A fully connected layer written out by hand, as the TF1 books do."""
    with tf.name_scope(name):
        n_inputs = int(X.get_shape()[1])
        stddev = 2 / np.sqrt(n_inputs)
        init = tf.truncated_normal((n_inputs, n_neurons), stddev=stddev)
        W = tf.Variable(init, name="kernel")
        b = tf.Variable(tf.zeros([n_neurons]), name="bias")
        Z = tf.matmul(X, W) + b
        return activation(Z) if activation is not None else Z


def build(n_inputs, n_outputs, style):
    tf.reset_default_graph()
    tf.set_random_seed(42)
    X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
    y = tf.placeholder(tf.int64, shape=(None,), name="y")
    with tf.name_scope("dnn"):
        if style == "neuron_layer":
            hidden1 = neuron_layer(X, N_HIDDEN1, name="hidden1", activation=tf.nn.relu)
            hidden2 = neuron_layer(hidden1, N_HIDDEN2, name="hidden2", activation=tf.nn.relu)
            logits = neuron_layer(hidden2, n_outputs, name="outputs")
        else:
            from minitf.contrib.layers import fully_connected
            hidden1 = fully_connected(X, N_HIDDEN1, scope="hidden1")
            hidden2 = fully_connected(hidden1, N_HIDDEN2, scope="hidden2")
            logits = fully_connected(hidden2, n_outputs, scope="outputs", activation_fn=None)
    with tf.name_scope("loss"):
        xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
        loss = tf.reduce_mean(xentropy, name="loss")
    with tf.name_scope("train"):
        training_op = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
    with tf.name_scope("eval"):
        correct = tf.nn.in_top_k(logits, y, 1)
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return X, y, training_op, accuracy


def train(data, style, n_epochs, batch_size=50):
    X_train, y_train, X_test, y_test = data
    X, y, training_op, accuracy = build(X_train.shape[1], int(y_train.max()) + 1, style)
    rng = np.random.default_rng(42)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for epoch in range(n_epochs):
            for X_batch, y_batch in shuffled_batches(X_train, y_train, batch_size, rng):
                sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        return accuracy.eval(feed_dict={X: X_test, y: y_test})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", help="directory holding MNIST's IDX files (default: digits)")
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()
    data = load_classification_data(args.mnist)
    results = {style: train(data, style, args.epochs) for style in ("neuron_layer", "fully_connected")}
    for style, accuracy in results.items():
        print(f"{style:>16s}: test accuracy {accuracy:.4f}")
    if min(results.values()) < 0.95:
        raise SystemExit("test accuracy below 95%")
    print("OK: both networks reach at least 95% test accuracy")


if __name__ == "__main__":
    main()
