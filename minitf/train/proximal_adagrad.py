"""TF1's `tf.train.ProximalAdagradOptimizer`: an Adagrad step, then the l1/l2 proximal shrinkage
at the per-entry Adagrad rate."""
from minitf.ops import training_ops
from minitf.train.optimizer import Optimizer, cast_to


class ProximalAdagradOptimizer(Optimizer):
    """TF1 `tf.train.ProximalAdagradOptimizer(learning_rate, initial_accumulator_value=0.1,
    l1_regularization_strength=0.0, l2_regularization_strength=0.0, use_locking=False,
    name="ProximalAdagrad")`; its slot is "accumulator" (`<var>/ProximalAdagrad`)."""

    _sparse_training_op = True  # IndexedSlices gradients update their rows only (TF1's SparseApply*)

    def __init__(self, learning_rate, initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, use_locking=False, name="ProximalAdagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: {initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength

    def _create_slots(self, var_list):
        for var in var_list:
            self._filled_slot(var, self._initial_accumulator_value, "accumulator", self._name)

    def _prepare(self):
        self._learning_rate_tensor = self._hyperparameter(self._learning_rate, "learning_rate")
        self._l1_tensor = self._hyperparameter(self._l1, "l1_regularization_strength")
        self._l2_tensor = self._hyperparameter(self._l2, "l2_regularization_strength")

    def _apply_dense(self, grad, var):
        return training_ops.apply_proximal_adagrad(
            var, self.get_slot(var, "accumulator"), cast_to(self._learning_rate_tensor, var),
            cast_to(self._l1_tensor, var), cast_to(self._l2_tensor, var), grad,
            use_locking=self._use_locking).op
