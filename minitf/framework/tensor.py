"""TF1's `tf.Tensor`: a symbolic handle to one output of an Operation."""
from minitf.framework import tensor_shape


class Tensor:
    """Output `value_index` of `op`. Arithmetic operators build ops (installed by minitf.ops.math_ops)."""

    # Makes NumPy defer to our reflected operators for `ndarray + tensor`.
    __array_priority__ = 100

    __slots__ = ("_op", "_value_index", "_dtype", "_shape", "_name", "_consumers", "__weakref__")

    def __init__(self, op, value_index, dtype, shape):
        self._op = op
        self._value_index = value_index
        self._dtype = dtype
        self._shape = shape
        self._name = f"{op.name}:{value_index}"
        self._consumers = []

    @property
    def op(self):
        return self._op

    @property
    def value_index(self):
        return self._value_index

    @property
    def dtype(self):
        return self._dtype

    @property
    def graph(self):
        return self._op.graph

    @property
    def name(self):
        return self._name

    @property
    def device(self):
        return self._op.device

    @property
    def shape(self):
        return self._shape

    def get_shape(self):
        return self._shape

    def set_shape(self, shape):
        """Refines the static shape; raises ValueError when `shape` is incompatible."""
        self._shape = self._shape.merge_with(tensor_shape.as_shape(shape))
        self._op.graph._bump_version()

    def consumers(self):
        return list(self._consumers)

    def eval(self, feed_dict=None, session=None):
        """Runs the default (or given) session to compute this tensor (TF1 `Tensor.eval`)."""
        from minitf.runtime.session import session_for_eval
        return session_for_eval(session, self.graph, "Tensor.eval").run(self, feed_dict)

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __bool__(self):
        raise TypeError("Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not None:` "
                        "instead of `if t:` to test if a tensor is defined, and use TensorFlow ops "
                        "such as tf.cond to execute subgraphs conditioned on the value of a tensor.")

    def __iter__(self):
        raise TypeError("Tensor objects are only iterable when eager execution is enabled. "
                        "To iterate over this tensor use tf.map_fn.")

    def __len__(self):
        raise TypeError(f"len is not well defined for symbolic Tensors. ({self.name}) Please call "
                        "`x.shape` rather than `len(x)` for shape information.")

    def __repr__(self):
        return f"<tf.Tensor '{self._name}' shape={self._shape} dtype={self._dtype.name}>"

    def __str__(self):
        return f'Tensor("{self._name}", shape={self._shape}, dtype={self._dtype.name})'

    @classmethod
    def _override_operator(cls, operator, func):
        """Installs `func` as operator `operator` (e.g. "__add__"); the ops layer calls this."""
        setattr(cls, operator, func)
