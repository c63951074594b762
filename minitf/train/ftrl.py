"""TF1's `tf.train.FtrlOptimizer`: FTRL-Proximal (McMahan et al., 2013) with L1, L2 and L2
shrinkage regularization."""
from minitf.ops import math_ops, training_ops
from minitf.train.optimizer import Optimizer, cast_to


class FtrlOptimizer(Optimizer):
    """TF1 `tf.train.FtrlOptimizer(learning_rate, learning_rate_power=-0.5,
    initial_accumulator_value=0.1, l1_regularization_strength=0.0, l2_regularization_strength=0.0,
    use_locking=False, name="Ftrl", accum_name=None, linear_name=None,
    l2_shrinkage_regularization_strength=0.0, beta=None)`.

    Slots "accum" (`<var>/Ftrl`, initialized to initial_accumulator_value) and "linear"
    (`<var>/Ftrl_1`). With L2 shrinkage the update is ApplyFtrlV2, else ApplyFtrl. `beta` (from
    later TF1 releases) adds beta / (2 * learning_rate) to the L2 strength.
    """

    _sparse_training_op = True  # IndexedSlices gradients update their rows only (TF1's SparseApply*)

    def __init__(self, learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0, use_locking=False,
                 name="Ftrl", accum_name=None, linear_name=None, l2_shrinkage_regularization_strength=0.0,
                 beta=None):
        super().__init__(use_locking, name)
        for value, label, sign in (
                (initial_accumulator_value, "initial_accumulator_value", "positive"),
                (learning_rate_power, "learning_rate_power", "negative"),
                (l1_regularization_strength, "l1_regularization_strength", "positive"),
                (l2_regularization_strength, "l2_regularization_strength", "positive"),
                (l2_shrinkage_regularization_strength, "l2_shrinkage_regularization_strength", "positive")):
            if (value < 0.0) if sign == "positive" else (value > 0.0):
                raise ValueError(f"{label} {value:f} needs to be {sign} or zero")
        self._learning_rate = learning_rate
        self._learning_rate_power = learning_rate_power
        self._initial_accumulator_value = initial_accumulator_value
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength
        self._l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self._beta = beta
        self._accum_name = accum_name
        self._linear_name = linear_name

    def _create_slots(self, var_list):
        for var in var_list:
            self._filled_slot(var, self._initial_accumulator_value, "accum", self._accum_name or self._name)
            self._zeros_slot(var, "linear", self._linear_name or self._name)

    def _prepare(self):
        self._learning_rate_tensor = self._hyperparameter(self._learning_rate, "learning_rate")
        self._l1_tensor = self._hyperparameter(self._l1_regularization_strength, "l1_regularization_strength")
        if self._beta:
            self._l2_tensor = self._hyperparameter(
                self._l2_regularization_strength
                + self._beta / (2.0 * math_ops.maximum(self._learning_rate_tensor, 1e-36)),
                "adjusted_l2_regularization_strength")
        else:
            self._l2_tensor = self._hyperparameter(self._l2_regularization_strength, "l2_regularization_strength")
        self._l2_shrinkage_tensor = self._hyperparameter(self._l2_shrinkage_regularization_strength,
                                                         "l2_shrinkage_regularization_strength")
        self._learning_rate_power_tensor = self._hyperparameter(self._learning_rate_power, "learning_rate_power")

    def _apply_dense(self, grad, var):
        accum, linear = self.get_slot(var, "accum"), self.get_slot(var, "linear")
        head = [cast_to(t, var) for t in (self._learning_rate_tensor, self._l1_tensor, self._l2_tensor)]
        power = cast_to(self._learning_rate_power_tensor, var)
        if self._l2_shrinkage_regularization_strength <= 0.0:
            return training_ops.apply_ftrl(var, accum, linear, grad, *head, power,
                                           use_locking=self._use_locking).op
        return training_ops.apply_ftrl_v2(var, accum, linear, grad, *head,
                                          cast_to(self._l2_shrinkage_tensor, var), power,
                                          use_locking=self._use_locking).op
