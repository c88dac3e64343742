"""The bundled MNIST loader: shapes, contents, and refusal of damaged files."""

import gzip
import hashlib
import shutil

import numpy as np
import pytest

from fyslearn.datasets import load_mnist
from fyslearn.datasets._mnist import BUNDLED, MNIST_FILES

# Published class counts of the standard split.
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


def test_shapes_dtypes_and_ranges(mnist):
    X_train, y_train, X_test, y_test = mnist
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    assert X_test.min() == 0.0 and X_test.max() == 1.0


def test_label_counts_are_the_published_ones(mnist):
    _, y_train, _, y_test = mnist
    assert np.bincount(y_train).tolist() == TRAIN_COUNTS
    assert np.bincount(y_test).tolist() == TEST_COUNTS


def test_float64_and_fresh_arrays():
    X_a = load_mnist(dtype=np.float64)[2]
    X_b = load_mnist(dtype=np.float64)[2]
    assert X_a.dtype == np.float64
    X_a[0, 0] = 7.0  # the caller may write to its arrays ...
    assert X_b[0, 0] == 0.0  # ... without touching another call's


def _copy_bundle(tmp_path):
    for name in MNIST_FILES:
        shutil.copy(BUNDLED / name, tmp_path / name)
    return tmp_path


def test_data_home_and_environment_variable(tmp_path, monkeypatch, mnist):
    folder = _copy_bundle(tmp_path)
    np.testing.assert_array_equal(load_mnist(data_home=folder)[3], mnist[3])
    monkeypatch.setenv("FYSLEARN_DATA", str(folder))
    np.testing.assert_array_equal(load_mnist()[1], mnist[1])


def test_missing_folder_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("FYSLEARN_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match=r"FYSLEARN_DATA points to .*nowhere"):
        load_mnist()
    with pytest.raises(FileNotFoundError, match="data_home"):
        load_mnist(data_home=tmp_path / "nowhere")


def test_missing_file_is_named(tmp_path):
    folder = _copy_bundle(tmp_path)
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match=r"t10k-labels-idx1-ubyte\.gz"):
        load_mnist(data_home=folder)


def _rewrite(path, transform):
    with gzip.open(path, "rb") as file:
        content = bytearray(file.read())
    with gzip.open(path, "wb") as file:
        file.write(bytes(transform(content)))


def _flip_pixel(content):
    content[5000] ^= 0x01  # one label changed
    return content


def _bad_magic(content):
    content[2] = 0x09
    return content


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda path: _rewrite(path, _flip_pixel), "MD5"),
        (lambda path: _rewrite(path, lambda c: c[: len(c) // 2]), "MD5"),
        (lambda path: path.write_bytes(path.read_bytes()[:-1000]), "corrupt or truncated"),
        (lambda path: path.write_bytes(b"not gzip at all"), "corrupt or truncated"),
    ],
    ids=["flipped-pixel", "short-content", "truncated-gzip", "not-gzip"],
)
def test_damaged_file_is_refused_with_its_name(tmp_path, damage, message):
    folder = _copy_bundle(tmp_path)
    target = folder / "t10k-labels-idx1-ubyte.gz"
    damage(target)
    with pytest.raises(ValueError, match=rf"t10k-labels-idx1-ubyte\.gz.*{message}"):
        load_mnist(data_home=folder)


def test_bad_magic_number_is_refused(tmp_path, monkeypatch):
    folder = _copy_bundle(tmp_path)
    target = folder / "t10k-labels-idx1-ubyte.gz"
    _rewrite(target, _bad_magic)
    with gzip.open(target, "rb") as file:
        digest = hashlib.md5(file.read()).hexdigest()
    shape = MNIST_FILES[target.name][1]
    monkeypatch.setitem(MNIST_FILES, target.name, (digest, shape))  # pass the checksum
    with pytest.raises(ValueError, match="bad IDX magic number"):
        load_mnist(data_home=folder)


def test_non_float_dtype_is_refused():
    with pytest.raises(ValueError, match="dtype"):
        load_mnist(dtype=np.int32)
