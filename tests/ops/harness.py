"""The op harness: one table of cases covering every registered op (DESIGN §7.2).

Each `OpCase` builds an op from placeholders fed with generated inputs, and the harness checks:
  * the forward value against a NumPy reference (or a custom `check` for random/stateful ops),
  * the runtime dtype against the op's declared output dtype,
  * the static shape from the shape function against the runtime shape,
for every dtype the case lists. Cases live in `cases_<family>.py` beside this file, each exposing
`CASES`; `test_op_harness.py` runs them all and checks that every registered op type is covered.
"""
import dataclasses
from typing import Callable, Optional, Sequence

import numpy as np

import minitf as tf

FLOATS = (tf.float16, tf.float32, tf.float64)
INTS = (tf.int32, tf.int64)
REALS = (tf.float32, tf.float64, tf.int32, tf.int64)


@dataclasses.dataclass
class OpCase:
    """One row of the table.

    op_type:   the registered op type this case must create (checked in the built graph).
    build:     build(*input_tensors) -> a Tensor, a list/tuple of Tensors, or an Operation.
    inputs:    inputs(dtype, rng) -> list of NumPy arrays fed to placeholders in that order.
    reference: reference(*arrays) -> expected array(s); None when `check` is given.
    check:     check(results, arrays) asserting on the results instead of a reference.
    dtypes:    the dtypes to sweep; `inputs` receives each in turn.
    exact_shape: the static shape must equal the runtime shape (False for data-dependent shapes).
    grad:      check tf.gradients against central finite differences in float64 (None: whenever
               the op type is differentiable and the case sweeps float64).
    """
    op_type: str
    build: Callable
    inputs: Callable
    reference: Optional[Callable] = None
    check: Optional[Callable] = None
    dtypes: Sequence = (tf.float32,)
    rtol: float = 1e-5
    atol: float = 1e-6
    exact_shape: bool = True
    grad: Optional[bool] = None
    grad_rtol: float = 1e-5
    grad_atol: float = 1e-7
    name: str = ""

    def checks_gradient(self):
        if self.grad is not None:
            return self.grad
        from minitf.framework.op_def import get_op_def
        return get_op_def(self.op_type).differentiable and tf.float64 in self.dtypes

    def id(self, dtype):
        return f"{self.name or self.op_type}-{dtype.name}"


def uniform(shape, low=-2.0, high=2.0):
    """An input generator factory: values uniform in [low, high) cast to the swept dtype."""
    def make(dtype, rng):
        values = rng.uniform(low, high, size=shape)
        if dtype.is_integer:
            values = np.round(values)
        return values.astype(dtype.as_numpy_dtype)
    return make


def inputs_of(*makers):
    """Combines per-input generator factories into an `inputs` callable."""
    return lambda dtype, rng: [make(dtype, rng) for make in makers]


def fixed(*arrays):
    """Inputs that do not depend on the dtype."""
    return lambda dtype, rng: [np.asarray(a) for a in arrays]


def run_case(case, dtype, device=None, seed=0):
    """Builds and runs `case` for `dtype` in a fresh graph; returns (results, arrays, outputs)."""
    rng = np.random.default_rng(seed)
    arrays = case.inputs(dtype, rng)
    graph = tf.Graph()
    with graph.as_default(), tf.device(device):
        placeholders = [tf.placeholder(tf.as_dtype(a.dtype), a.shape, name=f"input{i}")
                        for i, a in enumerate(arrays)]
        built = case.build(*placeholders)
    assert any(op.type == case.op_type for op in graph.get_operations()), \
        f"case {case.id(dtype)} did not create a {case.op_type} op"
    outputs = list(built) if isinstance(built, (list, tuple)) else [built]
    with tf.Session(graph=graph, config=_config(device)) as sess:
        results = sess.run(outputs, dict(zip(placeholders, arrays)))
    return results, arrays, outputs


def _config(device):
    """Pinned runs may fall back to the CPU for ops without a kernel there (int32, strings)."""
    return tf.ConfigProto(allow_soft_placement=True) if device else None


def check_case(case, dtype, device=None):
    results, arrays, outputs = run_case(case, dtype, device)
    for output, result in zip(outputs, results):
        if isinstance(output, tf.Operation):
            continue
        result = np.asarray(result)
        assert output.dtype.base_dtype == tf.as_dtype(result.dtype), (
            f"{case.id(dtype)}: {output.name} declared {output.dtype.name}, ran as {result.dtype}")
        assert output.shape.is_compatible_with(result.shape), (
            f"{case.id(dtype)}: static shape {output.shape} vs runtime {result.shape}")
        if case.exact_shape:
            assert output.shape.is_fully_defined() and output.shape.as_list() == list(result.shape), (
                f"{case.id(dtype)}: static shape {output.shape} vs runtime {result.shape}")
    if case.check is not None:
        case.check(results, arrays)
        return
    expected = case.reference(*arrays)
    expected = list(expected) if isinstance(expected, (list, tuple)) else [expected]
    values = [r for o, r in zip(outputs, results) if not isinstance(o, tf.Operation)]
    assert len(values) == len(expected), f"{case.id(dtype)}: {len(values)} outputs, {len(expected)} expected"
    tolerance = _tolerance(case, dtype)
    for value, want in zip(values, expected):
        want = np.asarray(want)
        if want.dtype.kind in "OSUb":
            np.testing.assert_array_equal(np.asarray(value), want, err_msg=case.id(dtype))
        else:
            np.testing.assert_allclose(np.asarray(value, dtype=np.float64), want.astype(np.float64),
                                       err_msg=case.id(dtype), **tolerance)


def _tolerance(case, dtype):
    if dtype == tf.float16:
        return {"rtol": max(case.rtol, 2e-3), "atol": max(case.atol, 2e-3)}
    return {"rtol": case.rtol, "atol": case.atol}


def check_gradient(case, device=None, epsilon=1e-6, seed=1):
    """Compares tf.gradients of sum(w * outputs) with central differences, input by input, in float64.

    The weights w are random (not ones), so a gradient that is right only on average fails.
    """
    rng = np.random.default_rng(seed)
    arrays = case.inputs(tf.float64, np.random.default_rng(0))
    graph = tf.Graph()
    with graph.as_default(), tf.device(device):
        placeholders = [tf.placeholder(tf.as_dtype(a.dtype), a.shape, name=f"input{i}")
                        for i, a in enumerate(arrays)]
        built = case.build(*placeholders)
        outputs = [t for t in (built if isinstance(built, (list, tuple)) else [built])
                   if isinstance(t, tf.Tensor) and t.dtype.base_dtype.is_floating]
        wrt = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
        assert outputs and wrt, f"{case.op_type}: nothing to differentiate"
    with tf.Session(graph=graph, config=_config(device)) as sess:
        feed = dict(zip(placeholders, arrays))
        values = sess.run(outputs, feed)
        weights = [rng.uniform(0.5, 1.5, np.shape(v)) for v in values]
        with graph.as_default():
            grads = tf.gradients(outputs, [placeholders[i] for i in wrt],
                                 grad_ys=[tf.constant(w, dtype=o.dtype.base_dtype)
                                          for w, o in zip(weights, outputs)])
            # A gather's gradient is sparse (IndexedSlices): compare the dense tensor it stands for.
            grads = [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g for g in grads]
        analytic = sess.run([g for g in grads if g is not None], feed)
        analytic = iter(analytic)
        analytic = [np.zeros_like(arrays[i]) if g is None else next(analytic) for i, g in zip(wrt, grads)]

        def objective():
            return sum(float(np.sum(np.asarray(v, np.float64) * w))
                       for v, w in zip(sess.run(outputs, feed), weights))
        for i, got in zip(wrt, analytic):
            base = arrays[i]
            numeric = np.zeros(base.shape)
            for index in np.ndindex(base.shape):
                perturbed = base.copy()
                perturbed[index] += epsilon
                feed[placeholders[i]] = perturbed
                upper = objective()
                perturbed[index] -= 2 * epsilon
                lower = objective()
                numeric[index] = (upper - lower) / (2 * epsilon)
            feed[placeholders[i]] = base
            np.testing.assert_allclose(np.asarray(got, np.float64).reshape(base.shape), numeric,
                                       rtol=case.grad_rtol, atol=case.grad_atol,
                                       err_msg=f"{case.id(tf.float64)}: gradient wrt input {i}")
