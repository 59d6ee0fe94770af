"""Threads that take whole tasks, so results do not depend on the thread count.

Every parallel phase of training is cut into a fixed list of tasks whose
boundaries depend on the data and the batch size only (:func:`blocks`), never
on how many threads there are. :meth:`Pool.map` runs the tasks on however many
threads it has, each thread taking whole tasks as it becomes free, and returns
their results in task order. When tasks write disjoint memory and callers
reduce the results in task order, every number comes out the same for any
thread count and any order in which the tasks happen to run; the tests check
this by running the tasks serially in shuffled orders.

Each thread runs single-threaded BLAS (the caller limits it), so a task's
matrix products compute the same bits on whichever thread runs them.
"""

import itertools
import os
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
from threadpoolctl import threadpool_info


def available_cores():
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def blas_threads():
    """Threads the loaded BLAS libraries use (1 when none reports)."""
    counts = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    return max(counts, default=1)


def effective_n_threads(n_jobs):
    """Threads for ``n_jobs``: None follows BLAS, -1 is all cores, -2 all but one."""
    if n_jobs is None:
        return blas_threads()
    if n_jobs < 0:
        return max(1, available_cores() + 1 + n_jobs)
    return int(n_jobs)


def blocks(n, size):
    """Boundaries cutting ``range(n)`` into blocks of ``size`` (the last may be shorter).

    Returns an int64 array ``[0, size, 2 size, ..., n]``; block ``i`` is
    ``bounds[i]:bounds[i + 1]``. Empty for ``n == 0`` (a single 0).
    """
    return np.append(np.arange(0, n, size, dtype=np.int64), np.int64(n))


def weighted_blocks(sizes, max_items, max_size=None):
    """Boundaries cutting items of ``sizes`` into consecutive blocks.

    A block holds at most ``max_items`` items and, with ``max_size``, items
    whose sizes sum to at most ``max_size`` (an item larger than that is a
    block of its own). Blocks are cut greedily, so the result depends only on
    the arguments. Returns bounds as :func:`blocks` does.
    """
    n = len(sizes)
    if max_size is None:
        return blocks(n, max_items)
    cumulative = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
    bounds, begin = [0], 0
    while begin < n:
        stop = int(np.searchsorted(cumulative, cumulative[begin] + max_size, side="right")) - 1
        begin = min(max(stop, begin + 1), begin + max_items, n)
        bounds.append(begin)
    return np.asarray(bounds, dtype=np.int64)


class Workspace:
    """Reusable buffers for one thread's large temporaries.

    Allocating fresh multi-megabyte arrays for every minibatch in two threads
    at once makes the threads page-fault against each other, so gathers go
    through :meth:`take` and scatter-adds write into :meth:`buffer` arrays.
    A task must write every element of a buffer before reading it: which
    thread's workspace a task gets varies from run to run.
    """

    def __init__(self):
        self._buffers = {}

    def buffer(self, name, shape, dtype=np.float32):
        """An uninitialised array of ``shape``, reusing storage kept under ``name``."""
        n = shape[0]
        kept = self._buffers.get(name)
        if kept is None or len(kept) < n or kept.shape[1:] != tuple(shape[1:]) or kept.dtype != dtype:
            kept = self._buffers[name] = np.empty((n + n // 4 + 16, *shape[1:]), dtype=dtype)
        return kept[:n]

    def slots(self, size):
        """A kept int32 array of at least ``size`` entries (contents unspecified)."""
        kept = self._buffers.get("_slots")
        if kept is None or len(kept) < size:
            kept = self._buffers["_slots"] = np.empty(size, dtype=np.int32)
        return kept

    def take(self, name, matrix, index):
        """``matrix[index]`` (rows), written into a reused buffer."""
        out = self.buffer(name, (len(index), *matrix.shape[1:]), matrix.dtype)
        # mode="clip" skips numpy's bounds-checked copy through a temporary;
        # the indices are the library's own and always in range.
        np.take(matrix, index, axis=0, out=out, mode="clip")
        return out


class Pool:
    """``n_threads`` threads (the calling one among them) that run tasks.

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, n_threads=1):
        self.n_threads = max(1, int(n_threads))
        helpers = self.n_threads - 1
        self._executor = ThreadPoolExecutor(helpers) if helpers else None
        # One more thread prepares the next data while the pool computes.
        self._background = ThreadPoolExecutor(1) if helpers else None
        self._work = [Workspace() for _ in range(self.n_threads)]

    def map(self, fn, n_tasks):
        """``[fn(0, work), ..., fn(n_tasks - 1, work)]``, the tasks spread over the threads.

        ``work`` is the :class:`Workspace` of the thread running the task.
        The first exception raised by a task is re-raised once every thread
        has stopped.
        """
        n_tasks = int(n_tasks)
        if self._executor is None or n_tasks <= 1:
            return [fn(task, self._work[0]) for task in range(n_tasks)]
        results = [None] * n_tasks
        errors = []
        counter = itertools.count()  # next() is atomic under the GIL

        def worker(thread):
            work = self._work[thread]
            while not errors:
                task = next(counter)
                if task >= n_tasks:
                    return
                try:
                    results[task] = fn(task, work)
                except BaseException as error:  # noqa: BLE001 - re-raised below
                    errors.append(error)

        helpers = min(self.n_threads, n_tasks) - 1
        futures = [self._executor.submit(worker, t) for t in range(1, helpers + 1)]
        worker(0)
        for future in futures:
            future.result()
        if errors:
            raise errors[0]
        return results

    def submit(self, fn, *args):
        """Run ``fn(*args)`` on the background thread; a ``Future`` of its result.

        With one thread it runs at once, on the calling thread.
        """
        if self._background is not None:
            return self._background.submit(fn, *args)
        future = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as error:  # noqa: BLE001 - delivered through the future
            future.set_exception(error)
        return future

    def close(self):
        for executor in (self._executor, self._background):
            if executor is not None:
                executor.shutdown()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
