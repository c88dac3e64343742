r"""Real terrain: the digital elevation model that ships with matplotlib.

From 2020 to 2024 the course's regression project runs on two data sets, the
Franke function and real terrain elevation (a digital elevation model, DEM,
from the SRTM mission). fyslearn downloads nothing, and one DEM of the same
kind is already on every machine that has matplotlib: its sample file
`jacksboro_fault_dem.npz`, read through `matplotlib.cbook.get_sample_data`.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["TERRAIN_FILE", "Terrain", "load_terrain"]

#: The sample file of matplotlib that holds the elevation grid.
TERRAIN_FILE = "jacksboro_fault_dem.npz"

#: Shape of the full grid in the file, (rows, columns): north to south, west to east.
TERRAIN_SHAPE = (344, 403)


@dataclass(frozen=True)
class Terrain:
    r"""A patch of the elevation grid as regression data, and how to go back to metres.

    Unpacks as `X, y = load_terrain(...)`.

    Attributes:
        X: Coordinates, shape `(n_points, 2)`: column 0 runs west to east
            (longitude), column 1 north to south (the grid's row). Scaled to
            $[0, 1]$ over the patch, or longitude and latitude in degrees
            (`scale=False`).
        y: Heights, shape `(n_points,)`: standardised,
            $(h - \bar h)/s_h$ over the patch, or metres (`scale=False`).
        shape: `(n_rows, n_cols)` of the (subsampled) patch: `y.reshape(shape)`
            is the map, north up, with the points in row-major order.
        height_mean: $\bar h$, the patch's mean height in metres (0 unscaled).
        height_std: $s_h$, the standard deviation of its heights in metres
            (1 unscaled).
        longitude: West and east longitude of the patch's outer points, degrees.
        latitude: North and south latitude of the patch's outer points, degrees.
        rows: The rows `(start, stop)` of the full grid the patch was cut from.
        cols: The columns `(start, stop)` of the full grid.
        stride: Every `stride`-th row and column was kept.
    """

    X: np.ndarray
    y: np.ndarray
    shape: tuple[int, int]
    height_mean: float
    height_std: float
    longitude: tuple[float, float]
    latitude: tuple[float, float]
    rows: tuple[int, int]
    cols: tuple[int, int]
    stride: int

    def __iter__(self) -> Iterator[np.ndarray]:
        yield self.X
        yield self.y

    def to_metres(self, heights: ArrayLike) -> np.ndarray:
        r"""Heights of this patch's scale back in metres: $h = \bar h + s_h\,y$.

        Args:
            heights: Heights in the units of `y` (predictions too), any shape.

        Returns:
            Metres above sea level, the shape of `heights`.
        """
        return self.height_mean + self.height_std * np.asarray(heights, dtype=float)


def load_terrain(
    rows: tuple[int, int] | None = None,
    cols: tuple[int, int] | None = None,
    stride: int = 1,
    scale: bool = True,
    min_points: int = 1,
) -> Terrain:
    r"""Load real terrain elevations as `(X, y)` for regression on the coordinates.

    **Source.** matplotlib's sample data `jacksboro_fault_dem.npz`
    (`matplotlib.cbook.get_sample_data`): a digital elevation model around
    the Jacksboro fault in the Cumberland Mountains, Tennessee (longitude
    $-84.41°$ to $-84.08°$, latitude $36.45°$ to $36.73°$), from the US
    Geological Survey. As a work of the US Government the data are in the
    public domain. Nothing is downloaded: the file is part of matplotlib.

    **Grid.** 344 rows (north to south) × 403 columns (west to east),
    spaced 3 arc-seconds ($1/1200$ of a degree) apart, the spacing of the
    SRTM data the course uses: about 93 m north–south and, at this
    latitude, about 74 m east–west (a degree of longitude shrinks by
    $\cos 36.6° \approx 0.80$). Heights are whole metres above sea level,
    236 to 1076 m over the whole grid; no point is missing.

    **Scaling** (`scale=True`, the course's): each coordinate is mapped to
    $[0, 1]$ over the patch, $x' = (x - x_{min})/(x_{max} - x_{min})$, and the
    heights are standardised, $y = (h - \bar h)/s_h$ with the patch's mean
    $\bar h$ and standard deviation $s_h$, kept in the result
    ([Terrain.to_metres][fyslearn.datasets.Terrain.to_metres] goes back to
    metres; an MSE in these units times $s_h^2$ is one in m²). The
    polynomial design matrices of [design_matrix][fyslearn.features.design_matrix]
    need inputs of order one: in degrees of longitude or in metres, $x^{15}$
    would span hundreds of orders of magnitude.

    Args:
        rows: `(start, stop)` rows of the full grid, stop excluded, as in a
            slice (`None`: all 344); row 0 is the northern edge.
        cols: `(start, stop)` columns (`None`: all 403); column 0 is the western edge.
        stride: Keep every `stride`-th row and column of the patch (1: all).
        scale: Scale as described above; `False` gives longitude and latitude
            in degrees and heights in metres.
        min_points: Refuse a patch with fewer points than this, such as the
            number of coefficients of the model to be fitted
            ([n_monomials][fyslearn.features.n_monomials]`(degree, basis)`):
            with fewer points than coefficients least squares has no unique
            solution.

    Returns:
        A [Terrain][fyslearn.datasets.Terrain]; `X, y = load_terrain()` unpacks
        the coordinates, shape `(n_points, 2)`, and heights, shape `(n_points,)`.

    Raises:
        ValueError: A patch outside the grid or empty, a `stride` below 1 or
            larger than the patch, fewer than two rows or columns left (no
            coordinate to scale), or fewer points than `min_points`; raised
            before the file is read.
        FileNotFoundError: matplotlib's sample data are missing (a stripped
            installation of matplotlib); the message says how to get them back.

    Examples:
        >>> from fyslearn.datasets import load_terrain
        >>> terrain = load_terrain(stride=20)
        >>> terrain.X.shape, terrain.shape
        ((378, 2), (18, 21))
        >>> round(float(terrain.y.std()), 6)
        1.0
    """
    row_range = _check_range(rows, "rows", TERRAIN_SHAPE[0])
    col_range = _check_range(cols, "cols", TERRAIN_SHAPE[1])
    stride = _check_stride(stride, row_range, col_range)
    shape = (len(range(*row_range, stride)), len(range(*col_range, stride)))
    if min(shape) < 2:
        raise ValueError(
            f"the patch rows={row_range}, cols={col_range} with stride={stride} keeps "
            f"{shape[0]} × {shape[1]} points; at least 2 rows and 2 columns are needed."
        )
    _check_min_points(min_points, shape)
    grid = _read_grid()
    rows_kept = np.arange(*row_range, stride)
    cols_kept = np.arange(*col_range, stride)
    heights = grid["elevation"][np.ix_(rows_kept, cols_kept)].astype(float).ravel()
    # the file stores the outer edges of the grid; a point sits at the centre of its cell
    longitude = grid["west"] + (cols_kept + 0.5) * grid["dx"]
    latitude = grid["north"] - (rows_kept + 0.5) * grid["dy"]
    lon, lat = np.meshgrid(longitude, latitude)  # row-major: the map's order
    bounds = {
        "longitude": (float(longitude[0]), float(longitude[-1])),
        "latitude": (float(latitude[0]), float(latitude[-1])),
    }
    common = {"shape": shape, "rows": row_range, "cols": col_range, "stride": stride, **bounds}
    if not scale:
        X = np.column_stack([lon.ravel(), lat.ravel()])
        return Terrain(X=X, y=heights, height_mean=0.0, height_std=1.0, **common)
    cc, rr = np.meshgrid(np.arange(shape[1]), np.arange(shape[0]))
    X = np.column_stack([cc.ravel() / (shape[1] - 1), rr.ravel() / (shape[0] - 1)])
    mean, std = float(heights.mean()), float(heights.std())
    if std == 0.0:
        raise ValueError(f"every height of the patch is {mean:g} m: nothing to standardise.")
    return Terrain(X=X, y=(heights - mean) / std, height_mean=mean, height_std=std, **common)


def _check_range(value: object, name: str, size: int) -> tuple[int, int]:
    """`(start, stop)` inside `[0, size]` with start < stop; `None` is the whole axis."""
    if value is None:
        return (0, size)
    try:
        start, stop = value  # type: ignore[misc]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (start, stop), got {value!r}.") from None
    if not all(_is_int(v) for v in (start, stop)):
        raise ValueError(f"{name} must be a pair of integers (start, stop), got {value!r}.")
    start, stop = int(start), int(stop)
    if not 0 <= start < stop <= size:
        raise ValueError(
            f"{name}={value!r} is outside the grid: it needs 0 <= start < stop <= {size} "
            f"(the grid has {TERRAIN_SHAPE[0]} rows and {TERRAIN_SHAPE[1]} columns)."
        )
    return (start, stop)


def _check_stride(stride: object, rows: tuple[int, int], cols: tuple[int, int]) -> int:
    if not _is_int(stride) or stride < 1:
        raise ValueError(f"stride must be an integer >= 1, got {stride!r}.")
    largest = min(rows[1] - rows[0], cols[1] - cols[0]) - 1
    if largest < 1:
        raise ValueError(
            f"the patch rows={rows}, cols={cols} has {rows[1] - rows[0]} × "
            f"{cols[1] - cols[0]} points; at least 2 rows and 2 columns are needed."
        )
    if stride > largest:
        raise ValueError(
            f"stride={stride} is larger than the patch allows ({rows[1] - rows[0]} rows × "
            f"{cols[1] - cols[0]} columns): at most {max(largest, 0)} keeps two rows and "
            "two columns."
        )
    return int(stride)


def _check_min_points(min_points: object, shape: tuple[int, int]) -> None:
    if not _is_int(min_points) or min_points < 1:
        raise ValueError(f"min_points must be an integer >= 1, got {min_points!r}.")
    n_points = shape[0] * shape[1]
    if n_points < min_points:
        raise ValueError(
            f"the patch has {n_points} points ({shape[0]} × {shape[1]}), fewer than "
            f"min_points={min_points} (the model's coefficients)."
        )


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _read_grid() -> dict[str, np.ndarray | float]:
    """The elevation grid (int16, metres) and its outer edges and spacing in degrees."""
    path = _sample_file()
    with np.load(path) as data:
        # the file calls the northern edge "ymin" and the southern one "ymax"
        return {
            "elevation": data["elevation"],
            "west": float(data["xmin"]),
            "north": float(max(data["ymin"], data["ymax"])),
            "dx": float(data["dx"]),
            "dy": float(data["dy"]),
        }


def _sample_file() -> Path:
    """Path of matplotlib's sample DEM; `FileNotFoundError` saying why if it is missing."""
    from matplotlib import cbook

    try:
        path = Path(cbook.get_sample_data(TERRAIN_FILE, asfileobj=False))
    except (OSError, ValueError) as error:
        raise FileNotFoundError(_missing_message(str(error))) from None
    if not path.is_file():
        raise FileNotFoundError(_missing_message(f"{path} does not exist"))
    return path


def _missing_message(reason: str) -> str:
    return (
        f"matplotlib's sample data file {TERRAIN_FILE} is missing ({reason}). It ships "
        "with matplotlib (mpl-data/sample_data); a stripped installation may lack it: "
        "reinstall matplotlib from PyPI (pip install --force-reinstall matplotlib). "
        "fyslearn downloads nothing."
    )
