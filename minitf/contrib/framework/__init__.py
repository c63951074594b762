"""TF1 `tf.contrib.framework`: arg_scope and the model-variable helpers."""
from minitf.contrib.framework.arg_scope import *  # noqa: F401,F403 - each module lists its names in __all__
from minitf.contrib.framework.variables import *  # noqa: F401,F403
