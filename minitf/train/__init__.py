"""TF1 `tf.train`: optimizers, learning-rate schedules, global step (being written)."""
