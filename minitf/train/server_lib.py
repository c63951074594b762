"""TF1's `tf.train.ClusterSpec`: the jobs of a cluster and the network address of each task.

(The gRPC `tf.train.Server` that serves a cluster's tasks is not built yet.)
"""
from minitf.proto.cluster_pb2 import ClusterDef


class ClusterSpec:
    """TF1 `tf.train.ClusterSpec(cluster)`: `cluster` maps each job name to a list of task
    addresses (task i at index i) or to a dict {task index: address}; a ClusterDef proto or
    another ClusterSpec are taken too."""

    def __init__(self, cluster):
        if isinstance(cluster, dict):
            self._jobs = {name: _tasks_of(name, tasks) for name, tasks in cluster.items()}
        elif isinstance(cluster, ClusterDef):
            self._jobs = {job.name: {int(i): address for i, address in job.tasks.items()} for job in cluster.job}
        elif isinstance(cluster, ClusterSpec):
            self._jobs = {name: dict(tasks) for name, tasks in cluster._jobs.items()}
        else:
            raise TypeError("`cluster` must be a dictionary mapping one or more job names to lists of "
                            "network addresses, or a `ClusterDef` protocol buffer")
        self._cluster_def = self._make_cluster_def()

    def _make_cluster_def(self):
        cluster_def = ClusterDef()
        for name, tasks in sorted(self._jobs.items()):
            if not isinstance(name, (str, bytes)):
                raise TypeError(f"Job name {name!r} must be bytes or unicode")
            job = cluster_def.job.add()
            job.name = name.decode() if isinstance(name, bytes) else name
            for index, address in sorted(tasks.items()):
                if not isinstance(address, (str, bytes)):
                    raise TypeError(f"Task address {address!r} must be bytes or unicode")
                job.tasks[index] = address.decode() if isinstance(address, bytes) else address
        return cluster_def

    def __bool__(self):
        return bool(self._jobs)

    def __eq__(self, other):
        return self._jobs == (other._jobs if isinstance(other, ClusterSpec) else other)

    def __ne__(self, other):
        return not self == other

    def __str__(self):
        jobs = self.as_dict()
        return "ClusterSpec({" + ", ".join(f"{name!r}: {jobs[name]!r}" for name in sorted(jobs)) + "})"

    __repr__ = __str__

    @property
    def jobs(self):
        """The job names, in the order the cluster gave them."""
        return list(self._jobs)

    def as_dict(self):
        """{job: [addresses]} where a job's task indices run 0..n-1, else {job: {index: address}}."""
        result = {}
        for name in self._jobs:
            indices = self.task_indices(name)
            if not indices:
                result[name] = {}
            elif max(indices) + 1 == len(indices):
                result[name] = self.job_tasks(name)
            else:
                result[name] = {i: self.task_address(name, i) for i in indices}
        return result

    def as_cluster_def(self):
        return self._cluster_def

    def num_tasks(self, job_name):
        return len(self._job(job_name))

    def task_indices(self, job_name):
        return sorted(self._job(job_name))

    def task_address(self, job_name, task_index):
        job = self._job(job_name)
        if task_index not in job:
            raise ValueError(f"No task with index {task_index!r} in job {job_name!r}")
        return job[task_index]

    def job_tasks(self, job_name):
        """The job's addresses by task index, None where an index has no task."""
        job = self._job(job_name)
        tasks = [None] * (max(job) + 1 if job else 0)
        for index, address in job.items():
            tasks[index] = address
        return tasks

    def _job(self, job_name):
        if job_name not in self._jobs:
            raise ValueError(f"No such job in cluster: {job_name!r}")
        return self._jobs[job_name]


def _tasks_of(job_name, tasks):
    if isinstance(tasks, (list, tuple)):
        return dict(enumerate(tasks))
    if isinstance(tasks, dict):
        return {int(i): address for i, address in tasks.items()}
    raise TypeError(f"The tasks for job {job_name!r} must be a list or a dictionary from integers to strings.")
