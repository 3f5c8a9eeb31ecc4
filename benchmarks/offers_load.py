"""Load benchmark: 50 provider systems listing and answering offers through the API.

Not a test. Serves the app with gunicorn on PostgreSQL (``DATABASE_URL`` must name a
scratch PostgreSQL database: it is migrated and filled with the demo), issues an API token
to each of the demo's provider organisations, then runs 50 simulated provider users as
threads on 127.0.0.1 for ``--seconds``: each lists its offers (``GET /api/v1/offers``),
declines one of them one time in five (``POST /api/v1/offers/{id}/decline``; a 400 "already
answered" or "expired" is a normal answer in a race, not an error), then waits a think time
(``--think``, default 1 to 3 seconds: a provider's system polling its inbox every couple of
seconds, already far busier than a real one). The baseline, measured in the same run
by the same threads, is the sign-in page (no database query beyond the session).

After a warm-up (``--warmup``, default 10 s, load applied but latencies not kept: gunicorn's
workers import and compile what their first requests need), reports requests per second,
p50/p95/p99 latency in ms and errors (5xx, connection failures,
unexpected 4xx) for each kind of call, and appends a section to ``docs/benchmarks.md`` with
``--record``. ``--think 0.05 0.25`` is the saturation run: 50 users with almost no pause ask
more than two cores can serve, so every call waits in a queue and the latency measures the
queue (the baseline's p95 rises with it).

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/offers_load.py --seconds 60 --record

Needs gunicorn (pinned in pyproject).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST, PORT = "127.0.0.1", 8765
USERS = 50
BASELINE = "baseline: sign-in page"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    rank = (len(ordered) - 1) * fraction
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


def _prepare(env: dict[str, str]) -> list[str]:
    """Migrate, load the demo, and issue one token per provider; returns the plaintexts."""
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [python, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    script = (
        "from homecare.accounts.actions import issue_api_token\n"
        "from homecare.commissioning.models import Provider\n"
        "import json\n"
        "print(json.dumps([issue_api_token(p.organisation, 'load benchmark', acting_user=None)[1]"
        " for p in Provider.objects.select_related('organisation')]))\n"
    )
    out = subprocess.run(
        [python, "manage.py", "shell", "-v0", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return list(json.loads(out.strip().splitlines()[-1]))


def _wait_for_server(server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=2)
            conn.request("GET", "/accounts/sign-in/")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("gunicorn did not answer within 30 s")


def _machine() -> str:
    """CPU model, cores and memory, as the docs record them."""
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f", {int(memory) / 1024**2:.0f} GiB RAM"
    except (OSError, StopIteration):
        ram = ""
    return f"{cpu}, {os.cpu_count()} cores{ram}, Python {platform.python_version()}"


class Results:
    """Latencies and errors per kind of call; calls before ``measure_from`` (the warm-up, while
    gunicorn's workers import and compile what their first requests need) are not kept,
    except errors, which always count."""

    def __init__(self, measure_from: float = 0.0) -> None:
        self.lock = threading.Lock()
        self.measure_from = measure_from
        self.times: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}

    def add(self, kind: str, ms: float, ok: bool) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + (not ok)
            if time.monotonic() >= self.measure_from:
                self.times.setdefault(kind, []).append(ms)


def _call(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    token: str | None,
    body: dict[str, str] | None = None,
) -> tuple[int, bytes, float]:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    start = time.perf_counter()
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, data, (time.perf_counter() - start) * 1000


def _user(
    token: str,
    seed: int,
    share: tuple[int, int],
    until: float,
    think: tuple[float, float],
    results: Results,
) -> None:
    """One provider user; ``share`` is (its slot, how many users share its token)."""
    slot, sharing = share
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
    while time.monotonic() < until:
        try:
            status, _, ms = _call(conn, "GET", "/accounts/sign-in/", None)
            results.add(BASELINE, ms, status == 200)
            status, data, ms = _call(conn, "GET", "/api/v1/offers", token)
            results.add("list offers", ms, status == 200)
            # The list holds only open offers (OfferOut has no status field).
            open_offers = json.loads(data) if status == 200 else []
            # Users sharing a provider's token are that provider's staff: each answers its
            # own share of the inbox, as people dividing the work would, not all the same one.
            mine = [o for o in open_offers if o["id"] % sharing == slot]
            if mine and rng.random() < 0.2:
                offer = rng.choice(mine)
                status, _, ms = _call(
                    conn,
                    "POST",
                    f"/api/v1/offers/{offer['id']}/decline",
                    token,
                    {"reason": "load benchmark"},
                )
                results.add("decline offer", ms, status in (200, 400, 404, 409))
        except (OSError, http.client.HTTPException):
            results.add("connection", 0.0, False)
            conn.close()
            conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
        time.sleep(rng.uniform(*think))
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)  # best of 2 and 3 on 2 cores
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(1.0, 3.0),
        metavar=("MIN", "MAX"),
        help="seconds each user waits between polls, drawn uniformly (default 1 3)",
    )
    parser.add_argument(
        "--warmup", type=float, default=10, help="seconds of load before measuring (default 10)"
    )
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("set DATABASE_URL to a scratch PostgreSQL database")
    # Production settings, as deployed: DEBUG off (no query log, no debug pages). TLS ends at
    # the proxy in a deployment, so plain HTTP on loopback must not be redirected to https.
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
    }
    tokens = _prepare(env)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            str(args.workers),
            "--threads",
            "4",
            # Each user keeps its connection between polls, as a provider's system would; the
            # server must not close it while the user thinks (gunicorn's default is 2 s).
            "--keep-alive",
            str(int(args.think[1]) + 5),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        _wait_for_server(server)
        start = time.monotonic()
        results = Results(measure_from=start + args.warmup)
        until = start + args.warmup + args.seconds
        threads = [
            threading.Thread(
                target=_user,
                args=(
                    tokens[i % len(tokens)],
                    i,
                    (i // len(tokens), len(range(i % len(tokens), USERS, len(tokens)))),
                    until,
                    tuple(args.think),
                    results,
                ),
            )
            for i in range(USERS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.warmup + args.seconds + 30)
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # only the gunicorn this script started
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
    base = results.times.get(BASELINE) or [float("nan")]
    base_p95 = _percentile(base, 0.95)
    lines = [
        f"| {kind} | {len(ms)} | {len(ms) / args.seconds:.1f} | {statistics.median(ms):.1f} | "
        f"{_percentile(ms, 0.95):.1f} | "
        f"{_percentile(ms, 0.99):.1f} | {_percentile(ms, 0.95) / base_p95:.1f} | "
        f"{results.errors[kind]} |"
        for kind, ms in sorted(results.times.items())
        if ms
    ]
    table = "\n".join(
        [
            "| call | requests | per second | p50 ms | p95 ms | p99 ms | p95 × baseline | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
            *lines,
        ]
    )
    print(table)
    if args.record:
        machine = _machine()
        section = (
            f"\n## Offers API under load ({datetime.now(UTC):%Y-%m-%d})\n\n"
            f"`benchmarks/offers_load.py --seconds {args.seconds:g} --warmup {args.warmup:g} "
            f"--think {args.think[0]:g} {args.think[1]:g}`: {USERS} provider systems "
            f"on loopback, gunicorn with {args.workers} workers × 4 threads on PostgreSQL, "
            f"DEBUG off; machine: {machine}. "
            "Target: p95 under 200 ms and no errors.\n\n" + table + "\n"
        )
        with (ROOT / "docs" / "benchmarks.md").open("a", encoding="utf-8") as handle:
            handle.write(section)


if __name__ == "__main__":
    main()
