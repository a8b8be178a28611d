"""CI must run the very test command the README gives."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [b.strip() for b in re.findall(r"```sh\n(.*?)```", quick, re.S)]


def test_quick_start_is_two_commands():
    cmds = readme_commands()
    assert len(cmds) == 2
    assert all("\n" not in c for c in cmds)
    assert cmds[0].endswith("smallbatch") and "pytest" in cmds[1]


def test_ci_runs_the_readme_test_command():
    ci_lines = [
        ln.strip() for ln in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    ]
    assert readme_commands()[1] in ci_lines
