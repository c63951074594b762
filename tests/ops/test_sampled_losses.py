"""tf.nn.nce_loss and tf.nn.sampled_softmax_loss (minitf/ops/sampled_losses.py) and the candidate
samplers they draw from (minitf/ops/candidate_sampling_ops.py, kernels/candidate_sampling.py).

The expected losses and gradients below were computed with TensorFlow (tf.compat.v1) on the same
inputs, with the same fixed `sampled_values`, so no randomness is involved in those comparisons.
"""
import numpy as np
import pytest

import minitf as tf
from minitf.ops.sampled_losses import _compute_sampled_logits

# --- The inputs of the TF comparisons: 10 classes of dimension 4, a batch of 3 -----------
WEIGHTS = np.array([[0., 0.3, -0.27, -0.89], [-0.45, -0.99, 0.06, 1.34], [-0.49, -0.62, 0.49, 0.36],
                    [0.11, -0.93, -0.03, 0.7], [-1.34, -0.46, -1.9, -1.29], [-1.84, -0.24, -1.27, 0.27],
                    [0.16, -0.19, -2.52, -0.54], [-0.05, 0.11, -1.53, -0.48], [-0.98, -0.81, 1.06, -0.81],
                    [-0.03, 0.88, -0.58, -0.11]])
BIASES = np.array([0.11, 0.06, -1.23, 0.08, 1.36, -1.55, 0.86, 0.12, -0.64, 2.])
INPUTS = np.array([[0.76, -1.2, 0.07, 0.58], [-0.19, 0.68, -0.07, 0.67], [1.44, -0.68, 0.2, -0.46]])
LABELS = {1: [[2], [5], [0]], 2: [[2, 7], [5, 5], [0, 3]]}
TRUE_COUNTS = {1: [[0.4], [0.5], [0.9]], 2: [[0.4, 0.3], [0.5, 0.5], [0.9, 0.6]]}
# Id 5 is sampled twice, and it is a true class of row 1 (twice, with num_true=2): accidental hits.
SAMPLED = [5, 1, 7, 5, 9]
SAMPLED_COUNTS = [0.5, 0.8, 0.3, 0.5, 0.1]
ROW_WEIGHTS = [1.0, 2.0, 3.0]  # the gradients are those of sum(loss * ROW_WEIGHTS)

# (dtype, loss, num_true, remove_accidental_hits) -> TF's loss per example
TF_LOSSES = {
    ("float64", "nce", 1, False): [7.193463997268455, 9.309042455837163, 6.13432304982316],
    ("float64", "nce", 1, True): [7.193463997268455, 8.796289136740075, 6.13432304982316],
    ("float64", "nce", 2, False): [8.109177397743835, 9.821795774934252, 7.143636007846301],
    ("float64", "nce", 2, True): [6.959722961042564, 9.309042455837162, 7.143636007846301],
    ("float64", "ssm", 1, False): [3.201443390162603, 5.327184401483465, 3.3625974089196227],
    ("float64", "ssm", 1, True): [3.201443390162603, 5.322314836184486, 3.3625974089196227],
    ("float64", "ssm", 2, False): [3.0306409518584765, 5.332030368980874, 3.08575413395454],
    ("float64", "ssm", 2, True): [2.967702353936713, 5.327184401483465, 3.08575413395454],
    ("float32", "nce", 1, False): [7.193464279174805, 9.309042930603027, 6.1343231201171875],
    ("float32", "nce", 1, True): [7.193464279174805, 8.796289443969727, 6.1343231201171875],
    ("float32", "nce", 2, False): [8.109177589416504, 9.821796417236328, 7.1436357498168945],
    ("float32", "nce", 2, True): [6.959722518920898, 9.309042930603027, 7.1436357498168945],
    ("float32", "ssm", 1, False): [3.201443672180176, 5.327184677124023, 3.3625974655151367],
    ("float32", "ssm", 1, True): [3.201443672180176, 5.322315216064453, 3.3625974655151367],
    ("float32", "ssm", 2, False): [3.0306410789489746, 5.332030773162842, 3.08575439453125],
    ("float32", "ssm", 2, True): [2.9677023887634277, 5.327184677124023, 3.08575439453125],
}

# (loss, num_true, remove_accidental_hits) -> TF's float64 gradients (dense) wrt weights and biases,
# rounded to 10 decimals
TF_GRADIENTS = {
    ("nce", 1, True): (
        [[-1.7682797945, 0.8350210141, -0.2455944159, 0.5648671566],
         [2.2601997724, -1.0407226105, 0.2268483007, 0.7784416208],
         [-0.3232396344, 0.5103783701, -0.0297720716, -0.2466828789], [0, 0, 0, 0], [0, 0, 0, 0],
         [0.4771012685, -0.6776371827, 0.0742511806, -0.1791293326], [0, 0, 0, 0],
         [3.4622200726, -1.3036001085, 0.3896370288, 0.3913075691], [0, 0, 0, 0],
         [4.555330416, -1.7850503811, 0.5120733568, 0.5421516284]],
        [-1.2279720795, 3.4369369212, -0.4253153084, 0, 0, 0.0067024428, 0, 4.4642798287, 0, 5.8623749407]),
    ("nce", 2, False): (
        [[0.3917202055, -0.1849789859, 0.0544055841, -0.1251328434],
         [2.2601997724, -1.0407226105, 0.2268483007, 0.7784416208],
         [0.0567603656, -0.0896216299, 0.0052279284, 0.0433171211],
         [1.0431526052, -0.4925998413, 0.1448823063, -0.3332293044], [0, 0, 0, 0],
         [0.1722230861, 0.4135057857, -0.0380723603, 0.8959674158], [0, 0, 0, 0],
         [3.6014448055, -1.5234286342, 0.4024603595, 0.4975580232], [0, 0, 0, 0],
         [4.555330416, -1.7850503811, 0.5120733568, 0.5421516284]],
        [0.2720279205, 3.4369369212, 0.0746846916, 0.7244115314, 0, 1.6113244553, 0, 4.6474702668, 0,
         5.8623749407]),
    ("ssm", 1, False): (
        [[-4.1703329332, 1.9693238851, -0.5792129074, 1.332189687],
         [0.2268624159, -0.2629005455, 0.0231317406, 0.1109250272],
         [-0.7290654079, 1.1511559072, -0.0671507613, -0.5563920218], [0, 0, 0, 0], [0, 0, 0, 0],
         [0.38633335, -1.3533691058, 0.1392879848, -1.3168465768], [0, 0, 0, 0],
         [0.3493663958, -0.1913715288, 0.0441264271, -0.0289969332], [0, 0, 0, 0],
         [3.9368361794, -1.3128386122, 0.4398175161, 0.4591208176]],
        [-2.896064537, 0.2832471443, -0.9592965893, 0, 0, -1.9583525771, 0, 0.3274592633, 0, 5.2030072958]),
    ("ssm", 2, True): (
        [[-2.0199745778, 0.953876884, -0.2805520247, 0.6452696568],
         [0.2218931371, -0.2605539416, 0.022441563, 0.1125124357],
         [-0.3490654079, 0.5511559072, -0.0321507613, -0.2663920218],
         [-1.8817029408, 0.8885819443, -0.2613476307, 0.6010995505], [0, 0, 0, 0],
         [0.3860099853, -1.3532164058, 0.1392430731, -1.3167432798], [0, 0, 0, 0],
         [-0.0505452342, 0.4180311853, 0.006360923, -0.3126362736], [0, 0, 0, 0],
         [3.6933850384, -1.1978755733, 0.4060048576, 0.5368899321]],
        [-1.4027601235, 0.2797962562, -0.4592965893, -1.3067381534, 0, -1.9585771359, 0, -0.1863682575, 0,
         5.0339440034]),
}

LOSSES = {"nce": tf.nn.nce_loss, "ssm": tf.nn.sampled_softmax_loss}
# How the weights are given: one variable, or three partitions by each strategy.
PARTITIONS = [(1, "mod"), (3, "mod"), (3, "div")]


def _split(table, count, strategy):
    if count == 1:
        return [table]
    if strategy == "mod":
        return [table[i::count] for i in range(count)]
    return np.array_split(table, count)


def _build(loss, num_true, hits, dtype, count=1, strategy="mod"):
    """(loss tensor, weight variables, bias variable) on the TF comparison's inputs."""
    parts = [tf.Variable(p.astype(dtype), name=f"weights_{i}")
             for i, p in enumerate(_split(WEIGHTS, count, strategy))]
    biases = tf.Variable(BIASES.astype(dtype), name="biases")
    sampled_values = (tf.constant(SAMPLED, tf.int64), tf.constant(np.array(TRUE_COUNTS[num_true], dtype)),
                      tf.constant(np.array(SAMPLED_COUNTS, dtype)))
    value = LOSSES[loss](parts if count > 1 else parts[0], biases, tf.constant(LABELS[num_true], tf.int64),
                         tf.constant(INPUTS.astype(dtype)), num_sampled=5, num_classes=10, num_true=num_true,
                         sampled_values=sampled_values, remove_accidental_hits=hits, partition_strategy=strategy)
    return value, parts, biases


def _merge(values, count, strategy):
    """The full table from per-partition values (the inverse of _split)."""
    if strategy == "div" or count == 1:
        return np.concatenate(values)
    table = np.empty((sum(len(v) for v in values),) + values[0].shape[1:])
    for i, v in enumerate(values):
        table[i::count] = v
    return table


# ======================================================================================
# The losses against TF
# ======================================================================================
@pytest.mark.parametrize("count,strategy", PARTITIONS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hits", [False, True])
@pytest.mark.parametrize("num_true", [1, 2])
@pytest.mark.parametrize("loss", ["nce", "ssm"])
def test_losses_match_tf(loss, num_true, hits, dtype, count, strategy):
    value, parts, biases = _build(loss, num_true, hits, dtype, count, strategy)
    assert value.shape.as_list() == [3] and value.dtype == tf.as_dtype(dtype)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        result = sess.run(value)
    # float64: to the last bits; float32: within 2 ulps (exp and log1p round differently in
    # NumPy and Eigen).
    rtol = 1e-14 if dtype == "float64" else 3e-7
    np.testing.assert_allclose(result, TF_LOSSES[(dtype, loss, num_true, hits)], rtol=rtol, atol=0)


@pytest.mark.parametrize("count,strategy", PARTITIONS)
@pytest.mark.parametrize("key", sorted(TF_GRADIENTS))
def test_gradients_match_tf_and_are_sparse(key, count, strategy):
    loss, num_true, hits = key
    value, parts, biases = _build(loss, num_true, hits, "float64", count, strategy)
    grads = tf.gradients(tf.reduce_sum(value * ROW_WEIGHTS), parts + [biases])
    # The rows come from gathers: every gradient is an IndexedSlices, so optimizers update sparsely.
    assert all(isinstance(g, tf.IndexedSlices) for g in grads)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        *weight_grads, bias_grad = sess.run([tf.convert_to_tensor(g) for g in grads])
    expected_weights, expected_biases = TF_GRADIENTS[key]
    np.testing.assert_allclose(_merge(weight_grads, count, strategy), expected_weights, atol=1e-9, rtol=0)
    np.testing.assert_allclose(bias_grad, expected_biases, atol=1e-9, rtol=0)


def test_sampled_logits_mask_accidental_hits_as_tf():
    """A sampled id equal to a true class gets -FLT_MAX; an id sampled twice is masked at its
    last position only (TF's ComputeAccidentalHits)."""
    sampled_values = (tf.constant(SAMPLED, tf.int64), tf.constant(TRUE_COUNTS[2]), tf.constant(SAMPLED_COUNTS))
    logits, labels = _compute_sampled_logits(
        tf.constant(WEIGHTS, tf.float32), tf.constant(BIASES, tf.float32), tf.constant(LABELS[2], tf.int64),
        tf.constant(INPUTS, tf.float32), 5, 10, num_true=2, sampled_values=sampled_values,
        remove_accidental_hits=True)
    with tf.Session() as sess:
        logits, labels = sess.run([logits, labels])
    masked = logits <= -3e38
    # Row 0: its 7 (SAMPLED[2]); row 1: its 5, at the last of the two positions of 5 in SAMPLED.
    np.testing.assert_array_equal(np.argwhere(masked), [[0, 2 + 2], [1, 2 + 3]])
    np.testing.assert_array_equal(labels, [[0.5, 0.5, 0, 0, 0, 0, 0]] * 3)


def _float64_sampled_values(num_true):
    return (tf.constant(SAMPLED, tf.int64), tf.constant(np.array(TRUE_COUNTS[num_true])),
            tf.constant(np.array(SAMPLED_COUNTS)))


def test_graph_is_built_as_tf1_builds_it():
    weights, biases = tf.Variable(WEIGHTS), tf.Variable(BIASES)
    sampled_values = _float64_sampled_values(1)
    nce = tf.nn.nce_loss(weights, biases, tf.constant(LABELS[1], tf.int64), tf.constant(INPUTS), 5, 10,
                         sampled_values=sampled_values, remove_accidental_hits=True)
    softmax = tf.nn.sampled_softmax_loss(weights, biases, tf.constant(LABELS[1], tf.int64), tf.constant(INPUTS),
                                         5, 10, sampled_values=sampled_values)
    graph = tf.get_default_graph()
    names = {op.name for op in graph.get_operations()}
    # TF1's names: the logits under the loss's scope, the per-logit losses in "sampled_losses".
    assert {"nce_loss/embedding_lookup", "nce_loss/embedding_lookup_1", "nce_loss/ComputeAccidentalHits",
            "nce_loss/sparse_indices", "sampled_losses", "sampled_softmax_loss/ComputeAccidentalHits",
            "labels_stop_gradient"} <= names
    assert nce.name == "Reshape:0" and nce.shape.as_list() == [3]
    assert softmax.name == "softmax_cross_entropy_with_logits/Reshape_2:0"
    assert graph.get_operation_by_name("nce_loss/embedding_lookup").type == "GatherV2"


def test_labels_of_other_int_types_are_cast_to_int64():
    sampled_values = _float64_sampled_values(1)
    value = tf.nn.nce_loss(tf.constant(WEIGHTS), tf.constant(BIASES), tf.constant(LABELS[1], tf.int32),
                           tf.constant(INPUTS), 5, 10, sampled_values=sampled_values)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(value), TF_LOSSES[("float64", "nce", 1, False)], rtol=1e-14)


# ======================================================================================
# The default sampler and training
# ======================================================================================
def test_default_sampler_is_a_unique_log_uniform_one_and_seeded():
    labels = tf.constant(LABELS[1], tf.int64)
    # float32, the sampler's dtype (as in TF1, float64 weights would need float64 sampled_values).
    value = tf.nn.sampled_softmax_loss(tf.constant(WEIGHTS, tf.float32), tf.constant(BIASES, tf.float32), labels,
                                       tf.constant(INPUTS, tf.float32), num_sampled=4, num_classes=10, seed=7)
    sampler, = [op for op in tf.get_default_graph().get_operations() if op.type == "LogUniformCandidateSampler"]
    assert sampler.name == "sampled_softmax_loss/LogUniformCandidateSampler"
    assert sampler.inputs[0] is labels
    assert (sampler.get_attr("unique"), sampler.get_attr("range_max"), sampler.get_attr("num_sampled"),
            sampler.get_attr("num_true"), sampler.get_attr("seed"), sampler.get_attr("seed2")) == \
        (True, 10, 4, 1, 87654321, 7)
    runs = []
    for _ in range(2):
        with tf.Session() as sess:
            runs.append([sess.run(value) for _ in range(3)])
    np.testing.assert_array_equal(runs[0], runs[1])  # the same draws in every new session
    assert not np.array_equal(runs[0][0], runs[0][1])  # and new draws at every run


_CORPUS = ("the quick brown fox jumps over the lazy dog . the lazy dog sleeps . "
           "the quick fox runs . a brown dog jumps over a quick fox .").split()


def _skip_gram_pairs(words, window=1):
    vocabulary = sorted(set(words), key=lambda w: (-words.count(w), w))  # frequent ids first (Zipf)
    ids = [vocabulary.index(w) for w in words]
    pairs = [(ids[i], ids[j]) for i in range(len(ids))
             for j in range(max(0, i - window), min(len(ids), i + window + 1)) if j != i]
    centers, contexts = zip(*pairs)
    return len(vocabulary), np.array(centers), np.array(contexts)[:, None]


def test_word2vec_skip_gram_training_reduces_the_nce_loss():
    tf.set_random_seed(1234)
    vocabulary_size, centers, contexts = _skip_gram_pairs(_CORPUS)
    embedding_size, num_sampled = 8, 4
    train_inputs = tf.placeholder(tf.int32, [None])
    train_labels = tf.placeholder(tf.int64, [None, 1])
    embeddings = tf.Variable(tf.random_uniform([vocabulary_size, embedding_size], -1.0, 1.0))
    embed = tf.nn.embedding_lookup(embeddings, train_inputs)
    nce_weights = tf.Variable(tf.truncated_normal([vocabulary_size, embedding_size],
                                                  stddev=1.0 / np.sqrt(embedding_size)))
    nce_biases = tf.Variable(tf.zeros([vocabulary_size]))
    loss = tf.reduce_mean(tf.nn.nce_loss(weights=nce_weights, biases=nce_biases, labels=train_labels,
                                         inputs=embed, num_sampled=num_sampled, num_classes=vocabulary_size))
    optimizer = tf.train.GradientDescentOptimizer(0.5)
    grads_and_vars = optimizer.compute_gradients(loss)
    assert all(isinstance(g, tf.IndexedSlices) for g, v in grads_and_vars), "embedding gradients are sparse"
    train = optimizer.apply_gradients(grads_and_vars)
    assert {"ScatterSub"} <= {op.type for op in tf.get_default_graph().get_operations()}
    feed = {train_inputs: centers, train_labels: contexts}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = [sess.run([loss, train], feed)[0] for _ in range(300)]
    first, last = np.mean(losses[:20]), np.mean(losses[-20:])
    assert last < 0.6 * first, (first, last)


# ======================================================================================
# The samplers: distributions, expected counts, seeds, shapes and errors
# ======================================================================================
SAMPLERS = {"uniform": tf.nn.uniform_candidate_sampler, "log_uniform": tf.nn.log_uniform_candidate_sampler}


def _probability(kind, ids, range_max):
    ids = np.asarray(ids, np.float64)
    if kind == "uniform":
        return np.full(ids.shape, 1.0 / range_max)
    return (np.log(ids + 2) - np.log(ids + 1)) / np.log(range_max + 1)


@pytest.mark.parametrize("kind", sorted(SAMPLERS))
def test_mean_of_many_draws_matches_the_distribution(kind):
    range_max, draws = 1000, 20000
    sampled, _, expected = SAMPLERS[kind]([[0]], 1, draws, False, range_max, seed=3)
    with tf.Session() as sess:
        values = np.concatenate([sess.run(sampled) for _ in range(5)]).astype(np.float64)
    p = _probability(kind, np.arange(range_max), range_max)
    mean, std = (p * np.arange(range_max)).sum(), np.sqrt((p * np.arange(range_max) ** 2).sum() - (
        p * np.arange(range_max)).sum() ** 2)
    assert values.min() >= 0 and values.max() < range_max
    assert abs(values.mean() - mean) < 5 * std / np.sqrt(values.size), (values.mean(), mean)
    frequencies = np.bincount(values.astype(np.int64), minlength=range_max)[:5] / values.size
    np.testing.assert_allclose(frequencies, p[:5], atol=5 * np.sqrt(p[:5] / values.size).max())


def test_unique_uniform_draws_include_each_id_equally_often():
    sampled = tf.nn.uniform_candidate_sampler([[0]], 1, 3, True, 10, seed=5).sampled_candidates
    with tf.Session() as sess:
        draws = np.array([sess.run(sampled) for _ in range(3000)])
    assert all(len(set(row)) == 3 for row in draws)
    np.testing.assert_allclose(np.bincount(draws.reshape(-1), minlength=10) / len(draws), 0.3, atol=0.05)


@pytest.mark.parametrize("kind", sorted(SAMPLERS))
def test_expected_counts_without_unique_are_p_times_num_sampled(kind):
    true_classes = np.array([[0, 9], [3, 4]], np.int64)
    result = SAMPLERS[kind](true_classes, 2, 7, False, 10, seed=1)
    with tf.Session() as sess:
        sampled, true_expected, sampled_expected = sess.run(result)
    # TF's float32 arithmetic: p rounded to float32, times num_sampled in float32.
    p32 = _probability(kind, true_classes, 10).astype(np.float32)
    np.testing.assert_array_equal(true_expected, p32 * np.float32(7))
    np.testing.assert_array_equal(sampled_expected, _probability(kind, sampled, 10).astype(np.float32) * 7)


@pytest.mark.parametrize("kind", sorted(SAMPLERS))
def test_expected_counts_with_unique_use_the_number_of_tries(kind):
    """Drawing all 10 ids takes more than 10 tries: 1 - (1 - p) ** tries, one `tries` for all ids."""
    result = SAMPLERS[kind]([[0, 9]], 2, 10, True, 10, seed=2)
    with tf.Session() as sess:
        sampled, true_expected, sampled_expected = sess.run(result)
    assert sorted(sampled) == list(range(10))
    p_sampled = _probability(kind, sampled, 10).astype(np.float32).astype(np.float64)
    below_one = sampled_expected < 0.999  # (counts that rounded to 1 tell nothing about the tries)
    tries = round(float(np.median(np.log1p(-sampled_expected[below_one].astype(np.float64)) /
                                  np.log1p(-p_sampled[below_one]))))
    assert tries > 10
    np.testing.assert_allclose(sampled_expected, -np.expm1(tries * np.log1p(-p_sampled)), rtol=1e-6)
    p_true = _probability(kind, [[0, 9]], 10).astype(np.float32).astype(np.float64)
    np.testing.assert_allclose(true_expected, -np.expm1(tries * np.log1p(-p_true)), rtol=1e-6)


def test_unique_draws_with_no_repeat_use_p_times_num_sampled():
    """TF's shortcut: when the first num_sampled draws are distinct, the count is p * num_sampled."""
    range_max = 2 ** 40  # repeats practically never happen
    result = tf.nn.log_uniform_candidate_sampler([[1]], 1, 3, True, range_max, seed=4)
    with tf.Session() as sess:
        sampled, true_expected, sampled_expected = sess.run(result)
    assert len(set(sampled)) == 3 and sampled.max() < range_max
    np.testing.assert_allclose(true_expected, [[np.log(3 / 2) / np.log1p(range_max) * 3]], rtol=1e-6)
    # TF's log((k + 2) / (k + 1)) loses digits for ids near 2**40 (the ratio rounds).
    np.testing.assert_allclose(sampled_expected, np.log1p(1 / (sampled + 1)) / np.log1p(range_max) * 3, rtol=1e-3)


@pytest.mark.parametrize("kind", sorted(SAMPLERS))
def test_seeds_make_draws_reproducible(kind):
    def draw(seed, graph_seed=None):
        with tf.Graph().as_default():
            if graph_seed is not None:
                tf.set_random_seed(graph_seed)
            sampled = SAMPLERS[kind]([[1]], 1, 8, True, 50, seed=seed).sampled_candidates
            with tf.Session() as sess:
                return [sess.run(sampled).tolist() for _ in range(3)]
    assert draw(5) == draw(5)
    assert draw(None, graph_seed=9) == draw(None, graph_seed=9)
    assert draw(5) != draw(6)
    first = draw(5)
    assert first[0] != first[1]  # each run draws anew


def test_sampler_op_shapes_names_and_attrs():
    true_classes = tf.placeholder(tf.int64, [None, 2])
    result = tf.nn.log_uniform_candidate_sampler(true_classes, 2, 5, True, 10, seed=3)
    assert type(result).__name__ == "LogUniformCandidateSampler"
    assert result._fields == ("sampled_candidates", "true_expected_count", "sampled_expected_count")
    assert [t.shape.as_list() for t in result] == [[5], [None, 2], [5]]
    assert [t.dtype for t in result] == [tf.int64, tf.float32, tf.float32]
    op = result.sampled_candidates.op
    assert op.name == "LogUniformCandidateSampler" and op.type == "LogUniformCandidateSampler"
    assert (op.get_attr("seed"), op.get_attr("seed2")) == (87654321, 3)
    unseeded = tf.nn.uniform_candidate_sampler(tf.placeholder(tf.int64), 3, 4, False, 10, name="u")
    assert [t.shape.as_list() for t in unseeded] == [[4], [None, 3], [4]]
    assert unseeded.sampled_candidates.op.name == "u"
    assert (unseeded[0].op.get_attr("seed"), unseeded[0].op.get_attr("seed2")) == (0, 0)
    # TF checks only the rank of true_classes when building; the columns are checked at run time.
    assert tf.nn.uniform_candidate_sampler([[1, 2]], 1, 4, False, 10).true_expected_count.shape.as_list() == [1, 1]


def test_sampler_errors_as_tf():
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1"):
        tf.nn.log_uniform_candidate_sampler(tf.constant([1, 2], tf.int64), 1, 5, True, 10)
    with pytest.raises(TypeError, match="Input 'true_classes' of 'LogUniformCandidateSampler' Op has type "
                                        "int32 that does not match expected type of int64"):
        tf.nn.log_uniform_candidate_sampler(tf.constant([[1]], tf.int32), 1, 5, True, 10)
    for attr, args in (("num_true", (0, 2, False, 10)), ("num_sampled", (1, 0, False, 10)),
                       ("range_max", (1, 2, False, 0))):
        with pytest.raises(ValueError, match=f"Attr '{attr}' of 'UniformCandidateSampler' Op passed 0 less "
                                             "than minimum 1"):
            tf.nn.uniform_candidate_sampler([[1]], *args)
    fed = tf.placeholder(tf.int64)
    sampler = tf.nn.uniform_candidate_sampler(fed, 2, 3, False, 10)
    too_many = tf.nn.log_uniform_candidate_sampler([[1]], 1, 11, True, 10)
    with tf.Session() as sess:
        for value, message in (([[1, 2, 3]], "true_classes must have num_true columns, expected: 3 was: 2"),
                               ([1, 2], "true_classes must be a matrix"),
                               ([[-1, 2]], r"`true_candidate` out of range \[0, 10\), received -1"),
                               ([[3, 10]], r"`true_candidate` out of range \[0, 10\), received 10")):
            with pytest.raises(tf.errors.InvalidArgumentError, match=message):
                sess.run(sampler, {fed: value})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Sampler's range is too small."):
            sess.run(too_many)
        # An empty batch is fine: no true classes to score.
        assert sess.run(sampler, {fed: np.zeros((0, 2), np.int64)}).true_expected_count.shape == (0, 2)


# ======================================================================================
# compute_accidental_hits
# ======================================================================================
def test_compute_accidental_hits_as_tf():
    hits = tf.nn.compute_accidental_hits(tf.constant([[1, 2], [2, 2], [5, 7]], tf.int64),
                                         tf.constant([2, 1, 2, 7, 9], tf.int64), num_true=2)
    assert type(hits).__name__ == "ComputeAccidentalHits" and hits._fields == ("indices", "ids", "weights")
    assert [t.dtype for t in hits] == [tf.int32, tf.int64, tf.float32]
    assert [t.shape.as_list() for t in hits] == [[None]] * 3
    with tf.Session() as sess:
        indices, ids, weights = sess.run(hits)
    # TF's values: an id sampled twice (2) is reported at its last position.
    assert indices.tolist() == [0, 0, 1, 1, 2] and ids.tolist() == [1, 2, 2, 2, 3]
    np.testing.assert_array_equal(weights, np.full(5, -np.finfo(np.float32).max, np.float32))
    none = tf.nn.compute_accidental_hits([[4]], tf.constant([1, 2], tf.int64), 1)
    with tf.Session() as sess:
        assert [v.size for v in sess.run(none)] == [0, 0, 0]


def test_compute_accidental_hits_errors_as_tf():
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1"):
        tf.nn.compute_accidental_hits(tf.constant([1, 2], tf.int64), tf.constant([1, 2], tf.int64), 1)
    with pytest.raises(ValueError, match="Dimension must be 1 but is 2"):
        tf.nn.compute_accidental_hits(tf.constant([[1, 2]], tf.int64), tf.constant([1, 2], tf.int64), 1)
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        tf.nn.compute_accidental_hits(tf.constant([[1, 2]], tf.int64), tf.constant([[1, 2]], tf.int64), 2)
    true_classes, sampled = tf.placeholder(tf.int64), tf.placeholder(tf.int64)
    hits = tf.nn.compute_accidental_hits(true_classes, sampled, 2)
    with tf.Session() as sess:
        for feed, message in (({true_classes: [[1, 2, 3]], sampled: [1]},
                               r"true_candidates must be a batch_size \* num_true matrix"),
                              ({true_classes: [1, 2], sampled: [1]},
                               r"true_candidates must be a batch_size \* num_true matrix"),
                              ({true_classes: [[1, 2]], sampled: [[1]]},
                               "sampled_candidates must be a vector, which is typically an output from "
                               "CandidateSampler")):
            with pytest.raises(tf.errors.InvalidArgumentError, match=message):
                sess.run(hits, feed)
