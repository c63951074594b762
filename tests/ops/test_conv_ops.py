"""Convolution and pooling beyond the harness table: construction errors, conv2d_transpose's
output_shape, the graphs conv1d/atrous/separable/depthwise build, max-pool tie-breaking, SAME
average pooling, static shapes against runtime shapes, and runtime shape errors. Expected values
and messages are TF1's (checked against TensorFlow)."""
import re

import numpy as np
import pytest

import minitf as tf
from minitf.ops.op_builder import apply_op


def _ops(prefix=""):
    return [(op.name, op.type) for op in tf.get_default_graph().get_operations() if op.name.startswith(prefix)]


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def _x(shape=(2, 9, 9, 3)):
    return tf.placeholder(tf.float32, shape, name="x")


# ======================================================================================
# Construction errors
# ======================================================================================
_W = (3, 3, 3, 4)


@pytest.mark.parametrize("build,message", [
    (lambda x: tf.nn.conv2d(x, tf.ones(_W), [1, 1, 1], "SAME"), "strides should be of length 1, 2 or 4 but was 3"),
    (lambda x: apply_op("Conv2D", x, tf.ones(_W), strides=[1, 1, 1], padding="SAME"),
     "Conv2D requires the stride attribute to contain 4 values, but got: 3"),
    (lambda x: tf.nn.conv2d(x, tf.ones(_W), [2, 1, 1, 1], "SAME"),
     "Current implementation does not yet support strides in the batch and depth dimensions."),
    (lambda x: tf.nn.conv2d(x, tf.ones(_W), [1, 1, 1, 2], "SAME"),
     "Current implementation does not yet support strides in the batch and depth dimensions."),
    (lambda x: tf.nn.conv2d(x, tf.ones(_W), 1, "SAME", dilations=[1, 1, 1, 2]),
     "Current implementation does not yet support dilations in the batch and depth dimensions."),
    (lambda x: tf.nn.conv2d(x, tf.ones(_W), 1, "FOO"),
     """Attr 'padding' of 'Conv2D' Op passed string 'FOO' not in: "SAME", "VALID", "EXPLICIT"."""),
    (lambda x: tf.nn.conv2d(x, tf.ones(_W), 1, "same"), "Attr 'padding' of 'Conv2D' Op passed string 'same'"),
    (lambda x: tf.nn.conv2d(x, tf.ones(_W), 1, "EXPLICIT"), "the padding parameter must be a list"),
    (lambda x: tf.nn.conv2d(x, tf.ones(_W), 1, [[0, 0], [1, 1], [1, 1]]), "it must be of size 4"),
    (lambda x: tf.nn.conv2d(x, tf.ones(_W), 1, [[1, 0], [1, 1], [1, 1], [0, 0]]),
     "zero in the batch and depth dimensions"),
    (lambda x: tf.nn.conv2d(x, tf.ones([3, 3, 2, 4]), 1, "SAME"), "Dimensions must be equal, but are 3 and 2"),
    (lambda x: tf.nn.conv2d(x, tf.ones([3, 3, 3]), 1, "SAME"), "Shape must be rank 4 but is rank 3"),
    (lambda x: tf.nn.conv2d(x[0], tf.ones(_W), 1, "SAME"), "Shape must be rank 4 but is rank 3"),
    (lambda x: tf.nn.conv2d(x, tf.ones([10, 3, 3, 4]), 1, "VALID"),
     "Negative dimension size caused by subtracting 10 from 9"),
    (lambda x: tf.nn.conv2d(x, tf.ones(_W), [1, 0, 1, 1], "SAME"), "Stride must be > 0, but got 0"),
    (lambda x: tf.nn.conv2d(x, tf.ones(_W), 1, "SAME", data_format="NHCW"),
     'Value for attr \'data_format\' of "NHCW" is not in the list of allowed values: "NHWC", "NCHW"'),
    (lambda x: tf.nn.max_pool(x, [1, 2, 2, 1], 1, "SAME", data_format="NCHW"),  # pools over NCHW's channels
     "Current implementation does not yet support pooling in the batch and depth dimensions"),
    (lambda x: tf.nn.depthwise_conv2d(x, tf.ones([3, 3, 2, 2]), [1, 1, 1, 1], "SAME"),
     "Dimensions must be equal, but are 3 and 2"),
    (lambda x: tf.nn.depthwise_conv2d(x, tf.ones([3, 3, 3, 2]), [1, 2, 2, 1], "SAME", rate=[2, 2]),
     "strides > 1 not supported in conjunction with dilation_rate > 1"),
    (lambda x: tf.nn.conv3d(tf.ones([1, 4, 4, 4, 2]), tf.ones([2, 2, 2, 3, 3]), [1] * 5, "SAME"),
     "Dimensions must be equal, but are 2 and 3"),
    (lambda x: tf.nn.conv3d(tf.ones([1, 4, 4, 4, 2]), tf.ones([2, 2, 2, 2, 3]), [1] * 4, "SAME"),
     "strides should be of length 1, 3 or 5 but was 4"),
    (lambda x: apply_op("Conv3D", tf.ones([1, 4, 4, 4, 2]), tf.ones([2, 2, 2, 2, 3]), strides=[1] * 4,
                        padding="SAME"), "Conv3D requires the stride attribute to contain 5 values, but got: 4"),
    (lambda x: tf.nn.conv3d(tf.ones([1, 4, 4, 4, 2]), tf.ones([2, 2, 2, 2, 3]), [2, 1, 1, 1, 1], "SAME"),
     "Current implementation does not yet support strides in the batch and depth dimensions."),
    (lambda x: tf.nn.max_pool(x, [1, 2, 2], [1, 2, 2, 1], "SAME"), "ksize should be of length 1, 2 or 4 but was 3"),
    (lambda x: tf.nn.max_pool(x, [2, 2, 2, 1], [1, 2, 2, 1], "SAME"),
     "Current implementation does not yet support pooling in the batch and depth dimensions."),
    (lambda x: tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 2], "SAME"),
     "Current implementation does not yet support strides in the batch and depth dimensions."),
    (lambda x: tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "FOO"),
     """Attr 'padding' of 'MaxPool' Op passed string 'FOO' not in: "SAME", "VALID"."""),
    (lambda x: tf.nn.avg_pool(x, [1, 10, 2, 1], 1, "VALID"),
     "Negative dimension size caused by subtracting 10 from 9"),
    (lambda x: tf.nn.max_pool(x, [1, 0, 2, 1], 1, "VALID"), "ksize cannot be zero."),
    (lambda x: tf.nn.max_pool3d(x, 2, 2, "VALID"), "Shape must be rank 5 but is rank 4"),
    (lambda x: tf.nn.atrous_conv2d(x, tf.ones(_W), 0, "SAME"), "dilation_rate must be positive"),
    (lambda x: tf.nn.atrous_conv2d(x, tf.ones(_W), 2, "FOO"), "padding must be either VALID or SAME: FOO"),
    (lambda x: tf.nn.separable_conv2d(x, tf.ones([3, 3, 3, 2]), tf.ones([2, 1, 6, 5]), [1, 1, 1, 1], "VALID"),
     "Dimensions 2 and 1 are not compatible"),
    (lambda x: tf.nn.separable_conv2d(x, tf.ones([3, 3, 3, 2]), tf.ones([1, 1, 5, 5]), [1, 1, 1, 1], "VALID"),
     "Dimensions must be equal, but are 6 and 5"),
    (lambda x: tf.nn.conv1d(tf.ones([2, 10, 3]), tf.ones([3, 3, 4]), [1, 2], "SAME"),
     "stride should be of length 1, 1 or 3 but was 2"),
])
def test_construction_errors_raise_value_error(build, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        build(_x())


def test_dtype_errors_are_type_errors():
    with pytest.raises(TypeError, match="does not match"):
        tf.nn.conv2d(_x(), tf.ones(_W, tf.float64), 1, "SAME")
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.nn.conv2d(tf.ones([1, 3, 3, 1], tf.int32), tf.ones([1, 1, 1, 1], tf.int32), 1, "SAME")
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.nn.avg_pool(tf.ones([1, 4, 4, 1], tf.int32), 2, 2, "VALID")
    assert tf.nn.max_pool(tf.ones([1, 4, 4, 1], tf.int32), 2, 2, "VALID").dtype == tf.int32  # TF1 pools ints


# ======================================================================================
# Attrs and graph structure of the tf.nn functions
# ======================================================================================
def test_conv2d_attrs_are_tf1s():
    y = tf.nn.conv2d(_x(), tf.ones(_W), [2, 2], "SAME")
    assert y.op.name == "Conv2D" and y.op.type == "Conv2D"
    assert y.op.attrs == {"T": tf.float32, "strides": [1, 2, 2, 1], "padding": "SAME", "data_format": "NHWC",
                          "dilations": [1, 1, 1, 1], "use_cudnn_on_gpu": True, "explicit_paddings": []}
    explicit = tf.nn.conv2d(_x(), tf.ones(_W), 2, [[0, 0], [1, 2], [0, 1], [0, 0]])
    assert explicit.op.get_attr("padding") == "EXPLICIT"
    assert explicit.op.get_attr("explicit_paddings") == [0, 0, 1, 2, 0, 1, 0, 0]
    assert explicit.shape.as_list() == [2, 5, 4, 4]  # TF1: (9 + 3 - 3) // 2 + 1 and (9 + 1 - 3) // 2 + 1


def test_pool_attrs_and_names():
    pooled = tf.nn.max_pool(_x(), 2, 2, "SAME")
    assert (pooled.op.name, pooled.op.type) == ("MaxPool", "MaxPool")
    assert pooled.op.attrs == {"T": tf.float32, "ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1], "padding": "SAME",
                               "data_format": "NHWC"}
    assert tf.nn.avg_pool(_x(), 2, 2, "VALID", name="avg").op.name == "avg"
    assert tf.nn.max_pool3d(tf.ones([1, 4, 4, 4, 2]), 2, 2, "SAME").op.get_attr("data_format") == "NDHWC"


def test_conv1d_builds_expand_dims_conv2d_squeeze():
    y = tf.nn.conv1d(tf.ones([2, 10, 3]), tf.ones([3, 3, 4]), 2, "SAME")
    assert _ops("conv1d") == [("conv1d/ExpandDims/dim", "Const"), ("conv1d/ExpandDims", "ExpandDims"),
                              ("conv1d/ExpandDims_1/dim", "Const"), ("conv1d/ExpandDims_1", "ExpandDims"),
                              ("conv1d", "Conv2D"), ("conv1d/Squeeze", "Squeeze")]
    conv = tf.get_default_graph().get_operation_by_name("conv1d")
    assert conv.get_attr("strides") == [1, 1, 2, 1] and conv.get_attr("padding") == "SAME"
    assert y.name == "conv1d/Squeeze:0" and y.shape.as_list() == [2, 5, 4]


def test_atrous_conv2d_is_one_dilated_conv2d():
    y = tf.nn.atrous_conv2d(_x(), tf.ones(_W), 2, "VALID")
    assert (y.op.name, y.op.type) == ("convolution", "Conv2D")
    assert y.op.get_attr("dilations") == [1, 2, 2, 1] and y.op.get_attr("strides") == [1, 1, 1, 1]
    assert y.shape.as_list() == [2, 5, 5, 4]  # a 3x3 filter at rate 2 spans 5
    assert tf.nn.atrous_conv2d(_x(), tf.ones(_W), 2, "SAME").shape.as_list() == [2, 9, 9, 4]


def test_depthwise_and_separable_structure():
    depthwise = tf.nn.depthwise_conv2d(_x(), tf.ones([3, 3, 3, 2]), [1, 1, 1, 1], "SAME", rate=[2, 2])
    assert (depthwise.op.name, depthwise.op.type) == ("depthwise", "DepthwiseConv2dNative")
    assert depthwise.op.get_attr("dilations") == [1, 2, 2, 1] and depthwise.shape.as_list() == [2, 9, 9, 6]
    y = tf.nn.separable_conv2d(_x(), tf.ones([3, 3, 3, 2]), tf.ones([1, 1, 6, 5]), [1, 1, 1, 1], "VALID")
    assert (y.op.name, y.op.type) == ("separable_conv2d", "Conv2D")
    assert y.op.get_attr("padding") == "VALID" and y.op.get_attr("strides") == [1, 1, 1, 1]
    inner = y.op.inputs[0].op
    assert (inner.name, inner.type) == ("separable_conv2d/depthwise", "DepthwiseConv2dNative")
    assert y.shape.as_list() == [2, 7, 7, 5]


def test_gradients_use_tf1_ops():
    x, w = _x(), tf.Variable(tf.ones(_W))
    y = tf.nn.conv2d(x, w, 2, "SAME")
    dx, dw = tf.gradients(y, [x, w])
    assert (dx.op.type, dw.op.type) == ("Conv2DBackpropInput", "Conv2DBackpropFilter")
    assert dx.op.inputs[0].op.type == "ShapeN" and dx.shape.as_list() == [2, 9, 9, 3]
    assert dw.shape.as_list() == list(_W)
    pooled = tf.nn.max_pool(x, 2, 2, "SAME")
    assert tf.gradients(pooled, x)[0].op.type == "MaxPoolGrad"
    assert tf.gradients(tf.nn.avg_pool(x, 2, 2, "SAME"), x)[0].op.type == "AvgPoolGrad"


# ======================================================================================
# conv2d_transpose: output_shape handling
# ======================================================================================
def test_conv2d_transpose_builds_conv2d_backprop_input():
    value, filters = tf.ones([2, 4, 4, 4]), tf.ones([3, 3, 5, 4])
    y = tf.nn.conv2d_transpose(value, filters, [2, 8, 8, 5], [1, 2, 2, 1])
    assert (y.op.name, y.op.type) == ("conv2d_transpose", "Conv2DBackpropInput")
    sizes, w, dy = y.op.inputs
    assert sizes.op.name == "conv2d_transpose/output_shape" and sizes.dtype == tf.int32
    assert (w, dy) == (filters, value)
    assert y.shape.as_list() == [2, 8, 8, 5] and y.op.get_attr("padding") == "SAME"


def test_conv2d_transpose_output_shape_from_tensors():
    x = tf.placeholder(tf.float32, [None, 4, 4, 4])
    y = tf.nn.conv2d_transpose(x, tf.ones([3, 3, 5, 4]), tf.stack([tf.shape(x)[0], 8, 8, 5]), [1, 2, 2, 1])
    assert y.shape.as_list() == [None, 8, 8, 5]
    fed = tf.placeholder(tf.int32, [4])
    free = tf.nn.conv2d_transpose(x, tf.ones([3, 3, 5, 4]), fed, [1, 2, 2, 1])
    assert free.shape.as_list() == [None] * 4
    value = np.ones((3, 4, 4, 4), np.float32)
    got = _run(free, {x: value, fed: [3, 7, 8, 5]})
    assert got.shape == (3, 7, 8, 5)  # SAME, stride 2: 7 and 8 both give 4 outputs


@pytest.mark.parametrize("value,output_shape,padding,message", [
    ((2, 4, 4, 3), [2, 8, 8, 5], "SAME", "input channels does not match filter's input channels, 3 != 4"),
    ((2, 4, 4, 4), [2, 8, 8], "SAME", "output_shape must have shape (4,), got (3,)"),
    ((2, 4, 4, 4), [2, 8, 8, 6], "SAME", "output_shape does not match filter's output channels, 6 != 5"),
    ((2, 4, 4, 4), [2, 8, 8, 5], "FOO", "padding must be either VALID or SAME: FOO"),
])
def test_conv2d_transpose_argument_errors(value, output_shape, padding, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        tf.nn.conv2d_transpose(tf.ones(value), tf.ones([3, 3, 5, 4]), output_shape, [1, 2, 2, 1], padding)


def test_conv2d_transpose_inconsistent_output_shape_fails_at_run_time():
    y = tf.nn.conv2d_transpose(tf.ones([2, 4, 4, 4]), tf.ones([3, 3, 5, 4]), [2, 10, 10, 5], [1, 2, 2, 1])
    assert y.shape.as_list() == [2, 10, 10, 5]  # TF1 accepts it at construction
    with pytest.raises(tf.errors.InvalidArgumentError, match="out_backprop has shape"):
        _run(y)


def test_conv2d_transpose_is_the_adjoint_of_conv2d():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(2, 7, 8, 3)), rng.normal(size=(3, 2, 3, 5))
    for padding, strides in [("SAME", 2), ("VALID", 2), ("SAME", 1)]:
        forward = tf.nn.conv2d(tf.constant(x), tf.constant(w), strides, padding)
        y = rng.normal(size=forward.shape.as_list())
        back = tf.nn.conv2d_transpose(tf.constant(y), tf.constant(w), list(x.shape), strides, padding)
        conv_x, transposed_y = _run([forward, back])
        np.testing.assert_allclose(np.sum(conv_x * y), np.sum(x * transposed_y), rtol=1e-10)


def test_conv3d_transpose_builds_conv3d_backprop_input_v2():
    y = tf.nn.conv3d_transpose(tf.ones([1, 2, 2, 2, 4]), tf.ones([2, 2, 2, 3, 4]), [1, 4, 4, 4, 3], [1, 2, 2, 2, 1])
    assert y.op.type == "Conv3DBackpropInputV2" and y.shape.as_list() == [1, 4, 4, 4, 3]
    assert _run(y).sum() == pytest.approx(4 * 64 * 3)  # every output element sums 1 window of 4 ones


# ======================================================================================
# Pooling semantics: first max wins ties; SAME averages only real elements
# ======================================================================================
_TIES = np.array([[1, 3, 3, 0], [3, 2, 1, 3], [0, 0, 5, 5], [0, 5, 5, 1]], np.float32).reshape(1, 4, 4, 1)


@pytest.mark.parametrize("ksize,strides,padding,grad,expected", [
    (2, 2, "VALID", [[1, 2], [3, 4]], [[0, 1, 2, 0], [0, 0, 0, 0], [0, 0, 4, 0], [0, 3, 0, 0]]),
    (3, 1, "SAME", np.ones((4, 4)), [[0, 4, 1, 0], [0, 0, 0, 0], [0, 0, 9, 0], [0, 2, 0, 0]]),
])
def test_max_pool_gradient_goes_to_the_first_max(ksize, strides, padding, grad, expected):
    x = tf.constant(_TIES)
    pooled = tf.nn.max_pool(x, ksize, strides, padding)
    dx = tf.gradients(pooled, x, tf.constant(np.asarray(grad, np.float32).reshape(pooled.shape.as_list())))[0]
    np.testing.assert_array_equal(_run(dx)[0, ..., 0], expected)


def test_max_pool_grad_grad_reads_the_first_max():
    x = tf.constant(_TIES)
    pooled = tf.nn.max_pool(x, 2, 2, "VALID")
    g = tf.constant(np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1))
    out = apply_op("MaxPoolGradGrad", x, pooled, g, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")
    np.testing.assert_array_equal(_run(out)[0, ..., 0], [[1, 2], [13, 10]])


def test_all_equal_window_gives_its_gradient_to_the_top_left():
    x = tf.zeros([1, 4, 4, 2])
    dx = tf.gradients(tf.nn.max_pool(x, 2, 2, "VALID"), x)[0]
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 1
    np.testing.assert_array_equal(_run(dx)[0, ..., 1], expected)


def test_avg_pool_same_averages_real_elements_only():
    ones = _run(tf.nn.avg_pool(tf.ones([1, 3, 3, 1]), 2, 2, "SAME"))
    np.testing.assert_array_equal(ones, np.ones((1, 2, 2, 1)))
    x = tf.constant(_TIES)
    y = tf.nn.avg_pool(x, 3, 2, "SAME")
    dx = tf.gradients(y, x)[0]
    got, grad = _run([y, dx])
    np.testing.assert_allclose(got[0, ..., 0], [[2.0, 17 / 6], [2.5, 4.0]], rtol=1e-6)  # TF1's values
    np.testing.assert_allclose(grad[0, :, 0, 0], [1 / 9, 1 / 9, 5 / 18, 1 / 6], rtol=1e-6)


def test_max_pool_padding_never_wins_over_negative_values():
    x = tf.constant(-np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1))
    np.testing.assert_array_equal(_run(tf.nn.max_pool(x, 2, 2, "SAME"))[0, ..., 0], [[-1, -3], [-7, -9]])


# ======================================================================================
# Static shapes against runtime shapes, dtypes kept
# ======================================================================================
@pytest.mark.parametrize("build,static,fed", [
    (lambda x: tf.nn.conv2d(x, tf.ones([3, 3, 3, 4]), [1, 2, 2, 1], "SAME"), [None, None, 5, 4], (2, 7, 9, 3)),
    (lambda x: tf.nn.conv2d(x, tf.ones([3, 2, 3, 4]), 3, "VALID", dilations=2), [None, None, 3, 4], (1, 8, 9, 3)),
    (lambda x: tf.nn.depthwise_conv2d(x, tf.ones([3, 3, 3, 2]), [1, 2, 2, 1], "VALID"), [None, None, 4, 6],
     (2, 7, 9, 3)),
    (lambda x: tf.nn.max_pool(x, [1, 3, 2, 1], [1, 2, 2, 1], "SAME"), [None, None, 5, 3], (2, 5, 9, 3)),
    (lambda x: tf.nn.avg_pool(x, 3, 2, "VALID"), [None, None, 4, 3], (1, 6, 9, 3)),
    (lambda x: tf.gradients(tf.nn.conv2d(x, tf.ones([3, 3, 3, 4]), 2, "SAME"), x)[0], [None, None, 9, 3],
     (2, 7, 9, 3)),
    (lambda x: tf.gradients(tf.nn.max_pool(x, 3, 2, "SAME"), x)[0], [None, None, 9, 3], (1, 5, 9, 3)),
])
def test_static_shape_agrees_with_runtime(build, static, fed):
    x = tf.placeholder(tf.float32, [None, None, 9, 3])
    y = build(x)
    assert y.shape.as_list() == static
    value = _run(y, {x: np.ones(fed, np.float32)})
    assert y.shape.is_compatible_with(value.shape) and value.dtype == np.float32


def test_unknown_rank_input_keeps_known_channels():
    y = tf.nn.conv2d(tf.placeholder(tf.float32), tf.ones([3, 3, 3, 4]), 2, "SAME")
    assert y.shape.as_list() == [None, None, None, 4]


def test_float32_gradients_stay_float32():
    x = tf.constant(np.ones((2, 6, 6, 1), np.float32))
    w = tf.constant(np.ones((3, 3, 1, 8), np.float32))
    y = tf.nn.max_pool(tf.nn.conv2d(x, w, 1, "SAME"), 2, 2, "VALID")
    values = _run(tf.gradients(tf.reduce_sum(y * y), [x, w]) + [y])
    assert [v.dtype for v in values] == [np.float32] * 3


def test_depth_mismatch_known_only_at_run_time_is_invalid_argument():
    x = tf.placeholder(tf.float32, [None, None, None, None])
    y = tf.nn.conv2d(x, tf.ones([3, 3, 3, 4]), 1, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="input and filter must have the same depth: 2 vs 3"):
        _run(y, {x: np.ones((1, 4, 4, 2), np.float32)})


# ======================================================================================
# Kernel fast paths against naive NumPy loops
# ======================================================================================
def _first_max_grad(x, grad, ksize, strides):
    """MaxPoolGrad by one loop per window (VALID): each output's gradient goes to its window's
    first (row-major) max."""
    dx = np.zeros_like(x)
    for n in range(x.shape[0]):
        for c in range(x.shape[-1]):
            for out in np.ndindex(*grad.shape[1:-1]):
                corner = [o * s for o, s in zip(out, strides)]
                window = x[(n, *(slice(a, a + k) for a, k in zip(corner, ksize)), c)]
                first = np.unravel_index(np.argmax(window), window.shape)
                dx[(n, *(a + f for a, f in zip(corner, first)), c)] += grad[(n, *out, c)]
    return dx


@pytest.mark.parametrize("pool,shape,ksize,strides", [
    (tf.nn.max_pool, (2, 6, 8, 3), (2, 2), (2, 2)),      # windows tile the input: the tiled path
    (tf.nn.max_pool, (2, 6, 9, 3), (3, 3), (3, 3)),
    (tf.nn.max_pool, (2, 7, 7, 3), (2, 2), (2, 2)),      # a leftover row and column: general path
    (tf.nn.max_pool3d, (2, 4, 4, 6, 2), (2, 2, 2), (2, 2, 2)),
])
def test_max_pool_grad_matches_first_max_loop_with_many_ties(pool, shape, ksize, strides):
    rng = np.random.default_rng(3)
    values = rng.integers(0, 3, shape).astype(np.float32)  # small integers: most windows tie
    x = tf.constant(values)
    pooled = pool(x, ksize, strides, "VALID")
    grad = rng.standard_normal(pooled.shape.as_list()).astype(np.float32)
    dx = tf.gradients(pooled, x, tf.constant(grad))[0]
    np.testing.assert_array_equal(_run(dx), _first_max_grad(values, grad, ksize, strides))


def _conv2d_input_grad(x_shape, w, grad, stride, dilation, padding):
    """Conv2DBackpropInput by scattering each output pixel's contribution through every filter tap."""
    window = [(k - 1) * dilation + 1 for k in w.shape[:2]]
    before = [max((o - 1) * stride + k - n, 0) // 2 if padding == "SAME" else 0
              for o, k, n in zip(grad.shape[1:3], window, x_shape[1:3])]
    padded = np.zeros((x_shape[0], *(max(b + n, (o - 1) * stride + k) for b, n, o, k in
                                      zip(before, x_shape[1:3], grad.shape[1:3], window)), x_shape[3]))
    for oh, ow, i, j in np.ndindex(*grad.shape[1:3], *w.shape[:2]):
        padded[:, oh * stride + i * dilation, ow * stride + j * dilation] += grad[:, oh, ow] @ w[i, j].T
    return padded[:, before[0]:before[0] + x_shape[1], before[1]:before[1] + x_shape[2]]


@pytest.mark.parametrize("stride,dilation,padding", [
    (1, 1, "SAME"), (2, 1, "SAME"), (3, 1, "SAME"), (2, 1, "VALID"), (3, 1, "VALID"), (1, 2, "SAME"), (1, 2, "VALID"),
])
@pytest.mark.parametrize("depth", [3, 9])  # channels-first fold below depth 8, clipped per-offset fold above
def test_conv2d_input_gradient_matches_scatter_loop(stride, dilation, padding, depth):
    rng = np.random.default_rng(5)
    x_shape, w = (2, 7, 8, depth), rng.standard_normal((3, 2, depth, 4))
    x = tf.constant(np.zeros(x_shape))
    y = tf.nn.conv2d(x, tf.constant(w), stride, padding, dilations=dilation)
    grad = rng.standard_normal(y.shape.as_list())
    dx = tf.gradients(y, x, tf.constant(grad))[0]
    np.testing.assert_allclose(_run(dx), _conv2d_input_grad(x_shape, w, grad, stride, dilation, padding),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("depth", [1, 4, 9])  # channels-first patches, channels-last, folded per chunk
def test_convolution_in_batch_chunks_matches_one_pass(monkeypatch, depth):
    """Convolutions split large batches into chunks (for cache reuse); a 1-byte chunk budget makes
    every image its own chunk, which must give the one-pass values."""
    from minitf.kernels import conv as conv_kernels
    rng = np.random.default_rng(8)
    x = tf.constant(rng.normal(size=(5, 7, 6, depth)))
    w = tf.constant(rng.normal(size=(3, 2, depth, 4)))
    y = tf.nn.conv2d(x, w, [1, 2, 1, 1], "SAME")
    upstream = tf.constant(rng.normal(size=y.shape.as_list()))
    fetches = [y, *tf.gradients(y, [x, w], upstream)]
    one_pass = _run(fetches)
    monkeypatch.setattr(conv_kernels, "_CHUNK_BYTES", 1)
    assert len(conv_kernels._batch_chunks(5, 100)) == 5
    for chunked, whole in zip(_run(fetches), one_pass):
        np.testing.assert_allclose(chunked, whole, rtol=1e-12, atol=1e-12)
