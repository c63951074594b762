"""TF1 `tf.contrib.framework` (being written)."""
