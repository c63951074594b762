"""Harness cases: the parsing ops (minitf/ops/parsing_ops.py).

References are computed independently of the kernels: Python's csv module for DecodeCSV,
NumPy's explicit byte orders for DecodeRaw, and the Example protos' own fields for the parsers.
"""
import csv

import numpy as np

import minitf as tf
import minitf.kernels.parsing  # noqa: F401 - the parsing kernels
from minitf.proto import example_pb2, feature_pb2
from harness import OpCase, fixed

# ======================================================================================
# DecodeCSV
# ======================================================================================
CSV_LINES = np.array([[b'1,2.5,"a,b",7'], [b',,plain,'], [b'-3,1e3,"say ""hi""",-9']], dtype=object)
CSV_TYPES = [np.int32, np.float32, object, np.int64]


def _csv_defaults():
    """Built per graph: one column's default is a tensor."""
    return [[0], [-1.0], [""], tf.constant([42], tf.int64)]


def _csv_reference(records):
    """Python's csv module splits the same lines (TF's quoting is RFC 4180's); defaults fill blanks."""
    rows = [next(csv.reader([line.decode()])) for line in records.reshape(-1)]
    fills = [0, -1.0, "", 42]
    columns = []
    for index, numpy_type in enumerate(CSV_TYPES):
        values = [row[index] or fills[index] for row in rows]
        if numpy_type is object:
            column = np.array([str(v).encode() for v in values], dtype=object)
        else:
            column = np.array([float(v) for v in values]).astype(numpy_type)
        columns.append(column.reshape(records.shape))
    return columns


# ======================================================================================
# DecodeRaw
# ======================================================================================
RAW = np.array([bytes(range(8)), bytes(range(100, 108))], dtype=object)


def _raw_reference(order, numpy_type):
    def reference(data):
        wire = np.dtype(numpy_type).newbyteorder(order)
        return np.stack([np.frombuffer(item, wire).astype(numpy_type) for item in data])
    return reference


# ======================================================================================
# ParseExample, ParseSingleExample
# ======================================================================================
def _example(**features):
    built = {}
    for key, values in features.items():
        if isinstance(values[0], int):
            built[key] = feature_pb2.Feature(int64_list=feature_pb2.Int64List(value=values))
        elif isinstance(values[0], float):
            built[key] = feature_pb2.Feature(float_list=feature_pb2.FloatList(value=values))
        else:
            built[key] = feature_pb2.Feature(bytes_list=feature_pb2.BytesList(value=values))
    return example_pb2.Example(features=feature_pb2.Features(feature=built)).SerializeToString()


EXAMPLES = np.array([_example(label=[3], pixels=[0.5, 1.5, 2.5, 3.5], tags=[b"a", b"bc"]),
                     _example(pixels=[4.0, 5.0, 6.0, 7.0], tags=[b"d"])], dtype=object)
FEATURES = {"label": tf.FixedLenFeature([], tf.int64, default_value=-1),
            "pixels": tf.FixedLenFeature([2, 2], tf.float32),
            "tags": tf.VarLenFeature(tf.string)}


def _stored(serialized, key, default=None):
    """A feature's values read straight from the proto (or `default` when absent)."""
    feature = example_pb2.Example.FromString(serialized).features.feature
    if key not in feature:
        return default
    return list(getattr(feature[key], feature[key].WhichOneof("kind")).value)


def _parsed(results):
    """A parse op's outputs: [tags indices, values, dense_shape, label, pixels] in key order."""
    return list(results["tags"]) + [results["label"], results["pixels"]]


def _batch_reference(serialized):
    tags = [_stored(s, "tags", []) for s in serialized]
    indices = [[b, j] for b, row in enumerate(tags) for j in range(len(row))]
    return [np.array(indices, np.int64), np.array([t for row in tags for t in row], dtype=object),
            np.array([len(tags), max(len(row) for row in tags)], np.int64),
            np.array([_stored(s, "label", [-1])[0] for s in serialized], np.int64),
            np.array([_stored(s, "pixels") for s in serialized], np.float32).reshape(-1, 2, 2)]


def _single_reference(serialized):
    batch = _batch_reference(np.array([serialized[()]], dtype=object))
    return [batch[0][:, 1:], batch[1], batch[2][1:], batch[3][0], batch[4][0]]


CASES = [
    OpCase("DecodeCSV", lambda records: tf.decode_csv(records, _csv_defaults()), fixed(CSV_LINES),
           _csv_reference),
    OpCase("DecodeRaw", lambda data: tf.decode_raw(data, tf.int32), fixed(RAW), _raw_reference("<", np.int32),
           exact_shape=False, name="DecodeRaw_little_int32"),
    OpCase("DecodeRaw", lambda data: tf.decode_raw(data, tf.float16, little_endian=False), fixed(RAW),
           _raw_reference(">", np.float16), exact_shape=False, name="DecodeRaw_big_float16"),
    OpCase("ParseExample", lambda serialized: _parsed(tf.parse_example(serialized, FEATURES)),
           fixed(EXAMPLES), _batch_reference, exact_shape=False),
    OpCase("ParseSingleExample", lambda serialized: _parsed(tf.parse_single_example(serialized, FEATURES)),
           fixed(EXAMPLES[0]), _single_reference, exact_shape=False),
]
