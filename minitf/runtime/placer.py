"""TF1's simple placer: keep an earlier placement, follow colocation, honour pins, else the default device."""
import sys

from minitf.framework import errors
from minitf.runtime.devices import parse_spec
from minitf.runtime.kernel_registry import find_kernel


class Placer:
    """Chooses a device for each op, once per session; the choice is kept for later plans."""

    def __init__(self, devices, allow_soft_placement=False, log_device_placement=False):
        self._devices = devices
        self._default = next((d for d in devices if d.device_type == "GPU"), devices[0])
        self._soft = allow_soft_placement
        self._log = log_device_placement
        self._placements = {}

    def place(self, op):
        device = self._placements.get(op)
        if device is None:
            device = self._placements[op] = self._choose(op)
            if self._log:
                print(f"{op.name}: ({op.type}): {device.name}", file=sys.stderr)
        return device

    def _choose(self, op):
        colocated = self._colocation_root(op)
        if colocated is not None:
            device = self.place(colocated)
            if find_kernel(op, device.device_type) is not None:
                return device
        spec = parse_spec(op.device)
        candidates = [d for d in self._devices if d.matches(spec)] if op.device else [self._default] + [
            d for d in self._devices if d is not self._default]
        if op.device and not candidates:
            if self._soft:
                return self._fallback(op)
            available = ", ".join(d.name for d in self._devices)
            raise errors.InvalidArgumentError(None, op, (
                f"Cannot assign a device for operation {op.name}: Operation was explicitly assigned to "
                f"{op.device} but available devices are [ {available} ]. Make sure the device "
                "specification refers to a valid device."))
        for device in candidates:
            if find_kernel(op, device.device_type) is not None:
                return device
        if self._soft or not op.device:
            return self._fallback(op)
        raise errors.InvalidArgumentError(None, op, (
            f"Cannot assign a device for operation {op.name}: Could not satisfy explicit device "
            f"specification '{op.device}' because no supported kernel for "
            f"{candidates[0].device_type} devices is available."))

    def _fallback(self, op):
        for device in self._devices:
            if find_kernel(op, device.device_type) is not None:
                return device
        dtype = op._attrs.get("T", op._attrs.get("dtype"))
        raise errors.NotFoundError(None, op, f"No registered '{op.type}' OpKernel for any device "
                                   f"compatible with node {op.name}" + (f" (T={dtype.name})" if dtype else ""))

    @staticmethod
    def _colocation_root(op):
        groups = op._attrs.get("_class")
        if not groups:
            return None
        name = groups[0][len("loc:@"):]
        if name == op.name:
            return None
        return op.graph._ops_by_name.get(name)
