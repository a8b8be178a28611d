"""Make ``None``, ``True`` and ``False`` effectively immortal on CPython < 3.12.

PySide6 6.12.0 returns ``None`` from ``void`` methods without a new reference (and some
``bool`` paths do the same), which is harmless on CPython 3.12+ where these singletons are
immortal (PEP 683) and fatal on 3.11 after enough calls: a workshop PC running the app
all day would abort with "deallocating None". Adding 2**40 to their reference counts at
start-up is what CPython 3.12 does by design; no program lives long enough to spend it.
"""

from __future__ import annotations

import ctypes
import sys

#: references added to each singleton: about 3 years of a million stolen references a
#: second before anything could reach zero
HEADROOM = 1 << 40

_done = False


def guard_singletons() -> bool:
    """Add ``HEADROOM`` references to ``None``, ``True`` and ``False`` once per process
    on CPython before 3.12; returns True when it did."""
    global _done
    if _done or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    for obj in (None, True, False):
        # ob_refcnt is the object header's first field (Py_ssize_t) on CPython
        ctypes.c_ssize_t.from_address(id(obj)).value += HEADROOM
    _done = True
    return True
