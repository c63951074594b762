"""Local devices a session places ops on: CPU devices backed by NumPy (GPU devices come with CuPy)."""
import ctypes
import ctypes.util
import sys

import numpy

from minitf.framework.device_spec import DeviceSpec

LOCAL_PREFIX = "/job:localhost/replica:0/task:0"


class Device:
    """A device: its full name, type, index and the array module its kernels compute with."""

    def __init__(self, device_type, index, xp, memory_limit=0):
        self.device_type = device_type
        self.index = index
        self.xp = xp
        self.memory_limit = memory_limit
        self.name = f"{LOCAL_PREFIX}/device:{device_type}:{index}"

    def matches(self, spec):
        """Whether this device satisfies a (possibly partial) DeviceSpec."""
        if spec.job not in (None, "localhost") or spec.replica not in (None, 0) or spec.task not in (None, 0):
            return False
        if spec.device_type is not None and spec.device_type != self.device_type:
            return False
        return spec.device_index is None or spec.device_index == self.index

    def __repr__(self):
        return f"Device({self.name})"


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
    """The devices a local session gets: `device_count["CPU"]` CPU devices (default one)."""
    cpu_count = 1
    if config is not None and "CPU" in config.device_count:
        cpu_count = max(1, config.device_count["CPU"])
    return [Device("CPU", i, numpy) for i in range(cpu_count)]


def parse_spec(device_string):
    return DeviceSpec.from_string(device_string) if device_string else DeviceSpec()
