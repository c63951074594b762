"""A CSV input pipeline, TF1 style: sharded CSV files -> string_input_producer(num_epochs) ->
several TextLineReaders -> decode_csv -> shuffle_batch_join -> a softmax classifier, fed by queue
runner threads under a Coordinator. Training ends cleanly when the epochs run out
(OutOfRangeError), and the queue-fill summaries go to TensorBoard.

The data are scikit-learn's iris measurements, written as CSV shards (with a header line) into
a temporary directory, or into --data-dir.

Run: python examples/csv_pipeline.py [--epochs N] [--readers N] [--shards N] [--data-dir DIR]
"""
import argparse
import csv
import pathlib
import tempfile
import time

import numpy as np

import minitf as tf

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
N_CLASSES = 3


# ==============================================================================================
# The data: iris as CSV shards
# ==============================================================================================
def write_csv_shards(data_dir, n_shards, test_fraction=0.2, seed=42):
    """Writes iris-train-0000i-of-0000n.csv shards and iris-test.csv; returns (train file names,
    test features, test labels, number of training rows)."""
    from sklearn.datasets import load_iris
    from sklearn.model_selection import train_test_split
    iris = load_iris()
    X_train, X_test, y_train, y_test = train_test_split(iris.data.astype(np.float32), iris.target,
                                                        test_size=test_fraction, random_state=seed,
                                                        stratify=iris.target)
    data_dir = pathlib.Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    filenames = []
    for shard in range(n_shards):
        path = data_dir / f"iris-train-{shard:05d}-of-{n_shards:05d}.csv"
        _write_csv(path, X_train[shard::n_shards], y_train[shard::n_shards])
        filenames.append(str(path))
    _write_csv(data_dir / "iris-test.csv", X_test, y_test)
    return filenames, X_test, y_test, len(X_train)


def _write_csv(path, X, y):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(FEATURES + ["species"])
        writer.writerows([*(f"{v:.1f}" for v in row), int(label)] for row, label in zip(X, y))


# ==============================================================================================
# The graph: input pipeline, model, training
# ==============================================================================================
def input_pipeline(filenames, batch_size, num_epochs, n_readers, seed=42):
    """Batches of (features, label) read by `n_readers` TextLineReaders from the shards."""
    with tf.name_scope("input"):
        filename_queue = tf.train.string_input_producer(filenames, num_epochs=num_epochs, seed=seed)
        examples = []
        for _ in range(n_readers):
            reader = tf.TextLineReader(skip_header_lines=1)
            _, line = reader.read(filename_queue)
            *features, label = tf.decode_csv(line, record_defaults=[[0.0]] * len(FEATURES) + [[0]])
            examples.append([tf.stack(features), label])
        # The last batch of the last epoch may be short: dequeue_up_to instead of failing on it.
        return tf.train.shuffle_batch_join(examples, batch_size, capacity=200, min_after_dequeue=50,
                                           seed=seed, allow_smaller_final_batch=True)


def build(filenames, args):
    tf.reset_default_graph()
    tf.set_random_seed(42)
    features, labels = input_pipeline(filenames, args.batch_size, args.epochs, args.readers)
    X_eval = tf.placeholder(tf.float32, shape=(None, len(FEATURES)), name="X_eval")
    y_eval = tf.placeholder(tf.int32, shape=(None,), name="y_eval")
    with tf.variable_scope("softmax"):
        W = tf.get_variable("W", [len(FEATURES), N_CLASSES], initializer=tf.zeros_initializer())
        b = tf.get_variable("b", [N_CLASSES], initializer=tf.zeros_initializer())
    with tf.name_scope("train"):
        logits = tf.matmul(features, W) + b
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        training_op = tf.train.AdamOptimizer(0.05).minimize(loss)
        tf.summary.scalar("loss", loss)
    with tf.name_scope("eval"):
        correct = tf.nn.in_top_k(tf.matmul(X_eval, W) + b, y_eval, 1)
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return {"training_op": training_op, "loss": loss, "batch_size": tf.size(labels),
            "summary": tf.summary.merge_all(), "accuracy": accuracy, "X_eval": X_eval, "y_eval": y_eval}


def train(graph, X_test, y_test, logdir):
    """Trains until the input runs out; returns (examples seen, steps, final loss, test accuracy)."""
    seen = steps = 0
    loss = float("nan")
    writer = tf.summary.FileWriter(logdir, tf.get_default_graph())
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        fetches = [graph["training_op"], graph["loss"], graph["batch_size"]]
        try:
            while not coord.should_stop():
                if steps % 20 == 0:
                    _, loss, size, summary = sess.run(fetches + [graph["summary"]])
                    writer.add_summary(summary, steps)
                else:
                    _, loss, size = sess.run(fetches)
                seen += size
                steps += 1
        except tf.errors.OutOfRangeError:
            print(f"Epoch limit reached after {steps} steps")
        finally:
            coord.request_stop()
        coord.join(threads)
        accuracy = sess.run(graph["accuracy"], feed_dict={graph["X_eval"]: X_test, graph["y_eval"]: y_test})
    writer.close()
    return seen, steps, loss, accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--readers", type=int, default=3, help="TextLineReaders feeding the batch queue")
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--data-dir", help="where to write the CSV shards (default: a temporary directory)")
    args = parser.parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        filenames, X_test, y_test, n_train = write_csv_shards(args.data_dir or scratch, args.shards)
        graph = build(filenames, args)
        logdir = f"tf_logs/csv_pipeline-{time.strftime('%Y%m%d%H%M%S')}"
        seen, steps, loss, accuracy = train(graph, X_test, y_test, logdir)
    print(f"{len(filenames)} shards, {args.readers} readers: {seen} examples in {steps} steps "
          f"({time.perf_counter() - start:.1f} s); final loss {loss:.3f}; test accuracy {accuracy:.3f}")
    if seen != args.epochs * n_train:
        raise SystemExit(f"expected every training example {args.epochs} times ({args.epochs * n_train}), "
                         f"saw {seen}")
    if accuracy < 0.85:
        raise SystemExit("test accuracy below 85%")
    print("OK: every example read once per epoch, clean stop at the epoch limit, accuracy >= 85%")


if __name__ == "__main__":
    main()
