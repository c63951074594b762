"""TF1 `tf.contrib.layers` (being written)."""
