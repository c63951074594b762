"""Event files, as TensorBoard reads them (DESIGN §5): TF's record framing around serialized `Event`s.

A record is `uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)`,
little-endian. A file is named `events.out.tfevents.<10-digit seconds>.<host><suffix>` and starts
with an Event whose file_version is "brain.Event:2".
"""
import os
import socket
import struct
import threading
import time
import weakref

from tensorboardX.proto import event_pb2
from tensorboardX.record_writer import masked_crc32c

FILE_VERSION = "brain.Event:2"


def frame_record(data):
    """`data` framed as one record of TF's record format."""
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc32c(header)) + data + struct.pack("<I", masked_crc32c(data))


def event_file_name(suffix=""):
    return f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}{suffix}"


def _flush_periodically(writer_ref, stop, interval):
    """The flusher thread's loop; holds the writer weakly so an unclosed writer can still be freed."""
    while not stop.wait(interval):
        writer = writer_ref()
        if writer is None:
            return
        writer.flush()
        del writer


class EventFileWriter:
    """Appends Events to one event file in `logdir` (TF1's EventFileWriter, without the queue thread).

    Records go to a buffered file as they are added; the buffer reaches the disk when `max_queue`
    records are pending, every `flush_secs` seconds (a daemon thread), and on `flush`/`close`.
    Departure: `reopen` starts a new file but appends to it when it has the same name (same
    second), where TF1 truncates the earlier file.
    """

    def __init__(self, logdir, max_queue=10, flush_secs=120, filename_suffix=None):
        self._logdir = os.fspath(logdir)
        self._max_queue = max(int(max_queue), 1)
        self._flush_secs = flush_secs
        self._suffix = filename_suffix or ""
        self._lock = threading.Lock()
        self._file = None
        self._open()

    # --- lifecycle ------------------------------------------------------------------------------
    def _open(self):
        os.makedirs(self._logdir, exist_ok=True)
        self._path = os.path.join(self._logdir, event_file_name(self._suffix))
        is_new = not os.path.exists(self._path)
        self._file = open(self._path, "ab")
        self._pending = 0
        if is_new:
            version = event_pb2.Event(wall_time=time.time(), file_version=FILE_VERSION)
            self._file.write(frame_record(version.SerializeToString()))
            self._file.flush()
        self._stop = threading.Event()
        self._flusher = threading.Thread(target=_flush_periodically, name="minitf-event-flusher",
                                         args=(weakref.ref(self), self._stop, self._flush_secs), daemon=True)
        self._flusher.start()

    @property
    def closed(self):
        return self._file is None

    def reopen(self):
        """Opens a new event file after `close`; does nothing while open."""
        with self._lock:
            if self._file is None:
                self._open()

    def close(self):
        """Flushes and closes the file and stops the flusher; later events are dropped."""
        self._stop.set()
        if self._flusher is not threading.current_thread():
            self._flusher.join()
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    # --- writing --------------------------------------------------------------------------------
    def get_logdir(self):
        return self._logdir

    @property
    def path(self):
        """The event file being written (the latest one after `reopen`)."""
        return self._path

    def add_event(self, event):
        """Appends `event` (a tensorboardX `Event`); a closed writer drops it."""
        record = frame_record(event.SerializeToString())
        with self._lock:
            if self._file is None:
                return
            self._file.write(record)
            self._pending += 1
            if self._pending >= self._max_queue:
                self._flush_locked()

    def flush(self):
        with self._lock:
            if self._file is not None:
                self._flush_locked()

    def _flush_locked(self):
        self._file.flush()
        self._pending = 0
