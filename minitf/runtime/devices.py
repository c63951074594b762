"""Local devices a session places ops on: CPU devices backed by NumPy (GPU devices come with CuPy)."""
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


def local_devices(config=None):
    """The devices a local session gets: `device_count["CPU"]` CPU devices (default one)."""
    cpu_count = 1
    if config is not None and "CPU" in config.device_count:
        cpu_count = max(1, config.device_count["CPU"])
    return [Device("CPU", i, numpy) for i in range(cpu_count)]


def parse_spec(device_string):
    return DeviceSpec.from_string(device_string) if device_string else DeviceSpec()
