"""decode_csv, decode_raw, parse_example and parse_single_example: values, shapes and TF1's errors.

Expected values come from an independent source where one exists (NumPy byte orders, the Example
protos' own fields); error messages are TensorFlow's (checked against TF 2.21's kernels).
"""
import numpy as np
import pytest

import minitf as tf
import minitf.kernels.parsing  # noqa: F401 - the parsing kernels
from minitf.proto import example_pb2, feature_pb2


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def _csv(records, defaults, **kwargs):
    """decode_csv of `records` fed through a placeholder (so nothing is folded at build time)."""
    lines = tf.placeholder(tf.string)
    return _run(tf.decode_csv(lines, defaults, **kwargs), {lines: records})


# ======================================================================================
# decode_csv
# ======================================================================================
def test_each_default_fixes_its_columns_type():
    defaults = [[1], tf.constant([2], tf.int64), [1.5], tf.constant([2.5], tf.float64), ["s"]]
    columns = tf.decode_csv(tf.placeholder(tf.string, [2, 3]), defaults)
    assert [c.dtype for c in columns] == [tf.int32, tf.int64, tf.float32, tf.float64, tf.string]
    assert all(c.shape.as_list() == [2, 3] for c in columns)
    got = _csv(["-7,8,0.25,1e-3,text"], defaults)
    assert [c.dtype for c in got] == [np.int32, np.int64, np.float32, np.float64, object]
    assert [c[0] for c in got] == [-7, 8, 0.25, 1e-3, b"text"]


def test_a_scalar_record_gives_scalars():
    got = _csv("3,x", [[0], [""]])
    assert got == [3, b"x"] and type(got[0]) is np.int32 and type(got[1]) is bytes


def test_defaults_fill_empty_and_na_fields():
    got = _csv(["1,a", ",", "NA,NA"], [[9], ["d"]], na_value="NA")
    assert [list(c) for c in got] == [[1, 9, 9], [b"a", b"d", b"d"]]


@pytest.mark.parametrize("records,message", [
    (["1,2,s", "1,,s"], "Field 1 is required but missing in record 1!"),
    (["1,2,"], "Field 2 is required but missing in record 0!"),
    (["1,2"], "Expect 3 fields but have 2 in record 0"),
    (["1,2,3,4"], "Expect 3 fields but have 4 in record 0"),
    ([""], "Expect 3 fields but have 0 in record 0"),
    (["1.5,2,s"], "Field 0 in record 0 is not a valid int32: 1.5"),
    (["2147483648,2,s"], "Field 0 in record 0 is not a valid int32: 2147483648"),
    (["1,2x,s"], "Field 1 in record 0 is not a valid float: 2x"),
    (["1,1_0,s"], "Field 1 in record 0 is not a valid float: 1_0"),
    (['1,2,a"b'], "Unquoted fields cannot have quotes/CRLFs inside"),
    (['1,2,"ab"c'], "Quote inside a string has to be escaped by another quote"),
    (['1,2,"ab'], "Quoted field has to end with quote followed by delim or end"),
])
def test_bad_records(records, message):
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        _csv(records, [[0], [], tf.constant([], tf.string)])
    assert info.value.message == message


def test_numbers_are_read_as_tf_reads_them():
    got = _csv([" 12 ,1e3", "+3,.5", "-4,-inf", "5,0x1p3", "6,nan"], [[0], [0.0]])
    assert list(got[0]) == [12, 3, -4, 5, 6]
    np.testing.assert_array_equal(got[1], np.array([1000, 0.5, -np.inf, 8, np.nan], np.float32))


def test_quoted_fields():
    got = _csv(['"a,b","say ""hi"""', '"","x"'], [["d"], ["d"]])
    assert [list(c) for c in got] == [[b"a,b", b"d"], [b'say "hi"', b"x"]]


def test_quotes_are_plain_text_without_use_quote_delim():
    got = _csv(['"a"\t"b,c"'], [[""], [""]], field_delim="\t", use_quote_delim=False)
    assert [c[0] for c in got] == [b'"a"', b'"b,c"']


def test_select_cols_reads_only_the_chosen_columns():
    # Nothing after the last chosen column is parsed: the bad quote there goes unnoticed.
    got = _csv(['1,skip,3,bad"'], [[0], [0]], select_cols=[0, 2])
    assert [c[0] for c in got] == [1, 3]


def test_delimiter_must_be_one_character():
    with pytest.raises(tf.errors.InvalidArgumentError, match="field_delim should be only 1 char"):
        _csv(["1"], [[0]], field_delim="ab")


@pytest.mark.parametrize("defaults,kwargs,error,message", [
    ([[True]], {}, TypeError, "has DataType bool not in list of allowed values"),
    ([[[1]]], {}, ValueError, "Shape must be at most rank 1 but is rank 2"),
    ([[1, 2]], {}, ValueError, "Shape of a default must be a length-0 or length-1 vector"),
    ([[1], [2]], {"select_cols": [2, 1]}, ValueError, "select_cols is not strictly increasing."),
    ([[1], [2]], {"select_cols": [1]}, ValueError, "Length of select_cols and record_defaults do not match."),
])
def test_construction_errors(defaults, kwargs, error, message):
    with pytest.raises(error, match=message):
        tf.decode_csv(tf.placeholder(tf.string), defaults, **kwargs)


def test_decode_csv_graph():
    columns = tf.decode_csv(tf.placeholder(tf.string), [[1], [2.0]], field_delim=";", na_value="?")
    op = columns[0].op
    assert op.type == "DecodeCSV" and op.name == "DecodeCSV"
    assert [t.op.name for t in op.inputs[1:]] == ["DecodeCSV/record_defaults_0",
                                                  "DecodeCSV/record_defaults_1"]
    attrs = ("OUT_TYPE", "field_delim", "use_quote_delim", "na_value", "select_cols")
    assert [op.get_attr(a) for a in attrs] == [[tf.int32, tf.float32], ";", True, "?", []]


# ======================================================================================
# decode_raw
# ======================================================================================
DATA = [bytes(range(16)), bytes(range(100, 116))]


@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64, tf.int8, tf.int16, tf.int32,
                                   tf.int64, tf.uint8, tf.uint16, tf.complex64, tf.complex128])
@pytest.mark.parametrize("little_endian", [True, False])
def test_decode_raw_matches_numpy_byte_orders(dtype, little_endian):
    data = tf.placeholder(tf.string, [2])
    decoded = tf.decode_raw(data, dtype, little_endian=little_endian)
    assert decoded.shape.as_list() == [2, None] and decoded.dtype == dtype
    wire = np.dtype(dtype.as_numpy_dtype).newbyteorder("<" if little_endian else ">")
    expected = np.stack([np.frombuffer(item, wire) for item in DATA]).astype(dtype.as_numpy_dtype)
    got = _run(decoded, {data: DATA})
    assert got.dtype == dtype.as_numpy_dtype
    np.testing.assert_array_equal(got, expected)


def test_decode_raw_bool_and_shapes():
    data = tf.placeholder(tf.string)
    assert _run(tf.decode_raw(data, tf.bool), {data: b"\x00\x02"}).tolist() == [False, True]
    assert _run(tf.decode_raw(bytes=data, out_type=tf.uint8), {data: [[b"ab"]]}).shape == (1, 1, 2)


@pytest.mark.parametrize("items,message", [
    ([b"\x01\x00\x00\x00", b"\x01\x00\x00"],
     "DecodeRaw requires input strings to all be the same size, but element 1 has size 4 != 3"),
    ([b"\x01\x00\x00"], "Input to DecodeRaw has length 3 that is not a multiple of 4, the size of int32"),
])
def test_decode_raw_errors(items, message):
    data = tf.placeholder(tf.string)
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        _run(tf.decode_raw(data, tf.int32), {data: items})
    assert info.value.message == message


def test_decode_raw_rejects_string_output():
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.decode_raw(tf.placeholder(tf.string), tf.string)


# ======================================================================================
# parse_example, parse_single_example
# ======================================================================================
def _example(**features):
    built = {}
    for key, values in features.items():
        if not values:
            built[key] = feature_pb2.Feature()
        elif isinstance(values[0], int):
            built[key] = feature_pb2.Feature(int64_list=feature_pb2.Int64List(value=values))
        elif isinstance(values[0], float):
            built[key] = feature_pb2.Feature(float_list=feature_pb2.FloatList(value=values))
        else:
            built[key] = feature_pb2.Feature(bytes_list=feature_pb2.BytesList(value=values))
    return example_pb2.Example(features=feature_pb2.Features(feature=built)).SerializeToString()


FIRST = _example(age=[31], ratio=[0.25, 0.75], words=[b"a", b"b", b"c"], name=[b"ann"])
SECOND = _example(ratio=[1.0, 2.0], words=[b"d"], empty=[])


def _features():
    return {"age": tf.FixedLenFeature([], tf.int64, default_value=-1),
            "ratio": tf.FixedLenFeature([2], tf.float32),
            "name": tf.FixedLenFeature([1], tf.string, default_value=["?"]),
            "words": tf.VarLenFeature(tf.string),
            "empty": tf.VarLenFeature(tf.float32)}


def test_parse_single_example():
    serialized = tf.placeholder(tf.string, [])
    parsed = tf.parse_single_example(serialized, _features())
    assert parsed["ratio"].shape.as_list() == [2] and parsed["age"].shape.as_list() == []
    assert isinstance(parsed["words"], tf.SparseTensor) and parsed["words"].dtype == tf.string
    assert parsed["words"].indices.shape.as_list() == [None, 1]
    first, second = (_run(parsed, {serialized: s}) for s in (FIRST, SECOND))
    assert (first["age"], first["name"].tolist(), first["ratio"].tolist()) == (31, [b"ann"], [0.25, 0.75])
    assert (second["age"], second["name"].tolist()) == (-1, [b"?"])  # defaults
    assert type(first["age"]) is np.int64
    words = first["words"]
    assert (words.indices.tolist(), words.values.tolist(), words.dense_shape.tolist()) == \
        ([[0], [1], [2]], [b"a", b"b", b"c"], [3])
    empty = second["empty"]
    assert (empty.indices.shape, empty.values.dtype, empty.dense_shape.tolist()) == ((0, 1), np.float32, [0])


def test_parse_example_batches():
    serialized = tf.placeholder(tf.string, [2])
    parsed = tf.parse_example(serialized, _features())
    assert parsed["ratio"].shape.as_list() == [2, 2] and parsed["words"].indices.shape.as_list() == [None, 2]
    got = _run(parsed, {serialized: [FIRST, SECOND]})
    assert got["age"].tolist() == [31, -1] and got["name"].tolist() == [[b"ann"], [b"?"]]
    assert got["ratio"].tolist() == [[0.25, 0.75], [1.0, 2.0]]
    words = got["words"]
    assert words.indices.tolist() == [[0, 0], [0, 1], [0, 2], [1, 0]]
    assert words.values.tolist() == [b"a", b"b", b"c", b"d"] and words.dense_shape.tolist() == [2, 3]
    batch = tf.placeholder(tf.string, [None])
    assert _run(tf.parse_example(batch, _features())["ratio"], {batch: []}).shape == (0, 2)


def test_parse_example_graph():
    parsed = tf.parse_example(tf.placeholder(tf.string), _features())
    op = parsed["age"].op
    assert op.type == "ParseExample" and op.name == "ParseExample/ParseExample"
    assert [op.get_attr(a) for a in ("Nsparse", "Ndense", "sparse_types", "Tdense")] == \
        [2, 3, [tf.float32, tf.string], [tf.int64, tf.string, tf.float32]]
    assert op.get_attr("dense_shapes") == [tf.TensorShape([]), tf.TensorShape([1]), tf.TensorShape([2])]
    single = tf.parse_single_example(tf.placeholder(tf.string), _features())["age"].op
    assert single.name == "ParseSingleExample/ParseSingleExample"
    assert single.get_attr("sparse_keys") == ["empty", "words"]
    assert single.get_attr("dense_keys") == ["age", "name", "ratio"]


@pytest.mark.parametrize("features,single,batch", [
    ({"age": tf.FixedLenFeature([], tf.int64)},
     "Feature: age (data type: int64) is required but could not be found.",
     "Name: <unknown>, Feature: age (data type: int64) is required but could not be found."),
    ({"ratio": tf.FixedLenFeature([3], tf.float32)},
     "Key: ratio.  Can't parse serialized Example: Some float_list slice was not parsed.",
     "Name: <unknown>, Key: ratio, Index: 0.  Number of float values != expected.  Values size: 2 but "
     "output shape: [3]"),
    ({"ratio": tf.FixedLenFeature([2], tf.int64)},
     "Key: ratio.  Data types don't match. Data type: float but expected type: int64",
     "Name: <unknown>, Key: ratio, Index: 0.  Data types don't match. Data type: float but expected "
     "type: int64"),
    ({"words": tf.VarLenFeature(tf.int64)},
     "Key: words.  Data types don't match. Expected type: int64, Actual type: string",
     "Name: <unknown>, Key: words, Index: 0.  Data types don't match. Expected type: int64, Actual "
     "type: string"),
])
def test_parse_errors(features, single, batch):
    serialized = tf.placeholder(tf.string)
    for parsed, value, message in ((tf.parse_single_example(serialized, features), SECOND, single),
                                   (tf.parse_example(serialized, features), [SECOND], batch)):
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            _run(parsed, {serialized: value})
        assert info.value.message == message


def test_example_names_appear_in_errors():
    serialized = tf.placeholder(tf.string)
    parsed = tf.parse_example(serialized, {"age": tf.FixedLenFeature([], tf.int64)},
                              example_names=["first", "second"])
    with pytest.raises(tf.errors.InvalidArgumentError, match="^Name: second, Feature: age"):
        _run(parsed, {serialized: [FIRST, SECOND]})


@pytest.mark.parametrize("value,message", [
    (b"garbage", "Could not parse example input, value: 'garbage'"),
    ([FIRST], "Expected serialized to be a scalar, got shape: [1]"),
])
def test_parse_single_example_input_errors(value, message):
    serialized = tf.placeholder(tf.string)
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        _run(tf.parse_single_example(serialized, {"age": tf.VarLenFeature(tf.int64)}), {serialized: value})
    assert info.value.message == message


@pytest.mark.parametrize("features,message", [
    ({}, "Missing: features was {}."),
    ({"a": tf.FixedLenFeature(None, tf.int64)}, "Missing shape for feature a."),
    ({"a": tf.FixedLenFeature([None], tf.int64)}, "First dimension of shape for feature a unknown."),
    ({"a": tf.FixedLenFeature([2, None], tf.int64)},
     "All dimensions of shape for feature a need to be known"),
    ({"a": "int64"}, "Invalid feature a:int64."),
])
def test_feature_spec_errors(features, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        tf.parse_example(tf.placeholder(tf.string), features)


def test_feature_types_are_checked():
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.parse_example(tf.placeholder(tf.string), {"a": tf.FixedLenFeature([], tf.int32)})


def test_scalar_input_required_by_parse_single_example():
    with pytest.raises(ValueError, match="Input serialized must be a scalar"):
        tf.parse_single_example(tf.placeholder(tf.string, [2]), {"a": tf.VarLenFeature(tf.int64)})


# ======================================================================================
# TensorFlow interop (where tensorflow is importable)
# ======================================================================================
def test_example_protos_cross_with_tensorflow():
    tensorflow = pytest.importorskip("tensorflow")
    train = tensorflow.compat.v1.train
    theirs = train.Example(features=train.Features(feature={
        "age": train.Feature(int64_list=train.Int64List(value=[31])),
        "ratio": train.Feature(float_list=train.FloatList(value=[0.25, 0.75])),
        "name": train.Feature(bytes_list=train.BytesList(value=[b"ann"])),
        "words": train.Feature(bytes_list=train.BytesList(value=[b"a", b"b", b"c"]))}))
    assert theirs.SerializeToString(deterministic=True) == \
        example_pb2.Example.FromString(FIRST).SerializeToString(deterministic=True)
    assert train.Example.FromString(FIRST) == theirs
    serialized = tf.placeholder(tf.string)
    parsed = _run(tf.parse_single_example(serialized, _features()), {serialized: theirs.SerializeToString()})
    assert parsed["age"] == 31 and parsed["words"].values.tolist() == [b"a", b"b", b"c"]
