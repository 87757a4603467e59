"""1,000 signed-in WebSocket clients on one Daphne (`make bench-sockets`).

Not a test. Against its own PostgreSQL database (DATABASE_URL, created and
migrated if missing) and REDIS_URL, it starts one Daphne (a subprocess, DEBUG
off), signs BENCH_SOCKETS users in (sessions written directly: this measures
sockets, not the login form) and opens one live socket (`/ws/live/`) per user
from this process with a minimal asyncio WebSocket client. It then prints:

- memory per socket: Daphne's resident memory after the sockets opened, less
  before, divided by their number (and file descriptors, to show they are held);
- the time to deliver one panel update to all of them: a push to every user
  (notifications.push.push_to_users, as the services send it) from this process,
  through Redis, to each socket; p50 / p95 / max of the moment each client has it,
  over BENCH_SOCKET_ROUNDS pushes;
- that a dropped client frees everything: every connection is cut without a close
  frame, then Daphne's file descriptors and the channel layer's groups in Redis
  must come back to what they were before.

Results also go to bench/results/sockets.txt.
"""

from __future__ import annotations

import asyncio
import base64
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpm_project.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/flowdesk_bench")
SOCKETS = int(os.environ.get("BENCH_SOCKETS", "1000"))
ROUNDS = int(os.environ.get("BENCH_SOCKET_ROUNDS", "5"))
MARK = "bench-sockets-update-"


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def sessions(n: int) -> list[tuple[int, str]]:
    """n users, each with a signed-in session: (user id, session key)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User

    names = [f"bench-socket-{i:05d}" for i in range(n)]
    have = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create(
        [User(username=name, password="!") for name in names if name not in have]
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore
    out = []
    for user in User.objects.filter(username__in=names).order_by("pk"):
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        out.append((user.pk, session.session_key))
    return out


class Client:
    """One WebSocket client: the handshake, then text frames read until told to stop."""

    def __init__(self, port: int, cookie: str):
        self.port, self.cookie = port, cookie
        self.received: dict[str, float] = {}
        self.watch: set[str] = set()  # other strings whose first arrival is recorded
        self.reader = self.writer = None

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        key = base64.b64encode(os.urandom(16)).decode()
        self.writer.write(
            (
                "GET /ws/live/ HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{self.port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: http://127.0.0.1:{self.port}\r\n"
                f"Cookie: {self.cookie}\r\n\r\n"
            ).encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"no upgrade: {head[:80]!r}")

    async def read_frames(self) -> None:
        try:
            while True:
                first, second = await self.reader.readexactly(2)
                length = second & 0x7F
                if length == 126:
                    length = int.from_bytes(await self.reader.readexactly(2), "big")
                elif length == 127:
                    length = int.from_bytes(await self.reader.readexactly(8), "big")
                payload = await self.reader.readexactly(length)
                opcode = first & 0x0F
                if opcode == 0x8:  # the server closed: code in the payload
                    self.received["closed"] = time.perf_counter()
                    return
                if opcode == 0x1:
                    text = payload.decode(errors="replace")
                    now = time.perf_counter()
                    for seen in [w for w in self.watch if w in text]:
                        self.received.setdefault(seen, now)
                    start = text.find(MARK)
                    if start >= 0:
                        self.received[text[start : start + len(MARK) + 3]] = time.perf_counter()
        except (asyncio.IncompleteReadError, ConnectionError):
            return

    def drop(self) -> None:
        """Cut the connection without a close frame, as a lost network does."""
        self.writer.transport.abort()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def connections_to(port: int) -> int:
    """Established TCP connections on Daphne's port, from /proc/net."""
    held = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            if int(local.rsplit(":", 1)[1], 16) == port and state == "01":  # ESTABLISHED
                held += 1
    return held


def groups_in_redis(prefix: str) -> int:
    import redis

    r = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"))
    return sum(r.zcard(key) for key in r.scan_iter(match=f"{prefix}*group*", count=1000))


def percentile(ordered: list[float], pct: int) -> float:
    return ordered[max(0, -(-pct * len(ordered) // 100) - 1)]


async def run(port: int, pid: int, users, prefix: str) -> list[str]:
    from django.conf import settings

    from notifications.push import push_to_users

    cookie_name = settings.SESSION_COOKIE_NAME
    clients = [Client(port, f"{cookie_name}={key}") for _, key in users]
    rss_before, fds_before = rss_kib(pid), fds(pid)
    groups_before = groups_in_redis(prefix)
    started = time.perf_counter()
    gate = asyncio.Semaphore(50)

    async def connect(client):
        async with gate:
            await client.connect()

    await asyncio.gather(*(connect(c) for c in clients))
    readers = [asyncio.create_task(c.read_frames()) for c in clients]
    opened = time.perf_counter() - started
    await asyncio.sleep(1)  # let the last group_add calls land before counting
    rss_open, fds_open = rss_kib(pid), fds(pid)
    held_open = connections_to(port)
    groups_open = groups_in_redis(prefix)
    lines = [
        f"{len(clients)} signed-in sockets on one Daphne opened in {opened:.1f}s; "
        f"load average {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})",
        f"memory: Daphne RSS {rss_before / 1024:.1f} MiB -> {rss_open / 1024:.1f} MiB, "
        f"{(rss_open - rss_before) / len(clients):.1f} KiB per socket; "
        f"fds {fds_before} -> {fds_open}; connections held {held_open}; channel-layer group "
        f"members {groups_before} -> {groups_open}",
    ]
    print("\n".join(lines), flush=True)
    ids = [user_id for user_id, _ in users]
    for n in range(ROUNDS):
        tag = f"{MARK}{n:03d}"
        html = f'<span id="process-tasks-count" hx-swap-oob="true">{tag}</span>'
        sent = time.perf_counter()
        await asyncio.to_thread(push_to_users, ids, html)
        deadline = sent + 60
        while time.perf_counter() < deadline and not all(tag in c.received for c in clients):
            await asyncio.sleep(0.01)
        times = sorted((c.received[tag] - sent) * 1000 for c in clients if tag in c.received)
        missing = len(clients) - len(times)
        if not times:
            lines.append(f"push {n + 1}: no client got it in 60 s")
            print(lines[-1], flush=True)
            continue
        lines.append(
            f"push {n + 1}: to all {len(clients)} in {times[-1]:.0f} ms; per client p50 "
            f"{statistics.median(times):.0f} ms, p95 {percentile(times, 95):.0f} ms"
            + (f"; {missing} never got it" if missing else "")
        )
        print(lines[-1], flush=True)
    for client in clients:
        client.drop()
    await asyncio.gather(*readers)
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        if connections_to(port) == 0 and groups_in_redis(prefix) <= groups_before:
            break
        await asyncio.sleep(0.2)
    freed = time.perf_counter() - deadline + 60
    held_after, groups_after = connections_to(port), groups_in_redis(prefix)
    fds_after, rss_after = fds(pid), rss_kib(pid)
    verdict = "freed" if held_after == 0 and groups_after <= groups_before else "LEAKED"
    # Daphne keeps the Redis and database connections its pools grew to (reused, not
    # per socket): its fd count stays above the start; the sockets and groups must go.
    lines.append(
        f"dropped every client (no close frame): {verdict} after {freed:.1f}s; connections "
        f"held {held_open} -> {held_after}; group members {groups_open} -> {groups_after}; "
        f"fds {fds_open} -> {fds_after} (pools kept; {fds_before} before any socket); "
        f"RSS {rss_after / 1024:.1f} MiB"
    )
    return lines


def main() -> None:
    ensure_database(os.environ["DATABASE_URL"])
    from tests.support import servers

    prefix = f"flowdesk-bench-sockets-{servers.unique_suffix()}"
    os.environ["CHANNELS_PREFIX"] = prefix  # this process pushes on the servers' layer
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    users = sessions(SOCKETS)
    env = servers.server_env(
        database_name=connection.settings_dict["NAME"],
        channels_prefix=prefix,
        celery_queue=prefix,
        settings_module="bpm_project.settings",
    )
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    port = servers.free_port()
    daphne = servers.start_daphne(env, port=port, log_path=logs / "sockets-daphne.log")
    try:
        servers.wait_for_http(f"http://127.0.0.1:{port}/login/", proc=daphne, timeout=60)
        lines = asyncio.run(run(port, daphne.pid, users, prefix))
    finally:
        servers.stop(daphne)
    print("\n".join(lines))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "sockets.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
