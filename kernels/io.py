"""Kernels of the checkpoint ops SaveV2 and RestoreV2 (minitf/ops/io_ops.py), on the host.

They read and write TF's V2 tensor bundles through minitf.train.tensor_bundle, so checkpoints
move freely between minitf and TensorFlow. Whole tensors only: a non-empty shape-and-slice spec
(a partitioned variable) is UnimplementedError.
"""
import numpy

from minitf.framework import errors
from minitf.ops import io_ops  # noqa: F401 - declares the ops these kernels run
from minitf.proto import types_pb2
from minitf.runtime.kernel_registry import register_kernel, scalar_or_array


def _text(value):
    """A scalar string value (bytes, NumPy bytes, a 0-d object array) as str."""
    if isinstance(value, numpy.ndarray):
        value = value.item()
    return value.decode() if isinstance(value, bytes) else str(value)


def _texts(vector):
    return [_text(v) for v in numpy.asarray(vector, dtype=object).reshape(-1)]


def _host(value):
    """A NumPy array of a tensor value (a CuPy array is copied to the host)."""
    return numpy.asarray(value.get() if hasattr(value, "get") and not isinstance(value, numpy.ndarray)
                         else value)


def _type_name(dtype):
    """TensorFlow's DataTypeString ("float", "double", "int32") used in its error messages."""
    return types_pb2.DataType.Name(dtype.as_datatype_enum)[len("DT_"):].lower()


def _whole_tensors_only(ctx, slices):
    if any(_texts(slices)):
        raise ctx.error("minitf checkpoints hold whole tensors: shape_and_slices must be empty "
                        "strings (partitioned variables are not supported)", errors.UnimplementedError)


@register_kernel("SaveV2", devices=("CPU",), type_attr="dtypes")
def save_v2(ctx):
    from minitf.train import tensor_bundle

    def compute(prefix, tensor_names, shape_and_slices, *tensors):
        _whole_tensors_only(ctx, shape_and_slices)
        names = _texts(tensor_names)
        if len(set(names)) != len(names):
            raise ctx.error(f"SaveV2 got duplicate tensor names: {names}")
        tensor_bundle.write_bundle(_text(prefix), {n: _host(t) for n, t in zip(names, tensors)})
    return compute


@register_kernel("RestoreV2", devices=("CPU",), type_attr="dtypes")
def restore_v2(ctx):
    from minitf.train import tensor_bundle
    expected = ctx.attr("dtypes")

    def compute(prefix, tensor_names, shape_and_slices):
        _whole_tensors_only(ctx, shape_and_slices)
        prefix = _text(prefix)
        if not tensor_bundle.checkpoint_exists(prefix):
            raise ctx.error(f"Unsuccessful TensorSliceReader constructor: Failed to find any "
                            f"matching files for {prefix}", errors.NotFoundError)
        reader = tensor_bundle.BundleReader(prefix)
        values = []
        for name, dtype in zip(_texts(tensor_names), expected):
            if not reader.has(name):
                raise ctx.error(f"Key {name} not found in checkpoint", errors.NotFoundError)
            stored = reader.entry(name)[0]
            if stored != dtype:
                raise ctx.error(f"tensor_name = {name}; expected dtype {_type_name(dtype)} does "
                                f"not equal original dtype {_type_name(stored)}")
            value = reader.read(name)
            # 0-d values travel through the runtime as NumPy scalars.
            values.append(scalar_or_array(value))
        return values[0] if len(values) == 1 else tuple(values)
    return compute
