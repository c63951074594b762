"""TF1's `tf.train.RMSPropOptimizer`: a decaying mean of grad^2 (centered: minus the squared
decaying mean of grad) scales the step, which goes through a momentum accumulator."""
from minitf.ops import training_ops
from minitf.train.optimizer import Optimizer, cast_to


class RMSPropOptimizer(Optimizer):
    """TF1 `tf.train.RMSPropOptimizer(learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10,
    use_locking=False, centered=False, name="RMSProp")`.

    Slots, in creation order (hence their names): "rms" (`<var>/RMSProp`, initialized to ones),
    "mg" when centered, then "momentum" (`<var>/RMSProp_1`, or `_2` when centered).
    """

    _sparse_training_op = True  # IndexedSlices gradients update their rows only (TF1's SparseApply*)

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, use_locking=False,
                 centered=False, name="RMSProp"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._decay = decay
        self._momentum = momentum
        self._epsilon = epsilon
        self._centered = centered

    def _create_slots(self, var_list):
        for var in var_list:
            self._filled_slot(var, 1, "rms", self._name, "ones")
            if self._centered:
                self._zeros_slot(var, "mg", self._name)
            self._zeros_slot(var, "momentum", self._name)

    def _prepare(self):
        self._tensors = [self._hyperparameter(value, name) for value, name in (
            (self._learning_rate, "learning_rate"), (self._decay, "decay"), (self._momentum, "momentum"),
            (self._epsilon, "epsilon"))]

    def _apply_dense(self, grad, var):
        hyperparameters = [cast_to(t, var) for t in self._tensors]
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        if self._centered:
            return training_ops.apply_centered_rms_prop(
                var, self.get_slot(var, "mg"), rms, mom, *hyperparameters, grad,
                use_locking=self._use_locking).op
        return training_ops.apply_rms_prop(var, rms, mom, *hyperparameters, grad,
                                           use_locking=self._use_locking).op
