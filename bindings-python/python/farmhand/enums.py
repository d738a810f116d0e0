"""The enumerations of the account model.

Both are ``str`` enums: ``Platform.TIKTOK == "tiktok"``, and every farmhand
argument that takes one also accepts its name as a string (``"tiktok"``,
``"instagram"``, ``"enabled"``, ``"disabled"``, in any case).
"""

from __future__ import annotations

from enum import Enum

__all__ = ["Platform", "Status"]


class Platform(str, Enum):
    """The app an account belongs to."""

    TIKTOK = "tiktok"
    """TikTok (``com.zhiliaoapp.musically``)."""
    INSTAGRAM = "instagram"
    """Instagram (``com.instagram.android``)."""

    def __str__(self) -> str:
        return self.value


class Status(str, Enum):
    """Whether an account may take part in automation (sheet value 0 / 1)."""

    ENABLED = "enabled"
    """Takes part in automation (sheet ``status`` 0)."""
    DISABLED = "disabled"
    """Never touched by any automation or bulk action (sheet ``status`` 1)."""

    def __str__(self) -> str:
        return self.value
