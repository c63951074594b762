"""TF1's training ops: the in-place updates of a variable and its slots that optimizers build
(ApplyGradientDescent, ApplyMomentum, ApplyAdagrad, ApplyRMSProp, ApplyCenteredRMSProp,
ApplyAdam, ApplyFtrl, ApplyFtrlV2, ApplyAdadelta and the proximal ones), and their sparse forms
(SparseApplyMomentum, ...), which update only the rows `indices` names, with `grad` holding one
row per index: what optimizers apply for the IndexedSlices gradient of an embedding.

Each op takes the variable and its slots as Ref inputs, then its tensor inputs in TF's order,
and returns the variable (`out: Ref(T)`). They are stateful and have no gradient, as in TF1.
The Python wrappers (`apply_momentum`, ...) are TF's generated `gen_training_ops` functions.
Kernels: kernels/training.py.
"""
from minitf.framework import dtypes
from minitf.framework.indexed_slices import IndexedSlices
from minitf.framework.op_def import TypeAttr, define_op
from minitf.framework.tensor_shape import TensorShape
from minitf.ops.op_builder import apply_op

# Inputs named here have the variable's shape; every other tensor input is a scalar.
_FULL_INPUTS = {"var", "accum", "accum_update", "ms", "mom", "mg", "m", "v", "linear", "grad", "delta"}

_TRAINING_OPS = {  # op type: (wrapper name, ref inputs, tensor inputs, extra attrs)
    "ApplyGradientDescent": ("apply_gradient_descent", ["var"], ["alpha", "delta"], {}),
    "ApplyMomentum": ("apply_momentum", ["var", "accum"], ["lr", "grad", "momentum"],
                      {"use_nesterov": False}),
    "ApplyAdagrad": ("apply_adagrad", ["var", "accum"], ["lr", "grad"], {"update_slots": True}),
    "ApplyRMSProp": ("apply_rms_prop", ["var", "ms", "mom"], ["lr", "rho", "momentum", "epsilon", "grad"], {}),
    "ApplyCenteredRMSProp": ("apply_centered_rms_prop", ["var", "mg", "ms", "mom"],
                             ["lr", "rho", "momentum", "epsilon", "grad"], {}),
    "ApplyAdam": ("apply_adam", ["var", "m", "v"],
                  ["beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon", "grad"],
                  {"use_nesterov": False}),
    "ApplyFtrl": ("apply_ftrl", ["var", "accum", "linear"], ["grad", "lr", "l1", "l2", "lr_power"],
                  {"multiply_linear_by_lr": False}),
    "ApplyFtrlV2": ("apply_ftrl_v2", ["var", "accum", "linear"],
                    ["grad", "lr", "l1", "l2", "l2_shrinkage", "lr_power"], {"multiply_linear_by_lr": False}),
    "ApplyAdadelta": ("apply_adadelta", ["var", "accum", "accum_update"],
                      ["lr", "rho", "epsilon", "grad"], {}),
    "ApplyProximalGradientDescent": ("apply_proximal_gradient_descent", ["var"],
                                     ["alpha", "l1", "l2", "delta"], {}),
    "ApplyProximalAdagrad": ("apply_proximal_adagrad", ["var", "accum"], ["lr", "l1", "l2", "grad"], {}),
}


def _sparse_form(dense_type):
    """(wrapper name, refs, tensors, attrs) of the sparse op of a dense one: `indices` follows
    the gradient (which proximal gradient descent's sparse op calls `grad`, not `delta`)."""
    public, refs, tensors, extra = _TRAINING_OPS[dense_type]
    tensors = ["grad" if name == "delta" else name for name in tensors]
    at = tensors.index("grad") + 1
    return "sparse_" + public, refs, tensors[:at] + ["indices"] + tensors[at:], extra


# TF1 has no SparseApplyGradientDescent or SparseApplyAdam: those optimizers use scatter ops.
SPARSE_TRAINING_OPS = {"Sparse" + dense: (*_sparse_form(dense), dense) for dense in _TRAINING_OPS
                       if dense not in ("ApplyGradientDescent", "ApplyAdam")}


# ======================================================================================
# Shape function (TF's: the full inputs share one shape, the hyperparameters are scalars)
# ======================================================================================
def _text(shape):
    return "[" + ",".join("?" if d.value is None else str(d.value) for d in shape.dims) + "]"


def _merge_equal(a, b):
    """The more specific of two shapes that must be equal, with TF's messages when they are not."""
    if a.ndims is None or b.ndims is None:
        return b if a.ndims is None else a
    if a.ndims != b.ndims:
        raise ValueError(f"Shapes must be equal rank, but are {a.ndims} and {b.ndims}")
    for index, (x, y) in enumerate(zip(a.dims, b.dims)):
        if x.value is not None and y.value is not None and x.value != y.value:
            raise ValueError(f"Dimension {index} in both shapes must be equal, but are {x.value} and "
                             f"{y.value}. Shapes are {_text(a)} and {_text(b)}.")
    return a.merge_with(b)


def _training_shape(names, sparse=False):
    """The variable's shape, merged over the full inputs; for a sparse op, `grad` is one row of
    the variable per entry of the vector `indices`."""
    def shape_fn(op):
        shape, inputs = TensorShape(None), dict(zip(names, op.inputs))
        for name, tensor in zip(names, op.inputs):
            if name in _FULL_INPUTS and not (sparse and name == "grad"):
                shape = _merge_equal(shape, tensor.shape)
            elif name not in _FULL_INPUTS and name != "indices" and tensor.shape.ndims not in (None, 0):
                raise ValueError(f"Shape must be rank 0 but is rank {tensor.shape.ndims}")
        if sparse:
            _check_sparse_rows(shape, inputs["grad"].shape, inputs["indices"].shape)
        return [shape]
    return shape_fn


def _check_sparse_rows(var, grad, indices):
    if indices.ndims not in (None, 1):
        raise ValueError(f"Shape must be rank 1 but is rank {indices.ndims}")
    if grad.ndims is None or var.ndims is None:
        return
    if var.ndims == 0:
        raise ValueError("Shape must be at least rank 1 but is rank 0")
    _merge_equal(TensorShape(var.dims[1:]), TensorShape(grad.dims[1:]))
    if indices.ndims == 1:
        _merge_equal(TensorShape(grad.dims[:1]), indices)


# ======================================================================================
# Declarations and their gen_training_ops-style wrappers
# ======================================================================================
def _wrapper(op_type, public_name, names, extra_attrs):
    """`apply_x(var, slot..., tensor..., use_locking=False, <extra attrs>, name=None)`. Given an
    IndexedSlices as its gradient, a dense op's wrapper builds the op's sparse form on the
    slices' values and indices instead: optimizers build one update for either kind."""
    grad_at = next((i for i, n in enumerate(names) if n in ("grad", "delta")), None)
    sparse_type = "Sparse" + op_type if "Sparse" + op_type in SPARSE_TRAINING_OPS else None

    def function(*args, use_locking=False, name=None, **attrs):
        if len(args) != len(names):
            raise TypeError(f"{public_name}() takes {len(names)} inputs ({', '.join(names)}), "
                            f"got {len(args)}")
        unknown = set(attrs) - set(extra_attrs)
        if unknown:
            raise TypeError(f"{public_name}() got unexpected keyword arguments {sorted(unknown)}")
        if grad_at is not None and isinstance(args[grad_at], IndexedSlices):
            if sparse_type is None:
                raise TypeError(f"{op_type} has no sparse form for an IndexedSlices gradient")
            slices = args[grad_at]
            args = (*args[:grad_at], slices.values, slices.indices, *args[grad_at + 1:])
            return apply_op(sparse_type, *args, name=name or sparse_type, use_locking=use_locking, **attrs)
        return apply_op(op_type, *args, name=name or op_type, use_locking=use_locking, **attrs)
    function.__name__ = function.__qualname__ = public_name
    function.__doc__ = f"TF1 `gen_training_ops.{public_name}({', '.join(names)})`: the {op_type} op."
    return function


__all__ = []
for _op_type, (_public, _refs, _tensors, _extra, *_dense) in [*_TRAINING_OPS.items(), *SPARSE_TRAINING_OPS.items()]:
    define_op(_op_type, inputs=[f"{n}: Ref(T)" for n in _refs] +
              [f"{n}: {'Tindices' if n == 'indices' else 'T'}" for n in _tensors],
              outputs=["out: Ref(T)"],
              attrs={"T": TypeAttr(dtypes.NUMBERS), "use_locking": False, **_extra,
                     **({"Tindices": TypeAttr(dtypes.INDEX)} if _dense else {})},
              shape=_training_shape(_refs + _tensors, sparse=bool(_dense)), stateful=True, differentiable=False)
    globals()[_public] = _wrapper(_op_type, _public, _refs + _tensors, _extra)
    __all__.append(_public)
