"""Layering: core and accounts know no workflow app; negotiation knows neither disputes nor legal.

Walks every module's imports (top-level and inside functions) with `ast`, and looks for apps loaded by
name (`apps.get_model("negotiation…")`, `import_module("legal…")`)."""
from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORKFLOW_APPS = {"negotiation", "disputes", "legal", "documents", "overview"}
FORBIDDEN = {
    "core": WORKFLOW_APPS | {"notifications"},
    "accounts": WORKFLOW_APPS | {"notifications"},
    "negotiation": {"disputes", "legal"},
    "documents": {"negotiation", "disputes", "legal", "overview"},
}


def _modules(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path


def _violations(package: str) -> list[str]:
    bad = []
    for path in _modules(package):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Call):
                # apps loaded by name: apps.get_model("legal.X"), import_module("negotiation.y"), __import__(...)
                for arg in node.args[:1]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        fn = node.func
                        fname = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
                        if fname in {"get_model", "import_module", "__import__", "import_string"}:
                            names = [arg.value.replace(".", " ").split()[0] if arg.value else ""]
            for name in names:
                top = name.split(".")[0]
                if top in FORBIDDEN[package]:
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    return bad


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layering(package):
    assert _violations(package) == []


def test_the_walk_sees_a_violation(tmp_path, monkeypatch):
    """The check itself can fail: a module importing a workflow app from core is reported."""
    fake = tmp_path / "core"
    fake.mkdir()
    (fake / "bad.py").write_text("def f():\n    from negotiation.models import Negotiation\n", encoding="utf-8")
    (fake / "byname.py").write_text("from django.apps import apps\napps.get_model('legal.LegalAidCase')\n", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    found = _violations("core")
    assert any("bad.py" in v for v in found) and any("byname.py" in v for v in found)
