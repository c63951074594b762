"""TensorShape and Dimension: partial shapes, compatibility and merging."""
import pytest

import minitf as tf


def test_partial_shapes():
    shape = tf.TensorShape([None, 3])
    assert shape.ndims == 2 and not shape.is_fully_defined()
    assert shape.as_list() == [None, 3]
    assert str(shape) == "(?, 3)"
    assert shape.is_compatible_with([5, 3]) and not shape.is_compatible_with([5, 4])
    assert shape.merge_with([5, None]).as_list() == [5, 3]
    with pytest.raises(ValueError):
        shape.merge_with([5, 4])


def test_unknown_rank():
    shape = tf.TensorShape(None)
    assert shape.ndims is None and shape.is_compatible_with([1, 2, 3])
    with pytest.raises(ValueError):
        shape.as_list()
    assert shape.merge_with([1]).as_list() == [1]


def test_dimensions():
    assert tf.Dimension(None).value is None
    assert (tf.Dimension(2) * 3).value == 6
    assert (tf.Dimension(None) + 1).value is None
    assert tf.TensorShape([2, 3]).num_elements() == 6
    assert tf.TensorShape([2, 3]) == tf.TensorShape([2, 3])
