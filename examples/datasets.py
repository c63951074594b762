"""Data for the examples: scikit-learn's digits by default, MNIST from IDX files when given a path."""
import gzip
import pathlib
import struct

import numpy as np


def load_digits_split(test_fraction=0.2, seed=42):
    """scikit-learn's 8x8 digits scaled to [0, 1]: (X_train, y_train, X_test, y_test)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_fraction, random_state=seed,
                                                        stratify=y)
    return X_train, y_train, X_test, y_test


def _read_idx(path):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        _, kind, rank = struct.unpack(">HBB", f.read(4))
        if kind != 0x08:
            raise ValueError(f"{path}: only unsigned-byte IDX files are supported")
        shape = struct.unpack(f">{rank}I", f.read(4 * rank))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(shape)


def load_mnist(directory):
    """MNIST from the four standard IDX files (optionally .gz) in `directory`, scaled to [0, 1]."""
    directory = pathlib.Path(directory)

    def find(stem):
        for name in (stem, stem + ".gz"):
            if (directory / name).exists():
                return directory / name
        raise FileNotFoundError(f"{stem}[.gz] not found in {directory}")
    X_train = _read_idx(find("train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255.0
    y_train = _read_idx(find("train-labels-idx1-ubyte")).astype(np.int64)
    X_test = _read_idx(find("t10k-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255.0
    y_test = _read_idx(find("t10k-labels-idx1-ubyte")).astype(np.int64)
    return X_train, y_train, X_test, y_test


def load_classification_data(mnist_path=None):
    return load_mnist(mnist_path) if mnist_path else load_digits_split()


def shuffled_batches(X, y, batch_size, rng):
    """Mini-batches of one epoch in a random order."""
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        index = order[start:start + batch_size]
        yield X[index], y[index]
