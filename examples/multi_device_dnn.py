"""The DNN classifier with its layers split across two devices, printing TF1's placement log.

By default the two devices are virtual CPUs (`device_count={"CPU": 2}`); with a GPU (CuPy) or
MINITF_FAKE_GPUS=1 the second device is GPU:0. Trains on scikit-learn's digits.

Run: python examples/multi_device_dnn.py
"""
import numpy as np

import minitf as tf
from datasets import load_digits_split, shuffled_batches


def main():
    X_train, y_train, X_test, y_test = load_digits_split()
    second = "/gpu:0" if tf.test.is_gpu_available() else "/cpu:1"
    tf.set_random_seed(42)
    X = tf.placeholder(tf.float32, shape=(None, 64), name="X")
    y = tf.placeholder(tf.int64, shape=(None,), name="y")
    with tf.device("/cpu:0"):
        hidden1 = tf.layers.dense(X, 100, activation=tf.nn.relu, name="hidden1")
    with tf.device(second):
        hidden2 = tf.layers.dense(hidden1, 50, activation=tf.nn.relu, name="hidden2")
        logits = tf.layers.dense(hidden2, 10, name="outputs")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    training_op = tf.train.AdamOptimizer(0.01).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, y, 1), tf.float32))
    config = tf.ConfigProto(device_count={"CPU": 2}, log_device_placement=True, allow_soft_placement=True)
    rng = np.random.default_rng(42)
    with tf.Session(config=config) as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(15):
            for X_batch, y_batch in shuffled_batches(X_train, y_train, 64, rng):
                sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        test_accuracy = accuracy.eval(feed_dict={X: X_test, y: y_test})
        devices = sorted({d.name for d in sess._placer._placements.values()})
    print(f"devices used: {devices}")
    print(f"test accuracy {test_accuracy:.4f}")
    if len(devices) < 2 or test_accuracy < 0.95:
        raise SystemExit("expected two devices and at least 95% test accuracy")
    print("OK: the layers ran on two devices and the network reached 95% test accuracy")


if __name__ == "__main__":
    main()
