"""Compiles an ordered, placed list of kernel steps into one straight-line Python function.

The generated function is the sequential executor: each step is one line `v3 = k3(v1, v2)`,
constants are bound names, and plain operators are written inline (`v3 = v1 + v2`), so a run
costs what the kernels cost plus a few bytecodes per op. Local names are reused as soon as a
value's last use has passed (a linear-scan allocation), and a name that is not reused at once
is deleted, so every intermediate is freed right after its last use.

Steps downstream of a Switch may receive DEAD values (the untaken branch of a cond); only those
steps get a liveness guard, so graphs without cond pay nothing for it. When a kernel raises,
the traceback's line number in the generated code names the failing op.
"""
import operator

import numpy as np

from minitf.framework import errors
from minitf.runtime import fusion, transfers as transfers_module
from minitf.runtime.dead import DEAD
from minitf.runtime.kernel_registry import Constant

# Kernels that are exactly a Python operator are written inline instead of called.
_INLINE = {
    operator.add: "{0} + {1}", operator.sub: "{0} - {1}", operator.mul: "{0} * {1}",
    operator.truediv: "{0} / {1}", operator.neg: "-{0}", operator.pow: "{0} ** {1}",
    operator.matmul: "{0} @ {1}", operator.and_: "{0} & {1}", operator.or_: "{0} | {1}",
    operator.xor: "{0} ^ {1}", operator.invert: "~{0}", operator.lt: "{0} < {1}",
    operator.le: "{0} <= {1}", operator.gt: "{0} > {1}", operator.ge: "{0} >= {1}",
}


def identity(value):
    """The kernel of ops that pass a value through; the generated code just renames it."""
    return value


def deref(ref):
    """The value a variable's storage holds (TF1 reads a ref input); fails if uninitialized."""
    value = ref.value
    if value is None:
        raise errors.FailedPreconditionError(None, None, f"Attempting to use uninitialized value {ref.name}")
    return value


class _Names:
    """Local variable names for values, reused after their last use."""

    def __init__(self):
        self._free = []
        self._count = 0

    def take(self):
        if self._free:
            return self._free.pop()
        self._count += 1
        return f"v{self._count}"

    def give_back(self, name):
        self._free.append(name)


def _maybe_dead_ops(steps):
    """Ops that can see a DEAD input: downstream of a Switch, up to a Merge with a live input."""
    maybe_dead_tensors, maybe_dead_ops = set(), set()
    for op, _, _ in steps:
        inputs_dead = [t in maybe_dead_tensors for t in op.inputs]
        if op.type in ("Merge", "RefMerge"):
            dead = all(inputs_dead) or any(c in maybe_dead_ops for c in op._control_inputs)
        else:
            dead = any(inputs_dead) or any(c in maybe_dead_ops for c in op._control_inputs)
        if dead:
            maybe_dead_ops.add(op)
        if dead or op.type in ("Switch", "RefSwitch"):
            maybe_dead_tensors.update(op.outputs)
    return maybe_dead_ops, maybe_dead_tensors


def compile_program(steps, feed_tensors, fetch_tensors, trace=False, stored_refs=frozenset()):
    """Returns `program(feed_values) -> list of fetched values` for the (op, device, kernel) steps.

    With `trace`, every step is bracketed by `_trace.begin(i)` / `_trace.end(i, *outputs)` calls
    on the StepTracer passed to the program (a separate program: untraced runs pay nothing).
    `stored_refs` are fed ref tensors that carry a variable's storage (not a user's value).
    """
    names = _Names()
    # The module name lets kernels/__init__.py's warning filter cover the inlined operators.
    namespace = {"__name__": "minitf.plan", "DEAD": DEAD, "_deref": deref}
    expression = {t: f"f{i}" for i, t in enumerate(feed_tensors)}
    fed = set(feed_tensors)
    if not trace:  # a traced run reports every op: it runs them unfused
        steps = fusion.fuse(steps, feed_tensors, fetch_tensors)
    maybe_dead, dead_tensors = _maybe_dead_ops(steps)

    sources, transfers = plan_transfers(steps, fed)
    last_use = {}
    for index, (op, _, _) in enumerate(steps):
        for position, tensor in enumerate(op.inputs):
            key = sources[index, position]
            last_use[key] = index
            if key is not tensor:  # the original is last read by the transfer, before its first consumer
                last_use[tensor] = max(last_use.get(tensor, -1), transfers[key][0])
    for tensor in fetch_tensors:
        last_use[tensor] = len(steps)
    emitted = set()

    args = ", ".join([f"f{i}" for i in range(len(feed_tensors))] + (["_trace"] if trace else []))
    lines = [f"def step({args}):"]
    line_ops = {}
    for index, (op, device, kernel) in enumerate(steps):
        if isinstance(kernel, Constant) and op not in maybe_dead:
            name = f"c{index}"
            namespace[name] = kernel.value
            if op.outputs and op.outputs[0] not in fed:
                expression[op.outputs[0]] = name
            continue
        call_args = []
        for position, tensor in enumerate(op.inputs):
            key = sources[index, position]
            if key is not tensor and key not in emitted:
                emitted.add(key)
                stored = tensor.dtype.is_ref_dtype and (tensor not in fed or tensor in stored_refs)
                expression[key] = _emit_transfer(expression[tensor], stored, names, namespace, lines,
                                                 line_ops, op, transfers[key][1])
            arg = expression[key]
            if key is tensor and tensor.dtype.is_ref_dtype and (tensor not in fed or tensor in stored_refs) and \
                    not op.op_def.inputs[arg_index(op, position)].is_ref:
                arg = f"_deref({arg})"
            call_args.append(arg)
        # Feeds and step outputs are locals (f*, v*); constants (c*) stay bound for the next run.
        used = set(op.inputs) | {sources[index, p] for p in range(len(op.inputs))}
        freed = sorted({expression[k] for k in used if last_use.get(k) == index and expression[k][0] in "fv"})
        for name in freed:
            names.give_back(name)
        targets = []
        for tensor in op.outputs:
            if tensor in fed or tensor not in last_use:
                targets.append("_")
            else:
                expression[tensor] = names.take()
                targets.append(expression[tensor])
        call = _call_expression(kernel, index, call_args, namespace)
        target = targets[0] if len(targets) == 1 else ", ".join(targets) if targets else None
        if target == call:  # an identity that kept its input's name: nothing to do
            body = []
        else:
            body = [f"{target} = {call}" if target else call]
        if op in maybe_dead:
            body = _guarded(op, index, call_args, targets, body, dead_tensors, maybe_dead, expression)
        if trace:
            outputs = ", ".join(t for t in targets if t != "_")
            body = [f"_trace.begin({index})"] + body + [f"_trace.end({index}{', ' if outputs else ''}{outputs})"]
        for statement in body:
            lines.append("    " + statement)
            line_ops[len(lines)] = op
        reused = set(targets)
        for name in freed:
            if name not in reused:
                lines.append(f"    del {name}")
    fetch_exprs = [expression[t] for t in fetch_tensors]
    dead_fetches = [i for i, t in enumerate(fetch_tensors) if t in dead_tensors]
    for i in dead_fetches:
        lines.append(f"    if {fetch_exprs[i]} is DEAD: raise _dead_fetch({i})")
    namespace["_dead_fetch"] = lambda i: errors.InvalidArgumentError(
        None, None, f"Retval[{i}] does not have value")
    lines.append(f"    return [{', '.join(fetch_exprs)}]")
    source = "\n".join(lines)
    filename = f"<minitf plan {id(steps):x}>"
    exec(compile(source, filename, "exec"), namespace)
    return _Program(namespace["step"], line_ops, source)


def plan_transfers(steps, fed):
    """For every (step, input position) the key of the value it reads: the tensor itself, or
    (tensor, memory space) when a transfer must bring it there. Also, per transfer key, its first
    consumer's step index and the function that moves the value."""
    device_of = {op: device for op, device, _ in steps}
    device_of.update({inner: device for op, device, _ in steps for inner in getattr(op, "ops", ())})
    devices = list({id(d): d for d in device_of.values()}.values())
    sources, transfers = {}, {}
    for index, (op, device, _) in enumerate(steps):
        for position, tensor in enumerate(op.inputs):
            source = transfers_module.source_space(tensor, device_of, fed)
            needed = transfers_module.needed_space(tensor, device)
            if source == needed:
                sources[index, position] = tensor
                continue
            key = (tensor, needed)
            sources[index, position] = key
            if key not in transfers:
                transfers[key] = (index, transfers_module.transfer_function(needed, devices))
    return sources, transfers


def _emit_transfer(source_expression, stored_ref, names, namespace, lines, line_ops, op, function):
    """Writes the line moving a value to another memory space (a variable's storage is read
    first; a fed ref tensor is already a value)."""
    helper = f"_to_{len(namespace)}"
    namespace[helper] = function
    value = f"_deref({source_expression})" if stored_ref else source_expression
    name = names.take()
    lines.append(f"    {name} = {helper}({value})")
    line_ops[len(lines)] = op
    return name


def arg_index(op, position):
    """Which signature argument flat input `position` belongs to."""
    count = 0
    for index, arg in enumerate(op.op_def.inputs):
        width = len(arg.dtypes(op._attrs)) if arg.is_list(op.op_def) else 1
        if position < count + width:
            return index
        count += width
    raise IndexError(position)


def _call_expression(kernel, index, call_args, namespace):
    if isinstance(kernel, Constant):
        namespace[f"c{index}"] = kernel.value
        return f"c{index}"
    if kernel is identity and len(call_args) == 1:
        return call_args[0]
    template = _INLINE.get(kernel)
    if template is not None:
        return template.format(*call_args)
    namespace[f"k{index}"] = kernel
    return f"k{index}({', '.join(call_args)})"


def _guarded(op, index, call_args, targets, body, dead_tensors, maybe_dead, expression):
    """Wraps a step so it yields DEAD outputs when any input or control input is dead."""
    checks = [f"{expression[t]} is DEAD" for t in op.inputs if t in dead_tensors]
    checks += [f"not a{c._id}" for c in op._control_inputs if c in maybe_dead]
    if op.type in ("Merge", "RefMerge"):
        checks = [f"not a{c._id}" for c in op._control_inputs if c in maybe_dead]
        if all(t in dead_tensors for t in op.inputs):
            checks.append(" and ".join(f"{expression[t]} is DEAD" for t in op.inputs))
    condition = " or ".join(f"({c})" for c in checks) or "False"
    dead_targets = ", ".join("DEAD" for _ in targets)
    lines = [f"a{op._id} = not ({condition})", f"if a{op._id}:"]
    lines += ["    " + statement for statement in body or ["pass"]]
    if targets:
        lines += ["else:", f"    {', '.join(targets)} = {dead_targets}"]
    return lines


class _Program:
    """The compiled function plus what is needed to name the op that failed."""

    def __init__(self, function, line_ops, source):
        self._function = function
        self._line_ops = line_ops
        self.source = source

    def __call__(self, feed_values, *extra):
        try:
            return self._function(*feed_values, *extra)
        except errors.OpError as e:
            if e.op is None:
                raise type(e)(e.node_def, self._failed_op(e), e.message) from None
            raise
        except (ArithmeticError, ValueError, TypeError, IndexError, KeyError, AttributeError,
                np.linalg.LinAlgError, MemoryError) as e:
            op = self._failed_op(e)
            error_class = errors.ResourceExhaustedError if isinstance(e, MemoryError) \
                else errors.InvalidArgumentError
            raise error_class(None, op, f"{op.type if op else 'op'} failed: {e}") from e

    def _failed_op(self, exception):
        traceback = exception.__traceback__
        found = None
        while traceback is not None:
            if traceback.tb_frame.f_code is self._function.__code__:
                found = self._line_ops.get(traceback.tb_lineno)
            traceback = traceback.tb_next
        return found

