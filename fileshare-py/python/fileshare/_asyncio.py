"""Delivers results from the Rust runtime to asyncio futures (scheduled with call_soon_threadsafe)."""

import asyncio


def deliver(future: "asyncio.Future[object]", ok: bool, value: object) -> None:
    """Sets the result or exception, unless the awaiting task was cancelled meanwhile."""
    if future.cancelled():
        return
    if ok:
        future.set_result(value)
    elif isinstance(value, BaseException):
        future.set_exception(value)
