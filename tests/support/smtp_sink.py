"""A real SMTP server for tests: asyncio, the few commands Django's SMTP backend uses.

It runs on its own event loop in a thread, on a port of its own; `stop()` closes
the listening socket (the mail server is down: connections are refused) and
`start()` opens it again on the same port. Every message accepted (answered 250
after DATA) is kept in `messages` as an `email.message.Message`.
"""

import asyncio
import contextlib
import email
import threading
import time

from tests.support.servers import free_port


class SMTPSink:
    def __init__(self, *, greeting_delay: float = 0.0):
        self.port = free_port()
        self.greeting_delay = greeting_delay
        self.messages: list[email.message.Message] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._server = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    # -- control, from the test's thread ------------------------------------------------

    def start(self) -> None:
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(timeout=10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=10)

    def shutdown(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def received(self) -> list[email.message.Message]:
        with self._lock:
            return list(self.messages)

    def wait_for(self, count: int, *, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"the sink got {len(self.received())} of {count} messages")
            time.sleep(0.05)

    # -- the server, on its loop --------------------------------------------------------

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._session, "127.0.0.1", self.port)

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _session(self, reader, writer) -> None:
        async def reply(line: str) -> None:
            writer.write(line.encode() + b"\r\n")
            await writer.drain()

        try:
            if self.greeting_delay:
                await asyncio.sleep(self.greeting_delay)
            await reply("220 sink.localhost ESMTP test sink")
            while True:
                line = await reader.readline()
                if not line:
                    return
                verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
                if verb == "EHLO":
                    await reply("250-sink.localhost")
                    await reply("250 8BITMIME")
                elif verb in {"HELO", "MAIL", "RCPT", "RSET", "NOOP"}:
                    await reply("250 OK")
                elif verb == "DATA":
                    await reply("354 End data with <CR><LF>.<CR><LF>")
                    lines = []
                    while (data := await reader.readline()) not in {b".\r\n", b".\n", b""}:
                        lines.append(data[1:] if data.startswith(b"..") else data)
                    with self._lock:
                        self.messages.append(email.message_from_bytes(b"".join(lines)))
                    await reply("250 OK queued")
                elif verb == "QUIT":
                    await reply("221 Bye")
                    return
                else:
                    await reply("502 Command not implemented")
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()
