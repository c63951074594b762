"""The CuPy GPU devices' setup (visible devices, memory fraction, allow_growth), against a stub
`cupy` module that records what the session asks of CuPy: this part runs without a GPU. The
kernels themselves run on a real GPU in the `-m gpu` tier."""
import sys
import types

import numpy as np
import pytest

import minitf as tf
from minitf.runtime.devices import local_devices

TOTAL_MEMORY = 8 << 30


class StubPool:
    def __init__(self, calls):
        self.calls = calls

    def set_limit(self, size):
        self.calls.append(("set_limit", self.current, size))

    def malloc(self, size):
        self.calls.append(("malloc", self.current, size))


def stub_cupy(count):
    calls, current = [], [0]
    cupy = types.ModuleType("cupy")
    pool = StubPool(calls)

    class Device:
        def __init__(self, index):
            self.index = index

        def __enter__(self):
            self.previous, current[0] = current[0], self.index
            pool.current = self.index

        def __exit__(self, *exc):
            current[0] = self.previous

    runtime = types.SimpleNamespace(getDeviceCount=lambda: count, memGetInfo=lambda: (TOTAL_MEMORY // 2, TOTAL_MEMORY))
    cupy.cuda = types.SimpleNamespace(Device=Device, runtime=runtime)
    cupy.get_default_memory_pool = lambda: pool
    cupy.asarray = lambda value: ("on", current[0], np.asarray(value))
    return cupy, calls


@pytest.fixture
def cupy_with(monkeypatch):
    monkeypatch.setenv("MINITF_FAKE_GPUS", "0")

    def install(count):
        cupy, calls = stub_cupy(count)
        monkeypatch.setitem(sys.modules, "cupy", cupy)
        return calls
    return install


def gpu_options(**kwargs):
    return tf.ConfigProto(gpu_options=tf.GPUOptions(**kwargs))


def test_one_device_per_gpu_with_no_pool_limit(cupy_with):
    calls = cupy_with(2)
    gpus = [d for d in local_devices() if d.device_type == "GPU"]
    assert [d.name for d in gpus] == ["/job:localhost/replica:0/task:0/device:GPU:0",
                                      "/job:localhost/replica:0/task:0/device:GPU:1"]
    assert [d.memory_limit for d in gpus] == [TOTAL_MEMORY] * 2 and calls == []


def test_visible_device_list_renumbers_from_zero(cupy_with):
    cupy_with(3)
    gpus = [d for d in local_devices(gpu_options(visible_device_list="2,0")) if d.device_type == "GPU"]
    assert [(d.index, d.physical_index) for d in gpus] == [(0, 2), (1, 0)]
    assert gpus[0].to_device([1.0])[:2] == ("on", 2)


def test_an_invalid_visible_device_is_an_error(cupy_with):
    cupy_with(1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="invalid GPU id '3'"):
        local_devices(gpu_options(visible_device_list="0,3"))


def test_memory_fraction_limits_the_pool_and_reserves_it_unless_allow_growth(cupy_with):
    calls = cupy_with(1)
    gpu, = [d for d in local_devices(gpu_options(per_process_gpu_memory_fraction=0.5)) if d.device_type == "GPU"]
    assert gpu.memory_limit == TOTAL_MEMORY // 2
    assert calls[0] == ("set_limit", 0, TOTAL_MEMORY // 2)
    assert calls[1][:2] == ("malloc", 0) and 0 < calls[1][2] <= TOTAL_MEMORY // 2
    calls.clear()
    local_devices(gpu_options(per_process_gpu_memory_fraction=0.25, allow_growth=True))
    assert calls == [("set_limit", 0, TOTAL_MEMORY // 4)]


def test_a_session_without_cupy_has_no_gpu(monkeypatch):
    monkeypatch.setenv("MINITF_FAKE_GPUS", "0")
    monkeypatch.setitem(sys.modules, "cupy", None)  # `import cupy` raises ImportError
    assert [d.device_type for d in local_devices()] == ["CPU"]


def test_a_gpu_other_than_physical_zero_is_made_current_for_its_kernels(cupy_with):
    """CuPy allocates on its current device: kernels of GPU:0 = physical GPU 1 must run with
    physical 1 current, and CPUs and fake GPUs need no context at all."""
    cupy_with(2)
    gpu, = [d for d in local_devices(gpu_options(visible_device_list="1")) if d.device_type == "GPU"]
    seen = []
    with gpu.context():
        seen.append(sys.modules["cupy"].asarray([0])[1])
    assert seen == [1]
    cpu = local_devices()[0]
    with cpu.context():  # a null context
        pass


def test_convolutions_are_not_chunked_on_a_gpu():
    from minitf.kernels import conv
    assert len(conv._batch_chunks(64, 1 << 20)) > 1
    assert conv._batch_chunks(64, 1 << 20, xp=object()) == [(0, 64)]  # any array module but NumPy
