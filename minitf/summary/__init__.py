"""TF1 `tf.summary` (being written)."""
