"""minitf: the TensorFlow 1.x graph programming model on NumPy. Use it as `import minitf as tf`."""
import sys as _sys

from minitf.framework import dtypes, errors
from minitf.framework.dtypes import (DType, as_dtype, float16, bfloat16, float32, float64, half, double,
                                     int8, int16, int32, int64, uint8, uint16, uint32, uint64, bool,
                                     string, complex64, complex128, resource, variant)
from minitf.framework.tensor_shape import TensorShape, Dimension
from minitf.framework.device_spec import DeviceSpec
from minitf.framework.graph import Graph, GraphKeys
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.framework.indexed_slices import IndexedSlices, IndexedSlicesValue
from minitf.framework.op_def import register_gradient as RegisterGradient, not_differentiable as NotDifferentiable
from minitf.framework.default_graph import (get_default_graph, reset_default_graph, name_scope,
                                            control_dependencies, device, container, colocate_with,
                                            add_to_collection, add_to_collections, get_collection,
                                            get_collection_ref, set_random_seed)
from minitf.framework.tensor_util import make_tensor_proto, make_ndarray
from minitf.framework.graph_io import import_graph_def

from minitf.ops.constant_op import constant, convert_to_tensor, register_tensor_conversion_function
from minitf.ops.array_ops import *  # noqa: F401,F403 - each family module lists its tf.* names in __all__
from minitf.ops.selection_ops import *  # noqa: F401,F403
from minitf.ops.math_ops import *  # noqa: F401,F403
from minitf.ops.segment_ops import *  # noqa: F401,F403
from minitf.ops.cumulative_ops import *  # noqa: F401,F403
from minitf.ops.index_ops import *  # noqa: F401,F403
from minitf.ops.sparse_ops import *  # noqa: F401,F403
from minitf.ops.clip_ops import *  # noqa: F401,F403
from minitf.ops.linalg_ops import *  # noqa: F401,F403
from minitf.ops.sequence_ops import *  # noqa: F401,F403
from minitf.ops.gradient_options import *  # noqa: F401,F403
from minitf.ops.random_ops import *  # noqa: F401,F403
from minitf.ops.script_ops import *  # noqa: F401,F403
from minitf.ops.state_ops import (assign, assign_add, assign_sub, is_variable_initialized, count_up_to,
                                 scatter_update, scatter_add, scatter_sub, scatter_mul, scatter_div,
                                 scatter_min, scatter_max)
from minitf.ops.variables import (Variable, global_variables, all_variables, local_variables,
                                  trainable_variables, model_variables, variables_initializer,
                                  global_variables_initializer, initialize_all_variables,
                                  local_variables_initializer, report_uninitialized_variables)
from minitf.ops.control_flow_ops import no_op, group, tuple, cond, with_dependencies, Assert
from minitf.ops.gradients_impl import gradients, stop_gradient
from minitf.ops.variable_scope import *  # noqa: F401,F403
from minitf.ops.data_flow_ops import *  # noqa: F401,F403
from minitf.ops.reader_ops import *  # noqa: F401,F403
from minitf.ops.parsing_ops import *  # noqa: F401,F403
from minitf.ops.init_ops import *  # noqa: F401,F403
from minitf.ops import array_grad as _array_grad, control_flow_grad as _control_flow_grad, \
    conv_grad as _conv_grad, math_grad as _math_grad, nn_grad as _nn_grad  # noqa: F401 - gradients
from minitf.ops import index_grad as _index_grad  # noqa: F401,E402 - gradients
from minitf.ops import sparse_grad as _sparse_grad  # noqa: F401,E402 - gradients
from minitf.ops import segment_grad as _segment_grad  # noqa: F401,E402 - gradients
from minitf.ops import linalg_grad as _linalg_grad  # noqa: F401,E402 - gradients
from minitf.ops import resize_grad as _resize_grad  # noqa: F401,E402 - gradients
from minitf import nn, train, layers, contrib, summary, python_io, test, device_lib, losses  # noqa: F401,E402 - TF1's sub-namespaces
from minitf import linalg  # noqa: F401,E402 - TF1's tf.linalg
from minitf import metrics  # noqa: F401,E402 - TF1's tf.metrics
from minitf import sparse  # noqa: F401,E402 - TF1's tf.sparse
from minitf import random  # noqa: F401,E402 - TF1's tf.random
from minitf import image  # noqa: F401,E402 - TF1's tf.image
from minitf.summary import Summary, SessionLog, Event, SummaryMetadata, TaggedRunMetadata  # noqa: E402,F401

from minitf.runtime.session import Session, InteractiveSession, get_default_session

from minitf import kernels as _kernels  # noqa: F401 - registers every kernel
from minitf.proto.graph_pb2 import GraphDef
from minitf.proto.meta_graph_pb2 import MetaGraphDef
from minitf.proto.node_def_pb2 import NodeDef
from minitf.proto.attr_value_pb2 import AttrValue
from minitf.proto.tensor_pb2 import TensorProto
from minitf.proto.config_pb2 import ConfigProto, GPUOptions, RunOptions, RunMetadata, GraphOptions, \
    OptimizerOptions

_sys.modules[__name__ + ".errors"] = errors
del _sys
