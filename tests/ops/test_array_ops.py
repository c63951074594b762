"""Focused tests of the array family beyond the harness table: `tensor[...]` against NumPy indexing,
construction-time and run-time errors, static shapes with unknown dims, auto-packing and TF1 names."""
import numpy as np
import pytest

import minitf as tf

X = np.arange(60, dtype=np.float32).reshape(3, 4, 5)


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


# ======================================================================================
# Tensor.__getitem__ against NumPy
# ======================================================================================
_INDICES = [
    0, -1, 2, slice(None), slice(1, None), slice(None, -1), slice(None, None, 2), slice(None, None, -1),
    slice(-1, 0, -2), slice(5, 10), slice(2, 1), (1, 2), (-1, -2, -3), (slice(None), 1), (Ellipsis, 0),
    (0, Ellipsis), (None,), (slice(None), None, 1), (Ellipsis, None), (None, Ellipsis, None, 2),
    (1, slice(None, None, -1), slice(1, 4, 2)), (Ellipsis,), (), (slice(None), slice(None), slice(None, None, -3)),
    [0, 1], np.int64(1), (np.int32(-1), slice(1, 3)),
]


@pytest.mark.parametrize("index", _INDICES, ids=repr)
@pytest.mark.parametrize("known", [True, False], ids=["static", "dynamic"])
def test_getitem_matches_numpy(index, known):
    x = tf.placeholder(tf.float32, X.shape if known else (None, None, 5))
    y = x[index]
    expected = X[tuple(index) if isinstance(index, list) else index]  # TF1 reads a list as a tuple
    result = _run(y, {x: X})
    np.testing.assert_array_equal(result, expected)
    assert y.shape.is_compatible_with(expected.shape)
    if known:
        assert y.shape.as_list() == list(expected.shape)
    assert y.op.type == "StridedSlice"


@pytest.mark.parametrize("dtype", [tf.int32, tf.int64])
def test_getitem_with_scalar_tensor_indices(dtype):
    x = tf.constant(X)
    i = tf.placeholder(dtype, ())
    j = tf.placeholder(dtype, ())
    fetches = [x[i], x[:, i], x[i:j], x[..., j, ::-1], x[-1, i:, tf.newaxis]]
    assert [t.shape.as_list() for t in fetches[:2]] == [[4, 5], [3, 5]]
    assert fetches[2].shape.as_list() == [None, 4, 5]
    results = _run(fetches, {i: 1, j: 3})
    for result, expected in zip(results, [X[1], X[:, 1], X[1:3], X[..., 3, ::-1], X[-1, 1:, None]]):
        np.testing.assert_array_equal(result, expected)


def test_getitem_on_variable_and_scalars():
    v = tf.Variable(X[0])
    s = v[1, 2]
    with tf.Session() as sess:
        sess.run(v.initializer)
        value = sess.run(s)
    assert s.shape.as_list() == [] and value == X[0, 1, 2] and isinstance(value, np.float32)


@pytest.mark.parametrize("bad", [1.0, "a", [tf.constant([0, 1])], tf.constant(0.5), tf.constant([1, 2])], ids=repr)
def test_getitem_rejects_bad_indices(bad):
    x = tf.constant(X)
    with pytest.raises(TypeError, match="Only integers, slices"):
        x[bad if not isinstance(bad, list) else bad[0]]


def test_getitem_static_out_of_range_and_too_many_indices():
    x = tf.constant(X)
    with pytest.raises(ValueError, match="slice index 3 of dimension 0 out of bounds"):
        x[3]
    with pytest.raises(ValueError, match="Index out of range using input dim 3"):
        x[0, 0, 0, 0]


def test_getitem_runtime_out_of_range_names_the_op():
    x = tf.constant(X)
    i = tf.placeholder(tf.int32, ())
    y = x[i]
    with pytest.raises(tf.errors.InvalidArgumentError, match="slice index 7 of dimension 0 out of bounds") as info:
        _run(y, {i: 7})
    assert info.value.op is y.op


def test_strided_slice_function():
    y = tf.strided_slice(tf.constant(X), [0, 1], [2, -1], [1, 2])
    assert y.op.type == "StridedSlice" and y.shape.as_list() == [2, 1, 5]
    np.testing.assert_array_equal(_run(y), X[0:2, 1:-1:2])


# ======================================================================================
# Construction-time errors
# ======================================================================================
@pytest.mark.parametrize("build, message", [
    (lambda: tf.reshape([1, 2, 3], [2, 2]),
     r"Cannot reshape a tensor with 3 elements to shape \[2,2\] \(4 elements\)"),
    (lambda: tf.reshape(tf.zeros([3]), [-1, 2]), "evenly divisible by 2 but is 3"),
    (lambda: tf.concat([tf.zeros([2, 3]), tf.zeros([3])], 0), "Shape must be rank 2 but is rank 1"),
    (lambda: tf.concat([tf.zeros([2, 3]), tf.zeros([2, 4])], 0), "Dimension 0 in both shapes must be equal"),
    (lambda: tf.squeeze(tf.zeros([2, 3]), [0]), "Can not squeeze dim\\[0\\], expected a dimension of 1, got 2"),
    (lambda: tf.squeeze(tf.zeros([2, 3]), [5]), "not in \\[-2,2\\)"),
    (lambda: tf.expand_dims(tf.zeros([2, 3]), 5), "dim 5 not in the interval \\[-3, 2\\]"),
    (lambda: tf.stack([tf.zeros([2, 3]), tf.zeros([3])]), "Shapes must be equal rank"),
    (lambda: tf.stack([tf.zeros([2, 3])], axis=3), "axis = 3 not in"),
    (lambda: tf.split(tf.zeros([2, 3]), 2, 1), "evenly divisible by 2 but is 3"),
    (lambda: tf.split(tf.zeros([2, 3]), [1, 1], 1), "can't split axis of size 3"),
    (lambda: tf.transpose(tf.zeros([2, 3]), [0]), "Dimension must be 2 but is 1"),
    (lambda: tf.gather(tf.zeros([2, 3]), [0], axis=2), "Shape must be at least rank 3 but is rank 2"),
    (lambda: tf.tile(tf.zeros([2, 3]), [1]), "Shape must be rank 2 but is rank 1"),
    (lambda: tf.fill([2, -1], 3.0), "Fill dimensions must be >= 0"),
    (lambda: tf.range(5, 1), "Requires start <= limit when delta > 0"),
    (lambda: tf.range(1, 5, 0), "Requires delta != 0"),
    (lambda: tf.where(tf.zeros([3]) > 0, tf.zeros([2, 3]), tf.zeros([2, 3])), "Dimension 0 in both shapes"),
    (lambda: tf.where(tf.zeros([2, 3]) > 0, tf.zeros([2]), tf.zeros([2])), "Shapes must be equal rank"),
    (lambda: tf.reverse(tf.zeros([2, 3]), [2]), "out of valid range"),
    (lambda: tf.unstack(tf.placeholder(tf.float32, [None])), "Cannot infer num from shape"),
    (lambda: tf.boolean_mask(tf.zeros([2]), True), "mask cannot be scalar"),
    (lambda: tf.strided_slice(tf.zeros([2]), [0], [1], [0]), "strides\\[0\\] must be non-zero"),
])
def test_construction_errors(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_construction_error_names_the_op():
    with pytest.raises(ValueError, match=r"for 'Reshape' \(op: 'Reshape'\)"):
        tf.reshape(tf.zeros([3]), [2, 2])


def test_type_errors():
    with pytest.raises(TypeError):
        tf.one_hot([1.0], 3)
    with pytest.raises(TypeError):
        tf.reshape(tf.zeros([4]), [2.0, 2.0])


# ======================================================================================
# Run-time errors: InvalidArgumentError naming the op
# ======================================================================================
def _runtime_error(build, feeds, message):
    y = build(*[p for p, _ in feeds])
    with pytest.raises(tf.errors.InvalidArgumentError, match=message) as info:
        _run(y if not isinstance(y, list) else y[0], {p: v for p, v in feeds})
    return y, info.value


def test_reshape_to_impossible_size_at_run_time():
    x = tf.placeholder(tf.float32, [None])
    shape = tf.placeholder(tf.int32, [None])
    y = tf.reshape(x, shape)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Input to reshape is a tensor with 3 values, but the requested shape has 4") as info:
        _run(y, {x: [1, 2, 3], shape: [2, 2]})
    assert info.value.op is y.op and "Reshape" in str(info.value)
    with pytest.raises(tf.errors.InvalidArgumentError, match="requires a multiple of 2"):
        _run(y, {x: [1, 2, 3], shape: [-1, 2]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Only one input size may be -1"):
        _run(y, {x: [1, 2, 3], shape: [-1, -1]})


def test_gather_index_out_of_range_is_an_error_not_a_wrap():
    params = tf.placeholder(tf.float32, [None, 3])
    indices = tf.placeholder(tf.int32, [None])
    y = tf.gather(params, indices)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = 5 is not in \[0, 2\)") as info:
        _run(y, {params: np.zeros((2, 3)), indices: [0, 5]})
    assert info.value.op is y.op
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = -1 is not in \[0, 2\)"):
        _run(y, {params: np.zeros((2, 3)), indices: [-1]})


@pytest.mark.parametrize("build, feed, message", [
    (lambda x: tf.squeeze(x, [0]), np.zeros((2, 3)), "Can not squeeze dim\\[0\\]"),
    (lambda x: tf.split(x, 2, 0), np.zeros((3, 3)), "evenly divide"),
    (lambda x: tf.slice(x, [0, 0], [3, 1]), np.zeros((2, 3)), "Expected size\\[0\\] in \\[0, 2\\]"),
    (lambda x: tf.pad(x, [[3, 3], [0, 0]], "REFLECT"), np.zeros((3, 3)), "paddings must be no greater"),
    (lambda x: tf.where(tf.constant([True, False]), x, x), np.zeros((3, 3)), "Number of batches"),
    (lambda x: tf.concat([x, tf.zeros([2, 2])], 0), np.zeros((2, 3)), "ConcatOp|concatenat"),
])
def test_runtime_errors(build, feed, message):
    x = tf.placeholder(tf.float32, [None, None])
    y = build(x)
    y = y[0] if isinstance(y, list) else y
    with pytest.raises(tf.errors.InvalidArgumentError, match=message) as info:
        _run(y, {x: feed})
    assert info.value.op is not None


def test_range_runtime_errors():
    n = tf.placeholder(tf.int32, ())
    with pytest.raises(tf.errors.InvalidArgumentError, match="Requires start <= limit"):
        _run(tf.range(n, 1), {n: 5})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Requires delta != 0"):
        _run(tf.range(1, 5, n), {n: 0})


# ======================================================================================
# Static shapes with unknown dims
# ======================================================================================
def test_static_shapes_with_unknown_dims():
    x = tf.placeholder(tf.float32, (None, 3))
    u = tf.placeholder(tf.float32)
    cases = {
        "reshape-flat": (tf.reshape(x, [-1]), [None]),
        "reshape-rows": (tf.reshape(x, [-1, 3]), [None, 3]),
        "reshape-known-count": (tf.reshape(tf.zeros([4, 3]), [2, -1]), [2, 6]),
        "reshape-own-shape": (tf.reshape(x, tf.shape(x)), [None, 3]),
        "reshape-packed": (tf.reshape(x, tf.stack([tf.shape(x)[0], 3, 1])), [None, 3, 1]),
        "transpose": (tf.transpose(x), [3, None]),
        "concat": (tf.concat([x, tf.zeros([2, 3])], 0), [None, 3]),
        "concat-unknown-axis": (tf.concat([x, x], tf.placeholder(tf.int32, ())), [None, None]),
        "stack": (tf.stack([x, x], axis=1), [None, 2, 3]),
        "unstack": (tf.unstack(x, axis=1)[0], [None]),
        "split": (tf.split(x, [1, -1], 1)[1], [None, 2]),
        "slice": (tf.slice(x, [0, 1], [-1, -1]), [None, 2]),
        "getitem": (x[1:, 0], [None]),
        "expand": (tf.expand_dims(x, 1), [None, 1, 3]),
        "squeeze-unknown": (tf.squeeze(tf.expand_dims(x, 0)).shape.dims, None),
        "tile": (tf.tile(x, [2, 2]), [None, 6]),
        "pad": (tf.pad(x, [[1, 1], [2, 2]]), [None, 7]),
        "gather": (tf.gather(x, tf.placeholder(tf.int32, [5, 2]), axis=0), [5, 2, 3]),
        "one_hot": (tf.one_hot(tf.placeholder(tf.int32, [None]), tf.placeholder(tf.int32, [])), [None, None]),
        "shape": (tf.shape(x), [2]),
        "fill": (tf.fill(tf.shape(x), 1.0), [None, 3]),
        "zeros": (tf.zeros(tf.shape(x)), [None, 3]),
        "zeros-list": (tf.zeros([tf.shape(x)[0], 4]), [None, 4]),
        "ones_like": (tf.ones_like(x), [None, 3]),
        "where": (tf.where(x > 0), [None, 2]),
        "select": (tf.where(x > 0, x, x), [None, 3]),
        "boolean_mask": (tf.boolean_mask(x, x[:, 0] > 0), [None, 3]),
        "range": (tf.range(tf.shape(x)[0]), [None]),
        # Known entries of shape vectors are followed through Shape, Pack and StridedSlice.
        "range-of-known-dim": (tf.range(tf.shape(tf.zeros([4, 2]))[0]), [4]),
        "reshape-known-dim": (tf.reshape(x, [tf.shape(x)[1], -1]), [3, None]),
        "zeros-of-dims": (tf.zeros([tf.shape(x)[0], tf.shape(x)[1]]), [None, 3]),
        "fill-of-slice": (tf.fill(tf.shape(x)[1:], 0.0), [3]),
        "unknown-rank-reshape": (tf.reshape(u, [2, -1]), [2, None]),
    }
    for name, (tensor, expected) in cases.items():
        shape = tensor if tensor is None else tensor.shape.as_list() if hasattr(tensor, "shape") else tensor
        assert shape == expected, name
    assert tf.transpose(u).shape.dims is None


def test_dynamic_reshape_runs():
    x = tf.placeholder(tf.float32, (None, 3, 2))
    y = tf.reshape(x, [tf.shape(x)[0], -1])
    assert y.shape.as_list() == [None, None]
    np.testing.assert_array_equal(_run(y, {x: X.reshape(-1, 3, 2)[:4]}), X.reshape(-1, 6)[:4])


# ======================================================================================
# Auto-packing of Python lists, dtype inference
# ======================================================================================
def test_stack_packs_mixed_lists_with_tf1_names():
    s = tf.placeholder(tf.float32, (), name="s")
    y = tf.stack([s, 1.0, 2])
    assert (y.op.type, y.op.name, y.dtype) == ("Pack", "stack", tf.float32)
    assert [t.op.name for t in y.op.inputs] == ["s", "stack/1", "stack/2"]
    nested = tf.stack([[s, 1], [2, 3]])
    assert nested.shape.as_list() == [2, 2] and nested.dtype == tf.float32
    constant = tf.stack([1, 2])
    assert constant.op.type == "Const" and constant.dtype == tf.int32
    np.testing.assert_array_equal(_run([y, nested], {s: 5.0})[1], [[5, 1], [2, 3]])


def test_convert_to_tensor_auto_packs_through_stack():
    i = tf.placeholder(tf.int32, ())
    y = tf.convert_to_tensor([i, 2, 3])
    assert y.op.type == "Pack" and y.shape.as_list() == [3]
    np.testing.assert_array_equal(_run(y, {i: 1}), [1, 2, 3])
    # Shape arguments with tensors in them are packed as well.
    x = tf.placeholder(tf.float32, (None, 2))
    z = tf.reshape(x, [tf.shape(x)[0] * 2, 1])
    assert _run(z, {x: np.ones((3, 2))}).shape == (6, 1)


def test_dtype_inference():
    assert tf.range(3).dtype == tf.int32
    assert tf.range(1, 5.0).dtype == tf.float32
    assert tf.range(tf.constant(3, tf.int64)).dtype == tf.int64
    assert tf.range(0.0, 1.0, 0.25, dtype=tf.float64).dtype == tf.float64
    assert tf.one_hot([1], 3).dtype == tf.float32
    assert tf.one_hot([1], 3, on_value=5).dtype == tf.int32
    assert tf.where([True, False]).dtype == tf.int64
    assert tf.shape(tf.placeholder(tf.float32), out_type=tf.int64).dtype == tf.int64
    assert tf.zeros([2]).dtype == tf.float32 and tf.ones([2], tf.bool).dtype == tf.bool
    assert tf.zeros_like(tf.zeros([2]), dtype=tf.int64).dtype == tf.int64
    np.testing.assert_array_equal(_run(tf.range(0.5, 2)), np.array([0.5, 1.5], np.float32))
    assert tf.newaxis is None


def test_zeros_ones_values():
    big = tf.zeros([40, 30], tf.int32)
    results = _run([tf.zeros((2, 2), tf.bool), tf.ones([3], tf.int64), tf.ones(tf.constant(3)), big])
    assert results[0].dtype == np.bool_ and not results[0].any()
    assert results[1].dtype == np.int64 and (results[1] == 1).all()
    assert results[2].shape == (3,) and results[3].shape == (40, 30)


# ======================================================================================
# TF1 graph structure and names
# ======================================================================================
def test_tf1_names_and_op_types():
    x = tf.placeholder(tf.float32, (None, 3), name="x")
    assert (tf.zeros([2, 3]).op.type, tf.zeros([2, 3]).op.name) == ("Const", "zeros_1")
    assert tf.zeros([1000]).op.type == "Fill"
    assert [t.op.name for t in tf.zeros([1000]).op.inputs] == ["zeros_3/shape_as_tensor", "zeros_3/Const"]
    assert (tf.ones_like(x).op.type, tf.ones_like(x).op.name) == ("Fill", "ones_like_1")
    assert tf.zeros_like(x).op.type == "ZerosLike"
    y = x[0]
    assert y.op.name == "strided_slice"
    assert [t.op.name for t in y.op.inputs] == ["x", "strided_slice/stack", "strided_slice/stack_1",
                                                 "strided_slice/stack_2"]
    assert (tf.concat([x], 0).op.type, tf.concat([x], 0).op.name) == ("Identity", "concat_1")
    assert [t.name for t in tf.split(x, 3, 1)] == ["split:0", "split:1", "split:2"]
    assert [t.name for t in tf.unstack(tf.zeros([2, 3]))] == ["unstack:0", "unstack:1"]
    assert tf.boolean_mask(x, x[:, 0] > 0).name == "boolean_mask/GatherV2:0"
    r = tf.range(1, 5.0)
    assert r.name == "range:0"
    assert [t.op.name for t in r.op.inputs] == ["range/Cast", "range/limit", "range/Cast_1"]
    assert tf.one_hot([1], 3).name == "one_hot:0"
    assert tf.transpose(x).op.name == "transpose"
    assert tf.rank(x).op.type == "Const" and tf.shape(tf.zeros([2])).op.type == "Const"
    assert tf.shape(x).op.type == "Shape" and tf.size(x).op.type == "Size"
    assert tf.where(x > 0).op.name == "Where" and tf.where(x > 0, x, x).op.type == "Select"
    assert tf.pad(x, [[0, 0], [1, 1]], constant_values=1).op.type == "PadV2"
    assert tf.reverse(x, [0]).op.type == "ReverseV2"


def test_sequence_mask_and_shape_n():
    lengths = tf.constant([1, 3])
    mask = tf.sequence_mask(lengths, 4, dtype=tf.float32)
    assert mask.dtype == tf.float32 and mask.shape.as_list() == [2, 4]
    np.testing.assert_array_equal(_run(mask), [[1, 0, 0, 0], [1, 1, 1, 0]])
    if hasattr(tf, "reduce_max"):  # the default maxlen is max(lengths), from the math family
        np.testing.assert_array_equal(_run(tf.sequence_mask(lengths)), [[1, 0, 0], [1, 1, 1]])
    shapes = tf.shape_n([tf.zeros([2, 3]), tf.zeros([4])])
    assert [s.shape.as_list() for s in shapes] == [[2], [1]]
    np.testing.assert_array_equal(_run(shapes)[1], [4])


# ======================================================================================
# Kernel contract: 0-d values travel as NumPy scalars (the fetch path would hide 0-d arrays)
# ======================================================================================
def _kernel_output(tensor, *inputs):
    from minitf.runtime.devices import local_devices
    from minitf.runtime.kernel_registry import KernelContext, find_kernel
    op = tensor.op
    return find_kernel(op, "CPU")(KernelContext(op, local_devices()[0], None, None))(*inputs)


@pytest.mark.parametrize("build, inputs", [
    (lambda x: tf.reshape(x, []), [np.array([[2.5]], np.float32), np.array([], np.int32)]),
    (lambda x: tf.squeeze(x), [np.array([[2.5]], np.float32)]),
    (lambda x: tf.transpose(tf.reshape(x, [])), [np.float32(2.5), np.array([], np.int32)]),
    (lambda x: tf.slice(tf.reshape(x, []), [], []), [np.float32(2.5)] + [np.array([], np.int32)] * 2),
    (lambda x: x[0, 0], [np.array([[2.5]], np.float32)] + [np.array([0, 0], np.int32)] * 2
     + [np.array([1, 1], np.int32)]),
    (lambda x: tf.gather(tf.reshape(x, [-1]), 0), [np.array([2.5], np.float32), np.int32(0), np.int32(0)]),
    (lambda x: tf.tile(tf.reshape(x, []), []), [np.float32(2.5), np.array([], np.int32)]),
    (lambda x: tf.fill([], tf.reshape(x, [])), [np.array([], np.int32), np.float32(2.5)]),
    (lambda x: tf.zeros_like(tf.reshape(x, [])), [np.float32(2.5)]),
    (lambda x: tf.where(True, tf.reshape(x, []), tf.reshape(x, [])), [np.bool_(True), np.float32(2.5),
                                                                      np.float32(1.0)]),
    (lambda x: tf.size(x, out_type=tf.int64), [np.array([[2.5]], np.float32)]),
])
def test_kernels_return_numpy_scalars_for_0d_results(build, inputs):
    y = build(tf.placeholder(tf.float32))
    result = _kernel_output(y, *inputs)
    assert isinstance(result, np.generic) and result.dtype == y.dtype.as_numpy_dtype, type(result)


def test_unpack_of_a_vector_gives_scalars():
    y = tf.unstack(tf.placeholder(tf.int64, [3]))
    results = _kernel_output(y[0], np.arange(3, dtype=np.int64))
    assert all(isinstance(r, np.int64) for r in results)


def test_gpu_kernels_cover_numbers_but_not_strings():
    from minitf.runtime.kernel_registry import find_kernel
    numbers = tf.reshape(tf.placeholder(tf.float32, [2]), [2, 1])
    strings = tf.reshape(tf.constant([b"a", b"b"]), [2, 1])
    assert find_kernel(numbers.op, "GPU") is not None and find_kernel(strings.op, "GPU") is None
    assert find_kernel(strings.op, "CPU") is not None
