"""`apply_op`: builds one op from Python arguments, converting them to tensors as TF1's op_def_library does."""
from minitf.framework import dtypes
from minitf.framework.default_graph import get_default_graph
from minitf.framework.op_def import TypeAttr, TypeListAttr, get_op_def
from minitf.framework.tensor import Tensor
from minitf.ops.constant_op import convert_to_tensor


def _is_tensor_like(value):
    return isinstance(value, Tensor) or hasattr(value, "_as_graph_element")


def apply_op(op_type, *args, name=None, **attrs):
    """Creates an op of `op_type` with positional inputs `args` (lists for list arguments).

    Type attrs not given in `attrs` are inferred from the tensor arguments first, so `x + 1.0`
    makes the constant the dtype of `x`; a dtype clash raises TypeError as in TF1. Returns the
    single output, a list of outputs, or the op itself when it has none.
    """
    op_def = get_op_def(op_type)
    if len(args) != len(op_def.inputs):
        raise TypeError(f"{op_type} takes {len(op_def.inputs)} inputs, got {len(args)}")
    graph = _graph_of(args)
    # Like TF1, an op's converted inputs are named after their arguments inside the op's scope
    # ("add/y" for the 1.0 of `x + 1.0`), and the op takes the scope's name ("add").
    with graph.as_default(), graph.name_scope(name or op_type) as scope:
        flat = _convert_inputs(op_def, op_type, args, attrs)
        op = graph.create_op(op_type, flat, attrs, name=scope)
    if not op.outputs:
        return op
    return op.outputs[0] if len(op.outputs) == 1 and not _single_list_output(op_def) else list(op.outputs)


def _convert_inputs(op_def, op_type, args, attrs):
    """Converts positional arguments to tensors, inferring type attrs from tensor arguments first."""
    known = {k: dtypes.as_dtype(v) for k, v in attrs.items() if isinstance(op_def.attrs.get(k), TypeAttr)}
    for arg, value in zip(op_def.inputs, args):
        items = value if arg.is_list(op_def) else [value]
        if isinstance(op_def.attrs.get(arg.type_name), TypeAttr) and arg.type_name not in known:
            for item in items:
                if _is_tensor_like(item):
                    tensor = convert_to_tensor(item, as_ref=arg.is_ref)
                    known[arg.type_name] = tensor.dtype.base_dtype
                    break
    flat = []
    for arg, value in zip(op_def.inputs, args):
        items = list(value) if arg.is_list(op_def) else [value]
        if isinstance(op_def.attrs.get(arg.type_name), TypeListAttr):
            flat.extend(_convert_typed_list(arg, items, attrs, op_type))
            continue
        dtype = arg.fixed_dtype or known.get(arg.type_name)
        if dtype is None and isinstance(op_def.attrs.get(arg.type_name), TypeAttr):
            dtype = op_def.attrs[arg.type_name].default
        converted = []
        for item in items:
            tensor = _convert_arg(item, dtype, arg, op_type)
            converted.append(tensor)
            if dtype is None and isinstance(op_def.attrs.get(arg.type_name), TypeAttr):
                dtype = known[arg.type_name] = tensor.dtype.base_dtype
        if arg.number_attr is not None:
            attrs.setdefault(arg.number_attr, len(converted))
        flat.extend(converted)
    return flat


def _convert_typed_list(arg, items, attrs, op_type):
    """A list(type) argument: each item keeps its own dtype (given by the attr when it is set)."""
    given = attrs.get(arg.type_name)
    converted = []
    for index, item in enumerate(items):
        dtype = dtypes.as_dtype(given[index]) if given is not None else None
        if _is_tensor_like(item):
            converted.append(_convert_arg(item, dtype, arg, op_type))
        else:
            converted.append(convert_to_tensor(item, dtype, name=f"{arg.name}_{index}"))
    attrs.setdefault(arg.type_name, [t.dtype.base_dtype for t in converted])
    return converted


def _graph_of(args):
    for value in args:
        for item in (value if isinstance(value, (list, tuple)) else [value]):
            if isinstance(item, Tensor):
                return item.graph
            if hasattr(item, "_as_graph_element"):
                return item._as_graph_element().graph
    return get_default_graph()


def _convert_arg(item, dtype, arg, op_type):
    if _is_tensor_like(item):
        tensor = convert_to_tensor(item, as_ref=arg.is_ref)
        if dtype is not None and tensor.dtype.base_dtype != dtype:
            raise TypeError(f"Input '{arg.name}' of '{op_type}' Op has type {tensor.dtype.base_dtype.name} "
                            f"that does not match expected type of {dtype.name}.")
        return tensor
    try:
        return convert_to_tensor(item, dtype, name=arg.name)
    except (TypeError, ValueError) as e:
        raise TypeError(f"Input '{arg.name}' of '{op_type}' Op: {e}") from None


def _single_list_output(op_def):
    return len(op_def.outputs) == 1 and op_def.outputs[0].is_list(op_def)
