"""TF1's training ops: the in-place updates of a variable and its slots that optimizers build
(ApplyGradientDescent, ApplyMomentum, ApplyAdagrad, ApplyRMSProp, ApplyCenteredRMSProp,
ApplyAdam, ApplyFtrl, ApplyFtrlV2).

Each op takes the variable and its slots as Ref inputs, then its tensor inputs in TF's order,
and returns the variable (`out: Ref(T)`). They are stateful and have no gradient, as in TF1.
The Python wrappers (`apply_momentum`, ...) are TF's generated `gen_training_ops` functions.
Kernels: kernels/training.py.
"""
from minitf.framework import dtypes
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


def _training_shape(names):
    def shape_fn(op):
        shape = TensorShape(None)
        for name, tensor in zip(names, op.inputs):
            if name in _FULL_INPUTS:
                shape = _merge_equal(shape, tensor.shape)
            elif tensor.shape.ndims not in (None, 0):
                raise ValueError(f"Shape must be rank 0 but is rank {tensor.shape.ndims}")
        return [shape]
    return shape_fn


# ======================================================================================
# Declarations and their gen_training_ops-style wrappers
# ======================================================================================
def _wrapper(op_type, public_name, names, extra_attrs):
    """`apply_x(var, slot..., tensor..., use_locking=False, <extra attrs>, name=None)`."""
    def function(*args, use_locking=False, name=None, **attrs):
        if len(args) != len(names):
            raise TypeError(f"{public_name}() takes {len(names)} inputs ({', '.join(names)}), "
                            f"got {len(args)}")
        unknown = set(attrs) - set(extra_attrs)
        if unknown:
            raise TypeError(f"{public_name}() got unexpected keyword arguments {sorted(unknown)}")
        return apply_op(op_type, *args, name=name or op_type, use_locking=use_locking, **attrs)
    function.__name__ = function.__qualname__ = public_name
    function.__doc__ = f"TF1 `gen_training_ops.{public_name}({', '.join(names)})`: the {op_type} op."
    return function


__all__ = []
for _op_type, (_public, _refs, _tensors, _extra) in _TRAINING_OPS.items():
    define_op(_op_type, inputs=[f"{n}: Ref(T)" for n in _refs] + [f"{n}: T" for n in _tensors],
              outputs=["out: Ref(T)"],
              attrs={"T": TypeAttr(dtypes.NUMBERS), "use_locking": False, **_extra},
              shape=_training_shape(_refs + _tensors), stateful=True, differentiable=False)
    globals()[_public] = _wrapper(_op_type, _public, _refs + _tensors, _extra)
    __all__.append(_public)
