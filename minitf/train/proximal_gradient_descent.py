"""TF1's `tf.train.ProximalGradientDescentOptimizer`: a gradient step, then the l1/l2 proximal
shrinkage (FOBOS)."""
from minitf.ops import training_ops
from minitf.train.optimizer import Optimizer, cast_to


class ProximalGradientDescentOptimizer(Optimizer):
    """TF1 `tf.train.ProximalGradientDescentOptimizer(learning_rate, l1_regularization_strength=0.0,
    l2_regularization_strength=0.0, use_locking=False, name="ProximalGradientDescent")`; no slots."""

    _sparse_training_op = True  # IndexedSlices gradients update their rows only (TF1's SparseApply*)

    def __init__(self, learning_rate, l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="ProximalGradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength

    def _prepare(self):
        self._learning_rate_tensor = self._hyperparameter(self._learning_rate, "learning_rate")
        self._l1_tensor = self._hyperparameter(self._l1, "l1_regularization_strength")
        self._l2_tensor = self._hyperparameter(self._l2, "l2_regularization_strength")

    def _apply_dense(self, grad, var):
        return training_ops.apply_proximal_gradient_descent(
            var, cast_to(self._learning_rate_tensor, var), cast_to(self._l1_tensor, var),
            cast_to(self._l2_tensor, var), grad, use_locking=self._use_locking).op
