"""TF1 behaviours of the metrics, sparse and image additions a review found missing (each fixed):
squeezable label dims, string SparseTensor defaults, crops and pads of images of unknown size."""
import numpy as np

import minitf as tf


def _run(fetch, feed=None, init_local=False):
    with tf.Session() as s:
        if init_local:
            s.run(tf.local_variables_initializer())
        return s.run(fetch, feed)


def test_accuracy_squeezes_labels_of_shape_n_by_1():
    """TF1's tf.metrics.accuracy calls remove_squeezable_dimensions: labels [N, 1] against
    predictions [N] (argmax) are squeezed to match; TF1 gives 2/3 here."""
    tf.reset_default_graph()
    labels = tf.placeholder(tf.int64, [None, 1])
    preds = tf.placeholder(tf.int64, [None])
    value, update = tf.metrics.accuracy(labels, preds)
    with tf.Session() as s:
        s.run(tf.local_variables_initializer())
        s.run(update, {labels: [[1], [2], [3]], preds: [1, 2, 0]})
        np.testing.assert_allclose(s.run(value), 2 / 3, rtol=1e-6)


def test_precision_squeezes_labels_of_shape_n_by_1():
    """TF1's tf.metrics.precision squeezes a trailing size-1 dimension (remove_squeezable_dimensions);
    labels [[1],[0],[1]] vs predictions [T, T, F] give 0.5 in TF1."""
    tf.reset_default_graph()
    labels = tf.placeholder(tf.int64, [None, 1])
    preds = tf.placeholder(tf.bool, [None])
    value, update = tf.metrics.precision(labels, preds)
    with tf.Session() as s:
        s.run(tf.local_variables_initializer())
        s.run(update, {labels: [[1], [0], [1]], preds: [True, True, False]})
        np.testing.assert_allclose(s.run(value), 0.5)


def test_sparse_to_dense_string_values_default_default():
    """TF1 (1.14+) tf.sparse.to_dense(sp) with default_value=None uses zeros of the values' dtype,
    so a string SparseTensor (e.g. a VarLenFeature(tf.string)) densifies with b''."""
    tf.reset_default_graph()
    st = tf.SparseTensor(indices=[[0, 0], [1, 2]], values=["a", "b"], dense_shape=[2, 3])
    out = _run(tf.sparse.to_dense(st))
    assert out.tolist() == [[b"a", b"", b""], [b"", b"", b"b"]]


def test_resize_image_with_crop_or_pad_unknown_height_width():
    """TF1's resize_image_with_crop_or_pad / crop_to_bounding_box / pad_to_bounding_box /
    central_crop work on images of unknown height and width (decode_jpeg output), using dynamic
    shapes; the result has static shape [?, 3, 7, 3] here."""
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, None, None, 3])
    y = tf.image.resize_image_with_crop_or_pad(x, 3, 7)
    img = np.arange(2 * 4 * 5 * 3, dtype=np.float32).reshape(2, 4, 5, 3)
    out = _run(y, {x: img})
    assert out.shape == (2, 3, 7, 3)
    np.testing.assert_array_equal(out[:, :, 1:6], img[:, 0:3])


def test_crop_to_bounding_box_unknown_height_width():
    """TF1's crop_to_bounding_box accepts [None, None, None, C] images (dynamic shape checks)."""
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, None, None, 3])
    y = tf.image.crop_to_bounding_box(x, 1, 1, 2, 3)
    img = np.random.RandomState(0).rand(2, 4, 5, 3).astype(np.float32)
    np.testing.assert_array_equal(_run(y, {x: img}), img[:, 1:3, 1:4])
