"""MNIST, read from the four standard IDX files shipped with fyslearn.

The files are LeCun's originals (gzip-compressed). Each is parsed with numpy:
the IDX header's magic number and dimensions are checked before the pixels are
decompressed (never more bytes than the dimensions need), and the MD5 of the
decompressed bytes is compared with the published checksum, so a corrupt,
truncated or oversized file raises an error naming it instead of returning
wrong digits or filling the memory.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import math
import os
import zlib
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike

from .._validation import check_positive_int

__all__ = ["MNIST_FILES", "load_mnist", "load_mnist_split"]

#: Standard file name -> (MD5 of the decompressed content, IDX dimensions), smallest
#: first, so that a damaged small file is reported before the large ones are read.
MNIST_FILES: dict[str, tuple[str, tuple[int, ...]]] = {
    "t10k-labels-idx1-ubyte.gz": ("27ae3e4e09519cfbb04c329615203637", (10000,)),
    "train-labels-idx1-ubyte.gz": ("a25bea736e30d166cdddb491f175f624", (60000,)),
    "t10k-images-idx3-ubyte.gz": ("2646ac647ad5339dbf082846283269ea", (10000, 28, 28)),
    "train-images-idx3-ubyte.gz": ("6bbc9ace898e44ae57da46a324031adb", (60000, 28, 28)),
}

BUNDLED = Path(__file__).parent / "data"
UBYTE_TYPE_CODE = 0x08


def _data_folder(data_home: str | os.PathLike | None) -> Path:
    """`data_home`, else `$FYSLEARN_DATA`, else the copy inside the package."""
    if data_home is None:
        data_home = os.environ.get("FYSLEARN_DATA") or None
        source = "FYSLEARN_DATA"
    else:
        source = "data_home"
    if data_home is None:
        return BUNDLED
    folder = Path(data_home).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"{source} points to {folder}, which is not a folder.")
    return folder


def _read_idx(path: Path, expected_md5: str, expected_shape: tuple[int, ...]) -> np.ndarray:
    """Decompress, check and parse one IDX file of unsigned bytes.

    The header is read and compared with `expected_shape` first, and never
    more than the bytes that shape needs (plus one, to detect excess) are
    decompressed: a gzip bomb in place of an MNIST file costs no memory.
    """
    if not path.is_file():
        raise FileNotFoundError(f"MNIST file {path} is missing.")
    header_size = 4 + 4 * len(expected_shape)
    payload_size = math.prod(expected_shape)
    try:
        with gzip.open(path, "rb") as file:
            header = file.read(header_size)
            _check_idx_header(path, header, expected_shape)
            payload = file.read(payload_size + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"MNIST file {path} is corrupt or truncated ({error}).") from None
    if len(payload) > payload_size:
        raise ValueError(
            f"MNIST file {path} holds more than the {payload_size} bytes of its "
            f"dimensions {expected_shape}."
        )
    if hashlib.md5(header + payload).hexdigest() != expected_md5:
        raise ValueError(
            f"MNIST file {path} is corrupt: the MD5 of its content is not the published "
            f"{expected_md5}."
        )
    return np.frombuffer(payload, np.uint8).reshape(expected_shape)


def _check_idx_header(path: Path, header: bytes, expected_shape: tuple[int, ...]) -> None:
    """The magic number (unsigned bytes, `len(expected_shape)` dimensions) and the dimensions."""
    if len(header) < 4 or tuple(header[:4]) != (0, 0, UBYTE_TYPE_CODE, len(expected_shape)):
        raise ValueError(f"MNIST file {path} has a bad IDX magic number {header[:4].hex()}.")
    if len(header) < 4 + 4 * len(expected_shape):
        raise ValueError(f"MNIST file {path} is truncated inside its IDX header.")
    shape = tuple(int(d) for d in np.frombuffer(header, ">u4", offset=4))
    if shape != expected_shape:
        raise ValueError(f"MNIST file {path} has dimensions {shape}, expected {expected_shape}.")


@functools.lru_cache(maxsize=2)
def _load_uint8(folder: Path) -> tuple[np.ndarray, ...]:
    """Train images, train labels, test images, test labels (uint8), read once per folder."""
    arrays = {name: _read_idx(folder / name, *MNIST_FILES[name]) for name in MNIST_FILES}
    return (
        arrays["train-images-idx3-ubyte.gz"],
        arrays["train-labels-idx1-ubyte.gz"],
        arrays["t10k-images-idx3-ubyte.gz"],
        arrays["t10k-labels-idx1-ubyte.gz"],
    )


def load_mnist(
    data_home: str | os.PathLike | None = None, dtype: DTypeLike = np.float32
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load the standard MNIST split, pixels scaled to [0, 1].

    Args:
        data_home: Folder holding the four IDX files under their standard names
            (`train-images-idx3-ubyte.gz`, ...). Default: `$FYSLEARN_DATA` if
            set, else the copy shipped with fyslearn (works offline).
        dtype: Floating-point type of the images.

    Returns:
        `(X_train, y_train, X_test, y_test)` with shapes `(60000, 784)`,
        `(60000,)`, `(10000, 784)`, `(10000,)`; labels are `int64` digits.
        Fresh arrays on every call (the parsed bytes are cached in memory).

    Raises:
        FileNotFoundError: The folder or one of the files does not exist.
        ValueError: A file is corrupt, truncated or not the expected IDX file.
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a floating-point type, got {dtype}.")
    train_images, train_labels, test_images, test_labels = _load_uint8(_data_folder(data_home))
    scale = dtype.type(1.0 / 255.0)
    return (
        train_images.reshape(len(train_images), -1).astype(dtype) * scale,
        train_labels.astype(np.int64),
        test_images.reshape(len(test_images), -1).astype(dtype) * scale,
        test_labels.astype(np.int64),
    )


def load_mnist_split(
    n_train: int | None = None, dtype: DTypeLike = np.float32
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The report's MNIST data: the first `n_train` training images and the whole test set.

    Args:
        n_train: Number of training images kept (the first ones); `None` keeps all 60 000.
        dtype: Floating-point type of the images.

    Returns:
        `(X_train, y_train, X_test, y_test)` as [load_mnist][fyslearn.datasets.load_mnist]
        gives them, with `X_train` of shape `(n_train, 784)` and `y_train` of shape `(n_train,)`.

    Raises:
        ValueError: `n_train` is not a positive integer.
    """
    if n_train is not None:
        n_train = check_positive_int(n_train, "n_train")
    X_train, y_train, X_test, y_test = load_mnist(dtype=dtype)
    return X_train[:n_train], y_train[:n_train], X_test, y_test
