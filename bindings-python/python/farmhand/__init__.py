"""farmhand: the account-management engine for Android phone farms, from Python.

Keep a fleet of TikTok and Instagram accounts in step with the phones they run
on: the roster (:class:`Workspace`, :class:`Account`), credentials with
authenticator 2FA (:func:`totp`, :func:`split_password`), ``accounts.xlsx``
import and export, and automation on phones over ADB.

Every call that touches disk, network or phones releases the GIL; a
:class:`Workspace` may be shared by many threads. Errors are
:class:`FarmhandError` subclasses (see :mod:`farmhand.errors`).
"""

from __future__ import annotations

from .enums import Platform, Status
from .errors import (
    CancelledError,
    ClosedError,
    DeviceError,
    DuplicateError,
    EncryptionKeyError,
    FarmhandError,
    FileError,
    NotFoundError,
    PackError,
    ScenarioError,
    SheetImportError,
    StorageError,
    TimeoutError,
    ValidationError,
)
from ._native import (
    Account,
    AccountResult,
    Event,
    Report,
    Summary,
    AdbDriver,
    Bounds,
    Device,
    DeviceDriver,
    DeviceInfo,
    ExportSummary,
    ImportReport,
    RowError,
    ShellOutput,
    UiNode,
    UiTree,
    Changes,
    Credentials,
    DeviceRecord,
    Health,
    HistoryEntry,
    Pack,
    ProfileStats,
    Totp,
    Workspace,
    __version__,
    new_key,
    split_password,
    totp,
)

from . import sim

__all__ = [
    "Account",
    "AccountResult",
    "Event",
    "Report",
    "Summary",
    "sim",
    "AdbDriver",
    "Bounds",
    "Device",
    "DeviceDriver",
    "DeviceInfo",
    "ExportSummary",
    "ImportReport",
    "RowError",
    "ShellOutput",
    "UiNode",
    "UiTree",
    "CancelledError",
    "Changes",
    "ClosedError",
    "Credentials",
    "DeviceError",
    "DeviceRecord",
    "DuplicateError",
    "FarmhandError",
    "FileError",
    "Health",
    "HistoryEntry",
    "NotFoundError",
    "Pack",
    "PackError",
    "Platform",
    "ProfileStats",
    "ScenarioError",
    "SheetImportError",
    "Status",
    "StorageError",
    "EncryptionKeyError",
    "TimeoutError",
    "Totp",
    "ValidationError",
    "Workspace",
    "__version__",
    "new_key",
    "split_password",
    "totp",
]
