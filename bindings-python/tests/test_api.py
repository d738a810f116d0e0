"""The public surface: every exported name exists and is documented."""

from __future__ import annotations

import inspect

import farmhand
from farmhand import sim


def public_members(cls: type) -> list[str]:
    return [name for name, _ in inspect.getmembers(cls) if not name.startswith("_")]


def test_every_public_name_has_a_docstring() -> None:
    missing = []
    for module in (farmhand, sim, farmhand.errors, farmhand.enums):
        for name in module.__all__:
            if name == "__version__":
                continue
            obj = getattr(module, name)
            if not (getattr(obj, "__doc__", None) or "").strip():
                missing.append(f"{module.__name__}.{name}")
            if inspect.isclass(obj) and not issubclass(obj, (BaseException, str)):
                for member in public_members(obj):
                    doc = getattr(getattr(obj, member), "__doc__", None) or ""
                    if not doc.strip():
                        missing.append(f"{module.__name__}.{name}.{member}")
    assert missing == []


def test_version_and_module_names() -> None:
    assert farmhand.__version__.count(".") == 2
    assert farmhand.Workspace.__module__ == "farmhand"
    assert farmhand.NotFoundError.__module__ == "farmhand.errors"
    assert sim.SimFleet.__module__ == "farmhand.sim"
    assert set(farmhand.__all__) <= set(dir(farmhand))
