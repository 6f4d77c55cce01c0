# Type stubs of the `fissure` package. Option names and defaults are the CLI's (`fissure <cmd> --help`).
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from os import PathLike
from typing import Any, Literal, Optional, Union

import numpy as np

DateLike = Union[str, date, np.datetime64, Any]
SeriesLike = Any  # pandas.Series with a DatetimeIndex | one-column pandas/polars DataFrame | numpy array (+ dates=)
FrameLike = Any  # wide or long (date, id, close) pandas/polars DataFrame | dict of series | 2-D array (+ dates=, names=)
Output = Literal["pandas", "polars"]

__version__: str

class Result(Mapping[str, Any]):
    """A mapping over the CLI's JSON document; dated parts come out as DataFrames."""
    json: dict[str, Any]
    def __getitem__(self, key: str) -> Any: ...
    def __iter__(self) -> Iterator[str]: ...
    def __len__(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...

def psy(
    series: SeriesLike,
    *,
    dates: Optional[Sequence[DateLike]] = None,
    freq: Optional[Literal["daily", "weekly", "monthly"]] = None,
    transform: Literal["log", "none"] = "log",
    lag: Optional[int] = None,
    ic: Optional[Literal["aic", "bic"]] = None,
    max_lag: int = 6,
    min_window: Optional[int] = None,
    window_convention: Literal["obs", "rows"] = "obs",
    cv: Literal["mc", "wild", "none"] = "mc",
    cv_rule: Optional[Literal["pointwise", "exuber", "tb"]] = None,
    tb: Optional[int] = None,
    reps: int = 2000,
    seed: int = 123,
    drift_eta: Optional[float] = None,
    level: Literal[90, 95, 99] = 95,
    min_duration: float = 0.0,
    from_: Optional[DateLike] = None,
    to: Optional[DateLike] = None,
    output: Output = "pandas",
) -> Result: ...
def lppls(
    series: SeriesLike,
    *,
    dates: Optional[Sequence[DateLike]] = None,
    end: Optional[DateLike] = None,
    window: int = 500,
    starts: int = 8,
    screen: int = 96,
    seed: int = 0,
    filter: Literal["fco", "lppls"] = "fco",
    rel_error: Literal["mean", "max"] = "mean",
    output: Output = "pandas",
) -> Result: ...
def lppls_confidence(
    series: SeriesLike,
    *,
    dates: Optional[Sequence[DateLike]] = None,
    from_: Optional[DateLike] = None,
    to: Optional[DateLike] = None,
    every: int = 1,
    max_window: int = 750,
    min_window: int = 125,
    step: int = 5,
    starts: int = 2,
    screen: int = 16,
    seed: int = 0,
    filter: Literal["fco", "lppls"] = "fco",
    rel_error: Literal["mean", "max"] = "mean",
    output: Output = "pandas",
) -> Result: ...
def valuation(
    series: SeriesLike,
    *,
    vs: Optional[SeriesLike] = None,
    dates: Optional[Sequence[DateLike]] = None,
    min_history: int = 36,
    output: Output = "pandas",
) -> Result: ...
def garch(
    series: SeriesLike,
    *,
    dates: Optional[Sequence[DateLike]] = None,
    from_: Optional[DateLike] = None,
    to: Optional[DateLike] = None,
    dist: Literal["normal", "t"] = "normal",
    gjr: bool = False,
    output: Output = "pandas",
) -> Result: ...
def dcc(
    prices: FrameLike,
    *,
    dates: Optional[Sequence[DateLike]] = None,
    names: Optional[Sequence[str]] = None,
    from_: Optional[DateLike] = None,
    to: Optional[DateLike] = None,
    dist: Literal["normal", "t"] = "normal",
    paths: bool = False,
    output: Output = "pandas",
) -> Result: ...
def correlations(
    prices: FrameLike,
    *,
    dates: Optional[Sequence[DateLike]] = None,
    names: Optional[Sequence[str]] = None,
    from_: Optional[DateLike] = None,
    to: Optional[DateLike] = None,
    window: int = 60,
    ewma: Optional[float] = None,
    conf: float = 0.95,
    output: Output = "pandas",
) -> Result: ...
def absorption_ratio(
    prices: FrameLike,
    *,
    dates: Optional[Sequence[DateLike]] = None,
    names: Optional[Sequence[str]] = None,
    from_: Optional[DateLike] = None,
    to: Optional[DateLike] = None,
    window: int = 500,
    half_life: float = 250.0,
    fraction: float = 0.2,
    output: Output = "pandas",
) -> Result: ...
def turbulence(
    prices: FrameLike,
    *,
    dates: Optional[Sequence[DateLike]] = None,
    names: Optional[Sequence[str]] = None,
    from_: Optional[DateLike] = None,
    to: Optional[DateLike] = None,
    window: int = 500,
    output: Output = "pandas",
) -> Result: ...
def spillover(
    prices: FrameLike,
    *,
    dates: Optional[Sequence[DateLike]] = None,
    names: Optional[Sequence[str]] = None,
    from_: Optional[DateLike] = None,
    to: Optional[DateLike] = None,
    lag: int = 2,
    lag_ic: Optional[Literal["aic", "bic", "hqic"]] = None,
    max_lag: int = 8,
    horizon: int = 10,
    cholesky: bool = False,
    rolling: Optional[int] = None,
    step: int = 1,
    output: Output = "pandas",
) -> Result: ...
def cocrash(
    prices: FrameLike,
    *,
    dates: Optional[Sequence[DateLike]] = None,
    names: Optional[Sequence[str]] = None,
    from_: Optional[DateLike] = None,
    to: Optional[DateLike] = None,
    class_: Optional[Mapping[str, str]] = None,
    threshold: float = 1.5,
    vol_window: int = 60,
    output: Output = "pandas",
) -> Result: ...
def stress_index(
    data: FrameLike,
    *,
    dates: Optional[Sequence[DateLike]] = None,
    names: Optional[Sequence[str]] = None,
    only: Sequence[str] = (),
    min_weeks: int = 104,
    config: Optional[Union[str, PathLike[str]]] = None,
    output: Output = "pandas",
) -> Result: ...
def carry(
    data: FrameLike,
    *,
    dates: Optional[Sequence[DateLike]] = None,
    names: Optional[Sequence[str]] = None,
    baskets: Sequence[str] = (),
    window: int = 126,
    horizon: int = 5,
    threshold: float = 2.0,
    config: Optional[Union[str, PathLike[str]]] = None,
    output: Output = "pandas",
) -> Result: ...
def markov(
    series: SeriesLike,
    *,
    dates: Optional[Sequence[DateLike]] = None,
    k: int = 2,
    order: int = 0,
    switching_variance: bool = False,
    switching_ar: bool = False,
    returns: Optional[Literal["log", "simple"]] = None,
    scale: float = 1.0,
    weekly: bool = False,
    from_: Optional[DateLike] = None,
    to: Optional[DateLike] = None,
    starts: int = 3,
    seed: int = 20240805,
    output: Output = "pandas",
) -> Result: ...
def concentration(
    snapshots: Any,
    *,
    field: str = "market_cap_usd_bn",
    sum_classes: bool = False,
    top: int = 10,
    output: Output = "pandas",
) -> Result: ...
def rotation(
    prices: FrameLike,
    *,
    dates: Optional[Sequence[DateLike]] = None,
    names: Optional[Sequence[str]] = None,
    ratios: Sequence[str] = (),
    momentum: int = 63,
    window: int = 252,
    output: Output = "pandas",
) -> Result: ...
def report(
    *,
    out: Union[str, PathLike[str]] = "fissure-report",
    as_of: Optional[DateLike] = None,
    lang: Optional[Literal["en", "zh"]] = None,
    store: Optional[Union[str, PathLike[str]]] = None,
    config: Optional[Union[str, PathLike[str]]] = None,
    output: Output = "pandas",
) -> Result: ...
def scan(
    prices: FrameLike,
    method: Literal["gsadf", "psy", "lppls_confidence", "spillover"] = "gsadf",
    engine: Literal["local", "dask"] = "local",
    client: Any = None,
    partitions: Optional[int] = None,
    output: Output = "pandas",
    dates: Optional[Sequence[DateLike]] = None,
    names: Optional[Sequence[str]] = None,
    **params: Any,
) -> Any: ...
def demo(output: Output = "pandas") -> dict[str, Any]: ...
def demo_sections(field: Optional[str] = "market_cap_usd_bn") -> Any: ...
