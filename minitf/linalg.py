"""TF1 `tf.linalg`: the linear-algebra functions under their tf.linalg names (`tf.linalg.det` is
`tf.matrix_determinant`, `tf.linalg.diag` is `tf.matrix_diag`, ...)."""
from minitf.ops.linalg_ops import (einsum, matrix_transpose, tensordot, trace, diag as tensor_diag,  # noqa: F401
                                   diag_part as tensor_diag_part, matrix_determinant as det,
                                   matrix_diag as diag, matrix_diag_part as diag_part,
                                   matrix_set_diag as set_diag, matrix_solve as solve)
from minitf.ops.math_ops import matmul, matrix_inverse as inv  # noqa: F401

transpose = matrix_transpose  # TF1 exports both names

__all__ = ["matrix_transpose", "transpose", "trace", "diag", "diag_part", "set_diag", "tensor_diag",
           "tensor_diag_part", "det", "solve", "inv", "einsum", "tensordot", "matmul"]
