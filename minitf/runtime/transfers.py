"""Transfers between memory spaces: the plan's Send/Recv steps.

A value lives in the memory of the device that produced it (feeds in host memory). When a
consumer's device has another memory space (a GPU consuming a host value, a CPU consuming a GPU
value) the plan inserts one transfer per (tensor, destination space), shared by every consumer
there. As in TF1, int32 values (shapes, axes, indices) stay in host memory even for GPU ops.
Virtual CPUs share host memory, so moving between them costs nothing.
"""
from minitf.runtime.devices import to_host
from minitf.runtime.kernel_registry import in_host_memory, produced_in_host_memory

HOST = "host"


def source_space(tensor, device_of, fed):
    """The memory space `tensor`'s value is in when produced (or fed)."""
    if tensor in fed or tensor.op not in device_of or produced_in_host_memory(tensor):
        return HOST
    return device_of[tensor.op].memory_space


def needed_space(tensor, consumer_device):
    return HOST if in_host_memory(tensor) else consumer_device.memory_space


def transfer_function(space, devices):
    """The function moving a value into memory `space`."""
    if space == HOST:
        return to_host
    device = next(d for d in devices if d.memory_space == space)
    return device.to_device
