"""TF1 `tf.contrib.framework` variable helpers: model_variable, variable and the collection queries."""
import functools

from minitf.contrib.framework.arg_scope import add_arg_scope
from minitf.framework.default_graph import device as _device, get_collection
from minitf.framework.graph import GraphKeys
from minitf.ops import variable_scope as vs

__all__ = ["variable", "model_variable", "local_variable", "global_variable", "get_variables",
           "get_model_variables", "get_local_variables", "get_trainable_variables",
           "get_variables_by_name", "get_variables_by_suffix", "get_unique_variable",
           "get_variables_to_restore"]


@add_arg_scope
def variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True,
             collections=None, caching_device=None, device=None, partitioner=None,
             custom_getter=None, use_resource=None, synchronization=None, aggregation=None):
    """TF1 `tf.contrib.framework.variable`: get_variable on `device`, in `collections` (default
    GLOBAL_VARIABLES). A `custom_getter` is called with the current scope's reuse flag."""
    collections = list(set(collections if collections is not None else [GraphKeys.GLOBAL_VARIABLES]))
    getter = vs.get_variable
    if custom_getter is not None:
        getter = functools.partial(custom_getter, reuse=vs.get_variable_scope().reuse)
    with _device(device or ""):
        return getter(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                      trainable=trainable, collections=collections, caching_device=caching_device,
                      partitioner=partitioner, use_resource=use_resource)


@add_arg_scope
def model_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True,
                   collections=None, caching_device=None, device=None, partitioner=None,
                   custom_getter=None, use_resource=None, synchronization=None, aggregation=None):
    """TF1 `tf.contrib.framework.model_variable`: a variable also in MODEL_VARIABLES."""
    collections = list(collections or []) + [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
    return variable(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                    trainable=trainable, collections=collections, caching_device=caching_device,
                    device=device, partitioner=partitioner, custom_getter=custom_getter,
                    use_resource=use_resource)


def local_variable(initial_value, validate_shape=True, name=None, use_resource=None):
    """TF1 `tf.contrib.framework.local_variable`: a non-trainable Variable in LOCAL_VARIABLES."""
    from minitf.ops.variables import Variable
    return Variable(initial_value, trainable=False, collections=[GraphKeys.LOCAL_VARIABLES],
                    validate_shape=validate_shape, name=name)


def global_variable(initial_value, validate_shape=True, name=None, use_resource=None):
    """TF1 `tf.contrib.framework.global_variable`: a non-trainable Variable in GLOBAL_VARIABLES."""
    from minitf.ops.variables import Variable
    return Variable(initial_value, trainable=False, collections=[GraphKeys.GLOBAL_VARIABLES],
                    validate_shape=validate_shape, name=name)


# ======================================================================================
# Queries
# ======================================================================================
def get_variables(scope=None, suffix=None, collection=GraphKeys.GLOBAL_VARIABLES):
    """Variables of `collection` whose name starts with `scope` (a VariableScope or a regex) and
    whose op name ends with `suffix`."""
    if isinstance(scope, vs.VariableScope):
        scope = scope.name
    if suffix is not None:
        if ":" not in suffix:
            suffix += ":"
        scope = (scope or "") + ".*" + suffix
    return get_collection(collection, scope)


def get_model_variables(scope=None, suffix=None):
    return get_variables(scope, suffix, GraphKeys.MODEL_VARIABLES)


def get_local_variables(scope=None, suffix=None):
    return get_variables(scope, suffix, GraphKeys.LOCAL_VARIABLES)


def get_trainable_variables(scope=None, suffix=None):
    return get_variables(scope, suffix, GraphKeys.TRAINABLE_VARIABLES)


def get_variables_by_suffix(suffix, scope=None):
    return get_variables(scope=scope, suffix=suffix)


def get_variables_by_name(given_name, scope=None):
    """Variables whose last name component is `given_name`."""
    return get_variables(scope=scope, suffix=f"/{given_name}:|^{given_name}:")


def get_unique_variable(var_op_name):
    """The global variable whose op is named `var_op_name` (`var_op_name` is matched as a regex)."""
    candidates = get_variables(scope=var_op_name)
    if not candidates:
        raise ValueError(f"Couldn't find variable {var_op_name}")
    for candidate in candidates:
        if candidate.op.name == var_op_name:
            return candidate
    raise ValueError(f"Variable {var_op_name} does not uniquely identify a variable")


def get_variables_to_restore(include=None, exclude=None):
    """Global variables under the scopes in `include` (all by default) minus those under `exclude`."""
    for argument, value in (("include", include), ("exclude", exclude)):
        if value is not None and not isinstance(value, (list, tuple)):
            raise TypeError(f"{argument} is provided but is not a list or a tuple.")
    if include is None:
        candidates = get_variables()
    else:
        candidates = [v for scope in include for v in get_variables(scope)]
    excluded = {v for scope in exclude or [] for v in get_variables(scope)}
    return [v for v in candidates if v not in excluded]
