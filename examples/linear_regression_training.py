"""Linear regression trained four ways, TF1 style, on scikit-learn's diabetes data set:
gradients by hand, by `tf.gradients`, by GradientDescent and Momentum optimizers, and by
mini-batch gradient descent fed through placeholders. Each must reach the normal equation's MSE.

Run: python examples/linear_regression_training.py
"""
import numpy as np
from sklearn.datasets import load_diabetes

import minitf as tf

N_EPOCHS = 2000
LEARNING_RATE = 0.1


def scaled_data():
    data = load_diabetes()
    X = (data.data - data.data.mean(axis=0)) / data.data.std(axis=0)
    y = (data.target - data.target.mean()) / data.target.std()
    return np.c_[np.ones((len(X), 1)), X].astype(np.float32), y.reshape(-1, 1).astype(np.float32)


def full_batch(X_data, y_data, method):
    """Batch gradient descent; `method` picks how the gradient and update are built."""
    tf.reset_default_graph()
    m, n = X_data.shape
    X = tf.constant(X_data, name="X")
    y = tf.constant(y_data, name="y")
    theta = tf.Variable(tf.random_uniform([n, 1], -1.0, 1.0, seed=42), name="theta")
    y_pred = tf.matmul(X, theta, name="predictions")
    with tf.name_scope("loss"):
        error = y_pred - y
        mse = tf.reduce_mean(tf.square(error), name="mse")
    if method == "manual":
        gradients = 2 / m * tf.matmul(tf.transpose(X), error)
        training_op = tf.assign(theta, theta - LEARNING_RATE * gradients)
    elif method == "autodiff":
        gradients = tf.gradients(mse, [theta])[0]
        training_op = tf.assign(theta, theta - LEARNING_RATE * gradients)
    elif method == "gradient descent":
        training_op = tf.train.GradientDescentOptimizer(LEARNING_RATE).minimize(mse)
    else:
        training_op = tf.train.MomentumOptimizer(LEARNING_RATE / 10, momentum=0.9).minimize(mse)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(N_EPOCHS):
            sess.run(training_op)
        return mse.eval()


def mini_batch(X_data, y_data, batch_size=50, n_epochs=200):
    tf.reset_default_graph()
    m, n = X_data.shape
    X = tf.placeholder(tf.float32, shape=(None, n), name="X")
    y = tf.placeholder(tf.float32, shape=(None, 1), name="y")
    theta = tf.Variable(tf.random_uniform([n, 1], -1.0, 1.0, seed=42), name="theta")
    mse = tf.reduce_mean(tf.square(tf.matmul(X, theta) - y), name="mse")
    training_op = tf.train.GradientDescentOptimizer(0.01).minimize(mse)
    rng = np.random.default_rng(42)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(n_epochs):
            order = rng.permutation(m)
            for start in range(0, m, batch_size):
                index = order[start:start + batch_size]
                sess.run(training_op, feed_dict={X: X_data[index], y: y_data[index]})
        return mse.eval(feed_dict={X: X_data, y: y_data})


def main():
    X_data, y_data = scaled_data()
    theta_best, *_ = np.linalg.lstsq(X_data.astype(np.float64), y_data.astype(np.float64), rcond=None)
    best = float(np.mean((X_data @ theta_best - y_data) ** 2))
    print(f"normal equation MSE: {best:.5f}")
    results = {method: full_batch(X_data, y_data, method)
               for method in ("manual", "autodiff", "gradient descent", "momentum")}
    results["mini-batch"] = mini_batch(X_data, y_data)
    for method, mse in results.items():
        print(f"{method:>16s} MSE: {mse:.5f}")
    worst = max(results.values())
    if worst > best * 1.02:
        raise SystemExit(f"a method did not converge: MSE {worst:.5f} vs {best:.5f}")
    print("OK: every method reaches the normal equation's MSE within 2%")


if __name__ == "__main__":
    main()
