"""TF1's `tf.DType`: the element types of tensors, their reference variants and NumPy mapping."""
import builtins

import numpy as np

# DataType enum values of TensorFlow's types.proto; a reference type adds _REF_OFFSET.
_REF_OFFSET = 100


class DType:
    """An element type (TF1 `tf.DType`). Instances are interned: compare with `==` or `is`."""

    __slots__ = ("_enum", "_name", "_numpy")

    def __init__(self, enum, name, numpy_type):
        self._enum = enum
        self._name = name
        self._numpy = numpy_type

    @property
    def name(self):
        return self._name

    @property
    def as_datatype_enum(self):
        return self._enum

    @property
    def is_ref_dtype(self):
        return self._enum > _REF_OFFSET

    @property
    def base_dtype(self):
        return _BY_ENUM[self._enum - _REF_OFFSET] if self.is_ref_dtype else self

    @property
    def _as_ref(self):
        return self if self.is_ref_dtype else _BY_ENUM[self._enum + _REF_OFFSET]

    @property
    def as_numpy_dtype(self):
        return self.base_dtype._numpy

    @property
    def is_floating(self):
        return self.base_dtype in _FLOATING

    @property
    def is_integer(self):
        return self.base_dtype in _INTEGER

    @property
    def is_unsigned(self):
        return self.base_dtype in (uint8, uint16, uint32, uint64)

    @property
    def is_bool(self):
        return self.base_dtype is bool

    @property
    def is_complex(self):
        return self.base_dtype in (complex64, complex128)

    @property
    def is_numpy_compatible(self):
        return self.base_dtype is not bfloat16 or _BFLOAT16_NUMPY is not None

    @property
    def min(self):
        return self._limits().min

    @property
    def max(self):
        return self._limits().max

    @property
    def size(self):
        return np.dtype(self.as_numpy_dtype).itemsize

    def _limits(self):
        base = self.base_dtype
        if base.is_floating:
            return np.finfo(base.as_numpy_dtype)
        if base.is_integer:
            return np.iinfo(base.as_numpy_dtype)
        raise TypeError(f"Cannot find minimum value of {base}.")

    def is_compatible_with(self, other):
        """TF1's rule: a base type accepts its reference type (float32 accepts float32_ref)."""
        other = as_dtype(other)
        return self._enum in (other._enum, other.base_dtype._enum)

    def __eq__(self, other):
        if isinstance(other, DType):
            return self is other
        try:
            return self is as_dtype(other)
        except TypeError:
            return False

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return self._enum

    def __reduce__(self):
        return as_dtype, (self._name,)

    def __repr__(self):
        return f"tf.{self._name}"

    def __str__(self):
        return f"<dtype: '{self._name}'>"


try:  # ml_dtypes gives NumPy a bfloat16 when it is installed; minitf does not require it.
    import ml_dtypes
    _BFLOAT16_NUMPY = ml_dtypes.bfloat16
except ImportError:
    _BFLOAT16_NUMPY = None

_SPECS = [
    # enum, name, numpy type
    (1, "float32", np.float32),
    (2, "float64", np.float64),
    (3, "int32", np.int32),
    (4, "uint8", np.uint8),
    (5, "int16", np.int16),
    (6, "int8", np.int8),
    (7, "string", np.object_),
    (8, "complex64", np.complex64),
    (9, "int64", np.int64),
    (10, "bool", np.bool_),
    (14, "bfloat16", _BFLOAT16_NUMPY),
    (17, "uint16", np.uint16),
    (18, "complex128", np.complex128),
    (19, "float16", np.float16),
    (20, "resource", np.object_),
    (21, "variant", np.object_),
    (22, "uint32", np.uint32),
    (23, "uint64", np.uint64),
]

_BY_ENUM = {}
_BY_NAME = {}
for _enum, _name, _np in _SPECS:
    _BY_ENUM[_enum] = _BY_NAME[_name] = DType(_enum, _name, _np)
    _BY_ENUM[_enum + _REF_OFFSET] = _BY_NAME[_name + "_ref"] = DType(_enum + _REF_OFFSET, _name + "_ref", _np)

float32 = _BY_NAME["float32"]
float64 = _BY_NAME["float64"]
float16 = _BY_NAME["float16"]
bfloat16 = _BY_NAME["bfloat16"]
int8 = _BY_NAME["int8"]
int16 = _BY_NAME["int16"]
int32 = _BY_NAME["int32"]
int64 = _BY_NAME["int64"]
uint8 = _BY_NAME["uint8"]
uint16 = _BY_NAME["uint16"]
uint32 = _BY_NAME["uint32"]
uint64 = _BY_NAME["uint64"]
bool = _BY_NAME["bool"]  # noqa: A001 - TF1 exports tf.bool
string = _BY_NAME["string"]
complex64 = _BY_NAME["complex64"]
complex128 = _BY_NAME["complex128"]
resource = _BY_NAME["resource"]
variant = _BY_NAME["variant"]
half = float16
double = float64

_FLOATING = frozenset([float16, bfloat16, float32, float64])
_INTEGER = frozenset([int8, int16, int32, int64, uint8, uint16, uint32, uint64])

# Type sets that op signatures accept (TF's "realnumbertypes", "numbertypes", ...).
FLOATS = frozenset([float16, bfloat16, float32, float64])
INTEGERS = frozenset(_INTEGER)
REAL = FLOATS | INTEGERS
NUMBERS = REAL | frozenset([complex64, complex128])
ALL = frozenset(_BY_NAME[name] for _, name, _ in _SPECS if name not in ("resource", "variant"))
INDEX = frozenset([int32, int64])

_ALIASES = {
    "float": float32, "double": float64, "half": float16, "int": int32, "long": int64,
}

_FROM_NUMPY = {np.dtype(spec[2]): _BY_NAME[spec[1]] for spec in _SPECS
               if spec[2] is not None and spec[2] is not np.object_}


def as_dtype(type_value):
    """Converts a DType, name, enum value, NumPy dtype or Python type to a DType (TF1 `tf.as_dtype`)."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        found = _BY_NAME.get(type_value) or _ALIASES.get(type_value)
        if found is not None:
            return found
    elif isinstance(type_value, int) and not isinstance(type_value, builtins.bool):
        if type_value in _BY_ENUM:
            return _BY_ENUM[type_value]
    elif type_value in (bytes, str, np.bytes_, np.str_, np.object_):
        return string
    else:
        try:
            numpy_dtype = np.dtype(type_value)
        except TypeError:
            numpy_dtype = None
        if numpy_dtype is not None:
            if numpy_dtype.kind in "OSU":
                return string
            found = _FROM_NUMPY.get(numpy_dtype)
            if found is not None:
                return found
    raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.")
