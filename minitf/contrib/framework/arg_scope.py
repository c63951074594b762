"""TF1 `tf.contrib.framework.arg_scope` and `add_arg_scope`: default keyword arguments by block.

A function decorated with `add_arg_scope` takes, for each keyword it is not given explicitly, the
value set by the innermost enclosing `arg_scope([func, ...], key=value)`. Nested scopes merge
(inner values win), a scope dict yielded by `arg_scope` can be re-entered later, and listing an
undecorated function raises ValueError. Like TF1, the stack of scopes is global to the process.
"""
import contextlib
import functools

__all__ = ["arg_scope", "add_arg_scope", "current_arg_scope", "has_arg_scope", "arg_scoped_arguments"]

_ARG_STACK = [{}]
# key of each decorated function -> the names of its keyword (defaulted) arguments
_DECORATED_OPS = {}


def _key_op(op):
    return getattr(op, "_key_op", str(op))


def current_arg_scope():
    """The innermost scope: {function key: {argument: value}}."""
    return _ARG_STACK[-1]


@contextlib.contextmanager
def arg_scope(list_ops_or_scope, **kwargs):
    """TF1 `arg_scope(list_ops_or_scope, **kwargs)`: a list/tuple of decorated functions and the
    defaults to give them, or a scope dict from an earlier `arg_scope` to re-enter (no kwargs)."""
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise ValueError("When attempting to re-use a scope by suppling a dictionary, kwargs "
                             "must be empty.")
        scope = list_ops_or_scope.copy()
    else:
        if not isinstance(list_ops_or_scope, (list, tuple)):
            raise TypeError("list_ops_or_scope must either be a list/tuple or reused scope (i.e. dict)")
        scope = current_arg_scope().copy()
        for op in list_ops_or_scope:
            if not has_arg_scope(op):
                raise ValueError(f"{getattr(op, '__module__', '?')}.{getattr(op, '__name__', op)} "
                                 "is not decorated with @add_arg_scope")
            key = _key_op(op)
            scope[key] = {**scope.get(key, {}), **kwargs}
    _ARG_STACK.append(scope)
    try:
        yield scope
    finally:
        _ARG_STACK.pop()


def add_arg_scope(func):
    """Decorator: lets `arg_scope` supply `func`'s keyword arguments."""
    key = _key_op(func)

    @functools.wraps(func)
    def func_with_args(*args, **kwargs):
        defaults = current_arg_scope().get(key)
        if defaults:
            kwargs = {**defaults, **kwargs}
        return func(*args, **kwargs)

    code = func.__code__
    keyword_count = len(func.__defaults__ or ())
    _DECORATED_OPS.setdefault(key, code.co_varnames[code.co_argcount - keyword_count:code.co_argcount])
    func_with_args._key_op = key
    return func_with_args


def has_arg_scope(func):
    """Whether `func` was decorated with `add_arg_scope`."""
    return _key_op(func) in _DECORATED_OPS


def arg_scoped_arguments(func):
    """The names of the keyword arguments `arg_scope` can set for decorated `func`."""
    assert has_arg_scope(func)
    return _DECORATED_OPS[_key_op(func)]
