"""TF1 `tf.layers.Layer`: the base of the tf.layers classes (variable scoping, build, updates, losses).

A layer captures a variable scope the first time it is called: its `name` if given (not made
unique, so a second `dense(..., name="hidden1")` clashes unless `reuse=True`), else its snake-case
class name made unique ("dense", "dense_1", ...). Every call re-enters that scope, so its variables
are "<scope>/kernel", ..., and its ops go in the scope's original name scope ("dense/MatMul",
"dense/MatMul_1" for a second call). After the first call the layer always reuses its variables.
Weight regularizer losses are built under "<scope>/<weight>/Regularizer" and go to
REGULARIZATION_LOSSES; `add_update` puts update ops in UPDATE_OPS.
"""
import re
import weakref

from minitf.framework import dtypes
from minitf.framework.default_graph import get_default_graph, name_scope
from minitf.framework.graph import GraphKeys
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import variable_scope as vs
from minitf.ops.constant_op import convert_to_tensor

# graph -> {base name: how many layers took it}, for the names of unnamed layers ("dense_1").
_LAYER_NAME_UIDS = weakref.WeakKeyDictionary()
_CONSTRUCTOR_KEYWORDS = {"_scope", "_reuse", "activity_regularizer", "input_shape",
                         "batch_input_shape", "batch_size", "weights", "autocast"}


def to_snake_case(name):
    """"BatchNormalization" -> "batch_normalization", "Conv2D" -> "conv2d" (Keras' rule)."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    snake = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    return snake if snake[0] != "_" else "private" + snake


def _unique_layer_name(base_name):
    uids = _LAYER_NAME_UIDS.setdefault(get_default_graph(), {})
    uids[base_name] = uids.get(base_name, 0) + 1
    count = uids[base_name]
    return base_name if count == 1 else f"{base_name}_{count - 1}"


def _add_to_collection_once(key, values):
    collection = get_default_graph().get_collection_ref(key)
    for value in values:
        if value not in collection:
            collection.append(value)


class Layer:
    """TF1 `tf.layers.Layer(trainable=True, name=None, dtype=None, **kwargs)`.

    Subclasses define `build(input_shape)` (creating weights with `add_weight`) and
    `call(inputs, ...)`. `_scope` (a VariableScope) and `_reuse` are the private arguments
    tf.contrib.layers uses to run a layer inside its own scope.
    """

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        unknown = set(kwargs) - _CONSTRUCTOR_KEYWORDS
        if unknown:
            raise TypeError(f"Keyword argument not understood: {sorted(unknown)[0]}")
        self._reuse = kwargs.get("_reuse")
        self.activity_regularizer = kwargs.get("activity_regularizer")
        self.trainable = trainable
        self.built = False
        self._dtype = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._updates = []
        self._losses = []
        self._current_scope = None
        self._init_set_name(name)
        self._scope = None
        if kwargs.get("_scope"):
            # A given scope (name or object) is entered once now and kept (TF1).
            with vs.variable_scope(kwargs["_scope"]) as captured:
                self._scope = captured

    def _init_set_name(self, name):
        if isinstance(name, vs.VariableScope):
            self._base_name = name.name
            self._name = _unique_layer_name(to_snake_case(type(self).__name__))
        elif name:
            self._base_name = self._name = name
        else:
            self._base_name = to_snake_case(type(self).__name__)
            self._name = _unique_layer_name(self._base_name)

    # --- what a layer is ----------------------------------------------------------------------
    name = property(lambda self: self._name)
    dtype = property(lambda self: self._dtype)
    trainable_weights = property(lambda self: list(self._trainable_weights) if self.trainable else [])
    trainable_variables = trainable_weights
    updates = property(lambda self: list(self._updates))
    losses = property(lambda self: list(self._losses))

    @property
    def non_trainable_weights(self):
        if self.trainable:
            return list(self._non_trainable_weights)
        return self._trainable_weights + self._non_trainable_weights

    non_trainable_variables = non_trainable_weights

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    variables = weights

    @property
    def scope_name(self):
        if not self._scope:
            raise ValueError(f'No name available for layer scope because the layer "{self._name}" '
                             "has not been used yet. The scope name is determined the first time "
                             "the layer instance is called. You must therefore call the layer "
                             "before querying `scope_name`.")
        return self._scope.name

    # --- to override ----------------------------------------------------------------------------
    def build(self, input_shape):
        self.built = True

    def call(self, inputs, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        raise NotImplementedError

    # --- weights, updates, losses --------------------------------------------------------------
    def _set_scope(self, scope=None):
        if self._scope is None:
            if self._reuse:
                with vs.variable_scope(scope if scope is not None else self._base_name) as captured:
                    self._scope = captured
            else:
                with vs.variable_scope(scope, default_name=self._base_name) as captured:
                    self._scope = captured

    def add_weight(self, name, shape, dtype=None, initializer=None, regularizer=None, trainable=True,
                   constraint=None, partitioner=None, use_resource=None, **kwargs):
        """A variable "<scope>/<name>" made (or, once built, reused) with get_variable."""
        dtype = dtypes.as_dtype(dtype or self._dtype or dtypes.float32)
        self._set_scope(None)
        existing = set(get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES))
        with vs.variable_scope(self._scope, reuse=self.built or self._reuse,
                               auxiliary_name_scope=False) as scope:
            self._current_scope = scope
            with name_scope(scope.original_name_scope):
                variable = vs.get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                                           trainable=trainable and self.trainable,
                                           constraint=constraint, partitioner=partitioner)
                if regularizer is not None and variable not in existing:
                    with name_scope(name + "/Regularizer"):
                        loss = regularizer(variable)
                    if loss is not None:
                        self.add_loss(loss)
        if variable not in self._trainable_weights + self._non_trainable_weights:
            (self._trainable_weights if trainable else self._non_trainable_weights).append(variable)
        return variable

    def add_update(self, updates, inputs=None):
        """Records update ops (tensors count by their op) and adds them to UPDATE_OPS."""
        del inputs
        updates = updates if isinstance(updates, (list, tuple)) else [updates]
        ops = [u if isinstance(u, Operation) else u.op for u in updates]
        self._updates.extend(ops)
        _add_to_collection_once(GraphKeys.UPDATE_OPS, ops)

    def add_loss(self, losses, inputs=None):
        """Records losses and adds them to REGULARIZATION_LOSSES."""
        del inputs
        losses = losses if isinstance(losses, (list, tuple)) else [losses]
        self._losses.extend(losses)
        _add_to_collection_once(GraphKeys.REGULARIZATION_LOSSES, losses)

    # --- calling ------------------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        """Builds the layer on first use, then runs `call` in the layer's scopes."""
        self._set_scope(kwargs.pop("scope", None))
        inputs = _convert_inputs(inputs)
        first = _flatten(inputs)[0]
        if self._dtype is None and isinstance(first, Tensor):
            self._dtype = first.dtype.base_dtype
        with vs.variable_scope(self._scope, reuse=True if self.built else self._reuse,
                               auxiliary_name_scope=False) as scope:
            self._current_scope = scope
            with name_scope(scope.original_name_scope):
                if not self.built:
                    shapes = [t.shape for t in _flatten(inputs)]
                    self.build(shapes[0] if len(shapes) == 1 else shapes)
                    self.built = True
                outputs = self.call(inputs, *args, **kwargs)
                if self.activity_regularizer is not None:
                    with name_scope("ActivityRegularizer"):
                        self.add_loss([self.activity_regularizer(o) for o in _flatten(outputs)])
        return outputs

    def apply(self, inputs, *args, **kwargs):
        """TF1 `Layer.apply`: the same as calling the layer."""
        return self.__call__(inputs, *args, **kwargs)


def _flatten(value):
    if isinstance(value, (list, tuple)):
        return [x for item in value for x in _flatten(item)]
    return [value]


def _convert_inputs(inputs):
    if isinstance(inputs, (list, tuple)):
        return type(inputs)(_convert_inputs(x) for x in inputs)
    return inputs if isinstance(inputs, Tensor) else convert_to_tensor(inputs)


def normalize_tuple(value, n, name):
    """An int as an n-tuple, or an n-sequence of ints as a tuple (Keras' conv_utils rule)."""
    if isinstance(value, int):
        return (value,) * n
    try:
        value = tuple(value)
    except TypeError:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {value}")
    if len(value) != n or not all(isinstance(v, int) for v in value):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {value}")
    return value


def check_padding(padding):
    """"valid"/"same" in any case, as the lower-case name tf.layers keeps."""
    if padding.lower() not in ("valid", "same"):
        raise ValueError('The `padding` argument must be a list/tuple or one of "valid", "same" (or '
                         f'"causal", only for `Conv1D). Received: {padding}')
    return padding.lower()


def channels_to_nhwc(data_format):
    """tf.layers' "channels_last"/"channels_first" as tf.nn's "NHWC"/"NCHW"."""
    formats = {"channels_last": "NHWC", "channels_first": "NCHW"}
    if data_format not in formats:
        raise ValueError('The `data_format` argument must be one of "channels_first", '
                         f'"channels_last". Received: {data_format}')
    return formats[data_format]


def check_input_rank(layer, inputs, ndim=None, min_ndim=None):
    """TF1's InputSpec check on the rank of a layer's input."""
    rank = TensorShape(inputs.shape).ndims
    if rank is None:
        return
    if ndim is not None and rank != ndim:
        raise ValueError(f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected '
                         f"ndim={ndim}, found ndim={rank}. Full shape received: {inputs.shape}")
    if min_ndim is not None and rank < min_ndim:
        raise ValueError(f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected '
                         f"min_ndim={min_ndim}, found ndim={rank}. Full shape received: {inputs.shape}")
