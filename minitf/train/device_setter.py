"""TF1's `tf.train.replica_device_setter`: the device function that puts a replicated model's
variables on parameter-server tasks (round-robin) and everything else on the worker."""
import logging

from minitf.framework.device_spec import DeviceSpec
from minitf.train.server_lib import ClusterSpec

# The op types that hold state a ps task keeps for every worker (TF1's STANDARD_PS_OPS).
STANDARD_PS_OPS = ("Variable", "VariableV2", "AutoReloadVariable", "MutableHashTable",
                   "MutableHashTableV2", "MutableHashTableOfTensors", "MutableHashTableOfTensorsV2",
                   "MutableDenseHashTable", "MutableDenseHashTableV2", "VarHandleOp",
                   "BoostedTreesEnsembleResourceHandleOp", "BoostedTreesQuantileStreamResourceHandleOp",
                   "ResourceConditionalAccumulator", "DecisionTreeResource")


class _RoundRobinStrategy:
    """The ps task for each successive ps op: 0, 1, ..., n-1, 0, ..."""

    def __init__(self, num_tasks):
        self._num_tasks = num_tasks
        self._next_task = 0

    def __call__(self, unused_op):
        task = self._next_task
        self._next_task = (self._next_task + 1) % self._num_tasks
        return task


def replica_device_setter(ps_tasks=0, ps_device="/job:ps", worker_device="/job:worker", merge_devices=True,
                          cluster=None, ps_ops=None, ps_strategy=None):
    """TF1 `tf.train.replica_device_setter`: a device function for `tf.device`, or None when
    there is no ps task (`cluster` without the ps job, or `ps_tasks` 0 and no cluster).

    Ops of the `ps_ops` types go to `ps_device` with the task `ps_strategy(op)` picks (round
    robin by default), unless an inner device scope named another job; every other op goes to
    `worker_device`. Fields an inner scope set win (`merge_devices`)."""
    if cluster is not None:
        jobs = (cluster if isinstance(cluster, ClusterSpec) else ClusterSpec(cluster)).as_dict()
        ps_job = DeviceSpec.from_string(ps_device).job
        if ps_job not in jobs or jobs[ps_job] is None:
            return None
        ps_tasks = len(jobs[ps_job])
    if ps_tasks == 0:
        return None
    if not merge_devices:
        logging.getLogger("minitf").warning(
            "DEPRECATION NOTE: merge_devices=False in replica_device_setter is deprecated. Please "
            "update your code to use merge_devices=True.")
    strategy = ps_strategy if ps_strategy is not None else _RoundRobinStrategy(ps_tasks)
    if not callable(strategy):
        raise TypeError("ps_strategy must be callable")
    ps_ops = list(STANDARD_PS_OPS) if ps_ops is None else list(ps_ops)

    def device_function(op):
        if not merge_devices and op.device:
            return op.device
        current = DeviceSpec.from_string(op.device or "")
        op_type = op.type if hasattr(op, "type") else op.op  # an Operation, or a NodeDef
        if ps_device and op_type in ps_ops:
            placed = DeviceSpec.from_string(ps_device)
            if placed.job and (not current.job or current.job == placed.job):
                placed.task = strategy(op)
            return placed.make_merged_spec(current).to_string()
        return DeviceSpec.from_string(worker_device or "").make_merged_spec(current).to_string()
    return device_function
