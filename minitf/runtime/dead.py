"""The value that flows out of the untaken side of a Switch (TF1's "dead" tensors in cond)."""


class _Dead:
    __slots__ = ()

    def __repr__(self):
        return "DEAD"

    def __reduce__(self):
        return "DEAD"


DEAD = _Dead()


# The ops of a cond: plans holding them may see DEAD values, which only the executors' liveness
# guards handle (fused and reordered programs leave such plans alone).
CONTROL_FLOW_OPS = frozenset(["Switch", "RefSwitch", "Merge", "RefMerge"])
