"""TF1's `tf.nn.embedding_lookup`: rows of one params tensor, or of a list of partitions
sharded by the "mod" or "div" strategy, built as TF1 builds it: DynamicPartition routes each id
to its partition, one Gather per partition reads its own ids only (so each partition's gradient
is an IndexedSlices of the rows it gave), and ParallelDynamicStitch puts the rows back in order.
"""
from minitf.framework import default_graph, dtypes
from minitf.framework.default_graph import name_scope
from minitf.ops import array_ops, math_ops, segment_ops, selection_ops
from minitf.ops.constant_op import convert_to_tensor

__all__ = ["embedding_lookup"]


def _clip(rows, ids, max_norm):
    """Rows whose L2 norm exceeds max_norm scaled down to it (the norm over each row's dims)."""
    if max_norm is None:
        return rows
    ids_rank, rows_rank = ids.shape.ndims, rows.shape.ndims
    if ids_rank is None or rows_rank is None:
        raise ValueError("embedding_lookup with max_norm needs ids and params of known rank")
    return math_ops.clip_by_norm(rows, max_norm, axes=list(range(ids_rank, rows_rank)))


def _rows(param):
    """The number of rows of one partition, as an int64 tensor."""
    if param.shape.ndims and param.shape.dims[0].value is not None:
        return convert_to_tensor(param.shape.dims[0].value, dtypes.int64)
    return math_ops.cast(array_ops.shape(param)[0], dtypes.int64)


def _assign(flat_ids, params, strategy):
    """(partition of each id, its row inside that partition), both int64."""
    count = len(params)
    if strategy == "mod":
        return flat_ids % count, flat_ids // count
    # "div": the first `extras` partitions hold one row more than the others.
    total = math_ops.add_n([_rows(p) for p in params])
    per_partition, extras = total // count, total % count
    assignments = math_ops.maximum(flat_ids // (per_partition + 1), (flat_ids - extras) // per_partition)
    in_large = math_ops.less(assignments, extras)
    rows = selection_ops.where(in_large, flat_ids % (per_partition + 1), (flat_ids - extras) % per_partition)
    # An id past the table goes to the last partition at row `total`, so its Gather fails as
    # TF1's DynamicPartition does, instead of reading a wrapped-around row.
    beyond = math_ops.greater_equal(assignments, count)
    rows = selection_ops.where(beyond, array_ops.fill(array_ops.shape(rows), total), rows)
    return math_ops.minimum(assignments, count - 1), rows


def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True,
                     max_norm=None):
    """TF1 `tf.nn.embedding_lookup`: `params` is a tensor/variable or a list of partitions of
    one table (rows split by `partition_strategy`, "mod": id % n, or "div": contiguous blocks);
    the result has shape ids.shape + params.shape[1:]. `validate_indices` is ignored (as in TF1)."""
    del validate_indices
    if params is None or isinstance(params, (list, tuple)) and not params:
        raise ValueError("Need at least one param")
    if partition_strategy not in ("mod", "div"):
        raise ValueError(f"Unrecognized partition strategy: {partition_strategy}")
    params = list(params) if isinstance(params, (list, tuple)) else [params]
    with name_scope(name, "embedding_lookup", params + [ids]) as scope:
        ids = convert_to_tensor(ids, name="ids")
        if len(params) == 1:
            rows = selection_ops.gather(params[0], ids, name=scope)
            return array_ops.identity(_clip(rows, ids, max_norm))
        params = [convert_to_tensor(p) for p in params]
        flat_ids = math_ops.cast(array_ops.reshape(ids, [-1]), dtypes.int64)
        positions = selection_ops.range(array_ops.size(flat_ids))
        assignments, new_ids = _assign(flat_ids, params, partition_strategy)
        assignments = math_ops.cast(assignments, dtypes.int32)
        gather_ids = segment_ops.dynamic_partition(new_ids, assignments, len(params))
        routes = segment_ops.dynamic_partition(positions, assignments, len(params))
        partitioned = []
        for param, param_ids in zip(params, gather_ids):
            with default_graph.colocate_with(param.op):
                partitioned.append(selection_ops.gather(param, param_ids))
        result = segment_ops.parallel_dynamic_stitch(routes, partitioned)
        shape = array_ops.concat([array_ops.shape(ids), array_ops.shape(params[0])[1:]], 0)
        result = array_ops.reshape(result, shape)
        if ids.shape.ndims is not None and params[0].shape.ndims is not None:
            result.set_shape(ids.shape.concatenate(params[0].shape[1:]))
        return _clip(result, ids, max_norm)
