"""TF1 `tf.contrib`: the layers and framework helpers TF1 code uses."""
from minitf.contrib import framework, layers  # noqa: F401
