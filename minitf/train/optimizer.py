"""TF1's `tf.train.Optimizer`: gradients of a loss, then one update op per variable.

A subclass implements `_create_slots(var_list)`, `_prepare()` (hyperparameter tensors, built
inside the `apply_gradients` name scope) and `_apply_dense(grad, var)` (the update op), and may
override `_finish(update_ops, name)` (Adam updates its beta powers there).
"""
from minitf.framework import default_graph, dtypes
from minitf.framework.default_graph import control_dependencies, get_default_graph, name_scope
from minitf.framework.graph import GraphKeys
from minitf.framework.indexed_slices import IndexedSlices
from minitf.framework.tensor import Tensor
from minitf.ops import array_ops, gradients_impl, math_ops, state_ops
from minitf.ops.segment_ops import unique, unsorted_segment_sum
from minitf.ops.constant_op import convert_to_tensor
from minitf.ops.control_flow_ops import group, tuple as gated_tuple
from minitf.ops.variables import Variable, trainable_variables
from minitf.train import slot_creator


def _var_key(var):
    return var.op.graph, var.op.name


def _call_if_callable(value):
    """A hyperparameter may be given as a function returning it (TF1 allows both)."""
    return value() if callable(value) else value


class Optimizer:
    """TF1 `tf.train.Optimizer`, the base class of the optimizers. Not used directly."""

    GATE_NONE = 0  # no gating: gradients are applied as soon as each is computed
    GATE_OP = 1    # each op's input gradients are all computed before any is used
    GATE_GRAPH = 2  # every gradient is computed before any variable is updated

    _VALID_DTYPES = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)

    def __init__(self, use_locking, name):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots = {}          # slot name -> {_var_key(var): slot variable}
        self._non_slot_dict = {}  # (name, graph) -> variable (Adam's beta powers)

    def get_name(self):
        return self._name

    # ======================================================================================
    # minimize = compute_gradients + apply_gradients
    # ======================================================================================
    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops=False, name=None, grad_loss=None):
        """Adds ops that update `var_list` (default: the trainable variables) to minimize `loss`
        and increment `global_step` if given; returns the training op."""
        grads_and_vars = self.compute_gradients(
            loss, var_list=var_list, gate_gradients=gate_gradients, aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        if not any(g is not None for g, _ in grads_and_vars):
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do not support "
                f"gradients, between variables {[str(v) for _, v in grads_and_vars]} and loss {loss}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP, aggregation_method=None,
                          colocate_gradients_with_ops=False, grad_loss=None):
        """[(gradient, variable)] of `loss` for `var_list`; the gradient is None for a variable
        the loss does not depend on."""
        if callable(loss):
            raise RuntimeError("`loss` passed to Optimizer.compute_gradients should be a Tensor in "
                               "graph mode, not a function")
        if gate_gradients not in (Optimizer.GATE_NONE, Optimizer.GATE_OP, Optimizer.GATE_GRAPH):
            raise ValueError("gate_gradients must be one of: Optimizer.GATE_NONE, Optimizer.GATE_OP, "
                             f"Optimizer.GATE_GRAPH.  Not {gate_gradients}")
        self._assert_valid_dtypes([loss])
        if grad_loss is not None:
            self._assert_valid_dtypes([grad_loss])
        if var_list is None:
            var_list = trainable_variables() + get_default_graph().get_collection(
                GraphKeys.TRAINABLE_RESOURCE_VARIABLES)
        else:
            var_list = list(_flatten(var_list))
        if not var_list:
            raise ValueError("No variables to optimize.")
        for var in var_list:
            if not isinstance(var, (Variable, Tensor)):
                raise NotImplementedError("Trying to optimize unsupported type ", var)
        grads = gradients_impl.gradients(
            loss, [v._ref() if isinstance(v, Variable) else v for v in var_list], grad_ys=grad_loss,
            gate_gradients=gate_gradients == Optimizer.GATE_OP, aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gate_gradients == Optimizer.GATE_GRAPH:
            grads = gated_tuple(grads)
        grads_and_vars = list(zip(grads, var_list))
        self._assert_valid_dtypes([v for g, v in grads_and_vars if g is not None])
        return grads_and_vars

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """The op applying `grads_and_vars` (then incrementing `global_step` by one, if given),
        named `name` or the optimizer's name."""
        grads_and_vars = tuple(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        converted = []
        for grad, var in grads_and_vars:
            if grad is not None and not isinstance(grad, IndexedSlices):
                try:
                    grad = convert_to_tensor(grad)
                except (TypeError, ValueError):
                    raise TypeError(f"Gradient must be convertible to a Tensor or IndexedSlices, or None: "
                                    f"{grad}") from None
            if not isinstance(var, (Variable, Tensor)):
                raise NotImplementedError("Trying to optimize unsupported type ", var)
            converted.append((grad, var))
        var_list = [v for g, v in converted if g is not None]
        if not var_list:
            raise ValueError(f"No gradients provided for any variable: {[str(v) for _, v in converted]}.")
        for var in var_list:
            if not isinstance(var, Variable):
                raise NotImplementedError("Trying to update a Tensor ", var)
        with control_dependencies(None):  # TF1's init_scope: slots never wait on the caller's ops
            self._create_slots(var_list)
        update_ops = []
        with name_scope(name, self._name) as name:
            self._prepare()
            for grad, var in converted:
                if grad is None:
                    continue
                with name_scope("update_" + var.op.name), default_graph.colocate_with(var.op):
                    update_ops.append(self._update_op(grad, var))
            if global_step is None:
                apply_updates = self._finish(update_ops, name)
            else:
                with control_dependencies([self._finish(update_ops, "update")]), \
                        default_graph.colocate_with(global_step.op):
                    apply_updates = state_ops.assign_add(global_step, 1, name=name).op
        train_ops = get_default_graph().get_collection_ref(GraphKeys.TRAIN_OP)
        if apply_updates not in train_ops:
            train_ops.append(apply_updates)
        return apply_updates

    def _update_op(self, grad, var):
        if isinstance(grad, IndexedSlices):
            update = self._apply_sparse_duplicate_indices(grad, var)
        else:
            update = self._apply_dense(grad, var)
        if var.constraint is None:
            return update
        with control_dependencies([update]):
            return var.assign(var.constraint(var)).op

    # ======================================================================================
    # Sparse gradients (IndexedSlices: an embedding's rows)
    # ======================================================================================
    # Optimizers whose training op has a sparse form (SparseApplyMomentum, ...) set this: their
    # `_apply_dense` then builds that form when given an IndexedSlices.
    _sparse_training_op = False

    def _apply_sparse_duplicate_indices(self, grad, var):
        """TF1's: a row named several times gets the sum of its slices, then `_apply_sparse`."""
        unique_indices, positions = unique(grad.indices)
        summed = unsorted_segment_sum(grad.values, positions, array_ops.shape(unique_indices)[0])
        return self._apply_sparse(IndexedSlices(summed, unique_indices, grad.dense_shape), var)

    def _apply_sparse(self, grad, var):
        """The update of the rows of `var` that the IndexedSlices `grad` names."""
        if self._sparse_training_op:
            return self._apply_dense(grad, var)
        raise NotImplementedError()

    # ======================================================================================
    # Slots
    # ======================================================================================
    def get_slot(self, var, name):
        """The slot `name` ("momentum", "m", ...) this optimizer made for `var`, or None."""
        return self._slots.get(name, {}).get(_var_key(var))

    def get_slot_names(self):
        return sorted(self._slots)

    def variables(self):
        """The optimizer's variables in the current graph (slots and non-slot ones), by name."""
        graph = get_default_graph()
        owned = [v for (_, g), v in self._non_slot_dict.items() if g is graph]
        owned += [v for slots in self._slots.values() for v in slots.values() if v.graph is graph]
        return sorted(owned, key=lambda v: v.name)

    def _slot_dict(self, slot_name):
        return self._slots.setdefault(slot_name, {})

    def _slot(self, var, slot_name, make):
        """The `slot_name` slot of `var`, made by `make()` the first time it is asked for."""
        named_slots = self._slot_dict(slot_name)
        key = _var_key(var)
        if key not in named_slots:
            named_slots[key] = make()
        return named_slots[key]

    # TF1's slot helpers, which subclasses (here and in user code) build their slots with.
    def _get_or_make_slot(self, var, val, slot_name, op_name):
        return self._slot(var, slot_name, lambda: slot_creator.create_slot(var, val, op_name))

    def _get_or_make_slot_with_initializer(self, var, initializer, shape, dtype, slot_name, op_name):
        return self._slot(var, slot_name, lambda: slot_creator.create_slot_with_initializer(
            var, initializer, shape, dtype, op_name))

    def _filled_slot(self, var, value, slot_name, op_name, initializer_name="Const"):
        return self._slot(var, slot_name, lambda: slot_creator.create_filled_slot(
            var, value, op_name, initializer_name=initializer_name))

    def _zeros_slot(self, var, slot_name, op_name):
        return self._filled_slot(var, 0, slot_name, op_name, "zeros")

    def _create_non_slot_variable(self, initial_value, name, colocate_with):
        """A variable of the optimizer, one per graph (Adam's `beta1_power`), named in the current
        name scope and colocated with `colocate_with`."""
        key = (name, colocate_with.graph)
        if key not in self._non_slot_dict:
            with default_graph.colocate_with(colocate_with.op):
                self._non_slot_dict[key] = Variable(initial_value, name=name, trainable=False)
        return self._non_slot_dict[key]

    def _get_non_slot_variable(self, name, graph=None):
        return self._non_slot_dict.get((name, graph or get_default_graph()))

    def _non_slot_variables(self):
        return list(self._non_slot_dict.values())

    # ======================================================================================
    # What subclasses implement
    # ======================================================================================
    def _create_slots(self, var_list):
        """Creates every slot the update ops need (default: none)."""

    def _prepare(self):
        """Converts the hyperparameters to tensors, once per apply_gradients call."""

    def _apply_dense(self, grad, var):
        raise NotImplementedError()

    def _finish(self, update_ops, name_scope):
        """The op grouping the updates, named `name_scope`."""
        return group(*update_ops, name=name_scope)

    def _hyperparameter(self, value, name):
        return convert_to_tensor(_call_if_callable(value), name=name)

    def _assert_valid_dtypes(self, tensors):
        for tensor in tensors:
            dtype = tensor.dtype.base_dtype
            if dtype not in self._VALID_DTYPES:
                raise ValueError(f"Invalid type {dtype!r} for {tensor.name}, expected: "
                                 f"{list(self._VALID_DTYPES)}.")


def cast_to(tensor, var):
    """`tensor` as the dtype of `var` (no op when it already is), as TF1's `_apply_dense` casts."""
    return math_ops.cast(tensor, var.dtype.base_dtype)


def _flatten(value):
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


