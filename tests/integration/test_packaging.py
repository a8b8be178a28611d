"""The installable app: what the bundle carries, and a maker's old database in a new app.

Building the bundle takes a minute and belongs to CI (``packaging/build.py --self-test``);
these tests check the decisions that build rests on, from ``packaging/bundle.py`` and
the spec, plus the upgrade promise: data lives outside the bundle, so a new app meets an
old database and must migrate it, rows intact.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path, PurePosixPath

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select

from smallbatch_desktop import APP_ID, __version__
from smallbatch_desktop.db.engine import make_engine, open_database
from smallbatch_desktop.db.migrate import (
    MIGRATIONS,
    alembic_config,
    current_revision,
    head_revision,
    include_name,
)
from smallbatch_desktop.domain.models import Base, Customer, PrinterProfile

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

import bundle  # noqa: E402  (packaging/bundle.py)

SPEC = ROOT / "packaging" / "smallbatch.spec"


# --------------------------------------------------------------------------- data files


def _bundled_files() -> dict[str, Path]:
    """Destination path inside the bundle -> source file, for every data entry."""
    out: dict[str, Path] = {}
    for src, dest in bundle.resource_datas():
        source = Path(src)
        if source.is_dir():
            for f in source.rglob("*"):
                if f.is_file():
                    out[str(PurePosixPath(dest, *f.relative_to(source).parts))] = f
        else:
            out[str(PurePosixPath(dest, source.name))] = source
    return out


def test_datas_include_the_migrations_where_alembic_looks_for_them() -> None:
    files = _bundled_files()
    # frozen, migrate.py sits at <bundle>/smallbatch_desktop/db/; MIGRATIONS is beside it
    rel = MIGRATIONS.relative_to(ROOT).as_posix()
    assert rel == bundle.MIGRATIONS_DEST
    assert f"{rel}/env.py" in files
    assert f"{rel}/script.py.mako" in files
    versions = sorted(p.name for p in MIGRATIONS.glob("versions/*.py"))
    assert versions
    for name in versions:
        assert f"{rel}/versions/{name}" in files
    assert not [d for d in files if "__pycache__" in d or d.endswith(".pyc")]


def test_datas_include_resources_with_the_label_stock_licence() -> None:
    files = _bundled_files()
    assert "resources/label-stock/LICENSE" in files
    assert files["resources/label-stock/LICENSE"].read_text(encoding="utf-8").strip()
    assert any(d.startswith("resources/label-stock/") and d.endswith(".xml") for d in files)
    assert "resources/fonts/LICENSE-DejaVu.txt" in files
    assert "resources/fonts/DejaVuSans.ttf" in files
    assert "resources/icons/smallbatch.ico" in files
    for size in (16, 32, 48, 256):
        assert f"resources/icons/smallbatch-{size}.png" in files


def test_spec_reads_name_and_version_from_the_package_and_uses_bundle_decisions() -> None:
    text = SPEC.read_text(encoding="utf-8")
    assert "bundle.package_info()" in text
    assert "bundle.resource_datas()" in text
    assert "excludes=EXCLUDED" in text
    assert "bundle.keep_qt_file" in text
    assert "name=APP_ID" in text
    assert bundle.package_info()[1] == APP_ID
    assert bundle.package_info()[3] == __version__
    # it stays valid Python for PyInstaller, which execs it
    ast.parse(text, filename=str(SPEC))


# --------------------------------------------------------------------------- imports


def test_hidden_imports_cover_what_is_imported_by_name_or_from_files() -> None:
    from smallbatch_desktop.cli import COMMAND_MODULES

    ours = set(bundle.our_modules())
    for name in COMMAND_MODULES:
        assert f"smallbatch_desktop.commands.{name}" in ours
    assert "smallbatch_desktop.selftest" in ours
    assert not [m for m in ours if "migrations" in m]
    migration = set(bundle.migration_imports())
    assert {"alembic", "alembic.op", "alembic.context", "sqlalchemy"} <= migration
    assert "smallbatch_desktop.domain.models" in migration


def _imports_of_package() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "smallbatch_desktop").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
    return found


def test_exclusions_never_remove_what_the_app_imports() -> None:
    excluded = bundle.excludes()
    used = _imports_of_package()
    clash = sorted(m for m in used if bundle.is_excluded(m, excluded))
    assert clash == []
    for needed in (
        "PySide6.QtPdf",
        "PySide6.QtWidgets",
        "zxingcpp",
        "biip",
        "PIL",
        "reportlab",
        "openpyxl",  # XLSX imports, loaded lazily
    ):
        assert not bundle.is_excluded(needed, excluded)
    for unused in ("PySide6.QtWebEngineCore", "PySide6.QtQml", "tkinter", "pytest", "numpy"):
        assert bundle.is_excluded(unused, excluded)
    # the shared-database driver is in by default (Settings > Shared database)
    for module in ("psycopg", "psycopg_binary", "sqlalchemy.dialects.postgresql.psycopg"):
        assert not bundle.is_excluded(module, excluded)
    assert bundle.is_excluded("psycopg", bundle.excludes(postgres=False))


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("PySide6/plugins/platforms/qwindows.dll", True),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqtiff.so", False),
        ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
        ("PySide6/Qt/plugins/qmltooling/libqmldbg_debugger.so", False),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6\\translations\\qtbase_de.qm", False),
        ("PySide6/Qt/lib/libQt6Pdf.so.6", True),
        ("PySide6/Qt/lib/libQt6Network.so.6", True),  # QtPdf links it
        ("libpython3.11.so.1.0", True),
        ("resources/label-stock/LICENSE", True),
    ],
)
def test_qt_file_filter(dest: str, kept: bool) -> None:
    assert bundle.keep_qt_file(dest) is kept


def test_libraries_only_a_dropped_plugin_needed_are_pruned() -> None:
    links = {
        "/qt/libqgtk3.so": {"libgtk-3.so.0", "libX11.so.6", "libcairo.so.2"},
        "/qt/libqxcb.so": {"libX11.so.6", "libxcb.so.1"},
        "/sys/libgtk-3.so.0": {"libcairo.so.2", "libX11.so.6"},
        "/sys/libcairo.so.2": set(),
        "/sys/libX11.so.6": {"libxcb.so.1"},
        "/sys/libxcb.so.1": set(),
    }
    kept = [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/qt/libqxcb.so", "BINARY"),
        ("libgtk-3.so.0", "/sys/libgtk-3.so.0", "BINARY"),
        ("libcairo.so.2", "/sys/libcairo.so.2", "BINARY"),
        ("libX11.so.6", "/sys/libX11.so.6", "BINARY"),
        ("libxcb.so.1", "/sys/libxcb.so.1", "BINARY"),
    ]
    dropped = [("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/qt/libqgtk3.so", "BINARY")]
    left = bundle.prune_orphan_libraries(kept, dropped, lambda src: links[src])
    assert [e[0] for e in left] == [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "libX11.so.6",
        "libxcb.so.1",
    ]


# --------------------------------------------------------------------------- versions


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.1.0", (0, 1, 0, 0)), ("1.2", (1, 2, 0, 0)), ("2.3.4rc1", (2, 3, 4, 0))],
)
def test_version_tuple(text: str, expected: tuple[int, int, int, int]) -> None:
    assert bundle.version_tuple(text) == expected


def test_windows_version_info_comes_from_the_package_version() -> None:
    name, app_id, org, version = bundle.package_info()
    text = bundle.windows_version_info(version, name=name, app_id=app_id, org=org)
    assert f"filevers={bundle.version_tuple(version)}" in text
    assert f"StringStruct('ProductVersion', '{version}')" in text
    assert f"StringStruct('OriginalFilename', '{app_id}.exe')" in text
    # PyInstaller evals this file; it must at least be a Python expression
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    ast.parse(body, mode="eval")


def test_linux_desktop_file_and_installer_name_the_app() -> None:
    desktop = (ROOT / "packaging" / "linux" / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    entries = dict(
        line.split("=", 1) for line in desktop.splitlines() if "=" in line and line[0] != "#"
    )
    assert entries["Type"] == "Application"
    assert entries["Exec"] == APP_ID
    assert entries["Icon"] == APP_ID
    assert entries["Terminal"] == "false"
    install = ROOT / "packaging" / "linux" / "install.sh"
    assert install.stat().st_mode & 0o111  # executable
    assert "resources/icons/$APP_ID-$s.png" in install.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- upgrades


def _first_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config())
    bases = script.get_bases()
    assert len(bases) == 1
    return bases[0]


def test_database_from_the_first_release_opens_and_upgrades_with_its_data(
    tmp_path: Path,
) -> None:
    """A maker's database made by the first version, with data, opens in this version.

    The rows are written with plain SQL against the first revision's tables (not the
    current models), so this test keeps meaning the same thing as migrations pile up.
    """
    path = tmp_path / "smallbatch.sqlite"
    first = _first_revision()
    old = make_engine(path)
    with old.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, first)
    with old.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO customers (name, kind, address, contact, email, phone, created_at) "
            "VALUES ('Riverside Deli', 'retailer', '4 Quay St', 'Ann', 'ann@example.org', "
            "'555-0101', '2025-03-01 09:30:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO printer_profiles (name, printer_name, dpi, offset_x_mm, offset_y_mm) "
            "VALUES ('Office laser', 'HP LaserJet', 600, 0, 0)"
        )
        conn.exec_driver_sql(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, details) "
            "VALUES ('2025-03-01 09:30:00', 'ann', 'create', 'customer', 1, '{}')"
        )
    assert current_revision(old) == first
    old.dispose()

    # the new app opens it the way it opens every database: migrate to head, then use it
    engine, session_factory = open_database(path)
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name}
            )
            assert compare_metadata(ctx, Base.metadata) == []
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        with session_factory() as s:
            customer = s.scalars(select(Customer)).one()
            assert (customer.name, customer.email) == ("Riverside Deli", "ann@example.org")
            profile = s.scalars(select(PrinterProfile)).one()
            assert (profile.name, profile.dpi) == ("Office laser", 600)
    finally:
        engine.dispose()

    # and a second start is a no-op on the same file
    again, _ = open_database(path)
    assert current_revision(again) == head_revision()
    again.dispose()


def test_data_folder_is_outside_the_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Frozen, resources come from the bundle but data never does: replacing the app
    folder on upgrade cannot touch a maker's database."""
    from smallbatch_desktop import paths

    fake_bundle = tmp_path / "smallbatch" / "_internal"
    (fake_bundle / "resources").mkdir(parents=True)
    home = tmp_path / "home"
    monkeypatch.setattr(sys, "_MEIPASS", str(fake_bundle), raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.delenv("SMALLBATCH_DATA_DIR", raising=False)
    monkeypatch.delenv("SMALLBATCH_DB", raising=False)
    for var in ("HOME", "XDG_DATA_HOME", "APPDATA", "LOCALAPPDATA", "USERPROFILE"):
        monkeypatch.setenv(var, str(home))
    paths.resources_dir.cache_clear()
    try:
        assert paths.resources_dir() == fake_bundle / "resources"
        data = paths.data_dir()
        assert not data.is_relative_to(fake_bundle.parent)
        assert not Path(paths.default_database()).is_relative_to(fake_bundle.parent)
    finally:
        paths.resources_dir.cache_clear()
