"""tf.nn.embedding_lookup (minitf/ops/embedding_ops.py): one table and partitioned tables
("mod" and "div"), values against NumPy indexing and gradients against the rows looked up."""
import numpy as np
import pytest

import minitf as tf
from minitf.ops.embedding_ops import embedding_lookup

TABLE = np.arange(7 * 3, dtype=np.float64).reshape(7, 3) / 10.0
IDS = np.array([[0, 6, 3], [2, 5, 1], [6, 6, 4]])


def _partitions(strategy, count):
    if strategy == "mod":
        return [TABLE[i::count] for i in range(count)]
    return np.array_split(TABLE, count)  # TF1's "div": the first partitions take the extra rows


def _run(fetches, variables):
    with tf.Session() as sess:
        sess.run(tf.variables_initializer(variables))
        return sess.run(fetches)


def test_single_table_names_and_values():
    table = tf.Variable(TABLE, name="table")
    out = embedding_lookup(table, IDS)
    assert out.name == "embedding_lookup/Identity:0" and out.op.inputs[0].op.type == "GatherV2"
    assert out.shape.as_list() == [3, 3, 3]
    np.testing.assert_array_equal(_run(out, [table]), TABLE[IDS])


@pytest.mark.parametrize("strategy", ["mod", "div"])
@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_partitioned_values_and_gradients(strategy, count):
    parts = _partitions(strategy, count)
    variables = [tf.Variable(p, name=f"part_{i}") for i, p in enumerate(parts)]
    ids = tf.constant(IDS, tf.int64 if count % 2 else tf.int32)
    out = embedding_lookup(variables, ids, partition_strategy=strategy)
    assert out.shape.as_list() == [3, 3, 3]
    weights = np.random.default_rng(1).uniform(size=(3, 3, 3))
    grads = tf.gradients(tf.reduce_sum(out * weights), variables)
    assert all(isinstance(g, tf.IndexedSlices) for g in grads)  # TF1's sparse embedding gradients
    value, *grad_values = _run([out] + [tf.convert_to_tensor(g) for g in grads], variables)
    np.testing.assert_array_equal(value, TABLE[IDS])
    expected = np.zeros_like(TABLE)
    np.add.at(expected, IDS.reshape(-1), weights.reshape(-1, 3))
    np.testing.assert_allclose(np.concatenate(grad_values) if strategy == "div" else
                               _interleave(grad_values, count), expected, rtol=1e-12)


def _interleave(parts, count):
    table = np.zeros_like(TABLE)
    for i, part in enumerate(parts):
        table[i::count] = part
    return table


def test_max_norm_clips_rows():
    out = embedding_lookup(tf.constant(TABLE), [6, 0, 1], max_norm=1.0)
    rows = TABLE[[6, 0, 1]]
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    np.testing.assert_allclose(tf.Session().run(out), rows / np.maximum(norms, 1.0), rtol=1e-12)


def test_out_of_range_id_fails_at_run_time():
    parts = [tf.constant(p) for p in _partitions("div", 2)]
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.Session().run(embedding_lookup(parts, [7], partition_strategy="div"))


def test_bad_arguments():
    with pytest.raises(ValueError, match="at least one"):
        embedding_lookup([], [0])
    with pytest.raises(ValueError, match="strategy"):
        embedding_lookup([tf.constant(TABLE)] * 2, [0], partition_strategy="bad")
