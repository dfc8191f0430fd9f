"""Structure rules that keep the service easy to change."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "members"
FORBIDDEN_IN_DOMAIN = ("sqlmodel", "sqlalchemy", "fastapi", "faststream", "nats", "starlette")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


def test_the_domain_module_is_pure():
    bad = {m for m in imported_modules(PACKAGE / "domain.py") if m.split(".")[0] in FORBIDDEN_IN_DOMAIN}
    assert not bad


def test_members_never_imports_another_service():
    for path in PACKAGE.rglob("*.py"):
        others = {m for m in imported_modules(path) if m.split(".")[0] in ("meetings", "reports")}
        assert not others, f"{path.name} imports {others}"


def test_importing_the_app_factory_builds_nothing():
    import members.bootstrap as bootstrap  # noqa: PLC0415
    assert not [name for name, value in vars(bootstrap).items() if type(value).__name__ in ("FastAPI", "Engine")]
