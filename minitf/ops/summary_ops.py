"""Summary op declarations (TF1's logging ops: ScalarSummary, HistogramSummary, ImageSummary,
TensorSummaryV2, MergeSummary).

Each op outputs one scalar string: a serialized `Summary` protocol buffer, built by its kernel
(kernels/summary.py). None is differentiable and none is stateful, as in TF1. The `tf.summary.*`
functions that build TF1's node structure around them live in minitf/summary/summary.py.
"""
import numpy as np

from minitf.framework import dtypes
from minitf.framework.common_shapes import scalar
from minitf.framework.op_def import REQUIRED, TypeAttr, define_op

# TF1's `realnumbertypes`: what scalar and histogram summaries accept.
SUMMARY_VALUE_TYPES = dtypes.REAL
# ImageSummary's `T`: uint8 images are written as they are, float images are normalized.
IMAGE_TYPES = frozenset([dtypes.uint8, dtypes.float16, dtypes.float32, dtypes.float64])
# TF1's default colour for pixels holding a non-finite value (opaque red); one entry per channel.
DEFAULT_BAD_COLOR = np.array([255, 0, 0, 255], np.uint8)


# ======================================================================================
# Op declarations (every summary op is a scalar string; shapes are checked by the kernels,
# as TF1 accepts any input shape at construction)
# ======================================================================================
define_op("ScalarSummary", inputs=["tags: string", "values: T"], outputs=["summary: string"],
          attrs={"T": TypeAttr(SUMMARY_VALUE_TYPES)}, shape=scalar, differentiable=False)
define_op("HistogramSummary", inputs=["tag: string", "values: T"], outputs=["summary: string"],
          attrs={"T": TypeAttr(SUMMARY_VALUE_TYPES, default=dtypes.float32)}, shape=scalar,
          differentiable=False)
define_op("ImageSummary", inputs=["tag: string", "tensor: T"], outputs=["summary: string"],
          attrs={"max_images": 3, "T": TypeAttr(IMAGE_TYPES, default=dtypes.float32),
                 "bad_color": DEFAULT_BAD_COLOR},
          shape=scalar, differentiable=False)
define_op("TensorSummaryV2", inputs=["tag: string", "tensor: T", "serialized_summary_metadata: string"],
          outputs=["summary: string"], attrs={"T": TypeAttr()}, shape=scalar, differentiable=False)
define_op("MergeSummary", inputs=["inputs: N * string"], outputs=["summary: string"], attrs={"N": REQUIRED},
          shape=scalar, differentiable=False)
