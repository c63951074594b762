"""tf.train optimizers: several steps against NumPy re-computations, slots, and the contracts of
minimize / compute_gradients / apply_gradients.

The NumPy update rules are the training-op references of tests/ops/cases_training.py (checked
there against the kernels, and against TF1's kernels when they were written).
"""
import numpy as np
import pytest

import cases_training as rules
import minitf as tf

# ======================================================================================
# A problem with known gradients: loss = C*w*w + D*w + (CB*b*b + DB*b), elementwise over w's
# shape, so d/dw = 2*C*w + D and d/db = w.size * (2*CB*b + DB) (b is broadcast over w).
# ======================================================================================
_RNG = np.random.default_rng(7)
W0 = _RNG.uniform(-1.5, 1.5, (2, 3))
C, D = _RNG.uniform(0.2, 1.0, (2, 3)), _RNG.uniform(-1.0, 1.0, (2, 3))
B0, CB, DB = 0.7, 0.4, -0.3


def _problem(dtype=tf.float32):
    w = tf.Variable(W0.astype(dtype.as_numpy_dtype), name="w")
    b = tf.Variable(dtype.as_numpy_dtype(B0), name="b")
    c, d = C.astype(dtype.as_numpy_dtype), D.astype(dtype.as_numpy_dtype)
    loss = w * w * c + w * d + (b * b * CB + b * DB)
    return w, b, loss


def _numpy_gradients(w, b):
    return 2 * C * w + D, W0.size * (2 * CB * b + DB)


def _f32(value):
    """A Python hyperparameter as the optimizer sees it: a float32 constant (cast to the
    variable's dtype)."""
    return float(np.float32(value))


def _f32_power(beta, step):
    """Adam's beta power after `step` steps: a float32 variable multiplied by beta each step."""
    power = np.float32(beta)
    for _ in range(step - 1):
        power *= np.float32(beta)
    return float(power)


# ======================================================================================
# Each optimizer: (constructor, its slots as (name, initial value) in the rule's order,
# rule(state, grad, step) -> new state) where state = (var, *slots) and step counts from 1.
# ======================================================================================
OPTIMIZERS = {
    "GradientDescent": (lambda: tf.train.GradientDescentOptimizer(0.1), (),
                        lambda s, g, t: rules.gradient_descent(s[0], _f32(0.1), g)),
    "Momentum": (lambda: tf.train.MomentumOptimizer(0.1, 0.9), (("momentum", 0.0),),
                 lambda s, g, t: rules.momentum(*s, _f32(0.1), g, _f32(0.9))),
    "Momentum-nesterov": (lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True), (("momentum", 0.0),),
                          lambda s, g, t: rules.momentum(*s, _f32(0.1), g, _f32(0.9), use_nesterov=True)),
    "Adagrad": (lambda: tf.train.AdagradOptimizer(0.3), (("accumulator", 0.1),),
                lambda s, g, t: rules.adagrad(*s, _f32(0.3), g)),
    "RMSProp": (lambda: tf.train.RMSPropOptimizer(0.05, decay=0.8, epsilon=1e-6), (("rms", 1.0), ("momentum", 0.0)),
                lambda s, g, t: rules.rms_prop(*s, *map(_f32, (0.05, 0.8, 0.0, 1e-6)), g)),
    "RMSProp-centered-momentum": (
        lambda: tf.train.RMSPropOptimizer(0.05, decay=0.8, momentum=0.5, epsilon=1e-6, centered=True),
        (("mg", 0.0), ("rms", 1.0), ("momentum", 0.0)),
        lambda s, g, t: rules.centered_rms_prop(*s, *map(_f32, (0.05, 0.8, 0.5, 1e-6)), g)),
    "Adam": (lambda: tf.train.AdamOptimizer(0.1), (("m", 0.0), ("v", 0.0)),
             lambda s, g, t: rules.adam(*s, _f32_power(0.9, t), _f32_power(0.999, t),
                                        *map(_f32, (0.1, 0.9, 0.999, 1e-8)), g)),
    "Ftrl": (lambda: tf.train.FtrlOptimizer(0.2), (("accum", 0.1), ("linear", 0.0)),
             lambda s, g, t: rules.ftrl(*s, g, *map(_f32, (0.2, 0.0, 0.0, -0.5)))),
    "Ftrl-l1-l2-power": (
        lambda: tf.train.FtrlOptimizer(0.2, learning_rate_power=-0.7, initial_accumulator_value=0.3,
                                       l1_regularization_strength=1.5, l2_regularization_strength=0.2),
        (("accum", 0.3), ("linear", 0.0)),
        lambda s, g, t: rules.ftrl(*s, g, *map(_f32, (0.2, 1.5, 0.2, -0.7)))),
    "Ftrl-l2-shrinkage": (
        lambda: tf.train.FtrlOptimizer(0.2, l1_regularization_strength=0.1, l2_regularization_strength=0.05,
                                       l2_shrinkage_regularization_strength=0.3),
        (("accum", 0.1), ("linear", 0.0)),
        lambda s, g, t: rules.ftrl_v2(*s, g, *map(_f32, (0.2, 0.1, 0.05, 0.3, -0.5)))),
}


def _run_against_numpy(optimizer, slots, rule, dtype, steps=4, **minimize_args):
    w, b, loss = _problem(dtype)
    train = optimizer.minimize(loss, **minimize_args)
    states = {w: (W0,) + tuple(np.full(W0.shape, v) for _, v in slots),
              b: (np.float64(B0),) + tuple(np.float64(v) for _, v in slots)}
    tolerance = {"rtol": 2e-5, "atol": 1e-6} if dtype == tf.float32 else {"rtol": 1e-10, "atol": 1e-12}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(steps + 1):
            if step:
                sess.run(train)
                grads = dict(zip((w, b), _numpy_gradients(states[w][0], states[b][0])))
                states = {v: rule(states[v], grads[v], step) for v in (w, b)}
            for var in (w, b):
                got = sess.run([var] + [optimizer.get_slot(var, name) for name, _ in slots])
                for value, want, label in zip(got, states[var], ["var"] + [n for n, _ in slots]):
                    assert np.asarray(value).dtype == dtype.as_numpy_dtype
                    np.testing.assert_allclose(value, want, err_msg=f"{var.op.name} {label} at step {step}",
                                               **tolerance)
    return train


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64], ids=lambda d: d.name)
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_steps_match_numpy(name, dtype):
    make, slots, rule = OPTIMIZERS[name]
    _run_against_numpy(make(), slots, rule, dtype)


# ======================================================================================
# Slots
# ======================================================================================
SLOT_NAMES = {  # optimizer: {slot: the slot variable's name for variable "w"}
    "Momentum": {"momentum": "w/Momentum"},
    "Adagrad": {"accumulator": "w/Adagrad"},
    "RMSProp": {"rms": "w/RMSProp", "momentum": "w/RMSProp_1"},
    "RMSProp-centered-momentum": {"rms": "w/RMSProp", "mg": "w/RMSProp_1", "momentum": "w/RMSProp_2"},
    "Adam": {"m": "w/Adam", "v": "w/Adam_1"},
    "Ftrl": {"accum": "w/Ftrl", "linear": "w/Ftrl_1"},
    "GradientDescent": {},
}


@pytest.mark.parametrize("name", sorted(SLOT_NAMES))
def test_slot_names_and_placement(name):
    w, b, loss = _problem()
    optimizer = OPTIMIZERS[name][0]()
    optimizer.minimize(loss)
    assert optimizer.get_slot_names() == sorted(SLOT_NAMES[name])
    for slot_name, variable_name in SLOT_NAMES[name].items():
        slot = optimizer.get_slot(w, slot_name)
        assert slot.op.name == variable_name
        assert slot.op.get_attr("_class") == ["loc:@w"]
        assert slot.shape == w.shape and slot.dtype == w.dtype
        assert slot in tf.global_variables() and slot not in tf.trainable_variables()
        assert optimizer.get_slot(b, slot_name).op.name == variable_name.replace("w/", "b/")
    assert optimizer.get_slot(w, "no such slot") is None
    non_slot = ["beta1_power", "beta2_power"] if name == "Adam" else []
    assert [v.op.name for v in optimizer.variables()] == sorted(
        non_slot + [n.replace("w/", v) for n in SLOT_NAMES[name].values() for v in ("b/", "w/")])


def test_adam_beta_powers_are_colocated_with_the_first_variable_by_name():
    w, b, loss = _problem()
    optimizer = tf.train.AdamOptimizer(0.1)
    optimizer.minimize(loss)
    beta1_power, beta2_power = optimizer._get_beta_accumulators()
    assert beta1_power.op.get_attr("_class") == ["loc:@b"]
    assert beta1_power.dtype.base_dtype == tf.float32 and not beta1_power.trainable
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run([beta1_power, beta2_power]), [0.9, 0.999], rtol=1e-7)


def test_slot_names_are_made_unique_and_reused_by_the_same_optimizer():
    w, _, loss = _problem()
    first, second = tf.train.MomentumOptimizer(0.1, 0.9), tf.train.MomentumOptimizer(0.1, 0.9)
    first.minimize(loss, var_list=[w])
    first.minimize(loss, var_list=[w])
    second.minimize(loss, var_list=[w])
    assert first.get_slot(w, "momentum").op.name == "w/Momentum"
    assert second.get_slot(w, "momentum").op.name == "w/Momentum_1"
    assert len(tf.global_variables()) == 4  # w, b and one slot each


def test_optimizer_variables_ignore_enclosing_name_scopes_and_control_dependencies():
    w, _, loss = _problem()
    gate = tf.no_op(name="gate")
    with tf.name_scope("outer"), tf.control_dependencies([gate]):
        optimizer = tf.train.AdamOptimizer(0.1)
        train = optimizer.minimize(loss, var_list=[w])
    assert optimizer.get_slot(w, "m").op.name == "w/Adam"
    assert optimizer.get_slot(w, "m").initializer.control_inputs == []
    assert optimizer._get_beta_accumulators()[0].op.name == "outer/beta1_power"
    assert train.name == "outer/Adam"


def test_a_variable_of_unknown_shape_gets_slots_of_its_runtime_shape():
    v = tf.Variable(np.array([1.0, 2.0], np.float32), validate_shape=False, name="v")
    optimizer = tf.train.AdagradOptimizer(0.1)
    train = optimizer.minimize(v * v)
    accumulator = optimizer.get_slot(v, "accumulator")
    assert accumulator.op.name == "v/Adagrad" and accumulator.shape.ndims is None
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(accumulator), [0.1, 0.1])
        sess.run(train)
        np.testing.assert_allclose(sess.run(v), rules.adagrad(np.array([1.0, 2.0]), np.array([0.1, 0.1]),
                                                              _f32(0.1), np.array([2.0, 4.0]))[0], rtol=1e-6)


def test_slot_names_follow_the_variable_scope():
    w, _, loss = _problem()
    optimizer = tf.train.MomentumOptimizer(0.1, 0.9)
    with tf.variable_scope("vs"):
        optimizer.minimize(loss, var_list=[w])
    assert optimizer.get_slot(w, "momentum").op.name == "vs/w/Momentum"


# ======================================================================================
# minimize, compute_gradients, apply_gradients
# ======================================================================================
def test_minimize_increments_the_global_step_and_names_the_train_op():
    w, b, loss = _problem()
    global_step = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=global_step)
    assert train.type == "AssignAdd" and train.name == "GradientDescent"
    assert tf.get_collection(tf.GraphKeys.TRAIN_OP) == [train]
    updates = {op.name for op in tf.get_default_graph().get_operations() if op.type == "ApplyGradientDescent"}
    assert updates == {"GradientDescent/update_w/ApplyGradientDescent", "GradientDescent/update_b/ApplyGradientDescent"}
    named = tf.train.GradientDescentOptimizer(0.1).minimize(loss, name="train")
    assert named.type == "NoOp" and named.name == "train"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        assert tf.train.global_step(sess, global_step) == 3
        sess.run(named)
        assert tf.train.global_step(sess, global_step) == 3


def test_var_list_freezes_the_other_variables():
    w, b, loss = _problem()
    optimizer = tf.train.MomentumOptimizer(0.1, 0.9)
    train = optimizer.minimize(loss, var_list=[w])
    assert optimizer.get_slot(b, "momentum") is None
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        sess.run(train)
        assert sess.run(b) == np.float32(B0)
        assert not np.allclose(sess.run(w), W0)


def test_compute_gradients_clip_then_apply_gradients():
    w, b, loss = _problem()
    unused = tf.Variable(1.0, name="unused")
    optimizer = tf.train.GradientDescentOptimizer(0.1)
    grads_and_vars = optimizer.compute_gradients(loss)
    assert [v for _, v in grads_and_vars] == [w, b, unused]
    assert grads_and_vars[2][0] is None
    clipped = [(tf.clip_by_value(g, -0.5, 0.5), v) for g, v in grads_and_vars if g is not None]
    train = optimizer.apply_gradients(clipped + [(None, unused)])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        grad_w, grad_b = sess.run([g for g, _ in grads_and_vars[:2]])
        sess.run(train)
        want_w, want_b = _numpy_gradients(W0, B0)
        np.testing.assert_allclose(grad_w, want_w, rtol=1e-5)
        np.testing.assert_allclose(grad_b, want_b, rtol=1e-5)
        np.testing.assert_allclose(sess.run(w), W0 - 0.1 * np.clip(want_w, -0.5, 0.5), rtol=1e-5)
        np.testing.assert_allclose(sess.run(b), B0 - 0.1 * np.clip(want_b, -0.5, 0.5), rtol=1e-5)
        assert sess.run(unused) == 1.0


@pytest.mark.parametrize("gate", [tf.train.Optimizer.GATE_NONE, tf.train.Optimizer.GATE_OP,
                                  tf.train.Optimizer.GATE_GRAPH])
def test_every_gating_gives_the_same_update(gate):
    make, slots, rule = OPTIMIZERS["Momentum"]
    _run_against_numpy(make(), slots, rule, tf.float32, steps=2, gate_gradients=gate)


def test_no_gradients_errors():
    w = tf.Variable([1.0, 2.0], name="w")
    constant_loss = tf.constant(3.0) * tf.constant(2.0)
    optimizer = tf.train.GradientDescentOptimizer(0.1)
    with pytest.raises(ValueError, match=r"No gradients provided for any variable, check your graph for ops "
                                         r"that do not support gradients, between variables \[.*'w:0'.*\] "
                                         r"and loss .*mul"):
        optimizer.minimize(constant_loss)
    with pytest.raises(ValueError, match=r"No gradients provided for any variable: \[.*'w:0'.*\]\."):
        optimizer.apply_gradients([(None, w)])
    with pytest.raises(ValueError, match="No variables provided."):
        optimizer.apply_gradients([])
    with pytest.raises(ValueError, match="No variables to optimize."):
        optimizer.minimize(w * w, var_list=[])


def test_argument_errors():
    w = tf.Variable([1.0, 2.0], name="w")
    optimizer = tf.train.GradientDescentOptimizer(0.1)
    with pytest.raises(ValueError, match="gate_gradients must be one of"):
        optimizer.minimize(w * w, gate_gradients=5)
    with pytest.raises(ValueError, match="Invalid type .*int32.* for Const"):
        optimizer.minimize(tf.constant(1))
    with pytest.raises(NotImplementedError, match="Trying to update a Tensor"):
        optimizer.apply_gradients([(tf.constant([1.0, 1.0]), w * 2.0)])
    with pytest.raises(ValueError, match="Must specify the optimizer name"):
        tf.train.GradientDescentOptimizer(0.1, name="")
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive: 0.0"):
        tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)
    with pytest.raises(ValueError, match="learning_rate_power 0.500000 needs to be negative or zero"):
        tf.train.FtrlOptimizer(0.1, learning_rate_power=0.5)
    with pytest.raises(ValueError, match="l1_regularization_strength -1.000000 needs to be positive or zero"):
        tf.train.FtrlOptimizer(0.1, l1_regularization_strength=-1.0)


def test_learning_rate_may_be_a_decayed_tensor():
    w, b, loss = _problem()
    global_step = tf.train.get_or_create_global_step()
    learning_rate = tf.train.exponential_decay(0.1, global_step, decay_steps=2, decay_rate=0.5, staircase=True)
    train = tf.train.GradientDescentOptimizer(learning_rate).minimize(loss, var_list=[w], global_step=global_step)
    want = W0
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(5):
            sess.run(train)
            want = want - 0.1 * 0.5 ** (step // 2) * _numpy_gradients(want, B0)[0]
            np.testing.assert_allclose(sess.run(w), want, rtol=1e-5)


def test_hyperparameters_may_be_callables_and_float64_tensors():
    w, _, loss = _problem()
    train = tf.train.MomentumOptimizer(lambda: tf.constant(0.1, tf.float64), 0.9).minimize(loss, var_list=[w])
    assert any(op.type == "Cast" for op in tf.get_default_graph().get_operations()
               if op.name.startswith("Momentum/update_w/"))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), W0 - 0.1 * _numpy_gradients(W0, B0)[0], rtol=1e-5)


# ======================================================================================
# In-place updates
# ======================================================================================
def test_a_fetched_value_does_not_change_with_later_steps():
    w, _, loss = _problem()
    train = tf.train.AdamOptimizer(0.1).minimize(loss, var_list=[w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(w)
        sess.run(train)
        after = sess.run(w)
        sess.run(train)
        np.testing.assert_array_equal(before, W0.astype(np.float32))
        assert not np.array_equal(after, sess.run(w))
        assert not np.array_equal(before, after)


def test_kernels_update_in_place_unless_someone_holds_the_array():
    from minitf.kernels.state import VariableStorage
    from minitf.runtime.devices import Device
    from minitf.runtime.kernel_registry import KernelContext, find_kernel
    var = tf.Variable(np.zeros(3, np.float32))
    op = tf.train.MomentumOptimizer(0.5, 0.9).minimize(var * 1.0, var_list=[var]).control_inputs[0]
    compute = find_kernel(op, "CPU")(KernelContext(op, Device("CPU", 0, np), None, None))
    storages = [VariableStorage(name) for name in ("var", "accum")]
    for storage in storages:
        storage.value = np.ones(3, np.float32)
    arrays = [id(storage.value) for storage in storages]
    compute(*storages, np.float32(0.5), np.full(3, 2.0, np.float32), np.float32(0.9))
    assert [id(storage.value) for storage in storages] == arrays  # nobody else held them
    held = storages[0].value
    compute(*storages, np.float32(0.5), np.full(3, 2.0, np.float32), np.float32(0.9))
    assert storages[0].value is not held and id(storages[1].value) == arrays[1]
    np.testing.assert_allclose(held, 1 - 0.5 * 2.9, rtol=1e-6)  # the holder's array kept the first step's value
    np.testing.assert_allclose(storages[0].value, 1 - 0.5 * 2.9 - 0.5 * (2.9 * 0.9 + 2.0), rtol=1e-6)


def test_use_locking_updates_under_the_variables_locks():
    make, slots, rule = OPTIMIZERS["RMSProp-centered-momentum"]
    optimizer = make()
    optimizer._use_locking = True
    train = _run_against_numpy(optimizer, slots, rule, tf.float32, steps=2)
    assert all(op.get_attr("use_locking") for op in tf.get_default_graph().get_operations()
               if op.type == "ApplyCenteredRMSProp")
    assert train.name == "RMSProp"


# ======================================================================================
# End to end with the math gradients (MatMul, Mean, Square)
# ======================================================================================
@pytest.mark.parametrize("name", ["GradientDescent", "Momentum", "Adam", "RMSProp", "Adagrad", "Ftrl"])
def test_linear_regression_converges(name):
    rng = np.random.default_rng(0)
    features = rng.normal(size=(64, 3)).astype(np.float32)
    true_weights = np.array([[1.5], [-2.0], [0.5]], np.float32)
    targets = features @ true_weights + 0.25
    x, y = tf.placeholder(tf.float32, [None, 3]), tf.placeholder(tf.float32, [None, 1])
    weights, bias = tf.Variable(tf.zeros([3, 1])), tf.Variable(0.0)
    loss = tf.reduce_mean(tf.square(tf.matmul(x, weights) + bias - y))
    optimizer = {"GradientDescent": tf.train.GradientDescentOptimizer(0.1),
                 "Momentum": tf.train.MomentumOptimizer(0.05, 0.9),
                 "Adam": tf.train.AdamOptimizer(0.1), "RMSProp": tf.train.RMSPropOptimizer(0.02),
                 "Adagrad": tf.train.AdagradOptimizer(0.5), "Ftrl": tf.train.FtrlOptimizer(1.0)}[name]
    train = optimizer.minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(300):
            sess.run(train, {x: features, y: targets})
        assert sess.run(loss, {x: features, y: targets}) < 1e-3
        np.testing.assert_allclose(sess.run(weights), true_weights, atol=0.03)


# ======================================================================================
# The training ops' checks (TF1's messages)
# ======================================================================================
def test_training_ops_check_shapes_and_initialization():
    from minitf.ops import training_ops
    var, accum = tf.Variable([1.0, 2.0], name="theta"), tf.Variable([0.0, 0.0], name="accum")
    with pytest.raises(ValueError, match=r"Shape must be rank 0 but is rank 1 for '.*ApplyGradientDescent'"):
        training_ops.apply_gradient_descent(var, [0.1, 0.2], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"Dimension 0 in both shapes must be equal, but are 2 and 3. "
                                         r"Shapes are \[2\] and \[3\]."):
        training_ops.apply_momentum(var, accum, 0.1, [1.0, 2.0, 3.0], 0.9)
    fed = tf.placeholder(tf.float32)
    descent = training_ops.apply_gradient_descent(var, 0.1, fed)
    momentum = training_ops.apply_momentum(var, accum, fed, [1.0, 2.0], 0.9, use_nesterov=True)
    assert descent.op.op_def.is_stateful and not descent.op.op_def.differentiable
    assert momentum.op.get_attr("use_nesterov") and not momentum.op.get_attr("use_locking")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="Attempting to use uninitialized value theta"):
            sess.run(descent, {fed: [1.0, 2.0]})
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"var and delta do not have the same shape\[2\] \[1,2\]"):
            sess.run(descent, {fed: [[1.0, 2.0]]})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"lr is not a scalar: \[1\]"):
            sess.run(momentum, {fed: [0.1]})
        np.testing.assert_array_equal(sess.run(var), [1.0, 2.0])  # failed steps changed nothing


@pytest.mark.parametrize("use_locking", [False, True])
def test_concurrent_steps_lose_no_update(use_locking):
    import threading
    w = tf.Variable(np.zeros(1000, np.float32), name="w")
    train = tf.train.GradientDescentOptimizer(0.5, use_locking=use_locking).minimize(w * np.float32(1.0))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())

        start = threading.Barrier(4)

        def steps():
            start.wait()
            for _ in range(1000):
                sess.run(train)
        threads = [threading.Thread(target=steps) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        np.testing.assert_array_equal(sess.run(w), np.full(1000, -2000.0, np.float32))
