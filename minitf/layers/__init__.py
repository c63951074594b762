"""TF1 `tf.layers` (being written)."""
