import os
import platform

import numpy as np
import pytest

from skw2v._memory import release_free_memory

GLIBC = platform.libc_ver()[0] == "glibc" and os.path.exists("/proc/self/statm")


def resident_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not GLIBC, reason="glibc's heap on Linux")
def test_freed_heap_pages_go_back_to_the_system():
    big = np.ones(3 * 2**20)  # freeing 24 MB raises glibc's mmap threshold past 2 MB,
    del big
    arrays = [np.ones(2**18) for _ in range(50)]  # so these 2 MB arrays come from the heap,
    pin = np.ones(2**18)  # and one above them keeps the heap's top in use
    held = resident_mb()
    del arrays
    retained = resident_mb()
    if held - retained > 50:
        pytest.skip("the allocator returned the arrays by itself")
    assert release_free_memory() is True
    assert retained - resident_mb() > 80  # of the 100 MB freed
    del pin


def test_release_answers_whether_it_ran():
    """Where the C library has no ``malloc_trim`` (macOS, Windows, musl) it does
    nothing and says so; on glibc it runs."""
    ran = release_free_memory()
    assert isinstance(ran, bool)
    assert ran or not GLIBC
