"""tf.train.ClusterSpec and tf.train.replica_device_setter: TF1's rules for where a replicated
model's ops go. The devices a program gets are compared with TensorFlow's where it imports."""
import pytest

import minitf as tf

CLUSTER = {"ps": ["ps0:2222", "ps1:2222"], "worker": ["worker0:2222", "worker1:2222", "worker2:2222"]}


def placed_program(t, **setter_args):
    """{op name: device} of a small replicated program built through `t` (minitf or TF1)."""
    graph = t.Graph()
    with graph.as_default():
        with t.device(t.train.replica_device_setter(**setter_args)):
            v1 = t.Variable(1.0, name="v1")
            v2 = t.Variable(2.0, name="v2")
            with t.device("/job:worker/task:1/cpu:0"):
                pinned = t.multiply(v1, 2.0, name="pinned")
            with t.device("/job:other"):
                v3 = t.Variable(3.0, name="v3")
            with t.device("/gpu:0"):
                v4 = t.Variable(4.0, name="v4")
                on_gpu = t.add(v4, 1.0, name="on_gpu")
            total = t.add_n([v1, v2, v3, pinned, on_gpu], name="total")
        del total
        return {op.name: op.device for op in graph.get_operations()}


SETUPS = {
    "cluster": dict(cluster=CLUSTER),
    "ps_tasks": dict(ps_tasks=3),
    "worker_task": dict(cluster=CLUSTER, worker_device="/job:worker/task:2"),
    "no-merge": dict(cluster=CLUSTER, merge_devices=False),
    "ps_ops": dict(ps_tasks=2, ps_ops=["VariableV2", "AddN"]),
    "strategy": dict(ps_tasks=2, ps_strategy=lambda op: 1),
    "cluster-spec": dict(cluster=tf.train.ClusterSpec(CLUSTER)),
}


@pytest.mark.parametrize("setup", sorted(SETUPS))
def test_devices_match_tensorflow(setup):
    tensorflow = pytest.importorskip("tensorflow")
    tf1 = tensorflow.compat.v1
    tf1.disable_v2_behavior()  # ref variables, as TF1's
    args = dict(SETUPS[setup])
    if "cluster" in args and isinstance(args["cluster"], tf.train.ClusterSpec):
        theirs = placed_program(tf1, **dict(args, cluster=tf1.train.ClusterSpec(CLUSTER)))
    else:
        theirs = placed_program(tf1, **args)
    assert placed_program(tf, **args) == theirs


def test_variables_go_round_robin_to_ps_tasks_and_the_rest_to_the_worker():
    devices = placed_program(tf, cluster=CLUSTER)
    assert [devices[n] for n in ("v1", "v2", "v3", "v4")] == \
        ["/job:ps/task:0", "/job:ps/task:1", "/job:other", "/job:ps/task:0/device:GPU:0"]
    # An op colocated with a variable (its Assign and read) takes the variable's device, as in TF1.
    assert devices["v1/Assign"] == "/job:ps/task:0" and devices["v2/read"] == "/job:ps/task:1"
    assert devices["total"] == "/job:worker"
    assert devices["pinned"] == "/job:worker/task:1/device:CPU:0"
    assert devices["on_gpu"] == "/job:worker/device:GPU:0"


def test_no_ps_job_means_no_device_function():
    assert tf.train.replica_device_setter() is None
    assert tf.train.replica_device_setter(cluster={"worker": ["w:1"]}) is None
    with pytest.raises(TypeError, match="ps_strategy must be callable"):
        tf.train.replica_device_setter(ps_tasks=1, ps_strategy=3)


def test_cluster_spec_accessors():
    spec = tf.train.ClusterSpec({"ps": ["ps0:1", "ps1:1"], "worker": {1: "w1:1", 3: "w3:1"}})
    assert spec.jobs == ["ps", "worker"] and spec.num_tasks("worker") == 2
    assert spec.task_indices("worker") == [1, 3] and spec.task_address("ps", 1) == "ps1:1"
    assert spec.job_tasks("worker") == [None, "w1:1", None, "w3:1"]
    assert spec.as_dict() == {"ps": ["ps0:1", "ps1:1"], "worker": {1: "w1:1", 3: "w3:1"}}
    assert str(spec) == "ClusterSpec({'ps': ['ps0:1', 'ps1:1'], 'worker': {1: 'w1:1', 3: 'w3:1'}})"
    cluster_def = spec.as_cluster_def()
    assert [job.name for job in cluster_def.job] == ["ps", "worker"]
    assert dict(cluster_def.job[1].tasks) == {1: "w1:1", 3: "w3:1"}
    assert tf.train.ClusterSpec(cluster_def) == spec and tf.train.ClusterSpec(spec) == spec
    assert bool(spec) and not tf.train.ClusterSpec({})
    with pytest.raises(ValueError, match="No such job in cluster: 'chief'"):
        spec.num_tasks("chief")
    with pytest.raises(ValueError, match="No task with index 2 in job 'worker'"):
        spec.task_address("worker", 2)
    with pytest.raises(TypeError, match="must be a list or a dictionary"):
        tf.train.ClusterSpec({"ps": "ps0:1"})
    with pytest.raises(TypeError, match="`cluster` must be a dictionary"):
        tf.train.ClusterSpec(["ps0:1"])
