"""Random ops honouring graph- and op-level seeds (TF1 `tf.random_uniform`, ...)."""

__all__ = []
