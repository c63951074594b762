"""Plans whose blocking ops (typically a dequeue feeding a training step) come first.

Everything downstream of the blocking ops, and the stateless work independent of them, is
compiled to a straight-line program; the blocking ops, the stateful ops independent of them and
what those need run on the dependency-counting executor. A training step fed by a queue then pays
the executor's bookkeeping only for a handful of ops, while a blocked dequeue still never stalls
independent work that has an effect.
"""
from minitf.runtime import codegen
from minitf.runtime.dead import CONTROL_FLOW_OPS
from minitf.runtime.parallel_executor import ParallelProgram

def split_after_blocking(steps, feed_tensors, fetch_tensors, session):
    """A SplitProgram for the steps, or None when the plan does not split cleanly: a blocking op
    downstream of another, a cond (dead values cannot cross the split), or several devices."""
    ops = [op for op, _, _ in steps]
    if any(op.type in CONTROL_FLOW_OPS for op in ops) or any(d.device_type != "CPU" for _, d, _ in steps):
        return None
    consumers = {op: [] for op in ops}
    for op in ops:
        for producer in {t.op for t in op.inputs} | set(op._control_inputs):
            if producer in consumers:
                consumers[producer].append(op)
    downstream, stack = set(), [c for op in ops if op.op_def.blocking for c in consumers[op]]
    while stack:
        op = stack.pop()
        if op not in downstream:
            downstream.add(op)
            stack.extend(consumers[op])
    if not downstream or any(op.op_def.blocking for op in downstream):
        return None
    # Phase 1 keeps the blocking ops, the stateful ops independent of them, and what those need;
    # stateless independent work (constants, variable reads) joins the compiled phase 2.
    fed = set(feed_tensors)
    first, stack = set(), [op for op in ops if op.op_def.blocking or (op.op_def.is_stateful and op not in downstream)]
    while stack:
        op = stack.pop()
        if op not in first:
            first.add(op)
            stack.extend(t.op for t in op.inputs if t not in fed and t.op in consumers)
            stack.extend(c for c in op._control_inputs if c in consumers)
    return SplitProgram(steps, set(ops) - first, feed_tensors, fetch_tensors, session)


class SplitProgram:
    """Phase 1 (blocking ops and independent work) on the executor, then phase 2 compiled."""

    def __init__(self, steps, later, feed_tensors, fetch_tensors, session):
        first = [s for s in steps if s[0] not in later]
        second = [s for s in steps if s[0] in later]
        produced_first = {t for op, _, _ in first for t in op.outputs} | set(feed_tensors)
        boundary = []
        for op, _, _ in second:
            for tensor in op.inputs:
                if tensor in produced_first and tensor not in feed_tensors and tensor not in boundary:
                    boundary.append(tensor)
        early = [t for t in fetch_tensors if t in produced_first]
        late = [t for t in fetch_tensors if t not in produced_first]
        self._first = ParallelProgram(first, feed_tensors, boundary + early).bind(session)
        # Phase 2 reads the user's feeds and the boundary values; variable storages crossing the
        # boundary are still refs, to be read (dereferenced) where consumed.
        self._second = codegen.compile_program(second, list(feed_tensors) + boundary, late,
                                               stored_refs={t for t in boundary if t.dtype.is_ref_dtype})
        self._boundary_count = len(boundary)
        self._slots = [("early", early.index(t)) if t in produced_first else ("late", late.index(t))
                       for t in fetch_tensors]

    def __call__(self, feed_values):
        first = self._first(feed_values)
        crossing, early = first[:self._boundary_count], first[self._boundary_count:]
        late = self._second(list(feed_values) + crossing)
        return [early[i] if phase == "early" else late[i] for phase, i in self._slots]
