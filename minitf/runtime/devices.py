"""Local devices a session places ops on.

CPU devices compute with NumPy and share host memory. GPU devices compute with CuPy, one per
visible GPU (CUDA_VISIBLE_DEVICES, `gpu_options.visible_device_list`). Setting the environment
variable MINITF_FAKE_GPUS=N adds N fake GPUs backed by NumPy instead: each has a memory space of
its own, so placement, GPU kernel registration and transfers run in CI without a GPU.
"""
import contextlib
import ctypes
import ctypes.util
import os
import sys

import numpy

from minitf.framework import errors
from minitf.framework.device_spec import DeviceSpec
from minitf.runtime.dead import DEAD

LOCAL_PREFIX = "/job:localhost/replica:0/task:0"


class Device:
    """A device: its full name, type, index, the array module its kernels compute with, and the
    memory space its values live in (all CPUs share the host's)."""

    def __init__(self, device_type, index, xp, memory_limit=0, fake=False, physical_index=None):
        self.device_type = device_type
        self.index = index
        # Visible GPUs are renumbered from 0 in list order (TF1's visible_device_list); CuPy
        # addresses the physical one.
        self.physical_index = index if physical_index is None else physical_index
        self.xp = xp
        self.memory_limit = memory_limit
        self.fake = fake
        self.name = f"{LOCAL_PREFIX}/device:{device_type}:{index}"
        self.memory_space = "host" if device_type == "CPU" else self.name
        # A CuPy GPU: its kernels must run with it current (CuPy allocates on the current device).
        self.needs_context = device_type == "GPU" and not fake

    def matches(self, spec):
        """Whether this device satisfies a (possibly partial) DeviceSpec."""
        if spec.job not in (None, "localhost") or spec.replica not in (None, 0) or spec.task not in (None, 0):
            return False
        if spec.device_type is not None and spec.device_type != self.device_type:
            return False
        return spec.device_index is None or spec.device_index == self.index

    @property
    def memory_limit_bytes(self):
        return self.memory_limit

    def context(self):
        """Where this device's kernels run: CuPy allocates on its *current* device, so a real GPU
        other than physical 0 must be made current around its kernels (a no-op elsewhere)."""
        if not self.needs_context:
            return contextlib.nullcontext()
        return self.xp.cuda.Device(self.physical_index)

    def to_device(self, value):
        """`value` (a host or other device's value) copied into this device's memory."""
        if self.fake or value is DEAD:
            return value if value is DEAD else self.xp.array(value, copy=True)
        with self.xp.cuda.Device(self.physical_index):
            return self.xp.asarray(value)

    def __repr__(self):
        return f"Device({self.name})"


def to_host(value):
    """`value` in host memory: CuPy arrays are copied back (a 0-d one as a NumPy scalar, as
    host values are); NumPy values pass through."""
    getter = getattr(value, "get", None)
    if getter is None or isinstance(value, (numpy.ndarray, numpy.generic)):
        return value
    host = getter()
    return host[()] if getattr(host, "ndim", None) == 0 else host


def _keep_freed_buffers_in_the_heap():
    """Stops glibc from returning every large freed array to the OS (its default for blocks over
    128 KiB up to 32 MiB): a training step frees and re-allocates the same tensor sizes every
    time, and fresh mappings cost a page fault per 4 KiB. TF's own allocators cache buffers the
    same way. The setting is process-wide and only affects glibc's malloc."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-3, 32 * 1024 * 1024)   # M_MMAP_THRESHOLD: glibc's maximum
        libc.mallopt(-1, 256 * 1024 * 1024)  # M_TRIM_THRESHOLD: keep up to 256 MiB of free heap
    except (OSError, AttributeError):
        pass


_keep_freed_buffers_in_the_heap()


def local_devices(config=None):
    """The devices a local session gets: `device_count["CPU"]` CPUs (default 1), then the GPUs
    (fake ones when MINITF_FAKE_GPUS is set, else CuPy's), at most `device_count["GPU"]`."""
    counts = dict(config.device_count) if config is not None else {}
    devices = [Device("CPU", i, numpy) for i in range(max(1, counts.get("CPU", 1)))]
    gpu_options = config.gpu_options if config is not None else None
    gpus = _fake_gpus() or _cupy_gpus(gpu_options)
    if "GPU" in counts:
        gpus = gpus[:counts["GPU"]]
    return devices + gpus


def _fake_gpus():
    count = int(os.environ.get("MINITF_FAKE_GPUS", "0") or 0)
    return [Device("GPU", i, numpy, fake=True) for i in range(count)]


def _cupy_gpus(gpu_options):
    """One device per GPU CuPy sees; the memory pool honours per_process_gpu_memory_fraction and
    reserves it up front unless allow_growth (TF1's GPUOptions)."""
    try:
        import cupy
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception:  # noqa: BLE001 - no CuPy, no driver or no GPU: a CPU-only session
        return []
    visible = range(count)
    if gpu_options is not None and gpu_options.visible_device_list:
        visible = [int(i) for i in gpu_options.visible_device_list.split(",")]
        invalid = [i for i in visible if not 0 <= i < count]
        if invalid:
            raise errors.InvalidArgumentError(
                None, None, f"'visible_device_list' listed an invalid GPU id '{invalid[0]}' but "
                            f"visible device count is {count}")
    devices = []
    for index, physical in enumerate(visible):
        with cupy.cuda.Device(physical):
            total = cupy.cuda.runtime.memGetInfo()[1]
            fraction = gpu_options.per_process_gpu_memory_fraction if gpu_options is not None else 0
            pool = cupy.get_default_memory_pool()
            if fraction:
                pool.set_limit(size=int(total * fraction))
                if not gpu_options.allow_growth:
                    # Reserve the fraction now: the block is dropped at once and stays cached
                    # in CuPy's pool for later allocations.
                    pool.malloc(int(total * fraction * 0.9))
            devices.append(Device("GPU", index, cupy, memory_limit=int(total * (fraction or 1)),
                                  physical_index=physical))
    return devices


def parse_spec(device_string):
    return DeviceSpec.from_string(device_string) if device_string else DeviceSpec()
