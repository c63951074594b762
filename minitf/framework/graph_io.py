"""GraphDef export and import (TF1 `Graph.as_graph_def`, `tf.import_graph_def`) with TF's op and attr names."""
import numpy as np

from minitf.framework import dtypes, tensor_util
from minitf.framework.default_graph import get_default_graph
from minitf.framework.dtypes import DType
from minitf.framework.tensor_shape import TensorShape
from minitf.proto import attr_value_pb2, graph_pb2, node_def_pb2, tensor_shape_pb2, versions_pb2

# GraphDef semantics we follow (TensorFlow 1.15's GRAPH_DEF_VERSION and its minimum consumer).
_PRODUCER = 134
_MIN_CONSUMER = 12


def versions_def():
    return versions_pb2.VersionDef(producer=_PRODUCER, min_consumer=_MIN_CONSUMER)


def _shape_proto(shape):
    return TensorShape(shape).as_proto(tensor_shape_pb2.TensorShapeProto)


def attr_value(value):
    """An AttrValue proto for a Python attr value (DType, TensorShape, array, scalar, string, list)."""
    proto = attr_value_pb2.AttrValue()
    if isinstance(value, DType):
        proto.type = value.as_datatype_enum
    elif isinstance(value, TensorShape):
        proto.shape.CopyFrom(_shape_proto(value))
    elif isinstance(value, np.ndarray):
        proto.tensor.CopyFrom(tensor_util.make_tensor_proto(value))
    elif isinstance(value, (bool, np.bool_)):
        proto.b = bool(value)
    elif isinstance(value, (int, np.integer)):
        proto.i = int(value)
    elif isinstance(value, (float, np.floating)):
        proto.f = float(value)
    elif isinstance(value, str):
        proto.s = value.encode()
    elif isinstance(value, bytes):
        proto.s = value
    elif isinstance(value, (list, tuple)):
        _fill_list(proto.list, list(value))
    elif value is None:
        pass
    else:
        raise TypeError(f"Cannot convert attr value {value!r} to an AttrValue")
    return proto


def _fill_list(proto, values):
    proto.SetInParent()
    for value in values:
        if isinstance(value, DType):
            proto.type.append(value.as_datatype_enum)
        elif isinstance(value, TensorShape):
            proto.shape.append(_shape_proto(value))
        elif isinstance(value, np.ndarray):
            proto.tensor.append(tensor_util.make_tensor_proto(value))
        elif isinstance(value, (bool, np.bool_)):
            proto.b.append(bool(value))
        elif isinstance(value, (int, np.integer)):
            proto.i.append(int(value))
        elif isinstance(value, (float, np.floating)):
            proto.f.append(float(value))
        elif isinstance(value, (str, bytes)):
            proto.s.append(value.encode() if isinstance(value, str) else value)
        else:
            raise TypeError(f"Cannot convert list attr item {value!r} to an AttrValue")


def attr_from_proto(proto):
    """The Python value of an AttrValue proto (the inverse of `attr_value`)."""
    kind = proto.WhichOneof("value")
    if kind == "type":
        return dtypes.as_dtype(proto.type)
    if kind == "shape":
        return TensorShape(proto.shape)
    if kind == "tensor":
        array = tensor_util.make_ndarray(proto.tensor)
        array.setflags(write=False)
        return array
    if kind == "s":
        return proto.s.decode() if _is_text(proto.s) else proto.s
    if kind in ("i", "f", "b"):
        return getattr(proto, kind)
    if kind == "list":
        items = proto.list
        if items.type:
            return [dtypes.as_dtype(t) for t in items.type]
        if items.shape:
            return [TensorShape(s) for s in items.shape]
        if items.tensor:
            return [tensor_util.make_ndarray(t) for t in items.tensor]
        if items.s:
            return [s.decode() if _is_text(s) else s for s in items.s]
        for field in ("i", "f", "b"):
            if getattr(items, field):
                return list(getattr(items, field))
        return []
    return None


def _is_text(raw):
    try:
        raw.decode("ascii")
        return True
    except UnicodeDecodeError:
        return False


def _input_name(tensor):
    return tensor.op.name if tensor.value_index == 0 else f"{tensor.op.name}:{tensor.value_index}"


def node_def_of(op, add_shapes=False):
    """The NodeDef of an op, as TensorFlow writes it."""
    node = node_def_pb2.NodeDef(name=op.name, op=op.type, device=op.device)
    node.input.extend(_input_name(t) for t in op.inputs)
    node.input.extend(f"^{c.name}" for c in op._control_inputs)
    for key, value in sorted(op._attrs.items()):
        node.attr[key].CopyFrom(attr_value(value))
    if add_shapes:
        node.attr["_output_shapes"].CopyFrom(attr_value([t.shape for t in op.outputs]))
    return node


def graph_to_graph_def(graph, from_version=None, add_shapes=False):
    """A GraphDef of `graph`'s ops (those added after `from_version` ops if given)."""
    graph_def = graph_pb2.GraphDef(versions=versions_def())
    start = from_version or 0
    graph_def.node.extend(node_def_of(op, add_shapes) for op in graph.get_operations()[start:])
    return graph_def


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None, op_dict=None,
                     producer_op_list=None):
    """TF1 `tf.import_graph_def`: adds the GraphDef's nodes to the default graph under `name`/."""
    from minitf.framework.tensor import Tensor
    del op_dict, producer_op_list
    if isinstance(graph_def, (bytes, bytearray)):
        graph_def = graph_pb2.GraphDef.FromString(bytes(graph_def))
    graph = get_default_graph()
    # Keys name tensors ("x:1"); a bare op name means its output 0.
    input_map = {(k if ":" in k else f"{k}:0"): v for k, v in (input_map or {}).items()}
    for key, value in input_map.items():
        if not isinstance(value, Tensor):
            raise TypeError(f"input_map values must be Tensors, got {value!r} for {key}")
    nodes = {node.name: node for node in graph_def.node}
    with graph.name_scope(name if name is not None else "import") as scope:
        created = {}
        for node in _topological_nodes(graph_def.node, nodes):
            inputs, controls = [], []
            for entry in node.input:
                if entry.startswith("^"):
                    controls.append(created[entry[1:]])
                    continue
                source, _, index = entry.partition(":")
                mapped = input_map.pop(f"{source}:{index or 0}", None)
                inputs.append(mapped if mapped is not None else created[source].outputs[int(index or 0)])
            attrs = {k: attr_from_proto(v) for k, v in node.attr.items() if k != "_output_shapes"}
            if "_class" in attrs:
                attrs["_class"] = [f"loc:@{scope}{c[len('loc:@'):]}" for c in attrs["_class"]]
            with graph.control_dependencies(controls):
                op = graph.create_op(node.op, inputs, attrs, name=f"{scope}{node.name}/")
            graph._mark_name_used(op.name)
            if node.device:
                op._set_device(node.device)
            created[node.name] = op
        if input_map:
            raise ValueError(f"Attempted to map inputs that were not found in graph_def: "
                             f"[{', '.join(sorted(input_map))}]")
    if return_elements is None:
        return None
    results = []
    for element in return_elements:
        op_name, _, index = element.partition(":")
        if op_name not in created:
            raise ValueError(f"Requested return_element {element!r} not found in graph_def.")
        results.append(created[op_name].outputs[int(index)] if index else created[op_name])
    return results


def _topological_nodes(node_list, nodes):
    """GraphDef nodes ordered so inputs come first (a GraphDef need not be ordered)."""
    order, state = [], {}
    for root in node_list:
        stack = [(root.name, False)]
        while stack:
            node_name, done = stack.pop()
            if done:
                state[node_name] = 2
                order.append(nodes[node_name])
                continue
            if state.get(node_name) == 2:
                continue
            if state.get(node_name) == 1:
                raise ValueError(f"GraphDef has a cycle through node '{node_name}'")
            if node_name not in nodes:
                raise ValueError(f"Node input '{node_name}' not found in graph_def")
            state[node_name] = 1
            stack.append((node_name, True))
            for entry in nodes[node_name].input:
                source = entry.lstrip("^").partition(":")[0]
                if state.get(source) != 2:
                    stack.append((source, False))
    return order
