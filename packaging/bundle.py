"""What goes into the PyInstaller bundle, as plain data the spec and the tests share.

The spec (``smallbatch.spec``) is PyInstaller glue; the decisions live here so that
``tests/integration/test_packaging.py`` can check them without running a 2-minute build:
the migrations and the label stock licence are in the data files, every module a
migration imports is a hidden import, and the exclusions never remove something the app
imports.  Nothing here imports PyInstaller.

Why each list looks the way it does:

- **Data files.** The whole ``resources/`` folder goes in as ``resources`` (fonts with
  their licence, the gLabels stock catalog with its LICENSE, icons), where
  ``paths.resources_dir()`` looks under ``sys._MEIPASS``.  Alembic reads its
  ``script_location`` from the filesystem (``db/migrate.py``: next to ``migrate.py``),
  so ``env.py``, ``script.py.mako`` and ``versions/*.py`` are copied as source files to
  the same place inside the bundle.
- **Hidden imports.** ``cli.py`` imports the sub-commands by name and Alembic executes
  ``env.py`` and the versions from files, so PyInstaller's import scan sees none of
  them: all of our package's modules go in, plus whatever the migration files import
  (read from their source with ``ast``, so a new migration cannot silently break the
  bundle), plus the libraries that load modules dynamically (Alembic's dialect
  implementations, platformdirs' per-platform modules).
- **Exclusions.** Qt modules the app never imports (web engine, QML/Quick, 3D,
  multimedia, SQL, test, designer...), Python's test and GUI toolkits, and the test
  dependencies that live in a developer's virtualenv (pytest, hypothesis, pypdfium2,
  pdfplumber, numpy).  QtPdf links ``libQt6Network`` itself, so that library stays
  (PyInstaller finds it as a binary dependency) while the ``PySide6.QtNetwork`` Python
  module and its TLS / network-information plugins are left out.
- **Filters.** Qt's translations (the app ships in English only) and the Qt plugins
  the app cannot use (embedded-device backends, the GTK theme, TIFF/TGA/WBMP readers)
  are dropped after analysis (``keep_qt_file``, ``QT_PLUGINS``).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "smallbatch_desktop"
MIGRATIONS = ROOT / PACKAGE / "db" / "migrations"
MIGRATIONS_DEST = f"{PACKAGE}/db/migrations"
RESOURCES = ROOT / "resources"
ICONS = RESOURCES / "icons"
MAX_BUNDLE_MB = 200
#: strip symbol tables on Linux: an unstripped libpython alone is 22 MB of 194
STRIP = sys.platform.startswith("linux")

#: one entry of a PyInstaller TOC: (destination name, source path, type code)
TocEntry = tuple[str, str, str]

#: libraries that import modules by name at run time, and the prefix to collect
DYNAMIC_PACKAGES = ("alembic", "platformdirs", "biip")
#: ... but not their test helpers
DYNAMIC_SKIP = ("alembic.testing", "alembic.testing.", "biip.tests")

#: Qt modules the app does not import (belt and braces: PyInstaller collects only what
#: is imported, but a stray import in a dependency would pull in tens of megabytes)
QT_EXCLUDES = tuple(
    f"PySide6.{m}"
    for m in (
        "Qt3DAnimation",
        "Qt3DCore",
        "Qt3DExtras",
        "Qt3DInput",
        "Qt3DLogic",
        "Qt3DRender",
        "QtBluetooth",
        "QtCharts",
        "QtConcurrent",
        "QtDataVisualization",
        "QtDesigner",
        "QtGraphs",
        "QtHelp",
        "QtHttpServer",
        "QtLocation",
        "QtMultimedia",
        "QtMultimediaWidgets",
        "QtNetwork",
        "QtNetworkAuth",
        "QtNfc",
        "QtOpenGL",
        "QtOpenGLWidgets",
        "QtPositioning",
        "QtQml",
        "QtQuick",
        "QtQuick3D",
        "QtQuickControls2",
        "QtQuickWidgets",
        "QtRemoteObjects",
        "QtScxml",
        "QtSensors",
        "QtSerialBus",
        "QtSerialPort",
        "QtSpatialAudio",
        "QtSql",
        "QtStateMachine",
        "QtSvgWidgets",
        "QtTest",
        "QtTextToSpeech",
        "QtUiTools",
        "QtWebChannel",
        "QtWebEngineCore",
        "QtWebEngineQuick",
        "QtWebEngineWidgets",
        "QtWebSockets",
        "QtWebView",
        "QtXml",
    )
)

#: Python modules and test dependencies a maker's app never runs
PYTHON_EXCLUDES = (
    "tkinter",
    "_tkinter",
    "turtle",
    "turtledemo",
    "idlelib",
    "lib2to3",
    "pydoc_data",
    "test",
    "unittest",
    "doctest",
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "pypdfium2",
    "pypdfium2_raw",
    "pdfplumber",
    "pdfminer",
    "numpy",
    # Pillow is here for ReportLab's images (PNG/JPEG on labels); not AVIF (4.7 MB of
    # codec), colour management, or its Tk and Qt bridges
    "PIL._avif",
    "PIL.AvifImagePlugin",
    "PIL._imagingtk",
    "PIL.ImageTk",
    "PIL.ImageQt",
    "PIL._imagingcms",
    "PIL.ImageCms",
    "mypy",
    "ruff",
    "IPython",
    "setuptools",
    "pkg_resources",
    "PyInstaller",
    "alembic.testing",
    "sqlalchemy.testing",
    "tests",
    "bench",
)

#: the PostgreSQL driver (about 13 MB with its libpq): in the bundle, so a workstation
#: can use a shared database out of the box; ``build.py --no-postgres`` leaves it out
POSTGRES_MODULES = ("psycopg", "psycopg_binary", "psycopg_c", "psycopg_pool", "psycopg2")

#: Qt plugins the app needs, by folder (under ``PySide6/Qt/plugins``): ``None`` keeps the
#: whole folder, a tuple keeps only the plugins whose file name contains one of the
#: words.  Every other folder is dropped.
QT_PLUGINS: dict[str, tuple[str, ...] | None] = {
    # xcb and wayland for desktops, offscreen/minimal for CI and --self-test; not the
    # embedded-device backends (eglfs, linuxfb, vnc, vkkhrdisplay)
    "platforms": ("qxcb", "qwayland", "qoffscreen", "qminimal.", "qwindows", "qcocoa"),
    # native file dialogs through the XDG portal; the GTK 3 theme is left out because
    # it drags ~25 MB of the build machine's GTK stack into the bundle, which then
    # clashes with the maker's own GTK theme engines
    "platformthemes": ("xdgdesktopportal",),
    "platforminputcontexts": None,  # compose key, IBus input methods
    "imageformats": ("qjpeg", "qgif", "qico", "qsvg", "qwebp", "qicns"),
    "iconengines": None,  # SVG icons
    "xcbglintegrations": None,
    "wayland-decoration-client": None,
    "wayland-graphics-integration-client": None,
    "wayland-shell-integration": None,
    "styles": None,  # Windows 11 and macOS styles
}


def resource_datas() -> list[tuple[str, str]]:
    """(source, destination folder) pairs: resources/ and the Alembic script folder."""
    return [(str(RESOURCES), "resources"), *migration_datas()]


def migration_datas() -> list[tuple[str, str]]:
    """Every migration source file, kept at its path beside ``db/migrate.py``.

    Listed file by file (not the folder) so ``__pycache__`` and editor leftovers stay
    out; Alembic needs the ``.py`` sources, which it executes itself.
    """
    out = []
    for path in sorted(MIGRATIONS.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        dest = PurePosixPath(MIGRATIONS_DEST, *path.relative_to(MIGRATIONS).parent.parts)
        out.append((str(path), str(dest)))
    return out


def migration_imports() -> list[str]:
    """Top-level modules imported by ``env.py`` and the version files (read with ast).

    PyInstaller never sees these imports: Alembic loads the files at run time.
    """
    found: set[str] = set()
    for path in sorted(MIGRATIONS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                # ``from alembic import op``: op is a module; ``from x import Base`` is not
                found.update(
                    f"{node.module}.{alias.name}"
                    for alias in node.names
                    if _is_module(f"{node.module}.{alias.name}")
                )
    return sorted(m for m in found if m.split(".")[0] != "__future__")


def _is_module(name: str) -> bool:
    import importlib.util

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def our_modules() -> list[str]:
    """Every module of the package (sub-commands are imported by name in cli.py)."""
    pkg = ROOT / PACKAGE
    out = []
    for path in sorted(pkg.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        if "migrations" in rel.parts or "__pycache__" in rel.parts or rel.name == "__main__":
            continue
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        out.append(".".join(parts))
    return out


def excludes(*, postgres: bool = True) -> list[str]:
    out = [*QT_EXCLUDES, *PYTHON_EXCLUDES]
    if not postgres:
        out += POSTGRES_MODULES
    return out


def is_excluded(module: str, excluded: Iterable[str]) -> bool:
    return any(module == e or module.startswith(e + ".") for e in excluded)


def keep_qt_file(dest: str) -> bool:
    """False for Qt files the app never loads (translations, unused plugins)."""
    parts = PurePosixPath(dest.replace("\\", "/")).parts
    if "PySide6" not in parts:
        return True
    tail = parts[parts.index("PySide6") + 1 :]
    if tail[:1] == ("Qt",):  # Linux/macOS wheels keep Qt's tree under PySide6/Qt
        tail = tail[1:]
    if tail[:1] == ("translations",):
        return False
    if len(tail) >= 3 and tail[0] == "plugins":
        folder, name = tail[1], tail[-1]
        if folder not in QT_PLUGINS:
            return False
        wanted = QT_PLUGINS[folder]
        return wanted is None or any(word in name for word in wanted)
    return True


def prune_orphan_libraries(
    kept: Sequence[TocEntry],
    dropped: Sequence[TocEntry],
    dependencies: Callable[[str], set[str]],
) -> list[TocEntry]:
    """``kept`` without the shared libraries that only the ``dropped`` binaries needed.

    PyInstaller resolves the libraries of every plugin during analysis, so dropping the
    GTK theme plugin afterwards would leave the GTK stack it linked in the bundle.  A
    library goes only when a dropped binary needed it and no kept binary does.
    ``dependencies(source_path)`` returns the file names a binary links, transitively
    (PyInstaller's ``get_imports``: ``ldd`` on Linux, which already lists the closure).
    """
    suspects: set[str] = set()
    for _dest, src, _kind in dropped:
        suspects |= dependencies(src)
    needed: set[str] = set()
    for dest, src, _kind in kept:
        if PurePosixPath(dest.replace("\\", "/")).name not in suspects:
            needed |= dependencies(src)
    return [
        entry
        for entry in kept
        if (name := PurePosixPath(entry[0].replace("\\", "/")).name) not in suspects
        or name in needed
    ]


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """``"1.2.3"`` / ``"1.2.3rc1"`` -> ``(1, 2, 3, 0)``: Windows wants four integers."""
    nums: list[int] = []
    for part in version.split(".")[:4]:
        digits = ""
        for ch in part:
            if not ch.isdigit():
                break
            digits += ch
        nums.append(int(digits or 0))
    while len(nums) < 4:
        nums.append(0)
    return (nums[0], nums[1], nums[2], nums[3])


WINDOWS_VERSION_TEMPLATE = """\
# Generated by packaging/bundle.py from smallbatch_desktop.__version__; do not edit.
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={vt},
    prodvers={vt},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable('040904B0', [
        StringStruct('CompanyName', {org!r}),
        StringStruct('FileDescription', {name!r}),
        StringStruct('FileVersion', {version!r}),
        StringStruct('InternalName', {app_id!r}),
        StringStruct('OriginalFilename', {exe!r}),
        StringStruct('ProductName', {name!r}),
        StringStruct('ProductVersion', {version!r}),
        StringStruct('LegalCopyright', {copyright!r})
      ])
    ]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


def windows_version_info(
    version: str, *, name: str, app_id: str, org: str, exe: str | None = None
) -> str:
    """The text of a PyInstaller version file (``EXE(version=...)``) for this version."""
    return WINDOWS_VERSION_TEMPLATE.format(
        vt=version_tuple(version),
        org=org,
        name=name,
        version=version,
        app_id=app_id,
        exe=exe or f"{app_id}.exe",
        copyright=f"© {org}",
    )


def package_info() -> tuple[str, str, str, str]:
    """(APP_NAME, APP_ID, ORG_NAME, __version__) from the package in this checkout."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import smallbatch_desktop as pkg

    return pkg.APP_NAME, pkg.APP_ID, pkg.ORG_NAME, pkg.__version__
