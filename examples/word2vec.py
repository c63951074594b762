"""Word embeddings the way TF1's word2vec tutorial learns them: skip-gram pairs, an embedding
lookup, NCE loss against sampled negative words, and plain gradient descent, whose updates touch
only the rows of the words in each batch (the embedding's gradient is an IndexedSlices).

Runs on a small embedded corpus; prints each word's nearest neighbour and OK when the loss has
fallen and related words ended up closer than unrelated ones.
"""
import collections

import numpy as np

import minitf as tf

CORPUS = """
the cat sat on the mat the dog sat on the rug the cat chased the mouse the dog chased the cat
a cat and a dog are pets a mouse is small the king rules the land the queen rules the land
the king and the queen live in the castle the castle stands on the hill the mouse ran to the hill
""" * 20


def skip_gram_pairs(words, vocabulary, window=2):
    """(center id, context id) for every word and its neighbours within `window`."""
    ids = [vocabulary[w] for w in words]
    return np.array([(center, ids[j]) for i, center in enumerate(ids)
                     for j in range(max(0, i - window), min(len(ids), i + window + 1)) if j != i])


def main(embedding_size=16, num_sampled=4, steps=1500, batch_size=64, seed=0):
    words = CORPUS.split()
    # Most frequent first: the log-uniform sampler draws small ids most often, as word2vec expects.
    vocabulary = {w: i for i, (w, _) in enumerate(collections.Counter(words).most_common())}
    pairs = skip_gram_pairs(words, vocabulary)
    rng = np.random.default_rng(seed)

    tf.set_random_seed(seed)
    centers = tf.placeholder(tf.int32, [None], name="centers")
    contexts = tf.placeholder(tf.int64, [None, 1], name="contexts")
    size = len(vocabulary)
    embeddings = tf.Variable(tf.random_uniform([size, embedding_size], -1.0, 1.0), name="embeddings")
    nce_weights = tf.Variable(tf.truncated_normal([size, embedding_size], stddev=embedding_size ** -0.5),
                              name="nce_weights")
    nce_biases = tf.Variable(tf.zeros([size]), name="nce_biases")
    embedded = tf.nn.embedding_lookup(embeddings, centers)
    loss = tf.reduce_mean(tf.nn.nce_loss(nce_weights, nce_biases, contexts, embedded, num_sampled, size))
    training_op = tf.train.GradientDescentOptimizer(1.0).minimize(loss)
    normalized = embeddings / tf.sqrt(tf.reduce_sum(tf.square(embeddings), 1, keepdims=True))
    similarity = tf.matmul(normalized, normalized, transpose_b=True)

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = []
        for _ in range(steps):
            batch = pairs[rng.integers(len(pairs), size=batch_size)]
            _, value = sess.run([training_op, loss], {centers: batch[:, 0], contexts: batch[:, 1:]})
            losses.append(value)
        cosine = sess.run(similarity)

    names = {i: w for w, i in vocabulary.items()}
    for word in ("cat", "king", "castle"):
        row = cosine[vocabulary[word]].copy()
        row[vocabulary[word]] = -np.inf
        print(f"nearest to {word!r}: {names[int(np.argmax(row))]!r}")
    first, last = np.mean(losses[:100]), np.mean(losses[-100:])
    related = cosine[vocabulary["king"], vocabulary["queen"]]
    unrelated = cosine[vocabulary["king"], vocabulary["mouse"]]
    print(f"mean NCE loss: first 100 steps {first:.3f}, last 100 steps {last:.3f}")
    print(f"cosine(king, queen) = {related:.3f}, cosine(king, mouse) = {unrelated:.3f}")
    if last < first and related > unrelated:
        print("OK: the loss fell and king is closer to queen than to mouse")
    else:
        raise SystemExit("FAILED: the embeddings did not learn")


if __name__ == "__main__":
    main()
