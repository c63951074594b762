"""TF1's sampled losses, `tf.nn.nce_loss` and `tf.nn.sampled_softmax_loss`, built in Python as TF1's
nn_impl builds them.

Both score each example against its true classes and a few sampled classes only:
`_compute_sampled_logits` looks up the rows of `weights` (one tensor or a list of partitions) and
`biases` for the true and sampled ids with one embedding_lookup each (so the gradients to `weights`
and `biases` are IndexedSlices and optimizers update only those rows), forms the logits, masks
sampled ids that are a row's true class when asked (ComputeAccidentalHits), and subtracts
log(expected count) from every logit. NCE then takes a sigmoid cross-entropy per logit, summed per
row; the sampled softmax a softmax cross-entropy over the row.
"""
from minitf.framework import dtypes
from minitf.framework.default_graph import name_scope
from minitf.ops import array_ops, index_ops, math_ops, nn_impl, nn_ops, selection_ops
from minitf.ops.candidate_sampling_ops import compute_accidental_hits, log_uniform_candidate_sampler
from minitf.ops.constant_op import convert_to_tensor
from minitf.ops.embedding_ops import embedding_lookup
from minitf.ops.gradients_impl import stop_gradient

__all__ = ["nce_loss", "sampled_softmax_loss"]


def _sum_rows(x):
    """The sum of each row of the matrix `x`, as a matmul with a column of ones (TF1: its gradient
    is cheaper than reduce_sum's)."""
    ones = array_ops.ones(array_ops.stack([array_ops.shape(x)[1], 1]), x.dtype)
    return array_ops.reshape(math_ops.matmul(x, ones), [-1])


def _compute_sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
                            sampled_values=None, subtract_log_q=True, remove_accidental_hits=False,
                            partition_strategy="mod", name=None, seed=None):
    """(logits, labels) [batch, num_true + num_sampled]: the true classes' logits first, then the
    sampled ones; the labels are 1 / num_true for the true classes and 0 for the sampled ones.

    weights: [num_classes, dim] tensor or list of partitions; biases: [num_classes];
    labels: [batch, num_true] class ids; inputs: [batch, dim]; sampled_values: the
    (sampled_candidates, true_expected_count, sampled_expected_count) of a candidate sampler, by
    default `log_uniform_candidate_sampler(labels, num_true, num_sampled, True, num_classes, seed)`.
    """
    weights = list(weights) if isinstance(weights, (list, tuple)) else [weights]
    with name_scope(name, "compute_sampled_logits", weights + [biases, inputs, labels]):
        labels = convert_to_tensor(labels, name="labels")
        inputs = convert_to_tensor(inputs, name="inputs")
        if labels.dtype.base_dtype != dtypes.int64:
            labels = math_ops.cast(labels, dtypes.int64)
        labels_flat = array_ops.reshape(labels, [-1])

        if sampled_values is None:
            sampled_values = log_uniform_candidate_sampler(
                true_classes=labels, num_true=num_true, num_sampled=num_sampled, unique=True,
                range_max=num_classes, seed=seed)
        # The sampler's outputs are constants to the loss.
        sampled, true_expected_count, sampled_expected_count = (stop_gradient(s) for s in sampled_values)
        if sampled.dtype.base_dtype != dtypes.int64:
            sampled = math_ops.cast(sampled, dtypes.int64)

        # One lookup of the rows of the true and the sampled ids: [batch * num_true + num_sampled, dim].
        all_ids = array_ops.concat([labels_flat, sampled], 0)
        all_w = embedding_lookup(weights, all_ids, partition_strategy=partition_strategy)
        if all_w.dtype.base_dtype != inputs.dtype.base_dtype:
            all_w = math_ops.cast(all_w, inputs.dtype)
        true_w = selection_ops.slice(all_w, [0, 0], array_ops.stack([array_ops.shape(labels_flat)[0], -1]))
        sampled_w = selection_ops.slice(all_w, array_ops.stack([array_ops.shape(labels_flat)[0], 0]), [-1, -1])
        # [batch, num_sampled]
        sampled_logits = math_ops.matmul(inputs, sampled_w, transpose_b=True)

        all_b = embedding_lookup(biases, all_ids, partition_strategy=partition_strategy)
        if all_b.dtype.base_dtype != inputs.dtype.base_dtype:
            all_b = math_ops.cast(all_b, inputs.dtype)
        true_b = selection_ops.slice(all_b, [0], array_ops.shape(labels_flat))
        sampled_b = selection_ops.slice(all_b, array_ops.shape(labels_flat), [-1])

        # The true logits: each input row dotted with its num_true true rows -> [batch, num_true].
        dim = array_ops.shape(true_w)[1:2]
        new_true_w_shape = array_ops.concat([[-1, num_true], dim], 0)
        row_wise_dots = math_ops.multiply(array_ops.expand_dims(inputs, 1),
                                          array_ops.reshape(true_w, new_true_w_shape))
        dots_as_matrix = array_ops.reshape(row_wise_dots, array_ops.concat([[-1], dim], 0))
        true_logits = array_ops.reshape(_sum_rows(dots_as_matrix), [-1, num_true])
        true_b = array_ops.reshape(true_b, [-1, num_true])
        true_logits += true_b
        sampled_logits += sampled_b

        if remove_accidental_hits:
            # -FLT_MAX added where a sampled id is one of the row's true classes. (TF1 builds the
            # dense mask with SparseToDense; TensorScatterUpdate into zeros gives the same tensor.)
            acc_indices, acc_ids, acc_weights = compute_accidental_hits(labels, sampled, num_true=num_true)
            acc_indices_2d = array_ops.reshape(acc_indices, [-1, 1])
            acc_ids_2d_int32 = array_ops.reshape(math_ops.cast(acc_ids, dtypes.int32), [-1, 1])
            sparse_indices = array_ops.concat([acc_indices_2d, acc_ids_2d_int32], 1, "sparse_indices")
            sampled_logits_shape = array_ops.concat(
                [array_ops.shape(labels)[:1], array_ops.expand_dims(num_sampled, 0)], 0)
            if sampled_logits.dtype.base_dtype != acc_weights.dtype.base_dtype:
                acc_weights = math_ops.cast(acc_weights, sampled_logits.dtype)
            mask = index_ops.tensor_scatter_update(array_ops.zeros(sampled_logits_shape, sampled_logits.dtype),
                                                   sparse_indices, acc_weights)
            sampled_logits += mask

        if subtract_log_q:
            # Subtract log(Q(y|x)), the log of the expected count of each class.
            true_logits -= math_ops.log(true_expected_count)
            sampled_logits -= math_ops.log(sampled_expected_count)

        out_logits = array_ops.concat([true_logits, sampled_logits], 1)
        # The true classes share a probability mass of 1; the sampled ones get 0.
        out_labels = array_ops.concat([array_ops.ones_like(true_logits) / num_true,
                                       array_ops.zeros_like(sampled_logits)], 1)
        return out_logits, out_labels


def nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1, sampled_values=None,
             remove_accidental_hits=False, partition_strategy="mod", name="nce_loss"):
    """TF1 `tf.nn.nce_loss`: the noise-contrastive estimation loss of each example, [batch].

    weights: [num_classes, dim] (a tensor, variable or list of partitions); biases: [num_classes];
    labels: int64 [batch, num_true]; inputs: [batch, dim]. `num_sampled` negative classes are drawn
    per batch (log-uniform unless `sampled_values` is given); each true and sampled logit, less
    log(expected count), gets a sigmoid cross-entropy (target 1 / num_true and 0), summed per row.
    For training only; evaluate with the full sigmoid loss.
    """
    logits, labels = _compute_sampled_logits(
        weights=weights, biases=biases, labels=labels, inputs=inputs, num_sampled=num_sampled,
        num_classes=num_classes, num_true=num_true, sampled_values=sampled_values, subtract_log_q=True,
        remove_accidental_hits=remove_accidental_hits, partition_strategy=partition_strategy, name=name)
    sampled_losses = nn_impl.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits,
                                                               name="sampled_losses")
    # sampled_losses is [batch, num_true + num_sampled]: one loss per example.
    return _sum_rows(sampled_losses)


def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
                         sampled_values=None, remove_accidental_hits=True, partition_strategy="mod",
                         name="sampled_softmax_loss", seed=None):
    """TF1 `tf.nn.sampled_softmax_loss`: the softmax cross-entropy of each example over its true
    classes and `num_sampled` sampled classes, [batch] (arguments as for `nce_loss`; sampled ids
    equal to a true class are masked out by default). For training only.
    """
    logits, labels = _compute_sampled_logits(
        weights=weights, biases=biases, labels=labels, inputs=inputs, num_sampled=num_sampled,
        num_classes=num_classes, num_true=num_true, sampled_values=sampled_values, subtract_log_q=True,
        remove_accidental_hits=remove_accidental_hits, partition_strategy=partition_strategy, name=name,
        seed=seed)
    labels = stop_gradient(labels, name="labels_stop_gradient")
    return nn_ops.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
