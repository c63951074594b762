"""Gradients of the control-flow ops. A cond's backward pass mirrors its forward pass: the
gradient reaching a Merge goes back through a Switch on the branch that ran (Merge's
value_index), and a forward Switch merges the live branch's gradient with the dead one's."""
from minitf.framework.op_def import register_gradient
from minitf.ops.op_builder import apply_op


@register_gradient("Switch")
@register_gradient("RefSwitch")
def _switch_grad(op, grad_false, grad_true):
    return [apply_op("Merge", [grad_false, grad_true], name="cond_grad")[0], None]


@register_gradient("Merge")
def _merge_grad(op, grad, _):
    from minitf.ops.math_ops import equal
    taken = op.outputs[1]
    return [apply_op("Switch", grad, equal(taken, index), name="cond_grad")[1]
            for index in range(len(op.inputs))]
