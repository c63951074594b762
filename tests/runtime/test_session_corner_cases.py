"""Corner cases found in review, each checked against TF1's behaviour."""
import collections

import pytest

import minitf as tf


def test_cond_branch_constants_under_outside_control_dependencies_stay_in_their_branch():
    p = tf.placeholder(tf.bool, [])
    x = tf.constant(0.0)

    def branch(value):
        def build():
            with tf.control_dependencies([x]):
                return tf.constant(value)
        return build
    r = tf.cond(p, branch(1.0), branch(2.0))
    with tf.Session() as sess:
        assert (sess.run(r, {p: True}), sess.run(r, {p: False})) == (1.0, 2.0)


def test_variable_created_inside_a_cond_branch_initializes_on_its_own():
    p = tf.placeholder(tf.bool, [])

    def taken():
        u = tf.Variable(5.0, name="u")
        return u * 1.0
    r = tf.cond(p, taken, lambda: tf.constant(2.0))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(r, {p: True}) == 5.0 and sess.run(r, {p: False}) == 2.0


def test_control_dependency_on_a_fed_placeholder():
    x = tf.placeholder(tf.float32, [], name="x")
    with tf.control_dependencies([x.op]):
        y = tf.identity(tf.constant(2.0))
    with tf.Session() as sess:
        assert sess.run(y, {x: 1.0}) == 2.0


def test_feeding_a_variable_or_its_ref():
    v = tf.Variable(1.0)
    y = v + 1
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for key in (v, v.value(), v._ref()):
            assert sess.run(y, {key: 5.0}) == 6.0
        assert sess.run(y) == 2.0


def test_fetching_an_uninitialized_ref_fails():
    v = tf.Variable(1.0, name="v")
    with tf.Session() as sess, pytest.raises(tf.errors.FailedPreconditionError, match="v"):
        sess.run(v._ref())


def test_namedtuple_fetches_keep_their_type_after_a_plain_tuple():
    Pair = collections.namedtuple("Pair", "a b")
    a, b = tf.constant(1.0), tf.constant(2.0)
    with tf.Session() as sess:
        assert type(sess.run((a, b))) is tuple
        assert type(sess.run(Pair(a, b))) is Pair


def test_a_failing_multi_device_step_does_not_poison_later_steps():
    from minitf.runtime.cancellation import current_step
    shape = tf.placeholder(tf.int32, [2])
    with tf.device("/cpu:1"):
        bad = tf.reshape(tf.constant([1, 2, 3]), shape)
    good = tf.constant(1.0) + 1.0
    with tf.Session(config=tf.ConfigProto(device_count={"CPU": 2})) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run([bad, good], {shape: [2, 2]})
        assert not current_step().cancellation.cancelled
        assert sess.run([bad, good], {shape: [3, 1]})[1] == 2.0
