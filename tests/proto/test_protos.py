"""Tests for the protocol-buffer definitions in proto/ and minitf/proto/.

* the committed minitf/proto/*_pb2.py match a fresh run of tools/gen-protos;
* messages round-trip through their wire format;
* our messages are field-compatible with TensorFlow's (checked against the
  copies of TensorFlow's protos that TensorBoard vendors, when installed),
  and bytes cross between the two in both directions.
"""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2
from google.protobuf.descriptor import FieldDescriptor

from minitf.proto import (
    attr_value_pb2,
    config_pb2,
    cost_graph_pb2,
    function_pb2,
    graph_pb2,
    node_def_pb2,
    step_stats_pb2,
    tensor_pb2,
    tensor_shape_pb2,
    types_pb2,
    versions_pb2,
)

ROOT = Path(__file__).resolve().parents[2]
PROTO_SRC = ROOT / "proto"
PROTO_PKG = ROOT / "minitf" / "proto"
GEN_PROTOS = ROOT / "tools" / "gen-protos"

PROTO_NAMES = sorted(p.stem for p in PROTO_SRC.glob("*.proto"))


# --------------------------------------------------------------------------
# helpers


def _gencode_version(path):
    m = re.search(r"^# Protobuf Python Version: (\S+)$", path.read_text(), re.M)
    assert m, f"{path} has no '# Protobuf Python Version' header"
    return m.group(1)


def _version_tuple(text):
    return tuple(int(x) for x in re.findall(r"\d+", text)[:3])


def _serialized_file_descriptor(path):
    """The FileDescriptorProto embedded in a generated *_pb2.py module."""
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "AddSerializedFile"):
            return descriptor_pb2.FileDescriptorProto.FromString(
                ast.literal_eval(node.args[0]))
    raise AssertionError(f"no AddSerializedFile(...) call in {path}")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    pytest.importorskip("grpc_tools")
    out = tmp_path_factory.mktemp("pb2")
    subprocess.run([sys.executable, str(GEN_PROTOS), "--out", str(out)],
                   check=True, cwd=ROOT, capture_output=True)
    return out


# --------------------------------------------------------------------------
# (a) committed modules are what tools/gen-protos produces


def test_every_proto_has_a_committed_module():
    committed = sorted(p.name for p in PROTO_PKG.glob("*_pb2.py"))
    assert committed == sorted(f"{n}_pb2.py" for n in PROTO_NAMES)
    assert (PROTO_PKG / "__init__.py").is_file()


def test_regenerated_descriptors_match_committed(regenerated):
    # Independent of the protoc version: the descriptors must be the same.
    produced = sorted(p.name for p in regenerated.glob("*_pb2.py"))
    assert produced == sorted(f"{n}_pb2.py" for n in PROTO_NAMES)
    stale = [name for name in produced
             if _serialized_file_descriptor(regenerated / name)
             != _serialized_file_descriptor(PROTO_PKG / name)]
    assert not stale, f"stale, run tools/gen-protos: {stale}"


def test_regenerated_modules_are_byte_identical(regenerated):
    committed_version = _gencode_version(PROTO_PKG / "types_pb2.py")
    installed_version = _gencode_version(regenerated / "types_pb2.py")
    if committed_version != installed_version:
        pytest.skip(
            f"committed modules come from protoc gencode {committed_version}; "
            f"the installed grpcio-tools emits {installed_version}")
    differ = [path.name for path in sorted(regenerated.glob("*_pb2.py"))
              if path.read_bytes() != (PROTO_PKG / path.name).read_bytes()]
    assert not differ, f"differ from tools/gen-protos output: {differ}"


def test_generated_modules_import_each_other_as_minitf_proto():
    for path in PROTO_PKG.glob("*_pb2.py"):
        text = path.read_text()
        for line in text.splitlines():
            if line.startswith(("import ", "from ")) and "_pb2" in line:
                # ours, or protobuf's own well-known types (Any)
                assert line.startswith(("from minitf.proto import ",
                                        "from google.protobuf import ")), line
        fdp = _serialized_file_descriptor(path)
        assert fdp.package == "minitf"
        assert fdp.name == f"minitf/proto/{path.name[:-len('_pb2.py')]}.proto"


def test_pyproject_protobuf_bound_covers_gencode():
    text = (ROOT / "pyproject.toml").read_text()
    m = re.search(r'"protobuf\s*>=\s*([0-9.]+)', text)
    assert m, "pyproject.toml needs a protobuf>=X lower bound"
    bound = _version_tuple(m.group(1))
    newest = max(_version_tuple(_gencode_version(p))
                 for p in PROTO_PKG.glob("*_pb2.py"))
    # gencode X.Y.Z refuses to load on a runtime older than X.Y.Z
    assert bound >= newest, (bound, newest)


# --------------------------------------------------------------------------
# (b) round trips


def _sample_graph_def():
    g = graph_pb2.GraphDef()
    g.versions.producer = 27
    g.versions.min_consumer = 12
    g.versions.bad_consumers.extend([3, 5])

    x = g.node.add(name="x", op="Placeholder", device="/device:CPU:0")
    x.attr["dtype"].type = types_pb2.DT_FLOAT
    dim = x.attr["shape"].shape.dim
    dim.add(size=-1)
    dim.add(size=3, name="features")

    w = g.node.add(name="w", op="Const")
    w.attr["dtype"].type = types_pb2.DT_FLOAT
    t = w.attr["value"].tensor
    t.dtype = types_pb2.DT_FLOAT
    t.tensor_shape.dim.add(size=3)
    t.tensor_shape.dim.add(size=1)
    t.float_val.extend([1.0, 2.0, 3.0])

    y = g.node.add(name="y", op="MatMul", input=["x", "w:0", "^init"])
    y.attr["T"].type = types_pb2.DT_FLOAT
    y.attr["transpose_a"].b = False
    y.attr["transpose_b"].b = True
    y.attr["_class"].list.s.extend([b"loc:@w"])
    y.attr["axis"].i = -1
    y.attr["alpha"].f = 0.5
    y.attr["label"].s = b"matmul"
    y.attr["Tlist"].list.type.extend([types_pb2.DT_INT32, types_pb2.DT_STRING])
    y.attr["f"].func.name = "my_fn"
    y.attr["f"].func.attr["T"].type = types_pb2.DT_DOUBLE
    y.experimental_debug_info.original_node_names.append("dense/MatMul")

    fn = g.library.function.add()
    fn.signature.name = "my_fn"
    fn.signature.input_arg.add(name="a", type_attr="T")
    fn.signature.output_arg.add(name="out", type_attr="T")
    fn.signature.attr.add(name="T", type="type")
    body = fn.node_def.add(name="neg", op="Neg", input=["a"])
    body.attr["T"].placeholder = "T"
    fn.ret["out"] = "neg:y:0"
    g.library.gradient.add(function_name="my_fn", gradient_func="my_fn_grad")
    return g


def test_graph_def_round_trip():
    g = _sample_graph_def()
    data = g.SerializeToString(deterministic=True)
    back = graph_pb2.GraphDef.FromString(data)
    assert back == g
    assert back.SerializeToString(deterministic=True) == data

    y = back.node[2]
    assert list(y.input) == ["x", "w:0", "^init"]
    assert y.attr["transpose_b"].WhichOneof("value") == "b"
    assert y.attr["axis"].i == -1
    assert y.attr["alpha"].f == 0.5
    assert list(y.attr["Tlist"].list.type) == [types_pb2.DT_INT32,
                                               types_pb2.DT_STRING]
    assert y.attr["f"].func.attr["T"].type == types_pb2.DT_DOUBLE
    assert back.node[0].attr["shape"].shape.dim[1].name == "features"
    assert list(back.node[1].attr["value"].tensor.float_val) == [1, 2, 3]
    assert back.library.function[0].node_def[0].attr["T"].placeholder == "T"
    assert list(back.versions.bad_consumers) == [3, 5]


def test_tensor_proto_round_trip():
    t = tensor_pb2.TensorProto(dtype=types_pb2.DT_INT64)
    t.tensor_shape.dim.add(size=2)
    t.tensor_content = (7).to_bytes(8, "little") + (-1).to_bytes(
        8, "little", signed=True)
    t.uint64_val.append(2**64 - 1)
    t.resource_handle_val.add(device="/cpu:0", name="v", hash_code=2**63)
    t.variant_val.add(type_name="x").tensors.add(dtype=types_pb2.DT_BOOL)
    back = tensor_pb2.TensorProto.FromString(t.SerializeToString())
    assert back == t
    shape = tensor_shape_pb2.TensorShapeProto(unknown_rank=True)
    assert tensor_shape_pb2.TensorShapeProto.FromString(
        shape.SerializeToString()).unknown_rank


def test_config_run_options_run_metadata_round_trip():
    cfg = _sample_config()
    assert config_pb2.ConfigProto.FromString(cfg.SerializeToString()) == cfg
    opts = _sample_run_options()
    assert config_pb2.RunOptions.FromString(opts.SerializeToString()) == opts
    md = _sample_run_metadata()
    assert config_pb2.RunMetadata.FromString(md.SerializeToString()) == md


def test_datatype_ref_values_are_base_plus_100():
    values = types_pb2.DataType.DESCRIPTOR.values_by_name
    expected = {
        "DT_INVALID": 0, "DT_FLOAT": 1, "DT_DOUBLE": 2, "DT_INT32": 3,
        "DT_UINT8": 4, "DT_INT16": 5, "DT_INT8": 6, "DT_STRING": 7,
        "DT_COMPLEX64": 8, "DT_INT64": 9, "DT_BOOL": 10, "DT_QINT8": 11,
        "DT_QUINT8": 12, "DT_QINT32": 13, "DT_BFLOAT16": 14, "DT_QINT16": 15,
        "DT_QUINT16": 16, "DT_UINT16": 17, "DT_COMPLEX128": 18, "DT_HALF": 19,
        "DT_RESOURCE": 20, "DT_VARIANT": 21, "DT_UINT32": 22, "DT_UINT64": 23,
        "DT_FLOAT_REF": 101, "DT_RESOURCE_REF": 120, "DT_UINT64_REF": 123,
    }
    for name, number in expected.items():
        assert values[name].number == number, name
    for name, v in values.items():
        if 0 < v.number < 100:
            assert values[name + "_REF"].number == v.number + 100
        elif v.number > 100:
            assert values[name[:-len("_REF")]].number == v.number - 100


# --------------------------------------------------------------------------
# (c) compatibility with TensorFlow's own protos (via TensorBoard's copies)

_TB_MODULES = [
    "types", "tensor_shape", "resource_handle", "tensor", "attr_value",
    "full_type", "node_def", "op_def", "function", "graph_debug_info",
    "versions", "graph", "allocation_description", "tensor_description",
    "step_stats", "cost_graph", "cluster", "rpc_options", "debug", "config",
    "saver", "variable", "meta_graph",
]


@pytest.fixture(scope="module")
def tb_proto():
    pytest.importorskip("tensorboard")
    import importlib
    mods = {}
    for name in _TB_MODULES:
        try:
            mods[name] = importlib.import_module(
                f"tensorboard.compat.proto.{name}_pb2")
        except ImportError:
            pass
    if "graph" not in mods or "config" not in mods:
        pytest.skip("tensorboard.compat.proto lacks graph/config protos")
    return mods


def _relative_name(descriptor):
    # "minitf.TensorProto" / "tensorboard.TensorProto" -> "TensorProto"
    return descriptor.full_name.split(".", 1)[1]


def _reserved(descriptor):
    proto = descriptor_pb2.DescriptorProto()
    descriptor.CopyToProto(proto)
    return ({n for r in proto.reserved_range for n in range(r.start, r.end)},
            set(proto.reserved_name))


def _compare_enum(ours, theirs):
    assert _relative_name(ours) == _relative_name(theirs)
    our_values = {v.name: v.number for v in ours.values}
    their_values = {v.name: v.number for v in theirs.values}
    assert our_values == their_values, ours.full_name


def _compare_message(ours, theirs, seen):
    if ours.full_name in seen:
        return
    seen.add(ours.full_name)
    where = ours.full_name
    assert _relative_name(ours) == _relative_name(theirs), where
    assert ours.GetOptions().map_entry == theirs.GetOptions().map_entry, where
    reserved_numbers, reserved_names = _reserved(ours)
    for tf in theirs.fields:
        mf = ours.fields_by_number.get(tf.number)
        if mf is None:
            # A field we trimmed must stay reserved, never reused.
            assert tf.number in reserved_numbers, f"{where}.{tf.name} missing"
            continue
        loc = f"{where}.{mf.name} = {mf.number}"
        assert mf.name == tf.name, loc
        assert mf.type == tf.type, loc
        assert mf.is_repeated == tf.is_repeated, loc
        assert mf.has_presence == tf.has_presence, loc
        assert _oneof_name(mf) == _oneof_name(tf), loc
        if mf.type == FieldDescriptor.TYPE_ENUM:
            _compare_enum(mf.enum_type, tf.enum_type)
        if mf.type == FieldDescriptor.TYPE_MESSAGE:
            _compare_message(mf.message_type, tf.message_type, seen)
    for mf in ours.fields:
        assert mf.number in theirs.fields_by_number, (
            f"{where}.{mf.name} = {mf.number} is not in TensorFlow's message")
    # Field names TensorFlow retired stay retired here too.
    _, their_reserved_names = _reserved(theirs)
    assert their_reserved_names <= reserved_names, where
    for nested in ours.nested_types:
        assert nested.name in theirs.nested_types_by_name, nested.full_name
        _compare_message(nested, theirs.nested_types_by_name[nested.name],
                         seen)
    for enum in ours.enum_types:
        _compare_enum(enum, theirs.enum_types_by_name[enum.name])


def _oneof_name(field):
    return field.containing_oneof.name if field.containing_oneof else None


@pytest.mark.parametrize("name", PROTO_NAMES)
def test_fields_match_tensorflow(tb_proto, name):
    import importlib
    if name not in tb_proto:
        pytest.skip(f"tensorboard has no {name}.proto")
    ours = importlib.import_module(f"minitf.proto.{name}_pb2").DESCRIPTOR
    theirs = tb_proto[name].DESCRIPTOR
    assert ours.package == "minitf" and theirs.package != "minitf"
    for enum_name, enum in ours.enum_types_by_name.items():
        _compare_enum(enum, theirs.enum_types_by_name[enum_name])
    seen = set()
    for msg_name, msg in ours.message_types_by_name.items():
        assert msg_name in theirs.message_types_by_name, msg_name
        _compare_message(msg, theirs.message_types_by_name[msg_name], seen)


def test_graph_def_bytes_parse_in_tensorboard(tb_proto):
    g = _sample_graph_def()
    tb = tb_proto["graph"].GraphDef.FromString(g.SerializeToString())
    assert [n.name for n in tb.node] == ["x", "w", "y"]
    assert [n.op for n in tb.node] == ["Placeholder", "Const", "MatMul"]
    assert tb.node[0].device == "/device:CPU:0"
    assert list(tb.node[2].input) == ["x", "w:0", "^init"]
    assert tb.node[0].attr["dtype"].type == tb_proto["types"].DT_FLOAT
    assert [(d.size, d.name) for d in tb.node[0].attr["shape"].shape.dim] == [
        (-1, ""), (3, "features")]
    assert list(tb.node[1].attr["value"].tensor.float_val) == [1.0, 2.0, 3.0]
    y = tb.node[2].attr
    assert y["transpose_b"].b and y["axis"].i == -1 and y["alpha"].f == 0.5
    assert list(y["_class"].list.s) == [b"loc:@w"]
    assert y["f"].func.name == "my_fn"
    assert y["f"].func.attr["T"].type == tb_proto["types"].DT_DOUBLE
    assert list(tb.node[2].experimental_debug_info.original_node_names) == [
        "dense/MatMul"]
    assert tb.versions.producer == 27 and list(tb.versions.bad_consumers) == [
        3, 5]
    assert tb.library.function[0].signature.name == "my_fn"
    assert tb.library.function[0].ret["out"] == "neg:y:0"
    assert tb.library.gradient[0].gradient_func == "my_fn_grad"
    # No field landed in TensorBoard's unknown-field set, and the bytes
    # survive the return trip unchanged.
    assert tb.SerializeToString(deterministic=True) == g.SerializeToString(
        deterministic=True)
    assert graph_pb2.GraphDef.FromString(tb.SerializeToString()) == g


def _sample_config():
    cfg = config_pb2.ConfigProto(
        intra_op_parallelism_threads=2, inter_op_parallelism_threads=3,
        use_per_session_threads=True, placement_period=7,
        allow_soft_placement=True, log_device_placement=True,
        operation_timeout_in_ms=1500, isolate_session_state=True)
    cfg.device_count["CPU"] = 1
    cfg.device_count["GPU"] = 0
    cfg.session_inter_op_thread_pool.add(num_threads=4, global_name="pool")
    cfg.device_filters.extend(["/job:ps", "/job:worker/replica:3"])
    cfg.gpu_options.per_process_gpu_memory_fraction = 0.25
    cfg.gpu_options.allocator_type = "BFC"
    cfg.gpu_options.deferred_deletion_bytes = 1 << 20
    cfg.gpu_options.allow_growth = True
    cfg.gpu_options.visible_device_list = "1,0"
    cfg.gpu_options.experimental.virtual_devices.add(memory_limit_mb=[512.0])
    opt = cfg.graph_options.optimizer_options
    opt.opt_level = config_pb2.OptimizerOptions.L0
    opt.global_jit_level = config_pb2.OptimizerOptions.OFF
    opt.do_constant_folding = True
    cfg.graph_options.infer_shapes = True
    cfg.graph_options.build_cost_model = 3
    cfg.rpc_options.compression_algorithm = "gzip"
    job = cfg.cluster_def.job.add(name="worker")
    job.tasks[0] = "localhost:2222"
    job.tasks[7] = "example.org:2222"
    cfg.experimental.collective_group_leader = "/job:worker/task:0"
    return cfg


def _sample_run_options():
    return config_pb2.RunOptions(
        trace_level=config_pb2.RunOptions.FULL_TRACE, timeout_in_ms=250,
        inter_op_thread_pool=-1, output_partition_graphs=True,
        report_tensor_allocations_upon_oom=True)


def _sample_run_metadata():
    md = config_pb2.RunMetadata()
    dev = md.step_stats.dev_stats.add(device="/job:localhost/device:CPU:0")
    dev.thread_names[5] = "worker-5"
    ns = dev.node_stats.add(
        node_name="y", all_start_micros=1_700_000_000_000_000,
        op_start_rel_micros=1, op_end_rel_micros=9, all_end_rel_micros=10,
        scheduled_micros=5, thread_id=5, timeline_label="y = MatMul(x, w)",
        all_start_nanos=1_700_000_000_000_000_000)
    mem = ns.memory.add(allocator_name="cpu", total_bytes=48, peak_bytes=48,
                        live_bytes=12, allocator_bytes_in_use=64)
    mem.allocation_records.add(alloc_micros=3, alloc_bytes=48)
    out = ns.output.add(slot=0)
    out.tensor_description.dtype = types_pb2.DT_FLOAT
    out.tensor_description.shape.dim.add(size=4)
    out.tensor_description.allocation_description.requested_bytes = 16
    ns.memory_stats.temp_memory_size = 8
    ns.memory_stats.persistent_tensor_alloc_ids.extend([1, 2])
    node = md.cost_graph.node.add(name="y", device="/cpu:0", id=2,
                                  compute_cost=9, is_final=True)
    node.input_info.add(preceding_node=0, preceding_port=0)
    node.output_info.add(size=16, alias_input_port=-1,
                         dtype=types_pb2.DT_FLOAT).shape.dim.add(size=4)
    md.partition_graphs.add().CopyFrom(_sample_graph_def())
    md.session_metadata.name = "sess"
    return md


def test_config_protos_parse_in_tensorboard(tb_proto):
    tb_config = tb_proto["config"]

    cfg = _sample_config()
    tb = tb_config.ConfigProto.FromString(cfg.SerializeToString())
    assert dict(tb.device_count) == {"CPU": 1, "GPU": 0}
    assert tb.intra_op_parallelism_threads == 2
    assert tb.inter_op_parallelism_threads == 3
    assert tb.use_per_session_threads and tb.placement_period == 7
    assert tb.session_inter_op_thread_pool[0].global_name == "pool"
    assert list(tb.device_filters) == ["/job:ps", "/job:worker/replica:3"]
    assert tb.gpu_options.per_process_gpu_memory_fraction == 0.25
    assert tb.gpu_options.allocator_type == "BFC"
    assert tb.gpu_options.deferred_deletion_bytes == 1 << 20
    assert tb.gpu_options.allow_growth
    assert tb.gpu_options.visible_device_list == "1,0"
    assert list(tb.gpu_options.experimental.virtual_devices[0]
                .memory_limit_mb) == [512.0]
    assert tb.allow_soft_placement and tb.log_device_placement
    assert (tb.graph_options.optimizer_options.opt_level
            == tb_config.OptimizerOptions.L0)
    assert (tb.graph_options.optimizer_options.global_jit_level
            == tb_config.OptimizerOptions.OFF)
    assert tb.graph_options.infer_shapes
    assert tb.operation_timeout_in_ms == 1500
    assert tb.rpc_options.compression_algorithm == "gzip"
    assert dict(tb.cluster_def.job[0].tasks) == {0: "localhost:2222",
                                                 7: "example.org:2222"}
    assert tb.isolate_session_state
    assert tb.experimental.collective_group_leader == "/job:worker/task:0"
    assert config_pb2.ConfigProto.FromString(tb.SerializeToString()) == cfg

    opts = _sample_run_options()
    tb = tb_config.RunOptions.FromString(opts.SerializeToString())
    assert tb.trace_level == tb_config.RunOptions.FULL_TRACE == 3
    assert tb.timeout_in_ms == 250 and tb.inter_op_thread_pool == -1
    assert tb.output_partition_graphs
    assert tb.report_tensor_allocations_upon_oom
    assert config_pb2.RunOptions.FromString(tb.SerializeToString()) == opts

    md = _sample_run_metadata()
    tb = tb_config.RunMetadata.FromString(md.SerializeToString())
    dev = tb.step_stats.dev_stats[0]
    assert dev.device == "/job:localhost/device:CPU:0"
    assert dict(dev.thread_names) == {5: "worker-5"}
    ns = dev.node_stats[0]
    assert (ns.node_name, ns.op_end_rel_micros, ns.thread_id) == ("y", 9, 5)
    assert ns.all_start_nanos == 1_700_000_000_000_000_000
    assert ns.memory[0].allocation_records[0].alloc_bytes == 48
    assert ns.memory[0].allocator_bytes_in_use == 64
    assert ns.output[0].tensor_description.shape.dim[0].size == 4
    assert ns.output[0].tensor_description.allocation_description \
        .requested_bytes == 16
    assert list(ns.memory_stats.persistent_tensor_alloc_ids) == [1, 2]
    node = tb.cost_graph.node[0]
    assert (node.name, node.id, node.compute_cost, node.is_final) == (
        "y", 2, 9, True)
    assert node.output_info[0].alias_input_port == -1
    assert tb.partition_graphs[0].node[2].op == "MatMul"
    assert tb.session_metadata.name == "sess"
    assert tb.SerializeToString(deterministic=True) == md.SerializeToString(
        deterministic=True)


def test_tensorboard_bytes_parse_here(tb_proto):
    # The other direction: TensorFlow-side messages read by minitf.
    tb_graph = tb_proto["graph"].GraphDef()
    n = tb_graph.node.add(name="c", op="Const")
    n.attr["value"].tensor.dtype = tb_proto["types"].DT_HALF
    n.attr["value"].tensor.half_val.extend([15360])
    n.attr["value"].tensor.tensor_shape.unknown_rank = True
    tb_graph.versions.producer = 1
    ours = graph_pb2.GraphDef.FromString(tb_graph.SerializeToString())
    tensor = ours.node[0].attr["value"].tensor
    assert tensor.dtype == types_pb2.DT_HALF and list(tensor.half_val) == [
        15360]
    assert tensor.tensor_shape.unknown_rank
    assert ours.versions.producer == 1

    tb_opts = tb_proto["config"].RunOptions(trace_level=2, timeout_in_ms=9)
    opts = config_pb2.RunOptions.FromString(tb_opts.SerializeToString())
    assert opts.trace_level == config_pb2.RunOptions.HARDWARE_TRACE
    assert opts.timeout_in_ms == 9


def test_tensorflow_parses_our_graph_def():
    tf_graph_pb2 = pytest.importorskip("tensorflow.core.framework.graph_pb2")
    g = _sample_graph_def()
    tf = tf_graph_pb2.GraphDef.FromString(g.SerializeToString())
    assert [n.name for n in tf.node] == ["x", "w", "y"]
    assert tf.SerializeToString(deterministic=True) == g.SerializeToString(
        deterministic=True)


def test_modules_coexist_with_other_pools():
    # Our descriptors live in package "minitf" under "minitf/proto/...", so
    # they never clash with TensorFlow's or TensorBoard's in the default pool.
    for mod in (attr_value_pb2, config_pb2, cost_graph_pb2, function_pb2,
                graph_pb2, node_def_pb2, step_stats_pb2, tensor_pb2,
                versions_pb2):
        assert mod.DESCRIPTOR.package == "minitf"
        assert mod.DESCRIPTOR.name.startswith("minitf/proto/")
