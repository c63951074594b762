"""The PyFunc kernel: calls back into Python on the host."""
