"""Gradients of the array and selection ops (registered by op type)."""
from minitf.framework.op_def import register_gradient


@register_gradient("Identity")
def _identity_grad(op, grad):
    return [grad]
