"""``make stack-check``: the production stack on this machine, from a fresh clone, end to end.

It does what docs/deployment.md tells a council's infrastructure team to do, and checks each
step: a new PostgreSQL database, migrations, static files, the demo, gunicorn with production
settings, the task worker and the offer time-out loop; then it signs in through the sign-in
page, places a request end to end through the API (a council's system asks, a provider's
system accepts), backs the database up with ``pg_dump``, restores it into another new database
and finds the placement there. Whatever it started (processes and databases) it stops and drops,
whether it passed or not.

Only the standard library: it talks to the site as a browser and the API clients would, over
HTTP with the ``X-Forwarded-Proto: https`` header a TLS-terminating proxy sets.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG = {"host": os.environ.get("PGHOST", "127.0.0.1"), "port": os.environ.get("PGPORT", "5432")}
PG_USER = os.environ.get("PGUSER", "postgres")
PG_TOOLS = ("pg_isready", "createdb", "dropdb", "pg_dump", "pg_restore", "psql")
BROKER = "broker"  # the demo's broker persona
WAIT_SECONDS = 60


class StepFailed(Exception):
    pass


def say(ok: bool, text: str) -> None:
    print(f"{'✓' if ok else '✗'} {text}", flush=True)


def pg_args() -> list[str]:
    return ["-h", PG["host"], "-p", PG["port"], "-U", PG_USER]


def run(command: list[str], env: dict[str, str], what: str, timeout: float = 600) -> str:
    """Run ``command`` to the end; a failure names the step and shows the end of its output."""
    result = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-15:]
        raise StepFailed(f"{what} failed (exit {result.returncode}):\n  " + "\n  ".join(tail))
    return result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Browser:
    """Just enough of a browser: cookies (kept even when marked Secure: the proxy is TLS),
    the CSRF token, and the proxy's header."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        data = response.read()
        if os.environ.get("HOMECARE_STACK_DEBUG"):
            print(f"  {method} {path} -> {response.status} {response.getheader('location')}")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    self.cookies[morsel.key] = morsel.value
        found = {name.lower(): value for name, value in response.getheaders()}
        connection.close()
        return response.status, found, data

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        return self.request(
            "POST",
            path,
            urlencode(fields).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + path,
            },
        )


def api(port: int, token: str, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = None if payload is None else json.dumps(payload).encode()
    connection.request(
        method,
        "/api/v1" + path,
        body=body,
        headers={
            "Host": f"127.0.0.1:{port}",
            "X-Forwarded-Proto": "https",
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
        },
    )
    response = connection.getresponse()
    data = response.read()
    connection.close()
    try:
        return response.status, json.loads(data or b"null")
    except ValueError:
        return response.status, data.decode(errors="replace")


@dataclass
class Stack:
    env: dict[str, str]
    logs: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    databases: list[str] = field(default_factory=list)

    def start(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            command,
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
        )
        self.processes.append(process)
        return process

    def create_database(self, name: str) -> None:
        run(["createdb", *pg_args(), name], self.env, f"createdb {name}")
        self.databases.append(name)

    def stop(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for name in reversed(self.databases):
            subprocess.run(
                ["dropdb", *pg_args(), "--if-exists", "--force", name],
                env=self.env,
                capture_output=True,
                check=False,
            )

    def alive(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                raise StepFailed(
                    f"a process stopped early (exit {process.returncode}); logs in {self.logs}"
                )


def wait_for(browser: Browser, path: str, stack: Stack) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        with contextlib.suppress(OSError):
            status, _, _ = browser.get(path)
            if status == 200:
                return
        for process in stack.processes:
            if process.poll() is not None:
                raise StepFailed(f"gunicorn stopped (exit {process.returncode}); see {stack.logs}")
        if time.monotonic() > deadline:
            raise StepFailed(f"the site did not answer {path} within {WAIT_SECONDS} s")
        time.sleep(0.5)


def sign_in(browser: Browser, username: str, password: str) -> None:
    """Through the sign-in page, and the second factor as a person with a phone would: on the
    first sign-in the set-up page shows the app's secret, the app's code confirms it."""
    status, _, page = browser.get("/accounts/sign-in/")
    if status != 200:
        raise StepFailed(f"the sign-in page answered {status}")
    status, headers, page = browser.post_form(
        "/accounts/sign-in/", {"username": username, "password": password}
    )
    path = "/accounts/sign-in/"
    for _ in range(8):  # follow the redirects as a browser does
        if status == 302:
            target = urlsplit(headers.get("location", ""))
            path = target.path + (f"?{target.query}" if target.query else "")
            if target.path.endswith("/sign-in/"):
                raise StepFailed("signing in sent the broker back to the sign-in page")
            status, headers, page = browser.get(path)
            continue
        secret = re.search(rb'id="secret">([A-Z2-7 ]+)<', page)
        if status == 200 and secret:  # the first sign-in: set up the authenticator app
            code = totp(secret.group(1).decode())
            status, headers, page = browser.post_form(path, {"otp_token": code})
            continue
        if status != 200:
            raise StepFailed(f"signing in answered {status}: {visible_error(page)}")
        break
    status, _, page = browser.get("/")
    if status != 200 or username.encode() not in page:
        raise StepFailed(f"after signing in the home page answered {status} without the user")


def totp(secret: str, at: float | None = None) -> str:
    """The 6-digit code an authenticator app shows for ``secret`` (RFC 6238: SHA-1, 30 s)."""
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def visible_error(page: bytes) -> str:
    found = re.search(rb'govuk-error-summary__list">(.*?)</ul>', page, re.S)
    text = re.sub(rb"<[^>]+>", b" ", found.group(1) if found else page[:300])
    return " ".join(text.decode(errors="replace").split())


def demo_facts(env: dict[str, str]) -> dict[str, Any]:
    out = run([PYTHON, "manage.py", "shell", "-c", DEMO_FACTS], env, "reading the demo")
    return dict(json.loads(out.strip().splitlines()[-1]))


def place_a_request(port: int, env: dict[str, str], facts: dict[str, Any]) -> int:
    """A council's system makes a request; a provider's system accepts the offer it gets."""
    council_slug, area_code = facts["council"], facts["area"]
    start_date = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 14 * 86400))
    council = issue_token(council_slug, env)
    reference = f"P-{secrets.randbelow(900000) + 100000}"
    status, made = api(
        port,
        council,
        "POST",
        "/requests",
        {
            "person_reference": reference,
            "area_code": area_code,
            "funding": "council",
            "cohort": "older_people",
            "source": "community",
            "priority": "normal",
            "start_date": start_date,
            "visits": [{"day": d, "window_start": "08:00", "minutes": 30} for d in range(7)],
        },
    )
    if status != 201:
        raise StepFailed(f"POST /requests answered {status}: {made}")
    status, request = api(port, council, "GET", f"/requests/{made['id']}")
    offered = [offer["provider"] for offer in request.get("offers", [])]
    for name in offered:
        token = issue_token(facts["providers"][name], env)
        status, offers = api(port, token, "GET", "/offers")
        # A provider's system sees where, when and what, never who: it finds the offer by the
        # area and start date it was sent for.
        mine = [
            offer
            for offer in (offers if isinstance(offers, list) else [])
            if offer.get("area_code") == area_code and offer.get("start_date") == start_date
        ]
        if not mine:
            continue
        status, answer = api(port, token, "POST", f"/offers/{mine[0]['id']}/accept", {})
        if status != 200 or not answer.get("placed"):
            raise StepFailed(f"accepting the offer answered {status}: {answer}")
        status, request = api(port, council, "GET", f"/requests/{made['id']}")
        if request.get("state") != "placed":
            raise StepFailed(f"the request is {request.get('state')!r}, not placed")
        return int(made["id"])
    raise StepFailed(f"no provider's system saw the offer (offered to {offered})")


DEMO_FACTS = """
import json
from homecare.accounts.models import Organisation
from homecare.brokerage.models import BrokerageRequest
from homecare.commissioning.demo import DEMO_PASSWORD
# Where the demo's broker last placed someone: an area its framework covers.
placed = BrokerageRequest.objects.filter(state="placed").select_related(
    "framework__council", "package__person__area").order_by("-pk").first()
council = placed.framework.council
from homecare.commissioning.models import Provider
providers = dict(Provider.objects.values_list("name", "organisation__slug"))
print(json.dumps({"council": council.slug, "area": placed.package.person.area.code,
                  "providers": providers, "password": DEMO_PASSWORD}))
"""


def issue_token(slug: str, env: dict[str, str]) -> str:
    out = run([PYTHON, "manage.py", "issue_api_token", slug, "stack check"], env, "a token")
    found = re.search(r"hc_\S+", out)
    if not found:
        raise StepFailed(f"issue_api_token printed no token for {slug}")
    return found.group(0)


def count_placements(database: str, request_id: int, env: dict[str, str]) -> int:
    out = run(
        [
            "psql",
            *pg_args(),
            "-d",
            database,
            "-tAc",
            f"select count(*) from brokerage_placement p join brokerage_brokeragerequest r "
            f"on r.package_id = p.package_id where r.id = {int(request_id)}",
        ],
        env,
        f"counting placements in {database}",
    )
    return int(out.strip() or 0)


@contextlib.contextmanager
def step(text: str) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    except Exception:
        say(False, text)
        raise
    say(True, f"{text} ({time.monotonic() - started:.1f} s)")


def main() -> int:
    missing = [tool for tool in PG_TOOLS if shutil.which(tool) is None]
    if missing:
        print(
            f"The stack check needs PostgreSQL's client programs; missing: {', '.join(missing)}"
            " (Debian: apt-get install postgresql-client)."
        )
        return 2
    if subprocess.run(["pg_isready", "-q", *pg_args()[:4]], check=False).returncode != 0:
        print(f"No PostgreSQL answers at {PG['host']}:{PG['port']}; start it and run again.")
        return 2
    name = f"homecare_stack_{os.getpid()}"
    port = free_port()
    logs = Path(tempfile.mkdtemp(prefix="homecare-stack-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://{PG_USER}@{PG['host']}:{PG['port']}/{name}",
        "HOMECARE_ENVIRONMENT": "production",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
        "HOMECARE_SITE_URL": f"https://127.0.0.1:{port}",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONUNBUFFERED": "1",
    }
    stack = Stack(env=env, logs=logs)
    started = time.monotonic()
    try:
        with step(f"a new PostgreSQL database {name}"):
            stack.create_database(name)
        with step("migrations"):
            run([PYTHON, "manage.py", "migrate", "--no-input"], env, "migrate")
        with step("static files collected"):
            run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], env, "collectstatic")
        with step("the demo loaded"):
            run([PYTHON, "manage.py", "load_demo"], env, "load_demo")
        with step(f"gunicorn, the task worker, offer time-outs and recovery started (port {port})"):
            stack.start(
                "gunicorn",
                [
                    PYTHON,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--access-logfile",
                    "-",
                ],
            )
            stack.start("worker", [PYTHON, "manage.py", "db_worker", "--no-startup-delay"])
            stack.start("timeouts", [PYTHON, "manage.py", "run_offer_timeouts", "--every", "30"])
            stack.start("recovery", [PYTHON, "manage.py", "recover_stale_work", "--every", "60"])
            browser = Browser(port)
            wait_for(browser, "/accounts/sign-in/", stack)
        with step("the site answers over the proxy's HTTPS, with its static files"):
            status, headers, page = browser.get("/accounts/sign-in/")
            if "strict-transport-security" not in headers:
                raise StepFailed("no Strict-Transport-Security header: not production settings")
            css = re.search(rb'href="(/static/[^"]+\.css)"', page)
            if not css or browser.get(css.group(1).decode())[0] != 200:
                raise StepFailed("the page's style sheet is not served")
            status, _, _ = browser.request("GET", "/", headers={"X-Forwarded-Proto": "http"})
            if status != 301:
                raise StepFailed(f"plain HTTP answered {status}, not a redirect to HTTPS")
        with step(f"signed in through the sign-in page as the demo's {BROKER}"):
            facts = demo_facts(env)
            sign_in(browser, BROKER, facts["password"])
        with step("a request placed end to end (council's system asks, provider's accepts)"):
            request_id = place_a_request(port, env, facts)
            stack.alive()
        restored = f"{name}_restored"
        dump = logs / "backup.dump"
        with step("backed up with pg_dump"):
            run(["pg_dump", *pg_args(), "-Fc", "-f", str(dump), name], env, "pg_dump")
        with step(f"restored into a new database {restored}, which holds the placement"):
            stack.create_database(restored)
            run(
                ["pg_restore", *pg_args(), "--no-owner", "-d", restored, str(dump)],
                env,
                "pg_restore",
            )
            if count_placements(restored, request_id, env) != 1:
                raise StepFailed("the restored database does not hold the new placement")
    except StepFailed as failure:
        print(f"\nThe stack check failed: {failure}\nLogs: {logs}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
        say(True, "stopped everything it started and dropped its databases")
    print(f"\nThe stack check passed in {time.monotonic() - started:.0f} s.")
    shutil.rmtree(logs, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
