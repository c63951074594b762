"""TF1's `tf.train.GradientDescentOptimizer`: var -= learning_rate * grad."""
from minitf.ops import state_ops, training_ops
from minitf.train.optimizer import Optimizer, cast_to


class GradientDescentOptimizer(Optimizer):
    """TF1 `tf.train.GradientDescentOptimizer(learning_rate, use_locking=False, name="GradientDescent")`."""

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._learning_rate_tensor = None

    def _prepare(self):
        self._learning_rate_tensor = self._hyperparameter(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        return training_ops.apply_gradient_descent(
            var, cast_to(self._learning_rate_tensor, var), grad, use_locking=self._use_locking).op

    def _apply_sparse_duplicate_indices(self, grad, var):
        """TF1's: the named rows minus learning_rate times their slices, by ScatterSub (which
        subtracts a repeated row's slices in turn, so no summing first)."""
        delta = grad.values * cast_to(self._learning_rate_tensor, var)
        return state_ops.scatter_sub(var, grad.indices, delta, use_locking=self._use_locking).op
