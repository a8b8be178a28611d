"""Build the installable app in one command: ``python packaging/build.py``.

Runs PyInstaller on ``packaging/smallbatch.spec`` (a one-folder bundle in
``dist/smallbatch``), adds the platform files a maker needs next to the executable (on
Linux the ``.desktop`` file and ``install.sh``), measures the bundle and refuses one over
the size budget.  ``--self-test`` then runs the *frozen* app's ``--self-test``
offscreen, which is what CI does: a bundle that builds is not yet a bundle that works
(a missing migration or hidden import only shows when the code runs).

    python packaging/build.py                  # build, report size and time
    python packaging/build.py --self-test      # ... and run the bundle's self-test
    python packaging/build.py --archive        # ... and pack dist/smallbatch-<v>-<os>.tar.gz

Exit codes: 0 built (and passed), 1 the build, the size check or the self-test failed,
2 PyInstaller is not installed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bundle  # noqa: E402  (packaging/bundle.py, next to this file)

ROOT = bundle.ROOT
SPEC = HERE / "smallbatch.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
MB = 1_000_000  # sizes are reported in decimal megabytes, as file managers show them


def bundle_dir(app_id: str) -> Path:
    return DIST / app_id


def executable(app_id: str) -> Path:
    """The console executable: on Windows the ``-cli`` twin (the app itself has no stdout)."""
    if sys.platform == "win32":
        return bundle_dir(app_id) / f"{app_id}-cli.exe"
    return bundle_dir(app_id) / app_id


def folder_size(path: Path) -> int:
    """Bytes of every file under ``path`` (symlinks counted as links, not targets)."""
    total = 0
    for p in path.rglob("*"):
        if p.is_symlink():
            continue
        if p.is_file():
            total += p.stat().st_size
    return total


def run_pyinstaller(*, clean: bool, postgres: bool) -> None:
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(DIST),
        "--workpath",
        str(WORK),
    ]
    if clean:
        cmd.append("--clean")
    cmd.append(str(SPEC))
    env = dict(os.environ)
    env["SMALLBATCH_BUNDLE_POSTGRES"] = "1" if postgres else "0"
    # Analysis imports Qt to find its plugins; it needs no screen.
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)


def add_platform_files(app_id: str) -> list[Path]:
    """Files a maker uses from the unpacked folder, next to the executable."""
    target = bundle_dir(app_id)
    added = []
    if sys.platform.startswith("linux"):
        for name in (f"{app_id}.desktop", "install.sh"):
            dest = target / name
            shutil.copy2(HERE / "linux" / name, dest)
            added.append(dest)
        (target / "install.sh").chmod(0o755)
    return added


def run_frozen_self_test(app_id: str) -> int:
    """The bundle's own ``--self-test``, offscreen, on a scratch data folder."""
    exe = executable(app_id)
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("SMALLBATCH_DB", None)
    with tempfile.TemporaryDirectory(prefix="smallbatch-build-") as tmp:
        env["SMALLBATCH_DATA_DIR"] = tmp
        print(f"$ {exe} --self-test", flush=True)
        return subprocess.run([str(exe), "--self-test"], env=env, check=False).returncode


def make_archive(app_id: str, version: str) -> Path:
    system = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform, "os")
    base = DIST / f"{app_id}-{version}-{system}-{platform.machine().lower()}"
    fmt = "zip" if sys.platform == "win32" else "gztar"
    return Path(shutil.make_archive(str(base), fmt, root_dir=DIST, base_dir=app_id))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Smallbatch Desktop bundle.")
    parser.add_argument(
        "--self-test", action="store_true", help="run the built app's --self-test offscreen"
    )
    parser.add_argument(
        "--max-mb",
        type=float,
        default=bundle.MAX_BUNDLE_MB,
        help=f"fail when the bundle is larger (default {bundle.MAX_BUNDLE_MB} MB)",
    )
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument(
        "--no-postgres",
        dest="postgres",
        action="store_false",
        help="leave the PostgreSQL driver (psycopg, ~13 MB) out: SQLite only",
    )
    parser.add_argument("--archive", action="store_true", help="pack the folder for download")
    args = parser.parse_args(argv)

    try:
        import PyInstaller
    except ImportError:
        print(
            'build: PyInstaller is missing; install it with: pip install -e ".[package]"',
            file=sys.stderr,
        )
        return 2
    name, app_id, _org, version = bundle.package_info()
    print(f"building {name} {version} with PyInstaller {PyInstaller.__version__}", flush=True)

    started = time.perf_counter()
    try:
        run_pyinstaller(clean=args.clean, postgres=args.postgres)
    except subprocess.CalledProcessError as exc:
        print(f"build FAILED: PyInstaller exited with {exc.returncode}", file=sys.stderr)
        return 1
    add_platform_files(app_id)
    seconds = time.perf_counter() - started
    folder = bundle_dir(app_id)
    size_mb = folder_size(folder) / MB
    print(f"bundle: {folder} ({size_mb:.1f} MB, built in {seconds:.0f} s)", flush=True)
    if size_mb > args.max_mb:
        print(
            f"build FAILED: the bundle is {size_mb:.1f} MB, over the {args.max_mb:g} MB budget",
            file=sys.stderr,
        )
        return 1

    if args.self_test:
        code = run_frozen_self_test(app_id)
        if code != 0:
            print(f"build FAILED: the bundle's self-test exited with {code}", file=sys.stderr)
            return 1

    if args.archive:
        archive = make_archive(app_id, version)
        print(f"archive: {archive} ({archive.stat().st_size / MB:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
