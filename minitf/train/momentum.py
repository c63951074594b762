"""TF1's `tf.train.MomentumOptimizer`: accum = accum * momentum + grad; var -= lr * accum
(Nesterov: var -= lr * (grad + momentum * accum))."""
from minitf.ops import training_ops
from minitf.train.optimizer import Optimizer, cast_to


class MomentumOptimizer(Optimizer):
    """TF1 `tf.train.MomentumOptimizer(learning_rate, momentum, use_locking=False, name="Momentum",
    use_nesterov=False)`; its slot is "momentum" (`<var>/Momentum`)."""

    _sparse_training_op = True  # IndexedSlices gradients update their rows only (TF1's SparseApply*)

    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum", use_nesterov=False):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list):
        for var in var_list:
            self._zeros_slot(var, "momentum", self._name)

    def _prepare(self):
        self._learning_rate_tensor = self._hyperparameter(self._learning_rate, "learning_rate")
        self._momentum_tensor = self._hyperparameter(self._momentum, "momentum")

    def _apply_dense(self, grad, var):
        return training_ops.apply_momentum(
            var, self.get_slot(var, "momentum"), cast_to(self._learning_rate_tensor, var), grad,
            cast_to(self._momentum_tensor, var), use_locking=self._use_locking,
            use_nesterov=self._use_nesterov).op
