"""TF1's summary-building functions: `tf.summary.scalar`, `histogram`, `image`, `text`,
`tensor_summary`, `merge`, `merge_all`.

Each builds TF1's node structure: an op named after its summary scope ("loss/MSE", a
ScalarSummary) whose tag constant sits inside that scope ("loss/MSE/tags"), so the tag is the
scope name, made unique as the scope is ("MSE", "MSE_1"). The result is a scalar string tensor
holding a serialized `Summary`, added to the SUMMARIES collection unless `collections` says
otherwise; `FileWriter.add_summary` writes what it evaluates to.
"""
import contextlib
import logging
import re

from tensorboardX.proto import summary_pb2

from minitf.framework import dtypes
from minitf.framework.default_graph import get_default_graph, name_scope
from minitf.framework.graph import GraphKeys
from minitf.framework.tensor import Tensor
from minitf.ops import summary_ops  # noqa: F401 - declares the summary op types
from minitf.ops.constant_op import convert_to_tensor
from minitf.ops.op_builder import apply_op

__all__ = ["scalar", "histogram", "image", "text", "tensor_summary", "merge", "merge_all"]

_logger = logging.getLogger("minitf")
_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w.]")
# What the text plugin needs to find a summary: its name, with no content (as TF1 writes it).
_TEXT_METADATA = summary_pb2.SummaryMetadata(
    plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="text"))


# ======================================================================================
# Tags and scopes
# ======================================================================================
def clean_tag(name):
    """`name` with characters TF1 does not allow in a tag replaced by "_", leading "/" removed.

    Logs the change at INFO level, as TF1 does ("Summary name a:b is illegal; using a_b instead.").
    """
    if name is None:
        return None
    cleaned = _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")
    if cleaned != name:
        _logger.info("Summary name %s is illegal; using %s instead.", name, cleaned)
    return cleaned


@contextlib.contextmanager
def _summary_scope(name, family, values):
    """Yields (tag, scope) for a summary: the scope is `family/name` made unique; the tag is the
    scope's name, prefixed by `family` once more so TensorBoard groups it under that tab (TF1)."""
    name, family = clean_tag(name), clean_tag(family)
    with name_scope(name if family is None else f"{family}/{name}", values=values) as scope:
        tag = scope.rstrip("/")
        yield (tag if family is None else f"{family}/{tag}"), scope


def _collect(summary, collections, default):
    for key in default if collections is None else collections:
        summary.graph.add_to_collection(key, summary)
    return summary


def _summary_op(op_type, name, family, collections, tensor, *extra_inputs, **attrs):
    """Builds `op_type(tag, tensor, *extra_inputs)` in its summary scope and collects it."""
    with _summary_scope(name, family, [tensor]) as (tag, scope):
        summary = apply_op(op_type, tag, tensor, *extra_inputs, name=scope, **attrs)
    return _collect(summary, collections, [GraphKeys.SUMMARIES])


# ======================================================================================
# Public functions
# ======================================================================================
def scalar(name, tensor, collections=None, family=None):
    """TF1 `tf.summary.scalar`: a ScalarSummary of a real scalar (shapes are checked at run time)."""
    return _summary_op("ScalarSummary", name, family, collections, tensor)


def histogram(name, values, collections=None, family=None):
    """TF1 `tf.summary.histogram`: a HistogramSummary of `values` (any shape; non-finite values
    fail at run time) in TF's exponential bucket layout."""
    return _summary_op("HistogramSummary", name, family, collections, values)


def image(name, tensor, max_outputs=3, collections=None, family=None):
    """TF1 `tf.summary.image`: PNG images of the first `max_outputs` of a [batch, h, w, c] tensor
    (c = 1, 3 or 4), tagged "name/image" when max_outputs is 1, else "name/image/0", ...

    uint8 images are written as they are; float images are normalized per image as TF does
    (non-negative: largest value -> 255; otherwise 0 -> 128 and largest magnitude -> 127).
    """
    return _summary_op("ImageSummary", name, family, collections, tensor, max_images=max_outputs)


def tensor_summary(name, tensor, summary_description=None, collections=None, summary_metadata=None,
                   family=None, display_name=None):
    """TF1 `tf.summary.tensor_summary`: a TensorSummaryV2 holding the whole tensor and metadata."""
    metadata = summary_pb2.SummaryMetadata()
    if summary_metadata is not None:  # ours, or a field-compatible one (TensorFlow's, TensorBoard's)
        metadata.MergeFromString(summary_metadata.SerializeToString())
    if display_name is not None:
        metadata.display_name = display_name
    if summary_description is not None:
        metadata.summary_description = summary_description
    return _summary_op("TensorSummaryV2", name, family, collections, tensor, metadata.SerializeToString())


def text(name, tensor, collections=None):
    """TF1 `tf.summary.text`: a string tensor of any shape, shown by TensorBoard's text plugin.

    Departure: a Python string is accepted and converted to a constant (TF1 needs a tensor).
    """
    if not isinstance(tensor, Tensor):
        tensor = convert_to_tensor(tensor)
    if tensor.dtype.base_dtype != dtypes.string:
        raise ValueError(f"Expected tensor {tensor.name} to have dtype string, got {tensor.dtype}")
    return tensor_summary(name, tensor, summary_metadata=_TEXT_METADATA, collections=collections)


def merge(inputs, collections=None, name=None):
    """TF1 `tf.summary.merge`: one MergeSummary of several summaries ("Merge/MergeSummary" by
    default). Duplicate tags fail at run time. Added only to the given `collections`."""
    inputs = list(inputs)
    with name_scope(name, "Merge", inputs):
        merged = apply_op("MergeSummary", inputs, name=name)
    return _collect(merged, collections, [])


def merge_all(key=GraphKeys.SUMMARIES, scope=None, name=None):
    """TF1 `tf.summary.merge_all`: merges collection `key` (filtered by `scope`); None when empty."""
    summaries = get_default_graph().get_collection(key, scope)
    return merge(summaries, name=name) if summaries else None
