"""`device_lib.list_local_devices()` (TF1's tensorflow.python.client.device_lib), as `tf.device_lib`."""
import collections

from minitf.runtime.devices import local_devices

DeviceAttributes = collections.namedtuple(
    "DeviceAttributes", "name device_type memory_limit incarnation physical_device_desc")


def list_local_devices(session_config=None):
    """The devices a session with `session_config` would get, CPUs first."""
    return [DeviceAttributes(d.name, d.device_type, d.memory_limit, d.index + 1,
                             "fake GPU (NumPy)" if d.fake else d.device_type)
            for d in local_devices(session_config)]
