"""TF1 `tf.summary.FileWriter` and `tf.summary.FileWriterCache`: Events for TensorBoard.

The FileWriter turns summaries, graphs, session logs and run metadata into `Event` protos
(tensorboardX's copies of TensorFlow's) and hands them to an EventFileWriter.
"""
import logging
import threading
import time
import warnings

from google.protobuf.message import Message
from tensorboardX.proto import event_pb2, summary_pb2

from minitf.framework.default_graph import get_default_graph
from minitf.framework.graph import Graph
from minitf.framework.meta_graph import create_meta_graph_def
from minitf.proto import graph_pb2
from minitf.summary.event_file_writer import EventFileWriter

__all__ = ["FileWriter", "FileWriterCache"]

_logger = logging.getLogger("minitf")


def _as_proto(proto_class, value, what):
    """`value` (a `proto_class`, its serialized bytes, or a field-compatible message) as a `proto_class`."""
    if isinstance(value, proto_class):
        return value
    if isinstance(value, (bytes, bytearray)):
        return proto_class.FromString(bytes(value))
    if isinstance(value, Message):
        return proto_class.FromString(value.SerializeToString())
    raise TypeError(f"{what} must be a {proto_class.DESCRIPTOR.name} proto or its serialized bytes, "
                    f"saw type: {type(value)}")


def _is_message(value, name):
    """Whether `value` is a protobuf message of type `name` (minitf's, TensorFlow's, TensorBoard's)."""
    return isinstance(value, Message) and value.DESCRIPTOR.name == name


class FileWriter:
    """TF1 `tf.summary.FileWriter(logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None,
    filename_suffix=None, session=None)`.

    Creates `logdir` and an event file in it; a `graph` (or the deprecated `graph_def`) is written
    at once, as a GraphDef event and a MetaGraphDef event. Departure: `session` is accepted and
    ignored (TF1 then writes through in-graph summary-writer ops; the files are the same).
    """

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None,
                 filename_suffix=None, session=None):
        del session
        self.event_writer = EventFileWriter(logdir, max_queue, flush_secs, filename_suffix)
        # TF1 writes a summary's plugin metadata only with the first value of each tag.
        self._seen_summary_tags = set()
        self._session_run_tags = set()
        if graph is not None or graph_def is not None:
            written = self.add_graph(graph=graph, graph_def=graph_def)
            # TF1 writes the MetaGraphDef too (TensorBoard shows its tags and collections).
            self.add_meta_graph(create_meta_graph_def(graph_def=written,
                                                      graph=graph if isinstance(graph, Graph) else None))

    # --- what gets written ------------------------------------------------------------------------
    def add_summary(self, summary, global_step=None):
        """Writes a `Summary` (a proto or the bytes a summary op evaluates to) at `global_step`."""
        given = _as_proto(summary_pb2.Summary, summary, "summary")
        summary = summary_pb2.Summary()
        summary.CopyFrom(given)  # metadata may be stripped below; the caller's proto stays intact
        for value in summary.value:
            if not value.HasField("metadata"):
                continue
            if value.tag in self._seen_summary_tags:
                value.ClearField("metadata")
            else:
                self._seen_summary_tags.add(value.tag)
        self._add_event(event_pb2.Event(summary=summary), global_step)

    def add_graph(self, graph, global_step=None, graph_def=None):
        """Writes `graph` as a GraphDef with `_output_shapes` attrs, for TensorBoard's graph view.

        `graph` may also be a GraphDef (deprecated, as is `graph_def`), written as it is.
        Returns the GraphDef written (minitf's proto; TF1 returns None).
        """
        if graph is not None and graph_def is not None:
            raise ValueError("Please pass only graph, or graph_def (deprecated), but not both.")
        given = graph if graph is not None else graph_def
        if isinstance(given, Graph):
            written = given.as_graph_def(add_shapes=True)
        elif _is_message(given, "GraphDef"):
            _logger.warning("Passing a `GraphDef` to the SummaryWriter is deprecated. Pass a `Graph` "
                            "object instead, such as `sess.graph`.")
            written = _as_proto(graph_pb2.GraphDef, given, "graph_def")
        else:
            raise TypeError("The passed graph must be an instance of `Graph` or the deprecated `GraphDef`")
        self._add_event(event_pb2.Event(graph_def=written.SerializeToString()), global_step)
        return written

    def add_meta_graph(self, meta_graph_def, global_step=None):
        """Writes a MetaGraphDef proto (TensorBoard shows its graph when no GraphDef was written)."""
        if not _is_message(meta_graph_def, "MetaGraphDef"):
            raise TypeError(f"meta_graph_def must be type MetaGraphDef, saw type: {type(meta_graph_def)}")
        self._add_event(event_pb2.Event(meta_graph_def=meta_graph_def.SerializeToString()), global_step)

    def add_session_log(self, session_log, global_step=None):
        """Writes a `tf.summary.SessionLog` (START, STOP, CHECKPOINT) at `global_step`."""
        session_log = _as_proto(event_pb2.SessionLog, session_log, "session_log")
        self._add_event(event_pb2.Event(session_log=session_log), global_step)

    def add_run_metadata(self, run_metadata, tag, global_step=None):
        """Writes a RunMetadata (e.g. step_stats from a FULL_TRACE run) under `tag`, once per tag."""
        if tag in self._session_run_tags:
            raise ValueError("The provided tag was already used for this event type")
        self._session_run_tags.add(tag)
        tagged = event_pb2.TaggedRunMetadata(tag=tag, run_metadata=run_metadata.SerializeToString())
        self._add_event(event_pb2.Event(tagged_run_metadata=tagged), global_step)

    def add_event(self, event):
        """Writes `event` as given (an `Event` proto or its bytes)."""
        if not self._warn_if_closed():
            self.event_writer.add_event(_as_proto(event_pb2.Event, event, "event"))

    def _add_event(self, event, step):
        event.wall_time = time.time()
        if step is not None:
            event.step = int(step)
        self.add_event(event)

    def _warn_if_closed(self):
        if self.event_writer.closed:
            warnings.warn("Attempting to use a closed FileWriter. The operation will be a noop unless "
                          "the FileWriter is explicitly reopened.")
            return True
        return False

    # --- lifecycle --------------------------------------------------------------------------------
    def get_logdir(self):
        return self.event_writer.get_logdir()

    def flush(self):
        """Writes every pending event to disk."""
        self.event_writer.flush()

    def close(self):
        """Flushes and closes the event file; later events are dropped (with a warning) until `reopen`."""
        self.event_writer.close()

    def reopen(self):
        """After `close`, starts a new event file in the same logdir."""
        self.event_writer.reopen()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class FileWriterCache:
    """TF1 `tf.summary.FileWriterCache`: one FileWriter per logdir, shared by its users."""

    _cache = {}
    _lock = threading.Lock()

    @staticmethod
    def get(logdir):
        """The FileWriter for `logdir`, created with the default graph on first use."""
        with FileWriterCache._lock:
            if logdir not in FileWriterCache._cache:
                FileWriterCache._cache[logdir] = FileWriter(logdir, graph=get_default_graph())
            return FileWriterCache._cache[logdir]

    @staticmethod
    def clear():
        """Closes and forgets every cached FileWriter."""
        with FileWriterCache._lock:
            for writer in FileWriterCache._cache.values():
                writer.close()
            FileWriterCache._cache.clear()
