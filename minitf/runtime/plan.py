"""Plans: what one `Session.run` signature needs, pruned, ordered, placed and compiled once.

A plan is built the first time a (fetches, feeds, targets) signature is run and replayed after
that; this is where minitf saves TF1's per-call overhead. Building one:
  1. prune the graph to the ops the fetches and targets need, stopping at fed tensors;
  2. order those ops topologically (creation order breaks ties, so runs are deterministic);
  3. place each op on a device and bind its kernel (kernels are cached per session and op);
  4. compile the ordered steps into one straight-line Python function (see codegen.py).
"""
from minitf.framework import errors
from minitf.runtime import codegen
from minitf.runtime.dead import CONTROL_FLOW_OPS
from minitf.runtime.parallel_executor import ParallelProgram
from minitf.runtime.split_program import split_after_blocking
from minitf.runtime.step_stats import StepTracer


def needed_ops(fetch_tensors, target_ops, fed_tensors):
    """The ops that must run to produce `fetch_tensors` and run `target_ops` given the feeds."""
    needed = set()
    stack = [t.op for t in fetch_tensors if t not in fed_tensors] + list(target_ops)
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        for tensor in op.inputs:
            if tensor not in fed_tensors and tensor.op not in needed:
                stack.append(tensor.op)
        for control in op._control_inputs:
            # An op whose every output is fed has nothing left to run (TF1 prunes it too).
            if control not in needed and not (control.outputs and all(o in fed_tensors for o in control.outputs)):
                stack.append(control)
    return needed


def topological_order(ops):
    """`ops` ordered so every op follows its inputs and control inputs; ties go by creation order."""
    import heapq
    pending = {}
    consumers = {op: [] for op in ops}
    for op in ops:
        producers = {t.op for t in op.inputs if t.op in consumers} | \
            {c for c in op._control_inputs if c in consumers}
        pending[op] = len(producers)
        for producer in producers:
            consumers[producer].append(op)
    ready = [(op._id, op) for op, count in pending.items() if count == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, op = heapq.heappop(ready)
        order.append(op)
        for consumer in consumers[op]:
            pending[consumer] -= 1
            if pending[consumer] == 0:
                heapq.heappush(ready, (consumer._id, consumer))
    if len(order) != len(ops):
        stuck = sorted((op for op in ops if pending[op] > 0), key=lambda o: o._id)
        raise errors.InvalidArgumentError(None, stuck[0], "Graph has a cycle through node "
                                          f"'{stuck[0].name}'")
    return order


def blocking_order(ops):
    """The topologically ordered `ops` reordered so that they can run one after another in the
    calling thread, though some of them block (queues, readers), with an outcome TF1's concurrent
    executor could also give; None when no such order exists.

    That needs the blocking ops to form a chain (each upstream or downstream of the others). Each
    op is then placed after as few blocking ops as its inputs allow: everything that does not
    depend on a blocking op has run (and failed, if it fails) before that op starts to wait, as
    when TF1 runs independent work during a wait. A queue-runner's enqueue step (read, decode,
    enqueue) and a training step fed by a dequeue qualify, and then cost what a compiled step
    costs instead of a thread hand-off per blocking op."""
    if any(op.type in CONTROL_FLOW_OPS for op in ops):
        return None
    in_plan = set(ops)
    blocking_above = {}  # op -> the blocking ops upstream of it, itself included
    for op in ops:
        above = {op} if op.op_def.blocking else set()
        for producer in {t.op for t in op.inputs} | set(op._control_inputs):
            if producer in in_plan:
                above |= blocking_above[producer]
        blocking_above[op] = above
    chain = sorted((op for op in ops if op.op_def.blocking), key=lambda op: len(blocking_above[op]))
    if any(len(blocking_above[op]) != level for level, op in enumerate(chain, start=1)):
        return None  # two blocking ops that are not ordered by the graph
    position = {op: i for i, op in enumerate(ops)}
    return sorted(ops, key=lambda op: (len(blocking_above[op]), position[op]))


class Plan:
    """A compiled step for one run signature. `run(feed_values)` returns the fetched values."""

    def __init__(self, session, fetch_tensors, feed_tensors, target_ops):
        self.fetch_tensors = list(fetch_tensors)
        self.feed_tensors = list(feed_tensors)
        fed = set(self.feed_tensors)
        order = topological_order(needed_ops(self.fetch_tensors, target_ops, fed))
        placed = [(op, session._placer.place(op)) for op in order]
        steps = [(op, device, session._kernel_for(op, device)) for op, device in placed]
        self.ops = order
        self._steps = steps
        # A plan on one real GPU runs with it current (CuPy allocates on the current device);
        # multi-device plans enter each op's device in the executor.
        devices = list({id(device): device for _, device, _ in steps}.values())
        self._gpu = devices[0] if len(devices) == 1 and devices[0].needs_context else None
        self._traced_program = None
        self.blocking = any(op.op_def.blocking for op in order)
        # Independent work on different devices runs concurrently (NumPy and CuPy release the GIL).
        multi_device = len(devices) > 1
        self.parallel = self.blocking or multi_device
        split = None
        if self.blocking and not multi_device:
            in_order = blocking_order(order)
            if in_order is not None:
                step_of = {op: (op, device, kernel) for op, device, kernel in steps}
                split = codegen.compile_program([step_of[op] for op in in_order], self.feed_tensors,
                                                self.fetch_tensors)
            else:
                split = split_after_blocking(steps, self.feed_tensors, self.fetch_tensors, session)
        if split is not None:
            self.program = split
        elif self.parallel:
            parallel = ParallelProgram(steps, self.feed_tensors, self.fetch_tensors, concurrent=multi_device)
            self.program = parallel.bind(session)
        else:
            self.program = codegen.compile_program(steps, self.feed_tensors, self.fetch_tensors)

    def run(self, feed_values):
        if self._gpu is None:
            return self.program(feed_values)
        with self._gpu.context():
            return self.program(feed_values)

    def run_traced(self, feed_values, run_metadata):
        """Runs the traced variant of the program and adds its StepStats to `run_metadata`."""
        if self.parallel:  # steps interleave across threads: run untraced
            return self.program(feed_values)
        if self._traced_program is None:
            self._traced_program = codegen.compile_program(self._steps, self.feed_tensors,
                                                           self.fetch_tensors, trace=True)
        tracer = StepTracer(self._steps)
        try:
            return self._traced_program(feed_values, tracer)
        finally:
            tracer.fill(run_metadata)
