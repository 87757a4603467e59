"""Sign a body and POST it to an approved address: one attempt, its outcome measured.

Functions without the database: `services` decides what to send and records
what came back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import ssl
import time
from dataclasses import dataclass

import urllib3
from django.utils.translation import gettext as _

from webhooks.addresses import AddressRefused, target_check

TIMEOUT_SECONDS = 10.0
# The first 2 KB of a response are kept in the delivery log; the rest is not read.
RESPONSE_LIMIT = 2048
USER_AGENT = "Flowdesk-Webhooks/1"


def secret_new() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def body_encode(message: dict) -> bytes:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `Flowdesk-Signature` header: `t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">`."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@dataclass
class Outcome:
    status_code: int | None = None
    duration_ms: int | None = None
    error: str = ""
    response_body: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(*, url: str, secret: str, event: str, delivery_id: str, body: bytes) -> Outcome:
    """POST `body` to `url` once, signed. Never raises: the outcome says what happened."""
    try:
        target = target_check(url)
    except AddressRefused as refusal:
        return Outcome(error=str(refusal))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Host": target.host_header,
        "Flowdesk-Event": event,
        "Flowdesk-Delivery": delivery_id,
        "Flowdesk-Signature": signature(secret, int(time.time()), body),
    }
    started = time.monotonic()
    outcome = Outcome()
    for address in target.addresses:
        try:
            outcome.status_code, outcome.response_body = _send(target, address, headers, body)
        except urllib3.exceptions.NewConnectionError as error:
            outcome.error = _describe(error)
            continue  # the host's next address, if it has one
        except urllib3.exceptions.HTTPError as error:
            outcome.error = _describe(error)
        else:
            outcome.error = ""
        break
    outcome.duration_ms = round((time.monotonic() - started) * 1000)
    if outcome.status_code is not None and not outcome.succeeded:
        outcome.error = f"HTTP {outcome.status_code}"
    return outcome


def _send(target, address, headers, body) -> tuple[int, str]:
    timeout = urllib3.Timeout(total=TIMEOUT_SECONDS)
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            target.port,
            timeout=timeout,
            retries=False,
            ssl_context=ssl.create_default_context(),
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers=headers,
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            head = response.read(RESPONSE_LIMIT, decode_content=False)
        finally:
            response.release_conn()
        return response.status, head[:RESPONSE_LIMIT].decode("utf-8", errors="replace")
    finally:
        pool.close()


def _describe(error: Exception) -> str:
    if isinstance(error, urllib3.exceptions.NewConnectionError):
        # Also a ConnectTimeoutError in urllib3's tree, but it means "refused" or "unreachable".
        reason = (
            str(error).split(": ", 1)[-1].removeprefix("Failed to establish a new connection: ")
        )
        return _("Could not connect: %(reason)s") % {"reason": reason[:1000]}
    if isinstance(error, urllib3.exceptions.TimeoutError):
        return _("No answer within %(seconds)s seconds.") % {"seconds": f"{TIMEOUT_SECONDS:g}"}
    return (str(error) or error.__class__.__name__)[:1000]
