"""Web bench: the indicator board and the inspections page under 20 concurrent users.

Starts the real server (``qcity serve``: uvicorn, one process) on a free loopback port against
a demo database (built once into a cache folder: ``qcity db upgrade``, ``qcity demo build``,
``qcity analytics rebuild``), creates an analyst through the accounts service, then drives
``--users`` concurrent users (asyncio, in this process: separate from the server), each logged
in through the login form with its own session (httpx) and then holding one keep-alive HTTP/1.1
connection that sends GETs as fast as answers come back, for ``--duration`` seconds per page.
The load generator writes prebuilt request bytes and reads by Content-Length, so that on a
2-core machine the clients take as little CPU from the server as possible. Pages run one after
another on the same server.

Baseline: ``/health`` (the framework floor: middleware, session lookup, one database query and
a JSON body) measured the same way, side by side; the ratio column is page p95 / baseline p95.
Target: p95 under 300 ms on every page. Pages keep fragments per data version and filter, so
the repeated default view is mostly served from them; ``/inspections?varied`` asks for another
town × period × verdict filter on every request, to show what the page costs when they miss
(printed for information, not held to the target).

Run: .venv/bin/python bench/web.py [--scale small|city] [--duration 20] [--users 20]
     [--pages /indicators,/inspections] [--cache-dir ~/.cache/qcity-bench]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1]))

from qcity.accounts import repository as accounts_repository
from qcity.accounts import service as accounts_service
from qcity.db import make_engine, unit_of_work

ROOT = Path(__file__).parents[1]
QCITY = str(ROOT / ".venv" / "bin" / "qcity")
ANALYST, PASSWORD = "bench-analyst", "bench analyst password 2026"
TARGET_P95_MS = 300.0
BASELINE = "/health"
VARIED = "/inspections?varied"  # each request another filter: what the page costs uncached


@dataclass(frozen=True)
class Result:
    path: str
    latencies_ms: np.ndarray
    errors: int
    seconds: float

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.latencies_ms, q)) if self.latencies_ms.size else 0.0

    @property
    def rps(self) -> float:
        return self.latencies_ms.size / self.seconds


def environment(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "QCITY_ENV": "development",
        "QCITY_DATA_DIR": str(folder),
        "QCITY_DATABASE_URL": f"sqlite:///{folder / 'qcity.sqlite3'}",
    }


def prepare(folder: Path, scale: str) -> None:
    """Build the demo database once (kept in the cache folder for later runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    env = environment(folder)
    marker = folder / "demo-built"
    if marker.exists():  # built earlier: only bring its schema up to this code's migrations
        subprocess.run([QCITY, "db", "upgrade"], env=env, check=True, stdout=subprocess.DEVNULL)
        return
    started = time.perf_counter()
    for command in (
        ["db", "upgrade"],
        ["demo", "build", "--scale", scale, "--if-missing"],
        ["analytics", "rebuild"],
    ):
        subprocess.run([QCITY, *command], env=env, check=True, stdout=subprocess.DEVNULL)
    marker.write_text(scale)
    print(f"demo ({scale}) built in {time.perf_counter() - started:.0f} s into {folder}")


def ensure_analyst(folder: Path) -> None:
    engine = make_engine(environment(folder)["QCITY_DATABASE_URL"])
    with unit_of_work(engine) as session:
        if accounts_repository.user_by_username(session, ANALYST) is None:
            accounts_service.create_user(session, ANALYST, "analyst", PASSWORD)
    engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(folder: Path, workers: int) -> Iterator[str]:
    """``qcity serve`` on a free loopback port; yields its base URL once /health answers."""
    port = free_port()
    process = subprocess.Popen(
        [QCITY, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=environment(folder),
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # slow to import on a busy machine
        while True:
            try:
                if httpx.get(url + BASELINE, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start on {url}")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


async def logged_in_client(url: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=url, timeout=30, follow_redirects=False)
    form = await client.get("/login")
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
    if match is None:
        raise SystemExit("no CSRF token on /login")
    data = {"username": ANALYST, "password": PASSWORD, "next": "/", "csrf_token": match[1]}
    response = await client.post("/login", data=data)
    if response.status_code != 303:
        raise SystemExit(f"login failed ({response.status_code}): {response.text[:200]}")
    return client


class Connection:
    """One user's keep-alive HTTP/1.1 connection, carrying its session cookie."""

    def __init__(self, url: str, cookie: str) -> None:
        parts = httpx.URL(url)
        self.host, self.port = parts.host, int(parts.port or 80)
        self.cookie = cookie
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Cookie: {self.cookie}\r\nAccept-Language: zh-CN\r\n\r\n"
        )
        self.writer.write(request.encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        headers = head.decode("latin-1").lower()
        length = re.search(r"\r\ncontent-length: *(\d+)", headers)
        if length is not None:
            await self.reader.readexactly(int(length[1]))
        elif "transfer-encoding: chunked" in headers:
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        if "connection: close" in headers:
            self.writer.close()
            self.reader = self.writer = None
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def varied_filters(folder: Path) -> Iterator[str]:
    """Endless distinct filter queries (town × period × verdict), shuffled: the page's
    remembered fragments seldom help, so this measures rendering and querying afresh."""
    with sqlite3.connect(folder / "qcity.sqlite3") as db:
        towns = [r[0] for r in db.execute("SELECT DISTINCT town_code FROM sampling_inspection")]
    periods = [f"{y}{q}" for y in (2023, 2024, 2025) for q in ("", "-Q1", "-Q2", "-Q3", "-Q4")]
    queries = [
        urlencode({"town": t, "period": p, "verdict": v})
        for t in towns
        for p in periods
        for v in ("", "pass", "fail")
    ]
    random.Random(2026).shuffle(queries)
    while True:
        for query in queries:
            yield f"/inspections?{query}"


async def drive(
    connections: list[Connection], path: str, seconds: float, paths: Iterator[str]
) -> Result:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def user(connection: Connection) -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                ok = await connection.get(next(paths) if path == VARIED else path) == 200
            except (OSError, asyncio.IncompleteReadError, ValueError):
                ok, connection.reader, connection.writer = False, None, None
            if ok:
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(user(c) for c in connections))
    return Result(path, np.array(latencies), errors, time.perf_counter() - started)


async def run(
    url: str, paths: list[str], users: int, seconds: float, varied: Iterator[str]
) -> list[Result]:
    connections = []
    for _ in range(users):
        client = await logged_in_client(url)
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        await client.aclose()
        connections.append(Connection(url, cookie))
    try:
        for path in [BASELINE, *paths]:  # warm-up: templates, caches, mart connection
            for connection in connections:
                if await connection.get(next(varied) if path == VARIED else path) != 200:
                    raise SystemExit(f"{path} does not answer 200 to a logged-in analyst")
        return [await drive(connections, p, seconds, varied) for p in [BASELINE, *paths]]
    finally:
        for connection in connections:
            await connection.close()


def report(results: list[Result], users: int, scale: str, workers: int) -> None:
    base = results[0]
    setting = f"demo scale {scale}, {workers} server process(es)"
    print(f"\n{users} concurrent users over loopback, {setting}")
    head = f"{'page':<24}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    print(f"{head}{'errors':>8}{'p95 vs ' + BASELINE:>16}  target p95 < {TARGET_P95_MS:.0f} ms")
    for r in results:
        ratio = r.percentile(95) / base.percentile(95) if base.percentile(95) else float("nan")
        verdict = "" if r is base else ("met" if r.percentile(95) < TARGET_P95_MS else "MISSED")
        if r.path == VARIED:
            verdict = "(not a target: uncached cost)"
        if r.errors or not r.latencies_ms.size:
            verdict = "ERRORS" if r is not base else verdict
        print(f"{r.path:<24}{r.latencies_ms.size:>9}{r.rps:>9.1f}{r.percentile(50):>9.1f}"
              f"{r.percentile(95):>9.1f}{r.percentile(99):>9.1f}{r.errors:>8}"
              f"{ratio:>15.1f}x  {verdict}")  # fmt: skip
    print(f"baseline = {BASELINE} (framework floor) on the same server, same clients")
    if any(r.path == VARIED for r in results):
        print(f"{VARIED} = a different town/period/verdict filter on every request")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("small", "city"), default="small")
    parser.add_argument("--duration", type=float, default=20.0, help="Seconds per page.")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="qcity serve --workers.")
    parser.add_argument("--pages", default=f"/indicators,/inspections,{VARIED}")
    parser.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache" / "qcity-bench")
    args = parser.parse_args()
    folder = args.cache_dir / args.scale
    prepare(folder, args.scale)
    ensure_analyst(folder)
    paths = [p.strip() for p in args.pages.split(",") if p.strip()]
    with server(folder, args.workers) as url:
        results = asyncio.run(run(url, paths, args.users, args.duration, varied_filters(folder)))
    report(results, args.users, args.scale, args.workers)


if __name__ == "__main__":
    main()
