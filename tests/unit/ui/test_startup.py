"""Start-up: the at-head check without Alembic, the window painted from a stdlib sqlite3
read before SQLAlchemy loads, and the batch list's index-friendly sorts."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.app import LazySessionFactory, build_main_window, open_for_window
from smallbatch_desktop.db.migrate import (
    head_revision,
    head_revision_from_files,
    is_at_head,
    sqlite_file,
)
from smallbatch_desktop.domain.status import BatchStatus
from smallbatch_desktop.services import batches as bsvc
from smallbatch_desktop.ui.models.batches import COLUMNS, BatchTableModel
from smallbatch_desktop.ui.testing import temp_settings


def test_head_read_from_the_files_is_alembics_head() -> None:
    assert head_revision_from_files() == head_revision()


def test_is_at_head_without_alembic(db_path: Path, tmp_path: Path) -> None:
    assert is_at_head(db_path)
    assert is_at_head(f"sqlite:///{db_path}")
    assert not is_at_head(tmp_path / "missing.sqlite")
    assert not is_at_head("postgresql://u@localhost/db")
    assert not is_at_head("sqlite://")
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    assert not is_at_head(empty)  # no alembic_version table
    old = tmp_path / "old.sqlite"
    old.write_bytes(db_path.read_bytes())
    with sqlite3.connect(old) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'an_older_revision'")
    assert not is_at_head(old)
    assert sqlite_file("sqlite:///:memory:") is None


def test_a_file_at_head_paints_before_sqlalchemy_is_used(
    qtbot: Any, db_path: Path, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    from smallbatch_desktop.ui.sample_data import build_small_workshop

    with session_factory.begin() as s:
        ids = build_small_workshop(s)
    opened = open_for_window(str(db_path))
    try:
        lazy = opened.session_factory
        assert isinstance(lazy, LazySessionFactory) and lazy._factory is None
        assert not opened.is_empty_workshop()
        window = build_main_window(
            lazy, temp_settings(tmp_path), str(db_path), batch_reads=opened.batch_reads
        )
        qtbot.addWidget(window)
        view = window.view("batchView")
        assert view.model.rowCount() > 0 and not view.has_detail()
        assert lazy._factory is None  # the list was read without SQLAlchemy
        with qtbot.waitSignal(window.ready, timeout=5000):
            window.show()
        assert view.has_detail() and lazy._factory is not None
        view.select_batch(ids["hs_batch"])
        assert view.detail.batch_id == ids["hs_batch"]
        assert (
            view.detail.lot_label.text()
            == view.model.row_at(view.model.find_row(ids["hs_batch"])).lot_code
        )
    finally:
        opened.close()


def test_a_new_file_is_migrated_the_normal_way(tmp_path: Path) -> None:
    target = tmp_path / "new.sqlite"
    opened = open_for_window(str(target))
    try:
        assert not isinstance(opened.session_factory, LazySessionFactory)
        assert is_at_head(target)
        assert opened.is_empty_workshop()
    finally:
        opened.close()


def test_first_paint_imports_no_sqlalchemy(db_path: Path, tmp_path: Path) -> None:
    """In a fresh process: at the batch list's first paint neither SQLAlchemy nor Alembic
    nor the ORM models are imported; after ``ready`` they are."""
    script = textwrap.dedent(
        """
        import json, sys
        from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
        from smallbatch_desktop.app import build_main_window, make_application, open_for_window
        app = make_application(sys.argv[:1])
        opened = open_for_window(sys.argv[1])
        settings = QSettings(sys.argv[2], QSettings.Format.IniFormat)
        w = build_main_window(opened.session_factory, settings, sys.argv[1],
                              batch_reads=opened.batch_reads)
        table = w.view("batchView").table
        out = {}
        def heavy():
            names = ("sqlalchemy", "alembic", "smallbatch_desktop.domain.models",
                     "smallbatch_desktop.services.batches", "reportlab", "biip")
            return sorted(n for n in names if n in sys.modules)
        class Spy(QObject):
            def eventFilter(self, obj, ev):
                if ev.type() == QEvent.Type.Paint and "paint" not in out:
                    out["paint"] = heavy()
                return False
        spy = Spy()
        table.viewport().installEventFilter(spy)
        def ready():
            out["ready"] = heavy()
            print(json.dumps(out), flush=True)
            QTimer.singleShot(0, app.quit)
        w.ready.connect(ready)
        w.show()
        app.exec()
        opened.close()
        """
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run = subprocess.run(
        [sys.executable, "-c", script, str(db_path), str(tmp_path / "s.ini")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    out = json.loads(next(ln for ln in run.stdout.splitlines() if ln.startswith("{")))
    assert out["paint"] == []
    assert "sqlalchemy" in out["ready"] and "smallbatch_desktop.domain.models" in out["ready"]


@pytest.mark.parametrize("descending", [False, True])
def test_product_and_status_sorts_walk_indexes_and_order_correctly(
    qtbot: Any, session_factory: sessionmaker[Session], descending: bool
) -> None:
    from smallbatch_desktop.services.demo import load_demo

    with session_factory.begin() as s:
        load_demo(s)
    model = BatchTableModel(session_factory)
    order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
    col = {c[2]: i for i, c in enumerate(COLUMNS)}
    with session_factory() as s:
        everything = {r.id for r in bsvc.list_batches(s, limit=10_000)}

    model.sort(col["product"], order)
    rows = [model.row_at(r) for r in range(model.rowCount())]
    assert {r.id for r in rows} == everything
    names = [r.product for r in rows]
    assert names == sorted(names, reverse=descending)

    model.sort(col["status"], order)
    rows = [model.row_at(r) for r in range(model.rowCount())]
    assert {r.id for r in rows} == everything
    keys = [(r.status, r.made_date, r.id) for r in rows]
    assert keys == sorted(keys, reverse=descending)  # newest first within a status when DESC
    assert {r.status for r in rows} <= {s.value for s in BatchStatus}

    # the plans: an index walk, no temporary B-tree for the ORDER BY
    from smallbatch_desktop.services import fast_reads

    captured: list[str] = []

    def spy(sql: str, params: dict[str, Any]) -> list[Any]:
        captured.append(sql)
        return []

    for key in fast_reads.SORT_KEYS:  # every column the list sorts by walks an index
        fast_reads.batch_page(spy, sort=key, descending=descending, matches=100_000)
    with session_factory() as s:
        raw = s.connection().connection.driver_connection
        assert raw is not None
        for sql in captured:
            plan = " ".join(
                str(r[3])
                for r in raw.execute("EXPLAIN QUERY PLAN " + sql, {"lim": 200, "off": 0}).fetchall()
            )
            assert "TEMP B-TREE" not in plan, (sql, plan)
