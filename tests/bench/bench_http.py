"""BENCH http-write: write commands/s over HTTP divided by the same server's no-op `GET /health`
requests/s, measured in one run: `gongkai serve` (uvicorn, embedded SQLite, projection driver
thread) in a subprocess on a free port of 127.0.0.1, and a bounded load generator
(`tests.bench.load`: CLIENTS keep-alive connections in one asyncio loop, requests encoded in
advance, a fixed number of requests and a time limit per phase). The generator costs tens of
microseconds per request, so both phases measure the server; the server's CPU per request in
each phase is printed too (from /proc), a second view of the same ratio.

The write is `POST /items` as a drafter: token lookup, validation, role check, one event saved
to SQLite, the ETag'd response. Also prints the writes' 99th-percentile latency.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import orjson

from api.auth import Official
from api.services import build_services
from api.settings import Settings
from domain.codes import Role
from tests.bench.load import PhaseResult, p99, request_bytes, run_phase

CLIENTS = 8
HEALTH_REQUESTS = 4000
WRITE_REQUESTS = 2000
PHASE_LIMIT_S = 30.0
WARM_UP = 200
AGENCY = "005253103"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def issue_token(data_dir: Path) -> str:
    services = build_services(Settings(data_dir=data_dir))
    try:
        return services.officials.issue_token(
            Official(
                official_id="bench", role=Role.DRAFTER, department="规划科", agency_code=AGENCY
            )
        )
    finally:
        services.close()


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "api.cli", "serve", "--data-dir", str(data_dir)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    root = Path(__file__).resolve().parents[2]
    return subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_ready(base: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the server did not come up")


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(
    pid: int, port: int, total: int, build: Callable[[int], bytes]
) -> tuple[PhaseResult, float]:
    """A phase and the server's CPU milliseconds per request during it."""
    before = cpu_seconds(pid)
    result = run_phase(port, total, build, connections=CLIENTS, limit_s=PHASE_LIMIT_S)
    spent = cpu_seconds(pid) - before
    return result, spent * 1000 / len(result.latencies_ms)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-http-") as tmp:
        data_dir = Path(tmp)
        token = issue_token(data_dir)
        port = free_port()
        server = start_server(data_dir, port)
        try:
            wait_ready(f"http://127.0.0.1:{port}")
            health = request_bytes("GET", "/health")
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

            def write(n: int) -> bytes:
                body = {"title": f"关于第{n}号事项的通知", "formed_on": "2025-03-03"}
                return request_bytes("POST", "/items", headers, orjson.dumps(body))

            run_phase(port, WARM_UP, lambda n: health, connections=CLIENTS)
            run_phase(port, WARM_UP, write, connections=CLIENTS)
            health_run, health_cpu = measured(server.pid, port, HEALTH_REQUESTS, lambda n: health)
            write_run, write_cpu = measured(server.pid, port, WRITE_REQUESTS, write)
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(
        f"# http: GET /health {health_run.rate:,.0f} req/s, POST /items {write_run.rate:,.0f} "
        f"req/s ({CLIENTS} connections, {len(write_run.latencies_ms)} writes); server CPU per "
        f"request {health_cpu:.2f} ms and {write_cpu:.2f} ms "
        f"(CPU ratio {health_cpu / write_cpu:.2f})"
    )
    print(f"BENCH http-write ratio={write_run.rate / health_run.rate:.2f} target>=0.4")
    print(f"BENCH http-write-p99-ms value={p99(write_run.latencies_ms):.1f}")


if __name__ == "__main__":
    main()
