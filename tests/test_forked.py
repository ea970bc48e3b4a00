"""The forked helper that imports statsmodels while a build loads (kg.forked.ForkedService).

The intervals it computes must be the same floats as in-process; its failures must surface
in the caller; where it cannot start, the caller computes the intervals itself.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import nullcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from kg.errors import KGError
from kg.export.formats import intervals_helper
from kg.forked import Forked, ForkedService, can_fork
from kg.views import intervals

pytestmark = pytest.mark.skipif(not can_fork(), reason="fork is unavailable or unsafe here")


def _square(x: int) -> int:
    return x * x


def _fails(x: int) -> int:
    raise ValueError(f"no answer for {x}")


def _exits(code: int) -> int:
    os._exit(code)


FUNCTIONS = {"square": _square, "fails": _fails, "exits": _exits}


@pytest.fixture
def service() -> Iterator[ForkedService]:
    started = ForkedService.start(lambda: None, FUNCTIONS)
    assert started is not None
    yield started
    started.close()


def test_calls_are_answered_in_the_child(service: ForkedService) -> None:
    assert [service.call("square", n) for n in range(5)] == [0, 1, 4, 9, 16]
    assert service._process.pid != os.getpid() and service._process.is_alive()


def test_an_exception_in_the_child_is_raised_here_with_its_traceback(
    service: ForkedService,
) -> None:
    with pytest.raises(ValueError, match="no answer for 7") as raised:
        service.call("fails", 7)
    assert "_fails" in str(raised.value.__cause__)
    assert service.call("square", 3) == 9  # and the child goes on serving


def test_a_child_that_ends_is_a_user_facing_error_naming_how_it_ended(
    service: ForkedService,
) -> None:
    with pytest.raises(KGError, match=r"ended before answering exits \(exit code 4\); run it"):
        service.call("exits", 4)


def test_a_helper_that_ends_while_a_worker_uses_it_is_the_same_error_there(
    service: ForkedService,
) -> None:
    """The worker is not the helper's parent: it cannot wait for it, but says the same."""
    worker = Forked.start(lambda: service.call("exits", 5))
    assert worker is not None
    with pytest.raises(KGError, match=r"helper process ended before answering exits; run it"):
        worker.result()


def test_the_first_process_to_call_is_the_only_user(service: ForkedService) -> None:
    worker = Forked.start(lambda: (service.claim(), service.call("square", 3)))
    assert worker is not None
    assert worker.result() == (True, 9)
    assert not service.claim()  # the worker claimed it: this process computes for itself
    with pytest.raises(RuntimeError, match="another process uses this service"):
        service.call("square", 3)


def test_a_worker_killed_in_the_middle_of_a_call_leaves_nothing_to_wait_for() -> None:
    """Its answer stays unread in the connection; this process must not read it or hang."""
    with intervals.computed_in_background():
        service = intervals._service
        assert service is not None

        def half_a_call() -> None:
            assert service.claim()
            service._line.send(("wilson", (3, 10)))
            os._exit(0)

        worker = Forked.start(half_a_call)
        assert worker is not None
        with pytest.raises(KGError, match="worker process died"):
            worker.result()
        intervals.proportion_ci.cache_clear()
        assert intervals.proportion_ci(4, 10) == intervals._wilson(4, 10)  # computed here


def test_a_worker_forked_later_inherits_the_service(service: ForkedService) -> None:
    worker = Forked.start(lambda: (os.getpid(), service.call("square", 12)))
    assert worker is not None
    pid, answer = worker.result()
    assert pid != os.getpid() and answer == 144


def test_ctrl_c_is_left_to_the_parent(service: ForkedService) -> None:
    """SIGINT reaches the whole process group; the helper ignores it (no traceback)."""
    service.call("square", 1)  # prepared: its signal handler is in place
    assert service._process.pid is not None
    os.kill(service._process.pid, signal.SIGINT)
    assert service.call("square", 2) == 4


def test_close_stops_the_child_and_later_calls_fail_clearly() -> None:
    service = ForkedService.start(lambda: None, FUNCTIONS)
    assert service is not None
    service.close()
    service.close()  # twice is harmless
    assert not service._process.is_alive()
    with pytest.raises(KGError, match="ended before answering square"):
        service.call("square", 2)


def test_no_semaphores_means_no_service(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where POSIX semaphores are missing (no /dev/shm) the caller computes in-process."""
    import multiprocessing.context

    def no_lock(self: object) -> None:
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(multiprocessing.context.BaseContext, "Lock", no_lock)
    assert ForkedService.start(lambda: None, FUNCTIONS) is None


counts = st.integers(min_value=1, max_value=400).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)


@settings(max_examples=examples(25), deadline=None)
@given(one=counts, other=counts)
def test_intervals_from_the_helper_are_the_same_floats(
    one: tuple[int, int], other: tuple[int, int]
) -> None:
    local_one = intervals._wilson(*one)
    local_diff = intervals._newcombe(*one, *other)
    intervals.proportion_ci.cache_clear()
    intervals.difference_ci.cache_clear()
    with intervals.computed_in_background():
        assert intervals._service is not None
        assert intervals.proportion_ci(*one) == local_one
        assert intervals.difference_ci(*one, *other) == local_diff
    assert intervals._service is None


def test_a_nested_helper_shares_the_outer_one() -> None:
    with intervals.computed_in_background():
        outer = intervals._service
        with intervals.computed_in_background():
            assert intervals._service is outer
        assert intervals._service is outer
    assert intervals._service is None


def test_bad_counts_are_refused_before_reaching_the_helper() -> None:
    with intervals.computed_in_background(), pytest.raises(ValueError, match="0 <= responders"):
        intervals.proportion_ci(5, 3)


@pytest.mark.parametrize(
    ("names", "jobs", "starts"),
    [
        (None, 2, True),  # every sink: the views and tables compute intervals
        ([], 2, True),  # as none: every sink
        (["html"], 2, True),
        (["tables", "ttl"], 2, True),
        (["ttl", "kgx"], 2, False),  # no sink needs statsmodels
        (None, 1, False),  # one process: imported where needed
        (["no-such-format"], 2, False),  # the build reports the unknown name
    ],
)
def test_the_helper_starts_only_where_it_helps(
    names: list[str] | None, jobs: int, starts: bool
) -> None:
    helper = intervals_helper(names, jobs)
    assert isinstance(helper, nullcontext) is not starts
    with helper:
        assert (intervals._service is not None) is starts
