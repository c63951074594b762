"""TF1's `tf.train.AdagradOptimizer`: accum += grad^2; var -= lr * grad / sqrt(accum)."""
from minitf.ops import training_ops
from minitf.train.optimizer import Optimizer, cast_to


class AdagradOptimizer(Optimizer):
    """TF1 `tf.train.AdagradOptimizer(learning_rate, initial_accumulator_value=0.1,
    use_locking=False, name="Adagrad")`; its slot is "accumulator" (`<var>/Adagrad`)."""

    _sparse_training_op = True  # IndexedSlices gradients update their rows only (TF1's SparseApply*)

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False, name="Adagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: {initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list):
        for var in var_list:
            self._filled_slot(var, self._initial_accumulator_value, "accumulator", self._name)

    def _prepare(self):
        self._learning_rate_tensor = self._hyperparameter(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        return training_ops.apply_adagrad(
            var, self.get_slot(var, "accumulator"), cast_to(self._learning_rate_tensor, var), grad,
            use_locking=self._use_locking).op
