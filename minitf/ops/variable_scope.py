"""Variable sharing (TF1 `tf.variable_scope`, `tf.get_variable`, `tf.get_variable_scope`, `tf.AUTO_REUSE`).

Each graph keeps two stores in collections under tuple keys, as TF1 does (so they never clash
with the string-keyed user collections): the variable store, mapping full names to the variables
made by `get_variable`, and the scope store, holding the current `VariableScope` and how often each
scope name was opened (which is what makes `default_name` scopes unique: "relu", "relu_1", ...).

Rules kept from TF1: `get_variable` names depend only on variable scopes, never on name scopes;
a variable scope opens a name scope (uniquified, "relu_1/"); `reuse=True` is inherited by nested
string scopes and cannot be turned off inside them; entering a scope *object* takes that scope's
own reuse flag; initializers are called as `initializer(shape, dtype=..., partition_info=None)`
inside "<var>/Initializer/"; regularizer losses are built under "<var>/Regularizer/" and added to
`GraphKeys.REGULARIZATION_LOSSES`.

Departures: variables are always TF1 ref variables (`use_resource` is ignored) and partitioned
variables are not supported (`partitioner` raises NotImplementedError).
"""
import contextlib
import enum
import functools
import inspect
import os
import traceback

from minitf.framework import dtypes
from minitf.framework.default_graph import (_graph_of, control_dependencies, get_default_graph,
                                            colocate_with, name_scope)
from minitf.framework.graph import GraphKeys
from minitf.framework.tensor_shape import as_shape

# The public (tf.*) names of this module.
__all__ = ["AUTO_REUSE", "VariableScope", "variable_scope", "variable_op_scope", "get_variable",
           "get_local_variable", "get_variable_scope", "no_regularizer"]

_VARSTORE_KEY = ("__variable_store",)
_VARSCOPESTORE_KEY = ("__varscope",)
_MINITF_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _ReuseMode(enum.Enum):
    """TF1's reuse modes besides True/None: AUTO_REUSE creates a missing variable, else reuses."""
    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE


def no_regularizer(_):
    """TF1 `tf.no_regularizer`: use it to turn off a scope's default regularizer for one variable."""
    return None


# ======================================================================================
# The per-graph stores
# ======================================================================================
class _VariableScopeStore:
    """The current variable scope and how many times each scope name has been opened."""

    def __init__(self):
        self.current_scope = VariableScope(False)
        self.variable_scopes_count = {}

    def open_variable_scope(self, scope_name):
        self.variable_scopes_count[scope_name] = self.variable_scopes_count.get(scope_name, 0) + 1

    def close_variable_subscopes(self, scope_name):
        """Leaving a string scope forgets the counts of its sub-scopes (TF1: so re-entering "outer"
        names its first `default_name="layer"` scope "outer/layer" again)."""
        for name in self.variable_scopes_count:
            if name.startswith(scope_name + "/"):
                self.variable_scopes_count[name] = 0

    def variable_scope_count(self, scope_name):
        return self.variable_scopes_count.get(scope_name, 0)


def _single_in_collection(key, factory):
    collection = get_default_graph().get_collection_ref(key)
    if not collection:
        collection.append(factory())
    return collection[0]


def _get_variable_scope_store():
    return _single_in_collection(_VARSCOPESTORE_KEY, _VariableScopeStore)


def _get_default_variable_store():
    return _single_in_collection(_VARSTORE_KEY, _VariableStore)


def get_variable_scope():
    """TF1 `tf.get_variable_scope`: the current VariableScope object."""
    return _get_variable_scope_store().current_scope


# ======================================================================================
# The variable store: creates or returns the variables made by get_variable
# ======================================================================================
class _VariableStore:
    """Variables by full name, with the stack where each was created (for TF1's error message)."""

    def __init__(self):
        self._vars = {}
        self._origins = {}

    def get_variable(self, name, shape=None, dtype=dtypes.float32, initializer=None, regularizer=None,
                     reuse=None, trainable=None, collections=None, caching_device=None,
                     partitioner=None, validate_shape=True, use_resource=None, custom_getter=None,
                     constraint=None, **unused):
        del use_resource, unused
        if custom_getter is not None and not callable(custom_getter):
            raise ValueError(f"Passed a custom_getter which is not callable: {custom_getter}")
        dtype = getattr(dtype, "base_dtype", dtype)

        def true_getter(name, shape=None, dtype=dtypes.float32, initializer=None, regularizer=None,
                        reuse=None, trainable=None, collections=None, caching_device=None,
                        partitioner=None, validate_shape=True, constraint=None, **unused):
            del unused  # use_resource: always ref variables
            if partitioner is not None:
                raise NotImplementedError("minitf does not support partitioned variables "
                                          f"(variable {name} was given a partitioner)")
            return self._get_single_variable(name, shape, dtype, initializer, regularizer, reuse,
                                             True if trainable is None else trainable, collections,
                                             caching_device, validate_shape, constraint)

        arguments = dict(name=name, shape=shape, dtype=dtype, initializer=initializer,
                         regularizer=regularizer, reuse=reuse, trainable=trainable,
                         collections=collections, caching_device=caching_device,
                         partitioner=partitioner, validate_shape=validate_shape, use_resource=None)
        if custom_getter is None:
            return true_getter(constraint=constraint, **arguments)
        # Custom getters written before `constraint` existed do not take it (TF1's rule).
        if _accepts(custom_getter, "constraint"):
            arguments["constraint"] = constraint
        return custom_getter(getter=true_getter, **arguments)

    def _get_single_variable(self, name, shape, dtype, initializer, regularizer, reuse, trainable,
                             collections, caching_device, validate_shape, constraint):
        from_value = initializer is not None and not callable(initializer)
        if shape is not None and from_value:
            raise ValueError("If initializer is a constant, do not specify shape.")
        dtype = dtypes.as_dtype(dtype)
        if shape is not None:
            shape = as_shape(shape)
        if name in self._vars:
            return self._existing_variable(name, shape, dtype, reuse)
        if reuse is True:
            raise ValueError(f"Variable {name} does not exist, or was not created with "
                             "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in VarScope?")
        if initializer is None:
            if shape is None:
                raise ValueError(f"Variable {name} did not get an initializer, so its `shape` "
                                 "argument must be specified.")
            initializer = _default_initializer(name, dtype)
        initial_value, variable_dtype = _initial_value(initializer, from_value, shape, dtype)
        from minitf.ops.variables import Variable
        # Like TF1's init_scope: the variable must not wait for the caller's control inputs.
        with control_dependencies(None):
            variable = Variable(initial_value=initial_value, name=name, trainable=trainable,
                                collections=collections, caching_device=caching_device,
                                dtype=variable_dtype, validate_shape=validate_shape,
                                constraint=constraint)
            self._vars[name] = variable
            self._origins[name] = _user_frames()
            if regularizer:
                with colocate_with(variable.op), name_scope(name + "/Regularizer/"):
                    loss = regularizer(variable)
                if loss is not None:
                    get_default_graph().add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
        return variable

    def _existing_variable(self, name, shape, dtype, reuse):
        if reuse is False:
            origin = "".join(traceback.format_list(self._origins[name]))
            raise ValueError(f"Variable {name} already exists, disallowed. Did you mean to set "
                             f"reuse=True or reuse=tf.AUTO_REUSE in VarScope? Originally defined "
                             f"at:\n\n{origin}")
        found = self._vars[name]
        if shape is not None and not shape.is_compatible_with(found.get_shape()):
            raise ValueError(f"Trying to share variable {name}, but specified shape {shape} and "
                             f"found shape {found.get_shape()}.")
        if not dtype.is_compatible_with(found.dtype.base_dtype):
            raise ValueError(f"Trying to share variable {name}, but specified dtype {dtype.name} "
                             f"and found dtype {found.dtype.name}.")
        return found


def _default_initializer(name, dtype):
    """glorot_uniform for floats, zeros for integers, bools and strings (TF1's defaults)."""
    from minitf.ops import init_ops
    if dtype.is_floating:
        return init_ops.glorot_uniform_initializer()
    if dtype.is_integer or dtype.is_unsigned or dtype.is_bool or dtype == dtypes.string:
        return init_ops.zeros_initializer()
    raise ValueError(f"An initializer for variable {name} of {dtype.base_dtype} is required")


def _initial_value(initializer, from_value, shape, dtype):
    """What tf.Variable gets: the value itself, or a no-argument callable run in "Initializer/"."""
    if from_value:
        return initializer, None
    if inspect.isclass(initializer):
        initializer = initializer()
    if shape is not None and shape.is_fully_defined():
        extra = {"partition_info": None} if _accepts(initializer, "partition_info", named_only=True) else {}
        return functools.partial(initializer, shape.as_list(), dtype=dtype, **extra), dtype.base_dtype
    if _needs_no_arguments(initializer):
        return initializer, None
    raise ValueError("The initializer passed is not valid. It should be a callable with no "
                     "arguments and the shape should not be provided or an instance of "
                     "`tf.keras.initializers.*' and `shape` should be fully defined.")


def _accepts(function, argument, named_only=False):
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    if argument in parameters:
        return True
    return not named_only and any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def _needs_no_arguments(function):
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in parameters)


def _user_frames():
    """The innermost frames outside minitf, innermost first (TF1's "Originally defined at")."""
    frames = traceback.extract_stack()[::-1]
    return [f for f in frames if not os.path.abspath(f.filename).startswith(_MINITF_DIR)][:5]


# ======================================================================================
# VariableScope: the defaults that get_variable applies inside a scope
# ======================================================================================
# The get_variable defaults a scope carries; each has a property and a `set_<name>` method.
_SCOPE_DEFAULTS = ("initializer", "regularizer", "caching_device", "partitioner", "custom_getter",
                   "dtype", "use_resource", "constraint")


class VariableScope:
    """TF1 `tf.VariableScope`: a name plus the reuse flag and defaults for get_variable."""

    def __init__(self, reuse, name="", initializer=None, regularizer=None, caching_device=None,
                 partitioner=None, custom_getter=None, name_scope="", dtype=dtypes.float32,
                 use_resource=None, constraint=None):
        self._reuse = reuse
        self._name = name
        self._name_scope = name_scope
        values = (initializer, regularizer, caching_device, partitioner, custom_getter, dtype,
                  use_resource, constraint)
        for attribute, value in zip(_SCOPE_DEFAULTS, values):
            setattr(self, "_" + attribute, value)

    name = property(lambda self: self._name)
    original_name_scope = property(lambda self: self._name_scope)
    reuse = property(lambda self: self._reuse)

    def reuse_variables(self):
        """From now on get_variable in this scope (and scopes opened inside it) reuses."""
        self._reuse = True

    def get_collection(self, name):
        return get_default_graph().get_collection(name, self._name + "/" if self._name else "")

    def global_variables(self):
        return self.get_collection(GraphKeys.GLOBAL_VARIABLES)

    def trainable_variables(self):
        return self.get_collection(GraphKeys.TRAINABLE_VARIABLES)

    def local_variables(self):
        return self.get_collection(GraphKeys.LOCAL_VARIABLES)

    def get_variable(self, var_store, name, shape=None, dtype=None, initializer=None, reuse=None,
                     **kwargs):
        """Fills the arguments left None from this scope's defaults, then asks `var_store` (the
        keyword arguments are tf.get_variable's)."""
        for attribute in ("regularizer", "caching_device", "partitioner", "custom_getter", "constraint"):
            if kwargs.get(attribute) is None:
                kwargs[attribute] = getattr(self, attribute)
        reuse = self._reuse if reuse is None else reuse
        full_name = f"{self._name}/{name}" if self._name else name
        # Variable names depend only on variable scopes: build everything from the root name scope.
        with name_scope(None):
            if dtype is not None and initializer is not None and not callable(initializer):
                from minitf.ops.constant_op import convert_to_tensor
                init_dtype = convert_to_tensor(initializer).dtype.base_dtype
                if init_dtype != dtype:
                    raise ValueError(f"Initializer type '{init_dtype}' and explicit dtype "
                                     f"'{dtypes.as_dtype(dtype)}' don't match.")
            return var_store.get_variable(
                full_name, shape=shape, dtype=self._dtype if dtype is None else dtype,
                initializer=self._initializer if initializer is None else initializer, reuse=reuse,
                **kwargs)


def _install_scope_defaults():
    for attribute in _SCOPE_DEFAULTS:
        private = "_" + attribute
        setattr(VariableScope, attribute, property(lambda self, private=private: getattr(self, private)))
        setattr(VariableScope, "set_" + attribute,
                lambda self, value, private=private: setattr(self, private, value))


_install_scope_defaults()


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=None,
                 collections=None, caching_device=None, partitioner=None, validate_shape=True,
                 use_resource=None, custom_getter=None, constraint=None, synchronization=None,
                 aggregation=None):
    """TF1 `tf.get_variable`: the variable "<scope>/<name>", created or reused per the scope's reuse."""
    del synchronization, aggregation
    return get_variable_scope().get_variable(
        _get_default_variable_store(), name, shape=shape, dtype=dtype, initializer=initializer,
        regularizer=regularizer, trainable=trainable, collections=collections,
        caching_device=caching_device, partitioner=partitioner, validate_shape=validate_shape,
        use_resource=use_resource, custom_getter=custom_getter, constraint=constraint)


def get_local_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                       trainable=False, collections=None, **kwargs):
    """TF1 `tf.get_local_variable`: get_variable in LOCAL_VARIABLES (plus `collections`), never
    trainable."""
    del trainable
    collections = list(collections or []) + [GraphKeys.LOCAL_VARIABLES]
    return get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                        regularizer=regularizer, trainable=False, collections=collections, **kwargs)


# ======================================================================================
# Entering scopes
# ======================================================================================
def _wrap_custom_getter(custom_getter, old_getter):
    """A nested scope's custom getter calls the outer one, which calls the real getter (TF1)."""
    if old_getter is None:
        return custom_getter

    def wrapped_custom_getter(getter, *args, **kwargs):
        return custom_getter(functools.partial(old_getter, getter), *args, **kwargs)
    return wrapped_custom_getter


def _inherited_defaults(scope):
    """The defaults a scope entered from `scope` starts with (TF1 does not inherit `constraint`)."""
    return {attribute: getattr(scope, attribute) for attribute in _SCOPE_DEFAULTS
            if attribute != "constraint"}


class _PureVariableScope:
    """Switches the current VariableScope without touching name scopes (TF1 `_pure_variable_scope`).

    A string extends the current scope's name and inherits its reuse flag and defaults; a
    VariableScope object is re-entered as it was, with the given arguments overriding.
    """

    def __init__(self, name_or_scope, reuse=None, old_name_scope=None, custom_getter=None,
                 constraint=None, **overrides):
        self._name_or_scope = name_or_scope
        self._reuse = reuse
        self._old_name_scope = old_name_scope
        self._custom_getter = custom_getter
        self._constraint = constraint
        self._overrides = overrides  # initializer, regularizer, dtype, ...: set when not None
        self._store = _get_variable_scope_store()
        self._entered = None

    def __enter__(self):
        self._old = old = self._store.current_scope
        source = self._name_or_scope
        if isinstance(source, VariableScope):
            parent, self._new_name, name_scope = source, source.name, source.original_name_scope
        else:
            parent, self._new_name = old, f"{old.name}/{source}" if old.name else source
            name_scope = source if self._old_name_scope is None else self._old_name_scope
        scope = VariableScope(self._reuse or parent.reuse, name=self._new_name, name_scope=name_scope,
                              constraint=self._constraint, **_inherited_defaults(parent))
        self._store.open_variable_scope(self._new_name)
        if isinstance(source, VariableScope):
            self._saved_counts = dict(self._store.variable_scopes_count)
        for attribute, value in self._overrides.items():
            if value is not None:
                getattr(scope, "set_" + attribute)(value)
        if self._custom_getter is not None:
            scope.set_custom_getter(_wrap_custom_getter(self._custom_getter, parent.custom_getter))
        self._store.current_scope = self._entered = scope
        return scope

    def __exit__(self, *exc_info):
        if self._store.current_scope is not self._entered:
            raise RuntimeError("Improper nesting of variable_scope.")
        if isinstance(self._name_or_scope, VariableScope):
            self._store.variable_scopes_count = self._saved_counts
        else:
            self._store.close_variable_subscopes(self._new_name)
        self._store.current_scope = self._old


def _unique_variable_scope(prefix):
    """`prefix`, or `prefix_N` with the first N whose scope was never opened here."""
    store = _get_variable_scope_store()
    current = store.current_scope
    name = f"{current.name}/{prefix}" if current.name else prefix
    if store.variable_scope_count(name) == 0:
        return prefix
    index = 1
    while store.variable_scope_count(f"{name}_{index}") > 0:
        index += 1
    return f"{prefix}_{index}"


class variable_scope:  # noqa: N801 - TF1's name
    """TF1 `tf.variable_scope(name_or_scope, default_name=None, values=None, ...)`.

    Opens a name scope (unique: a second "relu" scope puts its ops under "relu_1/") and a variable
    scope (not unique for a given name: variables stay "relu/..."). With `name_or_scope=None` the
    scope is named after `default_name`, made unique among variable scopes ("relu_1"). `reuse=False`
    means "inherit", as in TF1. `auxiliary_name_scope=False` keeps the current name scope.
    """

    def __init__(self, name_or_scope, default_name=None, values=None, initializer=None,
                 regularizer=None, caching_device=None, partitioner=None, custom_getter=None,
                 reuse=None, dtype=None, use_resource=None, constraint=None,
                 auxiliary_name_scope=True):
        if default_name is None and name_or_scope is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if reuse is False:
            reuse = None  # TF1 allows no non-inheriting scopes: False means "inherit".
        if not (reuse is True or reuse is None or reuse is AUTO_REUSE):
            raise ValueError("The reuse parameter must be True or False or None.")
        if name_or_scope is not None and not isinstance(name_or_scope, (VariableScope, str)):
            raise TypeError("VariableScope: name_or_scope must be a string or VariableScope.")
        if not isinstance(auxiliary_name_scope, bool):
            raise TypeError(f"The auxiliary_name_scope must be `True` or `False`, while get "
                            f"{auxiliary_name_scope}")
        self._name_or_scope = name_or_scope
        self._default_name = default_name
        self._reuse = reuse
        self._auxiliary_name_scope = auxiliary_name_scope
        self._scope_arguments = dict(initializer=initializer, regularizer=regularizer,
                                     caching_device=caching_device, partitioner=partitioner,
                                     custom_getter=custom_getter, dtype=dtype,
                                     use_resource=use_resource, constraint=constraint)
        self._graph = _graph_of(values or [])
        self._exit_stack = None

    def __enter__(self):
        stack = contextlib.ExitStack()
        try:
            stack.enter_context(self._graph.as_default())
            scope = self._enter_scopes(stack)
        except BaseException:
            stack.close()
            raise
        self._exit_stack = stack
        return scope

    def __exit__(self, *exc_info):
        stack, self._exit_stack = self._exit_stack, None
        return stack.__exit__(*exc_info)

    def _enter_scopes(self, stack):
        current_name_scope = None
        if not self._auxiliary_name_scope:
            # Re-enter the current name scope, so no new one opens.
            current = get_default_graph().get_name_scope()
            current_name_scope = name_scope(current + "/" if current else "")
        source = self._name_or_scope
        if source is not None:
            short_name = source if isinstance(source, str) else source.name.split("/")[-1]
            old_name_scope = None
            if short_name or current_name_scope is not None:
                entered = stack.enter_context(current_name_scope or name_scope(short_name))
                old_name_scope = entered if isinstance(source, str) else source.original_name_scope
            # Without a name this re-enters the root scope (TF1's `variable_scope("")` trick).
            return stack.enter_context(_PureVariableScope(
                source, reuse=self._reuse, old_name_scope=old_name_scope, **self._scope_arguments))
        if self._reuse:
            raise ValueError("reuse=True cannot be used without a name_or_scope")
        entered = stack.enter_context(current_name_scope or name_scope(self._default_name))
        unique_name = _unique_variable_scope(self._default_name)
        return stack.enter_context(_PureVariableScope(unique_name, old_name_scope=entered,
                                                      **self._scope_arguments))


def variable_op_scope(values, name_or_scope, default_name=None, **kwargs):
    """TF1 `tf.variable_op_scope` (deprecated): variable_scope with `values` first."""
    return variable_scope(name_or_scope, default_name=default_name, values=values, **kwargs)
