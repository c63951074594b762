"""Linear regression by the normal equation, TF1 style, on scikit-learn's diabetes data set.

    theta = (X^T X)^-1 X^T y

computed in a minitf graph and checked against `numpy.linalg.lstsq`. Run: python examples/linear_regression.py
"""
import numpy as np
from sklearn.datasets import load_diabetes

import minitf as tf


def normal_equation(data, target):
    """Builds the graph for theta = (X^T X)^-1 X^T y with a bias column; returns theta's tensor."""
    m, _ = data.shape
    data_plus_bias = np.c_[np.ones((m, 1)), data]
    X = tf.constant(data_plus_bias, dtype=tf.float64, name="X")
    y = tf.constant(target.reshape(-1, 1), dtype=tf.float64, name="y")
    XT = tf.transpose(X)
    return tf.matmul(tf.matmul(tf.matrix_inverse(tf.matmul(XT, X)), XT), y, name="theta")


def main():
    diabetes = load_diabetes()
    data, target = diabetes.data, diabetes.target
    theta = normal_equation(data, target)
    with tf.Session() as sess:
        theta_value = theta.eval()

    reference, *_ = np.linalg.lstsq(np.c_[np.ones((len(data), 1)), data], target.reshape(-1, 1), rcond=None)
    difference = np.max(np.abs(theta_value - reference)) / np.max(np.abs(reference))
    names = ["bias"] + list(diabetes.feature_names)
    print("theta (normal equation in minitf):")
    for name, value, check in zip(names, theta_value.ravel(), reference.ravel()):
        print(f"  {name:>5s} {value:12.4f}   lstsq {check:12.4f}")
    print(f"largest relative difference from numpy.linalg.lstsq: {difference:.2e}")
    if difference > 1e-6:
        raise SystemExit("minitf's normal equation does not match numpy.linalg.lstsq")
    print("OK: matches numpy.linalg.lstsq")


if __name__ == "__main__":
    main()
