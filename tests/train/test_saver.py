"""tf.train.Saver, the checkpoint state file and checkpoint readers (minitf/train/saver.py,
checkpoint_management.py), against TF1's behaviour (graph structure, file names, errors)."""
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import minitf as tf
import minitf.kernels.io  # noqa: F401 - the SaveV2/RestoreV2 kernels
from minitf.framework import errors

TOOLS = pathlib.Path(__file__).resolve().parents[2] / "tools"


def _two_variables():
    v = tf.Variable([1.0, 2.0], name="v")
    w = tf.Variable(3, name="w")
    return v, w


def _files(directory):
    return sorted(os.listdir(directory))


# ======================================================================================
# Graph structure (TF1's node names, types and wiring)
# ======================================================================================
def test_builds_tf1_graph_structure():
    _two_variables()
    saver = tf.train.Saver()
    graph = tf.get_default_graph()
    ops = {op.name: op for op in graph.get_operations() if op.name.startswith("save/")}
    assert {name: op.type for name, op in ops.items()} == {
        "save/filename/input": "Const", "save/filename": "PlaceholderWithDefault",
        "save/Const": "PlaceholderWithDefault", "save/SaveV2/tensor_names": "Const",
        "save/SaveV2/shape_and_slices": "Const", "save/SaveV2": "SaveV2",
        "save/control_dependency": "Identity", "save/RestoreV2/tensor_names": "Const",
        "save/RestoreV2/shape_and_slices": "Const", "save/RestoreV2": "RestoreV2",
        "save/Assign": "Assign", "save/Assign_1": "Assign", "save/restore_all": "NoOp"}
    assert [t.name for t in ops["save/SaveV2"].inputs] == [
        "save/Const:0", "save/SaveV2/tensor_names:0", "save/SaveV2/shape_and_slices:0", "v:0", "w:0"]
    assert ops["save/SaveV2"].get_attr("dtypes") == [tf.float32, tf.int32]
    assert [c.name for c in ops["save/control_dependency"]._control_inputs] == ["save/SaveV2"]
    assert [t.name for t in ops["save/Assign_1"].inputs] == ["w:0", "save/RestoreV2:1"]
    assert ops["save/Assign"].get_attr("_class") == ["loc:@v"]
    assert ops["save/RestoreV2"].device == "/device:CPU:0"
    assert sorted(c.name for c in ops["save/restore_all"]._control_inputs) == ["save/Assign", "save/Assign_1"]
    assert (saver.saver_def.filename_tensor_name, saver.saver_def.save_tensor_name,
            saver.saver_def.restore_op_name) == ("save/Const:0", "save/control_dependency:0",
                                                 "save/restore_all")
    assert saver.saver_def.version == tf.train.SaverDef.V2
    assert saver.saver_def.max_to_keep == 5


def test_checkpoint_keys_are_sorted_names_and_a_second_saver_gets_its_own_scope():
    b = tf.Variable(1.0, name="b")
    a = tf.Variable(2.0, name="a")
    tf.train.Saver()
    saver = tf.train.Saver({"zz": a, "aa": b})
    graph = tf.get_default_graph()
    assert list(graph.get_operation_by_name("save/SaveV2/tensor_names").get_attr("value")) == [b"a", b"b"]
    assert list(graph.get_operation_by_name("save_1/SaveV2/tensor_names").get_attr("value")) == [b"aa", b"zz"]
    assert graph.get_operation_by_name("save_1/Assign").inputs[0].name == "b:0"
    assert saver.saver_def.restore_op_name == "save_1/restore_all"


# ======================================================================================
# Save and restore
# ======================================================================================
def test_round_trip_of_several_dtypes(tmp_path):
    values = {"f32": np.arange(6, dtype=np.float32).reshape(2, 3), "f64": np.float64(2.5),
              "i64": np.array([7, -8], np.int64), "flag": np.array([True, False]),
              "text": np.array([b"ab", b""], dtype=object)}
    variables = {k: tf.Variable(v, name=k) for k, v in values.items()}
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "model.ckpt"))
        assert path == str(tmp_path / "model.ckpt")
        for k, v in variables.items():
            sess.run(v.initializer, {v.initializer.inputs[1]: np.zeros_like(values[k])})
        saver.restore(sess, path)
        restored = sess.run(variables)
    for k, v in values.items():
        np.testing.assert_array_equal(restored[k], v)
        assert np.asarray(restored[k]).dtype == np.asarray(v).dtype
    assert _files(tmp_path) == ["checkpoint", "model.ckpt.data-00000-of-00001", "model.ckpt.index",
                                "model.ckpt.meta"]


def test_restore_into_a_new_session_without_initializing(tmp_path):
    v, w = _two_variables()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(v.assign([4.0, 5.0]))
        path = saver.save(sess, str(tmp_path / "m"))
    with tf.Session() as sess:
        saver.restore(sess, path)
        np.testing.assert_array_equal(sess.run(v), [4.0, 5.0])
        assert sess.run(w) == 3


def test_global_step_names_the_checkpoint(tmp_path):
    _two_variables()
    step = tf.train.get_or_create_global_step()
    saver = tf.train.Saver()
    padded = tf.train.Saver(pad_step_number=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step.assign(42))
        prefix = str(tmp_path / "model.ckpt")
        assert saver.save(sess, prefix, global_step=100) == prefix + "-100"
        assert saver.save(sess, prefix, global_step=step) == prefix + "-42"
        assert padded.save(sess, str(tmp_path / "p"), global_step=np.int64(7)) == str(tmp_path / "p-00000007")
    assert "model.ckpt-42.meta" in _files(tmp_path)
    assert tf.train.load_variable(str(tmp_path), "global_step:0") == 42


def test_max_to_keep_deletes_old_checkpoints_and_writes_the_state_file(tmp_path):
    _two_variables()
    saver = tf.train.Saver(max_to_keep=2)
    prefix = str(tmp_path / "model.ckpt")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in (1, 2, 3):
            saver.save(sess, prefix, global_step=step)
    assert saver.last_checkpoints == [f"{prefix}-2", f"{prefix}-3"]
    assert _files(tmp_path) == ["checkpoint"] + [f"model.ckpt-{s}.{ext}" for s in (2, 3)
                                                 for ext in ("data-00000-of-00001", "index", "meta")]
    assert (tmp_path / "checkpoint").read_text() == (
        f'model_checkpoint_path: "{prefix}-3"\n'
        f'all_model_checkpoint_paths: "{prefix}-2"\n'
        f'all_model_checkpoint_paths: "{prefix}-3"\n')
    assert tf.train.latest_checkpoint(str(tmp_path)) == f"{prefix}-3"
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert list(state.all_model_checkpoint_paths) == [f"{prefix}-2", f"{prefix}-3"]


def test_max_to_keep_none_keeps_everything_and_hours_keep_old_ones(tmp_path):
    _two_variables()
    keep_all = tf.train.Saver(max_to_keep=None)
    # A keep interval of ~4 microseconds has passed by every save: each dropped one is kept.
    hourly = tf.train.Saver(max_to_keep=1, keep_checkpoint_every_n_hours=1e-9)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in (1, 2, 3):
            keep_all.save(sess, str(tmp_path / "all"), global_step=step)
            hourly.save(sess, str(tmp_path / "hourly"), global_step=step)
    assert keep_all.last_checkpoints == []
    assert hourly.last_checkpoints == [str(tmp_path / "hourly-3")]
    for name in ("all", "hourly"):
        assert all(tf.train.checkpoint_exists(str(tmp_path / f"{name}-{s}")) for s in (1, 2, 3))


def test_relative_paths_in_the_state_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _two_variables()
    saver = tf.train.Saver()
    relative = tf.train.Saver(save_relative_paths=True)
    (tmp_path / "sub").mkdir()
    (tmp_path / "abs").mkdir()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert saver.save(sess, "rel.ckpt") == "rel.ckpt"
        assert (tmp_path / "checkpoint").read_text() == (
            'model_checkpoint_path: "rel.ckpt"\nall_model_checkpoint_paths: "rel.ckpt"\n')
        saver.save(sess, "sub/rel.ckpt")
        assert (tmp_path / "sub" / "checkpoint").read_text() == (
            'model_checkpoint_path: "rel.ckpt"\nall_model_checkpoint_paths: "../rel.ckpt"\n'
            'all_model_checkpoint_paths: "rel.ckpt"\n')
        relative.save(sess, str(tmp_path / "abs" / "m"), global_step=1)
        assert (tmp_path / "abs" / "checkpoint").read_text() == (
            'model_checkpoint_path: "m-1"\nall_model_checkpoint_paths: "m-1"\n')
    assert tf.train.latest_checkpoint("sub") == os.path.join("sub", "rel.ckpt")
    assert tf.train.latest_checkpoint(str(tmp_path / "abs")) == str(tmp_path / "abs" / "m-1")


def test_dict_var_list_uses_its_keys(tmp_path):
    theta = tf.Variable([[1.0], [2.0]], name="theta")
    saver = tf.train.Saver({"weights": theta})
    with tf.Session() as sess:
        sess.run(theta.initializer)
        path = saver.save(sess, str(tmp_path / "m"))
    assert tf.train.list_variables(path) == [("weights", [2, 1])]
    tf.reset_default_graph()
    other = tf.Variable(tf.zeros([2, 1]), name="something_else")
    with tf.Session() as sess:
        tf.train.Saver({"weights": other}).restore(sess, path)
        np.testing.assert_array_equal(sess.run(other), [[1.0], [2.0]])


def _layers(names, n_inputs=4, width=3, seed=0):
    """A stack of dense layers under name scopes `names`; returns the output."""
    x = tf.placeholder(tf.float32, [None, n_inputs], name="X")
    for index, name in enumerate(names):
        with tf.name_scope(name):
            init = tf.random_normal([int(x.shape[1]), width], seed=seed + index)
            weights = tf.Variable(init, name="kernel")
            bias = tf.Variable(tf.zeros([width]), name="bias")
            x = tf.nn.relu(tf.matmul(x, weights) + bias)
    return x


def test_restore_a_subset_of_layers_into_a_new_graph(tmp_path):
    _layers(["hidden1", "hidden2", "hidden3", "outputs"])
    reuse = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="hidden[123]")
    assert len(reuse) == 6
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver().save(sess, str(tmp_path / "full"))
        original = {v.op.name: sess.run(v) for v in reuse}
    tf.reset_default_graph()
    _layers(["hidden1", "hidden2", "hidden3", "hidden4", "new_outputs"], seed=100)
    reuse = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="hidden[123]")
    restore_saver = tf.train.Saver(reuse)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        restore_saver.restore(sess, path)
        for v in reuse:
            np.testing.assert_array_equal(sess.run(v), original[v.op.name])
        hidden4 = tf.get_default_graph().get_tensor_by_name("hidden4/kernel:0")
        assert sess.run(hidden4).shape == (3, 3)


def _adam_model():
    tf.set_random_seed(1)
    x = tf.constant(np.linspace(-1, 1, 12, dtype=np.float32).reshape(6, 2))
    y = tf.constant(np.array([[1.0], [0.0], [1.0], [1.0], [0.0], [0.5]], np.float32))
    w = tf.Variable(tf.random_normal([2, 1], seed=3), name="w")
    b = tf.Variable(0.0, name="b")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    step = tf.train.get_or_create_global_step()
    train = tf.train.AdamOptimizer(0.05).minimize(loss, global_step=step)
    return train, [w, b, step]


def test_resuming_adam_training_matches_uninterrupted_training(tmp_path):
    train, watched = _adam_model()
    saver = tf.train.Saver()
    slot_names = {v.op.name for v in tf.global_variables()}
    assert {"w/Adam", "w/Adam_1", "beta1_power", "beta2_power", "global_step"} <= slot_names
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(5):
            sess.run(train)
        path = saver.save(sess, str(tmp_path / "m"), global_step=watched[2])
        for _ in range(5):
            sess.run(train)
        uninterrupted = sess.run(watched)
    tf.reset_default_graph()
    train, watched = _adam_model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
        assert path.endswith("m-5") and sess.run(watched[2]) == 5
        for _ in range(5):
            sess.run(train)
        resumed = sess.run(watched)
    for a, b in zip(uninterrupted, resumed):
        np.testing.assert_array_equal(a, b)


def test_reshape_restores_into_another_shape(tmp_path):
    v = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="v")
    with tf.Session() as sess:
        sess.run(v.initializer)
        path = tf.train.Saver().save(sess, str(tmp_path / "m"))
    tf.reset_default_graph()
    v = tf.Variable(tf.zeros([3, 2]), name="v")
    with tf.Session() as sess:
        tf.train.Saver(reshape=True).restore(sess, path)
        np.testing.assert_array_equal(sess.run(v), np.arange(6).reshape(3, 2))


def test_deferred_build_sees_later_variables(tmp_path):
    saver = tf.train.Saver(defer_build=True)
    v = tf.Variable(1.5, name="late")
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(RuntimeError, match="build"):
            saver.save(sess, str(tmp_path / "m"))
        saver.build()
        saver.save(sess, str(tmp_path / "m"))
    assert tf.train.list_variables(str(tmp_path)) == [("late", [])]


def test_empty_saver(tmp_path):
    with pytest.raises(ValueError, match="No variables to save"):
        tf.train.Saver()
    saver = tf.train.Saver(allow_empty=True)
    with tf.Session() as sess:
        assert saver.save(sess, str(tmp_path / "m"), write_meta_graph=False) is None
        assert saver.restore(sess, str(tmp_path / "m")) is None
    assert _files(tmp_path) == []


# ======================================================================================
# Errors
# ======================================================================================
def _saved_checkpoint(tmp_path):
    v = tf.Variable([1.0, 2.0], name="v")
    with tf.Session() as sess:
        sess.run(v.initializer)
        return tf.train.Saver().save(sess, str(tmp_path / "m"))


def test_restore_with_a_missing_key_names_it(tmp_path):
    path = _saved_checkpoint(tmp_path)
    tf.reset_default_graph()
    tf.Variable([1.0, 2.0], name="v")
    tf.Variable([1.0], name="u")
    saver = tf.train.Saver()
    with tf.Session() as sess, pytest.raises(errors.NotFoundError) as info:
        saver.restore(sess, path)
    assert "Key u not found in checkpoint" in str(info.value)
    assert "a Variable name or other graph key that is missing" in str(info.value)


@pytest.mark.parametrize("initialized", [True, False])
def test_restore_with_a_shape_mismatch_names_the_variable(tmp_path, initialized):
    path = _saved_checkpoint(tmp_path)
    tf.reset_default_graph()
    tf.Variable([1.0, 2.0, 3.0], name="v")
    saver = tf.train.Saver()
    with tf.Session() as sess, pytest.raises(errors.InvalidArgumentError) as info:
        if initialized:
            sess.run(tf.global_variables_initializer())
        saver.restore(sess, path)
    message = str(info.value)
    assert "lhs shape= [3] rhs shape= [2]" in message and "'v'" in message
    assert "mismatch between the current graph and the graph" in message


def test_restore_with_a_dtype_mismatch(tmp_path):
    path = _saved_checkpoint(tmp_path)
    tf.reset_default_graph()
    tf.Variable([1, 2], name="v")
    saver = tf.train.Saver()
    message = "expected dtype int32 does not equal original dtype float"
    with tf.Session() as sess, pytest.raises(errors.InvalidArgumentError, match=message):
        saver.restore(sess, path)


def test_restore_from_a_bogus_path(tmp_path):
    _two_variables()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="The passed save_path is not a valid checkpoint: .*bogus"):
            saver.restore(sess, str(tmp_path / "bogus"))
        with pytest.raises(ValueError, match="Can't load save_path when it is None"):
            saver.restore(sess, None)


def test_save_into_a_missing_directory_writes_nothing(tmp_path):
    _two_variables()
    saver = tf.train.Saver()
    target = str(tmp_path / "nodir" / "model.ckpt")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(ValueError, match=f"Parent directory of {target} doesn't exist, can't save."):
            saver.save(sess, target)
    assert _files(tmp_path) == []


def test_save_argument_errors(tmp_path):
    v, _ = _two_variables()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(ValueError, match="'latest_filename' collides with 'save_path'"):
            saver.save(sess, str(tmp_path / "checkpoint"))
        with pytest.raises(ValueError, match="must not contain path components"):
            saver.save(sess, str(tmp_path / "m"), latest_filename="a/b")
    with pytest.raises(TypeError, match="'sess' must be a Session"):
        saver.save(object(), str(tmp_path / "m"))
    with pytest.raises(ValueError, match="At least two variables have the same name: v"):
        tf.train.Saver([v, v])
    with pytest.raises(TypeError, match="Variable to save is not a Variable"):
        tf.train.Saver([v.value()])
    with pytest.raises(TypeError, match="Not a variable"):
        tf.train.Saver({"t": v.value()})


# ======================================================================================
# Checkpoint state and readers
# ======================================================================================
def test_state_functions(tmp_path):
    assert tf.train.latest_checkpoint(str(tmp_path / "missing")) is None
    assert tf.train.get_checkpoint_state(str(tmp_path)) is None
    path = _saved_checkpoint(tmp_path)
    assert tf.train.checkpoint_exists(path) and not tf.train.checkpoint_exists(path + "x")
    tf.train.update_checkpoint_state(str(tmp_path), path, [path], latest_filename="other")
    assert tf.train.latest_checkpoint(str(tmp_path), latest_filename="other") == path
    (tmp_path / "checkpoint").write_text("not a proto {")
    assert tf.train.get_checkpoint_state(str(tmp_path)) is None


def test_checkpoint_reader(tmp_path):
    tf.Variable(np.ones((2, 3), np.float64), name="a/b")
    tf.Variable(7, name="c")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver().save(sess, str(tmp_path / "m"))
    reader = tf.train.NewCheckpointReader(path)
    assert reader.has_tensor("a/b") and not reader.has_tensor("a/b:0")
    assert reader.get_variable_to_shape_map() == {"a/b": [2, 3], "c": []}
    assert reader.get_variable_to_dtype_map() == {"a/b": tf.float64, "c": tf.int32}
    value = reader.get_tensor("c")
    assert value == 7 and isinstance(value, np.int32)
    assert reader.debug_string() == b"a/b (DT_DOUBLE) [2,3]\nc (DT_INT32) []\n"
    with pytest.raises(errors.NotFoundError, match="Key zz not found in checkpoint"):
        reader.get_tensor("zz")
    with pytest.raises(errors.NotFoundError, match="Failed to find any matching files"):
        tf.train.NewCheckpointReader(str(tmp_path / "nope"))
    assert tf.train.list_variables(str(tmp_path)) == [("a/b", [2, 3]), ("c", [])]
    np.testing.assert_array_equal(tf.train.load_variable(path, "a/b:0"), np.ones((2, 3)))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file"):
        tf.train.list_variables(str(tmp_path / "empty"))


def test_inspect_checkpoint_tool(tmp_path):
    tf.Variable(np.array([[1.5, 2.5]], np.float32), name="layer/kernel")
    tf.Variable(3, name="step")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver().save(sess, str(tmp_path / "m"))

    def tool(*args):
        return subprocess.run([sys.executable, str(TOOLS / "inspect-checkpoint"), *args],
                              capture_output=True, text=True, timeout=120)
    listing = tool(path)
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.splitlines() == ["layer/kernel  float32  [1, 2]", "step          int32    []"]
    assert tool(str(tmp_path)).stdout == listing.stdout
    one = tool(path, "--tensor", "layer/kernel")
    assert one.returncode == 0
    assert one.stdout.splitlines() == ["layer/kernel  float32  [1, 2]", "[[1.5 2.5]]"]
    missing = tool(path, "--tensor", "nope")
    assert missing.returncode != 0 and "Key nope not found in checkpoint" in missing.stderr
