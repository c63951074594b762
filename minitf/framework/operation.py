"""TF1's `tf.Operation`: a node of the graph with its inputs, attrs, requested device and outputs."""
from minitf.framework import errors
from minitf.framework.tensor import Tensor


class Operation:
    """One node. Created only through `Graph.create_op`, which runs shape inference."""

    def __init__(self, graph, op_id, name, op_def, inputs, attrs, output_dtypes, control_inputs, device):
        self._graph = graph
        self._id = op_id
        self._name = name
        self._op_def = op_def
        self._inputs = tuple(inputs)
        self._attrs = attrs
        self._control_inputs = list(control_inputs)
        self._device = device
        self._outputs = ()
        self._output_dtypes = output_dtypes
        self._control_outputs = []
        self._cond_context = None

    # --- identity and structure -------------------------------------------------------------
    @property
    def name(self):
        return self._name

    @property
    def type(self):
        return self._op_def.name

    @property
    def op_def(self):
        return self._op_def

    @property
    def graph(self):
        return self._graph

    @property
    def inputs(self):
        return self._inputs

    @property
    def outputs(self):
        return self._outputs

    def values(self):
        return self._outputs

    @property
    def control_inputs(self):
        return list(self._control_inputs)

    @property
    def device(self):
        return self._device

    def _set_device(self, device):
        self._device = device or ""
        self._graph._bump_version()

    @property
    def node_def(self):
        from minitf.framework.graph_io import node_def_of
        return node_def_of(self)

    @property
    def colocation_groups(self):
        return [c.encode() for c in self._attrs.get("_class", [f"loc:@{self._name}"])]

    def get_attr(self, name):
        try:
            return self._attrs[name]
        except KeyError:
            raise ValueError(f"Operation '{self._name}' has no attr named '{name}'.") from None

    @property
    def attrs(self):
        return dict(self._attrs)

    def _add_control_input(self, op):
        if op not in self._control_inputs:
            self._control_inputs.append(op)
            op._control_outputs.append(self)
            self._graph._bump_version()

    def _add_control_inputs(self, ops):
        for op in ops:
            self._add_control_input(op)

    # --- running ----------------------------------------------------------------------------
    def run(self, feed_dict=None, session=None):
        """Runs this op in the default (or given) session (TF1 `Operation.run`)."""
        from minitf.runtime.session import session_for_eval
        session_for_eval(session, self._graph, "Operation.run").run(self, feed_dict)

    def _make_outputs(self, shapes):
        self._outputs = tuple(Tensor(self, i, dtype, shape)
                              for i, (dtype, shape) in enumerate(zip(self._output_dtypes, shapes)))

    def _invalid(self, message, error=errors.InvalidArgumentError):
        """An error for this op, as the runtime raises it."""
        return error(None, self, message)

    def __repr__(self):
        return f"<tf.Operation '{self._name}' type={self.type}>"

    def __str__(self):
        return str(self.node_def)
