"""The kernel registry: every op has a CPU kernel, and the ops without a GPU kernel are exactly the
documented list (kernels/cpu/__init__.py)."""
import minitf  # noqa: F401 - registers every op and kernel
from minitf.framework.op_def import registered_ops
from minitf.kernels.cpu import CPU_ONLY_OPS
from minitf.runtime.kernel_registry import has_kernel


def test_every_op_has_a_cpu_kernel():
    assert [name for name in registered_ops() if not has_kernel(name, "CPU")] == []


def test_ops_without_a_gpu_kernel_are_the_documented_ones():
    cpu_only = {name for name in registered_ops() if not has_kernel(name, "GPU")}
    assert cpu_only == set(CPU_ONLY_OPS)
