"""Harness cases: the checkpoint ops (minitf/ops/io_ops.py). Each case writes its input with SaveV2
and reads it back with RestoreV2 in the same step; tests/train/test_saver.py checks the Saver."""
import atexit
import itertools
import os
import shutil
import tempfile

import numpy as np

import minitf as tf
from harness import REALS, OpCase, fixed, inputs_of, uniform
from minitf.ops import io_ops

_DIRECTORY = tempfile.mkdtemp(prefix="minitf-io-cases-")
atexit.register(shutil.rmtree, _DIRECTORY, True)
_PREFIXES = (os.path.join(_DIRECTORY, f"ckpt{i}") for i in itertools.count())


def _save_then_restore(x):
    prefix = next(_PREFIXES)
    save = io_ops.save_v2(prefix, ["x"], [""], [x])
    with tf.control_dependencies([save]):
        (restored,) = io_ops.restore_v2(prefix, ["x"], [""], [x.dtype])
    return restored


CASES = [
    OpCase("SaveV2", _save_then_restore, inputs_of(uniform((2, 3))), lambda x: x,
           dtypes=REALS + (tf.float16, tf.bool), exact_shape=False),
    OpCase("RestoreV2", _save_then_restore, fixed(np.array([b"a", b"bc"], dtype=object)), lambda x: x,
           dtypes=(tf.string,), exact_shape=False),
]
