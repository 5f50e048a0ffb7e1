"""``ripple_client.local()``: a Ripple server of one's own, on a free port, stopped at exit.

Where the server comes from, first found wins:
1. ``checkout=`` or ``RIPPLE_CHECKOUT``: a Ripple checkout (built: ``npm install`` builds ``dist/``);
2. a Ripple checkout above the current directory or above this package (``pip install -e ./python``);
3. the ``ripple`` command on PATH (``npm install -g`` of the package): ``ripple serve``.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from ._client import Ripple

_LISTENING = "Server listening at "


def _is_checkout(d: Path) -> bool:
    pkg = d / "package.json"
    if not pkg.is_file():
        return False
    try:
        return bool(json.loads(pkg.read_text()).get("name") == "ripple")
    except (OSError, ValueError):
        return False


def _find_checkout() -> Path | None:
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for d in (start, *start.parents):
            if _is_checkout(d):
                return d
    return None


def server_command(checkout: str | os.PathLike[str] | None = None) -> list[str]:
    """The command that runs a Ripple server (see the module's docstring for the search order)."""
    given = checkout if checkout is not None else os.environ.get("RIPPLE_CHECKOUT")
    root = Path(given).resolve() if given else _find_checkout()
    if root is not None:
        if not _is_checkout(root):
            raise RuntimeError(f"ripple_client.local: {root} is not a Ripple checkout (no package.json named ripple)")
        entry = root / "dist" / "src" / "server.js"
        if not entry.is_file():
            raise RuntimeError(f"ripple_client.local: {entry} is missing; run `npm install` in {root} (it builds dist/)")
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("ripple_client.local: `node` is not on PATH (Ripple needs Node 20.19 or later)")
        return [node, str(entry)]
    installed = shutil.which("ripple")
    if installed is not None:
        return [installed, "serve"]
    raise RuntimeError(
        "ripple_client.local: no Ripple server found: pass checkout=, set RIPPLE_CHECKOUT, run from a checkout, "
        "or install the `ripple` command"
    )


class LocalServer:
    """A Ripple server process; ``stop()`` ends it (also at interpreter exit) and removes its scratch data."""

    def __init__(
        self,
        *,
        checkout: str | os.PathLike[str] | None = None,
        data_dir: str | os.PathLike[str] | None = None,
        demo: bool = False,
        workers: int | None = None,
        api_keys: list[str] | None = None,
        env: dict[str, str] | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        command = server_command(checkout)
        self._scratch = tempfile.TemporaryDirectory(prefix="ripple-local-")
        self.data_dir = Path(data_dir) if data_dir is not None else Path(self._scratch.name) / "data"
        self.log_path = Path(self._scratch.name) / "server.log"
        full_env = {
            **os.environ,
            "PORT": "0",
            "HOST": "127.0.0.1",
            "RIPPLE_DATA_DIR": str(self.data_dir),
            "RIPPLE_DEMO": "true" if demo else "false",
            "LOG_LEVEL": "info",
            **({"RIPPLE_WORKERS": str(workers)} if workers is not None else {}),
            **({"RIPPLE_API_KEYS": ",".join(api_keys)} if api_keys else {}),
            **(env or {}),
        }
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(command, env=full_env, stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        self._stopped = False
        atexit.register(self.stop)
        try:
            self.url = self._wait_listening(start_timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_listening(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log_path.read_text(errors="replace").splitlines():
                msg = _message(line)
                if msg.startswith(_LISTENING):
                    return msg[len(_LISTENING):].strip()
            if self.process.poll() is not None:
                raise RuntimeError(f"ripple_client.local: the server exited ({self.process.returncode}):\n{self.log_tail()}")
            time.sleep(0.05)
        raise RuntimeError(f"ripple_client.local: the server did not listen within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 15.0) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: close-with-grace cancels jobs and closes the store
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        self._scratch.cleanup()
        atexit.unregister(self.stop)

    def __repr__(self) -> str:
        return f"LocalServer({self.url!r}, pid={self.process.pid})"


def _message(line: str) -> str:
    try:
        record: Any = json.loads(line)
    except ValueError:
        return line
    return str(record.get("msg", "")) if isinstance(record, dict) else ""


class LocalRipple(Ripple):
    """A client of its own server: ``close()`` (or leaving a ``with`` block, or exiting Python) stops it."""

    def __init__(self, server: LocalServer, api_key: str | None = None, **client: Any) -> None:
        super().__init__(server.url, api_key, **client)
        self.server = server

    def close(self) -> None:
        super().close()
        self.server.stop()

    def __enter__(self) -> LocalRipple:
        return self

    def __repr__(self) -> str:
        return f"LocalRipple({self.base_url!r}, pid={self.server.process.pid})"


def local(
    *,
    checkout: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    demo: bool = False,
    workers: int | None = None,
    api_key: str | None = None,
    env: dict[str, str] | None = None,
    start_timeout: float = 60.0,
    progress: bool = True,
    timeout: float = 120.0,
) -> LocalRipple:
    """Start a Ripple server on a free port and return a client of it; the server stops at ``close()`` or exit.

    ``data_dir`` defaults to a scratch directory removed at stop; ``demo=True`` imports the demo graph
    (3,000 customers); ``api_key`` makes the server require that key (and the client send it).
    """
    server = LocalServer(checkout=checkout, data_dir=data_dir, demo=demo, workers=workers,
                         api_keys=[api_key] if api_key else None, env=env, start_timeout=start_timeout)
    return LocalRipple(server, api_key, progress=progress, timeout=timeout)
