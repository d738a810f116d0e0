"""Shared fixtures of the farmhand Python test suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import farmhand


@pytest.fixture
def ws() -> Iterator[farmhand.Workspace]:
    """A fresh in-memory workspace, closed after the test."""
    with farmhand.Workspace.in_memory() as workspace:
        yield workspace


def argument_named(exc: BaseException, name: str) -> bool:
    """True when the exception's message or its notes (PEP 678) name the argument."""
    text = str(exc) + " ".join(getattr(exc, "__notes__", []))
    return f"'{name}'" in text or f"{name}:" in text
