"""TF1 `tf.contrib.layers`: layer functions, regularizers and initializers."""
from minitf.contrib.layers.initializers import *  # noqa: F401,F403 - each module lists its names in __all__
from minitf.contrib.layers.layers import *  # noqa: F401,F403
from minitf.contrib.layers.regularizers import *  # noqa: F401,F403
