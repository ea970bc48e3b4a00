"""Run one part of a build in a forked worker process, so that two cores work at once.

Why fork: the worker needs the built dataset, which is slow to pickle (tens of thousands of
rdflib terms); a forked child shares the parent's memory copy-on-write and pickles only its
result. Where fork is missing (Windows) or unsafe (macOS: its system frameworks are not
fork-safe, and Python's default there is spawn), :meth:`Forked.start` returns None and the
caller runs the work in its own process. Either way the outputs are the same bytes.

Two shapes: :class:`Forked` runs one function and returns its result (the build's worker);
:class:`ForkedService` prepares once and then answers calls (a helper that imports a slow
library on the second core while the build is still loading).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from kg.errors import KGError

__all__ = ["Forked", "ForkedService", "can_fork"]

T = TypeVar("T")


def can_fork() -> bool:
    """True where a forked worker is available and safe (Linux and other POSIX but macOS)."""
    return sys.platform != "darwin" and "fork" in multiprocessing.get_all_start_methods()


class Forked(Generic[T]):
    """One function running in a forked child; `result()` waits for it, `cancel()` kills it."""

    def __init__(self, process: multiprocessing.process.BaseProcess, answer: Connection) -> None:
        self._process = process
        self._answer = answer

    @classmethod
    def start(cls, work: Callable[[], T]) -> Forked[T] | None:
        """Fork a child that runs work() and sends back its (picklable) result or exception.

        Returns None where fork is unavailable (see :func:`can_fork`) or fails (the system
        is out of processes or memory): the caller then does the work itself.
        """
        if not can_fork():
            return None
        context = multiprocessing.get_context("fork")
        answer, reply = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(work, reply), daemon=True)
        try:
            process.start()  # flushes stdout/stderr first, so no buffered text is written twice
        except OSError:
            answer.close()
            reply.close()
            return None
        reply.close()
        return cls(process, answer)

    def result(self) -> T:
        """Wait for the child; its return value, or its exception raised here.

        Raises KGError when the child died without answering (killed, out of memory).
        """
        try:
            ok, value, where = self._answer.recv()
        except EOFError:
            self._process.join()
            raise KGError(
                f"the build's worker process died ({_ending(self._process.exitcode)}); "
                f"{_ONE_PROCESS}"
            ) from None
        finally:
            self._answer.close()
        self._process.join()
        if ok:
            return value  # type: ignore[no-any-return]
        raise value from _WorkerTraceback(where)

    def cancel(self) -> None:
        """Kill the child (if it still runs) and reap it; safe to call more than once."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._answer.close()


_ONE_PROCESS = "run it again, or with --jobs 1 (one process, less memory)"


def _ending(exitcode: int | None) -> str:
    """How a child process ended, in words: 'exit code 3', 'killed by signal 9 (SIGKILL)'."""
    if exitcode is None:
        return "no exit code yet"
    if exitcode < 0:
        return f"killed by signal {-exitcode} ({signal.Signals(-exitcode).name})"
    return f"exit code {exitcode}"


def _child(work: Callable[[], object], reply: Connection) -> None:
    # a live status display in the parent may have replaced stdout/stderr by proxies whose
    # locks its refresh thread held at the fork; that thread does not exist here
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's cleanup handler is not ours
    try:
        answer: tuple[bool, object, str] = (True, work(), "")
    except BaseException as exc:  # sent to the parent, which raises it
        answer = (False, exc, "".join(traceback.format_exception(exc)))
    try:
        reply.send(answer)
    except Exception as exc:  # the result or exception does not pickle: say so, as text
        what = answer[2] or f"its result does not pickle: {exc!r}"
        reply.send((False, RuntimeError("the build's worker process failed"), what))
    reply.close()


class _WorkerTraceback(Exception):
    """The worker's traceback as text, shown as the cause of the exception it raised."""

    def __str__(self) -> str:
        return f"\n\n{self.args[0]}"


class ForkedService:
    """A forked child that prepares once (say, a slow import) and then answers function calls.

    Why: a library whose import is slow can be imported on the second core while this
    process still loads and builds; the process that calls later (this one, or a worker
    forked from it afterwards, which inherits the connection) gets answers without the import.
    One process uses it: the first to call claims it (:meth:`claim`), and every other process
    computes for itself. So calls never interleave on the one connection, and a caller killed
    in the middle of a call (its answer unread) leaves no stale answer or held lock to others.
    """

    def __init__(
        self,
        process: multiprocessing.process.BaseProcess,
        line: Connection,
        lock: Any,
        user: Any,
    ) -> None:
        self._process = process
        self._line = line
        self._lock = lock  # guards the claim only, never a call
        self._user = user  # shared across forks: the pid of the process that claimed it, or 0
        self._creator = os.getpid()

    @classmethod
    def start(
        cls, prepare: Callable[[], object], functions: dict[str, Callable[..., Any]]
    ) -> ForkedService | None:
        """Fork a child that runs prepare() and then serves `functions` by name.

        Returns None where fork is unavailable or fails (see :meth:`Forked.start`): callers
        then call the functions in their own process.
        """
        if not can_fork():
            return None
        context = multiprocessing.get_context("fork")
        try:  # a POSIX semaphore and shared memory: fails where /dev/shm is missing
            lock, user = context.Lock(), context.RawValue("i", 0)
        except OSError:
            return None
        line, far_end = context.Pipe(duplex=True)
        process = context.Process(
            target=_serve, args=(prepare, functions, far_end, line), daemon=True
        )
        try:
            process.start()
        except OSError:
            line.close()
            far_end.close()
            return None
        far_end.close()
        return cls(process, line, lock, user)

    def claim(self) -> bool:
        """True when this process may call: it is, or now becomes, the service's one user."""
        pid = os.getpid()
        if self._user.value != pid:
            with self._lock:
                if self._user.value == 0:
                    self._user.value = pid
        return bool(self._user.value == pid)

    def call(self, name: str, *args: object) -> Any:
        """functions[name](*args) computed in the child; its exception is raised here.

        Raises RuntimeError when another process has claimed the service (call
        :meth:`claim` first), KGError when the child has ended (killed, out of memory, or
        closed).
        """
        if not self.claim():
            raise RuntimeError("another process uses this service (see ForkedService.claim)")
        try:
            self._line.send((name, args))
            ok, value, where = self._line.recv()
        except (EOFError, OSError):
            how = ""
            if os.getpid() == self._creator:  # only a parent can wait for its child
                self._process.join(timeout=1)
                how = f" ({_ending(self._process.exitcode)})"
            raise KGError(
                f"the build's helper process ended before answering {name}{how}; {_ONE_PROCESS}"
            ) from None
        if ok:
            return value
        raise value from _WorkerTraceback(where)

    def close(self) -> None:
        """Stop the child and reap it (in the process that started it); safe to repeat."""
        self._line.close()
        if os.getpid() == self._creator:
            if self._process.is_alive():
                self._process.kill()
            self._process.join()


def _serve(
    prepare: Callable[[], object],
    functions: dict[str, Callable[..., Any]],
    line: Connection,
    parent_end: Connection,
) -> None:
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__  # see _child
    # Ctrl-C is the parent's to handle (it closes this child); here it would print a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent_end.close()  # so that the parent closing its end is seen here as end of input
    with contextlib.suppress(BaseException):  # the calls fail the same way and report it
        prepare()
    while True:
        try:
            name, args = line.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[bool, object, str] = (True, functions[name](*args), "")
        except BaseException as exc:
            answer = (False, exc, "".join(traceback.format_exception(exc)))
        try:
            line.send(answer)
        except OSError:  # every caller is gone
            return
        except Exception as exc:  # the answer does not pickle: say so, as text
            line.send((False, RuntimeError(f"{name} failed"), answer[2] or repr(exc)))
