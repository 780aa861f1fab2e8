"""A production-shaped deployment on this machine, for the multi-process tests and benchmarks:
API processes (`gongkai serve --no-projections`, uvicorn) on free loopback ports and a projection
worker (`gongkai projections run`), all configured by environment variables only
(docs/operations.md) and sharing one PostgreSQL schema.

Every process is stopped by `Deployment.stop()` (the tests call it in `finally`); each writes its
output to a log file in the data directory, shown when a process fails to start.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

from api.auth import Official, OfficialRegistry
from domain.codes import Role
from projections.postgres_store import PostgresConfig, PostgresStore

ROOT = Path(__file__).resolve().parents[1]
AGENCY = "005253103"
DEPT = "规划科"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]


@dataclass
class Deployment:
    config: PostgresConfig
    data_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: list[Process] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "GONGKAI"))}
        env.update(
            {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": self.config.dbname,
                "POSTGRES_HOST": self.config.host,
                "POSTGRES_PORT": str(self.config.port),
                "POSTGRES_USER": self.config.user,
                "POSTGRES_PASSWORD": self.config.password,
                "POSTGRES_SCHEMA": self.config.schema,
                "GONGKAI_DATA_DIR": str(self.data_dir),
                "GONGKAI_RUN_PROJECTIONS": "0",
                "PYTHONPATH": str(ROOT),
            }
        )
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, *arguments: str, port: int = 0) -> Process:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.data_dir / f"{name}.log"
        with log.open("wb") as sink:
            popen = subprocess.Popen(
                [sys.executable, "-m", "api.cli", *arguments],
                cwd=ROOT,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        process = Process(name, popen, log, port)
        self.processes.append(process)
        return process

    def start_api(self, name: str = "api") -> Process:
        port = free_port()
        process = self._spawn(
            name, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-projections", port=port
        )
        wait_until_healthy(process)
        return process

    def start_worker(self, name: str = "worker") -> Process:
        return self._spawn(name, "projections", "run")

    def stop(self) -> None:
        for process in self.processes:
            if process.popen.poll() is None:
                process.popen.terminate()
        for process in self.processes:
            try:
                process.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait(timeout=5)
        self.processes.clear()

    def issue_tokens(self, roles: dict[str, Role]) -> dict[str, dict[str, str]]:
        """Officials of one agency and department, with a bearer header each (the same store
        the API processes read)."""
        store = PostgresStore(self.config, min_size=0)
        try:
            registry = OfficialRegistry(store)
            registry.create_tables()
            headers = {}
            for key, role in roles.items():
                official = Official(
                    official_id=f"mp-{key}", role=role, department=DEPT, agency_code=AGENCY
                )
                headers[key] = {"Authorization": f"Bearer {registry.issue_token(official)}"}
            return headers
        finally:
            store.close()


def wait_until_healthy(process: Process, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited at start:\n{process.output()}")
        try:
            if httpx.get(f"{process.url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{process.name} did not answer within {timeout} s:\n{process.output()}")


# ---- the local PostgreSQL server (the restart test) ---------------------------------------------


def local_cluster() -> tuple[str, str] | None:
    """(version, name) of the Debian-managed local cluster, or None when there is none."""
    if shutil.which("pg_ctlcluster") is None or not Path("/etc/postgresql").is_dir():
        return None
    versions = sorted(Path("/etc/postgresql").iterdir())
    return (versions[-1].name, "main") if versions else None


def pg_ctlcluster(action: str, *options: str) -> None:
    cluster = local_cluster()
    if cluster is None:
        raise RuntimeError("no local PostgreSQL cluster to control")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, action, *options],
        check=True,
        capture_output=True,
        timeout=120,
    )


def postgres_answers(config: PostgresConfig) -> bool:
    try:
        with psycopg.connect(**config.connect_kwargs()) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


def ensure_postgres_running(config: PostgresConfig) -> None:
    """Start the local server unless it answers, and wait until it does (restart tests call
    this in `finally`, so a failed test never leaves the machine without its database)."""
    if not postgres_answers(config):
        pg_ctlcluster("start")
    wait_for_postgres(config)


def wait_for_postgres(config: PostgresConfig, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not postgres_answers(config):
        if time.monotonic() > deadline:
            raise RuntimeError(f"PostgreSQL did not come back within {timeout} s")
        time.sleep(0.2)
