"""tf.image.resize_images / resize_bilinear / resize_nearest_neighbor against TF 1.x's legacy
ops (values hard-coded from TF, and compared with real TensorFlow where it is installed)."""
import numpy as np
import pytest

import minitf as tf

_IMAGE = np.arange(6, dtype=np.float32).reshape(1, 2, 3, 1)


def _run(tensor, feed=None):
    with tf.Session() as sess:
        return sess.run(tensor, feed)


def test_bilinear_values_match_tf():
    with tf.Graph().as_default():
        out = _run(tf.image.resize_bilinear(_IMAGE, [3, 4]))
    # TF 1.x: tf.image.resize_bilinear(np.arange(6).reshape(1, 2, 3, 1), [3, 4])
    want = [[0., 0.75, 1.5, 2.], [2., 2.75, 3.5, 4.], [3., 3.75, 4.5, 5.]]
    np.testing.assert_allclose(out[0, :, :, 0], want, rtol=1e-6)


def test_bilinear_align_corners_values_match_tf():
    with tf.Graph().as_default():
        out = _run(tf.image.resize_bilinear(_IMAGE, [3, 5], align_corners=True))
    want = [[0., 0.5, 1., 1.5, 2.], [1.5, 2., 2.5, 3., 3.5], [3., 3.5, 4., 4.5, 5.]]
    np.testing.assert_allclose(out[0, :, :, 0], want, rtol=1e-6)


def test_nearest_values_match_tf():
    with tf.Graph().as_default():
        out = _run(tf.image.resize_nearest_neighbor(_IMAGE.astype(np.int32), [3, 5]))
        aligned = _run(tf.image.resize_nearest_neighbor(_IMAGE.astype(np.int32), [3, 5], align_corners=True))
    np.testing.assert_array_equal(out[0, :, :, 0], [[0, 0, 1, 1, 2], [0, 0, 1, 1, 2], [3, 3, 4, 4, 5]])
    np.testing.assert_array_equal(aligned[0, :, :, 0], [[0, 1, 1, 2, 2], [3, 4, 4, 5, 5], [3, 4, 4, 5, 5]])
    assert out.dtype == np.int32


def test_resize_images_shapes_and_dtypes():
    with tf.Graph().as_default():
        single = tf.image.resize_images(tf.zeros([2, 3, 1]), [4, 5])
        assert single.shape.as_list() == [4, 5, 1] and single.dtype == tf.float32
        batch = tf.image.resize_images(tf.zeros([5, 2, 3, 1], tf.uint8), [4, 5], method=tf.image.ResizeMethod.NEAREST_NEIGHBOR)
        assert batch.shape.as_list() == [5, 4, 5, 1] and batch.dtype == tf.uint8
        unknown = tf.image.resize_bilinear(tf.zeros([5, 2, 3, 1], tf.uint8), tf.placeholder(tf.int32, [2]))
        assert unknown.shape.as_list() == [5, None, None, 1]
        aspect = tf.image.resize_images(tf.zeros([5, 2, 3, 1]), [4, 5], preserve_aspect_ratio=True)
        assert aspect.shape.as_list() == [5, 3, 5, 1]
        image = tf.zeros([2, 3, 1])
        same = tf.image.resize_images(image, [2, 3])  # TF1 too: expand_dims then squeeze, no resize op
        assert same.op.type == "Squeeze" and same.shape.as_list() == [2, 3, 1]
        assert not [op for op in tf.get_default_graph().get_operations()
                    if op.type.startswith("Resize") and op.name.startswith(same.op.name.split("/")[0])]
        assert _run(single).shape == (4, 5, 1)


def test_resize_images_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="'images' must have either 3 or 4 dimensions."):
            tf.image.resize_images(tf.zeros([2, 3]), [4, 4])
        with pytest.raises(ValueError, match="'size' must be a 1-D Tensor of 2 elements"):
            tf.image.resize_images(tf.zeros([2, 3, 1]), [4, 4, 4])
        with pytest.raises(ValueError, match="Resize method is not implemented: 7"):
            tf.image.resize_images(tf.zeros([2, 3, 1]), [4, 4], method=7)
        with pytest.raises(NotImplementedError, match="BICUBIC"):
            tf.image.resize_images(tf.zeros([2, 3, 1]), [4, 4], method=tf.image.ResizeMethod.BICUBIC)
        with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 3"):
            tf.image.resize_bilinear(tf.zeros([2, 3, 1]), [4, 4])
        with pytest.raises(ValueError, match="Dimension must be 2 but is 3"):
            tf.image.resize_bilinear(tf.zeros([1, 2, 3, 1]), [4, 4, 4])
        with pytest.raises(TypeError):
            tf.image.resize_bilinear(tf.constant([[[["a"]]]]), [4, 4])


@pytest.mark.parametrize("feed_size,message", [([3], "shape_t must have two elements"),
                                               ([0, 3], "output dimensions must be positive")])
def test_runtime_errors(feed_size, message):
    with tf.Graph().as_default():
        images = tf.placeholder(tf.float32, [None, None, None, None])
        size = tf.placeholder(tf.int32, [None])
        resized = tf.image.resize_bilinear(images, size)
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            _run(resized, {images: np.zeros([1, 2, 2, 1]), size: feed_size})
        with pytest.raises(tf.errors.InvalidArgumentError, match="input image must be of non-zero size"):
            _run(resized, {images: np.zeros([1, 0, 2, 1]), size: [3, 3]})


@pytest.mark.parametrize("method", [0, 1])
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("in_hw,out_hw", [((3, 4), (7, 5)), ((6, 5), (2, 3)), ((3, 3), (1, 1)), ((1, 4), (3, 4))])
def test_matches_tensorflow(method, align, in_hw, out_hw):
    tf_real = pytest.importorskip("tensorflow")
    tf1 = tf_real.compat.v1
    rng = np.random.default_rng(0)
    images = rng.uniform(-3, 3, (2,) + in_hw + (3,)).astype(np.float64)
    weights = rng.uniform(size=(2,) + out_hw + (3,))
    results = []
    for module, graph_mode in ((tf, None), (tf1, True)):
        graph = module.Graph()
        with graph.as_default():
            x = module.constant(images)
            out = module.image.resize_images(x, out_hw, method=method, align_corners=align)
            grad, = module.gradients(module.reduce_sum(module.cast(out, module.float64) * weights), [x])
            with module.Session(graph=graph) as sess:
                results.append(sess.run([out, grad]) + [out.shape.as_list(), out.dtype.name])
    (out, grad, shape, dtype), (tf_out, tf_grad, tf_shape, tf_dtype) = results
    np.testing.assert_allclose(out, tf_out, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(grad, tf_grad, rtol=1e-5, atol=1e-5)
    assert shape == tf_shape and dtype == tf_dtype


def test_half_pixel_centers_is_refused_rather_than_ignored():
    images = tf.zeros([1, 2, 2, 1])
    with pytest.raises(NotImplementedError, match="half_pixel_centers"):
        tf.image.resize_bilinear(images, [4, 4], half_pixel_centers=True)
    from minitf.ops.op_builder import apply_op
    resized = apply_op("ResizeBilinear", images, [4, 4], half_pixel_centers=True)  # as an imported graph has it
    with tf.Session() as sess, pytest.raises(tf.errors.UnimplementedError, match="half_pixel_centers"):
        sess.run(resized)
