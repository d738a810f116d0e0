"""The exceptions farmhand raises: one class per kind of engine error.

Every exception the engine raises is a :class:`FarmhandError`; its ``kind``
attribute is the engine's stable error-kind name (``"validation"``,
``"not_found"``, ..., ``"screen_not_recognised"``). Each subclass also derives from the builtin exception a
Python programmer would reach for, so generic handlers keep working:

===================== ============================= =======================
class                 also a                        raised when
===================== ============================= =======================
``ValidationError``   ``ValueError``                a value breaks a rule
``NotFoundError``     ``LookupError``               an account/device is unknown
``DuplicateError``    ``ValueError``                a username already exists
``SheetImportError``  --                            a sheet cannot be imported
``PackError``         ``ValueError``                a selector pack is unreadable
                                                    or inconsistent
``ScenarioError``     ``ValueError``                a simulator scenario is not
                                                    JSON shaped like one
``DeviceError``       --                            a phone or adb failed, or an
                                                    app showed a screen automation
                                                    does not know
``TimeoutError``      builtin ``TimeoutError``      a time limit ran out
``StorageError``      --                            the database failed
``EncryptionKeyError`` --                           an encrypted workspace's key
                                                    is wrong, or missing for
                                                    what needs a secret
``FileError``         ``OSError``                   a file cannot be read/written
``CancelledError``    --                            a run was cancelled
``ClosedError``       ``ValueError``                the workspace was closed
===================== ============================= =======================

``NotFoundError`` derives from ``LookupError`` rather than ``KeyError`` on
purpose: ``str(KeyError(msg))`` quotes the message, and an account id is not a
mapping key the caller spelled. ``except LookupError`` catches it.

Messages name the field, row, column, account or device concerned and never
contain a password or a 2FA secret.
"""

from __future__ import annotations

import builtins
from typing import Any, Optional, Tuple

__all__ = [
    "FarmhandError",
    "ValidationError",
    "NotFoundError",
    "DuplicateError",
    "SheetImportError",
    "PackError",
    "ScenarioError",
    "DeviceError",
    "TimeoutError",
    "StorageError",
    "EncryptionKeyError",
    "FileError",
    "CancelledError",
    "ClosedError",
]


class FarmhandError(Exception):
    """Base class of every error raised by farmhand.

    ``kind`` is the engine's stable error-kind name, e.g. ``"not_found"``.
    """

    kind: str = "farmhand"


class ValidationError(FarmhandError, ValueError):
    """A value given by the caller breaks a rule of the domain.

    ``field`` names the field, argument or sheet column concerned.
    """

    kind = "validation"
    field: Optional[str] = None


class NotFoundError(FarmhandError, LookupError):
    """The account, device or file asked for does not exist.

    ``what`` says what was looked for, e.g. ``"account 42"``.
    """

    kind = "not_found"
    what: Optional[str] = None


class DuplicateError(FarmhandError, ValueError):
    """A create or rename would give two accounts one username on one platform.

    ``platform`` and ``username`` name the clash.
    """

    kind = "duplicate"
    platform: Optional[str] = None
    username: Optional[str] = None


class SheetImportError(FarmhandError):
    """A spreadsheet could not be imported.

    ``source`` names the file. When the sheet was read but some rows were
    invalid (so nothing was written), ``errors`` holds them as
    :class:`farmhand.RowError` objects (``row``, ``column``, ``reason``) and
    ``report`` the :class:`farmhand.ImportReport` with the counts.
    """

    kind = "import"
    source: Optional[str] = None
    errors: Tuple[Any, ...] = ()
    report: Any = None


class PackError(FarmhandError, ValueError):
    """A selector pack (the JSON telling automation how to recognise an app's
    screens) could not be read or is inconsistent.

    ``source`` names the pack file.
    """

    kind = "pack"
    source: Optional[str] = None


class ScenarioError(FarmhandError, ValueError):
    """A simulator scenario could not be read: it is not JSON, or not shaped
    like a scenario, or its file is too large.

    ``source`` names the file, or is ``"<text>"`` for JSON given as a string.
    A scenario that reads but breaks a rule (a username listed twice) raises
    :class:`ValidationError` naming the field instead.
    """

    kind = "scenario"
    source: Optional[str] = None


class DeviceError(FarmhandError):
    """A phone or the adb server failed or answered something unexpected.

    ``serial`` names the phone (or the adb server address). An app screen that
    automation does not recognise is a ``DeviceError`` too, with ``kind``
    ``"screen_not_recognised"``.
    """

    kind = "device"
    serial: Optional[str] = None


class TimeoutError(FarmhandError, builtins.TimeoutError):
    """Something did not happen within its time limit (also the builtin ``TimeoutError``).

    ``what`` says what was awaited; ``seconds`` is the limit that ran out.
    """

    kind = "timeout"
    what: Optional[str] = None
    seconds: Optional[float] = None


class StorageError(FarmhandError):
    """The account store failed: database error, corrupt or foreign file, newer schema."""

    kind = "storage"


class EncryptionKeyError(FarmhandError):
    """The secrets of an encrypted workspace could not be used.

    The key given is not the workspace's (raised by ``Workspace.open``, which
    then writes nothing), the workspace was opened without its key and the
    call needs a password or 2FA key (``credentials()``, ``login``, an export
    with passwords, setting a password), or a stored secret failed
    authentication. Not a ``KeyError``: no mapping key is involved.
    """

    kind = "key"


class FileError(FarmhandError, OSError):
    """A file could not be read or written (also an ``OSError``).

    ``errno``, ``strerror`` and ``filename`` are set as on any ``OSError``.
    """

    kind = "io"


class CancelledError(FarmhandError):
    """A long-running operation was cancelled by its caller."""

    kind = "cancelled"


class ClosedError(FarmhandError, ValueError):
    """The workspace was closed; open a new one to go on."""

    kind = "closed"
