"""The app survives a day of Qt calls on CPython 3.11 with PySide6 6.12.0 (ui/__init__.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import sys
    import smallbatch_desktop.ui  # the guard
    from PySide6.QtWidgets import QApplication, QLabel, QPushButton
    app = QApplication([])
    button, label = QPushButton(), QLabel()
    for i in range(150_000):  # void methods: each one loses a reference to None on 3.11
        button.setEnabled(i % 2 == 0)
        label.setText("x")
    print("alive")
    """
)


def test_many_void_qt_calls_do_not_kill_none() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "alive"


def test_guard_is_applied_once_and_only_where_needed() -> None:
    from smallbatch_desktop.ui import refcount_guard

    assert refcount_guard.guard_singletons() is False  # importing the ui package did it
    if sys.version_info < (3, 12) and sys.implementation.name == "cpython":
        assert sys.getrefcount(None) > refcount_guard.HEADROOM // 2
