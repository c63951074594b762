"""`tf.py_func`: a Python function as an op.

The op (PyFunc, or PyFuncStateless when `stateful=False`) stores only a string `token`; the
callable itself lives in the graph's registry `graph._py_funcs[token]`, so the graph keeps it
alive exactly as long as the graph lives. The kernel (kernels/cpu/script.py) runs on the host.
"""
import itertools

from minitf.framework import dtypes
from minitf.framework.common_shapes import unknown
from minitf.framework.default_graph import get_default_graph, name_scope
from minitf.framework.op_def import TypeListAttr, REQUIRED, define_op
from minitf.ops.constant_op import convert_to_tensor

# The public (tf.*) names of this module; keep it in step with the functions below.
__all__ = ["py_func"]

for _op_type, _stateful in (("PyFunc", True), ("PyFuncStateless", False)):
    define_op(_op_type, inputs=["input: Tin"], outputs=["output: Tout"],
              attrs={"token": REQUIRED, "Tin": TypeListAttr(), "Tout": TypeListAttr()},
              shape=unknown, stateful=_stateful, differentiable=False)

# Tokens are unique in the process (TF1's "pyfunc_N"), so graphs never share one by accident.
_token_counter = itertools.count()


def py_func(func, inp, Tout, stateful=True, name=None):  # noqa: N803 - TF1's argument name
    """TF1 `tf.py_func`: calls `func` with the NumPy values of `inp` each time the op runs.

    `Tout` is a dtype (the result is one tensor) or a list of dtypes (the result is a list of
    tensors; an empty list gives the Operation). The outputs' static shapes are unknown.
    """
    returns_list = isinstance(Tout, (list, tuple))
    out_types = [dtypes.as_dtype(t) for t in (Tout if returns_list else [Tout])]
    op_type = "PyFunc" if stateful else "PyFuncStateless"
    inp = list(inp or [])
    with name_scope(name, op_type, inp) as scope:
        # TF1 names converted list inputs "input_0", "input_1", ... inside the op's scope.
        tensors = [convert_to_tensor(value, name=f"input_{i}") for i, value in enumerate(inp)]
        graph = get_default_graph()
        token = f"pyfunc_{next(_token_counter)}"
        graph._py_funcs[token] = func
        # create_op, not apply_op: the inputs are converted already, and each has its own dtype.
        attrs = {"token": token, "Tin": [t.dtype.base_dtype for t in tensors], "Tout": out_types}
        op = graph.create_op(op_type, tensors, attrs, name=scope)
    if not returns_list:
        return op.outputs[0]
    return list(op.outputs) if op.outputs else op
