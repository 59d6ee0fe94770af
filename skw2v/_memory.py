"""Freed memory back to the operating system.

glibc serves allocations below its mmap threshold (which rises, up to 32 MB,
as larger arrays are freed) from its heap, and keeps what is freed there:
the process's resident memory does not fall when such arrays are released.
:func:`release_free_memory` asks it to hand back the heap's free pages, as
Dask's workers do; it changes no allocator setting.
"""

import ctypes
import ctypes.util
import functools


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim``, or None where the C library has none."""
    try:
        library = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = library.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory():
    """Return the C heap's free pages to the operating system (glibc's
    ``malloc_trim(0)``); return whether the call exists here (not on macOS,
    Windows or musl, where this does nothing)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
