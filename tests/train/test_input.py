"""tf.train input producers and batching: TF1's graph structure, epochs, seeded shuffling, batch
shapes, allow_smaller_final_batch, dicts, padding, and several readers feeding batch_join."""
import numpy as np
import pytest

import minitf as tf

pytestmark = pytest.mark.timeout(60)
JOIN_SECS = 30


def _run_to_end(fetch, feed_dict=None):
    """Starts the queue runners, runs `fetch` until OutOfRangeError; returns every result."""
    results = []
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        try:
            while True:
                results.append(sess.run(fetch, feed_dict))
        except tf.errors.OutOfRangeError:
            pass
        finally:
            coord.request_stop()
        coord.join(threads, stop_grace_period_secs=JOIN_SECS)
    return results


def _node_summary(graph):
    return [(op.name, op.type) for op in graph.get_operations()]


# ==============================================================================================
# Producers
# ==============================================================================================
def test_string_input_producer_builds_tf1_graph():
    queue = tf.train.string_input_producer(["a", "b", "c"], num_epochs=2, seed=3)
    assert _node_summary(tf.get_default_graph()) == [  # as TF 1.x builds it
        ("input_producer/Const", "Const"), ("input_producer/Size", "Const"),
        ("input_producer/Greater/y", "Const"), ("input_producer/Greater", "Greater"),
        ("input_producer/Assert/Const", "Const"), ("input_producer/Assert/Assert/data_0", "Const"),
        ("input_producer/Assert/Assert", "Assert"), ("input_producer/Identity", "Identity"),
        ("input_producer/RandomShuffle", "RandomShuffle"), ("input_producer/limit_epochs/Const", "Const"),
        ("input_producer/limit_epochs/epochs", "VariableV2"),
        ("input_producer/limit_epochs/epochs/Assign", "Assign"),
        ("input_producer/limit_epochs/epochs/read", "Identity"),
        ("input_producer/limit_epochs/CountUpTo", "CountUpTo"), ("input_producer/limit_epochs", "Identity"),
        ("input_producer", "FIFOQueueV2"), ("input_producer/input_producer_EnqueueMany", "QueueEnqueueManyV2"),
        ("input_producer/input_producer_Close", "QueueCloseV2"),
        ("input_producer/input_producer_Close_1", "QueueCloseV2"),
        ("input_producer/input_producer_Size", "QueueSizeV2"), ("input_producer/Cast", "Cast"),
        ("input_producer/mul/y", "Const"), ("input_producer/mul", "Mul"),
        ("input_producer/fraction_of_32_full/tags", "Const"),
        ("input_producer/fraction_of_32_full", "ScalarSummary"),
    ]
    graph = tf.get_default_graph()
    assert graph.get_operation_by_name("input_producer/RandomShuffle").get_attr("seed2") == 3
    assert graph.get_operation_by_name("input_producer/limit_epochs/CountUpTo").get_attr("limit") == 2
    assert [v.op.name for v in tf.local_variables()] == ["input_producer/limit_epochs/epochs"]
    assert tf.trainable_variables() == []
    (qr,) = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
    assert qr.queue is queue and [op.name for op in qr.enqueue_ops] == ["input_producer/input_producer_EnqueueMany"]
    assert (qr.close_op.name, qr.cancel_op.name) == ("input_producer/input_producer_Close",
                                                     "input_producer/input_producer_Close_1")
    assert queue.dtypes == [tf.string] and queue.shapes == [tf.TensorShape([])]


def test_string_input_producer_gives_num_epochs_then_out_of_range():
    queue = tf.train.string_input_producer(["a", "b", "c"], num_epochs=2, shuffle=False)
    assert _run_to_end(queue.dequeue()) == [b"a", b"b", b"c", b"a", b"b", b"c"]


def test_string_input_producer_shuffles_each_epoch_reproducibly_with_a_seed():
    names = [f"file{i}".encode() for i in range(8)]

    def epochs(seed):
        tf.reset_default_graph()
        return _run_to_end(tf.train.string_input_producer(names, num_epochs=3, seed=seed).dequeue())
    first = epochs(seed=7)
    per_epoch = [first[i:i + 8] for i in range(0, 24, 8)]
    assert all(sorted(epoch) == names for epoch in per_epoch)
    assert any(epoch != names for epoch in per_epoch)
    assert epochs(seed=7) == first


def test_string_input_producer_rejects_empty_input():
    with pytest.raises(ValueError, match="requires a non-null input tensor"):
        tf.train.string_input_producer([])
    names = tf.placeholder(tf.string, shape=[None])
    queue = tf.train.string_input_producer(names)
    (qr,) = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="non-null input"):
        sess.run(qr.enqueue_ops[0], feed_dict={names: np.array([], dtype=object)})
    assert queue.shapes == [tf.TensorShape([])]


def test_range_and_input_producer():
    assert _run_to_end(tf.train.range_input_producer(5, num_epochs=1, shuffle=False).dequeue()) == [0, 1, 2, 3, 4]
    tf.reset_default_graph()
    rows = tf.train.input_producer(tf.constant([[1, 2], [3, 4]]), num_epochs=2, shuffle=False)
    assert rows.name == "input_producer/FIFOQueueV2"  # TF1 passes name=None on to the queue
    assert [list(v) for v in _run_to_end(rows.dequeue())] == [[1, 2], [3, 4], [1, 2], [3, 4]]
    with pytest.raises(ValueError, match="must have a fully defined shape"):
        tf.train.input_producer(tf.placeholder(tf.float32, [None, None]))


def test_limit_epochs():
    with pytest.raises(ValueError, match="num_epochs must be > 0 not 0"):
        tf.train.limit_epochs(tf.constant([1, 2]), 0)
    data = tf.constant([1, 2])
    assert tf.train.limit_epochs(data) is data
    limited = tf.train.limit_epochs(data, 2)
    assert limited.op.name == "limit_epochs" and limited.op.control_inputs[0].type == "CountUpTo"
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert list(sess.run(limited)) == [1, 2] and list(sess.run(limited)) == [1, 2]
        with pytest.raises(tf.errors.OutOfRangeError, match="Reached limit of 2"):
            sess.run(limited)


def test_slice_input_producer_keeps_rows_together():
    images = np.arange(20, dtype=np.float32).reshape(10, 2)
    labels = np.arange(10, dtype=np.int32)
    image, label = tf.train.slice_input_producer([tf.constant(images), tf.constant(labels)],
                                                 num_epochs=1, seed=2)
    assert image.shape.as_list() == [2] and label.shape.as_list() == []
    assert image.op.name == "input_producer/GatherV2"
    assert tf.get_default_graph().get_operation_by_name("input_producer/input_producer").type == "FIFOQueueV2"
    pairs = _run_to_end([image, label])
    assert sorted(int(l) for _, l in pairs) == list(range(10))
    assert all(np.array_equal(i, images[l]) for i, l in pairs)
    assert [int(l) for _, l in pairs] != list(range(10))  # shuffled
    with pytest.raises(ValueError, match="Expected at least one tensor"):
        tf.train.slice_input_producer([])


# ==============================================================================================
# Batching
# ==============================================================================================
def _numbered_rows(n=10, num_epochs=1):
    """(row vector [i, 10*i], i) for i in 0..n-1, in order."""
    data = np.stack([np.arange(n), 10 * np.arange(n)], axis=1).astype(np.float32)
    return tf.train.slice_input_producer([tf.constant(data), tf.constant(np.arange(n, dtype=np.int32))],
                                         num_epochs=num_epochs, shuffle=False)


def test_batch_shapes_and_the_dropped_or_smaller_final_batch():
    row, index = _numbered_rows()
    rows, indices = tf.train.batch([row, index], batch_size=4)
    assert rows.shape.as_list() == [4, 2] and indices.shape.as_list() == [4]
    assert rows.op.type == "QueueDequeueManyV2" and rows.op.name == "batch"
    batches = _run_to_end(indices)
    assert [list(b) for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7]]  # the last 2 are dropped
    tf.reset_default_graph()
    row, index = _numbered_rows()
    rows, indices = tf.train.batch([row, index], batch_size=4, allow_smaller_final_batch=True)
    assert rows.shape.as_list() == [None, 2] and rows.op.type == "QueueDequeueUpToV2"
    batches = _run_to_end([rows, indices])
    assert [list(i) for _, i in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert all(np.array_equal(r[:, 1], 10 * i) for r, i in batches)


def test_batch_graph_matches_tf1():
    x = tf.placeholder(tf.float32, [3], name="x")
    y = tf.placeholder(tf.int32, [], name="y")
    tf.train.batch([x, y], 4, num_threads=2)
    assert _node_summary(tf.get_default_graph())[2:] == [
        ("batch/Const", "Const"), ("batch/fifo_queue", "FIFOQueueV2"),
        ("batch/fifo_queue_enqueue", "QueueEnqueueV2"), ("batch/fifo_queue_Close", "QueueCloseV2"),
        ("batch/fifo_queue_Close_1", "QueueCloseV2"), ("batch/fifo_queue_Size", "QueueSizeV2"),
        ("batch/Cast", "Cast"), ("batch/mul/y", "Const"), ("batch/mul", "Mul"),
        ("batch/fraction_of_32_full/tags", "Const"), ("batch/fraction_of_32_full", "ScalarSummary"),
        ("batch/n", "Const"), ("batch", "QueueDequeueManyV2"),
    ]
    (qr,) = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
    assert [op.name for op in qr.enqueue_ops] == ["batch/fifo_queue_enqueue"] * 2  # one per thread
    assert [t.op.name for t in tf.get_collection(tf.GraphKeys.SUMMARIES)] == ["batch/fraction_of_32_full"]


def test_batch_of_a_dict_with_threads_enqueue_many_and_padding():
    row, index = _numbered_rows()
    batch = tf.train.batch({"row": row, "index": index}, batch_size=5, num_threads=3)
    assert sorted(batch) == ["index", "row"] and batch["row"].shape.as_list() == [5, 2]
    results = _run_to_end(batch)
    assert sorted(i for b in results for i in b["index"]) == list(range(10))  # 3 threads: any order
    tf.reset_default_graph()
    many = tf.train.batch([tf.constant(np.arange(12, dtype=np.int64).reshape(6, 2))], batch_size=4,
                          enqueue_many=True)
    assert many.shape.as_list() == [4, 2]
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        assert sess.run(many).tolist() == [[0, 1], [2, 3], [4, 5], [6, 7]]
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=JOIN_SECS)
    tf.reset_default_graph()
    index = tf.train.range_input_producer(4, num_epochs=1, shuffle=False).dequeue()
    ragged = tf.range(index + 1)  # [0], [0 1], [0 1 2], [0 1 2 3]
    padded = tf.train.batch([ragged], batch_size=2, dynamic_pad=True)
    assert padded.shape.as_list() == [2, None]
    assert [b.tolist() for b in _run_to_end(padded)] == [[[0, 0], [0, 1]], [[0, 1, 2, 0], [0, 1, 2, 3]]]


def test_shuffle_batch_mixes_and_keeps_every_example():
    row, index = _numbered_rows(n=40)
    rows, indices = tf.train.shuffle_batch([row, index], batch_size=8, capacity=30, min_after_dequeue=10,
                                           seed=5, num_threads=2, allow_smaller_final_batch=True)
    assert rows.shape.as_list() == [None, 2] and rows.op.name == "shuffle_batch"
    graph = tf.get_default_graph()
    queue_op = graph.get_operation_by_name("shuffle_batch/random_shuffle_queue")
    assert (queue_op.get_attr("capacity"), queue_op.get_attr("min_after_dequeue")) == (30, 10)
    assert queue_op.get_attr("seed2") == 5
    assert graph.get_operation_by_name("shuffle_batch/fraction_over_10_of_20_full").type == "ScalarSummary"
    batches = _run_to_end([rows, indices])
    seen = [int(i) for _, b in batches for i in b]
    assert sorted(seen) == list(range(40)) and seen != list(range(40))
    assert all(np.array_equal(r[:, 0], i) for r, i in batches)
    with pytest.raises(ValueError, match="capacity 10 must be bigger than min_after_dequeue 10"):
        tf.train.shuffle_batch([row], 2, capacity=10, min_after_dequeue=10)


def test_batch_checks_its_inputs():
    x = tf.placeholder(tf.float32, [3])
    with pytest.raises(ValueError, match="Expected at least one tensor in batch"):
        tf.train.batch([], 2)
    with pytest.raises(TypeError, match="Expected types to be consistent"):
        tf.train.batch_join([[x], [tf.placeholder(tf.int32, [3])]], 2)
    with pytest.raises(ValueError, match="Cannot infer Tensor's rank"):
        tf.train.batch([tf.placeholder(tf.float32)], 2)
    with pytest.raises(ValueError, match="All dictionaries in tensors_list must have the same keys"):
        tf.train.batch_join([{"a": x}, {"b": x}], 2)
    with pytest.raises(ValueError, match="`keep_input` cannot be a vector"):
        tf.train.maybe_batch([x], tf.constant([True, False]), 2)


def test_maybe_batch_keeps_only_selected_examples():
    index = tf.train.range_input_producer(10, num_epochs=1, shuffle=False).dequeue()
    kept = tf.train.maybe_batch([index], tf.equal(index % 2, 0), batch_size=5)
    assert [b.tolist() for b in _run_to_end(kept)] == [[0, 2, 4, 6, 8]]
    tf.reset_default_graph()
    values = tf.constant(np.arange(6, dtype=np.int32))
    kept = tf.train.maybe_batch([values], tf.constant([True, False] * 3), batch_size=3, enqueue_many=True)
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        assert sess.run(kept).tolist() == [0, 2, 4]
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=JOIN_SECS)


# ==============================================================================================
# Several readers into one batch queue (needs tf.TextLineReader)
# ==============================================================================================
def test_several_text_line_readers_feed_batch_join(tmp_path):
    files = []
    for shard in range(3):
        path = tmp_path / f"part-{shard}.txt"
        path.write_text("".join(f"{shard * 100 + line}\n" for line in range(7)))
        files.append(str(path))
    filename_queue = tf.train.string_input_producer(files, num_epochs=2, shuffle=False)
    readers = []
    for _ in range(4):
        key, value = tf.TextLineReader().read(filename_queue)
        readers.append([key, value])
    keys, values = tf.train.batch_join(readers, batch_size=5, allow_smaller_final_batch=True)
    (qr,) = [qr for qr in tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS) if qr.name == "batch_join/fifo_queue"]
    assert len(qr.enqueue_ops) == 4  # one thread per reader
    batches = _run_to_end([keys, values])
    lines = sorted(int(v) for _, batch in batches for v in batch)
    assert lines == sorted(2 * [shard * 100 + line for shard in range(3) for line in range(7)])
    assert all(k.decode().startswith(str(tmp_path)) for batch, _ in batches for k in batch)
