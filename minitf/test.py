"""TF1 `tf.test`: what tests ask about the machine (is a GPU there?)."""
from minitf.runtime.devices import local_devices


def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None):
    """Whether a GPU device is available to sessions (a fake one counts unless `cuda_only`)."""
    del min_cuda_compute_capability
    return any(d.device_type == "GPU" and not (cuda_only and d.fake) for d in local_devices())


def gpu_device_name():
    """The name of the first GPU device, or "" (TF1 `tf.test.gpu_device_name`)."""
    for device in local_devices():
        if device.device_type == "GPU":
            return f"/device:GPU:{device.index}"
    return ""
