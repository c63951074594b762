"""TF1 `tf.python_io` (being written)."""
