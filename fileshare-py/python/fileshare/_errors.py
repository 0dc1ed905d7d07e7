"""The exceptions of fileshare: one base class, one subclass per thing a caller can act on."""

from typing import Optional

from ._fileshare import Quota


class FileShareError(Exception):
    """Base class of every error fileshare raises about the service (a :class:`fileshare.Client`'s
    local files raise the built-in ``OSError`` s, as ``open()`` does). Raised from a refusal of a
    running service, it carries the HTTP ``status`` and the ``problem_type`` (e.g. ``"not-found"``)."""

    status: int
    problem_type: str


class NotFound(FileShareError):
    """The file or share does not exist, or the caller may not know that it exists."""


class Forbidden(FileShareError):
    """The caller can see the file but may not do this (e.g. a grantee deleting it)."""


class InvalidInput(FileShareError, ValueError):
    """An argument is malformed or out of range; nothing was changed."""


class Conflict(FileShareError):
    """The request conflicts with the current state (e.g. completing before the bytes arrived)."""


class DestinationExists(Conflict, FileExistsError):
    """A download's destination exists, and ``overwrite`` was not asked for; nothing was written."""


class AuthenticationError(FileShareError):
    """Not logged in, wrong credentials, or a session that has ended (its refresh token expired or
    was revoked): log in again."""


class TooLarge(FileShareError):
    """A size exceeds the configured maximum."""


class UnsupportedContentType(FileShareError):
    """The content type is not in the configured allowlist."""


class WrongPassword(FileShareError):
    """A share link needs its password, and none or a wrong one was given (each wrong one uses up
    one of the link's rationed attempts)."""


class TooManyAttempts(FileShareError):
    """Too many password attempts for this share link: it takes none until its window has passed."""


class QuotaExceeded(FileShareError):
    """An upload would take its owner past their quota (bytes or files, pending uploads included);
    nothing was stored. Attributes: ``size`` (the refused upload's), ``used_bytes``, ``used_files``
    and ``quota`` (the :class:`fileshare.Quota` in force)."""

    size: int
    used_bytes: int
    used_files: int
    quota: Quota


class StorageError(FileShareError):
    """A storage backend failed (I/O, database, network); usually transient."""


class TransientError(StorageError):
    """Storage or the network failed in a way that may pass (HTTP 5xx, 408, 429, timeouts, refused
    connections): trying again may succeed."""


class RateLimited(TransientError):
    """The service rations this caller for now; ``retry_after`` is how many seconds to wait, where
    the service said."""

    retry_after: Optional[float]
