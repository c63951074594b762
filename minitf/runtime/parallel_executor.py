"""The executor for plans with blocking ops (queues, readers): dependency counting, so that an op
waiting on a queue never stalls independent work of the same step (TF1's inter-op scheduling).

The calling thread runs the non-blocking ops itself as they become ready; each blocking op runs
on a thread of the session's pool. When an op fails, the step's CancellationManager is cancelled,
which ends the step's other blocked ops, and the first error is raised once nothing is running.
"""
import threading

from minitf.framework import errors
from minitf.runtime.cancellation import current_step, running_step
from minitf.runtime.codegen import arg_index, deref, identity, plan_transfers
from minitf.runtime.dead import DEAD
from minitf.runtime.kernel_registry import Constant


class ParallelProgram:
    """Runs (op, device, kernel) steps in dependency order; `program(feeds, step_context, pool)`."""

    def __init__(self, steps, feed_tensors, fetch_tensors, concurrent=False):
        self._steps = steps
        self._concurrent = concurrent  # every op on the pool, not only the blocking ones
        self._feed_index = {t: i for i, t in enumerate(feed_tensors)}
        self._fetch_tensors = list(fetch_tensors)
        index_of = {op: i for i, (op, _, _) in enumerate(steps)}
        self._consumers = [[] for _ in steps]
        self._initial_pending = []
        for i, (op, _, _) in enumerate(steps):
            producers = {index_of[t.op] for t in op.inputs if t not in self._feed_index and t.op in index_of}
            producers |= {index_of[c] for c in op._control_inputs if c in index_of}
            for producer in producers:
                self._consumers[producer].append(i)
            self._initial_pending.append(len(producers))
        self._derefs = [[t.dtype.is_ref_dtype and t not in self._feed_index and not _arg_is_ref(op, k)
                         for k, t in enumerate(op.inputs)] for op, _, _ in steps]
        self._control_producers = [[index_of[c] for c in op._control_inputs if c in index_of]
                                   for op, _, _ in steps]
        # Each step's CuPy GPU, made current around its kernel; None where nothing is needed.
        self._gpus = [device if device.needs_context else None for _, device, _ in steps]
        sources, transfers = plan_transfers(steps, set(feed_tensors))
        self._transfers = [[transfers[sources[i, k]][1] if sources[i, k] is not t else None
                            for k, t in enumerate(op.inputs)] for i, (op, _, _) in enumerate(steps)]
        for i, moves in enumerate(self._transfers):  # a moved ref is read (deref'd) before the move
            self._derefs[i] = [flag or (move is not None and t.dtype.is_ref_dtype and t not in self._feed_index)
                               for flag, move, t in zip(self._derefs[i], moves, steps[i][0].inputs)]

    def __call__(self, feed_values, step, pool):
        values = {t: v for t, v in zip(self._feed_index, feed_values)}
        live = [True] * len(self._steps)
        pending = list(self._initial_pending)
        ready = [i for i, count in enumerate(pending) if count == 0]
        lock = threading.Condition()
        state = {"running": 0, "error": None}

        def finish(index, outputs, error):
            with lock:
                state["running"] -= 1
                if error is not None:
                    if state["error"] is None:
                        state["error"] = error
                        step.cancellation.cancel()
                else:
                    self._store(index, outputs, values, live)
                    for consumer in self._consumers[index]:
                        pending[consumer] -= 1
                        if pending[consumer] == 0:
                            ready.append(consumer)
                lock.notify_all()

        def run_blocking(index, args):
            try:
                with running_step(step):  # the pool thread waits under this step's cancellation
                    outputs = self._compute(index, args)
                error = None
            except BaseException as e:  # noqa: BLE001 - handed to the calling thread
                outputs, error = None, e
            finish(index, outputs, error)

        while True:
            with lock:
                while not ready and state["running"] and state["error"] is None:
                    lock.wait()
                if state["error"] is not None or (not ready and not state["running"]):
                    if state["running"]:
                        lock.wait_for(lambda: not state["running"])
                    break
                index = ready.pop()
                args, dead = self._arguments(index, values, live)
                state["running"] += 1
                # Nothing else of the step can run meanwhile: wait here, without a thread handoff.
                alone = not ready and state["running"] == 1
            op = self._steps[index][0]
            if dead:
                finish(index, DEAD, None)
            elif (op.op_def.blocking and not alone) or self._concurrent:
                pool.submit(run_blocking, index, args)
            else:
                try:
                    outputs, error = self._compute(index, args), None
                except BaseException as e:  # noqa: BLE001 - raised below, once the step is quiet
                    outputs, error = None, e
                finish(index, outputs, error)
        if state["error"] is not None:
            raise state["error"]
        results = []
        for position, tensor in enumerate(self._fetch_tensors):
            value = values[tensor]
            if value is DEAD:
                raise errors.InvalidArgumentError(None, None, f"Retval[{position}] does not have value")
            results.append(value)
        return results

    def bind(self, session):
        """The program as a plan runs it: `program(feed_values)`, in the caller's step context."""
        return lambda feed_values: self(feed_values, current_step(), session._blocking_pool)

    def _arguments(self, index, values, live):
        op = self._steps[index][0]
        args = [values[t] for t in op.inputs]
        dead_inputs = [a is DEAD for a in args]
        dead_control = any(not live[i] for i in self._control_producers[index])
        if op.type in ("Merge", "RefMerge"):
            dead = all(dead_inputs) or dead_control
        else:
            dead = any(dead_inputs) or dead_control
        return args, dead

    def _compute(self, index, args):
        """The kernel's outputs; any failure comes back as an OpError naming the op."""
        op, _, kernel = self._steps[index]
        gpu = self._gpus[index]
        try:
            args = [deref(a) if flag else a for a, flag in zip(args, self._derefs[index])]
            args = [move(a) if move is not None else a for a, move in zip(args, self._transfers[index])]
            if isinstance(kernel, Constant):
                return kernel.value
            if kernel is identity:
                return args[0]
            if gpu is None:
                return kernel(*args)
            with gpu.context():
                return kernel(*args)
        except errors.OpError as e:
            if e.op is None:
                raise type(e)(e.node_def, op, e.message) from None
            raise
        except (ArithmeticError, ValueError, TypeError, IndexError, KeyError, AttributeError) as e:
            raise errors.InvalidArgumentError(None, op, f"{op.type} failed: {e}") from e

    def _store(self, index, outputs, values, live):
        op = self._steps[index][0]
        if outputs is DEAD:  # skipped: an input or control input was dead
            live[index] = False
            outputs = [DEAD] * len(op.outputs)
        elif len(op.outputs) == 1:
            outputs = [outputs]
        for tensor, value in zip(op.outputs, outputs or ()):
            if tensor not in self._feed_index:
                values[tensor] = value


def _arg_is_ref(op, position):
    return op.op_def.inputs[arg_index(op, position)].is_ref
