"""DTypes: names, enums, NumPy mapping and reference types."""
import numpy as np
import pytest

import minitf as tf


@pytest.mark.parametrize("dtype,enum,numpy_type", [
    (tf.float32, 1, np.float32), (tf.float64, 2, np.float64), (tf.int32, 3, np.int32),
    (tf.uint8, 4, np.uint8), (tf.int16, 5, np.int16), (tf.int8, 6, np.int8), (tf.int64, 9, np.int64),
    (tf.bool, 10, np.bool_), (tf.float16, 19, np.float16)])
def test_enums_match_tensorflow(dtype, enum, numpy_type):
    assert dtype.as_datatype_enum == enum
    assert tf.as_dtype(enum) is dtype
    assert dtype.as_numpy_dtype is numpy_type
    assert tf.as_dtype(numpy_type) is dtype
    assert dtype._as_ref.as_datatype_enum == enum + 100
    assert dtype._as_ref.base_dtype is dtype


def test_conversions_and_properties():
    assert tf.as_dtype("float") is tf.float32
    assert tf.as_dtype(np.dtype("float64")) is tf.float64
    assert tf.string.as_datatype_enum == 7 and tf.bfloat16.as_datatype_enum == 14
    assert tf.float32.is_floating and tf.int32.is_integer and not tf.int32.is_floating
    assert tf.int8.min == -128 and tf.uint8.max == 255
    assert tf.float32 == "float32" and tf.float32 != tf.float64
    with pytest.raises(TypeError):
        tf.as_dtype("not a type")
