"""An open-loop HTTP load generator for loopback targets.

Requests leave at a fixed arrival rate whatever the server does (open loop), at most
`concurrency` at a time. Each latency is measured from the moment the request was due, not from
the moment a connection slot freed up, so an overloaded server shows as growing latency instead
of silently lowering the offered rate (no coordinated omission).

Hard limits keep every run bounded: only loopback addresses, at most MAX_DURATION seconds of
sending plus a drain of at most `drain` seconds, at most MAX_REQUESTS requests per run; requests
still unanswered when the drain ends are cancelled and counted as errors ("unfinished").

The client speaks just enough HTTP/1.1 for this: one request per connection with
`Connection: close` (gunicorn's sync workers close after every response anyway), the whole
response read until the server closes.
"""

import asyncio
import ipaddress
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_DURATION = 60.0
MAX_REQUESTS = 200_000
MAX_RATE = 20_000.0
REQUEST_TIMEOUT = 10.0


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def json(cls, method: str, path: str, payload: dict, **headers: str) -> "Request":
        extra = tuple((name.replace("_", "-"), value) for name, value in headers.items())
        return cls(
            method,
            path,
            json.dumps(payload).encode(),
            (("Content-Type", "application/json"), *extra),
        )


@dataclass(frozen=True)
class Response:
    status: int | str  # an HTTP status, or "timeout" / "connect-error" / "unfinished"
    body: bytes
    latency: float  # seconds from the moment the request was due

    @property
    def ok(self) -> bool:
        return isinstance(self.status, int) and 200 <= self.status < 400


@dataclass
class LoadResult:
    offered_rate: float
    duration: float
    sent: int = 0
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def answered(self) -> int:
        return sum(count for status, count in self.statuses.items() if isinstance(status, int))

    @property
    def ok_count(self) -> int:
        return sum(
            count
            for status, count in self.statuses.items()
            if isinstance(status, int) and 200 <= status < 400
        )

    @property
    def errors(self) -> dict[str, int]:
        return {
            str(status): count
            for status, count in sorted(self.statuses.items(), key=lambda item: str(item[0]))
            if not (isinstance(status, int) and 200 <= status < 400)
        }

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def achieved_rate(self) -> float:
        return self.ok_count / self.elapsed if self.elapsed else 0.0

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        if not self.latencies:
            return math.inf
        ordered = sorted(self.latencies)
        rank = max(1, math.ceil(share * len(ordered)))
        return ordered[rank - 1] * 1000

    def summary(self) -> dict:
        return {
            "offered_rate": round(self.offered_rate, 1),
            "achieved_rate": round(self.achieved_rate, 1),
            "duration_s": round(self.duration, 1),
            "sent": self.sent,
            "ok": self.ok_count,
            "errors": self.errors,
            "p50_ms": round(self.percentile(0.50), 1),
            "p90_ms": round(self.percentile(0.90), 1),
            "p99_ms": round(self.percentile(0.99), 1),
            "max_ms": round(max(self.latencies, default=math.inf) * 1000, 1),
        }


def check_loopback(host: str) -> None:
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"load goes to loopback addresses only, not {host}")


CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


async def fetch(host: str, port: int, request: Request, timeout: float = REQUEST_TIMEOUT):
    """One request on a fresh connection: (status, body), or a string status on failure."""
    check_loopback(host)
    head = [
        f"{request.method} {request.path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Connection: close",
        f"Content-Length: {len(request.body)}",
        *(f"{name}: {value}" for name, value in request.headers),
    ]
    payload = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + request.body
    try:
        async with asyncio.timeout(timeout):
            try:
                reader, writer = await asyncio.open_connection(host, port)
            except OSError:
                return "connect-error", b""
            try:
                writer.write(payload)
                head_bytes = await reader.readuntil(b"\r\n\r\n")
                # A browser is done once it has Content-Length bytes, whenever the server
                # closes the connection: nginx may hold it open while it refreshes a cached copy.
                length = CONTENT_LENGTH.search(head_bytes)
                if length:
                    body = await reader.readexactly(int(length[1]))
                else:
                    body = await reader.read()
            finally:
                writer.close()
    except TimeoutError:
        return "timeout", b""
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return "bad-response", b""
    except OSError:
        return "connect-error", b""
    parts = head_bytes.split(b"\r\n", 1)[0].split(b" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        return "bad-response", b""
    return int(parts[1]), body


async def run(
    host: str,
    port: int,
    *,
    rate: float,
    duration: float,
    make_request: Callable[[int], Request],
    concurrency: int = 16,
    drain: float = 10.0,
    on_response: Callable[[int, Response], None] | None = None,
) -> LoadResult:
    """Send `rate` requests a second for `duration` seconds; request i is `make_request(i)`."""
    check_loopback(host)
    if not 0 < rate <= MAX_RATE or not 0 < duration <= MAX_DURATION:
        raise ValueError(f"rate {rate}/s for {duration} s is outside the harness limits")
    count = min(MAX_REQUESTS, max(1, round(rate * duration)))
    result = LoadResult(offered_rate=rate, duration=duration)
    slots = asyncio.Semaphore(concurrency)
    loop = asyncio.get_running_loop()
    started = loop.time()
    last_answer = started

    async def one(index: int, request: Request, due: float) -> None:
        nonlocal last_answer
        async with slots:
            status, body = await fetch(host, port, request)
        now = loop.time()
        last_answer = max(last_answer, now)
        response = Response(status, body, now - due)
        result.statuses[status] += 1
        result.latencies.append(response.latency)
        if on_response is not None:
            on_response(index, response)

    tasks: dict[asyncio.Task, tuple[int, float]] = {}
    for index in range(count):
        due = started + index / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks[asyncio.create_task(one(index, make_request(index), due))] = (index, due)
    result.sent = len(tasks)
    _done, unfinished = await asyncio.wait(
        tasks, timeout=drain + duration - (loop.time() - started)
    )
    for task in unfinished:
        task.cancel()
    if unfinished:
        await asyncio.wait(unfinished)
        result.statuses["unfinished"] += len(unfinished)
        # The server may still have acted on them: callers that count effects need to know.
        if on_response is not None:
            for task in unfinished:
                index, due = tasks[task]
                on_response(index, Response("unfinished", b"", loop.time() - due))
    result.elapsed = max(last_answer - started, duration)
    return result


@dataclass
class Step:
    rate: float
    result: LoadResult
    passed: bool


@dataclass
class Search:
    """The highest rate of a short step search whose step met the latency limit with no error."""

    limit_ms: float
    steps: list[Step] = field(default_factory=list)

    @property
    def best(self) -> Step | None:
        passing = [step for step in self.steps if step.passed]
        return max(passing, key=lambda step: step.rate) if passing else None

    def summary(self) -> dict:
        best = self.best
        return {
            "limit_p99_ms": self.limit_ms,
            "best_rate": round(best.result.achieved_rate, 1) if best else 0.0,
            "best": best.result.summary() if best else None,
            "steps": [
                {"rate": round(step.rate, 1), "passed": step.passed, **step.result.summary()}
                for step in self.steps
            ],
        }


def meets(result: LoadResult, limit_ms: float) -> bool:
    # The server must also keep up: an achieved rate well below the offered one means requests
    # were still queueing when the step ended.
    return (
        result.error_count == 0
        and result.percentile(0.99) <= limit_ms
        and result.achieved_rate >= 0.95 * result.offered_rate
    )


async def search_rate(
    run_step: Callable[[float], "asyncio.Future[LoadResult]"],
    *,
    start: float,
    limit_ms: float,
    growth: float = 1.5,
    refinements: int = 2,
    max_steps: int = 12,
    pause: float = 1.0,
) -> Search:
    """Grow the rate by `growth` while steps pass, then bisect between the last pass and the
    first failure `refinements` times. Starts lower when the first step fails already.

    A rate fails only when two steps at it fail: on a shared machine, other work can spoil
    one step, and a single bad step would end the growth far below what the server does."""
    search = Search(limit_ms)
    low, high = 0.0, math.inf
    rate = start
    while len(search.steps) < max_steps:
        for _attempt in range(2):
            result = await run_step(rate)
            passed = meets(result, limit_ms)
            search.steps.append(Step(rate, result, passed))
            if passed or len(search.steps) >= max_steps:
                break
            await asyncio.sleep(pause)
        if passed:
            low = rate
        else:
            high = rate
        if high == math.inf:
            rate *= growth
        elif low == 0.0:
            rate /= 2
        elif refinements > 0 and high / low > 1.05:
            refinements -= 1
            rate = (low + high) / 2
        else:
            break
        await asyncio.sleep(pause)
    return search
