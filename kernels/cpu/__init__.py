"""Kernels that run only on the CPU (NumPy)."""
