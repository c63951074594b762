"""The op contract, declared once per op type: signature, attrs, shape function, statefulness, gradient.

A signature is written the way TensorFlow's op registrations write it:
  "x: T"               one tensor whose dtype is the type attr T
  "values: N * T"      a list of N tensors sharing type attr T
  "ref: Ref(T)"        a reference (mutable variable) input or output
  "shape: int32"       a fixed dtype
  "components: Tlist"  a list of tensors typed by the list(type) attr Tlist
Kernels are registered separately, per device (see minitf.runtime.kernel_registry).
"""
import re

from minitf.framework import dtypes

REQUIRED = object()  # the default of an attr the caller must give


class TypeAttr:
    """A type attr: `allowed` is the set of DTypes it may take; `default` is used when nothing infers it."""

    def __init__(self, allowed=dtypes.ALL, default=None):
        self.allowed = frozenset(allowed)
        self.default = default


class TypeListAttr:
    """A list(type) attr, as queues and py_func use for their component types."""

    def __init__(self, default=REQUIRED):
        self.default = default


class ArgSpec:
    """One input or output of a signature (see the module docstring for the syntax)."""

    _PATTERN = re.compile(r"^(\w+)\s*:\s*(?:(\w+)\s*\*\s*)?(Ref\()?(\w+)\)?$")

    def __init__(self, text):
        match = self._PATTERN.match(text.strip())
        if not match:
            raise ValueError(f"Bad argument spec {text!r}")
        self.name, self.number_attr, ref, self.type_name = match.groups()
        self.is_ref = ref is not None
        try:
            self.fixed_dtype = dtypes.as_dtype(self.type_name)
        except TypeError:
            self.fixed_dtype = None

    def is_list(self, op_def):
        return self.number_attr is not None or isinstance(op_def.attrs.get(self.type_name), TypeListAttr)

    def dtypes(self, attrs):
        """The dtypes this argument has under the (complete) attrs."""
        if self.fixed_dtype is not None:
            base = [self.fixed_dtype]
        else:
            value = attrs[self.type_name]
            base = list(value) if isinstance(value, (list, tuple)) else [value]
        if self.number_attr is not None:
            base = base * attrs[self.number_attr]
        return [d._as_ref if self.is_ref else d for d in base]


class OpDef:
    """Everything the graph needs to know about an op type, in one place."""

    def __init__(self, name, inputs, outputs, attrs, shape_fn, stateful, differentiable, ref_inputs,
                 blocking=False):
        self.name = name
        self.inputs = [ArgSpec(a) for a in inputs]
        self.outputs = [ArgSpec(a) for a in outputs]
        self.attrs = dict(attrs)
        self.shape_fn = shape_fn
        self.is_stateful = stateful
        self.differentiable = differentiable
        # Blocking ops (queue dequeue, reader read) may wait on other threads: plans holding one
        # run on the dependency-counting executor, with cancellation and deadlines.
        self.blocking = blocking
        self.gradient = None  # set by ops/*_grad.py through register_gradient

    def output_dtypes(self, attrs):
        return [d for arg in self.outputs for d in arg.dtypes(attrs)]

    def group_inputs(self, flat_inputs, attrs):
        """Splits a flat input list into one entry per argument (lists for list arguments)."""
        grouped, position = [], 0
        for arg in self.inputs:
            if arg.is_list(self):
                count = len(arg.dtypes(attrs))
                grouped.append(list(flat_inputs[position:position + count]))
                position += count
            else:
                grouped.append(flat_inputs[position])
                position += 1
        return grouped

    def __repr__(self):
        return f"OpDef({self.name})"


_REGISTRY = {}


def define_op(name, inputs=(), outputs=(), attrs=None, shape=None, stateful=False,
              differentiable=True, ref_inputs=(), blocking=False):
    """Declares op type `name` (TF op type names: "MatMul", "VariableV2", ...)."""
    if name in _REGISTRY:
        raise ValueError(f"Op type {name!r} is already defined")
    if shape is None:
        raise ValueError(f"Op type {name!r} needs a shape function")
    op_def = OpDef(name, inputs, outputs, attrs or {}, shape, stateful or blocking, differentiable,
                   ref_inputs, blocking)
    _REGISTRY[name] = op_def
    return op_def


def get_op_def(name):
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"Op type not registered '{name}'") from None


def registered_ops():
    return dict(_REGISTRY)


def register_gradient(op_type):
    """Decorator that attaches a gradient function to an op type (TF1 `tf.RegisterGradient`)."""
    def decorate(fn):
        get_op_def(op_type).gradient = fn
        return fn
    return decorate


def not_differentiable(op_type):
    """Marks an op type as having no gradient (TF1 `tf.NotDifferentiable`)."""
    get_op_def(op_type).differentiable = False
