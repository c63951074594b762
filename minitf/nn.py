"""TF1 `tf.nn`: activations, losses, normalization, convolution and pooling."""
from minitf.ops.conv_ops import *  # noqa: F401,F403 - each family module lists its names in __all__
from minitf.ops.embedding_ops import *  # noqa: F401,F403
from minitf.ops.math_ops import sigmoid, tanh  # noqa: F401 - TF1 exports them in tf.nn too
from minitf.ops.nn_impl import *  # noqa: F401,F403
from minitf.ops.nn_ops import *  # noqa: F401,F403
from minitf.ops.candidate_sampling_ops import *  # noqa: F401,F403
from minitf.ops.sampled_losses import *  # noqa: F401,F403
