"""fileshare: upload, share, list, download and delete files — the Rust library, from Python.

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
    Conflict,
    FileShareError,
    Forbidden,
    InvalidInput,
    NotFound,
    QuotaExceeded,
    StorageError,
    TooLarge,
    TooManyAttempts,
    TransientError,
    UnsupportedContentType,
    WrongPassword,
)
from ._fileshare import (
    AsyncFileShare,
    CreatedLink,
    FileInfo,
    FileIterator,
    FileShare,
    Link,
    LinkDetails,
    Page,
    Quota,
    ShareInfo,
    UploadTicket,
    Usage,
    drain,
)

# Let results still being handed to asyncio finish before the interpreter shuts down.
atexit.register(drain)

__all__ = [
    "AsyncFileShare",
    "Conflict",
    "CreatedLink",
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
    "ShareInfo",
    "StorageError",
    "TooLarge",
    "TooManyAttempts",
    "TransientError",
    "UnsupportedContentType",
    "UploadTicket",
    "Usage",
    "WrongPassword",
]
