"""95 % confidence intervals for responder proportions and their differences, from statsmodels.

Why a library: interval methods have edge cases (0 or n responders, small n) that a
hand-written formula gets wrong; statsmodels' implementations are the reference ones.

- one arm: Wilson score interval, `statsmodels.stats.proportion.proportion_confint(...,
  method="wilson")`;
- treated - control: Newcombe's hybrid score interval (Newcombe 1998, method 10),
  `statsmodels.stats.proportion.confint_proportions_2indep(..., method="newcomb",
  compare="diff")`.

Both take counts (responders n, analysed N); a result reported only as a percentage has no
interval, because N is needed (callers show "no interval: only a percentage is reported").
Values are proportions 0-1 (not percentages), as floats. statsmodels is imported on the first
call only: it loads scipy and pandas (about 0.6 s), which a build without results skips.
Within :func:`computed_in_background` a forked process (kg.forked.ForkedService) imports it
on the second core at once and computes every interval; the values are the same floats.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from kg.forked import ForkedService

if TYPE_CHECKING:  # not imported at run time, so `kg build` can start the service first
    from kg.views.trialdata import Comparison, Result

__all__ = [
    "ALPHA",
    "DIFFERENCE_METHOD",
    "NO_INTERVAL",
    "PROPORTION_METHOD",
    "Estimate",
    "arm_estimate",
    "computed_in_background",
    "difference_ci",
    "difference_estimate",
    "proportion_ci",
]

ALPHA = 0.05
PROPORTION_METHOD = "Wilson score interval (statsmodels proportion_confint, method='wilson')"
DIFFERENCE_METHOD = (
    "Newcombe hybrid score interval (statsmodels confint_proportions_2indep, method='newcomb')"
)


@cache
def proportion_ci(count: int, nobs: int) -> tuple[float, float]:
    """The 95 % Wilson interval of count/nobs as proportions; ValueError unless 0<=count<=nobs>0."""
    _check(count, nobs)
    return _computed("wilson", count, nobs)


@cache
def difference_ci(count1: int, nobs1: int, count2: int, nobs2: int) -> tuple[float, float]:
    """The 95 % Newcombe interval of count1/nobs1 - count2/nobs2 (treated - control)."""
    _check(count1, nobs1)
    _check(count2, nobs2)
    return _computed("newcombe", count1, nobs1, count2, nobs2)


def _wilson(count: int, nobs: int) -> tuple[float, float]:
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(count, nobs, alpha=ALPHA, method="wilson")
    return float(low), float(high)


def _newcombe(count1: int, nobs1: int, count2: int, nobs2: int) -> tuple[float, float]:
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(
        count1, nobs1, count2, nobs2, method="newcomb", compare="diff", alpha=ALPHA
    )
    return float(low), float(high)


_METHODS: dict[str, Callable[..., tuple[float, float]]] = {"wilson": _wilson, "newcombe": _newcombe}
_service: ForkedService | None = None


def _computed(method: str, *counts: int) -> tuple[float, float]:
    if _service is not None and _service.claim():  # else another process uses it
        low, high = _service.call(method, *counts)
        return low, high
    return _METHODS[method](*counts)


def _import_statsmodels() -> None:
    import statsmodels.stats.proportion  # noqa: F401


@contextmanager
def computed_in_background() -> Iterator[None]:
    """Within: intervals come from a process forked now that imports statsmodels meanwhile.

    For `kg build`, which forks its worker (kg.forked.Forked) later; the worker inherits the
    service. Where fork is unavailable the intervals are computed here, as outside. Nested
    uses share the outer service (the CLI starts it before importing the pipeline).
    """
    global _service
    if _service is not None:  # already started by a caller
        yield
        return
    _service = ForkedService.start(_import_statsmodels, _METHODS)
    try:
        yield
    finally:
        service, _service = _service, None
        if service is not None:
            service.close()


def _check(count: int, nobs: int) -> None:
    if nobs <= 0 or count < 0 or count > nobs:
        raise ValueError(f"need 0 <= responders <= analysed and analysed > 0, got {count}/{nobs}")


@dataclass(frozen=True)
class Estimate:
    """A proportion or a difference in percent (0-100 scale), with its 95 % CI when computable.

    `low`/`high` are None when only percentages are reported (no counts, so no interval).
    `point` is None when the graph holds neither counts nor percentages.
    """

    point: float | None
    low: float | None
    high: float | None
    method: str

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


NO_INTERVAL = "no interval: only a percentage is reported (responders n/N are needed)"


def arm_estimate(result: Result) -> Estimate:
    """An arm result's responder percentage with its Wilson interval where n/N are known."""
    n, total = result.responders, result.analysed
    if n is not None and total:
        low, high = proportion_ci(n, total)
        return Estimate(100 * n / total, 100 * low, 100 * high, PROPORTION_METHOD)
    if result.percent is not None:
        return Estimate(result.percent, None, None, NO_INTERVAL)
    return Estimate(None, None, None, "")


def difference_estimate(comparison: Comparison) -> Estimate:
    """Treated - control in percentage points, with its Newcombe interval where n/N are known."""
    treated, control = comparison.treated, comparison.control
    if treated is None or control is None:
        return Estimate(None, None, None, "")
    if comparison.has_counts:
        n1, t1, n2, t2 = treated.responders, treated.analysed, control.responders, control.analysed
        assert n1 is not None and t1 and n2 is not None and t2
        low, high = difference_ci(n1, t1, n2, t2)
        return Estimate(100 * (n1 / t1 - n2 / t2), 100 * low, 100 * high, DIFFERENCE_METHOD)
    if treated.percent is not None and control.percent is not None:
        return Estimate(treated.percent - control.percent, None, None, NO_INTERVAL)
    return Estimate(None, None, None, "")
