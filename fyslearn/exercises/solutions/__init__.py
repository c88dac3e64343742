"""The reference solutions of the exercises, one module each, written by hand in plain numpy.

Each module is the single source of its exercise: `fyslearn exercises --dir DIR`
writes it with the body of its function replaced by `raise NotImplementedError`,
and `fyslearn exercises --solutions --dir DIR` writes it as it is.
"""
