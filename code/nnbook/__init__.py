"""nnbook: the NumPy neural-network package of the book."""
