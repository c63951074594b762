"""TF1's `tf.Variable` (a ref variable) and the variable initializers and collections."""
from minitf.framework import dtypes
from minitf.framework.default_graph import (get_default_graph, name_scope, colocate_with,
                                            control_dependencies)
from minitf.framework.graph import GraphKeys
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import state_ops
from minitf.ops.constant_op import convert_to_tensor, register_tensor_conversion_function


class Variable:
    """TF1 `tf.Variable`: VariableV2 `x`, `x/initial_value`, `x/Assign` and the snapshot `x/read`."""

    # Makes NumPy defer to our reflected operators for `ndarray * variable`.
    __array_priority__ = 100

    def __init__(self, initial_value=None, trainable=True, collections=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None, expected_shape=None,
                 import_scope=None, constraint=None, use_resource=None, synchronization=None,
                 aggregation=None):
        if variable_def is not None:
            self._init_from_graph(variable_def, import_scope)
            return
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        if not isinstance(collections, (list, tuple, set)):
            raise ValueError(f"collections argument to Variable constructor must be a list, tuple, "
                             f"or set. Got {collections} of type {type(collections)}")
        collections = list(collections)
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        init_from_fn = callable(initial_value)
        # TF1 builds variables in an "init scope": outside any cond branch and free of the
        # caller's control dependencies, so the initializer can run on its own.
        with control_dependencies(None):
            with name_scope(name, "Variable", [] if init_from_fn else [initial_value]) as scope:
                if init_from_fn:
                    with name_scope("Initializer"):
                        initial_value = convert_to_tensor(initial_value(), dtype=dtype)
                else:
                    initial_value = convert_to_tensor(initial_value, dtype=dtype, name="initial_value")
                    if initial_value.op._cond_context is not None:
                        raise ValueError(f"Initializer for variable {scope} is from inside a control-flow "
                                         "construct, such as a loop or conditional. When creating a "
                                         "variable inside a loop or conditional, use a lambda as the "
                                         "initializer.")
                shape = initial_value.shape if validate_shape else TensorShape(None)
                if validate_shape and not shape.is_fully_defined():
                    raise ValueError(f"initial_value must have a shape specified: {initial_value}")
                self._variable = state_ops.variable_op_v2(shape, initial_value.dtype.base_dtype, name=scope)
                with colocate_with(self._variable.op):
                    self._initializer_op = state_ops.assign(
                        self._variable, initial_value, validate_shape=validate_shape, name="Assign").op
                with colocate_with(self._variable.op):
                    from minitf.ops.array_ops import identity
                    self._snapshot = identity(self._variable, name="read")
        self._initial_value = initial_value
        self._trainable = trainable
        self._constraint = constraint
        self._caching_device = caching_device
        self._save_slice_info = None
        get_default_graph().add_to_collections(collections, self)

    def _init_from_graph(self, variable_def, import_scope):
        graph = get_default_graph()
        prefix = f"{import_scope}/" if import_scope else ""
        self._variable = graph.as_graph_element(prefix + variable_def.variable_name)
        self._initializer_op = graph.as_graph_element(prefix + variable_def.initializer_name)
        self._snapshot = graph.as_graph_element(prefix + variable_def.snapshot_name)
        initial = getattr(variable_def, "initial_value_name", "")
        self._initial_value = graph.as_graph_element(prefix + initial) if initial else None
        self._trainable = getattr(variable_def, "trainable", True)
        self._constraint = None
        self._caching_device = None
        self._save_slice_info = None

    # --- what a variable is -------------------------------------------------------------------
    @property
    def name(self):
        return self._variable.name

    @property
    def op(self):
        return self._variable.op

    @property
    def dtype(self):
        return self._variable.dtype

    @property
    def shape(self):
        return self._variable.shape

    def get_shape(self):
        return self._variable.shape

    @property
    def graph(self):
        return self._variable.graph

    @property
    def device(self):
        return self._variable.device

    @property
    def initializer(self):
        return self._initializer_op

    @property
    def initial_value(self):
        return self._initial_value

    @property
    def trainable(self):
        return self._trainable

    @property
    def constraint(self):
        return self._constraint

    def value(self):
        """The snapshot `x/read` (TF1 `Variable.value()`)."""
        return self._snapshot

    def read_value(self):
        from minitf.ops.array_ops import identity
        return identity(self._variable, name="read")

    def _ref(self):
        return self._variable

    def _as_graph_element(self):
        """The ref tensor, as in TF1: fetching a variable reads it, feeding one overrides it."""
        return self._variable

    def initialized_value(self):
        """The value, initializing from `initial_value` first if needed (TF1 semantics, via cond)."""
        from minitf.ops.control_flow_ops import cond
        with control_dependencies(None):
            return cond(is_variable_initialized(self), self.read_value, lambda: self._initial_value)

    def eval(self, session=None):
        return self._snapshot.eval(session=session)

    def load(self, value, session=None):
        """Assigns `value` by feeding the initializer's input (TF1 `Variable.load`)."""
        from minitf.runtime.session import session_for_eval
        session = session_for_eval(session, self.graph, "Variable.load")
        session.run(self._initializer_op, {self._initializer_op.inputs[1]: value})

    # --- updates ------------------------------------------------------------------------------
    def assign(self, value, use_locking=False, name=None, read_value=True):
        result = state_ops.assign(self._variable, value, use_locking=use_locking, name=name)
        return result if read_value else result.op

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        result = state_ops.assign_add(self._variable, delta, use_locking=use_locking, name=name)
        return result if read_value else result.op

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        result = state_ops.assign_sub(self._variable, delta, use_locking=use_locking, name=name)
        return result if read_value else result.op

    def count_up_to(self, limit):
        """TF1 `Variable.count_up_to`: see `tf.count_up_to`."""
        return state_ops.count_up_to(self._variable, limit)

    @classmethod
    def _add_sparse_updates(cls):
        """TF1's `scatter_update`, `scatter_add`, ... methods, one per scatter op."""
        for function_name, _, _ in state_ops._SCATTER_OPS.values():
            setattr(cls, function_name, _sparse_update(getattr(state_ops, function_name)))

    def to_proto(self, export_scope=None):
        """A VariableDef describing this variable (TF1 `Variable.to_proto`)."""
        from minitf.framework.meta_graph import variable_to_proto
        return variable_to_proto(self, export_scope)

    @staticmethod
    def from_proto(variable_def, import_scope=None):
        return Variable(variable_def=variable_def, import_scope=import_scope)

    def set_shape(self, shape):
        self._variable.set_shape(shape)
        self._snapshot.set_shape(shape)

    def __repr__(self):
        return (f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}>")

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __iter__(self):
        raise TypeError("'Variable' object is not iterable.")

    @classmethod
    def _overload_all_operators(cls):
        """Arithmetic on a variable acts on its snapshot, as TF1 does."""
        for operator in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
                         "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__",
                         "__rmod__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__neg__",
                         "__abs__", "__lt__", "__le__", "__gt__", "__ge__", "__and__", "__rand__",
                         "__or__", "__ror__", "__xor__", "__rxor__", "__invert__", "__getitem__"):
            tensor_operator = getattr(Tensor, operator, None)
            if tensor_operator is not None:
                setattr(cls, operator, _delegate(tensor_operator))


def _sparse_update(scatter):
    """A Variable method applying `scatter` (tf.scatter_add, ...) to the rows an IndexedSlices
    names. Any object with `indices` and `values` will do; unlike the tf.* functions, the methods
    default to use_locking=False, as TF1's do."""
    def method(self, sparse_delta, use_locking=False, name=None):
        if not (hasattr(sparse_delta, "indices") and hasattr(sparse_delta, "values")):
            raise TypeError(f"sparse_delta is not IndexedSlices: {sparse_delta}")  # TF1's message
        return scatter(self._variable, sparse_delta.indices, sparse_delta.values, use_locking=use_locking,
                       name=name)
    method.__name__ = method.__qualname__ = scatter.__name__
    method.__doc__ = f"TF1 `Variable.{scatter.__name__}(sparse_delta)`: see `tf.{scatter.__name__}`."
    return method


def _delegate(tensor_operator):
    def operator(self, *args):
        return tensor_operator(self._snapshot, *args)
    return operator


def _to_tensor(variable, dtype=None, name=None, as_ref=False):
    if dtype is not None and not dtype.is_compatible_with(variable.dtype.base_dtype):
        raise ValueError(f"Incompatible type conversion requested to type '{dtype.name}' for "
                         f"variable of type '{variable.dtype.name}'")
    return variable._ref() if as_ref else variable.value()


register_tensor_conversion_function(Variable, _to_tensor)

RefVariable = Variable


def global_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


all_variables = global_variables


def local_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def trainable_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def model_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def variables_initializer(var_list, name="init"):
    """One op running the initializers of `var_list` (a NoOp when the list is empty)."""
    from minitf.ops.control_flow_ops import group, no_op
    if var_list:
        return group(*[v.initializer for v in var_list], name=name)
    return no_op(name=name)


def global_variables_initializer():
    return variables_initializer(global_variables())


initialize_all_variables = global_variables_initializer


def local_variables_initializer():
    return variables_initializer(local_variables())


def is_variable_initialized(variable):
    return state_ops.is_variable_initialized(variable)


def assert_variables_initialized(var_list=None):
    raise NotImplementedError("tf.assert_variables_initialized is deprecated in TF1; use "
                              "report_uninitialized_variables")


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    """A 1-D string tensor with the names of the uninitialized variables in `var_list`."""
    from minitf.ops import array_ops, math_ops, selection_ops
    from minitf.ops.constant_op import constant
    if var_list is None:
        var_list = global_variables() + local_variables()
    with name_scope(name):
        if not var_list:
            return constant([], dtype=dtypes.string)
        names = constant([v.op.name for v in var_list])
        initialized = array_ops.stack([state_ops.is_variable_initialized(v) for v in var_list])
        return selection_ops.boolean_mask(names, math_ops.logical_not(initialized))


def _install_variable_operators():
    from minitf.ops import math_ops, selection_ops  # noqa: F401 - they install the Tensor operators
    Variable._overload_all_operators()
    Variable._add_sparse_updates()


_install_variable_operators()
