"""Uncertain figures: a partner's number given as a distribution instead of a value.

DESIGN.md ("Scenarios and uncertainty"): `batna`, the values of
`value_per_h100e`, `diversion_risk` and a concession's `partner_cost` may be
written as

    {dist: uniform, low: 1bn, high: 3bn}
    {dist: triangular, low: 1bn, mode: 2bn, high: 4bn}
    {dist: normal, mean: 2bn, sd: 0.5bn, low: 1bn, high: 3bn}     # truncated to [low, high]

in the field's own unit. The field then holds an `Uncertain`: a float equal
to the distribution's mean (what every deterministic command uses, unchanged)
that also carries the distribution, for sampling (`dealbench.analyze.uncertainty`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WrapValidator
from pydantic_core import InitErrorDetails, PydanticCustomError

from dealbench.list_words import did_you_mean
from dealbench.units import number_said

F64 = NDArray[np.float64]
KINDS = ("uniform", "triangular", "normal")
_KEYS = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd", "low", "high"),
}


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def mean(self) -> float:
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, n: int) -> F64:
        raise NotImplementedError

    def describe(self, fmt: Callable[[float], str] = str) -> str:
        raise NotImplementedError


class Uniform(_Dist):
    dist: Literal["uniform"] = "uniform"
    low: float
    high: float

    @property
    def mean(self) -> float:
        return _within((self.low + self.high) / 2, self.low, self.high)

    def sample(self, rng: np.random.Generator, n: int) -> F64:
        return self.low + (self.high - self.low) * rng.random(n)

    def describe(self, fmt: Callable[[float], str] = str) -> str:
        return f"uniform {fmt(self.low)} to {fmt(self.high)}"


class Triangular(_Dist):
    dist: Literal["triangular"] = "triangular"
    low: float
    mode: float
    high: float

    @property
    def mean(self) -> float:
        return _within((self.low + self.mode + self.high) / 3, self.low, self.high)

    def sample(self, rng: np.random.Generator, n: int) -> F64:
        u = rng.random(n)
        width = self.high - self.low
        if width <= 0:
            return np.full(n, self.low)
        split = (self.mode - self.low) / width
        left = self.low + np.sqrt(u * width * (self.mode - self.low))
        right = self.high - np.sqrt((1 - u) * width * (self.high - self.mode))
        return np.where(u < split, left, right)

    def describe(self, fmt: Callable[[float], str] = str) -> str:
        return f"triangular {fmt(self.low)} to {fmt(self.high)}, mode {fmt(self.mode)}"


class Normal(_Dist):
    """A normal distribution truncated to [low, high]."""

    dist: Literal["normal"] = "normal"
    center: float = Field(alias="mean")
    sd: float
    low: float
    high: float

    def _standard(self) -> tuple[float, float]:
        return (self.low - self.center) / self.sd, (self.high - self.center) / self.sd

    @property
    def mean(self) -> float:
        """The truncated mean: center + sd (pdf(a) - pdf(b)) / (cdf(b) - cdf(a)), computed
        in the tail the bounds lie in (`truncated_shift`), so bounds many sd from the
        center give their mean, not the nearer bound."""
        a, b = self._standard()
        return _within(self.center + self.sd * truncated_shift(a, b), self.low, self.high)

    def sample(self, rng: np.random.Generator, n: int) -> F64:
        """By inversion, from the tail the bounds lie in (1 - cdf loses the far tails)."""
        a, b = self._standard()
        flip = a >= 0  # both bounds above the center: draw -Z below -a
        if flip:
            a, b = -b, -a
        lo, hi = upper_tail(-a), upper_tail(-b)  # cdf(a), cdf(b), exactly for a, b < 0
        u = lo + (hi - lo) * rng.random(n)
        z = normal_quantile(np.clip(u, 1e-300, 1 - 1e-16))
        values = self.center + self.sd * (-z if flip else z)
        return np.clip(values, self.low, self.high)

    def describe(self, fmt: Callable[[float], str] = str) -> str:
        return (
            f"normal, mean {fmt(self.center)}, sd {fmt(self.sd)}, "
            f"truncated to {fmt(self.low)}..{fmt(self.high)}"
        )


def upper_tail(z: float) -> float:
    """P(Z > z) for a standard normal Z, accurate far into the upper tail."""
    return math.erfc(z / math.sqrt(2)) / 2


def _pdf(z: float) -> float:
    return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def _mills(z: float) -> float:
    """Mills' ratio P(Z > z) / pdf(z), z >= 0; beyond 30 (where both underflow in the end)
    by Laplace's continued fraction 1 / (z + 1 / (z + 2 / (z + 3 / (z + ...))))."""
    if math.isinf(z):
        return 0.0
    if z < 30:
        return upper_tail(z) / _pdf(z)
    tail = z
    for k in range(40, 0, -1):
        tail = z + k / tail
    return 1 / tail


def truncated_shift(a: float, b: float) -> float:
    """E[Z | a <= Z <= b] for a standard normal Z, a <= b: (pdf(a) - pdf(b)) / (cdf(b) -
    cdf(a)), stable when both bounds lie far out in one tail (where 1 - cdf is all rounding:
    bounds 8 sd above the center gave the lower bound, 8.0, for 8.12)."""
    if b - a < 1e-9:
        return (a + b) / 2
    if b <= 0:
        return -truncated_shift(-b, -a)
    if a < 0:  # the interval holds the center: its mass is no rounding error
        return (_pdf(a) - _pdf(b)) / (1 - upper_tail(b) - upper_tail(-a))
    # 0 <= a < b: both terms divided by pdf(a), so nothing underflows.
    drop = -(b - a) * (b + a) / 2  # log(pdf(b) / pdf(a))
    return -math.expm1(drop) / (_mills(a) - math.exp(drop) * _mills(b))


def _within(value: float, low: float, high: float) -> float:
    """A mean kept inside its bounds against rounding ((3x) / 3 may exceed x)."""
    return min(max(value, low), high)


Distribution = Annotated[Uniform | Triangular | Normal, Field(discriminator="dist")]


class Uncertain(float):
    """A figure given as a distribution: the float is its mean."""

    distribution: Uniform | Triangular | Normal

    def __new__(cls, distribution: Uniform | Triangular | Normal) -> Uncertain:
        out = super().__new__(cls, distribution.mean)
        out.distribution = distribution
        return out

    def __reduce__(self) -> tuple[Any, ...]:
        return (Uncertain, (self.distribution,))


def uncertain(
    parse: Callable[[Any], float],
    low: float | None = None,
    high: float | None = None,
    *,
    shape: Callable[[Any], float] | None = None,
) -> WrapValidator:
    """A validator that reads a number with `parse`, or a distribution of such numbers.

    `low`/`high`: where every sample must lie (e.g. 0..1 for a share), checked on the
    distribution's bounds; the field's own constraints apply to its mean.
    `shape`: how a normal's centre and spread read (default `parse`): they are not
    figures of the field and may lie beyond its range (a share's centre at 2.5, truncated
    to 0..1, is far out in a tail, not a percentage).
    """

    def validate(value: Any, handler: Callable[[Any], Any]) -> Any:
        if isinstance(value, Uncertain):
            return value
        if not isinstance(value, Mapping) or "dist" not in value:
            return handler(value)
        dist = _distribution(value, parse, shape or parse)
        if low is not None and dist.low < low:
            raise ValueError(f"a distribution here cannot go below {low:g} (low is {dist.low:g})")
        if high is not None and dist.high > high:
            raise ValueError(
                f"a distribution here cannot go above {high:g} (high is {dist.high:g})"
            )
        handler(dist.mean)  # the field's own rules, on the mean
        return Uncertain(dist)

    return WrapValidator(validate)


def _distribution(
    value: Mapping[str, Any], parse: Callable[[Any], float], shape: Callable[[Any], float]
) -> Any:
    kind = value["dist"]
    if kind not in KINDS:
        raise ValueError(
            f"unknown distribution {kind!r}; expected one of: {', '.join(KINDS)}"
            + (did_you_mean(kind, KINDS) if isinstance(kind, str) else "")
        )
    keys = _KEYS[kind]
    extra = sorted(str(k) for k in value if k != "dist" and k not in keys)
    if extra:
        raise ValueError(
            f"unknown key {extra[0]!r} in a {kind} distribution; expected: {', '.join(keys)}"
        )
    missing = [k for k in keys if k not in value]
    if missing:
        raise ValueError(
            f"a {kind} distribution needs {', '.join(keys)} (missing: {', '.join(missing)})"
        )
    numbers = {
        k: _read_at(k, shape if kind == "normal" and k in ("mean", "sd") else parse, value[k])
        for k in keys
    }
    lo, hi = numbers["low"], numbers["high"]
    if lo > hi:
        raise ValueError(
            f"low ({_said(value['low'])}) is above high ({_said(value['high'])}): "
            "low must not exceed high"
        )
    if kind == "triangular" and not lo <= numbers["mode"] <= hi:
        raise ValueError(f"mode ({_said(value['mode'])}) must lie between low and high")
    if kind == "normal":
        if numbers["sd"] <= 0:
            raise ValueError(f"sd must be greater than 0, got {_said(value['sd'])}")
        return Normal.model_validate(
            {"mean": numbers["mean"], "sd": numbers["sd"], "low": lo, "high": hi}
        )
    if kind == "triangular":
        return Triangular(low=lo, mode=numbers["mode"], high=hi)
    return Uniform(low=lo, high=hi)


def _said(value: Any) -> str:
    """A figure as written (`1bn`), or a number as messages quote it (`1,000,000,000`, not
    1000000000.0): a `--set` of one figure of a distribution gives the others as numbers."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return number_said(float(value))
    return str(value)


def _read_at(key: str, parse: Callable[[Any], float], value: Any) -> float:
    """One figure of a distribution, a fault in it said at its key (`batna.low`, at the
    line of `low:` when the distribution is written over several lines)."""
    try:
        return parse(value)
    except ValueError as exc:
        fault = PydanticCustomError("value_error", "{message}", {"message": str(exc)})
        raise ValidationError.from_exception_data(
            "distribution", [InitErrorDetails(type=fault, loc=(key,), input=value)]
        ) from None


def distribution_of(value: float) -> Uniform | Triangular | Normal | None:
    """The distribution behind a figure, or None for a plain number."""
    return value.distribution if isinstance(value, Uncertain) else None


# Acklam's rational approximation of the standard normal quantile (relative error < 1.2e-9).
_A = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02, 1.383577518672690e02,
      -3.066479806614716e01, 2.506628277459239e00)  # fmt: skip
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02, 6.680131188771972e01,
      -1.328068155288572e01)  # fmt: skip
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00, -2.549732539343734e00,
      4.374664141464968e00, 2.938163982698783e00)  # fmt: skip
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)


def normal_quantile(p: F64) -> F64:
    """The standard normal quantile of each p in (0, 1), vectorised."""
    p = np.asarray(p, dtype=float)
    out = np.empty_like(p)
    low, high = p < 0.02425, p > 1 - 0.02425
    mid = ~(low | high)
    q = p[mid] - 0.5
    r = q * q
    num = ((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5]
    den = ((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1
    out[mid] = q * num / den
    for mask, sign, tail in ((low, 1.0, p), (high, -1.0, 1 - p)):
        t = np.sqrt(-2 * np.log(tail[mask]))
        num = ((((_C[0] * t + _C[1]) * t + _C[2]) * t + _C[3]) * t + _C[4]) * t + _C[5]
        den = (((_D[0] * t + _D[1]) * t + _D[2]) * t + _D[3]) * t + 1
        out[mask] = sign * num / den
    return out
