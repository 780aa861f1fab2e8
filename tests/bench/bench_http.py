"""BENCH http-write: write commands/s over HTTP divided by the same server's no-op `GET /health`
requests/s, measured in one run: `gongkai serve` (uvicorn, embedded SQLite, projection driver
thread) in a subprocess on a free port of 127.0.0.1, and a bounded load generator (httpx,
CLIENTS threads with keep-alive, a fixed number of requests and a time limit per phase).

The write is `POST /items` as a drafter: token lookup, validation, role check, one event saved
to SQLite, the ETag'd response. Also prints the writes' 99th-percentile latency.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from api.auth import Official
from api.services import build_services
from api.settings import Settings
from domain.codes import Role

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


def phase(
    base: str, total: int, call: Callable[[httpx.Client, int], httpx.Response]
) -> tuple[float, list[float]]:
    """Run `total` calls over CLIENTS threads (bounded by PHASE_LIMIT_S); return (done/s,
    latencies in ms)."""
    counter = iter(range(total))
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + PHASE_LIMIT_S

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=10.0) as client:
            while time.monotonic() < deadline:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                started = time.perf_counter()
                response = call(client, n)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if response.status_code >= 300:
                        failures.append(f"{response.status_code} {response.text[:200]}")
                    latencies.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, e.g. {failures[0]}")
    return len(latencies) / wall, latencies


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-http-") as tmp:
        data_dir = Path(tmp)
        token = issue_token(data_dir)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(data_dir, port)
        try:
            wait_ready(base)
            headers = {"Authorization": f"Bearer {token}"}

            def health(client: httpx.Client, n: int) -> httpx.Response:
                return client.get("/health")

            def write(client: httpx.Client, n: int) -> httpx.Response:
                body = {"title": f"关于第{n}号事项的通知", "formed_on": "2025-03-03"}
                return client.post("/items", json=body, headers=headers)

            phase(base, WARM_UP, health)
            phase(base, WARM_UP, write)
            health_rate, _ = phase(base, HEALTH_REQUESTS, health)
            write_rate, latencies = phase(base, WRITE_REQUESTS, write)
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(
        f"# http: GET /health {health_rate:,.0f} req/s, POST /items {write_rate:,.0f} req/s "
        f"({CLIENTS} clients, {len(latencies)} writes)"
    )
    print(f"BENCH http-write ratio={write_rate / health_rate:.2f} target>=0.4")
    print(f"BENCH http-write-p99-ms value={p99(latencies):.1f}")


if __name__ == "__main__":
    main()
