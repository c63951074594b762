"""tf.image: values, static shapes and argument errors against TF1 (hard-coded values computed with
TensorFlow's tf.compat.v1, plus live comparisons when TensorFlow is importable)."""
import numpy as np
import pytest

import minitf as tf

RNG = np.random.RandomState(0)
IMG = RNG.rand(4, 5, 3).astype(np.float32)
U8 = (RNG.rand(4, 5, 3) * 255).astype(np.uint8)
BATCH = RNG.rand(2, 4, 5, 3).astype(np.float32)


def _run(fetch):
    with tf.Session() as sess:
        return sess.run(fetch)


@pytest.fixture(autouse=True)
def _fresh_graph():
    with tf.Graph().as_default():
        yield


# ---------------------------------------------------------------- flips and rotations
@pytest.mark.parametrize("x", [IMG, BATCH])
def test_flips_transpose_rot90(x):
    w, h = x.ndim - 2, x.ndim - 3
    cases = {
        tf.image.flip_left_right(x): np.flip(x, w),
        tf.image.flip_up_down(x): np.flip(x, h),
        tf.image.transpose_image(x): np.swapaxes(x, h, w),
        tf.image.transpose(x): np.swapaxes(x, h, w),
        tf.image.rot90(x): np.rot90(x, 1, (h, w)),
        tf.image.rot90(x, 2): np.rot90(x, 2, (h, w)),
        tf.image.rot90(x, k=3): np.rot90(x, 3, (h, w)),
        tf.image.rot90(x, k=tf.constant(-1)): np.rot90(x, 3, (h, w)),
        tf.image.rot90(x, 4): x,
    }
    values = _run(list(cases))
    for (tensor, expected), value in zip(cases.items(), values):
        assert tensor.get_shape().as_list() == list(expected.shape)
        np.testing.assert_array_equal(value, expected)


def test_rank_errors_match_tf1():
    with pytest.raises(ValueError, match=r"'image' \(shape \(3, 3\)\) must be at least three-dimensional."):
        tf.image.flip_left_right(np.zeros((3, 3), np.float32))
    with pytest.raises(ValueError, match=r"\(shape \(1, 1, 3, 3, 1\)\)must have either 3 or 4 dimensions."):
        tf.image.flip_up_down(np.zeros((1, 1, 3, 3, 1), np.float32))
    with pytest.raises(ValueError, match=r"inner 3 dims of 'image.shape' must be > 0: \(0, 3, 1\)"):
        tf.image.flip_left_right(np.zeros((0, 3, 1), np.float32))


# ---------------------------------------------------------------- dtype and colour
def test_convert_image_dtype_values_from_tf1():
    cases = [
        (tf.image.convert_image_dtype(np.array([-0.5, 0, 0.5, 1.0, 1.2], np.float32), tf.uint8, saturate=True),
         np.array([0, 0, 127, 255, 255], np.uint8)),
        (tf.image.convert_image_dtype(np.array([0, 1, 255], np.uint8), tf.int32),
         np.array([0, 8388608, 2139095040], np.int32)),
        (tf.image.convert_image_dtype(np.array([0, 2 ** 24, 2 ** 31 - 1], np.int32), tf.uint8),
         np.array([0, 2, 255], np.uint8)),
        (tf.image.convert_image_dtype(np.array([-300, 0, 2 ** 8, 2 ** 15 - 1], np.int16), tf.uint8),
         np.array([253, 0, 2, 255], np.uint8)),
        (tf.image.convert_image_dtype(np.array([0, 51, 255], np.uint8), tf.float32),
         np.array([0, 0.2, 1.0], np.float32)),
        (tf.image.convert_image_dtype(np.array([0.25], np.float32), tf.float64), np.array([0.25])),
    ]
    values = _run([t for t, _ in cases])
    for (tensor, expected), value in zip(cases, values):
        assert tensor.dtype == tf.as_dtype(expected.dtype)
        np.testing.assert_allclose(value, expected, rtol=1e-6)
    same = tf.constant(IMG)
    assert tf.image.convert_image_dtype(same, tf.float32).dtype == tf.float32


def test_rgb_grayscale_from_tf1():
    gray = tf.image.rgb_to_grayscale(U8)
    assert gray.dtype == tf.uint8 and gray.get_shape().as_list() == [4, 5, 1]
    value = _run(gray)
    np.testing.assert_array_equal(value.ravel()[:6], [47, 50, 101, 166, 186, 48])
    rgb = tf.image.grayscale_to_rgb(gray)
    assert rgb.get_shape().as_list() == [4, 5, 3]
    np.testing.assert_array_equal(_run(rgb), np.repeat(value, 3, axis=-1))
    batch_gray = tf.image.rgb_to_grayscale(BATCH)
    assert batch_gray.get_shape().as_list() == [2, 4, 5, 1]
    np.testing.assert_allclose(_run(batch_gray)[..., 0], BATCH @ np.float32([0.2989, 0.5870, 0.1140]), rtol=1e-5)
    with pytest.raises(ValueError, match="Last dimension of a grayscale image should be size 1."):
        tf.image.grayscale_to_rgb(IMG)


def test_per_image_standardization():
    out = tf.image.per_image_standardization(U8)
    assert out.dtype == tf.float32 and out.get_shape().as_list() == [4, 5, 3]
    np.testing.assert_allclose(_run(out).ravel()[:6], [-1.0838723182678223, -1.2440505027770996, 0.6113467216491699,
                                                       -1.1506131887435913, -0.9503904581069946, -0.3630704879760742],
                               rtol=1e-5)
    np.testing.assert_array_equal(_run(tf.image.per_image_standardization(np.ones((2, 2, 1), np.float32))), 0)
    batch = _run(tf.image.per_image_standardization(BATCH))
    for image, value in zip(BATCH, batch):
        expected = (image - image.mean()) / max(image.std(), 1 / np.sqrt(image.size))
        np.testing.assert_allclose(value, expected, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------- crops and pads
def test_central_crop_shapes_from_tf1():
    assert tf.image.central_crop(np.zeros((7, 9, 3), np.float32), 0.5).get_shape().as_list() == [5, 5, 3]
    cropped = tf.image.central_crop(np.arange(2 * 7 * 9 * 3, dtype=np.float32).reshape(2, 7, 9, 3), 0.33)
    assert cropped.get_shape().as_list() == [2, 3, 3, 3]
    x = np.arange(2 * 7 * 9 * 3, dtype=np.float32).reshape(2, 7, 9, 3)
    np.testing.assert_array_equal(_run(cropped), x[:, 2:5, 3:6])
    with pytest.raises(ValueError, match=r"central_fraction must be within \(0, 1\]"):
        tf.image.central_crop(IMG, 0.0)


def test_crop_pad_and_resize_with_crop_or_pad():
    crop = tf.image.crop_to_bounding_box(IMG, 1, 2, 2, 3)
    pad = tf.image.pad_to_bounding_box(BATCH, 1, 2, 6, 8)
    assert crop.get_shape().as_list() == [2, 3, 3]
    assert pad.get_shape().as_list() == [2, 6, 8, 3]
    c, p = _run([crop, pad])
    np.testing.assert_array_equal(c, IMG[1:3, 2:5])
    np.testing.assert_array_equal(p, np.pad(BATCH, [[0, 0], [1, 1], [2, 1], [0, 0]]))
    # crop height (4 -> 3, odd: offset 0) and pad width (5 -> 8: 1 left, 2 right)
    resized = tf.image.resize_image_with_crop_or_pad(IMG, 3, 8)
    assert resized.get_shape().as_list() == [3, 8, 3]
    np.testing.assert_array_equal(_run(resized), np.pad(IMG[0:3], [[0, 0], [1, 2], [0, 0]]))
    shrink = tf.image.resize_with_crop_or_pad(BATCH, 2, 2)
    np.testing.assert_array_equal(_run(shrink), BATCH[:, 1:3, 1:3])


@pytest.mark.parametrize("call, message", [
    (lambda: tf.image.crop_to_bounding_box(IMG, 1, 1, 4, 2), "height must be >= target + offset."),
    (lambda: tf.image.crop_to_bounding_box(IMG, -1, 1, 1, 2), "offset_height must be >= 0."),
    (lambda: tf.image.crop_to_bounding_box(IMG, 0, 0, 0, 2), "target_height must be > 0."),
    (lambda: tf.image.pad_to_bounding_box(IMG, 1, 1, 4, 8), "height must be <= target - offset"),
    (lambda: tf.image.pad_to_bounding_box(IMG, -1, 1, 4, 8), "offset_height must be >= 0"),
    (lambda: tf.image.resize_image_with_crop_or_pad(IMG, 0, 3), "target_height must be > 0."),
    (lambda: tf.image.random_brightness(IMG, -1.), "max_delta must be non-negative."),
    (lambda: tf.image.random_contrast(IMG, 1., 0.5), "upper must be > lower."),
    (lambda: tf.image.random_contrast(IMG, -1., 0.5), "lower must be non-negative."),
])
def test_argument_errors_match_tf1(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == message


# ---------------------------------------------------------------- adjustments and random ops
def test_adjust_brightness_and_contrast_from_tf1():
    bright = tf.image.adjust_brightness(U8, 0.3)
    contrast = tf.image.adjust_contrast(U8, 2.0)
    contrast_f = tf.image.adjust_contrast(IMG, 1.7)
    assert bright.dtype == tf.uint8 and contrast.dtype == tf.uint8
    b, c, cf = _run([bright, contrast, contrast_f])
    np.testing.assert_array_equal(b.ravel()[:6], [116, 104, 243, 111, 126, 170])
    np.testing.assert_array_equal(c.ravel()[:6], [0, 0, 204, 0, 0, 58])
    np.testing.assert_allclose(cf.ravel()[:6], [0.5857294201850891, 0.8559800386428833, 0.6473252773284912,
                                                0.5790478587150574, 0.36037126183509827, 0.7206475734710693],
                               rtol=1e-6)
    mean = BATCH.mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(_run(tf.image.adjust_contrast(BATCH, 0.5)), (BATCH - mean) * 0.5 + mean, rtol=1e-5)


def test_random_flips_are_flips_or_identity():
    single = tf.image.random_flip_left_right(IMG, seed=3)
    up_down = tf.image.random_flip_up_down(IMG, seed=4)
    batch = tf.image.random_flip_left_right(BATCH, seed=5)
    assert single.get_shape().as_list() == [4, 5, 3]
    assert batch.get_shape().as_list() == [2, 4, 5, 3]
    seen = set()
    with tf.Session() as sess:
        for _ in range(20):
            s, u, b = sess.run([single, up_down, batch])
            seen.add(bool(np.array_equal(s, IMG)))
            assert np.array_equal(s, IMG) or np.array_equal(s, IMG[:, ::-1])
            assert np.array_equal(u, IMG) or np.array_equal(u, IMG[::-1])
            for image, out in zip(BATCH, b):
                assert np.allclose(out, image) or np.allclose(out, image[:, ::-1])
    assert seen == {True, False}


def test_random_brightness_and_contrast_ranges():
    bright = tf.image.random_brightness(IMG, 0.2, seed=1)
    contrast = tf.image.random_contrast(IMG, 0.5, 1.5, seed=2)
    assert bright.get_shape().as_list() == [4, 5, 3]
    mean = IMG.mean(axis=(0, 1), keepdims=True)
    with tf.Session() as sess:
        for _ in range(5):
            b, c = sess.run([bright, contrast])
            delta = b - IMG
            assert np.allclose(delta, delta.flat[0], atol=1e-6) and -0.2 <= delta.flat[0] < 0.2
            factor = ((c - mean) / (IMG - mean)).mean()
            assert 0.5 <= factor < 1.5
            np.testing.assert_allclose(c, (IMG - mean) * factor + mean, rtol=1e-4, atol=1e-5)
    tf.set_random_seed(7)
    first = _run(tf.image.random_brightness(IMG, 0.2, seed=1))
    with tf.Graph().as_default():
        tf.set_random_seed(7)
        second = _run(tf.image.random_brightness(IMG, 0.2, seed=1))
    np.testing.assert_array_equal(first, second)


# ---------------------------------------------------------------- live comparison with TensorFlow
def test_matches_live_tensorflow():
    tf1 = pytest.importorskip("tensorflow.compat.v1")
    calls = [
        ("flip_left_right", (BATCH,)), ("rot90", (IMG, 3)), ("rgb_to_grayscale", (BATCH,)),
        ("per_image_standardization", (BATCH,)), ("central_crop", (BATCH, 0.6)),
        ("crop_to_bounding_box", (BATCH, 1, 0, 3, 4)), ("pad_to_bounding_box", (U8, 2, 0, 7, 6)),
        ("resize_image_with_crop_or_pad", (BATCH, 7, 2)), ("adjust_brightness", (BATCH, -0.4)),
        ("adjust_contrast", (U8, 0.6)), ("convert_image_dtype", (BATCH * 1.5, tf.uint8, True)),
    ]
    for name, args in calls:
        with tf1.Graph().as_default():
            targs = [tf1.as_dtype(a.name) if isinstance(a, tf.DType) else a for a in args]
            expected = tf1.Session().run(getattr(tf1.image, name)(*targs))
        got = _run(getattr(tf.image, name)(*args))
        assert got.shape == expected.shape and got.dtype == expected.dtype, name
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5 if got.dtype.kind == "f" else 1, err_msg=name)
