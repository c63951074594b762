"""Logistic regression with all the bells and whistles, TF1 style, on scikit-learn's moons:
a reusable model function with clean name scopes, mini-batch training, TensorBoard learning
curves and graph under ./tf_logs/run-<timestamp>/, checkpoints every few epochs, and resuming
from the newest checkpoint when restarted.

The program trains, is "interrupted" halfway (the first run stops early), then restarts in a
fresh graph: it finds the newest checkpoint, restores the model, the optimizer and the global
step, and carries on from the epoch it had reached. Because each epoch's batches depend only on
the epoch number, the resumed model equals the one an uninterrupted run would give.

Run: python examples/logistic_regression.py [--epochs N] [--checkpoint-dir DIR] [--logdir DIR]
"""
import argparse
import collections
import os
from datetime import datetime, timezone

import numpy as np
from sklearn.datasets import make_moons

import minitf as tf

BATCH_SIZE = 50
CHECKPOINT_EVERY = 20  # epochs

Model = collections.namedtuple("Model", "X y y_proba loss accuracy training_op global_step "
                                        "loss_summary accuracy_summary init saver")


def moons_data(m=1000, test_ratio=0.2, seed=42):
    """The moons with the bias and the polynomial features x1^2, x2^2, x1^3, x2^3 the straight
    decision boundary needs: (X_train, y_train, X_test, y_test)."""
    X, y = make_moons(m, noise=0.1, random_state=seed)
    X = np.c_[np.ones(m), X, X ** 2, X ** 3].astype(np.float32)
    y = y.reshape(-1, 1).astype(np.float32)
    n_test = int(m * test_ratio)
    return X[:-n_test], y[:-n_test], X[-n_test:], y[-n_test:]


def logistic_regression(X, y, initializer=None, seed=42, learning_rate=0.1):
    """The model, its training and its evaluation, each in its own name scope."""
    n_inputs_including_bias = int(X.get_shape()[1])
    with tf.name_scope("logistic_regression"):
        with tf.name_scope("model"):
            if initializer is None:
                initializer = tf.random_uniform([n_inputs_including_bias, 1], -1.0, 1.0, seed=seed)
            theta = tf.Variable(initializer, name="theta")
            logits = tf.matmul(X, theta, name="logits")
            y_proba = tf.sigmoid(logits, name="y_proba")
        with tf.name_scope("train"):
            loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits),
                                  name="loss")
            global_step = tf.train.get_or_create_global_step()
            optimizer = tf.train.MomentumOptimizer(learning_rate, momentum=0.9)
            training_op = optimizer.minimize(loss, global_step=global_step)
            loss_summary = tf.summary.scalar("log_loss", loss)
        with tf.name_scope("eval"):
            correct = tf.equal(tf.round(y_proba), y)
            accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")
            accuracy_summary = tf.summary.scalar("test_accuracy", accuracy)
        with tf.name_scope("init"):
            init = tf.global_variables_initializer()
        with tf.name_scope("save"):
            saver = tf.train.Saver(max_to_keep=3)
    return Model(X, y, y_proba, loss, accuracy, training_op, global_step, loss_summary,
                 accuracy_summary, init, saver)


def log_dir(root_logdir):
    """A fresh TensorBoard run directory: <root>/run-<UTC timestamp>."""
    now = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
    return os.path.join(root_logdir, f"run-{now}")


def epoch_batches(X, y, epoch):
    """The mini-batches of one epoch, shuffled by a generator seeded with the epoch number."""
    order = np.random.default_rng(epoch).permutation(len(X))
    for start in range(0, len(X), BATCH_SIZE):
        index = order[start:start + BATCH_SIZE]
        yield X[index], y[index]


def train(data, n_epochs, checkpoint_dir, root_logdir, stop_after_epoch=None):
    """Trains in a fresh graph, resuming from the newest checkpoint in `checkpoint_dir`.
    Returns (first epoch run, epochs done, theta, test accuracy, test probabilities)."""
    X_train, y_train, X_test, y_test = data
    tf.reset_default_graph()
    X = tf.placeholder(tf.float32, shape=(None, X_train.shape[1]), name="X")
    y = tf.placeholder(tf.float32, shape=(None, 1), name="y")
    model = logistic_regression(X, y)
    n_batches = int(np.ceil(len(X_train) / BATCH_SIZE))
    checkpoint_prefix = os.path.join(checkpoint_dir, "logreg.ckpt")
    test_feed = {X: X_test, y: y_test}
    with tf.Session() as sess, tf.summary.FileWriter(log_dir(root_logdir), sess.graph) as writer:
        newest = tf.train.latest_checkpoint(checkpoint_dir)
        if newest:
            model.saver.restore(sess, newest)
            # The new Saver takes over the old run's checkpoints, so max_to_keep counts them too.
            model.saver.recover_last_checkpoints(
                list(tf.train.get_checkpoint_state(checkpoint_dir).all_model_checkpoint_paths))
            first_epoch = int(sess.run(model.global_step)) // n_batches
            print(f"Resuming from {newest} at epoch {first_epoch}")
        else:
            sess.run(model.init)
            first_epoch = 0
        epoch = first_epoch
        while epoch < n_epochs and epoch != stop_after_epoch:
            for X_batch, y_batch in epoch_batches(X_train, y_train, epoch):
                sess.run(model.training_op, {X: X_batch, y: y_batch})
            epoch += 1
            loss, summaries = sess.run([model.loss, [model.loss_summary, model.accuracy_summary]], test_feed)
            for summary in summaries:
                writer.add_summary(summary, epoch)
            if epoch % CHECKPOINT_EVERY == 0 or epoch == n_epochs:
                model.saver.save(sess, checkpoint_prefix, global_step=model.global_step)
                print(f"Epoch {epoch:4d}  test log loss {loss:.4f}  (checkpoint saved)")
        theta = sess.run(tf.trainable_variables()[0])
        accuracy, y_proba = sess.run([model.accuracy, model.y_proba], test_feed)
    return first_epoch, epoch, theta, accuracy, y_proba


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--checkpoint-dir", default=os.path.join("tf_logs", "logreg_checkpoints"))
    parser.add_argument("--logdir", default="tf_logs")
    args = parser.parse_args()
    os.makedirs(args.checkpoint_dir, exist_ok=True)
    data = moons_data()
    y_test = data[3]
    interrupt_at = args.epochs // CHECKPOINT_EVERY // 2 * CHECKPOINT_EVERY

    first, done, _, _, _ = train(data, args.epochs, args.checkpoint_dir, args.logdir,
                                 stop_after_epoch=interrupt_at or None)
    print(f"First run: epochs {first}..{done}, then interrupted")
    first, done, theta, accuracy, y_proba = train(data, args.epochs, args.checkpoint_dir, args.logdir)
    print(f"Restarted run: epochs {first}..{done}")

    y_pred = y_proba >= 0.5
    precision = (y_pred & (y_test == 1)).sum() / max(y_pred.sum(), 1)
    recall = (y_pred & (y_test == 1)).sum() / (y_test == 1).sum()
    print(f"Test accuracy {accuracy:.3f}  precision {precision:.3f}  recall {recall:.3f}")
    print(f"theta = {np.round(theta.ravel(), 3)}")
    kept = tf.train.get_checkpoint_state(args.checkpoint_dir).all_model_checkpoint_paths
    print(f"Checkpoints kept: {list(kept)}")
    print(f"TensorBoard: tensorboard --logdir {args.logdir}")

    # A restart after the last epoch restores and has nothing left to do.
    again = train(data, args.epochs, args.checkpoint_dir, args.logdir)
    ok = (first == interrupt_at and done == args.epochs and accuracy > 0.95
          and again[0] == args.epochs and np.array_equal(again[2], theta))
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
