"""MetaGraphDef export and import: TF1's `framework/meta_graph.py`.

A MetaGraphDef bundles a GraphDef (with `_output_shapes`), the op definitions it uses
(`meta_info_def.stripped_op_list`), an optional SaverDef and the graph's collections, serialized
the TF1 way (CollectionDef):
  * collections with a registered proto function (the variable collections, savers, ...) as
    `bytes_list` of serialized protos (a VariableDef per variable);
  * strings as `bytes_list`, ints as `int64_list`, floats as `float_list`;
  * anything else with a `.name` (tensors, operations) as `node_list` of names ("x:0", "train").
Collections under non-string keys, and collections whose items cannot be serialized, are skipped
with a warning, as TF1 does. `tf.train.export_meta_graph` / `import_meta_graph` (training/saver.py)
are the public face of this module.
"""
import logging
import numbers
import os
import re

from google.protobuf import text_format

from minitf.framework import dtypes
from minitf.framework.default_graph import get_default_graph
from minitf.framework.graph import GraphKeys
from minitf.framework.graph_io import attr_value, import_graph_def
from minitf.framework.op_def import REQUIRED, TypeAttr, TypeListAttr, registered_ops
from minitf.proto import graph_pb2, meta_graph_pb2, op_def_pb2, variable_pb2

_LOG = logging.getLogger("minitf")

# What meta_info_def reports: the TensorFlow release whose graph semantics minitf follows
# (graph_io's GraphDef producer version is TF 1.15's) and the producer.
_TENSORFLOW_VERSION = "1.15.0"
_GIT_VERSION = "minitf"
_UNBOUND_INPUT_PREFIX = "$unbound_inputs_"


# ======================================================================================
# Scoped names
# ======================================================================================
def _plain_scope(scope):
    return scope[:-1] if scope and scope.endswith("/") else scope


def prepend_name_scope(name, import_scope):
    """TF1 `ops.prepend_name_scope`: "x:0" -> "scope/x:0", keeping "^" and "loc:@" markers."""
    import_scope = _plain_scope(import_scope)
    if not import_scope:
        return name
    name = name.decode() if isinstance(name, bytes) else name
    return re.sub(r"^(\^|loc:@)?(.*)$", lambda m: f"{m.group(1) or ''}{import_scope}/{m.group(2)}", name)


def strip_name_scope(name, export_scope):
    """TF1 `ops.strip_name_scope`: "scope/x:0" -> "x:0", keeping "^" and "loc:@" markers."""
    export_scope = _plain_scope(export_scope)
    if not export_scope:
        return name
    return re.sub(rf"^(\^|loc:@)?{re.escape(export_scope)}/", lambda m: m.group(1) or "", name)


# ======================================================================================
# Proto functions of collections (TF1 `ops.register_proto_function`)
# ======================================================================================
_PROTO_FUNCTIONS = {}


def register_proto_function(collection_name, proto_type=None, to_proto=None, from_proto=None):
    """Registers how the items of collection `collection_name` become protos and come back.

    `to_proto(item, export_scope=None)` returns a `proto_type` message (or None to skip it);
    `from_proto(proto, import_scope=None)` rebuilds the item in the default graph.
    """
    _PROTO_FUNCTIONS[collection_name] = (proto_type, to_proto, from_proto)


def get_collection_proto_type(collection_name):
    return _PROTO_FUNCTIONS.get(collection_name, (None, None, None))[0]


def get_to_proto_function(collection_name):
    return _PROTO_FUNCTIONS.get(collection_name, (None, None, None))[1]


def get_from_proto_function(collection_name):
    return _PROTO_FUNCTIONS.get(collection_name, (None, None, None))[2]


def variable_to_proto(variable, export_scope=None):
    """TF1 `Variable.to_proto`: the VariableDef naming the variable's ops (None outside `export_scope`)."""
    if export_scope and not variable.name.startswith(export_scope):
        return None
    proto = variable_pb2.VariableDef(
        variable_name=strip_name_scope(variable.name, export_scope),
        initializer_name=strip_name_scope(variable.initializer.name, export_scope),
        snapshot_name=strip_name_scope(variable.value().name, export_scope),
        trainable=variable.trainable)
    if variable.initial_value is not None:
        proto.initial_value_name = strip_name_scope(variable.initial_value.name, export_scope)
    return proto


def variable_from_proto(variable_def, import_scope=None):
    """TF1 `Variable.from_proto`: a Variable over the (imported) ops the VariableDef names."""
    from minitf.ops.variables import Variable
    return Variable(variable_def=variable_def, import_scope=_plain_scope(import_scope))


# TF1 also registers METRIC_VARIABLES ("metric_variables") this way.
_VARIABLE_COLLECTIONS = (GraphKeys.GLOBAL_VARIABLES, GraphKeys.TRAINABLE_VARIABLES,
                         GraphKeys.MOVING_AVERAGE_VARIABLES, GraphKeys.LOCAL_VARIABLES,
                         GraphKeys.MODEL_VARIABLES, GraphKeys.GLOBAL_STEP, "metric_variables")
for _key in _VARIABLE_COLLECTIONS:
    register_proto_function(_key, variable_pb2.VariableDef, variable_to_proto, variable_from_proto)


# ======================================================================================
# stripped_op_list: the OpDefs of the op types a GraphDef uses
# ======================================================================================
_ATTR_KINDS = {"s": "string", "i": "int", "f": "float", "b": "bool", "type": "type", "shape": "shape",
               "tensor": "tensor", "func": "func"}


def _attr_type_of_proto(value):
    """The OpDef attr type ("int", "list(type)", ...) of an AttrValue, or None if it says nothing."""
    kind = value.WhichOneof("value")
    if kind == "list":
        for field in ("s", "i", "f", "b", "type", "shape", "tensor", "func"):
            if getattr(value.list, field):
                return f"list({_ATTR_KINDS[field]})"
        return None
    return _ATTR_KINDS.get(kind)


def _attr_def(name, spec, node_value):
    attr = op_def_pb2.OpDef.AttrDef(name=name)
    if isinstance(spec, TypeAttr):
        attr.type = "type"
        if spec.default is not None:
            attr.default_value.type = dtypes.as_dtype(spec.default).as_datatype_enum
        if spec.allowed != dtypes.ALL:
            attr.allowed_values.list.type.extend(sorted(d.as_datatype_enum for d in spec.allowed))
        return attr
    if isinstance(spec, TypeListAttr):
        attr.type = "list(type)"
        return attr
    if spec is not REQUIRED and spec is not None:
        default = attr_value(spec)
        attr.default_value.CopyFrom(default)
        attr.type = _attr_type_of_proto(default) or ""
    if not attr.type and node_value is not None:
        attr.type = _attr_type_of_proto(node_value) or ""
    return attr


def _arg_def(arg, op_def):
    proto = op_def_pb2.OpDef.ArgDef(name=arg.name, is_ref=arg.is_ref)
    if arg.fixed_dtype is not None:
        proto.type = arg.fixed_dtype.as_datatype_enum
    elif isinstance(op_def.attrs.get(arg.type_name), TypeListAttr):
        proto.type_list_attr = arg.type_name
    else:
        proto.type_attr = arg.type_name
    if arg.number_attr:
        proto.number_attr = arg.number_attr
    return proto


def op_def_proto(op_def, node=None):
    """The OpDef proto of a registered op; `node` (a NodeDef using it) types attrs without defaults."""
    proto = op_def_pb2.OpDef(name=op_def.name, is_stateful=op_def.is_stateful)
    proto.input_arg.extend(_arg_def(a, op_def) for a in op_def.inputs)
    proto.output_arg.extend(_arg_def(a, op_def) for a in op_def.outputs)
    names = list(op_def.attrs)
    names += sorted({a.number_attr for a in op_def.inputs + op_def.outputs if a.number_attr} - set(names))
    for name in names:
        node_value = node.attr[name] if node is not None and name in node.attr else None
        attr = _attr_def(name, op_def.attrs.get(name, REQUIRED), node_value)
        if name not in op_def.attrs:  # a number attr ("N"): a list length, at least 1 in TF
            attr.type, attr.has_minimum, attr.minimum = "int", True, 1
        proto.attr.append(attr)
    return proto


def stripped_op_list_for_graph(graph_def):
    """TF1 `meta_graph.stripped_op_list_for_graph`: an OpList of the op types `graph_def` uses,
    sorted by name (types minitf does not register are left out)."""
    first_use = {}
    for node in graph_def.node:
        first_use.setdefault(node.op, node)
    known = registered_ops()
    return op_def_pb2.OpList(op=[op_def_proto(known[t], first_use[t]) for t in sorted(first_use)
                                 if t in known])


def _strip_default_attrs(graph_def):
    """Removes the attrs whose value equals their OpDef default (TF1 `strip_default_attrs`)."""
    known = registered_ops()
    for node in graph_def.node:
        op_def = known.get(node.op)
        if op_def is None:
            continue
        for name, spec in op_def.attrs.items():
            if name in node.attr and spec is not REQUIRED and not isinstance(spec, TypeListAttr):
                default = spec.default if isinstance(spec, TypeAttr) else spec
                if default is not None and node.attr[name] == attr_value(default):
                    del node.attr[name]


# ======================================================================================
# Collections
# ======================================================================================
def _kind_of(item):
    """TF1 `_get_kind_name` (NumPy numbers count as numbers too)."""
    if isinstance(item, (str, bytes)):
        return "bytes_list"
    if isinstance(item, numbers.Integral):
        return "int64_list"
    return "float_list" if isinstance(item, numbers.Real) else "node_list"


def _included(item, export_scope, exclude_nodes):
    """TF1 `_should_include_node`: whether an item (or node name) belongs to the export."""
    if isinstance(item, str):
        name = item
    else:
        try:
            name = item.name
        except AttributeError:
            return True  # kept; serializing it decides
    if exclude_nodes is not None and exclude_nodes(name):
        return False
    return name.startswith(_UNBOUND_INPUT_PREFIX) or not export_scope or name.startswith(export_scope)


def add_collection_def(meta_graph_def, key, graph=None, export_scope=None, exclude_nodes=None,
                       override_contents=None):
    """TF1 `meta_graph.add_collection_def`: serializes collection `key` into `meta_graph_def`."""
    if not isinstance(key, (str, bytes)):
        _LOG.warning("Only collections with string type keys will be serialized. This key has %s",
                     type(key))
        return
    graph = graph or get_default_graph()
    items = override_contents or graph.get_collection(key)
    items = [x for x in items if _included(x, export_scope, exclude_nodes)]
    if not items:
        return
    collection = meta_graph_def.collection_def[key]
    try:
        to_proto = get_to_proto_function(key)
        if to_proto is not None:
            for item in items:
                proto = to_proto(item, export_scope=export_scope)
                if proto is not None:
                    collection.bytes_list.value.append(proto.SerializeToString())
            return
        kind = _kind_of(items[0])
        field = getattr(collection, kind).value
        if kind == "node_list":
            field.extend(strip_name_scope(x.name, export_scope) for x in items
                         if not export_scope or x.name.startswith(export_scope))
        elif kind == "bytes_list":
            field.extend(x.encode() if isinstance(x, str) else x for x in items)
        else:
            field.extend(items)
    except Exception as e:  # noqa: BLE001 - TF1 skips any collection it cannot serialize
        _LOG.warning("Issue encountered when serializing: %s.\nType is unsupported, or the types of "
                     "the items don't match field type in CollectionDef. Note this is a warning and "
                     "probably safe to ignore.\n%s", key, e)
        del meta_graph_def.collection_def[key]


def _restore_collections(graph, meta_graph_def, scope, predicate):
    """Adds the MetaGraphDef's collections to `graph`, rebuilding proto items (variables) once."""
    rebuilt = {}
    for key, collection in sorted(meta_graph_def.collection_def.items()):
        if not predicate(key):
            continue
        kind = collection.WhichOneof("kind")
        if kind is None:
            _LOG.error("Cannot identify data type for collection %s. Skipping.", key)
            continue
        from_proto = get_from_proto_function(key)
        values = getattr(collection, kind).value
        if from_proto is not None and kind == "bytes_list":
            proto_type = get_collection_proto_type(key)
            for value in values:
                # One Variable object per variable, whichever collections it is in.
                cache_key = ("variable" if key in _VARIABLE_COLLECTIONS else key, value)
                if cache_key not in rebuilt:
                    rebuilt[cache_key] = from_proto(proto_type.FromString(value), import_scope=scope)
                graph.add_to_collection(key, rebuilt[cache_key])
        elif kind == "node_list":
            for value in values:
                graph.add_to_collection(key, graph.as_graph_element(prepend_name_scope(value, scope)))
        elif kind == "int64_list":
            for value in values:
                graph.add_to_collection(key, int(value))
        elif kind == "float_list":
            for value in values:
                graph.add_to_collection(key, float(value))
        else:
            for value in values:
                graph.add_to_collection(key, prepend_name_scope(value, scope))


# ======================================================================================
# Building a MetaGraphDef
# ======================================================================================
def create_meta_graph_def(meta_info_def=None, graph_def=None, saver_def=None, collection_list=None,
                          graph=None, export_scope=None, exclude_nodes=None,
                          clear_extraneous_savers=False, strip_default_attrs=False):
    """TF1 `meta_graph.create_meta_graph_def`."""
    graph = graph or get_default_graph()
    meta_graph_def = meta_graph_pb2.MetaGraphDef()
    if meta_info_def is not None:
        meta_graph_def.meta_info_def.MergeFrom(meta_info_def)
    meta_graph_def.meta_info_def.tensorflow_version = _TENSORFLOW_VERSION
    meta_graph_def.meta_info_def.tensorflow_git_version = _GIT_VERSION
    if graph_def is None:
        graph_def = graph.as_graph_def(add_shapes=True)
    meta_graph_def.graph_def.MergeFrom(graph_def)
    if not meta_graph_def.meta_info_def.stripped_op_list.op:
        meta_graph_def.meta_info_def.stripped_op_list.MergeFrom(
            stripped_op_list_for_graph(meta_graph_def.graph_def))
    if strip_default_attrs:
        _strip_default_attrs(meta_graph_def.graph_def)
        meta_graph_def.meta_info_def.stripped_default_attrs = True
    if saver_def is not None:
        meta_graph_def.saver_def.MergeFrom(saver_def)
    # By default only string keys: variable_scope keeps its stores under tuple keys (TF1 too).
    keys = collection_list if collection_list is not None else \
        [k for k in graph.get_all_collection_keys() if isinstance(k, str)]
    for key in keys:
        override = None
        if clear_extraneous_savers and key == GraphKeys.SAVERS and saver_def is not None:
            override = [get_from_proto_function(key)(saver_def)]
        add_collection_def(meta_graph_def, key, graph=graph, export_scope=export_scope,
                           exclude_nodes=exclude_nodes, override_contents=override)
    return meta_graph_def


def _extraneous_saver_filter(graph_def, saver_def):
    """A predicate on node names: inside the scope of a saver other than `saver_def`'s."""
    scopes = {node.name.rsplit("/", 1)[0] for node in graph_def.node
              if node.op in ("SaveV2", "RestoreV2") and "/" in node.name}
    if saver_def is not None:
        scopes.discard(saver_def.filename_tensor_name.rsplit("/", 1)[0])
    return lambda name: any(name == s or name.startswith(s + "/") for s in scopes)


def _scoped_node(node, export_scope, unbound_inputs, clear_devices):
    """A copy of `node` with `export_scope` stripped; inputs from outside the scope become
    "$unbound_inputs_<name>" (TF1's marker, listed in the unbound-inputs collection)."""
    node_def = type(node)()
    node_def.CopyFrom(node)
    if export_scope:
        node_def.name = strip_name_scope(node.name, export_scope)
        del node_def.input[:]
        for entry in node.input:
            if re.match(rf"^\^?{re.escape(_plain_scope(export_scope))}/", entry):
                node_def.input.append(strip_name_scope(entry, export_scope))
            else:
                marker, name = ("^", entry[1:]) if entry.startswith("^") else ("", entry)
                node_def.input.append(f"{marker}{_UNBOUND_INPUT_PREFIX}{name}")
                unbound_inputs.append(entry)
        if "_class" in node_def.attr:
            groups = node_def.attr["_class"].list.s
            groups[:] = [strip_name_scope(g.decode(), export_scope).encode() for g in groups]
    if clear_devices:
        node_def.device = ""
    return node_def


def export_scoped_meta_graph(filename=None, graph_def=None, graph=None, export_scope=None, as_text=False,
                             unbound_inputs_col_name="unbound_inputs", clear_devices=False,
                             saver_def=None, clear_extraneous_savers=False, strip_default_attrs=False,
                             save_debug_info=False, meta_info_def=None, collection_list=None):
    """TF1 `meta_graph.export_scoped_meta_graph`: (MetaGraphDef, {name: variable}); writes
    `filename` (binary, or text with `as_text`) when given. `save_debug_info` is ignored."""
    del save_debug_info
    graph = graph or get_default_graph()
    if graph_def is None:
        graph_def = graph.as_graph_def(add_shapes=True)
    exclude_nodes = _extraneous_saver_filter(graph_def, saver_def) if clear_extraneous_savers else None
    unbound_inputs = []
    if export_scope or exclude_nodes is not None or clear_devices:
        scoped = graph_pb2.GraphDef(versions=graph_def.versions, library=graph_def.library)
        scoped.node.extend(_scoped_node(n, export_scope, unbound_inputs, clear_devices)
                           for n in graph_def.node if _included(n.name, export_scope, exclude_nodes))
        graph_def = scoped
    meta_graph_def = create_meta_graph_def(
        meta_info_def=meta_info_def, graph_def=graph_def, saver_def=saver_def,
        collection_list=collection_list, graph=graph, export_scope=export_scope,
        exclude_nodes=exclude_nodes, clear_extraneous_savers=clear_extraneous_savers,
        strip_default_attrs=strip_default_attrs)
    if unbound_inputs and unbound_inputs_col_name:
        meta_graph_def.collection_def[unbound_inputs_col_name].node_list.value.extend(
            sorted(set(unbound_inputs)))
    if filename:
        write_meta_graph_file(meta_graph_def, filename, as_text)
    variables = {strip_name_scope(v.name, export_scope): v
                 for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES, scope=export_scope)
                 if _included(v, export_scope, exclude_nodes)}
    return meta_graph_def, variables


# ======================================================================================
# Files
# ======================================================================================
def write_meta_graph_file(meta_graph_def, filename, as_text=False):
    """Writes atomically (temp file, rename), creating the directory as TF's write_graph does."""
    directory = os.path.dirname(filename)
    if directory:
        os.makedirs(directory, exist_ok=True)
    data = text_format.MessageToString(meta_graph_def).encode() if as_text \
        else meta_graph_def.SerializeToString()
    temp = f"{filename}.tmp{os.getpid()}"
    with open(temp, "wb") as f:
        f.write(data)
    os.replace(temp, filename)
    return filename


def read_meta_graph_file(filename):
    """TF1 `meta_graph.read_meta_graph_file`: a binary or text MetaGraphDef."""
    if not os.path.exists(filename):
        raise IOError(f"File {filename} does not exist.")
    with open(filename, "rb") as f:
        content = f.read()
    meta_graph_def = meta_graph_pb2.MetaGraphDef()
    try:
        meta_graph_def.ParseFromString(content)
        return meta_graph_def
    except Exception:  # noqa: BLE001 - not binary: try the text format next
        meta_graph_def.Clear()
    try:
        text_format.Merge(content.decode("utf-8"), meta_graph_def)
    except (text_format.ParseError, UnicodeDecodeError) as e:
        raise IOError(f"Cannot parse file {filename}: {e}.") from None
    return meta_graph_def


# ======================================================================================
# Importing
# ======================================================================================
def _mark_names_used(graph, names):
    """The import scope counts as taken too (import_graph_def marks the op names)."""
    for name in names:
        graph._mark_name_used(name)


def import_scoped_meta_graph(meta_graph_or_file, clear_devices=False, graph=None, import_scope=None,
                             input_map=None, unbound_inputs_col_name="unbound_inputs",
                             restore_collections_predicate=lambda key: True, return_elements=None):
    """TF1 `meta_graph.import_scoped_meta_graph_with_return_elements`: imports the graph and its
    collections under `import_scope` (or the current name scope); returns ({name: variable},
    the requested return elements)."""
    if isinstance(meta_graph_or_file, meta_graph_pb2.MetaGraphDef):
        meta_graph_def = meta_graph_or_file
    else:
        meta_graph_def = read_meta_graph_file(meta_graph_or_file)
    graph = graph or get_default_graph()
    graph_def = graph_pb2.GraphDef()
    graph_def.CopyFrom(meta_graph_def.graph_def)
    if clear_devices:
        for node in graph_def.node:
            node.device = ""
    with graph.as_default():
        scope = graph.unique_name(import_scope or "", mark_as_used=False)
        scope = _plain_scope(scope)
        elements = import_graph_def(graph_def, input_map=input_map, return_elements=return_elements,
                                    name=f"{scope}/" if scope else "")
        _mark_names_used(graph, [scope] * bool(scope) + [prepend_name_scope(n.name, scope)
                                                         for n in graph_def.node])
        _restore_collections(
            graph, meta_graph_def, scope,
            lambda key: key != unbound_inputs_col_name and restore_collections_predicate(key))
        variables = {strip_name_scope(v.name, scope): v
                     for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES, scope=scope or None)}
    return variables, elements

