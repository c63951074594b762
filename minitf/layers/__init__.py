"""TF1 `tf.layers`: Dense, Conv2D, pooling, BatchNormalization, Dropout, Flatten and their functions."""
from minitf.layers.base import Layer  # noqa: F401
from minitf.layers.convolutional import *  # noqa: F401,F403 - each module lists its names in __all__
from minitf.layers.core import *  # noqa: F401,F403
from minitf.layers.normalization import *  # noqa: F401,F403
from minitf.layers.pooling import *  # noqa: F401,F403
