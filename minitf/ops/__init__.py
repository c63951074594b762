"""Graph-building functions, one module per op family (with their op declarations)."""
