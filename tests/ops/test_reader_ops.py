"""Readers: files named in a queue read record by record, with TF1's keys, counters and errors.

Expected records come from the bytes each test writes; every wait is bounded (a step deadline or a
thread join with a timeout), never a sleep.
"""
import gzip
import threading

import numpy as np
import pytest

import minitf as tf
import minitf.kernels.parsing  # noqa: F401 - the DecodeCSV kernel
import minitf.kernels.reader  # noqa: F401 - the reader kernels
from minitf import python_io
from minitf.ops.op_builder import apply_op

SHORT = tf.RunOptions(timeout_in_ms=2000)  # bounds every step that could wait on a queue


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _queue_of(*names, close=True, sess=None):
    """A FIFOQueue holding `names`, filled (and closed) in `sess`."""
    queue = tf.FIFOQueue(10, tf.string)
    fill = queue.enqueue_many([list(names)])
    closing = queue.close()
    if sess is not None:
        sess.run(fill)
        if close:
            sess.run(closing)
    return queue, fill, closing


def _drain(sess, fetches):
    """Runs `fetches` until the input ends with OutOfRangeError; returns every result."""
    results = []
    while True:
        try:
            results.append(sess.run(fetches, options=SHORT))
        except tf.errors.OutOfRangeError:
            return results


# ======================================================================================
# A CSV input pipeline
# ======================================================================================
def test_csv_files_through_a_queue_of_names(tmp_path):
    files = {"a.csv": [(1, 0.5, b"x"), (2, 1.5, b"y")], "b.csv": [(3, 2.5, b"z")]}
    names = [_write(tmp_path, name, b"id,score,tag\n" + b"".join(b"%d,%r,%s\n" % row for row in rows))
             for name, rows in files.items()]
    with tf.Session() as sess:
        queue, _, _ = _queue_of(*names, sess=sess)
        key, line = tf.TextLineReader(skip_header_lines=1).read(queue)
        columns = tf.decode_csv(line, [[0], [0.0], [""]])
        results = _drain(sess, [key] + columns)
    expected_keys = [f"{names[0]}:2", f"{names[0]}:3", f"{names[1]}:2"]
    assert [r[0].decode() for r in results] == expected_keys
    rows = [row for name in files for row in files[name]]
    assert [(int(r[1]), float(r[2]), r[3]) for r in results] == rows
    assert [type(v) for v in results[0][1:]] == [np.int32, np.float32, bytes]


def test_graph_structure_follows_tf1():
    queue = tf.FIFOQueue(3, tf.string)
    reader = tf.TextLineReader(skip_header_lines=2)
    key, value = reader.read(queue)
    keys, values = reader.read_up_to(queue, 4)
    assert reader.reader_ref.op.type == "TextLineReaderV2" and reader.reader_ref.op.name == "TextLineReaderV2"
    assert reader.reader_ref.op.get_attr("skip_header_lines") == 2
    assert key.op.type == "ReaderReadV2" and key.shape == tf.TensorShape([]) and value.dtype == tf.string
    assert [t.op.name for t in key.op.inputs] == ["TextLineReaderV2", queue.queue_ref.op.name]
    assert keys.op.name == "ReaderReadUpToV2" and keys.shape.as_list() == [None]
    assert keys.op.inputs[2].op.name == "ReaderReadUpToV2/num_records"
    assert reader.reset().type == "ReaderResetV2"
    assert reader.num_records_produced().dtype == tf.int64
    fixed = tf.FixedLengthRecordReader(8, header_bytes=1, name="fixed")
    assert [fixed.reader_ref.op.get_attr(a) for a in ("record_bytes", "header_bytes", "footer_bytes",
                                                      "hop_bytes", "encoding")] == [8, 1, 0, 0, ""]
    assert tf.TFRecordReader(options="GZIP").reader_ref.op.get_attr("compression_type") == "GZIP"


# ======================================================================================
# Keys and values of each reader kind
# ======================================================================================
def _read_all(names, reader):
    with tf.Session() as sess:
        queue, _, _ = _queue_of(*names, sess=sess)
        return _drain(sess, list(reader.read(queue)))


def test_text_lines(tmp_path):
    contents = b"one\r\ntwo\n\nlast without newline"
    name = _write(tmp_path, "t.txt", contents)
    lines = contents.replace(b"\r\n", b"\n").split(b"\n")
    got = _read_all([name], tf.TextLineReader())
    assert got == [[f"{name}:{i + 1}".encode(), line] for i, line in enumerate(lines)]


def test_header_lines_are_skipped_in_every_file(tmp_path):
    names = [_write(tmp_path, f"{i}.txt", b"h1\nh2\n" + b"row%d\n" % i) for i in range(2)]
    names.append(_write(tmp_path, "short.txt", b"only a header\n"))
    got = _read_all(names, tf.TextLineReader(skip_header_lines=2))
    assert got == [[f"{names[i]}:3".encode(), b"row%d" % i] for i in range(2)]


def test_fixed_length_records(tmp_path):
    data = bytes(range(40))
    name = _write(tmp_path, "f.bin", data)
    got = _read_all([name], tf.FixedLengthRecordReader(record_bytes=6, header_bytes=3, footer_bytes=4))
    starts = range(3, len(data) - 4 - 6 + 1, 6)
    assert got == [[f"{name}:{i}".encode(), data[s:s + 6]] for i, s in enumerate(starts)]


def test_fixed_length_records_with_hops(tmp_path):
    data = bytes(range(23))
    name = _write(tmp_path, "f.bin", data)
    got = _read_all([name], tf.FixedLengthRecordReader(record_bytes=5, hop_bytes=3))
    starts = range(0, len(data) - 5 + 1, 3)
    assert got == [[f"{name}:{i}".encode(), data[s:s + 5]] for i, s in enumerate(starts)]


def test_fixed_length_records_of_a_compressed_file(tmp_path):
    data = bytes(range(30))
    name = _write(tmp_path, "f.gz", gzip.compress(data))
    got = _read_all([name], tf.FixedLengthRecordReader(record_bytes=10, encoding="GZIP"))
    assert [value for _, value in got] == [data[0:10], data[10:20], data[20:30]]


@pytest.mark.parametrize("compression", ["", "GZIP", "ZLIB"])
def test_tfrecords(tmp_path, compression):
    records = [b"alpha", b"", b"gamma" * 100]
    name = str(tmp_path / "r.tfrecord")
    with python_io.TFRecordWriter(name, compression) as writer:
        for record in records:
            writer.write(record)
    got = _read_all([name], tf.TFRecordReader(options=python_io.TFRecordOptions(compression)))
    offsets = np.cumsum([0] + [16 + len(r) for r in records[:-1]])  # a frame adds 16 bytes
    assert got == [[f"{name}:{o}".encode(), r] for o, r in zip(offsets, records)]


def test_a_corrupted_tfrecord_is_data_loss(tmp_path):
    name = str(tmp_path / "r.tfrecord")
    with python_io.TFRecordWriter(name) as writer:
        writer.write(b"good")
        writer.write(b"damaged")
    data = bytearray(open(name, "rb").read())
    data[-6] ^= 1
    open(name, "wb").write(bytes(data))
    with tf.Session() as sess:
        queue, _, _ = _queue_of(name, sess=sess)
        key, value = tf.TFRecordReader().read(queue)
        assert sess.run(value) == b"good"
        with pytest.raises(tf.errors.DataLossError, match="corrupted record at 32") as info:
            sess.run(value)
        assert info.value.op is key.op


def test_whole_files(tmp_path):
    names = [_write(tmp_path, "a", b"all of a"), _write(tmp_path, "empty", b"")]
    assert _read_all(names, tf.WholeFileReader()) == [[names[0].encode(), b"all of a"],
                                                      [names[1].encode(), b""]]


# ======================================================================================
# read_up_to, counters, reset
# ======================================================================================
def test_read_up_to_stops_at_the_end_of_a_file(tmp_path):
    names = [_write(tmp_path, "a", b"1\n2\n3\n"), _write(tmp_path, "b", b"4\n5\n")]
    with tf.Session() as sess:
        queue, _, _ = _queue_of(*names, sess=sess)
        reader = tf.TextLineReader()
        count = tf.placeholder(tf.int64, [])
        _, values = reader.read_up_to(queue, count)
        counters = [reader.num_records_produced(), reader.num_work_units_completed()]
        batches = [list(sess.run(values, {count: n}, options=SHORT)) for n in (2, 5, 5)]
        assert batches == [[b"1", b"2"], [b"3"], [b"4", b"5"]]
        assert sess.run(counters) == [5, 2]
        assert len(sess.run(values, {count: 0})) == 0
        with pytest.raises(tf.errors.OutOfRangeError, match="is closed and has insufficient elements"):
            sess.run(values, {count: 1}, options=SHORT)


def test_counters_see_the_end_of_a_file_on_the_next_read(tmp_path):
    names = [_write(tmp_path, "a", b"1\n2\n"), _write(tmp_path, "b", b"3\n")]
    with tf.Session() as sess:
        queue, _, _ = _queue_of(*names, sess=sess)
        reader = tf.TextLineReader()
        _, value = reader.read(queue)
        counters = [reader.num_records_produced(), reader.num_work_units_completed()]
        seen = []
        for _ in range(3):
            sess.run(value, options=SHORT)
            seen.append(sess.run(counters))
        assert seen == [[1, 0], [2, 0], [3, 1]]


def test_reset_restarts_the_counters_and_drops_the_current_file(tmp_path):
    names = [_write(tmp_path, "a", b"1\n2\n"), _write(tmp_path, "b", b"3\n")]
    with tf.Session() as sess:
        queue, _, _ = _queue_of(*names, sess=sess)
        reader = tf.TextLineReader()
        _, value = reader.read(queue)
        assert sess.run(value, options=SHORT) == b"1"
        sess.run(reader.reset())
        assert sess.run([reader.num_records_produced(), reader.num_work_units_completed()]) == [0, 0]
        assert sess.run(value, options=SHORT) == b"3"


# ======================================================================================
# Errors
# ======================================================================================
def test_a_missing_file_fails_one_read_naming_it(tmp_path):
    missing = str(tmp_path / "missing.csv")
    present = _write(tmp_path, "present.csv", b"row\n")
    with tf.Session() as sess:
        queue, _, _ = _queue_of(missing, present, sess=sess)
        key, value = tf.TextLineReader().read(queue)
        with pytest.raises(tf.errors.NotFoundError) as info:
            sess.run(value, options=SHORT)
        assert info.value.message == f"{missing}; No such file or directory" and info.value.op is key.op
        assert sess.run(value, options=SHORT) == b"row"


def test_the_end_of_the_input_is_out_of_range(tmp_path):
    with tf.Session() as sess:
        queue, _, _ = _queue_of(_write(tmp_path, "a", b"x\n"), sess=sess)
        _, value = tf.TextLineReader().read(queue)
        assert sess.run(value) == b"x"
        for _ in range(2):  # and stays so
            with pytest.raises(tf.errors.OutOfRangeError):
                sess.run(value, options=SHORT)


@pytest.mark.parametrize("dtypes,message", [
    ([tf.int32], "Expected queue with single string component"),
    ([tf.string, tf.string], "Expected single component queue"),
])
def test_the_queue_must_hold_single_strings(dtypes, message):
    queue = tf.FIFOQueue(2, dtypes)
    _, value = tf.TextLineReader().read(queue)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match=message):
        sess.run(value, options=SHORT)


# ======================================================================================
# Blocking: deadlines, close(), several threads
# ======================================================================================
def test_a_read_waits_for_a_name_until_the_deadline(tmp_path):
    with tf.Session() as sess:
        queue, fill, _ = _queue_of(_write(tmp_path, "a", b"late\n"))
        _, value = tf.TextLineReader().read(queue)
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(value, options=tf.RunOptions(timeout_in_ms=50))
        sess.run(fill)
        assert sess.run(value, options=SHORT) == b"late"  # the reader was not left stuck


def test_closing_the_session_ends_a_blocked_read():
    sess = tf.Session()
    queue = tf.FIFOQueue(2, tf.string)
    key, _ = tf.TextLineReader().read(queue)
    size = queue.size()
    errors = []

    def blocked_read():
        try:
            sess.run(key)
        except Exception as e:  # noqa: BLE001 - checked below
            errors.append(e)
    assert sess.run(size) == 0  # creates the session's queue
    names = sess._resources.lookup("", queue.queue_ref.op.name)
    thread = threading.Thread(target=blocked_read)
    thread.start()
    with names.condition:  # the read is blocked once it waits in the queue's dequeue line
        assert names.condition.wait_for(lambda: names.pending_dequeues == 1, timeout=10)
    sess.close()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], (tf.errors.CancelledError, RuntimeError))


def test_threads_sharing_a_reader_get_every_line_once(tmp_path):
    lines = [b"line %d" % i for i in range(60)]
    names = [_write(tmp_path, f"{i}.txt", b"\n".join(lines[i::3])) for i in range(3)]
    with tf.Session() as sess:
        queue, _, _ = _queue_of(*names, sess=sess)
        _, value = tf.TextLineReader().read(queue)
        results = [[] for _ in range(4)]
        threads = [threading.Thread(target=lambda out=out: out.extend(_drain(sess, value)))
                   for out in results]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not any(t.is_alive() for t in threads)
    assert sorted(v for out in results for v in out) == sorted(lines)


# ======================================================================================
# Reader state: per session, or shared by name
# ======================================================================================
def test_shared_name_shares_one_reader_between_ops(tmp_path):
    names = [_write(tmp_path, "a", b"1\n2\n3\n"), _write(tmp_path, "b", b"x\n")]
    with tf.Session() as sess:
        queue, _, _ = _queue_of(*names, sess=sess)
        first = tf.TextLineReader(name="first")
        second = tf.TextLineReader(name="second")
        shared = [tf.ReaderBase(apply_op("TextLineReaderV2", shared_name="lines", name=f"shared_{i}"))
                  for i in range(2)]
        reads = [reader.read(queue)[1] for reader in shared]
        assert [sess.run(r, options=SHORT) for r in reads] == [b"1", b"2"]  # one file, one position
        assert sess.run(first.read(queue)[1], options=SHORT) == b"x"  # its own file
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(second.read(queue)[1], options=SHORT)


def test_each_session_has_its_own_reader(tmp_path):
    name = _write(tmp_path, "a", b"1\n2\n")
    queue = tf.FIFOQueue(10, tf.string)
    fill = queue.enqueue_many([[name, name]])
    _, value = tf.TextLineReader().read(queue)
    for _ in range(2):
        with tf.Session() as sess:
            sess.run(fill)
            assert sess.run(value, options=SHORT) == b"1"
