"""A 1 GiB download through the local server's presigned URL, next to nginx serving the same file.

Both serve the very same file on disk (nginx's root is the server's objects directory), warm in the
page cache, over loopback to curl writing to /dev/null, one connection at a time; the two alternate,
five rounds each, and the medians are compared. nginx runs one worker with `sendfile on` (its
default cheapest path: the kernel copies page cache to socket).
Usage: bench_download.py SERVER_BIN > result.json
"""
import json
import os
import statistics
import subprocess
import sys
import socket
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from bench_server import LocalServer  # noqa: E402

MIB = 1024 * 1024
SIZE = 1024 * MIB
ROUNDS = 5
PORT = int(os.environ.get("FILESHARE_BENCH_DOWNLOAD_PORT", "18084"))
NGINX_PORT = PORT + 1

NGINX_CONF = """
{user}
daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    sendfile on;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""


def speed(url):
    """curl's average download speed (bytes/s) for `url` to /dev/null; fails unless all bytes came."""
    out = subprocess.run(["curl", "-sf", "-o", "/dev/null", "-w", "%{speed_download} %{size_download}", url],
                         check=True, capture_output=True, text=True).stdout.split()
    if int(out[1]) != SIZE:
        sys.exit(f"{url}: {out[1]} bytes, expected {SIZE}")
    return float(out[0])


def main():
    server_bin = sys.argv[1]
    with tempfile.TemporaryDirectory() as work, LocalServer(server_bin, PORT) as server:
        source = os.path.join(work, "big.bin")
        with open(source, "wb") as f:
            block = os.urandom(MIB)
            for _ in range(SIZE // MIB):
                f.write(block)
        file_id = server.upload(source)
        os.remove(source)
        objects = os.path.join(server.data_dir, "objects")
        stored = [os.path.join(d, f) for d, _, files in os.walk(objects) for f in files
                  if os.path.getsize(os.path.join(d, f)) == SIZE]
        if len(stored) != 1:
            sys.exit(f"expected the one stored 1 GiB object under {objects}, found {stored}")
        with open(os.path.join(work, "nginx.conf"), "w") as conf:
            # Workers run as the file's owner: the data directory is private (0700).
            user = "user root;" if os.geteuid() == 0 else ""
            conf.write(NGINX_CONF.format(user=user, work=work, port=NGINX_PORT, root=objects))
        nginx = subprocess.Popen(["nginx", "-p", work, "-c", os.path.join(work, "nginx.conf")])
        try:
            nginx_url = f"http://127.0.0.1:{NGINX_PORT}/{os.path.relpath(stored[0], objects)}"
            for _ in range(100):  # until nginx listens
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", NGINX_PORT)) == 0:
                        break
                time.sleep(0.05)
            speed(nginx_url)  # warm the page cache, and check that nginx serves it
            ours, theirs = [], []
            for _ in range(ROUNDS):
                ours.append(speed(server.download_url(file_id)))
                theirs.append(speed(nginx_url))
        finally:
            nginx.terminate()
            nginx.wait()
    print(json.dumps({"bytes": SIZE, "rounds": ROUNDS, "fileshare": ours, "nginx": theirs,
                      "ratio": statistics.median(ours) / statistics.median(theirs)}))


if __name__ == "__main__":
    main()
