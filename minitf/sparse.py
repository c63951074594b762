"""TF1's `tf.sparse` namespace, as far as minitf has sparse tensors."""
from minitf.ops.parsing_ops import SparseTensor, SparseTensorValue  # noqa: F401
from minitf.ops.sparse_ops import sparse_tensor_to_dense as to_dense  # noqa: F401
