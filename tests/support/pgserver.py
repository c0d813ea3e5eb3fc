"""A throwaway PostgreSQL server for tests, started from the distribution's own binaries.

Tests need a real PostgreSQL (pg_trgm, real locking, real SQL) but must not depend on a
cluster someone else manages, on Docker, or on anything downloaded at run time. So each
test session initialises its own cluster in a temporary directory, on a free loopback port,
with durability switched off because the data is disposable, and deletes it afterwards.

Only the standard library and psycopg are used, so the helper works before the project
itself is importable and can be copied into benchmarks unchanged.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shlex
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

__all__ = ["PgServer", "PgServerError", "find_pg_bindir", "start_pgserver"]

SUPERUSER = "xinyong"
LISTEN_HOST = "127.0.0.1"
DEFAULT_EXTENSIONS: tuple[str, ...] = ("pg_trgm",)

_START_TIMEOUT_S = 60
_LOG_TAIL_LINES = 40
_PORT_ATTEMPTS = 3

# Durability buys nothing for a cluster that is deleted at the end of the run, and the
# connection ceiling must cover parallel test workers each holding a pool.
_SERVER_SETTINGS: tuple[tuple[str, str], ...] = (
    ("listen_addresses", LISTEN_HOST),
    ("fsync", "off"),
    ("synchronous_commit", "off"),
    ("full_page_writes", "off"),
    ("max_connections", "200"),
    ("shared_buffers", "128MB"),
)


class PgServerError(RuntimeError):
    """Raised when the throwaway server cannot be set up; the message carries the log tail."""


@dataclass
class PgServer:
    """A running throwaway cluster; every database in it has the requested extensions.

    The extensions are created in template1 (and the pre-existing "postgres" database), so
    databases made later inherit them without superuser work per test.
    """

    host: str
    port: int
    user: str
    datadir: Path
    basedir: Path = field(repr=False)
    bindir: Path = field(repr=False)
    run_as: str | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, init=False, repr=False)

    @property
    def logfile(self) -> Path:
        """Where the server writes its log, for attaching to a failing test's report."""
        return self.basedir / "postgres.log"

    def url(self, dbname: str) -> str:
        """SQLAlchemy URL, so application code under test is configured exactly as in production."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    def conninfo(self, dbname: str) -> str:
        """libpq conninfo for plain psycopg, explicit so stray PG* variables cannot redirect it."""
        return psycopg.conninfo.make_conninfo(
            host=self.host, port=self.port, user=self.user, dbname=dbname
        )

    def create_database(self, name: str, template: str | None = None) -> None:
        """Copying a prepared template is far cheaper than migrating a fresh database per test.

        PostgreSQL refuses to copy a template that has open connections, so callers must
        close theirs to the template first.
        """
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            query = sql.SQL("{} TEMPLATE {}").format(query, sql.Identifier(template))
        self._admin(query)

    def drop_database(self, name: str) -> None:
        """FORCE, because a test that failed half-way may still hold connections."""
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def stop(self) -> None:
        """Immediate stop: nothing in the cluster is worth a clean checkpoint. Safe to repeat."""
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        # A server that already died must not keep its directory around.
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            _run(
                self.run_as,
                [
                    str(self.bindir / "pg_ctl"),
                    "stop",
                    "-D",
                    str(self.datadir),
                    "-m",
                    "immediate",
                    "-w",
                    "-t",
                    "30",
                ],
                cwd=self.basedir,
                timeout=60,
            )
        _remove_tree(self.basedir)

    def _admin(self, query: sql.Composed) -> None:
        # CREATE/DROP DATABASE cannot run inside a transaction block.
        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            conn.execute(query)


def find_pg_bindir() -> Path | None:
    """Locate initdb/pg_ctl; Debian keeps them off PATH under a per-version directory.

    Order: XINYONG_PG_BINDIR (a wrong value is an error, not a silent fallback), then
    ``pg_config --bindir`` if that directory has initdb, then the newest
    /usr/lib/postgresql/<version>/bin.
    """
    override = os.environ.get("XINYONG_PG_BINDIR")
    if override:
        path = Path(override)
        if not _has_server_binaries(path):
            raise PgServerError(f"XINYONG_PG_BINDIR={override} has no initdb and pg_ctl")
        return path

    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
            if out and _has_server_binaries(Path(out)):
                return Path(out)

    candidates = [
        bindir
        for bindir in Path("/usr/lib/postgresql").glob("*/bin")
        if _has_server_binaries(bindir)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda p: _version_key(p.parent.name))


def start_pgserver(
    base: Path | None = None,
    *,
    extensions: Sequence[str] = DEFAULT_EXTENSIONS,
) -> PgServer:
    """Initialise and start a private cluster under ``base`` (default: the system temp dir).

    As root, initdb and postgres refuse to run, so the cluster belongs to the ``postgres``
    system user (or ``nobody``) and the binaries run as that user; ``base`` and its parents
    must then be traversable by it, which pytest's per-user /tmp/pytest-of-root is not.
    The server is stopped at interpreter exit if the caller forgets.
    """
    bindir = find_pg_bindir()
    if bindir is None:
        raise PgServerError(
            "no PostgreSQL server binaries found: install Debian's postgresql package "
            "or set XINYONG_PG_BINDIR to a directory with initdb and pg_ctl"
        )

    run_as = _unprivileged_user() if os.geteuid() == 0 else None
    parent = (base if base is not None else Path(tempfile.gettempdir())).absolute()
    if run_as is not None:
        _check_traversable(parent, run_as)
    _prepare_base(parent)
    basedir = Path(tempfile.mkdtemp(prefix="xinyong-pg-", dir=parent))
    try:
        sockdir = basedir / "sock"
        sockdir.mkdir()
        if run_as is not None:
            entry = pwd.getpwnam(run_as)
            for path in (basedir, sockdir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        datadir = basedir / "data"

        _initdb(bindir, datadir, run_as, basedir)
        server = _start(bindir, basedir, datadir, sockdir, run_as)
    except BaseException:
        _remove_tree(basedir)
        raise

    atexit.register(server.stop)
    try:
        _create_extensions(server, extensions)
    except BaseException:
        server.stop()
        raise
    return server


def _initdb(bindir: Path, datadir: Path, run_as: str | None, cwd: Path) -> None:
    """C.UTF-8 gives byte-order collation (deterministic) while keeping UTF-8 character classes.

    Some minimal images lack C.UTF-8; plain C still stores UTF-8 text correctly.
    """
    last_error = ""
    for locale in ("C.UTF-8", "C"):
        cmd = [
            str(bindir / "initdb"),
            "-D",
            str(datadir),
            "-A",
            "trust",
            "-U",
            SUPERUSER,
            "-E",
            "UTF8",
            f"--locale={locale}",
            "--no-sync",
            "--no-instructions",
        ]
        proc = _run(run_as, cmd, cwd=cwd, timeout=_START_TIMEOUT_S)
        if proc.returncode == 0:
            return
        last_error = proc.stdout + proc.stderr
        if "locale" not in last_error.lower():
            break
        _remove_tree(datadir)
    raise PgServerError(f"initdb failed:\n{_tail(last_error.splitlines())}")


def _start(
    bindir: Path, basedir: Path, datadir: Path, sockdir: Path, run_as: str | None
) -> PgServer:
    """Retry on a new port: another process may take the probed port before postgres binds it."""
    logfile = basedir / "postgres.log"
    for _attempt in range(_PORT_ATTEMPTS):
        port = _free_port()
        options = [f"-p {port}", f"-k {shlex.quote(str(sockdir))}"]
        options += [f"-c {key}={shlex.quote(value)}" for key, value in _SERVER_SETTINGS]
        cmd = [
            str(bindir / "pg_ctl"),
            "start",
            "-D",
            str(datadir),
            "-l",
            str(logfile),
            "-w",
            "-t",
            str(_START_TIMEOUT_S),
            "-o",
            " ".join(options),
        ]
        proc = _run(run_as, cmd, cwd=basedir, timeout=_START_TIMEOUT_S + 30)
        if proc.returncode == 0:
            return PgServer(
                host=LISTEN_HOST,
                port=port,
                user=SUPERUSER,
                datadir=datadir,
                basedir=basedir,
                bindir=bindir,
                run_as=run_as,
            )
        log = _read_lines(logfile)
        if not any("could not bind" in line or "already in use" in line for line in log):
            break
    raise PgServerError(
        f"pg_ctl start failed (exit {proc.returncode}): {proc.stdout}{proc.stderr}\n"
        f"last lines of {logfile}:\n{_tail(_read_lines(logfile))}"
    )


def _create_extensions(server: PgServer, extensions: Iterable[str]) -> None:
    """Fail at start-up rather than in some later test that happens to need the extension."""
    names = list(extensions)
    if not names:
        return
    # initdb made "postgres" before template1 had the extensions, so it needs them separately.
    try:
        for dbname in ("template1", "postgres"):
            with psycopg.connect(server.conninfo(dbname), autocommit=True) as conn:
                for name in names:
                    conn.execute(
                        sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(name))
                    )
    except psycopg.Error as exc:
        raise PgServerError(
            f"cannot create extension(s) {', '.join(names)}: {exc}. "
            "On Debian pg_trgm ships in postgresql-<version> (postgresql-contrib pulls it in)."
        ) from exc


def _run(
    run_as: str | None, cmd: list[str], *, cwd: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL binary, dropping root first because initdb and postgres refuse root.

    stdin is closed and PG* variables are removed so a developer's own PGDATA/PGPORT/PGOPTIONS
    cannot leak into the throwaway cluster; LC_ALL=C keeps messages in English for the
    log-parsing above.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    if run_as is not None:
        cmd = [*_drop_privileges_prefix(run_as), *cmd]
    return subprocess.run(
        cmd,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _drop_privileges_prefix(user: str) -> list[str]:
    runuser = shutil.which("runuser") or _existing("/usr/sbin/runuser", "/sbin/runuser")
    if runuser is not None:
        return [runuser, "-u", user, "--"]
    setpriv = shutil.which("setpriv") or _existing("/usr/bin/setpriv")
    if setpriv is not None:
        entry = pwd.getpwnam(user)
        return [
            setpriv,
            f"--reuid={entry.pw_uid}",
            f"--regid={entry.pw_gid}",
            "--init-groups",
            "--",
        ]
    raise PgServerError("running as root but neither runuser nor setpriv is available")


def _unprivileged_user() -> str:
    """Prefer Debian's postgres user: it exists wherever the server package is installed."""
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise PgServerError("running as root and no 'postgres' or 'nobody' user to run PostgreSQL as")


def _prepare_base(base: Path) -> None:
    """Create missing parents world-traversable, since the server may run as another user."""
    missing = [p for p in (base, *base.parents) if not p.exists()]
    for path in reversed(missing):
        path.mkdir(exist_ok=True)
        path.chmod(0o755)


def _check_traversable(path: Path, user: str) -> None:
    """Checked before creating anything, so a refused base leaves no directories behind.

    Directories that do not exist yet are skipped: _prepare_base creates them 0755.
    """
    entry = pwd.getpwnam(user)
    groups = {entry.pw_gid, *os.getgrouplist(user, entry.pw_gid)}
    for directory in (path, *path.parents):
        if not directory.exists():
            continue
        st = directory.stat()
        if st.st_uid == entry.pw_uid:
            ok = bool(st.st_mode & stat.S_IXUSR)
        elif st.st_gid in groups:
            ok = bool(st.st_mode & stat.S_IXGRP)
        else:
            ok = bool(st.st_mode & stat.S_IXOTH)
        if not ok:
            raise PgServerError(
                f"{directory} is not traversable by {user!r}, who must own the cluster "
                f"because we run as root; pass a base directory under /tmp instead of {path}"
            )


def _remove_tree(path: Path) -> None:
    # Right after an immediate stop the postmaster's children may still be unlinking files.
    for _attempt in range(5):
        try:
            shutil.rmtree(path)
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.2)
        else:
            return
    shutil.rmtree(path, ignore_errors=True)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LISTEN_HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _has_server_binaries(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres"))


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (0,)


def _existing(*paths: str) -> str | None:
    return next((p for p in paths if os.access(p, os.X_OK)), None)


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(errors="replace").splitlines()
    except OSError:
        return []


def _tail(lines: list[str]) -> str:
    return "\n".join(lines[-_LOG_TAIL_LINES:])
