"""Sparse gradients in training: an embedding's gradient is an IndexedSlices, and optimizers
update only the rows it names, as TF1's `_apply_sparse` does (untouched rows keep their values
and slots even where a dense update would decay them).

The cross-check against TensorFlow runs where `tensorflow` imports (e.g. a scratch venv with
both installed); the rest runs everywhere."""
import numpy as np
import pytest

import minitf as tf

TABLE = np.arange(15, dtype=np.float32).reshape(5, 3) / 10.0
IDS = np.array([1, 3, 1], np.int32)  # row 1 twice: the optimizer sums its two slices
WEIGHTS = np.linspace(0.5, 1.5, 9, dtype=np.float32).reshape(3, 3)

OPTIMIZERS = {
    "GradientDescent": lambda t: t.train.GradientDescentOptimizer(0.1),
    "Momentum": lambda t: t.train.MomentumOptimizer(0.1, 0.9),
    "Momentum-nesterov": lambda t: t.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
    "Adagrad": lambda t: t.train.AdagradOptimizer(0.1),
    "RMSProp": lambda t: t.train.RMSPropOptimizer(0.05, momentum=0.5),
    "RMSProp-centered": lambda t: t.train.RMSPropOptimizer(0.05, momentum=0.5, centered=True),
    "Adam": lambda t: t.train.AdamOptimizer(0.1),
    "Ftrl": lambda t: t.train.FtrlOptimizer(0.1, l1_regularization_strength=0.01),
    "Ftrl-shrinkage": lambda t: t.train.FtrlOptimizer(0.1, l2_shrinkage_regularization_strength=0.1),
    "Adadelta": lambda t: t.train.AdadeltaOptimizer(1.0),
    "ProximalGradientDescent": lambda t: t.train.ProximalGradientDescentOptimizer(0.1, l1_regularization_strength=0.01),
    "ProximalAdagrad": lambda t: t.train.ProximalAdagradOptimizer(0.1, l2_regularization_strength=0.01),
}


def train_embedding(t, make_optimizer, steps=3):
    """(table after `steps` steps, {slot name: value}) of an embedding trained through `t`
    (minitf or tensorflow.compat.v1)."""
    graph = t.Graph()
    with graph.as_default():
        table = t.Variable(TABLE, name="table")
        rows = t.nn.embedding_lookup(table, t.constant(IDS))
        loss = t.reduce_sum(t.square(rows) * WEIGHTS)
        optimizer = make_optimizer(t)
        train = optimizer.minimize(loss)
        slots = {name: optimizer.get_slot(table, name) for name in optimizer.get_slot_names()}
        with t.Session(graph=graph) as sess:
            sess.run(t.global_variables_initializer())
            for _ in range(steps):
                sess.run(train)
            return sess.run(table), sess.run(slots)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_sparse_updates_match_tensorflow(name):
    tensorflow = pytest.importorskip("tensorflow")
    tf1 = tensorflow.compat.v1
    tf1.disable_v2_behavior()
    theirs, their_slots = train_embedding(tf1, OPTIMIZERS[name])
    ours, our_slots = train_embedding(tf, OPTIMIZERS[name])
    np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=1e-6)
    assert sorted(our_slots) == sorted(their_slots)
    for slot in their_slots:
        np.testing.assert_allclose(our_slots[slot], their_slots[slot], rtol=2e-6, atol=1e-6, err_msg=slot)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_rows_no_index_names_keep_their_values_and_slots(name):
    table, slots = train_embedding(tf, OPTIMIZERS[name])
    untouched = [0, 2, 4]
    np.testing.assert_array_equal(table[untouched], TABLE[untouched])
    assert not np.allclose(table[[1, 3]], TABLE[[1, 3]])
    for slot, value in slots.items():
        initial = value[untouched].flat[0]  # each slot starts filled with one value
        np.testing.assert_array_equal(value[untouched], np.full_like(value[untouched], initial), err_msg=slot)


def test_momentum_moves_only_the_named_rows_where_dense_momentum_would_move_all():
    """One step with a gradient on row 1, then one with a gradient on row 3: TF1's sparse
    momentum leaves row 1 alone in the second step; a dense accumulator would carry it on."""
    table = tf.Variable(np.zeros((4, 2), np.float32))
    ids = tf.placeholder(tf.int32, [1])
    loss = tf.reduce_sum(tf.nn.embedding_lookup(table, ids))
    train = tf.train.MomentumOptimizer(1.0, 0.5).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {ids: [1]})
        after_first = sess.run(table)
        sess.run(train, {ids: [3]})
        after_second = sess.run(table)
    np.testing.assert_array_equal(after_first[1], [-1, -1])
    np.testing.assert_array_equal(after_second[1], after_first[1])
    np.testing.assert_array_equal(after_second[3], [-1, -1])


def test_compute_gradients_gives_indexed_slices_that_clipping_keeps():
    table = tf.Variable(TABLE)
    loss = tf.reduce_sum(tf.nn.embedding_lookup(table, IDS) * WEIGHTS)
    optimizer = tf.train.AdagradOptimizer(0.1)
    (grad, var), = optimizer.compute_gradients(loss)
    assert isinstance(grad, tf.IndexedSlices) and var is table
    (clipped,), norm = tf.clip_by_global_norm([grad], 1.0)
    by_norm = tf.clip_by_norm(grad, 1.0)
    by_value = tf.clip_by_value(grad, 0.6, 1.0)
    assert all(isinstance(g, tf.IndexedSlices) for g in (clipped, by_norm, by_value))
    train = optimizer.apply_gradients([(clipped, var)])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        norm_value, clipped_value, by_value_value = sess.run([norm, clipped, by_value])
        sess.run(train)
    # TF1 clips an IndexedSlices by its values: the repeated row counts twice in the norm.
    np.testing.assert_allclose(norm_value, np.sqrt(np.sum(WEIGHTS ** 2)), rtol=1e-6)
    np.testing.assert_allclose(clipped_value.values, WEIGHTS / norm_value, rtol=1e-6)
    np.testing.assert_array_equal(clipped_value.indices, IDS)
    np.testing.assert_allclose(by_value_value.values, np.clip(WEIGHTS, 0.6, 1.0))


def test_a_custom_optimizer_without_apply_sparse_raises_not_implemented():
    class DenseOnly(tf.train.Optimizer):
        def _apply_dense(self, grad, var):
            return tf.assign_sub(var, grad).op

    table = tf.Variable(TABLE)
    loss = tf.reduce_sum(tf.nn.embedding_lookup(table, IDS))
    with pytest.raises(NotImplementedError):
        DenseOnly(False, "DenseOnly").minimize(loss)
