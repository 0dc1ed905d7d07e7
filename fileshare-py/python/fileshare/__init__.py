"""fileshare: upload, share, list, download and delete files — the Rust library, from Python.

Two ways in. :class:`FileShare` (and :class:`AsyncFileShare`) *is* the service, in this process,
over memory, local disk + SQLite, or S3 + DynamoDB — the first argument of each call is the acting
user. :class:`Client` (and :class:`AsyncClient`) is a client of a running service, local or on AWS,
logged in as one user.

>>> import fileshare
>>> fs = fileshare.FileShare.memory()
>>> info = fs.put_bytes("alice", "hello.txt", b"hello")
>>> fs.share("alice", info.file_id, "bob").permission
'read'
>>> fs.get_bytes("bob", info.file_id)
b'hello'
"""

import atexit

from ._errors import (
    AuthenticationError,
    Conflict,
    DestinationExists,
    FileShareError,
    Forbidden,
    InvalidInput,
    NotFound,
    QuotaExceeded,
    RateLimited,
    StorageError,
    TooLarge,
    TooManyAttempts,
    TransientError,
    UnsupportedContentType,
    WrongPassword,
)
from ._fileshare import (
    Account,
    AsyncClient,
    AsyncFileShare,
    Client,
    CreatedLink,
    FileInfo,
    FileIterator,
    FileShare,
    Link,
    LinkDetails,
    Page,
    Quota,
    Session,
    ShareInfo,
    SharePage,
    UploadTicket,
    Usage,
    drain,
)

# Let results still being handed to asyncio finish before the interpreter shuts down.
atexit.register(drain)

__all__ = [
    "Account",
    "AsyncClient",
    "AsyncFileShare",
    "AuthenticationError",
    "Client",
    "Conflict",
    "CreatedLink",
    "DestinationExists",
    "FileInfo",
    "FileIterator",
    "FileShare",
    "FileShareError",
    "Forbidden",
    "InvalidInput",
    "Link",
    "LinkDetails",
    "NotFound",
    "Page",
    "Quota",
    "QuotaExceeded",
    "RateLimited",
    "Session",
    "ShareInfo",
    "SharePage",
    "StorageError",
    "TooLarge",
    "TooManyAttempts",
    "TransientError",
    "UnsupportedContentType",
    "UploadTicket",
    "Usage",
    "WrongPassword",
]
