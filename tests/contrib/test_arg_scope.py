"""tf.contrib.framework.arg_scope / add_arg_scope: defaults by block, merging, reuse and errors."""
import pytest

import minitf as tf
from minitf.contrib.framework import (add_arg_scope, arg_scope, arg_scoped_arguments, current_arg_scope,
                                      has_arg_scope)


@add_arg_scope
def layer(inputs, size=1, activation="relu", scope=None):
    """A decorated stand-in that reports the arguments it received."""
    return dict(inputs=inputs, size=size, activation=activation, scope=scope)


@add_arg_scope
def other(inputs, size=10):
    return size


def plain(inputs, size=1):
    return size


def test_decorated_functions_take_scope_defaults_and_explicit_arguments_win():
    assert layer.__name__ == "layer" and "reports the arguments" in layer.__doc__
    with arg_scope([layer], size=5, activation=None):
        assert layer("x") == dict(inputs="x", size=5, activation=None, scope=None)
        assert layer("x", size=7)["size"] == 7
        assert other("x") == 10  # not listed: its own defaults
    assert layer("x") == dict(inputs="x", size=1, activation="relu", scope=None)


def test_nested_scopes_merge_and_unwind():
    with arg_scope([layer, other], size=2):
        with arg_scope([layer], activation="tanh"):
            assert (layer("x")["size"], layer("x")["activation"], other("x")) == (2, "tanh", 2)
            with arg_scope([layer], size=3):
                assert (layer("x")["size"], layer("x")["activation"]) == (3, "tanh")
        assert layer("x")["activation"] == "relu"
    assert current_arg_scope() == {}


def test_a_yielded_scope_can_be_reentered_later():
    with arg_scope([layer], size=4) as saved:
        pass
    with arg_scope([layer], size=9):
        with arg_scope(saved):
            assert layer("x")["size"] == 4
        assert layer("x")["size"] == 9
    with pytest.raises(ValueError, match="kwargs must be empty"):
        with arg_scope(saved, size=1):
            pass


def test_scope_is_restored_after_an_exception():
    with pytest.raises(RuntimeError):
        with arg_scope([layer], size=8):
            raise RuntimeError("boom")
    assert layer("x")["size"] == 1


def test_errors_for_undecorated_functions_and_bad_arguments():
    with pytest.raises(ValueError, match="plain is not decorated with @add_arg_scope"):
        with arg_scope([plain], size=2):
            pass
    with pytest.raises(ValueError, match="dense is not decorated with @add_arg_scope"):
        with arg_scope([tf.layers.dense], units=2):
            pass
    with pytest.raises(TypeError, match="list_ops_or_scope must either be a list/tuple or reused scope"):
        with arg_scope(layer, size=2):
            pass
    with arg_scope([layer], bogus=1):
        with pytest.raises(TypeError, match="bogus"):
            layer("x")


def test_introspection():
    assert has_arg_scope(layer) and not has_arg_scope(plain)
    assert arg_scoped_arguments(layer) == ("size", "activation", "scope")
    assert has_arg_scope(tf.contrib.layers.fully_connected)
    assert has_arg_scope(tf.contrib.framework.model_variable)


def test_contrib_layers_take_defaults():
    X = tf.placeholder(tf.float32, (None, 3))
    with arg_scope([tf.contrib.layers.fully_connected], num_outputs=4, activation_fn=None,
                   weights_regularizer=tf.contrib.layers.l2_regularizer(0.1)):
        y = tf.contrib.layers.fully_connected(X, scope="a")
        z = tf.contrib.layers.fully_connected(X, activation_fn=tf.nn.relu, scope="b")
    assert y.shape.as_list() == [None, 4] and y.op.type == "BiasAdd" and z.op.type == "Relu"
    assert [loss.name for loss in tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)] == [
        "a/weights/Regularizer/l2_regularizer:0", "b/weights/Regularizer/l2_regularizer:0"]
    with arg_scope([tf.contrib.framework.model_variable], device="/cpu:0"):
        w = tf.contrib.framework.model_variable("w", [2])
    assert w.op.device == "/device:CPU:0"
