"""Harness cases: the linear-algebra family (einsum, tensordot, transposes, traces, the diagonal
ops, determinants and solves), each against a NumPy reference. The einsum table covers each case
of the gradient: plain contractions, labels summed in one operand only, repeated labels (diagonals)
in an operand or in the output, and broadcasting ellipses."""
import numpy as np

import minitf as tf
from harness import FLOATS, INTS, OpCase, inputs_of, uniform

NUMERIC = FLOATS + INTS
LAPACK = (tf.float16, tf.float32, tf.float64)


def _in_float64(function):
    """A reference computed in float64 from inputs of any dtype."""
    return lambda *arrays: function(*(a.astype(np.float64) for a in arrays))


def _well_conditioned(shape):
    """Diagonally dominant matrices: invertible, and accurate even in float16."""
    def make(dtype, rng):
        return (4 * np.eye(shape[-1]) + rng.uniform(-0.5, 0.5, size=shape)).astype(dtype.as_numpy_dtype)
    return make


# ======================================================================================
# Einsum
# ======================================================================================
def _einsum_case(equation, *shapes, dtypes=NUMERIC, numpy_equation=None, name=None):
    """tf.einsum against np.einsum; `numpy_equation` where NumPy lacks the form (repeated
    output labels: see _inflated)."""
    reference = numpy_equation or (lambda *arrays: np.einsum(equation, *arrays))
    return OpCase("Einsum", lambda *xs: tf.einsum(equation, *xs), inputs_of(*map(uniform, shapes)),
                  _in_float64(reference), dtypes=dtypes, rtol=1e-5, atol=1e-5,
                  name=name or f"Einsum-{equation}")


def _inflated(x):
    """'ij->iij': row i of x on the diagonal of the (i, i) plane."""
    result = np.zeros((x.shape[0],) + x.shape)
    result[np.arange(x.shape[0]), np.arange(x.shape[0])] = x
    return result


_EINSUM_CASES = [
    _einsum_case("ij,jk->ik", (2, 3), (3, 4)),
    _einsum_case("ijk,kjl->il", (2, 3, 4), (4, 3, 2)),
    _einsum_case("ij->ji", (2, 3)),
    _einsum_case("ij->i", (2, 3)),                       # a label summed in the only operand
    _einsum_case("ij,kl->ik", (2, 3), (4, 2)),           # one label summed in each operand
    _einsum_case("ijk,j->k", (2, 3, 4), (3,)),
    _einsum_case("ii->i", (3, 3)),                       # a diagonal
    _einsum_case("ii->", (3, 3)),                        # a trace: repeated and summed
    _einsum_case("iij,jk->ik", (3, 3, 2), (2, 4)),       # a diagonal in a binary einsum
    _einsum_case("iij,k->ik", (3, 3, 2), (4,)),          # ... with its other label summed away
    _einsum_case("ij->iij", (3, 2), numpy_equation=_inflated),  # a repeated output label
    _einsum_case("i,j->ij", (2,), (3,)),
    _einsum_case("i,i->", (4,), (4,)),
    _einsum_case("ij,ij->ij", (2, 3), (2, 3)),
    _einsum_case("bij,bjk->bik", (2, 2, 3), (2, 3, 4)),
    _einsum_case("...ij,...jk->...ik", (2, 1, 3, 4), (3, 4, 2)),  # batch dims broadcast both ways
    _einsum_case("...i,...i->...", (3, 1, 4), (2, 4)),
    _einsum_case("...j,jk->...k", (2, 3, 4), (4, 5)),    # one operand without an ellipsis
    _einsum_case("i...j,j->i...", (2, 3, 4), (4,)),      # an ellipsis between labels
    _einsum_case("...ii->...i", (2, 3, 3)),
    _einsum_case("i...,...->i...", (2, 3), ()),           # a scalar operand
    OpCase("Einsum", lambda x, y: tf.einsum("ij,jk", x, y), inputs_of(uniform((2, 3)), uniform((3, 4))),
           _in_float64(np.matmul), dtypes=NUMERIC, name="Einsum-implicit"),
    OpCase("Einsum", lambda x, y, z: tf.einsum("ij,jk,kl->il", x, y, z),
           inputs_of(uniform((2, 3)), uniform((3, 4)), uniform((4, 2))),
           _in_float64(lambda x, y, z: x @ y @ z), dtypes=(tf.float32, tf.float64), rtol=1e-5, atol=1e-5,
           name="Einsum-three-operands"),
]


# ======================================================================================
# tensordot (TF1's MatMul subgraph), matrix_transpose, trace
# ======================================================================================
def _tensordot_case(a_shape, b_shape, axes, name):
    return OpCase("MatMul", lambda a, b: tf.tensordot(a, b, axes), inputs_of(uniform(a_shape), uniform(b_shape)),
                  _in_float64(lambda a, b: np.tensordot(a, b, axes)), dtypes=FLOATS + INTS, rtol=1e-5,
                  atol=1e-5, name=f"tensordot-{name}")


_COMPOSITE_CASES = [
    _tensordot_case((2, 3, 4), (3, 4, 5), 2, "int"),
    _tensordot_case((2, 3, 4), (4, 3, 5), [[1, 2], [1, 0]], "lists"),
    _tensordot_case((2, 3), (4, 5), 0, "outer"),
    _tensordot_case((2, 3, 4), (4, 2), (-1, 0), "negative-pair"),
    OpCase("Transpose", tf.matrix_transpose, inputs_of(uniform((2, 3, 4))),
           lambda x: np.swapaxes(x, -1, -2), dtypes=NUMERIC, name="matrix_transpose"),
    OpCase("Transpose", tf.linalg.matrix_transpose, inputs_of(uniform((3, 2))), np.transpose,
           dtypes=(tf.float64,), name="linalg.matrix_transpose"),
    OpCase("Sum", tf.trace, inputs_of(uniform((2, 3, 4))),
           _in_float64(lambda x: np.trace(x, axis1=-2, axis2=-1)), dtypes=NUMERIC, name="trace"),
]


# ======================================================================================
# Diagonals
# ======================================================================================
def _diag(x):
    return np.diag(x.reshape(-1)).reshape(x.shape * 2)


def _diag_part(x):
    half = x.ndim // 2
    size = int(np.prod(x.shape[:half]))
    return np.diagonal(x.reshape(size, size)).reshape(x.shape[:half])


def _matrix_diag(x):
    result = np.zeros(x.shape + x.shape[-1:], x.dtype)
    result[..., np.arange(x.shape[-1]), np.arange(x.shape[-1])] = x
    return result


def _matrix_set_diag(x, diagonal):
    result, side = x.copy(), diagonal.shape[-1]
    result[..., np.arange(side), np.arange(side)] = diagonal
    return result


_DIAGONAL_CASES = [
    OpCase("Diag", tf.diag, inputs_of(uniform((3,))), _diag, dtypes=NUMERIC),
    OpCase("Diag", tf.diag, inputs_of(uniform((2, 3))), _diag, dtypes=NUMERIC, name="Diag-rank2"),
    OpCase("DiagPart", tf.diag_part, inputs_of(uniform((3, 3))), _diag_part, dtypes=NUMERIC),
    OpCase("DiagPart", tf.diag_part, inputs_of(uniform((2, 3, 2, 3))), _diag_part, dtypes=NUMERIC,
           name="DiagPart-rank4"),
    OpCase("MatrixDiag", tf.matrix_diag, inputs_of(uniform((4,))), _matrix_diag, dtypes=NUMERIC),
    OpCase("MatrixDiag", tf.linalg.diag, inputs_of(uniform((2, 3))), _matrix_diag, dtypes=NUMERIC,
           name="MatrixDiag-batch"),
    OpCase("MatrixDiag", tf.matrix_diag, lambda dtype, rng: [rng.random((2, 3)) > 0.5],
           _matrix_diag, dtypes=(tf.bool,), name="MatrixDiag-bool"),
    OpCase("MatrixDiagPart", tf.matrix_diag_part, inputs_of(uniform((3, 3))),
           lambda x: np.diagonal(x, axis1=-2, axis2=-1), dtypes=NUMERIC),
    OpCase("MatrixDiagPart", tf.linalg.diag_part, inputs_of(uniform((2, 3, 4))),
           lambda x: np.diagonal(x, axis1=-2, axis2=-1), dtypes=NUMERIC, name="MatrixDiagPart-wide"),
    OpCase("MatrixDiagPart", tf.matrix_diag_part, inputs_of(uniform((4, 2))),
           lambda x: np.diagonal(x, axis1=-2, axis2=-1), dtypes=(tf.float64,), name="MatrixDiagPart-tall"),
    OpCase("MatrixSetDiag", tf.matrix_set_diag, inputs_of(uniform((3, 3)), uniform((3,))), _matrix_set_diag,
           dtypes=NUMERIC),
    OpCase("MatrixSetDiag", tf.linalg.set_diag, inputs_of(uniform((2, 3, 4)), uniform((2, 3))),
           _matrix_set_diag, dtypes=NUMERIC, name="MatrixSetDiag-wide"),
    OpCase("MatrixSetDiag", tf.matrix_set_diag, inputs_of(uniform((4, 2)), uniform((2,))), _matrix_set_diag,
           dtypes=(tf.float64,), name="MatrixSetDiag-tall"),
]


# ======================================================================================
# Determinants and solves
# ======================================================================================
_SOLVER_CASES = [
    OpCase("MatrixDeterminant", tf.matrix_determinant, inputs_of(_well_conditioned((3, 3))),
           _in_float64(np.linalg.det), dtypes=LAPACK, rtol=1e-5, grad_rtol=1e-4),
    OpCase("MatrixDeterminant", tf.linalg.det, inputs_of(uniform((2, 4, 4))),
           _in_float64(np.linalg.det), dtypes=(tf.float32, tf.float64), rtol=1e-4, atol=1e-4,
           grad_rtol=1e-4, grad_atol=1e-6, name="MatrixDeterminant-batch"),
    OpCase("MatrixSolve", tf.matrix_solve, inputs_of(_well_conditioned((3, 3)), uniform((3, 2))),
           _in_float64(np.linalg.solve), dtypes=LAPACK, rtol=1e-4, atol=1e-5, grad_rtol=1e-4),
    OpCase("MatrixSolve", lambda a, b: tf.linalg.solve(a, b, adjoint=True),
           inputs_of(_well_conditioned((2, 3, 3)), uniform((2, 3, 1))),
           _in_float64(lambda a, b: np.linalg.solve(np.swapaxes(a, -1, -2), b)), dtypes=LAPACK, rtol=1e-4,
           atol=1e-5, grad_rtol=1e-4, name="MatrixSolve-batch-adjoint"),
]

CASES = _EINSUM_CASES + _COMPOSITE_CASES + _DIAGONAL_CASES + _SOLVER_CASES
