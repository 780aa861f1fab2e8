"""A bounded HTTP/1.1 load generator that costs the server's machine as little as possible.

The benchmarks share 2 cores with the server they measure. A generator built on a full HTTP
client (httpx in threads) spends about 0.5 ms of CPU per request and its threads fight over one
GIL: cheap endpoints then measure the client, not the server (GET /health went from 2,300 to
1,600 req/s as its threads went from 4 to 16). This one keeps CONNECTIONS keep-alive sockets
open in one asyncio loop, sends requests encoded in advance and reads back only the status line
and Content-Length: a few tens of microseconds per request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PhaseResult:
    rate: float  # completed requests per second of wall time
    latencies_ms: list[float]


def request_bytes(
    method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method != "GET":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class LoadError(RuntimeError):
    pass


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    length = 0
    for line in header_lines:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
        elif name.strip().lower() == "transfer-encoding":
            raise LoadError(f"unsupported response framing: {line}")
    return status, await reader.readexactly(length)


async def _run(
    ports: Sequence[int],
    total: int,
    build: Callable[[int], bytes],
    connections: int,
    limit_s: float,
) -> PhaseResult:
    counter = iter(range(total))
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + limit_s

    async def connection(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.monotonic() < deadline and not failures:
                n = next(counter, None)
                if n is None:
                    return
                request = build(n)
                started = time.perf_counter()
                status, body = await _exchange(reader, writer, request)
                latencies.append((time.perf_counter() - started) * 1000)
                if status >= 300:
                    failures.append(f"{status} {body[:200]!r}")
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection(ports[n % len(ports)]) for n in range(connections)))
    wall = time.perf_counter() - started
    if failures:
        raise LoadError(f"{len(failures)} failed requests, e.g. {failures[0]}")
    return PhaseResult(len(latencies) / wall, latencies)


def run_phase(
    port: int | Sequence[int],
    total: int,
    build: Callable[[int], bytes],
    *,
    connections: int = 8,
    limit_s: float = 30.0,
) -> PhaseResult:
    """Send `total` requests (`build(n)` makes the n-th) over `connections` keep-alive
    connections to 127.0.0.1:`port` (or spread over several ports), stopping early at
    `limit_s`; every response must be 2xx."""
    ports = [port] if isinstance(port, int) else list(port)
    return asyncio.run(_run(ports, total, build, connections, limit_s))


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
