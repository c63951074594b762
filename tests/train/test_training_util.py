"""The global step: tf.train.get_or_create_global_step and friends."""
import pytest

import minitf as tf


def test_get_or_create_global_step_makes_one_int64_scalar_variable():
    assert tf.train.get_global_step() is None
    with tf.name_scope("somewhere"):
        global_step = tf.train.get_or_create_global_step()
    assert tf.train.get_or_create_global_step() is global_step
    assert tf.train.get_global_step() is global_step
    assert global_step.name == "global_step:0" and global_step.dtype.base_dtype == tf.int64
    assert global_step.shape == tf.TensorShape([])
    assert not global_step.trainable
    assert tf.get_collection(tf.GraphKeys.GLOBAL_STEP) == [global_step]
    assert tf.global_variables() == [global_step] and tf.trainable_variables() == []
    with tf.Session() as sess:
        sess.run(global_step.initializer)
        sess.run(tf.assign_add(global_step, 5))
        value = tf.train.global_step(sess, global_step)
    assert value == 5 and type(value) is int


def test_create_global_step_refuses_a_second_one():
    tf.train.create_global_step()
    with pytest.raises(ValueError, match='"global_step" already exists.'):
        tf.train.create_global_step()


def test_global_step_of_another_graph():
    graph = tf.Graph()
    global_step = tf.train.get_or_create_global_step(graph)
    assert global_step.graph is graph
    assert tf.train.get_global_step() is None
    assert tf.train.get_global_step(graph) is global_step


def test_a_variable_named_global_step_is_found_by_name():
    step = tf.Variable(0, name="global_step", trainable=False)
    found = tf.train.get_global_step()
    assert isinstance(found, tf.Tensor) and found.name == "global_step:0" and found.op is step.op
    assert tf.train.get_or_create_global_step() is found
    assert len(tf.global_variables()) == 1


def test_several_in_the_collection_means_none():
    tf.add_to_collection(tf.GraphKeys.GLOBAL_STEP, tf.Variable(0, name="a"))
    tf.add_to_collection(tf.GraphKeys.GLOBAL_STEP, tf.Variable(0, name="b"))
    assert tf.train.get_global_step() is None


@pytest.mark.parametrize("value,message", [
    (lambda: tf.Variable(0.0), "does not have integer type"),
    (lambda: tf.Variable([1, 2]), "is not scalar"),
    (lambda: "global_step", "must be a Variable or Tensor"),
])
def test_assert_global_step(value, message):
    with pytest.raises(TypeError, match=message):
        tf.train.assert_global_step(value())


def test_a_bad_global_step_in_the_collection_is_reported():
    tf.add_to_collection(tf.GraphKeys.GLOBAL_STEP, tf.Variable(0.0, name="global_step"))
    with pytest.raises(TypeError, match='Existing "global_step" does not have integer type'):
        tf.train.get_global_step()
