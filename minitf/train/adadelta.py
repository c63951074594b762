"""TF1's `tf.train.AdadeltaOptimizer` (Zeiler 2012): decaying means of grad^2 ("accum") and of
the squared updates ("accum_update") scale each step."""
from minitf.ops import training_ops
from minitf.train.optimizer import Optimizer, cast_to


class AdadeltaOptimizer(Optimizer):
    """TF1 `tf.train.AdadeltaOptimizer(learning_rate=0.001, rho=0.95, epsilon=1e-08,
    use_locking=False, name="Adadelta")`; slots "accum" (`<var>/Adadelta`) and "accum_update"
    (`<var>/Adadelta_1`), both zeros."""

    _sparse_training_op = True  # IndexedSlices gradients update their rows only (TF1's SparseApply*)

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-8, use_locking=False, name="Adadelta"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._rho = rho
        self._epsilon = epsilon

    def _create_slots(self, var_list):
        for var in var_list:
            self._zeros_slot(var, "accum", self._name)
            self._zeros_slot(var, "accum_update", self._name)

    def _prepare(self):
        self._lr_t = self._hyperparameter(self._lr, "lr")
        self._rho_t = self._hyperparameter(self._rho, "rho")
        self._epsilon_t = self._hyperparameter(self._epsilon, "epsilon")

    def _apply_dense(self, grad, var):
        return training_ops.apply_adadelta(
            var, self.get_slot(var, "accum"), self.get_slot(var, "accum_update"),
            cast_to(self._lr_t, var), cast_to(self._rho_t, var), cast_to(self._epsilon_t, var), grad,
            use_locking=self._use_locking).op
