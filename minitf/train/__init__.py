"""TF1's `tf.train` namespace: optimizers, learning-rate schedules, the global step, ..."""
from minitf.train.optimizer import Optimizer
from minitf.train.gradient_descent import GradientDescentOptimizer
from minitf.train.momentum import MomentumOptimizer
from minitf.train.adagrad import AdagradOptimizer
from minitf.train.rmsprop import RMSPropOptimizer
from minitf.train.adam import AdamOptimizer
from minitf.train.ftrl import FtrlOptimizer
from minitf.train.learning_rate_decay import (exponential_decay, natural_exp_decay, inverse_time_decay,
                                              polynomial_decay, cosine_decay, piecewise_constant)
from minitf.train.training_util import (global_step, get_global_step, create_global_step,
                                        get_or_create_global_step, assert_global_step)
from minitf.train.saver import Saver, export_meta_graph, import_meta_graph
from minitf.train.checkpoint_management import (latest_checkpoint, get_checkpoint_state, checkpoint_exists,
                                                update_checkpoint_state, NewCheckpointReader,
                                                list_variables, load_variable, load_checkpoint)
from minitf.proto.saver_pb2 import SaverDef
from minitf.proto.checkpoint_state_pb2 import CheckpointState
from minitf.train.coordinator import Coordinator, LooperThread
from minitf.train.queue_runner import QueueRunner, add_queue_runner, start_queue_runners
from minitf.train import queue_runner  # noqa: F401 - TF1's `tf.train.queue_runner` module
from minitf.train.input import (limit_epochs, input_producer, string_input_producer, range_input_producer,
                                slice_input_producer, batch, maybe_batch, batch_join, maybe_batch_join,
                                shuffle_batch, maybe_shuffle_batch, shuffle_batch_join, maybe_shuffle_batch_join)
from minitf.proto.example_pb2 import Example, SequenceExample  # noqa: E402,F401 - TF1's tf.train.Example
from minitf.proto.feature_pb2 import (BytesList, Feature, FeatureList, FeatureLists, Features,  # noqa: E402,F401
                                      FloatList, Int64List)
from minitf.train.adadelta import AdadeltaOptimizer  # noqa: E402
from minitf.train.proximal_gradient_descent import ProximalGradientDescentOptimizer  # noqa: E402
from minitf.train.proximal_adagrad import ProximalAdagradOptimizer  # noqa: E402
from minitf.train.server_lib import ClusterSpec  # noqa: E402
from minitf.train.device_setter import replica_device_setter  # noqa: E402
