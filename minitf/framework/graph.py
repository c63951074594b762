"""TF1's `tf.Graph`: operations in creation order, unique names, collections and construction scopes."""
import contextlib
import re
import threading

from minitf.framework import dtypes, errors
from minitf.framework.device_spec import DeviceSpec, merge_device
from minitf.framework.op_def import TypeAttr, TypeListAttr, REQUIRED, get_op_def
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor

_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\-/>]*$")
_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$")


class GraphKeys:
    """Standard collection names (TF1 `tf.GraphKeys`)."""
    GLOBAL_VARIABLES = "variables"
    VARIABLES = GLOBAL_VARIABLES
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"


class Graph:
    """A dataflow graph (TF1 `tf.Graph`). Op creation is serialized by a lock."""

    def __init__(self):
        self._lock = threading.RLock()
        self._ops = []
        self._ops_by_name = {}
        self._names_in_use = {}
        self._name_stack = ""
        self._control_dependencies_stack = []
        self._device_function_stack = []
        self._colocation_stack = []
        self._container = ""
        self._collections = {}
        self._finalized = False
        self._version = 0
        self._seed = None
        self._control_flow_context = None
        self._py_funcs = {}
        self._building_function = False

    # --- bookkeeping ------------------------------------------------------------------------
    @property
    def version(self):
        """Changes whenever ops are added or changed; sessions drop cached plans when it does."""
        return self._version

    def _bump_version(self):
        self._version += 1

    @property
    def seed(self):
        return self._seed

    @seed.setter
    def seed(self, value):
        self._seed = value

    @property
    def _last_id(self):
        return len(self._ops)

    @property
    def finalized(self):
        return self._finalized

    def finalize(self):
        """Makes the graph read-only: later op creation raises RuntimeError."""
        self._finalized = True

    def _unsafe_unfinalize(self):
        self._finalized = False

    def _check_not_finalized(self):
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")

    def as_default(self):
        from minitf.framework.default_graph import graph_as_default
        return graph_as_default(self)

    # --- operations -------------------------------------------------------------------------
    def get_operations(self):
        return list(self._ops)

    def get_operation_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def get_tensor_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """Resolves a Tensor, Operation or name to an element of this graph (TF1's rules and errors)."""
        if allow_tensor and hasattr(obj, "_as_graph_element") and not isinstance(obj, (Tensor, Operation)):
            obj = obj._as_graph_element()
        types_str = " or ".join(t for t, ok in (("Tensor", allow_tensor), ("Operation", allow_operation)) if ok)
        if isinstance(obj, str):
            return self._element_by_name(obj, allow_tensor, allow_operation, types_str)
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError(f"Tensor {obj} is not an element of this graph.")
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError(f"Operation {obj} is not an element of this graph.")
            return obj
        raise TypeError(f"Can not convert a {type(obj).__name__} into a {types_str}.")

    def _element_by_name(self, name, allow_tensor, allow_operation, types_str):
        if ":" in name and allow_tensor:
            op_name, _, index = name.rpartition(":")
            try:
                index = int(index)
            except ValueError:
                raise ValueError(f"The name {name!r} looks a like a Tensor name, but is not a valid "
                                 "one. Tensor names must be of the form \"<op_name>:<output_index>\".")
            op = self._ops_by_name.get(op_name)
            if op is None:
                raise KeyError(f"The name {name!r} refers to a Tensor which does not exist. "
                               f"The operation, {op_name!r}, does not exist in this graph.")
            if index >= len(op.outputs):
                raise KeyError(f"The name {name!r} refers to a Tensor which does not exist. The "
                               f"operation, {op_name!r}, exists but only has {len(op.outputs)} outputs.")
            return op.outputs[index]
        if ":" in name:
            raise ValueError(f"Name {name!r} appears to refer to a Tensor, not a {types_str}.")
        op = self._ops_by_name.get(name)
        if op is None:
            raise KeyError(f"The name {name!r} refers to an Operation not in the graph.")
        if not allow_operation:
            raise ValueError(f"The name {name!r} refers to an Operation, not a {types_str}. Tensor names "
                             f"must be of the form \"<op_name>:<output_index>\".")
        return op

    def create_op(self, op_type, inputs, attrs=None, name=None, dtypes_hint=None):
        """Adds an op of registered type `op_type`; infers its output dtypes and static shapes.

        `attrs` may omit attrs that have defaults or can be inferred from the inputs' dtypes.
        Shape inference failures raise ValueError naming the op, as TF1 does at construction.
        """
        del dtypes_hint
        with self._lock:
            self._check_not_finalized()
            op_def = get_op_def(op_type)
            inputs = list(inputs)
            for tensor in inputs:
                if not isinstance(tensor, Tensor):
                    raise TypeError(f"Input to op {op_type} must be a Tensor, got {tensor!r}")
                if tensor.graph is not self:
                    raise ValueError(f"Tensor {tensor} must be from the same graph as the op being "
                                     f"created ({op_type}).")
            context = self._control_flow_context
            if context is not None:
                inputs = context.enter_inputs(inputs)
            attrs = self._complete_attrs(op_def, inputs, dict(attrs or {}), name or op_type)
            name = self._name_for_new_op(name or op_type)
            control_inputs = self._control_inputs_for(inputs)
            if context is not None and not inputs:
                control_inputs = control_inputs + context.gate_for_sourceless_op(control_inputs)
            if self._colocation_stack:
                attrs["_class"] = [f"loc:@{self._colocation_stack[-1].name}"]
            op = Operation(self, len(self._ops), name, op_def, inputs, attrs,
                           op_def.output_dtypes(attrs), control_inputs, "")
            self._apply_device_functions(op)
            # As TF1 does, an op colocated with one that has a device takes that device.
            colocated_device = next((c.device for c in reversed(self._colocation_stack) if c.device), None)
            if colocated_device:
                op._device = colocated_device
            op._make_outputs(self._infer_shapes(op))
            for tensor in inputs:
                tensor._consumers.append(op)
            for control in control_inputs:
                control._control_outputs.append(op)
            self._ops.append(op)
            self._ops_by_name[name] = op
            if context is not None:
                context.add_op(op)
            self._bump_version()
            return op

    def _complete_attrs(self, op_def, inputs, attrs, name):
        """Fills defaulted attrs and type attrs inferred from the input dtypes; checks allowed types."""
        flat_specs = []
        position = 0
        for arg in op_def.inputs:
            if arg.number_attr is not None:
                count = attrs.get(arg.number_attr)
                if count is None:
                    raise ValueError(f"Op {op_def.name} needs attr {arg.number_attr}")
                flat_specs += [arg] * count
                position += count
            elif arg.is_list(op_def):
                count = len(attrs[arg.type_name]) if arg.type_name in attrs else len(inputs) - position
                flat_specs += [arg] * count
                position += count
            else:
                flat_specs.append(arg)
                position += 1
        if len(flat_specs) != len(inputs):
            raise ValueError(f"Op {op_def.name} ({name}) expects {len(flat_specs)} inputs, got {len(inputs)}")
        list_types = {}
        for arg, tensor in zip(flat_specs, inputs):
            dtype = tensor.dtype.base_dtype
            if arg.is_ref and not tensor.dtype.is_ref_dtype:
                raise TypeError(f"Input '{arg.name}' of '{op_def.name}' Op requires l-value input")
            if arg.fixed_dtype is not None:
                if dtype != arg.fixed_dtype:
                    raise TypeError(f"Input '{arg.name}' of '{op_def.name}' Op has type {dtype.name} "
                                    f"that does not match expected type of {arg.fixed_dtype.name}.")
            elif isinstance(op_def.attrs.get(arg.type_name), TypeListAttr):
                list_types.setdefault(arg.type_name, []).append(dtype)
            elif arg.type_name in attrs:
                expected = dtypes.as_dtype(attrs[arg.type_name])
                if dtype != expected:
                    raise TypeError(f"Input '{arg.name}' of '{op_def.name}' Op has type {dtype.name} "
                                    f"that does not match type {expected.name} of argument "
                                    f"'{_first_arg_named(op_def, arg.type_name)}'.")
            else:
                attrs[arg.type_name] = dtype
        for attr_name, found in list_types.items():
            attrs.setdefault(attr_name, found)
        for attr_name, spec in op_def.attrs.items():
            if isinstance(spec, TypeAttr):
                if attr_name not in attrs:
                    if spec.default is None:
                        raise ValueError(f"Op {op_def.name} ({name}) is missing type attr {attr_name}")
                    attrs[attr_name] = spec.default
                attrs[attr_name] = dtypes.as_dtype(attrs[attr_name])
                if attrs[attr_name] not in spec.allowed:
                    allowed = ", ".join(sorted(d.name for d in spec.allowed))
                    raise TypeError(f"Value passed to parameter '{_first_arg_named(op_def, attr_name)}' "
                                    f"has DataType {attrs[attr_name].name} not in list of allowed "
                                    f"values: {allowed}")
            elif isinstance(spec, TypeListAttr):
                if attr_name not in attrs:
                    if spec.default is REQUIRED:
                        raise ValueError(f"Op {op_def.name} ({name}) is missing attr {attr_name}")
                    attrs[attr_name] = spec.default
                attrs[attr_name] = [dtypes.as_dtype(d) for d in attrs[attr_name]]
            elif attr_name not in attrs:
                if spec is REQUIRED:
                    raise ValueError(f"Op {op_def.name} ({name}) is missing attr {attr_name}")
                attrs[attr_name] = spec
        return attrs

    def _infer_shapes(self, op):
        try:
            shapes = op.op_def.shape_fn(op)
        except ValueError as e:
            input_shapes = ", ".join(_shape_text(t.shape) for t in op.inputs)
            raise ValueError(f"{e} for '{op.name}' (op: '{op.type}') with input shapes: "
                             f"{input_shapes}.") from None
        if len(shapes) != len(op._output_dtypes):
            raise errors.InternalError(None, op, f"Shape function of {op.type} gave {len(shapes)} "
                                       f"shapes for {len(op._output_dtypes)} outputs")
        return shapes

    # --- names ------------------------------------------------------------------------------
    def _name_for_new_op(self, name):
        # A name ending in "/" is a scope name used verbatim for the op (TF1's convention for
        # composite ops that name their final op after their scope).
        if name.endswith("/"):
            name = name[:-1]
            if name in self._ops_by_name:
                raise ValueError(f"Duplicate node name in graph: '{name}'")
            return name
        if not _VALID_OP_NAME.match(name.split("/")[-1] or "?") and not self._name_stack:
            raise ValueError(f"'{name}' is not a valid node name")
        return self.unique_name(name)

    def unique_name(self, name, mark_as_used=True):
        """`name` under the current name scope, suffixed `_1`, `_2`, ... if already used."""
        if self._name_stack:
            name = f"{self._name_stack}/{name}"
        name_key = name.lower()
        count = self._names_in_use.get(name_key, 0)
        if mark_as_used:
            self._names_in_use[name_key] = count + 1
        if count > 0:
            base_key = name_key
            while name_key in self._names_in_use:
                name_key = f"{base_key}_{count}"
                count += 1
            if mark_as_used:
                self._names_in_use[name_key] = 1
            name = f"{name}_{count - 1}"
        return name

    def _mark_name_used(self, name):
        """Records an imported op's `name` as taken (TF1 marks the node name, not its scopes)."""
        key = name.lower()
        self._names_in_use[key] = max(self._names_in_use.get(key, 0), 1)

    def get_name_scope(self):
        return self._name_stack

    @contextlib.contextmanager
    def name_scope(self, name):
        """Opens a name scope; `None`/"" resets to the root, a name ending in "/" re-enters it."""
        if name and self._name_stack and not _VALID_SCOPE_NAME.match(name):
            raise ValueError(f"'{name}' is not a valid scope name")
        if name and not self._name_stack and not _VALID_OP_NAME.match(name):
            raise ValueError(f"'{name}' is not a valid scope name")
        old_stack = self._name_stack
        if not name:
            new_stack = ""
        elif name.endswith("/"):
            new_stack = name[:-1]
        else:
            new_stack = self.unique_name(name)
        self._name_stack = new_stack
        try:
            yield f"{new_stack}/" if new_stack else ""
        finally:
            self._name_stack = old_stack

    # --- control dependencies, devices, containers, colocation ------------------------------------
    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops created inside run after `control_inputs`; `None` clears the outer dependencies."""
        if control_inputs is None:
            # As in TF1, clearing the dependencies also leaves any cond branch being built.
            saved = self._control_dependencies_stack, self._control_flow_context
            self._control_dependencies_stack, self._control_flow_context = [], None
            try:
                yield
            finally:
                self._control_dependencies_stack, self._control_flow_context = saved
            return
        ops = []
        for c in control_inputs:
            if hasattr(c, "_as_graph_element") and not isinstance(c, (Tensor, Operation)):
                c = c._as_graph_element()
            if isinstance(c, Tensor):
                c = c.op
            if not isinstance(c, Operation):
                raise TypeError(f"Can not convert a {type(c).__name__} into a Tensor or Operation.")
            if c.graph is not self:
                raise ValueError(f"Control input {c.name} must be from the same graph.")
            ops.append(c)
        self._control_dependencies_stack.append(ops)
        try:
            yield
        finally:
            self._control_dependencies_stack.pop()

    def _control_inputs_for(self, inputs):
        if not self._control_dependencies_stack:
            return []
        input_ops = {t.op for t in inputs}
        result = []
        for frame in self._control_dependencies_stack:
            for op in frame:
                if op not in input_ops and op not in result:
                    result.append(op)
        return result

    @contextlib.contextmanager
    def device(self, device_name_or_function):
        """Requests a device for ops created inside: a device string, a DeviceSpec, a function of
        the op returning one, or None to clear the outer requests."""
        if device_name_or_function is None:
            entry = None
        elif callable(device_name_or_function):
            entry = device_name_or_function
        else:
            entry = merge_device(device_name_or_function)
        self._device_function_stack.append(entry)
        try:
            yield
        finally:
            self._device_function_stack.pop()

    def _apply_device_functions(self, op):
        for function in reversed(self._device_function_stack):
            if function is None:
                break
            try:
                device = function(op)
            except Exception as e:
                raise TypeError(f"Device function for op '{op.name}' raised {type(e).__name__}: {e}") from e
            if isinstance(device, DeviceSpec):
                device = device.to_string()
            if device is not None and not isinstance(device, str):
                raise TypeError(f"Device function for op '{op.name}' returned {device!r}; "
                                "expected a device string")
            op._device = DeviceSpec.from_string(device).to_string() if device else ""

    @contextlib.contextmanager
    def container(self, container_name):
        """Stateful ops created inside keep their resources in container `container_name`."""
        saved = self._container
        self._container = container_name
        try:
            yield container_name
        finally:
            self._container = saved

    @contextlib.contextmanager
    def colocate_with(self, op, ignore_existing=False):
        """Ops created inside are placed with `op` (recorded in the `_class` attr as TF1 does)."""
        if op is None:
            saved = self._colocation_stack
            self._colocation_stack = []
            try:
                yield
            finally:
                self._colocation_stack = saved
            return
        if isinstance(op, Tensor):
            op = op.op
        elif hasattr(op, "op") and not isinstance(op, Operation):
            op = op.op
        group_root = op
        while "_class" in group_root._attrs:
            root_name = group_root._attrs["_class"][0][len("loc:@"):]
            if root_name == group_root.name or root_name not in self._ops_by_name:
                break
            group_root = self._ops_by_name[root_name]
        saved = self._colocation_stack
        self._colocation_stack = [group_root] if ignore_existing else saved + [group_root]
        try:
            yield
        finally:
            self._colocation_stack = saved

    # --- collections ------------------------------------------------------------------------
    def add_to_collection(self, name, value):
        with self._lock:
            self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value):
        names = (names,) if isinstance(names, str) else set(names)
        for name in names:
            self.add_to_collection(name, value)

    def get_collection_ref(self, name):
        with self._lock:
            return self._collections.setdefault(name, [])

    def get_collection(self, name, scope=None):
        """A copy of collection `name`, keeping only items whose `.name` matches `scope` (a regex)."""
        items = self._collections.get(name, [])
        if scope is None:
            return list(items)
        pattern = re.compile(scope)
        return [item for item in items if hasattr(item, "name") and pattern.match(item.name)]

    def get_all_collection_keys(self):
        """The names of the non-empty collections (string keys only, as TF1 lists them)."""
        return [key for key, items in self._collections.items() if items and isinstance(key, str)]

    def clear_collection(self, name):
        self._collections.pop(name, None)

    # --- serialization ----------------------------------------------------------------------
    def as_graph_def(self, from_version=None, add_shapes=False):
        from minitf.framework.graph_io import graph_to_graph_def
        return graph_to_graph_def(self, from_version, add_shapes)

    @property
    def graph_def_versions(self):
        from minitf.framework.graph_io import versions_def
        return versions_def()

    def is_fetchable(self, tensor_or_op):
        return True

    def is_feedable(self, tensor):
        return True


def _first_arg_named(op_def, type_attr):
    for arg in op_def.inputs:
        if arg.type_name == type_attr:
            return arg.name
    return type_attr


def _shape_text(shape):
    if shape.dims is None:
        return "?"
    return "[" + ",".join("?" if d.value is None else str(d.value) for d in shape.dims) + "]"
