"""Per-node timing and output sizes for `RunOptions(trace_level=FULL_TRACE)` (TF1's StepStats).

A traced run executes a variant of the plan's program that reports, around every step, when the
op started and ended and what it produced; `StepTracer.fill` turns that into the StepStats of
RunMetadata, one DeviceStepStats per device, which TensorBoard shows as compute time and memory.
"""
import threading
import time

import numpy as np

from minitf.framework import dtypes
from minitf.framework.tensor_shape import TensorShape
from minitf.proto import tensor_shape_pb2
from minitf.runtime.dead import DEAD


class StepTracer:
    """Collects (op index, start, end, outputs) for one traced run."""

    def __init__(self, steps):
        self._steps = steps
        self._records = []
        self._pending = {}
        self.thread_id = threading.get_ident() & 0xFFFFFFFF

    def begin(self, index):
        self._pending[index] = time.perf_counter_ns(), time.time_ns()

    def end(self, index, *outputs):
        end = time.perf_counter_ns()
        start, wall = self._pending.pop(index)
        self._records.append((index, wall, start, end, outputs))

    def fill(self, run_metadata):
        """Adds this run's node stats to `run_metadata.step_stats` (grouped by device)."""
        by_device = {}
        for index, wall, start, end, outputs in self._records:
            op, device, _ = self._steps[index]
            if device.name not in by_device:
                by_device[device.name] = run_metadata.step_stats.dev_stats.add(device=device.name)
            _node_stats(by_device[device.name].node_stats.add(), op, wall, end - start, outputs,
                        self.thread_id, device)


def _node_stats(stats, op, wall_nanos, duration_nanos, outputs, thread_id, device):
    stats.node_name = op.name
    stats.all_start_micros = wall_nanos // 1000
    stats.all_start_nanos = wall_nanos
    stats.op_end_rel_micros = stats.all_end_rel_micros = duration_nanos // 1000
    stats.op_end_rel_nanos = stats.all_end_rel_nanos = duration_nanos
    stats.thread_id = thread_id
    inputs = ", ".join(t.op.name for t in op.inputs)
    stats.timeline_label = f"{op.name} = {op.type}({inputs})"
    allocator = f"{device.device_type.lower()}"
    total = 0
    for slot, value in enumerate(outputs):
        if value is DEAD or not isinstance(value, (np.ndarray, np.generic)):
            continue
        size = int(value.nbytes)
        total += size
        output = stats.output.add(slot=slot)
        description = output.tensor_description
        description.dtype = dtypes.as_dtype(value.dtype).as_datatype_enum if value.dtype.kind != "O" \
            else dtypes.string.as_datatype_enum
        description.shape.CopyFrom(TensorShape(value.shape).as_proto(tensor_shape_pb2.TensorShapeProto))
        description.allocation_description.requested_bytes = size
        description.allocation_description.allocated_bytes = size
        description.allocation_description.allocator_name = allocator
    if total:
        stats.memory.add(allocator_name=allocator, total_bytes=total, peak_bytes=total, live_bytes=total)
