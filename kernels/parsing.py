"""Kernels of the parsing ops (minitf/ops/parsing_ops.py), on the host: strings in, typed arrays out.

Error messages are TensorFlow's, so programs (and people) matching on them see the same text.
"""
import re

import numpy
from google.protobuf.message import DecodeError

from minitf.framework import dtypes
from minitf.ops import parsing_ops  # noqa: F401 - declares the ops these kernels run
from minitf.proto import example_pb2, types_pb2
from minitf.runtime.kernel_registry import register_kernel, scalar_or_array, string_value


def _type_name(dtype):
    """TensorFlow's DataTypeString ("float", "double", "int32") used in its messages."""
    return types_pb2.DataType.Name(dtype.as_datatype_enum)[len("DT_"):].lower()


def _strings(values, shape):
    array = numpy.empty(len(values), dtype=object)
    array[:] = values
    return array.reshape(shape)


_as_bytes = string_value


def _output(array):
    return scalar_or_array(array)


def _results(outputs):
    """A kernel's return value: an op with one output returns it alone, else a tuple."""
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


# ======================================================================================
# DecodeCSV
# ======================================================================================
class _CsvSyntax:
    """Splits one record into fields with TF's quoting rules; raises ValueError(TF's message)."""

    def __init__(self, delim, use_quotes):
        self._delim = delim
        self._quote = b'"' if use_quotes else None

    def fields(self, record, limit=None):
        """The record's first `limit` fields (all when None). As in TF, an empty record has none,
        a trailing delimiter adds an empty field, line breaks between fields are skipped, and
        nothing after the fields asked for is looked at."""
        if not record:
            return []
        if (self._quote is None or self._quote not in record) and b"\n" not in record and b"\r" not in record:
            return record.split(self._delim)[:limit]  # the common case needs no scanning
        fields, i, n = [], 0, len(record)
        while i < n and len(fields) != limit:
            if record[i:i + 1] in (b"\n", b"\r"):
                i += 1
                continue
            if record[i:i + 1] == self._quote:
                field, i = self._quoted(record, i + 1)
            else:
                end = record.find(self._delim, i)
                end = n if end < 0 else end
                field = record[i:end]
                if (self._quote is not None and self._quote in field) or b"\n" in field or b"\r" in field:
                    raise ValueError("Unquoted fields cannot have quotes/CRLFs inside")
                i = end + 1
            fields.append(field)
        if record.endswith(self._delim) and len(fields) != limit:
            fields.append(b"")
        return fields

    def _quoted(self, record, i):
        """The quoted field starting after its opening quote at `i`, and the index after it."""
        parts, n = [], len(record)
        while True:
            end = record.find(b'"', i)
            if end < 0:
                raise ValueError("Quoted field has to end with quote followed by delim or end")
            parts.append(record[i:end])
            after = record[end + 1:end + 2]
            if after == b"" or after == self._delim:
                return b"".join(parts), end + 2
            if after != b'"' or end + 2 >= n:
                if after == b'"':  # '""' closing the record: an escaped quote with no end quote
                    raise ValueError("Quoted field has to end with quote followed by delim or end")
                raise ValueError("Quote inside a string has to be escaped by another quote")
            parts.append(b'"')
            i = end + 2


_INTEGER = re.compile(rb"^\s*[+-]?\d+\s*$")
_FLOAT = re.compile(rb"^\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|nan)\s*$",
                    re.IGNORECASE)
_HEX_FLOAT = re.compile(rb"^\s*[+-]?0x[0-9a-f]*\.?[0-9a-f]*(p[+-]?\d+)?\s*$", re.IGNORECASE)


def _parse_integer(field, dtype):
    if not _INTEGER.match(field):
        return None
    value = int(field)
    return value if dtype.min <= value <= dtype.max else None


def _parse_float(field, dtype):
    if _FLOAT.match(field):
        return float(field)
    if _HEX_FLOAT.match(field):
        try:
            return float.fromhex(field.strip().decode())
        except ValueError:
            return None
    return None


def _column_parser(dtype):
    """field -> value of the column's type, or None when the field is malformed."""
    if dtype == dtypes.string:
        return lambda field: field
    if dtype.is_integer:
        return lambda field: _parse_integer(field, dtype)
    return lambda field: _parse_float(field, dtype)


@register_kernel("DecodeCSV", devices=("CPU",), type_attr=None)
def decode_csv(ctx):
    types = ctx.attr("OUT_TYPE")
    delim = _as_bytes(ctx.attr("field_delim"))
    na_value = _as_bytes(ctx.attr("na_value"))
    select = list(ctx.attr("select_cols"))
    limit = select[-1] + 1 if select else None
    syntax = _CsvSyntax(delim, ctx.attr("use_quote_delim"))
    parsers = [_column_parser(t) for t in types]

    def compute(records, *defaults):
        if len(delim) != 1:
            raise ctx.error("field_delim should be only 1 char")
        fills = [_default(d, column) for column, d in enumerate(defaults)]
        array = numpy.asarray(records, dtype=object)
        columns = [[] for _ in types]
        for index, record in enumerate(array.reshape(-1)):
            try:
                fields = syntax.fields(_as_bytes(record), limit)
            except ValueError as e:
                raise ctx.error(str(e)) from None
            if select:
                fields = [fields[c] for c in select if c < len(fields)]
            if len(fields) != len(types):
                raise ctx.error(f"Expect {len(types)} fields but have {len(fields)} in record {index}")
            for column, field in enumerate(fields):
                columns[column].append(_value(field, column, index, types, parsers, fills, na_value, ctx))
        return _results([_output(_strings(c, array.shape) if t == dtypes.string else
                                 numpy.array(c, dtype=t.as_numpy_dtype).reshape(array.shape))
                         for c, t in zip(columns, types)])
    return compute


def _default(value, column):
    """A column's default as a 1-element list, or [] when the column is required."""
    flat = numpy.asarray(value, dtype=object).reshape(-1)
    return [flat[0]] if flat.size else []


def _value(field, column, index, types, parsers, fills, na_value, ctx):
    if not field or field == na_value:
        if not fills[column]:
            raise ctx.error(f"Field {column} is required but missing in record {index}!")
        return fills[column][0]
    value = parsers[column](field)
    if value is None:
        raise ctx.error(f"Field {column} in record {index} is not a valid "
                        f"{_type_name(types[column])}: {field.decode(errors='replace')}")
    return value


# ======================================================================================
# DecodeRaw
# ======================================================================================
@register_kernel("DecodeRaw", devices=("CPU",), type_attr="out_type")
def decode_raw(ctx):
    dtype = ctx.attr("out_type")
    native = numpy.dtype(dtype.as_numpy_dtype)
    # Complex values swap the bytes of their two parts separately, as NumPy's ">c8" does.
    wire = native.newbyteorder("<" if ctx.attr("little_endian") else ">")

    def compute(data):
        array = numpy.asarray(data, dtype=object)
        flat = [_as_bytes(s) for s in array.reshape(-1)]
        size = len(flat[0]) if flat else 0
        for i, item in enumerate(flat):
            if len(item) != size:
                raise ctx.error(f"DecodeRaw requires input strings to all be the same size, but "
                                f"element {i} has size {size} != {len(item)}")
        if size % native.itemsize:
            raise ctx.error(f"Input to DecodeRaw has length {size} that is not a multiple of "
                            f"{native.itemsize}, the size of {_type_name(dtype)}")
        joined = b"".join(flat)
        if dtype == dtypes.bool:
            values = numpy.frombuffer(joined, numpy.uint8) != 0
        else:
            values = numpy.frombuffer(joined, wire).astype(native)
        return values.reshape(array.shape + (size // native.itemsize,))
    return compute


# ======================================================================================
# ParseExample, ParseSingleExample
# ======================================================================================
_KINDS = {dtypes.int64: "int64_list", dtypes.float32: "float_list", dtypes.string: "bytes_list"}
_KIND_TYPES = {kind: dtype for dtype, kind in _KINDS.items()}


class _ExampleParser:
    """Parses serialized Examples into the op's outputs; `single` selects ParseSingleExample's
    output layout (no batch dimension) and message style."""

    def __init__(self, ctx, sparse_keys, dense_keys, single):
        self._ctx = ctx
        self._sparse = list(zip(sparse_keys, ctx.attr("sparse_types")))
        self._dense = list(zip(dense_keys, ctx.attr("Tdense"), ctx.attr("dense_shapes")))
        self._single = single

    def parse(self, serialized, names, defaults):
        fills = [self._check_default(i, d, shape) for i, (d, (_, _, shape)) in
                 enumerate(zip(defaults, self._dense))]
        examples = [self._decode(s) for s in serialized]
        sparse = [self._sparse_output(key, dtype, examples, names) for key, dtype in self._sparse]
        dense = [self._dense_output(key, dtype, shape, fill, examples, names)
                 for (key, dtype, shape), fill in zip(self._dense, fills)]
        return [s[0] for s in sparse] + [s[1] for s in sparse] + [s[2] for s in sparse] + dense

    def _check_default(self, index, default, shape):
        default = numpy.asarray(default)
        dims = tuple(shape.as_list())
        if default.size == 0:
            return None
        if default.shape != dims:
            raise self._ctx.error(f"def_value[{index}].shape() == {_dims_text(default.shape)} is not "
                                  f"compatible with dense_shapes_[{index}] == {_dims_text(dims)}")
        return default

    def _decode(self, serialized):
        serialized = _as_bytes(serialized)
        try:
            return example_pb2.Example.FromString(serialized).features.feature
        except DecodeError:
            text = serialized.decode(errors="backslashreplace")
            raise self._ctx.error(f"Could not parse example input, value: '{text}'") from None

    def _where(self, key, index, names):
        """The message prefix locating a feature of one example."""
        if self._single:
            return f"Key: {key}.  "
        return f"Name: {_name(names, index)}, Key: {key}, Index: {index}.  "

    def _values(self, feature):
        kind = feature.WhichOneof("kind")
        return kind, (list(getattr(feature, kind).value) if kind else [])

    def _sparse_output(self, key, dtype, examples, names):
        indices, values, longest = [], [], 0
        for index, features in enumerate(examples):
            kind, found = self._values(features[key]) if key in features else (None, [])
            if kind is not None and kind != _KINDS[dtype]:
                raise self._ctx.error(f"{self._where(key, index, names)}Data types don't match. Expected "
                                      f"type: {_type_name(dtype)}, Actual type: "
                                      f"{_type_name(_KIND_TYPES[kind])}")
            indices += [[index, j] for j in range(len(found))]
            values += found
            longest = max(longest, len(found))
        indices = numpy.array(indices, dtype=numpy.int64).reshape(-1, 2)
        shape = numpy.array([len(examples), longest], dtype=numpy.int64)
        if self._single:
            indices, shape = indices[:, 1:], shape[1:]
        return indices, _array(values, dtype, (len(values),)), shape

    def _dense_output(self, key, dtype, shape, fill, examples, names):
        dims = tuple(shape.as_list())
        count = shape.num_elements()
        rows = []
        for index, features in enumerate(examples):
            kind, found = self._values(features[key]) if key in features else (None, [])
            if kind is None:
                if fill is None:
                    prefix = "" if self._single else f"Name: {_name(names, index)}, "
                    raise self._ctx.error(f"{prefix}Feature: {key} (data type: {_type_name(dtype)}) is "
                                          "required but could not be found.")
                rows.append(numpy.asarray(fill, dtype=object).reshape(-1).tolist())
                continue
            where = self._where(key, index, names)
            if kind != _KINDS[dtype]:
                raise self._ctx.error(f"{where}Data types don't match. Data type: "
                                      f"{_type_name(_KIND_TYPES[kind])} but expected type: "
                                      f"{_type_name(dtype)}")
            if len(found) != count:
                if self._single:
                    raise self._ctx.error(f"{where}Can't parse serialized Example: Some {kind} slice was "
                                          "not parsed.")
                raise self._ctx.error(f"{where}Number of {kind[:-len('_list')]} values != expected.  "
                                      f"Values size: {len(found)} but output shape: {_dims_text(dims)}")
            rows.append(found)
        batch = () if self._single else (len(examples),)
        flat = [v for row in rows for v in row]
        return _output(_array(flat, dtype, batch + dims))


def _array(values, dtype, shape):
    if dtype == dtypes.string:
        return _strings([_as_bytes(v) for v in values], shape)
    return numpy.array(values, dtype=dtype.as_numpy_dtype).reshape(shape)


def _dims_text(dims):
    return "[" + ",".join(str(d) for d in dims) + "]"


def _name(names, index):
    return names[index].decode(errors="replace") if names is not None else "<unknown>"


@register_kernel("ParseExample", devices=("CPU",), type_attr=None)
def parse_example(ctx):
    num_sparse = ctx.attr("Nsparse")

    def compute(serialized, names, *rest):
        keys = [_as_bytes(k).decode() for k in rest[:num_sparse + ctx.attr("Ndense")]]
        defaults = rest[len(keys):]
        serialized = numpy.asarray(serialized, dtype=object)
        names = numpy.asarray(names, dtype=object)
        if serialized.ndim != 1:
            raise ctx.error(f"Expected serialized to be a vector, got shape: {_dims_text(serialized.shape)}")
        if names.size and names.shape != serialized.shape:
            raise ctx.error(f"Expected names have the same shape as serialized: name.shape="
                            f"{_dims_text(names.shape)}, serialized.shape={_dims_text(serialized.shape)}")
        parser = _ExampleParser(ctx, keys[:num_sparse], keys[num_sparse:], single=False)
        return _results(parser.parse(list(serialized),
                                     [_as_bytes(n) for n in names] if names.size else None, defaults))
    return compute


@register_kernel("ParseSingleExample", devices=("CPU",), type_attr=None)
def parse_single_example(ctx):
    parser = _ExampleParser(ctx, ctx.attr("sparse_keys"), ctx.attr("dense_keys"), single=True)

    def compute(serialized, *defaults):
        if numpy.ndim(serialized) != 0:
            raise ctx.error(f"Expected serialized to be a scalar, got shape: "
                            f"{_dims_text(numpy.shape(serialized))}")
        serialized = serialized.item() if isinstance(serialized, numpy.ndarray) else serialized
        return _results(parser.parse([serialized], None, defaults))
    return compute
