"""A pool of worker processes that the parent can kill and replace at a hard deadline.

Why not `concurrent.futures.ProcessPoolExecutor` or `multiprocessing.Pool`: neither can kill
one stuck task without breaking the whole pool, and math-verify's own `signal.alarm` timeouts
do not stop every hang (power towers such as `5^{5^{5^{5^5}}}` spin in C code).  Here one
dispatcher thread owns all workers; each worker runs one task at a time in its main thread, and
a task past its deadline costs exactly one SIGKILL and one respawn.

A task may call back into the parent (`call_parent`) for a service that only the parent
holds, such as the warm sandbox.  The parent runs the call in a thread, by the task's own
deadline, so that the work a task hands out ends when the task does.
"""

from __future__ import annotations

import collections
import contextlib
import importlib
import itertools
import logging
import multiprocessing
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from typing import Any

log = logging.getLogger(__name__)

# Each worker gets this many tasks ahead, so it never idles for a pipe round trip.
_TASKS_AHEAD = 2
# A task whose worker died for another reason than our deadline gets one more try.
_MAX_ATTEMPTS = 2


class TaskTimeout(Exception):
    """The task passed its deadline; its worker was killed."""


class WorkerCrashed(Exception):
    """The worker died while running the task, twice."""


class PoolClosed(Exception):
    pass


class DeadlinePassed(Exception):
    """Raised by a parent service: the calling task's deadline has passed; it is timed out."""


# A service the parent offers to its tasks: (payload, the task's monotonic deadline) -> reply.
Service = Callable[[Any, float], Any]

_CALL = "call"  # worker -> parent: (_CALL, service name, payload)
_REPLY = "reply"  # parent -> worker: (_REPLY, ok, value or "Type: message")


@dataclass
class _Task:
    task_id: int
    payload: Any
    timeout_s: float
    deadline: float  # time.monotonic() by which the task must be done, whatever its timeout
    future: Future = field(default_factory=Future)
    attempts: int = 0


class _Outbox:
    """What the parent sends one worker, written by a thread of its own.

    The dispatcher must never block on a full pipe: a worker may be blocked sending its own
    large message (a sandbox job carrying a big reference, or a result) at the same moment,
    and with both ends writing and neither reading, both wait forever.  The thread alone
    closes the connection, once it is told to stop, so no write can land on a reused fd.
    """

    def __init__(self, conn: Connection, name: str) -> None:
        self._conn = conn
        self._messages: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._send_all, name=name, daemon=True)
        self._thread.start()

    def put(self, message: bytes) -> None:
        self._messages.put(message)

    def close(self) -> None:
        self._messages.put(None)

    def _send_all(self) -> None:
        broken = False
        while (message := self._messages.get()) is not None:
            if broken:
                continue  # the worker is gone; the dispatcher sees it and replaces it
            try:
                self._conn.send_bytes(message)
            except (OSError, ValueError):
                broken = True
        self._conn.close()


@dataclass
class _Worker:
    process: multiprocessing.Process
    conn: Connection  # the dispatcher reads it; only `outbox` writes it
    outbox: _Outbox
    tasks: collections.deque[_Task] = field(default_factory=collections.deque)
    head_started: float = 0.0  # when the first task in `tasks` started running


class _ParentLink:
    """The worker's end of its pipe: tasks come in, and calls to the parent go out."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.early: collections.deque[Any] = collections.deque()  # tasks sent during a call

    def next_message(self) -> Any:
        return self.early.popleft() if self.early else self.conn.recv()

    def call(self, service: str, payload: Any) -> Any:
        self.conn.send((_CALL, service, payload))
        while True:
            message = self.conn.recv()
            if isinstance(message, tuple) and message and message[0] == _REPLY:
                _, ok, value = message
                if ok:
                    return value
                kind, _, text = value.partition(": ")
                raise (ValueError if kind == "ValueError" else RuntimeError)(text or kind)
            self.early.append(message)  # the parent queued the next task ahead


_link: _ParentLink | None = None


def call_parent(service: str, payload: Any) -> Any:
    """From inside a task: run the parent's `service` on `payload` and return its reply.

    A ValueError in the service comes back as ValueError, anything else as RuntimeError.
    """
    if _link is None:
        raise RuntimeError("call_parent works only inside a KillablePool task")
    return _link.call(service, payload)


def _worker_main(conn: Connection, target: str, import_path: list[str] | None = None) -> None:
    global _link
    if import_path is not None:
        sys.path[:] = import_path  # the parent's, never the working directory's (see below)
    module_name, _, function_name = target.partition(":")
    function: Callable[[Any], Any] = getattr(importlib.import_module(module_name), function_name)
    _link = _ParentLink(conn)
    while True:
        try:
            message = _link.next_message()
        except (EOFError, OSError):
            return  # the parent is gone: nothing left to work for
        if message is None:
            return
        task_id, payload = message
        try:
            reply = (task_id, True, function(payload))
        except BaseException as exc:  # report, never die, on a task's own exception
            reply = (task_id, False, f"{type(exc).__name__}: {exc}")
        conn.send(reply)


class KillablePool:
    """Runs `target` ("module:function") on payloads in `size` killable worker processes.

    `services` are what tasks may ask of the parent with `call_parent(name, payload)`.
    """

    def __init__(
        self,
        target: str,
        size: int | None = None,
        services: Mapping[str, Service] | None = None,
    ) -> None:
        self.target = target
        self.size = size or os.cpu_count() or 1
        self.services = dict(services or {})
        module_name = target.partition(":")[0]
        self._context = multiprocessing.get_context("forkserver")
        # Preloading makes a respawn after a kill cost a fork, not a fresh import of sympy.
        self._context.set_forkserver_preload([module_name])
        _start_forkserver_with_our_imports()
        # Each worker has at most one call open; the rest is room for calls whose task was
        # killed, which end by that task's deadline.
        self._calls = ThreadPoolExecutor(2 * self.size, thread_name_prefix="pool-call")
        self._calls_running = 0
        self._finished_calls: collections.deque[tuple[_Worker, _Task, bool, Any]] = (
            collections.deque()
        )
        self._queue: collections.deque[_Task] = collections.deque()
        self._lock = threading.Lock()
        self._wake_reader, self._wake_writer = self._context.Pipe(duplex=False)
        self._ids = itertools.count()
        self._closed = False
        self.kills = 0
        self.crashes = 0
        self._workers = [self._start_worker() for _ in range(self.size)]
        self._dispatcher = threading.Thread(
            target=self._dispatch_forever, name="killable-pool", daemon=True
        )
        self._dispatcher.start()

    # -- public -----------------------------------------------------------------------------

    def submit(self, payload: Any, timeout_s: float, deadline: float | None = None) -> Future:
        """Queue one task; its future raises TaskTimeout or WorkerCrashed on failure.

        `timeout_s` bounds the task's own run time; `deadline` (monotonic) bounds its wait
        in the queue too, so that a request's budget holds however busy the pool is.
        """
        if self._closed:
            raise PoolClosed("the pool is closed")
        task = _Task(
            next(self._ids), payload, timeout_s, deadline if deadline is not None else float("inf")
        )
        with self._lock:
            self._queue.append(task)
        self._wake()
        return task.future

    def queued(self) -> int:
        return len(self._queue)

    def in_flight(self) -> int:
        """Tasks queued or running, plus parent calls still running (a killed task's too)."""
        running = sum(len(worker.tasks) for worker in list(self._workers))
        return len(self._queue) + running + self._calls_running

    def alive(self) -> int:
        return sum(worker.process.is_alive() for worker in self._workers)

    def close(self) -> None:
        self._closed = True
        self._wake()
        self._dispatcher.join(timeout=5)
        for worker in self._workers:
            _kill(worker.process)
            worker.outbox.close()
        for task in self._queue:
            task.future.set_exception(PoolClosed("the pool was closed"))
        self._calls.shutdown(wait=False, cancel_futures=True)

    # -- dispatcher -------------------------------------------------------------------------

    def _start_worker(self) -> _Worker:
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main, args=(child_end, self.target, list(sys.path)), daemon=True
        )
        process.start()
        child_end.close()
        return _Worker(process, parent_end, _Outbox(parent_end, f"pool-send-{process.pid}"))

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_writer.send_bytes(b"")

    def _dispatch_forever(self) -> None:
        while not self._closed:
            try:
                self._dispatch_once()
            except Exception:  # the dispatcher must outlive any one bad event
                log.exception("pool dispatcher error")
                time.sleep(0.05)

    def _dispatch_once(self) -> None:
        now = time.monotonic()
        self._answer_finished_calls(now)
        self._expire_queued(now)
        self._assign(now)
        busy = {worker.conn: worker for worker in self._workers if worker.tasks}
        ready = wait([self._wake_reader, *busy], timeout=self._next_deadline(now))
        now = time.monotonic()
        for conn in ready:
            if conn is self._wake_reader:
                while self._wake_reader.poll():
                    self._wake_reader.recv_bytes()
            elif busy[conn] in self._workers:  # not replaced by an earlier event of this round
                self._receive(busy[conn], now)
        self._kill_overdue(time.monotonic())

    def _expire_queued(self, now: float) -> None:
        with self._lock:
            if not any(task.deadline <= now for task in self._queue):
                return
            expired = [task for task in self._queue if task.deadline <= now]
            self._queue = collections.deque(task for task in self._queue if task.deadline > now)
        for task in expired:
            task.future.set_exception(TaskTimeout("the deadline passed before the task started"))

    def _assign(self, now: float) -> None:
        # Idle workers first, then one task ahead each: two tasks must never queue behind
        # one worker (and one hang) while another worker sits idle.
        for depth in range(1, _TASKS_AHEAD + 1):
            for worker in self._workers:
                if len(worker.tasks) >= depth:
                    continue
                with self._lock:
                    if not self._queue:
                        return
                    task = self._queue.popleft()
                try:
                    message = ForkingPickler.dumps((task.task_id, task.payload))
                except Exception as exc:  # this task's payload, not the worker, is at fault
                    task.future.set_exception(
                        RuntimeError(f"the task cannot be sent: {type(exc).__name__}: {exc}")
                    )
                    continue
                # A worker that died meanwhile is seen on its connection, and its tasks,
                # this one included, are requeued then (_on_crash).
                worker.outbox.put(message)
                if not worker.tasks:
                    worker.head_started = now
                worker.tasks.append(task)

    def _next_deadline(self, now: float) -> float:
        ends = [self._head_end(worker) for worker in self._workers if worker.tasks]
        with self._lock:
            ends += [task.deadline for task in self._queue]
        return max(0.0, min(ends, default=now + 1.0) - now)

    @staticmethod
    def _head_end(worker: _Worker) -> float:
        head = worker.tasks[0]
        return min(worker.head_started + head.timeout_s, head.deadline)

    def _receive(self, worker: _Worker, now: float) -> None:
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            self._on_crash(worker)
            return
        if message[0] == _CALL:
            self._start_call(worker, message[1], message[2])
            return
        task_id, ok, value = message
        task = worker.tasks.popleft()
        if task.task_id != task_id:  # cannot happen with an honest worker; never mix answers
            self._requeue_front([task, *worker.tasks])
            worker.tasks.clear()
            self._replace(worker, crashed=True)
            return
        worker.head_started = now
        if ok:
            task.future.set_result(value)
        else:
            task.future.set_exception(RuntimeError(value))

    def _start_call(self, worker: _Worker, name: str, payload: Any) -> None:
        task = worker.tasks[0]
        service = self.services.get(name)
        if service is None:
            self._finished_calls.append((worker, task, False, f"KeyError: no service {name!r}"))
            return
        with self._lock:
            self._calls_running += 1

        def run() -> None:
            try:
                outcome: tuple[bool, Any] = (True, service(payload, task.deadline))
            except DeadlinePassed as exc:
                outcome = (False, exc)
            except Exception as exc:
                outcome = (False, f"{type(exc).__name__}: {exc}")
            finally:
                with self._lock:
                    self._calls_running -= 1
            self._finished_calls.append((worker, task, *outcome))
            self._wake()

        self._calls.submit(run)

    def _answer_finished_calls(self, now: float) -> None:
        while self._finished_calls:
            worker, task, ok, value = self._finished_calls.popleft()
            if worker not in self._workers or not worker.tasks or worker.tasks[0] is not task:
                continue  # the task was killed meanwhile; nobody waits for this answer
            if isinstance(value, DeadlinePassed):
                self._time_out_head(worker, str(value))
                continue
            try:
                message = ForkingPickler.dumps((_REPLY, ok, value))
            except Exception as exc:  # the service's answer, not the worker, is at fault
                reason = f"RuntimeError: the reply cannot be sent: {type(exc).__name__}: {exc}"
                message = ForkingPickler.dumps((_REPLY, False, reason))
            worker.outbox.put(message)

    def _time_out_head(self, worker: _Worker, why: str) -> None:
        self.kills += 1
        head, *rest = worker.tasks
        worker.tasks.clear()
        self._replace(worker, crashed=False)
        self._requeue_front(rest)
        head.future.set_exception(TaskTimeout(why))

    def _on_crash(self, worker: _Worker) -> None:
        self.crashes += 1
        head, *rest = worker.tasks
        worker.tasks.clear()
        head.attempts += 1
        retry = [head] if head.attempts < _MAX_ATTEMPTS else []
        self._replace(worker, crashed=True)
        self._requeue_front(retry + rest)
        if not retry:
            head.future.set_exception(WorkerCrashed("the grading process died on this item"))

    def _kill_overdue(self, now: float) -> None:
        for worker in list(self._workers):
            if worker.tasks and now >= self._head_end(worker):
                head = worker.tasks[0]
                if head.deadline < worker.head_started + head.timeout_s:
                    why = "killed: the request's deadline passed while it ran"
                else:
                    why = f"killed after {head.timeout_s:g} s"
                self._time_out_head(worker, why)

    def _requeue_front(self, tasks: list[_Task]) -> None:
        with self._lock:
            self._queue.extendleft(reversed(tasks))

    def _replace(self, worker: _Worker, crashed: bool) -> None:
        _kill(worker.process)
        worker.outbox.close()  # it closes the connection once it has stopped writing
        index = self._workers.index(worker)
        self._workers[index] = self._start_worker()
        if crashed:
            log.warning("grading worker %s died; replaced", worker.process.pid)


def _kill(process: multiprocessing.Process) -> None:
    if process.is_alive():
        process.kill()
    process.join(timeout=5)


_forkserver_lock = threading.Lock()


def _start_forkserver_with_our_imports() -> None:
    """Start the forkserver so that it imports this very `rewardd`, wherever we were started.

    Python 3.11's forkserver runs `python -c ...`, which puts the working directory first on
    its import path (it ignores the parent's sys.path).  Started from the folder that holds a
    clone named `rewardd`, the server and every worker then imported that folder instead of
    the installed package and died.  `-P` semantics (PYTHONSAFEPATH) drop the working
    directory; PYTHONPATH carries the parent's own path, and each worker sets the parent's
    exact sys.path before importing its target.
    """
    from multiprocessing import forkserver

    with _forkserver_lock:
        saved = {name: os.environ.get(name) for name in ("PYTHONSAFEPATH", "PYTHONPATH")}
        os.environ["PYTHONSAFEPATH"] = "1"
        os.environ["PYTHONPATH"] = os.pathsep.join(entry for entry in sys.path if entry)
        try:
            forkserver.ensure_running()
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
