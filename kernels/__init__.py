"""Kernel implementations (installed as `minitf.kernels`). Importing this package registers them all.

Most kernels are written once against an array module `xp` (NumPy or CuPy) and registered for
both device types; `cpu/` holds kernels that only make sense on the host.
"""
import warnings

# TF1 kernels return inf/nan silently where NumPy would warn (x / 0, log(0)); generated plans
# run under the module name "minitf.plan".
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"minitf\.(kernels|plan|runtime\.fusion)")

from minitf.kernels import (array, control, conv, data_flow, gradient, io, math, nn,  # noqa: E402,F401
                            parsing, random, reader, sequence, state, summary, training)
from minitf.kernels.cpu import script  # noqa: E402,F401
from minitf.kernels import index  # noqa: E402,F401
from minitf.kernels import scan, segment  # noqa: E402,F401
from minitf.kernels import linalg  # noqa: E402,F401
from minitf.kernels import candidate_sampling  # noqa: E402,F401
from minitf.kernels import sparse  # noqa: E402,F401
from minitf.kernels import resize  # noqa: E402,F401
