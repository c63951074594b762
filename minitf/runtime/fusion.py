"""Kernel fusion for compiled programs: a few op patterns every CNN contains run faster together.

Like TF's Grappler remapper, this rewrites only what the session executes; the user's graph, its
GraphDef and traced runs (which report each op) keep the original ops. A chain is fused only
when its inner values are private to it: consumed by the next op of the chain alone, never
fetched or fed, and no op has a control edge on an inner op. Moving the inner ops to the chain's
last position is then invisible, and each fused kernel computes exactly the values the separate
kernels would (same arithmetic, in the same order).

  Conv2D or MatMul -> BiasAdd or Add (a bias over the last axis) -> Relu
      The GEMM's output is a fresh buffer: the bias and the ReLU are applied in place, saving
      two allocations and two passes over the layer's largest tensor.
  MaxPoolGrad(relu_out, pooled, grad) -> ReluGrad(that, relu_out)
      Each window's gradient lands on its max, whose value is the pooled value, so ReLU's mask
      can be applied to the (window-times smaller) pooled gradient before routing it.
  MaxPool(x) ... MaxPoolGrad(x, MaxPool(x), grad)
      Not a chain but a pair: the forward step also records each window's first-max offset (a
      side value passed to the backward step), so the gradient is routed without reading the
      layer's input again, long after it has left the cache.
"""
from minitf.framework import dtypes
from minitf.runtime.dead import CONTROL_FLOW_OPS
from minitf.runtime.kernel_registry import KernelContext

_BIAS_ADDS = frozenset(["BiasAdd", "Add", "AddV2"])
# Ops whose kernels return a fresh GEMM output, safe to overwrite.
_GEMM_PRODUCERS = frozenset(["Conv2D", "MatMul"])
_POOL_GRADS = {"MaxPool": "MaxPoolGrad", "MaxPool3D": "MaxPool3DGrad"}
_CHANNELS_LAST = (b"NHWC", b"NDHWC", "NHWC", "NDHWC")
# Bias adds over at least this many elements are done through a wider view (see _add_bias).
_WIDE_BIAS_MIN_SIZE = 1 << 16
_WIDE_ROW = 1024


class FusedOp:
    """The step standing for rewritten ops: its inputs, and by default the last op's outputs.
    Compiled code reads only these attributes; `ops` are the original ops it runs."""

    def __init__(self, ops, inputs, outputs=None, op_type=None):
        self.ops = ops
        self.inputs = inputs
        self.outputs = ops[-1].outputs if outputs is None else outputs
        self.type = op_type or "+".join(op.type for op in ops)
        self.name = ops[-1].name
        self._id = ops[-1]._id
        self._control_inputs = list({c: None for op in ops for c in op._control_inputs})


class SideValue:
    """A value passed between two rewritten steps that no graph tensor stands for."""

    dtype = dtypes.uint8

    def __init__(self, op):
        self.op = op


def fuse(steps, feed_tensors, fetch_tensors):
    """`steps` with the patterns above rewritten: chains as one (FusedOp, device, kernel) step."""
    if not _fusable_plan(steps):
        return steps
    users = _users(steps)
    tensors = _PlanTensors(users, feed_tensors, fetch_tensors)
    steps = _pair_max_pools(steps, users)
    by_op = {inner: (op, device, kernel) for op, device, kernel in steps for inner in getattr(op, "ops", [op])}
    replaced, fused_at = set(), {}
    for op, device, _ in steps:
        for match in (_gemm_bias_relu, _max_pool_relu_grad):
            found = match(op, by_op, tensors)
            if found is not None and not replaced.intersection(found[0]):
                chain, inputs, kernel = found
                replaced.update(chain)
                fused_at[chain[-1]] = (FusedOp(chain, inputs), device, kernel)
                break
    if not fused_at:
        return steps
    return [fused_at.get(op, (op, device, kernel)) for op, device, kernel in steps
            if op in fused_at or not replaced.intersection(getattr(op, "ops", [op]))]


def _fusable_plan(steps):
    """One device and no cond: fused steps then need no transfers and never see DEAD values."""
    return len({device.name for _, device, _ in steps}) == 1 and \
        not any(op.type in CONTROL_FLOW_OPS for op, _, _ in steps)


def _users(steps):
    """{tensor: consuming ops} and, under each op, the ops holding a control edge on it."""
    users = {}
    for op, _, _ in steps:
        for tensor in op.inputs:
            users.setdefault(tensor, []).append(op)
        for control in op._control_inputs:
            users.setdefault(control, []).append(op)
    return users


class _PlanTensors:
    """Who reads each tensor of the plan, and which tensors the caller feeds or fetches."""

    def __init__(self, users, feed_tensors, fetch_tensors):
        self._users = users
        self.fed = set(feed_tensors)
        self._exposed = self.fed | set(fetch_tensors)

    def private(self, tensor, consumer):
        """Whether `tensor` (its op's only output) is read by `consumer` alone, once."""
        op = tensor.op
        return len(op.outputs) == 1 and tensor not in self._exposed and not self._users.get(op) and \
            self._users.get(tensor) == [consumer] and not tensor.dtype.is_ref_dtype


def _producer(tensor, by_op, op_types):
    """(op, device, kernel, step op) for the plan step running `tensor`'s op, when that op is of
    one of `op_types` and not yet part of a chain (its step op is itself or a pair's half)."""
    op = tensor.op
    if op not in by_op or op.type not in op_types:
        return None
    step_op, device, kernel = by_op[op]
    return op, device, kernel, step_op


# ======================================================================================
# Conv2D or MatMul -> bias -> Relu
# ======================================================================================
def _gemm_bias_relu(relu, by_op, tensors):
    if relu.type != "Relu" or not relu.inputs[0].dtype.is_floating:
        return None
    add = _producer(relu.inputs[0], by_op, _BIAS_ADDS)
    if add is None or not tensors.private(relu.inputs[0], relu):
        return None
    add_op, device, add_kernel, _ = add
    if add_op.type == "BiasAdd" and add_op.get_attr("data_format") not in _CHANNELS_LAST:
        return None
    for position in (0,) if add_op.type == "BiasAdd" else (0, 1):
        gemm = _producer(add_op.inputs[position], by_op, _GEMM_PRODUCERS)
        if gemm is not None and tensors.private(add_op.inputs[position], add_op):
            break
    else:
        return None
    gemm_op, _, gemm_kernel, _ = gemm
    if gemm_op.type == "Conv2D" and gemm_op.get_attr("data_format") not in _CHANNELS_LAST:
        return None  # channels-first: the bias is not over the last axis
    bias = add_op.inputs[1 - position]
    if any(t.dtype.is_ref_dtype for t in (*gemm_op.inputs, bias)):
        return None
    relu_kernel = by_op[relu][2]
    xp = device.xp
    gemm_first = position == 0

    def bias_relu(rows, b):
        _add_bias(xp, rows, b)  # the GEMM's fresh output: safe to overwrite
        xp.maximum(rows, 0, out=rows)

    def fused(x, w, b):
        if gemm_op.type == "Conv2D" and w.ndim == 4 and _channel_bias(b, x.dtype, w.shape[-1]):
            return gemm_kernel(x, w, epilogue=lambda rows: bias_relu(rows, b))  # per cached chunk
        out = gemm_kernel(x, w)
        if out.ndim and _channel_bias(b, out.dtype, out.shape[-1]):
            bias_relu(out, b)
            return out
        return relu_kernel(add_kernel(out, b) if gemm_first else add_kernel(b, out))
    return [gemm_op, add_op, relu], [*gemm_op.inputs, bias], fused


def _channel_bias(bias, dtype, channels):
    """Whether `bias` adds one value per channel of a `dtype` output (else: general broadcasting)."""
    return bias.ndim == 1 and bias.dtype == dtype and bias.shape[0] == channels


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
def _max_pool_relu_grad(relu_grad, by_op, tensors):
    if relu_grad.type != "ReluGrad":
        return None
    pool_grad = _producer(relu_grad.inputs[0], by_op, ("MaxPoolGrad",))
    if pool_grad is None or not tensors.private(relu_grad.inputs[0], relu_grad):
        return None
    pool_grad_op, _, pool_grad_kernel, step_op = pool_grad
    features, pooled, _ = pool_grad_op.inputs
    if relu_grad.inputs[1] is not features or any(t.dtype.is_ref_dtype for t in pool_grad_op.inputs):
        return None
    if pooled in tensors.fed:  # the mask below trusts the pooled values; MaxPoolGrad does not
        return None
    relu_grad_kernel = by_op[relu_grad][2]

    def fused(*args):  # (orig_input, orig_output, grad), after a pair's side value if paired
        *head, orig_output, gradient = args
        if gradient.shape == orig_output.shape:
            return pool_grad_kernel(*head, orig_output, gradient * (orig_output > 0))
        return relu_grad_kernel(pool_grad_kernel(*args), args[-3])
    return [pool_grad_op, relu_grad], list(step_op.inputs), fused


# ======================================================================================
# MaxPool ... MaxPoolGrad
# ======================================================================================
def _pair_max_pools(steps, users):
    """Rewrites each MaxPool whose gradient the plan computes (same input, output and attrs)
    into a step that also yields first-max offsets, and those MaxPoolGrad steps to use them."""
    from minitf.kernels import conv as conv_kernels  # the kernels import the runtime: import late
    rewritten = {}
    for op, device, _ in steps:
        if op.type not in _POOL_GRADS or op.get_attr("data_format") not in _CHANNELS_LAST:
            continue
        x, pooled = op.inputs[0], op.outputs[0]
        grads = [g for g in users.get(pooled, []) if g.type == _POOL_GRADS[op.type] and
                 g.inputs[0] is x and g.inputs[1] is pooled and not g.inputs[2].dtype.is_ref_dtype and
                 all(g.get_attr(a) == op.get_attr(a) for a in ("ksize", "strides", "padding", "data_format"))]
        if not grads or x.dtype.is_ref_dtype:
            continue
        forward, backward = conv_kernels.max_pool_first_max_kernels(KernelContext(op, device, None, None))
        side = SideValue(op)
        rewritten[op] = (FusedOp([op], [x], [pooled, side], op.type + "WithFirstMax"), device, forward)
        for grad in grads:
            rewritten[grad] = (FusedOp([grad], [side, *grad.inputs], op_type=grad.type + "FromFirstMax"),
                               device, backward)
    return [rewritten.get(op, (op, device, kernel)) for op, device, kernel in steps]
