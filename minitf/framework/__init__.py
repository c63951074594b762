"""Framework: dtypes, shapes, graphs, operations, tensors and the op registry."""
