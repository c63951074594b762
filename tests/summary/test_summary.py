"""tf.summary ops: node structure, tags, values, histogram layout, PNG images, text, merging.

Expected values marked "TF1" were produced by TensorFlow's own tf.summary ops (tf.compat.v1)
on the same inputs.
"""
import hashlib
import logging
import re
import struct
import zlib

import numpy as np
import pytest
from tensorboard.compat.proto import summary_pb2 as tensorboard_summary_pb2

import minitf as tf
from minitf import summary
from minitf.framework.op_def import get_op_def
from minitf.ops.op_builder import apply_op

SUMMARY_OPS = ["ScalarSummary", "HistogramSummary", "ImageSummary", "TensorSummaryV2", "MergeSummary"]
DBL_MAX = 1.7976931348623157e+308


def run(tensor, feed=None):
    with tf.Session() as sess:
        return summary.Summary.FromString(sess.run(tensor, feed))


def decode_png(data):
    """Pixels [h, w, c] of an 8-bit, non-interlaced PNG whose scanlines use filter 0 (ours do)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, position = {}, 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        chunks[kind] = chunks.get(kind, b"") + body
        position += 12 + length
    assert b"IEND" in chunks
    width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, interlace) == (8, 0)
    channels = {0: 1, 2: 3, 6: 4}[color_type]
    rows = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(height, 1 + width * channels)
    assert not rows[:, 0].any(), "filter type 0 expected"
    return rows[:, 1:].reshape(height, width, channels)


# ======================================================================================
# The op contract
# ======================================================================================
@pytest.mark.parametrize("op_type", SUMMARY_OPS)
def test_summary_ops_are_not_differentiable_and_output_a_scalar_string(op_type):
    op_def = get_op_def(op_type)
    assert not op_def.differentiable
    assert [arg.fixed_dtype for arg in op_def.outputs] == [tf.string]


def test_summaries_do_not_block_gradients_of_the_model():
    w = tf.Variable(2.0)
    loss = w * w
    tf.summary.scalar("loss", loss)
    (grad,) = tf.gradients(loss, [w])
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert sess.run(grad) == 4.0


# ======================================================================================
# Scalars, tags and scopes
# ======================================================================================
def test_scalar_builds_tf1_nodes_under_the_name_scope():
    x = tf.placeholder(tf.float32, [None], name="x")
    with tf.name_scope("loss"):
        mse = tf.reduce_mean(tf.square(x), name="mean_sq")
        mse_summary = tf.summary.scalar("MSE", mse)
    op = mse_summary.op
    assert (op.type, op.name, mse_summary.dtype, mse_summary.shape.as_list()) == \
        ("ScalarSummary", "loss/MSE", tf.string, [])
    assert [t.op.name for t in op.inputs] == ["loss/MSE/tags", "loss/mean_sq"]
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [mse_summary]
    with tf.Session():
        serialized = mse_summary.eval(feed_dict={x: [1.0, 2.0, 3.0]})
    assert isinstance(serialized, bytes)
    (value,) = summary.Summary.FromString(serialized).value
    assert (value.tag, value.simple_value) == ("loss/MSE", pytest.approx(14.0 / 3.0))


def test_repeated_names_get_unique_tags_and_family_prefixes_the_tag():
    x = tf.constant(2.0)
    tags = [run(s).value[0].tag for s in (tf.summary.scalar("MSE", x), tf.summary.scalar("MSE", x))]
    assert tags == ["MSE", "MSE_1"]
    family = tf.summary.scalar("MSE", x, family="fam")
    with tf.name_scope("outer"):
        nested = tf.summary.scalar("m", x, family="fam")
    # TF1 prefixes the family to the scope name, which already holds it.
    assert (family.op.name, run(family).value[0].tag) == ("fam/MSE", "fam/fam/MSE")
    assert (nested.op.name, run(nested).value[0].tag) == ("outer/fam/m", "fam/outer/fam/m")


@pytest.mark.parametrize("name,tag", [("a b:c", "a_b_c"), ("/lead/x", "lead/x"), ("ok-1.2/x_y", "ok-1.2/x_y")])
def test_illegal_tag_characters_are_replaced_and_logged(name, tag, caplog):
    with caplog.at_level(logging.INFO, logger="minitf"):
        s = tf.summary.scalar(name, tf.constant(1.0))
    assert (s.op.name, run(s).value[0].tag) == (tag, tag)
    logged = f"Summary name {name} is illegal; using {tag} instead."
    assert (logged in caplog.text) == (name != tag)


def test_collections_argument_replaces_the_summaries_collection():
    s = tf.summary.scalar("c1", tf.constant(1.0), collections=["mine"])
    assert tf.get_collection("mine") == [s]
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == []


@pytest.mark.parametrize("dtype", [tf.float16, tf.float64, tf.int32, tf.int64, tf.uint8])
def test_scalar_accepts_real_dtypes(dtype):
    s = tf.summary.scalar("v", tf.constant(3, dtype))
    assert run(s).value[0].simple_value == 3.0


def test_scalar_rejects_strings_and_non_scalars():
    with pytest.raises(TypeError):
        tf.summary.scalar("s", tf.constant("text"))
    s = tf.summary.scalar("vec", tf.constant([1.0, 2.0]))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"tags and values are not the same shape: \[\] != \[2\] \(tag 'vec'\)"):
        run(s)


def test_scalar_summary_op_takes_a_tag_per_value():
    both = apply_op("ScalarSummary", ["a", "b"], [1.0, 2.0])
    assert [(v.tag, v.simple_value) for v in run(both).value] == [("a", 1.0), ("b", 2.0)]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[2\] != \[1\]"):
        run(apply_op("ScalarSummary", ["a", "b"], [1.0]))


# ======================================================================================
# Histograms: TF's bucket layout, bit for bit
# ======================================================================================
_X = np.arange(-500, 501, dtype=np.float64) / 7
HISTOGRAM_CASES = {  # values -> TF1's (min, max, num, sum, sum_squares, bucket_limit, bucket)
    "float32_mixed": (np.array([-3.5, -0.001, 0, 0.5, 0.5, 2, 1e5, 7e-13], np.float32), (
        -3.5, 100000.0, 8.0, 99999.49899999995, 10000000016.750002,
        [-3.8315657995195243, -3.48324163592684, -0.001055857634516068, -0.0009598705768327891, 0.0,
         1e-12, 0.47069243095356195, 0.5177616740489182, 1.9661990955585713, 2.1628190051144287,
         93540.76446483507, 102894.84091131858, DBL_MAX],
        [0, 1, 0, 1, 0, 2, 0, 2, 0, 1, 0, 1, 0])),
    "int32_matrix": (np.array([[-3, 0], [0, 7], [1000000, 2]], np.int32), (
        -3.0, 1000000.0, 6.0, 1000006.0, 1000000000062.0,
        [-3.1665833053880363, -2.8787120958073054, 0.0, 1e-12, 1.9661990955585713, 2.1628190051144287,
         6.7878525393626115, 7.466637793298873, 921351.5242693111, 1013486.6766962423, DBL_MAX],
        [0, 1, 0, 2, 0, 1, 0, 1, 0, 1, 0])),
    "beyond_1e20": (np.array([1e25, -1e25, 5e19], np.float32), (
        -9.999999562023526e+24, 9.999999562023526e+24, 3.0, 5.000000100204387e+19, 1.999999824834414e+50,
        [-DBL_MAX, -9.920775621859783e+19, 4.628115045002392e+19, 5.090926549502632e+19,
         9.920775621859783e+19, DBL_MAX],
        [0, 1, 0, 1, 0, 1])),
    "empty": (np.zeros([0], np.float32), (DBL_MAX, -DBL_MAX, 0.0, 0.0, 0.0, [DBL_MAX], [0])),
}


@pytest.mark.parametrize("name", sorted(HISTOGRAM_CASES))
def test_histogram_matches_tf1(name):
    values, expected = HISTOGRAM_CASES[name]
    h = tf.summary.histogram(name, tf.constant(values))
    assert (h.op.type, [t.op.name for t in h.op.inputs]) == ("HistogramSummary", [f"{name}/tag", "Const"])
    (value,) = run(h).value
    histo = value.histo
    assert value.tag == name
    assert (histo.min, histo.max, histo.num, histo.sum, histo.sum_squares,
            list(histo.bucket_limit), list(histo.bucket)) == expected


def test_histogram_of_a_thousand_values_is_byte_identical_to_tf1():
    # Sums are accumulated in order as TF does: the symmetric data sums to 2.2e-09, not 0.
    (value,) = run(tf.summary.histogram("cubes", tf.constant(_X * _X * _X))).value
    assert (len(value.histo.bucket), value.histo.sum) == (285, 2.2118911147117615e-09)
    assert hashlib.sha256(value.histo.SerializeToString()).hexdigest() == \
        "dcdade508cdf84d3bb045d4619e02b2307b46354274675e2342ec1c23ebfdf81"


@pytest.mark.parametrize("bad,message", [(np.nan, "Nan in summary histogram for: h"),
                                         (np.inf, "Infinity in Histogram for: h")])
def test_histogram_rejects_non_finite_values(bad, message):
    h = tf.summary.histogram("h", tf.constant([1.0, bad]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        run(h)


# ======================================================================================
# Images
# ======================================================================================
_NAN, _INF = np.nan, np.inf
IMAGE_CASES = {  # (dtype, batch of images) -> TF1's decoded pixels, one list per image
    "nonneg_f32": (np.float32, [[[[0.1, 0.5, 0.9], [0.3, 0.7, 0.2]], [[0.0, 0.33, 0.61], [0.05, 0.45, 0.85]]]],
                   [[[[28, 141, 255], [85, 198, 56]], [[0, 93, 172], [14, 127, 240]]]]),
    "signed_f32": (np.float32, [[[[-0.54, 0.67, 0.8]], [[-0.93, -1.81, 0.2]]]],
                   [[[[90, 175, 184]], [[62, 1, 142]]]]),
    "tiny_f32": (np.float32, [[[[1e-7]], [[5e-7]]]], [[[[0]], [[0]]]]),
    "nan_rgb": (np.float32, [[[[0.5, _NAN, 0.2], [0.1, 0.2, 1.0]]]], [[[[255, 0, 0], [25, 51, 255]]]]),
    "inf_gray": (np.float32, [[[[0.5], [_INF]], [[0.25], [-_INF]]]], [[[[255], [255]], [[127], [255]]]]),
    "nan_rgba": (np.float32, [[[[0.5, _NAN, 0.2, 0.3], [0.1, 0.2, 0.9, 1.0]]]],
                 [[[[255, 0, 0, 255], [25, 51, 229, 255]]]]),
    "f64": (np.float64, [[[[1.0083, 0.4508, 1.351], [2.3889, 0.6919, 0.1560]]]],
            [[[[107, 48, 144], [255, 73, 16]]]]),
    "f16": (np.float16, [[[[-0.0002084], [-0.1495]], [[0.2405], [0.99]]]], [[[[128], [108]], [[158], [255]]]]),
    "two_images": (np.float32, [[[[0.2]], [[0.4]]], [[[-1.0]], [[3.0]]]], [[[[127]], [[255]]], [[[85]], [[255]]]]),
}


@pytest.mark.parametrize("name", sorted(IMAGE_CASES))
def test_float_images_are_normalized_as_tf1_does(name):
    dtype, images, expected = IMAGE_CASES[name]
    s = tf.summary.image(name, tf.constant(np.array(images, dtype)), max_outputs=2)
    values = run(s).value
    assert [decode_png(v.image.encoded_image_string).tolist() for v in values] == expected
    assert [v.image.colorspace for v in values] == [np.shape(images)[-1]] * len(expected)


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_uint8_images_round_trip_through_png(channels):
    pixels = np.random.default_rng(channels).integers(0, 256, (5, 7, 6, channels)).astype(np.uint8)
    images = tf.placeholder(tf.uint8, [None, 7, 6, channels], name="images")
    s = tf.summary.image("pics", images)
    values = run(s, {images: pixels}).value
    assert [v.tag for v in values] == ["pics/image/0", "pics/image/1", "pics/image/2"]
    for value, expected in zip(values, pixels):
        assert (value.image.height, value.image.width, value.image.colorspace) == (7, 6, channels)
        np.testing.assert_array_equal(decode_png(value.image.encoded_image_string), expected)


def test_image_node_structure_and_single_image_tag():
    images = tf.placeholder(tf.float32, [None, 4, 5, 3], name="img")
    s = tf.summary.image("pic", images, max_outputs=1)
    assert (s.op.type, s.op.get_attr("max_images"), [t.op.name for t in s.op.inputs]) == \
        ("ImageSummary", 1, ["pic/tag", "img"])
    assert s.op.get_attr("bad_color").tolist() == [255, 0, 0, 255]
    values = run(s, {images: np.ones([3, 4, 5, 3])}).value
    assert [v.tag for v in values] == ["pic/image"]
    assert run(s, {images: np.ones([0, 4, 5, 3])}).value == []


def test_image_rejects_bad_shapes_at_run_time():
    images = tf.placeholder(tf.float32, name="images")
    s = tf.summary.image("bad", images)
    for shape in ([2, 3], [2, 3, 3, 2]):
        text = "[" + ",".join(map(str, shape)) + "]"
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=rf"Tensor must be 4-D with last dim 1, 3, or 4, not {re.escape(text)}"):
            run(s, {images: np.zeros(shape)})


def test_image_bad_color_needs_a_value_per_channel():
    s = apply_op("ImageSummary", "bc", tf.constant(np.full([1, 1, 1, 3], np.nan, np.float32)),
                 bad_color=np.array([9, 8], np.uint8))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="expected depth <= bad_color.size, got depth = 3, bad_color.size = 2"):
        run(s)


def test_image_rejects_non_image_dtypes():
    with pytest.raises(TypeError):
        tf.summary.image("ints", tf.zeros([1, 2, 2, 3], tf.int32))


# ======================================================================================
# Text and tensor summaries
# ======================================================================================
def test_text_is_a_tensor_summary_with_text_plugin_metadata():
    notes = tf.constant([["a", "b"], ["c", "d"]])
    t = tf.summary.text("notes", notes)
    op = t.op
    assert (op.type, [i.op.name for i in op.inputs]) == \
        ("TensorSummaryV2", ["notes/tag", "Const", "notes/serialized_summary_metadata"])
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [t]
    (value,) = run(t).value
    assert value.tag == "notes"
    assert value.metadata.plugin_data.plugin_name == "text"
    assert value.metadata.SerializeToString() == b"\n\x06\n\x04text"  # TF1's bytes
    assert (value.tensor.dtype, [d.size for d in value.tensor.tensor_shape.dim], list(value.tensor.string_val)) \
        == (7, [2, 2], [b"a", b"b", b"c", b"d"])


def test_text_of_a_scalar_keeps_an_empty_shape_and_accepts_python_strings():
    (value,) = run(tf.summary.text("note", "hello *world*")).value
    assert value.tensor.HasField("tensor_shape") and not value.tensor.tensor_shape.dim
    assert list(value.tensor.string_val) == [b"hello *world*"]


def test_text_rejects_non_strings():
    with pytest.raises(ValueError, match="Expected tensor Const:0 to have dtype string, got <dtype: 'float32'>"):
        tf.summary.text("t", tf.constant(1.0))


def test_tensor_summary_carries_numbers_and_description():
    s = tf.summary.tensor_summary("w", tf.constant([[1.0, 2.0]]), summary_description="weights",
                                  display_name="W")
    (value,) = run(s).value
    assert (value.metadata.display_name, value.metadata.summary_description) == ("W", "weights")
    np.testing.assert_array_equal(tf.make_ndarray(tf.TensorProto.FromString(value.tensor.SerializeToString())),
                                  [[1.0, 2.0]])


def test_tensor_summary_accepts_field_compatible_metadata():
    metadata = tensorboard_summary_pb2.SummaryMetadata(display_name="shown")
    metadata.plugin_data.plugin_name = "custom"
    (value,) = run(tf.summary.tensor_summary("c", tf.constant(1), summary_metadata=metadata)).value
    assert (value.metadata.display_name, value.metadata.plugin_data.plugin_name) == ("shown", "custom")


# ======================================================================================
# Merging
# ======================================================================================
def test_merge_all_merges_the_collection_in_order():
    x = tf.placeholder(tf.float32, [None], name="x")
    a = tf.summary.scalar("a", tf.reduce_mean(x))
    b = tf.summary.histogram("b", x)
    merged = tf.summary.merge_all()
    assert (merged.op.type, merged.op.name, merged.op.get_attr("N")) == ("MergeSummary", "Merge/MergeSummary", 2)
    assert list(merged.op.inputs) == [a, b]
    assert merged not in tf.get_collection(tf.GraphKeys.SUMMARIES)
    assert [v.tag for v in run(merged, {x: [1.0, 2.0]}).value] == ["a", "b"]


def test_merge_names_scope_and_collections():
    x = tf.constant(1.0)
    first = tf.summary.merge([tf.summary.scalar("q", x)], name="foo")
    second = tf.summary.merge([tf.summary.scalar("r", x)], name="foo", collections=["merged"])
    assert (first.op.name, second.op.name) == ("foo/foo", "foo_1/foo")
    assert tf.get_collection("merged") == [second]
    assert tf.summary.merge_all(name="bar").op.name == "bar/bar"


def test_merge_all_filters_by_key_and_scope_and_is_none_when_empty():
    assert tf.summary.merge_all() is None
    assert tf.summary.merge_all(key="nothing") is None
    x = tf.constant(1.0)
    tf.summary.scalar("top", x)
    with tf.name_scope("outer"):
        inner = tf.summary.scalar("inner", x)
    assert list(tf.summary.merge_all(scope="outer").op.inputs) == [inner]


def test_merge_rejects_duplicate_tags_and_garbage():
    same = tf.constant(summary.Summary(value=[summary.Summary.Value(tag="same", simple_value=1)])
                       .SerializeToString())
    with pytest.raises(tf.errors.InvalidArgumentError, match="Duplicate tag same found in summary inputs"):
        run(tf.summary.merge([same, same]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Could not parse one of the summary inputs"):
        run(tf.summary.merge([tf.constant(b"garbage\xff")]))


def test_merge_accepts_string_tensors_of_any_shape():
    protos = [summary.Summary(value=[summary.Summary.Value(tag=t, simple_value=1)]).SerializeToString()
              for t in "abc"]
    merged = tf.summary.merge([tf.constant(protos[:2]), tf.constant(protos[2])])
    assert [v.tag for v in run(merged).value] == ["a", "b", "c"]

