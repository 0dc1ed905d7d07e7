"""A local fileshare server for the bench scripts: started on 127.0.0.1, one user logged in, and the few
API calls a benchmark needs (upload a file through its presigned URL, ask for a download URL).

    with LocalServer(server_bin, port) as server:
        file_id = server.upload(path)
        url = server.download_url(file_id)
"""
import json
import os
import subprocess
import tempfile
import time
import urllib.request

PASSWORD = "correct-Horse-battery-9"


class LocalServer:
    def __init__(self, server_bin, port, **env):
        self.server_bin, self.base = server_bin, f"http://127.0.0.1:{port}"
        self.work = tempfile.TemporaryDirectory()
        self.data_dir = os.path.join(self.work.name, "data")
        # One user makes every request: no per-user rate limit in the measurement.
        self.env = dict(os.environ, FILESHARE_DATA_DIR=self.data_dir, FILESHARE_BIND=f"127.0.0.1:{port}",
                        FILESHARE_USER_RATE="1000000", RUST_LOG="warn", **env)
        self.token = None

    def __enter__(self):
        self.process = subprocess.Popen([self.server_bin], env=self.env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{self.base}/health")
                break
            except OSError:
                time.sleep(0.05)
        credentials = {"username": "bench", "password": PASSWORD}
        self.call("POST", "/auth/signup", credentials)
        self.token = self.call("POST", "/auth/login", credentials)["access_token"]
        return self

    def __exit__(self, *_):
        if getattr(self, "process", None):
            self.process.terminate()
            self.process.wait()
        self.work.cleanup()

    def call(self, method, path, body=None):
        request = urllib.request.Request(f"{self.base}{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode())
        request.add_header("content-type", "application/json")
        if self.token:
            request.add_header("authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request) as response:
            text = response.read()
            return json.loads(text) if text else None

    def upload(self, path, name=None):
        """Uploads the file at `path` in one presigned PUT (curl streams it) and completes it."""
        size = os.path.getsize(path)
        ticket = self.call("POST", "/files/upload-url", {"name": name or os.path.basename(path), "size": size,
                                                          "content_type": "application/octet-stream"})
        upload = ticket["upload"]
        headers = [arg for name, value in upload["headers"].items() for arg in ("-H", f"{name}: {value}")]
        subprocess.run(["curl", "-sf", "-o", "/dev/null", "-T", path, *headers, upload["url"]], check=True)
        self.call("POST", f"/files/{ticket['file_id']}/complete")
        return ticket["file_id"]

    def download_url(self, file_id):
        return self.call("GET", f"/files/{file_id}/download-url")["url"]
