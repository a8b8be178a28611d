"""``smallbatch --self-test``: passes from source, and fails loudly naming the step.

The frozen bundle runs the same code in CI (``packaging/build.py --self-test``); here it
runs from source, in a subprocess as a maker or CI would start it, so nothing of the
test process (an existing QApplication, imported modules) helps it pass.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from smallbatch_desktop import selftest
from smallbatch_desktop.cli import main

STEP_NAMES = [s.name for s in selftest.STEPS]


@pytest.mark.slow
def test_self_test_from_source_passes_and_prints_one_line_per_step(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = dict(os.environ)
    env["SMALLBATCH_DATA_DIR"] = str(data)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("SMALLBATCH_DB", None)
    proc = subprocess.run(
        [sys.executable, "-m", "smallbatch_desktop", "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("self-test: Smallbatch Desktop ")
    assert "(from source)" in lines[0]
    ok_lines = [line for line in lines if line.startswith("  ok  ")]
    assert [line[6:].split("  ")[0].strip() for line in ok_lines] == STEP_NAMES
    for line in ok_lines:
        assert " ms  " in line  # every step is timed
    decode = next(line for line in ok_lines if "decode barcode" in line)
    assert "read back exactly" in decode
    assert lines[-1].startswith(f"self-test passed: {len(STEP_NAMES)} steps in ")
    # the maker's data folder is never touched: everything happened in a scratch folder
    assert not data.exists() or not any(data.iterdir())


def _boom(_ctx: selftest.SelfTestContext) -> str:
    raise RuntimeError("disk on fire")


def test_failing_step_exits_non_zero_with_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the real CLI: a step that raises stops the run and names itself."""
    steps = (selftest.STEPS[0], selftest.Step("load demo", _boom), selftest.STEPS[-1])
    monkeypatch.setattr(selftest, "STEPS", steps)
    code = main(["--self-test"])
    out, err = capsys.readouterr()
    assert code == selftest.EXIT_FAILED != 0
    failed = [line for line in out.splitlines() if "FAILED" in line]
    assert len(failed) == 1
    assert failed[0].startswith("self-test FAILED at step 'load demo' after ")
    assert failed[0].endswith("RuntimeError: disk on fire")
    assert out.splitlines()[-1] == failed[0]  # nothing after the failure: later steps skipped
    assert "scan" not in out.split("FAILED")[0].splitlines()[-1]
    assert "Traceback" in err and "disk on fire" in err  # details for whoever fixes it


def test_a_failing_library_call_names_the_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real step failing inside a library (here: the migration) is reported as that step."""

    def broken_upgrade(_engine: object) -> None:
        raise FileNotFoundError("smallbatch_desktop/db/migrations/env.py")

    monkeypatch.setattr("smallbatch_desktop.db.migrate.upgrade_to_head", broken_upgrade)
    out, err = io.StringIO(), io.StringIO()
    code = selftest.run_self_test(selftest.STEPS[:4], out=out, err=err)
    assert code == selftest.EXIT_FAILED
    last = out.getvalue().splitlines()[-1]
    assert last.startswith("self-test FAILED at step 'migrate'")
    assert "FileNotFoundError" in last and "env.py" in last
    assert "  ok  create database" in out.getvalue()


def test_a_wrong_result_is_reported_without_exception_noise() -> None:
    def wrong(_ctx: selftest.SelfTestContext) -> str:
        raise selftest.SelfTestError("decoded 0 of 30 barcodes")

    out = io.StringIO()
    code = selftest.run_self_test(
        (selftest.Step("decode barcode", wrong),), out=out, err=io.StringIO()
    )
    assert code == selftest.EXIT_FAILED
    last = out.getvalue().splitlines()[-1]
    assert re.fullmatch(
        r"self-test FAILED at step 'decode barcode' after \d+ ms: decoded 0 of 30 barcodes", last
    )


def test_scratch_folder_is_removed_and_environment_restored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMALLBATCH_DATA_DIR", "/somewhere/real")
    monkeypatch.delenv("SMALLBATCH_DB", raising=False)
    seen: dict[str, str] = {}

    def look(ctx: selftest.SelfTestContext) -> str:
        seen["folder"] = str(ctx.folder)
        seen["data"] = os.environ["SMALLBATCH_DATA_DIR"]
        seen["db"] = os.environ["SMALLBATCH_DB"]
        return "looked"

    code = selftest.run_self_test(
        (selftest.Step("look", look),), out=io.StringIO(), err=io.StringIO()
    )
    assert code == selftest.EXIT_OK
    assert seen["data"] == seen["folder"]
    assert seen["db"].startswith(seen["folder"])
    assert not Path(seen["folder"]).exists()
    assert os.environ["SMALLBATCH_DATA_DIR"] == "/somewhere/real"
    assert "SMALLBATCH_DB" not in os.environ


def test_self_test_module_imports_nothing_heavy_at_import_time() -> None:
    """``smallbatch --version`` and ``--help`` stay fast: steps import lazily."""
    code = (
        "import sys, smallbatch_desktop.selftest; "
        "heavy = [m for m in ('PySide6', 'sqlalchemy', 'reportlab', 'zxingcpp', 'alembic') "
        "if m in sys.modules]; print(heavy)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert proc.stdout.strip() == "[]"


def test_a_bundle_without_reportlabs_accelerator_fails_the_provenance_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ReportLab imports _rl_accel inside exec(), which a bundler can miss: the step
    that renders with it says so."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "_rl_accel" else real(name, *args),
    )
    upto = [s.name for s in selftest.STEPS].index("render provenance sheet") + 1
    out = io.StringIO()
    code = selftest.run_self_test(selftest.STEPS[:upto], out=out, err=io.StringIO())
    assert code == selftest.EXIT_FAILED
    last = out.getvalue().splitlines()[-1]
    assert last.startswith("self-test FAILED at step 'render provenance sheet'")
    assert last.endswith("ReportLab's C accelerator (_rl_accel) is not installed")
