"""Kernel fusion for compiled programs: a few op chains every CNN contains run as one step.

Like TF's Grappler remapper, this rewrites only what the session executes; the user's graph, its
GraphDef and traced runs (which report each op) keep the original ops. A chain is fused only
when its inner values are private to it: consumed by the next op of the chain alone, never
fetched or fed, and no op has a control edge on an inner op. Moving the inner ops to the chain's
last position is then invisible, and each fused kernel computes exactly the values the separate
kernels would (same arithmetic, in the same order).

  Conv2D -> BiasAdd or Add (a bias over the last axis) -> Relu
      The convolution's GEMM output is a fresh buffer: the bias and the ReLU are applied in place,
      saving two allocations and two passes over the layer's largest tensor.
  MaxPoolGrad(relu_out, pooled, grad) -> ReluGrad(that, relu_out)
      Each window's gradient lands on its max, whose value is the pooled value, so ReLU's mask
      can be applied to the (window-times smaller) pooled gradient before routing it.
"""
_CONTROL_FLOW = frozenset(["Switch", "RefSwitch", "Merge", "RefMerge"])
_BIAS_ADDS = frozenset(["BiasAdd", "Add", "AddV2"])
# Bias adds over at least this many elements are done through a wider view (see _add_bias).
_WIDE_BIAS_MIN_SIZE = 1 << 16
_WIDE_ROW = 1024


class FusedOp:
    """The step that stands for a fused chain: the chain's outside inputs, its last op's outputs.
    Compiled code reads only these attributes; errors name the chain's ops through `ops`."""

    def __init__(self, ops, inputs):
        self.ops = ops
        self.inputs = inputs
        self.outputs = ops[-1].outputs
        self.type = "+".join(op.type for op in ops)
        self.name = ops[-1].name
        self._id = ops[-1]._id
        self._control_inputs = list({c: None for op in ops for c in op._control_inputs})


def fuse(steps, feed_tensors, fetch_tensors):
    """`steps` with every fusable chain replaced by one (FusedOp, device, kernel) step."""
    if not _fusable_plan(steps):
        return steps
    users = _users(steps)
    private = _private_test(users, set(feed_tensors) | set(fetch_tensors))
    by_op = {op: (device, kernel) for op, device, kernel in steps}
    replaced, fused_at = set(), {}
    for op, device, _ in steps:
        for match in (_conv_bias_relu, _max_pool_relu_grad):
            found = match(op, by_op, private)
            if found is not None and not replaced.intersection(found[0]):
                chain, inputs, kernel = found
                replaced.update(chain)
                fused_at[chain[-1]] = (FusedOp(chain, inputs), device, kernel)
                break
    if not fused_at:
        return steps
    return [fused_at.get(op, (op, device, kernel)) for op, device, kernel in steps
            if op in fused_at or op not in replaced]


def _fusable_plan(steps):
    """One device and no cond: fused steps then need no transfers and never see DEAD values."""
    return len({device.name for _, device, _ in steps}) == 1 and \
        not any(op.type in _CONTROL_FLOW for op, _, _ in steps)


def _users(steps):
    """{tensor: consuming ops} and, under each op, the ops holding a control edge on it."""
    users = {}
    for op, _, _ in steps:
        for tensor in op.inputs:
            users.setdefault(tensor, []).append(op)
        for control in op._control_inputs:
            users.setdefault(control, []).append(op)
    return users


def _private_test(users, exposed):
    def private(tensor, consumer):
        """Whether `tensor` (its op's only output) is read by `consumer` alone, once."""
        op = tensor.op
        return len(op.outputs) == 1 and tensor not in exposed and not users.get(op) and \
            users.get(tensor) == [consumer] and not tensor.dtype.is_ref_dtype
    return private


def _producer(tensor, by_op, op_type):
    """The (op, device, kernel) step producing `tensor` when its op is of `op_type`, on the plan."""
    op = tensor.op
    return (op, *by_op[op]) if op in by_op and op.type in op_type else None


# ======================================================================================
# Conv2D -> bias -> Relu
# ======================================================================================
def _conv_bias_relu(relu, by_op, private):
    if relu.type != "Relu" or not relu.inputs[0].dtype.is_floating:
        return None
    add = _producer(relu.inputs[0], by_op, _BIAS_ADDS)
    if add is None or not private(relu.inputs[0], relu):
        return None
    add_op, device, add_kernel = add
    if add_op.type == "BiasAdd" and add_op.get_attr("data_format") not in (b"NHWC", "NHWC"):
        return None
    for position in (0,) if add_op.type == "BiasAdd" else (0, 1):
        conv = _producer(add_op.inputs[position], by_op, ("Conv2D",))
        if conv is not None and private(add_op.inputs[position], add_op):
            break
    else:
        return None
    conv_op, _, conv_kernel = conv
    bias = add_op.inputs[1 - position]
    if any(t.dtype.is_ref_dtype for t in (*conv_op.inputs, bias)):
        return None
    relu_kernel = by_op[relu][1]
    xp = device.xp
    conv_first = position == 0

    def fused(x, w, b):
        out = conv_kernel(x, w)
        if b.ndim == 1 and b.dtype == out.dtype and out.ndim and b.shape[0] == out.shape[-1]:
            _add_bias(xp, out, b)  # the GEMM's fresh output: safe to overwrite
            return xp.maximum(out, 0, out=out)
        return relu_kernel(add_kernel(out, b) if conv_first else add_kernel(b, out))
    return [conv_op, add_op, relu], [*conv_op.inputs, bias], fused


def _add_bias(xp, out, bias):
    """out += bias over the last axis, in place. A large output is seen as rows of about
    _WIDE_ROW elements against the bias tiled to match: NumPy's inner loop then runs the whole
    row instead of one channel vector at a time."""
    channels = bias.shape[0]
    repeats = max(1, _WIDE_ROW // max(channels, 1))
    if out.size >= _WIDE_BIAS_MIN_SIZE and repeats > 1 and out.size % (channels * repeats) == 0:
        rows = out.reshape(-1, channels * repeats)
        xp.add(rows, xp.tile(bias, repeats), out=rows)
    else:
        xp.add(out, bias, out=out)


# ======================================================================================
# MaxPoolGrad -> ReluGrad
# ======================================================================================
def _max_pool_relu_grad(relu_grad, by_op, private):
    if relu_grad.type != "ReluGrad":
        return None
    pool_grad = _producer(relu_grad.inputs[0], by_op, ("MaxPoolGrad",))
    if pool_grad is None or not private(relu_grad.inputs[0], relu_grad):
        return None
    pool_grad_op, device, pool_grad_kernel = pool_grad
    features, pooled, grad = pool_grad_op.inputs
    if relu_grad.inputs[1] is not features or any(t.dtype.is_ref_dtype for t in pool_grad_op.inputs):
        return None

    relu_grad_kernel = by_op[relu_grad][1]

    def fused(orig_input, orig_output, gradient):
        if gradient.shape == orig_output.shape:
            return pool_grad_kernel(orig_input, orig_output, gradient * (orig_output > 0))
        return relu_grad_kernel(pool_grad_kernel(orig_input, orig_output, gradient), orig_input)
    return [pool_grad_op, relu_grad], [features, pooled, grad], fused
