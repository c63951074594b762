"""Tests for the checkpoint protos: meta_graph, saver, variable,
tensor_bundle, tensor_slice and checkpoint_state.

* messages round-trip through their wire format (and text format for
  CheckpointState, which the "checkpoint" file uses);
* when TensorFlow itself is importable, our messages are field-compatible
  with TensorFlow's own (TensorBoard vendors only meta_graph/saver/variable,
  which test_protos.py compares), and bytes cross in both directions.
"""

import importlib
import importlib.util
from pathlib import Path

import pytest
from google.protobuf import any_pb2, text_format

from minitf.proto import (
    checkpoint_state_pb2,
    meta_graph_pb2,
    saver_pb2,
    tensor_bundle_pb2,
    tensor_slice_pb2,
    types_pb2,
    variable_pb2,
)

# Where TensorFlow keeps each of these protos.
_TF_MODULES = {
    "meta_graph": "tensorflow.core.protobuf.meta_graph_pb2",
    "saver": "tensorflow.core.protobuf.saver_pb2",
    "variable": "tensorflow.core.framework.variable_pb2",
    "tensor_bundle": "tensorflow.core.protobuf.tensor_bundle_pb2",
    "tensor_slice": "tensorflow.core.framework.tensor_slice_pb2",
    "checkpoint_state": "tensorflow.python.training.checkpoint_state_pb2",
}


# --------------------------------------------------------------------------
# samples


def _sample_meta_graph():
    mg = meta_graph_pb2.MetaGraphDef()
    info = mg.meta_info_def
    info.meta_graph_version = "v1"
    info.tags.extend(["serve", "train"])
    info.tensorflow_version = "1.15.0"
    info.tensorflow_git_version = "minitf"
    info.stripped_default_attrs = True
    info.function_aliases["f"] = "alias"
    info.stripped_op_list.op.add(name="VariableV2")
    info.any_info.Pack(saver_pb2.SaverDef(max_to_keep=9))
    node = mg.graph_def.node.add(name="w", op="VariableV2")
    node.attr["dtype"].type = types_pb2.DT_FLOAT
    mg.graph_def.versions.producer = 27
    mg.saver_def.CopyFrom(_sample_saver_def())
    var = _sample_variable_def()
    mg.collection_def["variables"].bytes_list.value.append(
        var.SerializeToString())
    mg.collection_def["train_op"].node_list.value.extend(["GradientDescent"])
    mg.collection_def["steps"].int64_list.value.extend([1, -2, 2**40])
    mg.collection_def["rates"].float_list.value.extend([0.5, 0.25])
    packed = any_pb2.Any()
    packed.Pack(var)
    mg.collection_def["anys"].any_list.value.append(packed)
    sig = mg.signature_def["serving_default"]
    sig.method_name = "tensorflow/serving/predict"
    x = sig.inputs["x"]
    x.name = "x:0"
    x.dtype = types_pb2.DT_FLOAT
    x.tensor_shape.dim.add(size=-1)
    sp = sig.outputs["y"].coo_sparse
    sp.values_tensor_name = "y/values:0"
    sp.indices_tensor_name = "y/indices:0"
    sp.dense_shape_tensor_name = "y/shape:0"
    sig.defaults["k"].dtype = types_pb2.DT_INT32
    sig.defaults["k"].int_val.append(3)
    asset = mg.asset_file_def.add(filename="vocab.txt")
    asset.tensor_info.name = "Const:0"
    return mg


def _sample_saver_def():
    return saver_pb2.SaverDef(
        filename_tensor_name="save/Const:0",
        save_tensor_name="save/control_dependency:0",
        restore_op_name="save/restore_all", max_to_keep=5, sharded=True,
        keep_checkpoint_every_n_hours=10000.0,
        version=saver_pb2.SaverDef.V2)


def _sample_variable_def():
    v = variable_pb2.VariableDef(
        variable_name="w:0", initial_value_name="w/initial_value:0",
        initializer_name="w/Assign", snapshot_name="w/read:0",
        is_resource=False, trainable=True,
        synchronization=variable_pb2.VARIABLE_SYNCHRONIZATION_ON_READ,
        aggregation=variable_pb2.VARIABLE_AGGREGATION_MEAN)
    v.save_slice_info_def.full_name = "w"
    v.save_slice_info_def.full_shape.extend([10, 4])
    v.save_slice_info_def.var_offset.extend([5, 0])
    v.save_slice_info_def.var_shape.extend([5, 4])
    return v


def _sample_bundle_entry():
    e = tensor_bundle_pb2.BundleEntryProto(
        dtype=types_pb2.DT_DOUBLE, shard_id=0, offset=2**33, size=48,
        crc32c=0xFFFFFFFF)
    e.shape.dim.add(size=2)
    e.shape.dim.add(size=3)
    sl = e.slices.add()
    sl.extent.add(start=0, length=2)
    sl.extent.add()  # whole dimension: no length
    return e


def _sample_bundle_header():
    h = tensor_bundle_pb2.BundleHeaderProto(
        num_shards=1, endianness=tensor_bundle_pb2.BundleHeaderProto.BIG)
    h.version.producer = 1
    return h


def _sample_checkpoint_state():
    return checkpoint_state_pb2.CheckpointState(
        model_checkpoint_path="/tmp/model.ckpt-20",
        all_model_checkpoint_paths=["/tmp/model.ckpt-10",
                                    "/tmp/model.ckpt-20"],
        all_model_checkpoint_timestamps=[1.5e9, 1.5e9 + 0.25],
        last_preserved_timestamp=1.4e9)


_SAMPLES = {
    "meta_graph": ("MetaGraphDef", _sample_meta_graph),
    "saver": ("SaverDef", _sample_saver_def),
    "variable": ("VariableDef", _sample_variable_def),
    "tensor_bundle": ("BundleEntryProto", _sample_bundle_entry),
    "tensor_slice": ("TensorSliceProto",
                     lambda: _sample_bundle_entry().slices[0]),
    "checkpoint_state": ("CheckpointState", _sample_checkpoint_state),
}


# --------------------------------------------------------------------------
# round trips


@pytest.mark.parametrize("name", sorted(_SAMPLES))
def test_round_trip(name):
    _, make = _SAMPLES[name]
    msg = make()
    data = msg.SerializeToString(deterministic=True)
    back = type(msg).FromString(data)
    assert back == msg
    assert back.SerializeToString(deterministic=True) == data


def test_meta_graph_details_survive():
    back = meta_graph_pb2.MetaGraphDef.FromString(
        _sample_meta_graph().SerializeToString())
    cols = back.collection_def
    assert cols["train_op"].WhichOneof("kind") == "node_list"
    assert list(cols["steps"].int64_list.value) == [1, -2, 2**40]
    assert list(cols["rates"].float_list.value) == [0.5, 0.25]
    var = variable_pb2.VariableDef.FromString(cols["variables"]
                                              .bytes_list.value[0])
    assert var == _sample_variable_def()
    unpacked = variable_pb2.VariableDef()
    assert cols["anys"].any_list.value[0].Unpack(unpacked)
    assert unpacked.snapshot_name == "w/read:0"
    saver = saver_pb2.SaverDef()
    assert back.meta_info_def.any_info.Unpack(saver)
    assert saver.max_to_keep == 9
    assert back.saver_def.version == saver_pb2.SaverDef.V2 == 2
    sig = back.signature_def["serving_default"]
    assert sig.inputs["x"].WhichOneof("encoding") == "name"
    assert sig.outputs["y"].WhichOneof("encoding") == "coo_sparse"
    assert back.asset_file_def[0].tensor_info.name == "Const:0"


def test_enum_values():
    assert [saver_pb2.SaverDef.LEGACY, saver_pb2.SaverDef.V1,
            saver_pb2.SaverDef.V2] == [0, 1, 2]
    hdr = tensor_bundle_pb2.BundleHeaderProto
    assert (hdr.LITTLE, hdr.BIG) == (0, 1)


def test_slice_extent_length_has_presence():
    sl = tensor_slice_pb2.TensorSliceProto.FromString(
        _sample_bundle_entry().slices[0].SerializeToString())
    assert sl.extent[0].HasField("length")
    assert not sl.extent[1].HasField("length")
    # An explicit length of 0 is kept (it differs from "the whole dimension").
    empty = tensor_slice_pb2.TensorSliceProto()
    empty.extent.add(start=3, length=0)
    back = tensor_slice_pb2.TensorSliceProto.FromString(empty.SerializeToString())
    assert back.extent[0].HasField("length") and back.extent[0].length == 0


def test_bundle_entry_crc_is_fixed32():
    # fixed32 on the wire: tag (6 << 3) | 5, then 4 little-endian bytes.
    e = tensor_bundle_pb2.BundleEntryProto(crc32c=0x01020304)
    assert e.SerializeToString() == bytes([0x35, 4, 3, 2, 1])


def test_checkpoint_state_text_format():
    # The "checkpoint" file is a text-format CheckpointState.
    state = _sample_checkpoint_state()
    text = text_format.MessageToString(state)
    assert text.startswith('model_checkpoint_path: "/tmp/model.ckpt-20"\n')
    assert text_format.Parse(text, checkpoint_state_pb2.CheckpointState()) \
        == state


# --------------------------------------------------------------------------
# compatibility with TensorFlow's own protos


def _test_protos_module():
    # test_protos.py holds the field-by-field comparator; pytest runs with
    # --import-mode=importlib, so load it by path.
    path = Path(__file__).with_name("test_protos.py")
    spec = importlib.util.spec_from_file_location("_minitf_test_protos", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _tf_module(name):
    pytest.importorskip("tensorflow")
    return importlib.import_module(_TF_MODULES[name])


@pytest.mark.parametrize("name", sorted(_TF_MODULES))
def test_fields_match_tensorflow_itself(name):
    theirs = _tf_module(name).DESCRIPTOR
    ours = importlib.import_module(f"minitf.proto.{name}_pb2").DESCRIPTOR
    cmp = _test_protos_module()
    assert ours.package == "minitf" and theirs.package == "tensorflow"
    assert set(ours.message_types_by_name) == set(
        theirs.message_types_by_name)
    assert set(ours.enum_types_by_name) == set(theirs.enum_types_by_name)
    for enum_name, enum in ours.enum_types_by_name.items():
        cmp._compare_enum(enum, theirs.enum_types_by_name[enum_name])
    seen = set()
    for msg_name, msg in ours.message_types_by_name.items():
        cmp._compare_message(msg, theirs.message_types_by_name[msg_name],
                             seen)


@pytest.mark.parametrize("name", sorted(_SAMPLES))
def test_bytes_cross_with_tensorflow(name):
    tf_mod = _tf_module(name)
    msg_name, make = _SAMPLES[name]
    ours = make()
    theirs = getattr(tf_mod, msg_name).FromString(ours.SerializeToString())
    # Nothing landed in TensorFlow's unknown fields, and back again.
    assert theirs.SerializeToString(deterministic=True) == \
        ours.SerializeToString(deterministic=True)
    assert type(ours).FromString(theirs.SerializeToString()) == ours
    assert text_format.MessageToString(theirs) == \
        text_format.MessageToString(ours)


def test_tensorflow_bundle_header_parses_here():
    tf_mod = _tf_module("tensor_bundle")
    hdr = tf_mod.BundleHeaderProto(num_shards=3)
    hdr.version.producer = 1
    hdr.version.bad_consumers.append(7)
    back = tensor_bundle_pb2.BundleHeaderProto.FromString(
        hdr.SerializeToString())
    assert back.num_shards == 3
    assert back.endianness == tensor_bundle_pb2.BundleHeaderProto.LITTLE
    assert list(back.version.bad_consumers) == [7]
    ours = _sample_bundle_header()
    theirs = tf_mod.BundleHeaderProto.FromString(ours.SerializeToString())
    assert theirs.endianness == tf_mod.BundleHeaderProto.BIG
    assert theirs.version.producer == 1 and theirs.num_shards == 1
