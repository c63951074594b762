"""TF1's `tf.train.AdamOptimizer` (Kingma & Ba): decaying means m of grad and v of grad^2,
bias-corrected through the non-slot variables beta1_power and beta2_power."""
from minitf.framework.default_graph import colocate_with, control_dependencies, get_default_graph
from minitf.ops import math_ops, state_ops, training_ops
from minitf.ops.control_flow_ops import group
from minitf.train.optimizer import Optimizer, cast_to


class AdamOptimizer(Optimizer):
    """TF1 `tf.train.AdamOptimizer(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08,
    use_locking=False, name="Adam")`.

    Slots "m" (`<var>/Adam`) and "v" (`<var>/Adam_1`); `beta1_power` and `beta2_power` are
    float32 variables colocated with the first variable by name, multiplied by beta1 and beta2
    after each step.
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, use_locking=False,
                 name="Adam"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._beta1 = beta1
        self._beta2 = beta2
        self._epsilon = epsilon

    def _get_beta_accumulators(self):
        graph = get_default_graph()
        return (self._get_non_slot_variable("beta1_power", graph),
                self._get_non_slot_variable("beta2_power", graph))

    def _create_slots(self, var_list):
        first_var = min(var_list, key=lambda v: v.name)
        self._create_non_slot_variable(self._beta1, "beta1_power", first_var)
        self._create_non_slot_variable(self._beta2, "beta2_power", first_var)
        for var in var_list:
            self._zeros_slot(var, "m", self._name)
            self._zeros_slot(var, "v", self._name)

    def _prepare(self):
        self._lr_t = self._hyperparameter(self._lr, "learning_rate")
        self._beta1_t = self._hyperparameter(self._beta1, "beta1")
        self._beta2_t = self._hyperparameter(self._beta2, "beta2")
        self._epsilon_t = self._hyperparameter(self._epsilon, "epsilon")

    def _apply_dense(self, grad, var):
        beta1_power, beta2_power = self._get_beta_accumulators()
        return training_ops.apply_adam(
            var, self.get_slot(var, "m"), self.get_slot(var, "v"), cast_to(beta1_power, var),
            cast_to(beta2_power, var), cast_to(self._lr_t, var), cast_to(self._beta1_t, var),
            cast_to(self._beta2_t, var), cast_to(self._epsilon_t, var), grad,
            use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        """TF1's sparse Adam: every row of m and v decays, the named rows add their slices
        (ScatterAdd), and the whole variable takes the step (rows with m = 0 do not move)."""
        beta1_power, beta2_power = (cast_to(p, var) for p in self._get_beta_accumulators())
        lr, beta1, beta2, epsilon = (cast_to(t, var) for t in (self._lr_t, self._beta1_t, self._beta2_t,
                                                                  self._epsilon_t))
        lr = lr * math_ops.sqrt(1 - beta2_power) / (1 - beta1_power)
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        m_t = state_ops.assign(m, m * beta1, use_locking=self._use_locking)
        with control_dependencies([m_t]):
            m_t = state_ops.scatter_add(m, grad.indices, grad.values * (1 - beta1), use_locking=self._use_locking)
        v_t = state_ops.assign(v, v * beta2, use_locking=self._use_locking)
        with control_dependencies([v_t]):
            v_t = state_ops.scatter_add(v, grad.indices, (grad.values * grad.values) * (1 - beta2),
                                        use_locking=self._use_locking)
        var_update = state_ops.assign_sub(var, lr * m_t / (math_ops.sqrt(v_t) + epsilon),
                                          use_locking=self._use_locking)
        return group(var_update, m_t, v_t)

    def _finish(self, update_ops, name_scope):
        with control_dependencies(update_ops):
            beta1_power, beta2_power = self._get_beta_accumulators()
            with colocate_with(beta1_power.op):
                update_beta1 = beta1_power.assign(beta1_power * self._beta1_t, use_locking=self._use_locking)
                update_beta2 = beta2_power.assign(beta2_power * self._beta2_t, use_locking=self._use_locking)
        return group(*update_ops, update_beta1, update_beta2, name=name_scope)
