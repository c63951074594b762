"""TF1's `tf.DeviceSpec`: parse, merge and print device strings such as `/job:ps/task:0/device:GPU:1`."""
import re

_DEVICE_TYPES = {"cpu": "CPU", "gpu": "GPU"}


class DeviceSpec:
    """A possibly partial device name; unset fields are None (TF1 `tf.DeviceSpec`)."""

    __slots__ = ("job", "replica", "task", "device_type", "device_index")

    def __init__(self, job=None, replica=None, task=None, device_type=None, device_index=None):
        self.job = job
        self.replica = None if replica is None else int(replica)
        self.task = None if task is None else int(task)
        self.device_type = device_type
        self.device_index = device_index

    @classmethod
    def from_string(cls, spec):
        return cls().parse_from_string(spec)

    def parse_from_string(self, spec):
        """Fills fields from `spec`; raises ValueError for anything TF1 would not parse."""
        if spec is None:
            return self
        if not isinstance(spec, str):
            raise TypeError(f"Device specification must be a string, got {spec!r}")
        for part in filter(None, spec.split("/")):
            fields = part.split(":")
            key = fields[0].lower()
            if len(fields) == 2 and key == "job":
                self.job = fields[1]
            elif len(fields) == 2 and key in ("replica", "task") and _is_index(fields[1]):
                setattr(self, key, int(fields[1]))
            elif len(fields) in (2, 3) and key == "device":
                self._set_device(fields[1], fields[2] if len(fields) == 3 else None, spec)
            elif len(fields) in (1, 2) and key in _DEVICE_TYPES:
                self._set_device(fields[0], fields[1] if len(fields) == 2 else None, spec)
            else:
                raise ValueError(f"Unknown attribute: '{part}' in '{spec}'")
        return self

    def _set_device(self, device_type, index, spec):
        if device_type.lower() not in _DEVICE_TYPES:
            raise ValueError(f"Unknown device type '{device_type}' in '{spec}'")
        if index is not None and index != "*" and not _is_index(index):
            raise ValueError(f"Bad device index '{index}' in '{spec}'")
        self.device_type = _DEVICE_TYPES[device_type.lower()]
        self.device_index = None if index in (None, "*") else int(index)

    def merge_from(self, other):
        """Overrides this spec's fields with the fields `other` sets."""
        for field in self.__slots__:
            value = getattr(other, field)
            if value is not None:
                setattr(self, field, value)

    def make_merged_spec(self, other):
        merged = self.copy()
        merged.merge_from(other)
        return merged

    def copy(self):
        return DeviceSpec(self.job, self.replica, self.task, self.device_type, self.device_index)

    def to_string(self):
        parts = []
        if self.job is not None:
            parts.append(f"/job:{self.job}")
        if self.replica is not None:
            parts.append(f"/replica:{self.replica}")
        if self.task is not None:
            parts.append(f"/task:{self.task}")
        if self.device_type is not None:
            index = "*" if self.device_index is None else self.device_index
            parts.append(f"/device:{self.device_type}:{index}")
        return "".join(parts)

    def __eq__(self, other):
        return isinstance(other, DeviceSpec) and self.to_string() == other.to_string()

    def __hash__(self):
        return hash(self.to_string())

    def __repr__(self):
        return f"DeviceSpec({self.to_string()!r})"


def _is_index(text):
    return re.fullmatch(r"\d+", text) is not None


def canonical_name(spec):
    """The merged string form of a device string or DeviceSpec ('' for none)."""
    if spec is None or spec == "":
        return ""
    if isinstance(spec, DeviceSpec):
        return spec.to_string()
    return DeviceSpec.from_string(spec).to_string()


def merge_device(spec):
    """A device function for a `tf.device(spec)` scope. Scopes apply innermost first, so the fields
    an op already has (set by an inner scope) win over this outer spec's (TF1's MergeDevice)."""
    parsed = spec if isinstance(spec, DeviceSpec) else DeviceSpec.from_string(spec)

    def merge(op):
        merged = parsed.copy()
        if op.device:
            merged.merge_from(DeviceSpec.from_string(op.device))
        return merged.to_string()
    return merge
