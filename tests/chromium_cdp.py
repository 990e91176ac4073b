"""A minimal Chrome DevTools Protocol client for headless Chromium over ``--remote-debugging-pipe``.

No WebSocket library and no network port: Chromium reads JSON commands, each terminated by a NUL
byte, on file descriptor 3 and writes replies and events on file descriptor 4. Used by the docs
site tests to load pages, run a little JavaScript and take screenshots.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

#: flags for this machine's closed network and a root user (see the environment notes)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
)


def find_chromium() -> str | None:
    """Path of a Chromium executable: ``$CHROMIUM``, else ``chromium`` or ``chromium-browser``."""
    env = os.environ.get("CHROMIUM")
    if env:
        return env if Path(env).is_file() else shutil.which(env)
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


class CDPError(RuntimeError):
    """Chromium answered a command with an error, died, or did not answer in time."""


class Chromium:
    """One headless Chromium process driven over the DevTools pipe, with one page (tab).

    Parameters
    ----------
    executable : str
    profile_dir : Path
        A fresh, empty ``--user-data-dir``.
    width, height : int
        Viewport size in CSS pixels.
    log_path : Path, optional
        Where Chromium's stderr goes.
    """

    def __init__(
        self,
        executable: str,
        profile_dir: Path,
        *,
        width: int = 1280,
        height: int = 900,
        log_path: Path | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.timeout = timeout
        parent_read, child_write = os.pipe()
        child_read, parent_write = os.pipe()
        # move the child's ends above fd 10 so dup2 onto 3 and 4 cannot clobber them
        hi_read = fcntl.fcntl(child_read, fcntl.F_DUPFD, 10)
        hi_write = fcntl.fcntl(child_write, fcntl.F_DUPFD, 10)
        os.close(child_read)
        os.close(child_write)

        def wire_fds() -> None:  # runs in the child before exec
            os.dup2(hi_read, 3)
            os.dup2(hi_write, 4)

        self._log = open(log_path or os.devnull, "wb")
        args = [
            executable,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile_dir}",
            "--remote-debugging-pipe",
            f"--window-size={width},{height}",
            "about:blank",
        ]
        try:
            self.proc = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=self._log,
                preexec_fn=wire_fds,
                pass_fds=(3, 4),
            )
        finally:
            os.close(hi_read)
            os.close(hi_write)
        self._write_fd = parent_write
        self._read_fd = parent_read
        self._next_id = 0
        self._lock = threading.Condition()
        self._replies: dict[int, dict[str, Any]] = {}
        self._events: list[dict[str, Any]] = []
        self._closed = False
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page.enable", "Runtime.enable"):
            self.send(domain, session=self.session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=self.session,
        )

    # -- protocol ---------------------------------------------------------------------------
    def _read_loop(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._read_fd, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._lock:
                    self._closed = True
                    self._lock.notify_all()
                return
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            with self._lock:
                for raw in messages:
                    msg = json.loads(raw)
                    if "id" in msg:
                        self._replies[msg["id"]] = msg
                    else:
                        self._events.append(msg)
                self._lock.notify_all()

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: str | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send one command and wait for its reply; returns the ``result`` object."""
        with self._lock:
            self._next_id += 1
            msg_id = self._next_id
        msg: dict[str, Any] = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._write_fd, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._lock:
            while msg_id not in self._replies:
                if self._closed:
                    raise CDPError(f"{method}: Chromium closed the pipe")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CDPError(f"{method}: no reply within {timeout or self.timeout} s")
                self._lock.wait(left)
            reply = self._replies.pop(msg_id)
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def _event_count(self) -> int:
        with self._lock:
            return len(self._events)

    def wait_event(self, method: str, *, after: int = 0, timeout: float | None = None) -> dict:
        """Wait for an event of this page's session that arrived after index ``after``."""
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._lock:
            while True:
                for ev in self._events[after:]:
                    if ev.get("method") == method and ev.get("sessionId") == self.session:
                        return ev
                if self._closed:
                    raise CDPError(f"waiting for {method}: Chromium closed the pipe")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CDPError(f"no {method} within {timeout or self.timeout} s")
                self._lock.wait(left)

    def events_since(self, index: int, method: str) -> list[dict[str, Any]]:
        """This page's events of one kind since index ``index``."""
        with self._lock:
            return [
                e
                for e in self._events[index:]
                if e.get("method") == method and e.get("sessionId") == self.session
            ]

    # -- page actions -------------------------------------------------------------------------
    def navigate(self, url: str) -> int:
        """Load ``url`` and wait for its load event; returns the event index before loading."""
        mark = self._event_count()
        result = self.send("Page.navigate", {"url": url}, session=self.session)
        if result.get("errorText"):
            raise CDPError(f"{url}: {result['errorText']}")
        self.wait_event("Page.loadEventFired", after=mark)
        return mark

    def evaluate(self, expression: str) -> Any:
        """Run JavaScript in the page (promises awaited); returns its JSON-able value."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session=self.session,
        )
        if "exceptionDetails" in result:
            raise CDPError(f"JavaScript error: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        """Save the viewport as PNG."""
        data = self.send("Page.captureScreenshot", {"format": "png"}, session=self.session)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    def close(self) -> None:
        """Ask Chromium to quit; kill it if it does not within 10 s."""
        try:
            if self.proc.poll() is None and not self._closed:
                self.send("Browser.close", timeout=10)
        except CDPError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for fd in (self._write_fd, self._read_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
