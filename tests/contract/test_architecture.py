"""Boundaries that keep the services independent, checked on the source."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("members", "meetings", "reports")
IO_PACKAGES = {"sqlmodel", "sqlalchemy", "fastapi", "faststream", "nats", "httpx", "starlette"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def service_modules(service: str) -> list[Path]:
    return sorted((ROOT / "services" / service / service).rglob("*.py"))


@pytest.mark.parametrize("service", SERVICES)
def test_no_service_imports_another_service(service):
    others = set(SERVICES) - {service}
    for path in service_modules(service) + sorted((ROOT / "services" / service / "tests").rglob("*.py")):
        assert not imported_roots(path) & others, f"{path.relative_to(ROOT)} imports {imported_roots(path) & others}"


@pytest.mark.parametrize("service", ["members", "meetings"])
def test_the_domain_module_is_pure(service):
    path = ROOT / "services" / service / service / "domain.py"
    assert path.exists()
    assert not imported_roots(path) & IO_PACKAGES, f"{path.relative_to(ROOT)} imports I/O packages"


def test_shared_holds_no_service_code():
    for path in sorted((ROOT / "shared").rglob("*.py")):
        assert not imported_roots(path) & set(SERVICES), path


@pytest.mark.parametrize("service", SERVICES)
def test_nothing_is_built_at_import_time(service):
    """No module-level Settings(), engine, broker or app: they belong in create_app."""
    forbidden = {"Settings", "make_engine", "create_engine", "NatsBroker", "create_app", "FastAPI", "build_service"}
    for path in service_modules(service):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.Expr)):
                for call in ast.walk(node):
                    if isinstance(call, ast.Call):
                        name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
                        assert name not in forbidden, f"{path.relative_to(ROOT)}:{node.lineno} calls {name} at import"
