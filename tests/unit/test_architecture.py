"""The layers point one way (ARCHITECTURE.md): domain, services and pdf never import Qt or
the ui; services never import the pdf layer; domain imports nothing of ours above it."""

import ast
from pathlib import Path

import pytest

import smallbatch_desktop

PKG = Path(smallbatch_desktop.__file__).parent
FORBIDDEN = {
    "domain": (
        "PySide6",
        "shiboken6",
        "smallbatch_desktop.ui",
        "smallbatch_desktop.services",
        "smallbatch_desktop.pdf",
    ),
    # services build plain records (domain) and never draw: the pdf layer renders them
    "services": (
        "PySide6",
        "shiboken6",
        "smallbatch_desktop.ui",
        "smallbatch_desktop.pdf",
        "reportlab",
    ),
    "pdf": (
        "PySide6",
        "shiboken6",
        "smallbatch_desktop.ui",
        "smallbatch_desktop.services",
        "smallbatch_desktop.db",
    ),
}


def imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
    return out


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports(layer):
    files = sorted((PKG / layer).rglob("*.py"))
    assert files, f"no files in {layer}"
    bad = [
        f"{f.relative_to(PKG)} imports {name}"
        for f in files
        for name in imports(f)
        if any(name == p or name.startswith(p + ".") for p in FORBIDDEN[layer])
    ]
    assert bad == []


def test_the_check_catches_a_forbidden_import(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("def f():\n    from PySide6.QtWidgets import QWidget\n")
    assert "PySide6.QtWidgets" in imports(f)
