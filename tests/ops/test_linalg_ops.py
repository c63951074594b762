"""Focused tests of the linear-algebra family beyond the harness table: TF1 names and graph
structure, static shapes from partial knowledge, construction-time and run-time errors (TF1's
messages, checked against TensorFlow), and gradients through unknown shapes (which must equal the
static-shape gradients the harness checks by finite differences)."""
import numpy as np
import pytest

import minitf as tf
from minitf.ops.op_builder import apply_op


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


def _op_types(graph=None):
    return [(op.name, op.type) for op in (graph or tf.get_default_graph()).get_operations()]


def _placeholders(shapes):
    return [tf.placeholder(tf.float64, shape) for shape in shapes]


# ======================================================================================
# TF1 names and graph structure
# ======================================================================================
def test_einsum_names_and_pairwise_contraction():
    x, y, z = tf.zeros([2, 3]), tf.zeros([3, 4]), tf.zeros([4, 5])
    assert tf.einsum("ij,jk->ik", x, y).name == "einsum/Einsum:0"
    chained = tf.einsum("ij,jk,kl->il", x, y, z, name="chain")
    assert chained.name == "chain/Einsum_1:0"
    assert chained.op.get_attr("equation") == "ik,kl->il"
    assert chained.op.inputs[0].op.get_attr("equation") == "ij,jk->ik"
    assert chained.shape.as_list() == [2, 5]


def test_einsum_implicit_output_and_whitespace():
    x, y = tf.zeros([2, 3]), tf.zeros([3, 4])
    assert tf.einsum("ij, jk", x, y).op.get_attr("equation") == "ij,jk->ik"
    assert tf.einsum("ba", x).op.get_attr("equation") == "ba->ab"
    assert tf.einsum("...j,...j", tf.zeros([5, 2, 3]), x).op.get_attr("equation") == "...j,...j->..."


def test_einsum_keyword_arguments_are_checked():
    with pytest.raises(TypeError, match="invalid keyword arguments for this function: axis"):
        tf.einsum("ij->ji", tf.zeros([2, 2]), axis=0)


def test_tensordot_builds_tf1_matmul_subgraph():
    a, b = tf.placeholder(tf.float32, [2, 3, 4], name="a"), tf.placeholder(tf.float32, [4, 3, 5], name="b")
    result = tf.tensordot(a, b, [[1, 2], [1, 0]])
    assert (result.name, result.shape.as_list()) == ("Tensordot:0", [2, 5])
    assert [t for _, t in _op_types()[2:]] == ["Const", "Transpose", "Const", "Reshape", "Const", "Transpose",
                                                "Const", "Reshape", "MatMul", "Const", "Reshape"]
    assert result.op.inputs[0].name == "Tensordot/MatMul:0"
    assert tf.tensordot(a, b, 1, name="td").name == "td:0"


def test_matrix_transpose_and_trace_names():
    x = tf.placeholder(tf.float32, [2, 3, 4])
    transposed = tf.matrix_transpose(x)
    assert (transposed.name, transposed.shape.as_list()) == ("matrix_transpose/transpose:0", [2, 4, 3])
    assert transposed.op.inputs[1].op.name == "matrix_transpose/transpose/perm"
    traced = tf.trace(x)
    assert (traced.name, traced.op.type, traced.shape.as_list()) == ("Trace:0", "Sum", [2])
    assert traced.op.inputs[0].op.name == "Trace/diag_part"


def test_diagonal_functions_build_the_v1_ops_under_tf1_names():
    x = tf.zeros([2, 3])
    built = [tf.diag(x), tf.diag_part(tf.zeros([2, 2])), tf.matrix_diag(x), tf.matrix_diag_part(x),
             tf.matrix_set_diag(x, [1.0, 2.0]), tf.matrix_determinant(tf.zeros([2, 2])),
             tf.matrix_solve(tf.zeros([2, 2]), tf.zeros([2, 1]))]
    assert [(t.name, t.op.type) for t in built] == [
        ("Diag:0", "Diag"), ("DiagPart:0", "DiagPart"), ("diag_1:0", "MatrixDiag"),  # names are unique
        ("diag_part:0", "MatrixDiagPart"), ("set_diag:0", "MatrixSetDiag"),  # ignoring case, as in TF
        ("MatrixDeterminant:0", "MatrixDeterminant"), ("MatrixSolve:0", "MatrixSolve")]


def test_linalg_namespace_names_tf1_aliases():
    assert tf.linalg.diag is tf.matrix_diag and tf.linalg.diag_part is tf.matrix_diag_part
    assert tf.linalg.set_diag is tf.matrix_set_diag and tf.linalg.det is tf.matrix_determinant
    assert tf.linalg.solve is tf.matrix_solve and tf.linalg.inv is tf.matrix_inverse
    assert tf.linalg.tensor_diag is tf.diag and tf.linalg.tensor_diag_part is tf.diag_part
    assert tf.linalg.transpose is tf.linalg.matrix_transpose is tf.matrix_transpose
    assert tf.linalg.einsum is tf.einsum and tf.linalg.tensordot is tf.tensordot
    assert tf.linalg.matmul is tf.matmul and tf.linalg.trace is tf.trace


# ======================================================================================
# Static shapes from partial knowledge (each as TF infers it)
# ======================================================================================
def _shape(build, *shapes):
    result = build(*[tf.placeholder(tf.float32, s) for s in shapes])
    return result.shape.as_list() if result.shape.ndims is not None else None


@pytest.mark.parametrize("equation, shapes, expected", [
    ("ij,jk->ik", [[None, 3], None], [None, None]),
    ("...j,jk->...k", [None, [4, 5]], None),
    ("...j,...jk->...k", [[None, 2, 4], [3, 1, 4, 5]], [3, 2, 5]),
    ("...j,...jk->...k", [[None, 4], [3, None, 4, 5]], [3, None, 5]),
    ("ii->i", [[None, 3]], [3]),
    ("ij->iij", [[2, 3]], [2, 2, 3]),
    ("ab...,bc...->ac...", [[2, 3, 1, 7], [3, 4, 5, 1]], [2, 4, 5, 7]),
    ("i,->i", [[2], []], [2]),
])
def test_einsum_static_shapes(equation, shapes, expected):
    assert _shape(lambda *xs: apply_op("Einsum", list(xs), equation=equation), *shapes) == expected


@pytest.mark.parametrize("build, shapes, expected", [
    (lambda a, b: tf.tensordot(a, b, 2), [[None, 3, 4], [3, 4, 5]], [None, 5]),
    (lambda a, b: tf.tensordot(a, b, [[1], [0]]), [[2, None], [None, 5]], [2, 5]),
    (lambda a, b: tf.tensordot(a, b, [[1], [0]]), [None, [3, 5]], None),
    (lambda a, b: tf.tensordot(a, b, tf.constant([[2], [0]])), [[2, 3, 4], [4, 5]], [2, 3, 5]),
    (lambda x: tf.matrix_transpose(x), [None], None),
    (lambda x: tf.diag(x), [[2, None]], [2, None, 2, None]),
    (lambda x: tf.diag_part(x), [[2, None, None, 4]], [2, 4]),
    (lambda x: tf.matrix_diag_part(x), [[2, None, 4]], [2, None]),
    (lambda x: tf.matrix_diag_part(x), [[2, None, 0]], [2, 0]),
    (lambda x, d: tf.matrix_set_diag(x, d), [[None, 3, None], [2, None]], [2, 3, None]),
    (lambda x, d: tf.matrix_set_diag(x, d), [None, [2, None]], [2, None, None]),
    (lambda x, d: tf.matrix_set_diag(x, d), [[2, 3, 4], [3, 3]], [2, 3, 4]),  # checked at run time
    (lambda x: tf.matrix_determinant(x), [[None, None, 3]], [None]),
    (lambda a, b: tf.matrix_solve(a, b), [[None, None, 3], [2, None, None]], [2, 3, None]),
    (lambda a, b: tf.matrix_solve(a, b), [None, [None, 3, None]], [None, 3, None]),
])
def test_static_shapes(build, shapes, expected):
    assert _shape(build, *shapes) == expected


# ======================================================================================
# Construction errors (TF's messages; the graph appends the op and its input shapes)
# ======================================================================================
def _einsum(equation, *shapes):
    return apply_op("Einsum", [tf.zeros(s) for s in shapes], equation=equation)


@pytest.mark.parametrize("build, error, message", [
    (lambda: _einsum("ij,ij,ij->i", [2, 3], [2, 3], [2, 3]), ValueError,
     "Expecting 1 or 2 input subscripts in equation 'ij,ij,ij->i' but got: 3 for 'Einsum'"),
    (lambda: _einsum("ij", [2, 3]), ValueError, "Expecting exactly one '->' in einsum equation: ij"),
    (lambda: _einsum("ij,jk->ik", [2, 3]), ValueError, "Expected 2 inputs for equation ij,jk->ik but got: 1"),
    (lambda: _einsum("ijk->ik", [2, 3]), ValueError, "Shape must be rank 3 but is rank 2"),
    (lambda: _einsum("...ij->ij", [2]), ValueError, "Shape must be at least rank 2 but is rank 1"),
    (lambda: _einsum("ij,jk->ik", [2, 3], [4, 5]), ValueError,
     "Dimensions must be equal, but are 3 and 4 for 'Einsum' (op: 'Einsum') with input shapes: [2,3], [4,5]"),
    (lambda: _einsum("ii->i", [2, 3]), ValueError, "Dimensions must be equal, but are 2 and 3"),
    (lambda: _einsum("ij->ik", [2, 3]), ValueError,
     "Einsum output subscripts for equation 'ij->ik' has label 'k' which is not present in the input subscripts"),
    (lambda: _einsum("...ij,...jk->...ik", [2, 3, 4], [5, 4, 6]), ValueError,
     "Dimensions must be equal, but are 2 and 5"),
    (lambda: _einsum("i...->i", [2, 3]), ValueError, "Shape must be at most rank 0 but is rank 1"),
    (lambda: _einsum("..i->i", [2, 3]), ValueError,
     "Expected at most one ellipsis (...), but found 2 periods (.) in the input subscript: ..i"),
    (lambda: _einsum("i1->i", [2, 3]), ValueError, "invalid label '1'"),
    (lambda: tf.einsum("ij,jk->ik", tf.zeros([2, 3])), ValueError, "Expected 2 inputs for equation"),
    (lambda: tf.einsum("ij->ji", tf.constant([[True]])), TypeError, "not in list of allowed values"),
    (lambda: tf.tensordot(tf.zeros([2, 3]), tf.zeros([3, 4]), -1), ValueError, "'axes' must be at least 0."),
    (lambda: tf.tensordot(tf.zeros([2, 3]), tf.zeros([3, 4]), 3), ValueError,
     "'axes' must not be larger than the number of dimensions of tensor"),
    (lambda: tf.tensordot(tf.zeros([2, 3]), tf.zeros([3, 4]), [[1], [0], [1]]), ValueError,
     "'axes' must be an integer or have length 2."),
    (lambda: tf.tensordot(tf.zeros([2, 3]), tf.zeros([3, 4]), [[1], [0, 1]]), ValueError,
     "Different number of contraction axes 'a' and 'b', 1 != 2."),
    (lambda: tf.tensordot(tf.zeros([2, 3]), tf.zeros([3, 4]), [[0], [0]]), ValueError,
     "Dimensions must be equal, but are 2 and 3 for 'Tensordot/MatMul' (op: 'MatMul')"),
    (lambda: tf.matrix_transpose(tf.zeros([3])), ValueError,
     "Argument 'a' should be a (batch) matrix, with rank >= 2.  Found: (3,)"),
    (lambda: tf.trace(tf.zeros([3])), ValueError,
     "Shape must be at least rank 2 but is rank 1 for 'Trace/diag_part' (op: 'MatrixDiagPart')"),
    (lambda: tf.diag(tf.zeros([])), ValueError, "Shape must be at least rank 1 but is rank 0"),
    (lambda: tf.diag_part(tf.zeros([2, 3, 2])), ValueError,
     "Input must have even and non-zero rank, input rank is 3"),
    (lambda: tf.diag_part(tf.zeros([2, 3, 2, 4])), ValueError, "Dimensions must be equal, but are 3 and 4"),
    (lambda: tf.diag(tf.constant([True])), TypeError, "not in list of allowed values"),
    (lambda: tf.matrix_diag(tf.zeros([])), ValueError, "Shape must be at least rank 1 but is rank 0"),
    (lambda: tf.matrix_diag_part(tf.zeros([2])), ValueError, "Shape must be at least rank 2 but is rank 1"),
    (lambda: tf.matrix_set_diag(tf.zeros([2, 3, 4]), tf.zeros([2, 4])), ValueError,
     "Dimensions must be equal, but are 3 and 4"),
    (lambda: tf.matrix_set_diag(tf.zeros([2, 3, 4]), tf.zeros([3])), ValueError,
     "Shape must be rank 2 but is rank 1"),
    (lambda: tf.matrix_set_diag(tf.zeros([3]), tf.zeros([3])), ValueError,
     "Shape must be at least rank 2 but is rank 1"),
    (lambda: tf.matrix_determinant(tf.zeros([2, 3, 4])), ValueError, "Dimensions must be equal, but are 4 and 3"),
    (lambda: tf.matrix_determinant(tf.zeros([3])), ValueError, "Shape must be at least rank 2 but is rank 1"),
    (lambda: tf.matrix_determinant(tf.constant([[1]])), TypeError, "not in list of allowed values"),
    (lambda: tf.matrix_solve(tf.zeros([2, 3, 3]), tf.zeros([2, 4, 5])), ValueError,
     "Dimensions must be equal, but are 3 and 4"),
    (lambda: tf.matrix_solve(tf.zeros([2, 3, 3]), tf.zeros([1, 3, 5])), ValueError,
     "Dimension 0 in both shapes must be equal, but are 2 and 1. Shapes are [2] and [1]."),
    (lambda: tf.matrix_solve(tf.zeros([2, 3, 3]), tf.zeros([3, 5])), ValueError,
     "Shapes must be equal rank, but are 1 and 0"),
    (lambda: tf.matrix_solve(tf.zeros([3, 4]), tf.zeros([3, 5])), ValueError,
     "Dimensions must be equal, but are 3 and 4"),
])
def test_construction_errors(build, error, message):
    with pytest.raises(error) as raised:
        build()
    assert message in str(raised.value)


# ======================================================================================
# Run-time errors (TF's kernel messages), naming the op
# ======================================================================================
def _unknown(value):
    """`value` behind a placeholder of unknown shape: only the kernel can check it."""
    return tf.placeholder_with_default(np.asarray(value, np.float32), None)


@pytest.mark.parametrize("build, message", [
    (lambda: _einsum_unknown("ij,jk->ik", np.ones((2, 3)), np.ones((4, 5))),
     "Expected dimension 3 at axis 0 of the input shaped [4,5] but got dimension 4"),
    (lambda: _einsum_unknown("ij,jk->ik", np.ones((2, 3)), np.ones(4)), "Expected input 1 to have rank 2 but got: 1"),
    (lambda: _einsum_unknown("...ij->...", np.ones(2)), "Expected input 0 to have rank at least 2 but got: 1"),
    (lambda: _einsum_unknown("i...->i", np.ones((2, 3, 3))),
     "Output contains 2 broadcasting dimension(s) but no ellipsis (...) was found in the output subscripts."),
    (lambda: _einsum_unknown("...j,...j->...", np.ones((2, 3)), np.ones((3, 3))),
     "In[0] and In[1] must have compatible batch dimensions: [2,3] vs. [3,3]"),
    (lambda: _einsum_unknown("ii->i", np.ones((2, 3))),
     "Expected dimension 2 at axis 1 of the input shaped [2,3] but got dimension 3"),
    (lambda: tf.diag(_unknown(1.0)), "Input must be at least rank 1, got 0"),
    (lambda: tf.diag_part(_unknown(np.ones((2, 3)))), "Invalid shape [2,3]: dimensions 0 and 1 do not match."),
    (lambda: tf.diag_part(_unknown(np.ones((2, 3, 2)))),
     "The rank of the tensor should be even and positive, got shape [2,3,2]"),
    (lambda: tf.matrix_diag(_unknown(1.0)), "diagonal must be at least 1-dim, received shape: []"),
    (lambda: tf.matrix_diag_part(_unknown([1.0])), "input must be at least 2-dim, received shape: [1]"),
    (lambda: tf.matrix_set_diag(_unknown([1.0]), _unknown([1.0])), "input must be at least 2-dim, received shape: [1]"),
    (lambda: tf.matrix_set_diag(_unknown(np.ones((2, 3))), _unknown([1.0, 2.0, 3.0])),
     "must have diagonal.shape == input.shape[:-2] + min(input.shape[-2:]), but received input shape: [2,3] "
     "and diagonal shape: [3]"),
    (lambda: tf.matrix_set_diag(_unknown(np.ones((2, 2, 3))), _unknown(np.ones((3, 2)))),
     "received input shape: [2,2,3] and diagonal shape: [3,2]"),
    (lambda: tf.matrix_determinant(_unknown(np.ones((2, 3)))), "Input matrix must be square."),
    (lambda: tf.matrix_determinant(_unknown(np.ones(2))), "Input tensor 0 must have rank >= 2, got 1"),
    (lambda: tf.matrix_solve(_unknown(np.ones((2, 3))), np.ones((2, 1), np.float32)),
     "First input (lhs) must be a square matrix."),
    (lambda: tf.matrix_solve(_unknown(np.eye(2)), _unknown(np.ones((3, 1)))), "Input matrix and rhs are incompatible."),
    (lambda: tf.matrix_solve(_unknown(np.ones((2, 2, 2))), _unknown(np.ones((3, 2, 1)))),
     "All input tensors must have the same outer dimensions."),
    (lambda: tf.matrix_solve(_unknown(np.ones((2, 2, 2))), _unknown(np.ones((2, 1)))),
     "All input tensors must have the same rank."),
    (lambda: tf.matrix_solve(_unknown(np.ones(2)), _unknown(np.ones((2, 1)))),
     "Input tensor 0 must have rank >= 2, got 1"),
    (lambda: tf.matrix_solve([[1.0, 2.0], [2.0, 4.0]], [[1.0], [1.0]]), "Input matrix is not invertible."),
    (lambda: tf.matrix_solve(tf.zeros([3, 2, 2]), tf.ones([3, 2, 1])), "Input matrix is not invertible."),
    (lambda: tf.matrix_solve([[np.nan, 2.0], [3.0, 4.0]], [[1.0], [1.0]]), "Input matrix is not invertible."),
])
def test_run_time_errors(build, message):
    result = build()
    with pytest.raises(tf.errors.InvalidArgumentError) as raised:
        _run(result)
    assert message in str(raised.value)
    assert raised.value.op is result.op


def _einsum_unknown(equation, *values):
    return apply_op("Einsum", [_unknown(v) for v in values], equation=equation)


# ======================================================================================
# Values TF gives at the edges
# ======================================================================================
def test_edge_values():
    empty_det = tf.matrix_determinant(tf.zeros([2, 0, 0]))
    empty_solve = tf.matrix_solve(tf.zeros([0, 0]), tf.zeros([0, 2]))
    singular_det = tf.matrix_determinant([[1.0, 2.0], [2.0, 4.0]])
    scalar_diag_part = tf.diag_part(_unknown(3.0))  # TF's kernel takes rank 0 (its shape function does not)
    det, solution, zero, scalar = _run([empty_det, empty_solve, singular_det, scalar_diag_part])
    assert det.tolist() == [1.0, 1.0] and solution.shape == (0, 2) and zero == 0.0 and scalar == 3.0
    adjoint = tf.matrix_solve([[1.0, 2.0], [0.0, 4.0]], [[1.0], [1.0]], adjoint=True)
    np.testing.assert_allclose(_run(adjoint), [[1.0], [-0.25]])


def test_einsum_in_half_precision_accumulates_in_float32():
    x = np.full((1, 4096), 0.1, np.float16)
    product = _run(tf.einsum("ij,kj->ik", x, x))
    assert product.dtype == np.float16
    np.testing.assert_allclose(product, [[4096 * 0.1 ** 2]], rtol=2e-3)


def test_einsum_of_repeated_output_labels_inflates_a_diagonal():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    inflated = _run(tf.einsum("ij->jii", x))
    expected = np.zeros((3, 2, 2), np.float32)
    expected[:, [0, 1], [0, 1]] = x.T
    np.testing.assert_array_equal(inflated, expected)


# ======================================================================================
# Gradients through unknown shapes equal the static-shape gradients
# ======================================================================================
def _gradients(build, arrays, shapes):
    graph = tf.Graph()
    with graph.as_default():
        inputs = _placeholders(shapes)
        output = build(*inputs)
        weights = tf.sin(tf.cast(tf.range(tf.size(output)), tf.float64)) + 2.0
        loss = tf.reduce_sum(tf.reshape(output, [-1]) * weights)
        grads = tf.gradients(loss, inputs)
        with tf.Session(graph=graph) as sess:
            return sess.run(grads, dict(zip(inputs, arrays)))


@pytest.mark.parametrize("build, shapes, partial", [
    (lambda x, y: tf.einsum("...ij,...jk->...ik", x, y), [(2, 1, 3, 4), (3, 4, 2)], [None, (None, 4, None)]),
    (lambda x, y: tf.einsum("...i,...i->...", x, y), [(3, 1, 4), (2, 4)], [(None, None, 4), None]),
    (lambda x, y: tf.einsum("a...b,b...->a...", x, y), [(2, 1, 3, 3), (3, 4, 1)], [(2, None, None, 3), None]),
    (lambda x, y: tf.einsum("i...j,j->i...", x, y), [(2, 3, 4), (4,)], [None, None]),
    (lambda x, y: tf.einsum("iij,k->ik", x, y), [(3, 3, 2), (4,)], [(None, 3, None), None]),
    (lambda x: tf.einsum("ii->", x), [(3, 3)], [None]),
    (lambda x: tf.einsum("ij->i", x), [(2, 3)], [(None, None)]),
    (lambda x, y, z: tf.einsum("ij,jk,kl->il", x, y, z), [(2, 3), (3, 4), (4, 2)], [None, (3, None), None]),
    (lambda a, b: tf.tensordot(a, b, 2), [(2, 3, 4), (3, 4, 5)], [(None, 3, 4), None]),
    (lambda a, b: tf.tensordot(a, b, [[1, 2], [1, 0]]), [(2, 3, 4), (4, 3, 5)], [(None, None, None), None]),
    (lambda a, b: tf.tensordot(a, b, tf.placeholder_with_default([[2], [0]], [2, 1])), [(2, 3, 4), (4, 5)],
     [None, None]),
    (lambda x: tf.matrix_transpose(x), [(2, 3, 4)], [None]),
    (lambda x: tf.matrix_diag_part(x), [(2, 3, 3)], [(None, None, None)]),
    (lambda x, d: tf.matrix_set_diag(x, d), [(2, 3, 4), (2, 3)], [None, None]),
    (lambda x: tf.matrix_determinant(x), [(2, 3, 3)], [None]),
    (lambda a, b: tf.matrix_solve(a, b), [(2, 3, 3), (2, 3, 2)], [None, (None, 3, None)]),
])
def test_gradients_through_unknown_shapes(build, shapes, partial):
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=s) for s in shapes]
    static = _gradients(build, arrays, shapes)
    dynamic = _gradients(build, arrays, partial)
    for known, unknown in zip(static, dynamic):
        np.testing.assert_allclose(unknown, known, rtol=1e-10, atol=1e-12)


def test_einsum_gradient_builds_no_shape_arithmetic_for_static_shapes():
    x, y = _placeholders([(2, 1, 3, 4), (3, 4, 2)])
    tf.gradients(tf.einsum("...ij,...jk->...ik", x, y), [x, y])
    types = {t for name, t in _op_types() if name.startswith("gradients/")}
    assert not types & {"Shape", "BroadcastGradientArgs", "StridedSlice"}


def test_second_derivative_of_einsum():
    x = tf.placeholder(tf.float64, [3])
    quadratic = tf.einsum("i,ij,j->", x, tf.constant(np.arange(9.0).reshape(3, 3)), x)
    (gradient,) = tf.gradients(quadratic, [x])
    (hessian_row,) = tf.gradients(gradient[0], [x])
    matrix = np.arange(9.0).reshape(3, 3)
    np.testing.assert_allclose(_run(hessian_row, {x: [1.0, 2.0, 3.0]}), (matrix + matrix.T)[0])
