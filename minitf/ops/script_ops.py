"""`tf.py_func`: a Python function as an op."""

__all__ = []
