"""TF1's `tf.summary` namespace: summary ops, FileWriter, and the Event/Summary protos.

The protos are tensorboardX's copies of TensorFlow's (DESIGN §5), so what `tf.summary.Summary`,
`tf.summary.SessionLog`, ... build serializes exactly as TensorFlow's does.
"""
from tensorboardX.proto.event_pb2 import Event, SessionLog, TaggedRunMetadata
from tensorboardX.proto.summary_pb2 import Summary, SummaryDescription, SummaryMetadata

from minitf.summary.summary import (scalar, histogram, image, text, tensor_summary, merge,  # noqa: F401
                                    merge_all)
from minitf.summary.writer import FileWriter, FileWriterCache  # noqa: F401

__all__ = ["scalar", "histogram", "image", "text", "tensor_summary", "merge", "merge_all",
           "FileWriter", "FileWriterCache", "Event", "SessionLog", "TaggedRunMetadata", "Summary",
           "SummaryDescription", "SummaryMetadata"]
