"""moto's server, handling one request at a time.

`moto_server` serves requests on threads, and moto's DynamoDB transactions take no lock (they even
snapshot and restore whole tables on failure), so concurrent transactions interleave in ways real
DynamoDB's serializable transactions never do. Serving requests one at a time gives every request,
and so every transaction, the isolation DynamoDB guarantees — which our concurrency tests rely on.

Usage: python moto_serial.py HOST PORT
"""
import os
import sys

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, use_reloader=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
