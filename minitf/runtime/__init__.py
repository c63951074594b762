"""Runtime: sessions, plans, placement, devices, kernels registry and resources."""
