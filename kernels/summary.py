"""Kernels of the summary ops: each builds a `Summary` protocol buffer and returns it serialized.

The protos are tensorboardX's copies of TensorFlow's (field-compatible, package `tensorboardX`).
Summaries are host work, so the kernels are registered for the CPU only; the placer puts an
unpinned summary op there, as TF1 does. Scalar and 0-d string inputs arrive as NumPy scalars and
`bytes`, larger ones as arrays (object arrays of bytes for strings).
"""
import struct
import sys
import zlib

import numpy as np
from google.protobuf.message import DecodeError
from tensorboardX.proto import summary_pb2, tensor_pb2

from minitf.framework.tensor_util import make_tensor_proto
from minitf.runtime.kernel_registry import register_kernel, string_value


def _text(value):
    if getattr(value, "ndim", None) == 0:  # a scalar string tensor's value
        value = value[()]
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _shape_text(value):
    """A shape as TF prints it in messages: "[]", "[2]", "[2,3]"."""
    return "[" + ",".join(str(d) for d in np.shape(value)) + "]"


def _tag(ctx, value):
    if np.ndim(value) != 0:
        raise ctx.error(f"tag must be scalar, got shape {_shape_text(value)}")
    return _text(value.item() if isinstance(value, np.ndarray) else value)


# ======================================================================================
# ScalarSummary: one simple_value per (tag, value) pair
# ======================================================================================
@register_kernel("ScalarSummary")
def scalar_summary(ctx):
    def compute(tags, values):
        if np.shape(tags) != np.shape(values):
            single = f" (tag '{_text(tags)}')" if np.ndim(tags) == 0 else ""
            raise ctx.error(f"tags and values are not the same shape: {_shape_text(tags)} != "
                            f"{_shape_text(values)}{single}")
        summary = summary_pb2.Summary()
        for tag, value in zip(np.ravel(np.asarray(tags, dtype=object)), np.ravel(values)):
            summary.value.add(tag=_text(tag), simple_value=float(value))
        return summary.SerializeToString()
    return compute


# ======================================================================================
# HistogramSummary: TF's fixed exponential bucket layout
# ======================================================================================
def _default_bucket_limits():
    """TF's limits: ±1e-12 growing by 10% up to 1e20, then ±DBL_MAX, with 0 in the middle.

    Grown by repeated multiplication, as TF does, so every limit is bit-identical to TF's.
    """
    positive, limit = [], 1.0e-12
    while limit < 1.0e20:
        positive.append(limit)
        limit *= 1.1
    positive.append(sys.float_info.max)
    return np.array([-v for v in reversed(positive)] + [0.0] + positive)


BUCKET_LIMITS = _default_bucket_limits()


def histogram_proto(values):
    """A HistogramProto of `values` (any shape, converted to float64), laid out as TF lays it out.

    A value falls in the first bucket whose limit is greater than it; empty buckets are kept
    only as one entry closing each run of them (TF's EncodeToProto without preserved zeros).
    Sums are accumulated in order, as TF does, so they match TF's to the last bit.
    """
    values = np.ravel(values).astype(np.float64)
    counts = np.bincount(np.minimum(np.searchsorted(BUCKET_LIMITS, values, side="right"),
                                    len(BUCKET_LIMITS) - 1), minlength=len(BUCKET_LIMITS))
    keep = (counts > 0) | np.append(counts[1:] > 0, True)
    empty = values.size == 0
    return summary_pb2.HistogramProto(
        min=sys.float_info.max if empty else values.min(),
        max=-sys.float_info.max if empty else values.max(),
        num=values.size,
        sum=0.0 if empty else np.cumsum(values)[-1],
        sum_squares=0.0 if empty else np.cumsum(values * values)[-1],
        bucket_limit=BUCKET_LIMITS[keep].tolist(), bucket=counts[keep].astype(np.float64).tolist())


@register_kernel("HistogramSummary")
def histogram_summary(ctx):
    def compute(tag, values):
        tag = _tag(ctx, tag)
        flat = np.ravel(values).astype(np.float64)
        bad = ~np.isfinite(flat)
        if bad.any():
            first = flat[np.argmax(bad)]
            what = "Nan in summary histogram" if np.isnan(first) else "Infinity in Histogram"
            raise ctx.error(f"{what} for: {ctx.op.name}")
        summary = summary_pb2.Summary()
        summary.value.add(tag=tag, histo=histogram_proto(flat))
        return summary.SerializeToString()
    return compute


# ======================================================================================
# ImageSummary: normalize to uint8 as TF does, encode as PNG
# ======================================================================================
_PNG_COLOR_TYPES = {1: 0, 3: 2, 4: 6}  # grayscale, RGB, RGBA
_ZERO_THRESHOLD = np.float32(1e-6)


def _png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def encode_png(pixels):
    """A PNG file holding `pixels`, a uint8 array [height, width, channels] with 1, 3 or 4 channels."""
    height, width, channels = pixels.shape
    header = struct.pack(">IIBBBBB", width, height, 8, _PNG_COLOR_TYPES[channels], 0, 0, 0)
    # Each scanline starts with its filter type; 0 (none) keeps the encoder trivial.
    scanlines = np.concatenate([np.zeros((height, 1), np.uint8), pixels.reshape(height, -1)], axis=1)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(scanlines.tobytes())) + _png_chunk(b"IEND", b""))


def normalize_image(image, bad_color):
    """A float image [h, w, c] as uint8, by TF's rule.

    Over the finite pixels (a pixel with any non-finite channel is painted `bad_color`): if none
    is negative, scale so the largest is 255; else scale by 127 / max|value| and add 128. Bounds
    and scale are computed in float32 and the transform in the image's own dtype, as TF does, and
    the result is truncated to uint8.
    """
    dtype = image.dtype.type
    finite = np.isfinite(image).all(axis=-1)
    good = image[finite].astype(np.float32)
    low = good.min() if good.size else np.float32(np.inf)
    high = good.max() if good.size else np.float32(-np.inf)
    if low < 0:
        largest = max(abs(low), abs(high))
        scale, offset = (0.0 if largest < _ZERO_THRESHOLD else np.float32(127.0) / largest), 128.0
    else:
        scale, offset = (0.0 if high < _ZERO_THRESHOLD else np.float32(255.0) / high), 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = image * dtype(scale) + dtype(offset)
    result = np.clip(np.nan_to_num(scaled), 0, 255).astype(np.uint8)
    result[~finite] = bad_color
    return result


@register_kernel("ImageSummary")
def image_summary(ctx):
    max_images = ctx.attr("max_images")
    bad_color_all = np.ravel(ctx.attr("bad_color")).astype(np.uint8)

    def compute(tag, tensor):
        tag = _tag(ctx, tag)
        if tensor.ndim != 4 or tensor.shape[-1] not in _PNG_COLOR_TYPES:
            raise ctx.error(f"Tensor must be 4-D with last dim 1, 3, or 4, not {_shape_text(tensor)}")
        depth = tensor.shape[-1]
        if depth > bad_color_all.size:
            raise ctx.error(f"expected depth <= bad_color.size, got depth = {depth}, "
                            f"bad_color.size = {bad_color_all.size}")
        summary = summary_pb2.Summary()
        for index, image in enumerate(tensor[:max_images]):
            pixels = image if image.dtype == np.uint8 else normalize_image(image, bad_color_all[:depth])
            name = f"{tag}/image" if max_images == 1 else f"{tag}/image/{index}"
            summary.value.add(tag=name, image=summary_pb2.Summary.Image(
                height=image.shape[0], width=image.shape[1], colorspace=depth,
                encoded_image_string=encode_png(pixels)))
        return summary.SerializeToString()
    return compute


# ======================================================================================
# TensorSummaryV2: a whole tensor plus plugin metadata (tf.summary.text)
# ======================================================================================
def tensor_proto(value, dtype):
    """`value` as tensorboardX's TensorProto (same fields as minitf's), with the shape always set."""
    proto = tensor_pb2.TensorProto.FromString(make_tensor_proto(value, dtype).SerializeToString())
    proto.tensor_shape.SetInParent()
    return proto


@register_kernel("TensorSummaryV2")
def tensor_summary(ctx):
    dtype = ctx.attr("T")

    def compute(tag, tensor, serialized_summary_metadata):
        tag = _tag(ctx, tag)
        try:
            metadata = summary_pb2.SummaryMetadata.FromString(string_value(serialized_summary_metadata))
        except DecodeError:
            raise ctx.error("Could not parse serialized_summary_metadata") from None
        summary = summary_pb2.Summary()
        summary.value.add(tag=tag, tensor=tensor_proto(tensor, dtype), metadata=metadata)
        return summary.SerializeToString()
    return compute


# ======================================================================================
# MergeSummary: the union of several serialized summaries; tags must stay unique
# ======================================================================================
@register_kernel("MergeSummary")
def merge_summary(ctx):
    def compute(*inputs):
        merged, seen = summary_pb2.Summary(), set()
        for value in inputs:
            for serialized in np.ravel(np.asarray(value, dtype=object)):
                try:
                    summary = summary_pb2.Summary.FromString(bytes(serialized))
                except DecodeError:
                    raise ctx.error("Could not parse one of the summary inputs") from None
                for item in summary.value:
                    if item.tag in seen:
                        raise ctx.error(f"Duplicate tag {item.tag} found in summary inputs ")
                    seen.add(item.tag)
                    merged.value.add().CopyFrom(item)
        return merged.SerializeToString()
    return compute
