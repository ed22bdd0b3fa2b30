"""No module of the package reaches into another module's private names.

A private name (one leading underscore) belongs to the module that defines it.
Read from the source (AST): imports of private names or of private modules from
outside their package, and attribute reads `obj._name` of names the module
does not define itself (a private attribute counts as its own when its classes set it on self).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import neurogym_app

PACKAGE = Path(neurogym_app.__file__).parent

#: private names of other projects' APIs that have no public equivalent, and NeuroGym's task hooks
ALLOWED = {
    "_new_trial": "NeuroGym's hook a task defines (the trial machinery calls it)",
    "_step": "NeuroGym's hook a task defines",
    "_setCurrent": "PsychoPy: makes the window's GL context current; no public equivalent",
    "_getFrame": "PsychoPy: reads the back buffer without keeping it (getMovieFrame keeps every frame)",
    "_closed": "PsychoPy: whether a window was closed; no public equivalent",
}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _defined_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            # an attribute the module's own classes set (setting one on another module's object is a use)
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def private_uses(path: Path) -> list[str]:
    """Where the module at ``path`` uses a private name of another module: ``file:line: what``."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    defined = _defined_names(tree)
    found = []
    where = path.relative_to(PACKAGE.parent)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            targets = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for target in targets:
                parts = target.split(".")
                for i, part in enumerate(parts):
                    owner = ".".join(parts[:i])
                    if _private(part) and not (package == owner or package.startswith(owner + ".")):
                        found.append(f"{where}:{node.lineno}: imports the private module {target}")
            if isinstance(node, ast.ImportFrom):
                found += [f"{where}:{node.lineno}: imports {a.name} from {node.module}" for a in node.names if _private(a.name)]
        elif isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in ALLOWED:
            base = node.value
            if isinstance(base, ast.Name) and base.id in ("self", "cls"):
                continue
            if isinstance(base, ast.Call) and isinstance(base.func, ast.Name) and base.func.id == "super":
                continue
            if node.attr not in defined:
                found.append(f"{where}:{node.lineno}: uses {ast.unparse(node)}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr", "setattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
            and node.args[1].value not in defined
            and node.args[1].value not in ALLOWED
        ):
            found.append(f"{where}:{node.lineno}: {node.func.id}(..., {node.args[1].value!r})")
    return found


def test_the_scan_finds_each_kind_of_private_use(tmp_path, monkeypatch):
    fake = tmp_path / "neurogym_app"
    (fake / "a").mkdir(parents=True)
    (fake / "a" / "_inner.py").write_text("x = 1\n")
    user = fake / "b.py"
    user.write_text(
        "from neurogym_app.a._inner import x\n"
        "from neurogym_app.a import _helper\n"
        "def f(task):\n"
        "    getattr(task, '_secret', None)\n"
        "    return task._first_observation()\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    uses = private_uses(user)
    assert sorted(u.split(": ", 1)[1] for u in uses) == sorted(
        [
            "imports the private module neurogym_app.a._inner",
            "imports _helper from neurogym_app.a",
            "getattr(..., '_secret')",
            "uses task._first_observation",
        ]
    )
    # the package's own private module, imported by a sibling, is fine
    sibling = fake / "a" / "user.py"
    sibling.write_text("from neurogym_app.a._inner import x\n")
    assert private_uses(sibling) == []


def test_no_module_uses_another_modules_private_names():
    uses = [use for path in sorted(PACKAGE.rglob("*.py")) for use in private_uses(path)]
    assert uses == [], "give these a public name or method:\n" + "\n".join(uses)
