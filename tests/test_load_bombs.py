"""Resource bombs: small files that declare or inflate to gigabytes are refused cheaply.

Each refusal must name the file and stay under 100 MB of peak memory, measured
with `tracemalloc` (which sees numpy's and zlib's allocations) around the call.
The bombs are built by hand: one deflate block of 16 MiB of zeros, compressed
once and repeated, inflates to 1 GiB from about 1 MB, in milliseconds.
"""

import gzip
import io
import json
import re
import struct
import tracemalloc
import zlib

import numpy as np
import pytest

import fyslearn
from fyslearn.datasets import load_mnist
from fyslearn.datasets._mnist import BUNDLED, MNIST_FILES
from fyslearn.linear_model import OLS
from fyslearn.persistence import MAX_MEMBERS, _append_checksum

GiB = 2**30
BLOCK = 2**24
MEMORY_LIMIT = 100 * 2**20


def deflated(prefix: bytes, n_zeros: int) -> bytes:
    """A raw deflate stream of `prefix` followed by `n_zeros` zero bytes (a multiple of 16 MiB)."""
    head = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = head.compress(prefix) + head.flush(zlib.Z_FULL_FLUSH)
    block = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = block.compress(bytes(BLOCK)) + block.flush(zlib.Z_FULL_FLUSH)  # no back-references
    return stream + zeros * (n_zeros // BLOCK) + zlib.compressobj(9, zlib.DEFLATED, -15).flush()


def npy_header(dtype: str, shape: tuple) -> bytes:
    text = repr({"descr": dtype, "fortran_order": False, "shape": shape})
    text += " " * (-(len(text) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1")


def write_zip(path, members):
    """A zip archive of `(name, data, method, file_size, crc)` members, with a checksum."""
    local, central = bytearray(), bytearray()
    for name, data, method, file_size, crc in members:
        offset = len(local)
        name = name.encode()
        local += struct.pack(
            "<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, method, 0, 33, crc, len(data), file_size,
            len(name), 0,
        )  # fmt: skip
        local += name + data
        central += struct.pack(
            "<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, method, 0, 33, crc, len(data),
            file_size, len(name), 0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        central += name
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(local), 0
    )
    with open(path, "w+b") as file:
        file.write(bytes(local + central + end))
        _append_checksum(file)
    return path


def stored(name, data):
    return (name, data, 0, len(data), zlib.crc32(data))


def valid_members(tmp_path):
    """The members of a small, valid OLS model file: description and arrays."""
    rng = np.random.default_rng(0)
    model = OLS().fit(rng.normal(size=(10, 3)), rng.normal(size=10))
    path = model.save(tmp_path / "valid")
    with np.load(path) as archive:
        arrays = dict(archive)
    return json.loads(str(arrays.pop("__fyslearn__"))), arrays


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def description_member(metadata):
    return stored("__fyslearn__.npy", npy_bytes(np.array(json.dumps(metadata))))


def refused_cheaply(call, path):
    """Run `call`; it must raise ValueError naming `path`, within MEMORY_LIMIT of peak memory."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=str(path.name)) as refusal:
            call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_LIMIT, f"peak {peak / 2**20:.0f} MiB"
    return str(refusal.value)


def test_member_inflating_to_a_gibibyte(tmp_path):
    metadata, arrays = valid_members(tmp_path)
    header = npy_header("<f8", (GiB // 8,))
    bomb = deflated(header, GiB)
    path = write_zip(
        tmp_path / "bomb.npz",
        [
            description_member(metadata),
            ("a0.npy", bomb, 8, len(header) + GiB, 0),
            stored("a1.npy", npy_bytes(arrays["a1"])),
        ],
    )
    assert path.stat().st_size < 2**21
    assert "more than max_bytes" in refused_cheaply(lambda: fyslearn.load(path), path)


def test_description_of_a_gibibyte(tmp_path):
    header = npy_header(f"<U{GiB // 4}", ())
    path = write_zip(
        tmp_path / "bomb.npz",
        [("__fyslearn__.npy", deflated(header, GiB), 8, len(header) + GiB, 0)],
    )
    assert "model description" in refused_cheaply(lambda: fyslearn.load(path), path)


def test_declared_width_of_a_hundred_million_features(tmp_path):
    metadata, arrays = valid_members(tmp_path)
    metadata["attributes"]["n_features_in_"]["value"] = 10**8
    members = [description_member(metadata)]
    members += [stored(f"{key}.npy", npy_bytes(value)) for key, value in arrays.items()]
    path = write_zip(tmp_path / "wide.npz", members)
    assert path.stat().st_size < 5000
    assert "coef_ with shape (3,)" in refused_cheaply(lambda: fyslearn.load(path), path)


def test_header_claiming_a_trillion_floats(tmp_path):
    metadata, arrays = valid_members(tmp_path)
    metadata["attributes"]["n_features_in_"]["value"] = 10**12
    data = npy_header("<f8", (10**12,)) + bytes(24)
    members = [description_member(metadata), stored("a0.npy", data)]
    members += [stored("a1.npy", npy_bytes(arrays["a1"]))]
    path = write_zip(tmp_path / "trillion.npz", members)
    assert "does not fill its" in refused_cheaply(lambda: fyslearn.load(path), path)


def test_description_nested_a_hundred_thousand_deep(tmp_path):
    text = "[" * 100_000 + "]" * 100_000
    path = write_zip(tmp_path / "deep.npz", [stored("__fyslearn__.npy", npy_bytes(np.array(text)))])
    assert "nested deeper" in refused_cheaply(lambda: fyslearn.load(path), path)


def test_directory_of_too_many_members(tmp_path):
    # only the end record is read: it declares more members than a model can have
    path = tmp_path / "many.npz"
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 60_000, 60_000, 2_000_000, 0, 0)
    with open(path, "w+b") as file:
        file.write(bytes(1000) + end)
        _append_checksum(file)
    message = refused_cheaply(lambda: fyslearn.load(path), path)
    assert f"at most {MAX_MEMBERS}" in message


def test_file_larger_than_the_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "large.npz"
    with open(path, "wb") as file:
        file.truncate(300 * 2**20)  # sparse: no disk used
    assert "more than max_bytes" in refused_cheaply(lambda: fyslearn.load(path), path)


def test_a_custom_limit_refuses_a_valid_model(tmp_path):
    rng = np.random.default_rng(1)
    path = OLS().fit(rng.normal(size=(50, 40)), rng.normal(size=50)).save(tmp_path / "m")
    with pytest.raises(ValueError, match="more than max_bytes=100"):
        fyslearn.load(path, max_bytes=100)
    assert fyslearn.load(path).coef_.shape == (40,)


def mnist_folder(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    for name in MNIST_FILES:
        (folder / name).write_bytes((BUNDLED / name).read_bytes())
    return folder


def gzip_of(prefix: bytes, n_zeros: int) -> bytes:
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    return (
        header + deflated(prefix, n_zeros) + struct.pack("<2L", 0, (len(prefix) + n_zeros) % 2**32)
    )


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        (b"", "bad IDX magic number 00000000"),  # a gibibyte of zeros
        (bytes([0, 0, 8, 1]) + struct.pack(">L", 10_000), "more than the 10000 bytes"),
        (bytes([0, 0, 8, 1]) + struct.pack(">L", 2**31), r"dimensions \(2147483648,\)"),
    ],
    ids=["zeros", "valid-header-then-zeros", "huge-dimension"],
)
def test_gzip_bomb_in_place_of_an_mnist_file(tmp_path, prefix, message):
    folder = mnist_folder(tmp_path)
    target = folder / "t10k-labels-idx1-ubyte.gz"
    target.write_bytes(gzip_of(prefix, GiB))
    assert target.stat().st_size < 2**21
    refusal = refused_cheaply(lambda: load_mnist(data_home=folder), target)
    assert re.search(message, refusal)


def test_gzip_bomb_helper_really_inflates():
    """The bombs above are real: their stream inflates to what they claim."""
    with gzip.GzipFile(fileobj=io.BytesIO(gzip_of(b"abc", 2 * BLOCK))) as file:
        assert file.read(10) == b"abc" + bytes(7)
    stream = zlib.decompressobj(-15)
    inflated = 0
    chunk = stream.decompress(deflated(b"xyz", 4 * BLOCK), BLOCK)
    while chunk:
        inflated += len(chunk)
        chunk = stream.decompress(stream.unconsumed_tail, BLOCK)
    assert inflated == 3 + 4 * BLOCK
