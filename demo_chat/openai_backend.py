"""The chat demo's ``--llm openai`` backend: a reply streamed from an OpenAI-compatible server.

It POSTs ``{base_url}/chat/completions`` with ``"stream": true`` (the OpenAI chat
completions protocol, also spoken by vLLM, llama.cpp, Ollama, LM Studio and others),
decodes the server-sent events of the answer and yields each ``choices[0].delta.content``
as it arrives. It exists so that cancellation reaches the model server: the HTTP
response is owned by a context manager, so when the consuming task is cancelled (the
chat view cancels its stream run) the response is closed and its TCP connection to the
upstream is closed with it, at once; the model server sees the client go away and can
stop generating.

Use :func:`open_chat_stream`, whose ``async with`` block bounds the HTTP stream::

    async with open_chat_stream(
        [{"role": "user", "content": "Hello"}],
        base_url="http://127.0.0.1:11434/v1",
        model="llama3.2",
        api_key=os.environ.get("OPENAI_API_KEY"),
    ) as tokens:
        async for token in tokens:
            print(token, end="")

Failures are :class:`UpstreamError` and its subclasses, each with a message that says
what the server answered and what to check (for the developer: the log), and a
``failure``, its reason in the closed set of :mod:`demo_chat.failures` (for the person at
the page). The API key is sent in the ``Authorization`` header only: it is never logged
and is redacted from error messages.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, aclosing, asynccontextmanager, suppress
from typing import Any

import httpx
import trio

from actorview.logging import get_logger
from actorview.render import TextNormalizer, normalize_text
from demo_chat.failures import (
    ContextTooLong,
    Cut,
    Empty,
    Failure,
    KeyRefused,
    Malformed,
    RateLimited,
    Rejected,
    ServerFailed,
    ServerStopped,
    TimedOut,
    TooLong,
    Unreachable,
)

__all__ = [
    "UpstreamConnectionError",
    "UpstreamError",
    "UpstreamIncompleteReply",
    "UpstreamMalformedReply",
    "UpstreamStatusError",
    "UpstreamStreamError",
    "open_chat_stream",
    "stream_chat",
]

#: At most this much of an error body is read, and this many characters kept in a message.
_MAX_ERROR_BYTES = 64 * 1024
_MAX_DETAIL_CHARS = 500
#: How long to wait, after ``data: [DONE]``, for the body to end (so the connection can
#: go back to the pool) before closing the connection instead.
_AFTER_DONE_GRACE = 1.0
#: How much of an unexpected event's data a debug log shows.
_MAX_LOGGED_DATA = 200
#: The longest line of the event stream read (characters); a longer one fails the reply
#: as soon as it passes this, without reading it whole.
MAX_LINE_CHARS = 1 << 20
#: The default cap on one reply's characters (``max_chars``).
MAX_REPLY_CHARS = 200_000

_STATUS_HINTS = {
    400: "the server rejected the request; check --model and the messages",
    401: "check the API key (the demo reads it from OPENAI_API_KEY)",
    403: "the API key may not use this model; check the key and --model",
    404: "check --openai-base-url (most servers want it to end in /v1) and --model",
    408: "the server timed out; try again",
    429: "the server is rate limiting or out of quota; wait and try again",
}


class UpstreamError(Exception):
    """The model server could not give a reply. Catch this to catch every failure here.

    Its message is for the developer (the URL, the server's answer, what to check);
    ``failure`` is the reason in words for the person at the page
    (:mod:`demo_chat.failures`)."""

    failure: Failure


class UpstreamStatusError(UpstreamError):
    """The model server answered with a status other than 2xx.

    ``status`` is the HTTP status code and ``detail`` the server's error text (its
    ``error.message`` when the body is OpenAI-style JSON, else the start of the body).
    ``retry_after``: the seconds the answer's ``Retry-After`` asked for, if any; ``code``:
    the OpenAI-style ``error.code`` of the body, if any. ``failure``: :class:`KeyRefused`
    for 401 and 403, :class:`RateLimited` for 429, :class:`ServerFailed` for a 5xx,
    :class:`ContextTooLong` for a 400 coded ``context_length_exceeded``,
    :class:`Rejected` for any other status.
    """

    def __init__(
        self,
        *,
        url: str,
        status: int,
        reason: str,
        detail: str,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        hint = _STATUS_HINTS.get(status)
        if hint is None and status >= 500:
            hint = "the model server failed; try again or look at its logs"
        reason = reason or httpx.codes.get_reason_phrase(status)
        answer = f"{status} {reason}" if reason else str(status)
        message = f"the model server at {url} answered {answer}: {detail}"
        super().__init__(f"{message.rstrip('.')}; {hint}" if hint else message)
        self.url = url
        self.status = status
        self.detail = detail
        self.retry_after = retry_after
        self.code = code
        self.failure = _status_failure(status, retry_after, code)


def _status_failure(status: int, retry_after: float | None, code: str | None) -> Failure:
    if code == "context_length_exceeded":
        return ContextTooLong()
    if status in (401, 403):
        return KeyRefused()
    if status == 429:
        return RateLimited(retry_after)
    if status >= 500:
        return ServerFailed(status)
    return Rejected(status)


class UpstreamStreamError(UpstreamError):
    """The model server reported an error in the middle of a streamed reply.

    Some servers start a 200 stream and then send ``data: {"error": {...}}`` (for
    example when the model is overloaded). ``detail`` is the server's error text.
    """

    def __init__(self, *, url: str, detail: str) -> None:
        super().__init__(f"the model server at {url} stopped the reply with an error: {detail}")
        self.url = url
        self.detail = detail
        self.failure = ServerStopped()


class UpstreamIncompleteReply(UpstreamError):
    """The reply did not end as a whole reply does: the stream closed before ``[DONE]``
    and before any finish reason (it may be cut off), it finished with no text at all, or
    it passed ``max_chars`` or a line passed :data:`MAX_LINE_CHARS` (it was cut there).
    What was yielded before is all the reply there is. ``failure`` says which
    (:class:`Cut`, :class:`Empty`, :class:`TooLong` or :class:`Malformed`)."""

    def __init__(self, *, url: str, what: str, failure: Failure) -> None:
        super().__init__(f"the model server at {url} {what}")
        self.url = url
        self.failure = failure


class UpstreamMalformedReply(UpstreamError):
    """An event of the stream could not be read: its data is not JSON. The reply stops
    there (a token may be lost in it, so what follows would not be the model's text);
    what was yielded before is kept. ``failure`` is :class:`Malformed`."""

    def __init__(self, *, url: str, data: str) -> None:
        super().__init__(
            f"the model server at {url} sent an event whose data is not JSON "
            f"({data[:_MAX_LOGGED_DATA]!r}); check that it speaks the OpenAI streaming format"
        )
        self.url = url
        self.failure = Malformed()


class UpstreamConnectionError(UpstreamError):
    """The model server could not be reached, went silent, or dropped the connection.

    The original ``httpx`` error is the ``__cause__``. ``failure``: :class:`Unreachable`
    when no connection could be made (refused, or the connect timed out),
    :class:`TimedOut` when the server went silent for ``timeout`` seconds, :class:`Cut`
    when it dropped the connection.
    """

    def __init__(self, *, url: str, error: httpx.RequestError, timeout: float) -> None:
        self.failure: Failure
        if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.UnsupportedProtocol):
            what = f"could not be reached ({type(error).__name__}: {error})"
            hint = "check that it is running and that --openai-base-url points at it"
            self.failure = Unreachable()
        elif isinstance(error, httpx.TimeoutException):
            what = f"sent nothing for {timeout:g} s ({type(error).__name__})"
            hint = "the server may be overloaded; try again or pass a longer --openai-timeout"
            self.failure = TimedOut(timeout)
        else:
            what = f"failed mid-reply ({type(error).__name__}: {error})"
            hint = "the server closed the connection; try again"
            self.failure = Cut()
        super().__init__(f"the model server at {url} {what}; {hint}")
        self.url = url


@asynccontextmanager
async def open_chat_stream(
    messages: Sequence[Mapping[str, str]],
    *,
    base_url: str,
    model: str,
    api_key: str | None,
    client: httpx.AsyncClient | None = None,
    timeout: float = 60.0,  # noqa: ASYNC109 (httpx's per-read idle limit, not a deadline)
    max_chars: int = MAX_REPLY_CHARS,
) -> AsyncIterator[AsyncIterator[str]]:
    """Open a streamed chat completion; the ``async with`` body iterates its tokens.

    Takes the same arguments as :func:`stream_chat`. The HTTP request is sent when the
    iteration starts, and the response (and with it the TCP connection to the model
    server, unless the reply was read to its end) is closed when the block exits, however
    it exits: normally, by ``break``, by an exception, or by cancellation.

    On cancellation (for instance the chat view cancelling its stream run while the body
    is waiting for a token or doing something else with one) the connection is closed
    before ``Cancelled`` leaves the block, so the model server sees the client go away
    at once. On error, see :func:`stream_chat`.

    Example::

        async with open_chat_stream(history, base_url=url, model="gpt-4o-mini",
                                    api_key=key) as tokens:
            async for token in tokens:
                await emit(Chunk(token))
    """
    tokens = stream_chat(
        messages,
        base_url=base_url,
        model=model,
        api_key=api_key,
        client=client,
        timeout=timeout,
        max_chars=max_chars,
    )
    async with aclosing(tokens):
        yield tokens


async def stream_chat(
    messages: Sequence[Mapping[str, str]],
    *,
    base_url: str,
    model: str,
    api_key: str | None,
    client: httpx.AsyncClient | None = None,
    timeout: float = 60.0,  # noqa: ASYNC109 (httpx's per-read idle limit, not a deadline)
    max_chars: int = MAX_REPLY_CHARS,
) -> AsyncGenerator[str, None]:
    """Yield the tokens of a streamed chat completion, in order, as they arrive.

    POSTs ``{"model": model, "messages": messages, "stream": true}`` to
    ``{base_url}/chat/completions`` (``base_url`` is the API root, e.g.
    ``https://api.openai.com/v1``), with ``Authorization: Bearer {api_key}`` when a key
    is given (local servers often need none). ``client`` is used when given (its
    connection pool is then shared; it is not closed here), else a client is opened for
    this one request. ``timeout`` bounds connecting and each wait for more data, in
    seconds; it is not a deadline for the whole reply (put the loop in
    ``trio.move_on_after`` for that).

    The body is read as server-sent events: each event's ``data`` is a JSON chunk whose
    ``choices[0].delta.content`` is yielded when it is a non-empty string; chunks
    without content (the role, the finish reason, usage) are passed over; ``data:
    [DONE]`` ends the reply (the end of the body is awaited for at most a second, so the
    connection can go back to the pool; after that it is closed). An event whose data is
    not JSON ends the reply with :class:`UpstreamMalformedReply` (a token may be lost in
    it); JSON of a shape not known here (a ping, a non-string content) is skipped with a
    debug log, so servers may add kinds of events. A server that
    ignored ``stream`` and answered with one JSON completion has its whole
    ``message.content`` yielded as one token.

    Tokens are model text entering the application, so they are normalised on the way
    in, as one text (:class:`actorview.render.TextNormalizer`): a lone surrogate (a
    valid JSON escape) or a NUL becomes U+FFFD, CR LF and CR become LF, a CR LF or a
    surrogate pair split between two events comes out whole. No view, store or page
    downstream ever sees text it cannot encode.

    Cancellation: this is an async generator, so closing it is what closes the HTTP
    response. Prefer :func:`open_chat_stream`, which closes it structurally; if you
    iterate this directly, wrap it in :func:`contextlib.aclosing`. A ``Cancelled``
    delivered while the generator waits for data closes the response and its connection
    before it propagates; so does ``aclose()`` while the generator is suspended at a
    ``yield``. An unfinished response's connection is closed, not returned to a pool.

    Bounds: the body is split into lines as it arrives, and a line past
    :data:`MAX_LINE_CHARS` fails the reply as soon as it is that long (never read whole);
    a reply is cut at ``max_chars`` characters (what fits is yielded, then the error).

    Errors: :class:`UpstreamStatusError` for a non-2xx answer (with the status and the
    server's error text); :class:`UpstreamStreamError` when the stream carries an
    ``error`` object; :class:`UpstreamIncompleteReply` when the body ends with neither
    ``[DONE]`` nor a finish reason (the reply may be cut off: a keep-alive-only stream
    ends so too), when the reply has no text at all, or past a bound above;
    :class:`UpstreamMalformedReply` for an event whose data is not JSON;
    :class:`UpstreamConnectionError` when the server cannot be reached,
    sends nothing for ``timeout`` seconds, or drops the connection mid-reply;
    ``ValueError`` when ``base_url`` is not an ``http(s)://`` URL. The API key never
    appears in a log or in an error message.
    """
    url = _completions_url(base_url)
    log = get_logger(llm="openai", model=model, url=url)
    sent = [dict(message) for message in messages]
    body = {"model": model, "messages": sent, "stream": True}
    headers = {"Accept": "text/event-stream"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"

    yielded = 0
    outcome = "stopped early (closed or cancelled)"
    log.debug("openai.request", messages=len(sent), with_key=bool(api_key))
    try:
        async with AsyncExitStack() as stack:
            http = (
                client
                if client is not None
                else await stack.enter_async_context(httpx.AsyncClient())
            )
            response = await stack.enter_async_context(
                http.stream("POST", url, json=body, headers=headers, timeout=timeout)
            )
            if not response.is_success:
                detail, code = await _error_detail(response)
                outcome = f"status {response.status_code}"
                raise UpstreamStatusError(
                    url=url,
                    status=response.status_code,
                    reason=response.reason_phrase,
                    detail=_redact(detail, api_key),
                    retry_after=retry_after_seconds(response.headers),
                    code=code,
                )
            if response.headers.get("content-type", "").startswith("application/json"):
                # The server ignored "stream": the whole reply is in one completion.
                whole = normalize_text(_message_content(await response.aread()) or "")
                if whole:
                    yielded += 1
                    yield whole
                outcome = "done (not streamed)"
                return
            events = _SSEDecoder(url)
            reply = _Reply(url, max_chars)
            text = TextNormalizer()
            chunks = response.aiter_text()
            grace = 0.0
            try:
                async for piece in chunks:
                    for data in events.feed(piece):
                        if data == "[DONE]":
                            outcome, grace = "done", _AFTER_DONE_GRACE
                            break
                        token = reply.take(_token_of(data, url, api_key, log, reply))
                        if token and (token := text.feed(token)):
                            yielded += 1
                            yield token
                    else:
                        continue
                    break
            finally:
                await _finish(chunks, grace)
            if outcome != "done":
                for data in events.flush():
                    if data == "[DONE]":
                        outcome = "done"
                    elif token := text.feed(
                        reply.take(_token_of(data, url, api_key, log, reply)) or ""
                    ):
                        yielded += 1
                        yield token
            if held := text.flush():
                yielded += 1
                yield held
            if outcome != "done" and not reply.finished:
                outcome = "ended without [DONE]"
                raise UpstreamIncompleteReply(
                    url=url,
                    what="ended the reply before it finished (no [DONE], no finish reason): "
                    "it may be cut off",
                    failure=Cut(),
                )
            outcome = "done"
            reply.fail_if_cut()
            if not reply.chars:
                raise UpstreamIncompleteReply(
                    url=url, what="finished without any reply text", failure=Empty()
                )
    except httpx.RequestError as error:
        outcome = f"connection error ({type(error).__name__})"
        raise UpstreamConnectionError(url=url, error=error, timeout=timeout) from error
    except UpstreamError as error:
        outcome = type(error).__name__
        raise
    finally:
        log.debug("openai.response_closed", tokens=yielded, outcome=outcome)


class _SSEDecoder:
    """Server-sent events, as the body's text arrives, as far as chat completions use them.

    The text is split into lines (ending in CR LF, LF or CR, per the WHATWG spec, also
    across pieces); a line still open past :data:`MAX_LINE_CHARS` raises
    :class:`UpstreamIncompleteReply` before more is read. ``data`` fields are gathered
    into one event per blank line (several ``data`` lines join with ``\\n``); comments
    (``: ...``), ``event``, ``id``, ``retry`` and lines that are not fields are ignored.
    """

    def __init__(self, url: str, max_line: int = MAX_LINE_CHARS) -> None:
        self._url = url
        self._max_line = max_line
        self._open: list[str] = []
        """The pieces of the line not ended yet (joined once it ends, not per piece)."""
        self._open_chars = 0
        self._after_cr = False
        self._data: list[str] = []

    def feed(self, text: str) -> list[str]:
        """Take the next piece of the body; the data of each event it completes."""
        if self._after_cr and text.startswith("\n"):
            text = text[1:]  # the LF of a CR LF split across pieces
        self._after_cr = text.endswith("\r")
        lines: list[str] = []
        if _LINE_END.search(text):
            *lines, rest = _LINE_END.split("".join(self._open) + text)
            self._open, self._open_chars = [rest], len(rest)
        else:
            self._open.append(text)
            self._open_chars += len(text)
        if self._open_chars > self._max_line:
            raise UpstreamIncompleteReply(
                url=self._url,
                what=f"sent a line longer than {self._max_line} characters",
                failure=Malformed(),
            )
        return [data for line in lines if (data := self._line(line)) is not None]

    def flush(self) -> list[str]:
        """The data of the event in progress, if any (the body ended without a blank line)."""
        line = "".join(self._open)
        self._open, self._open_chars = [], 0
        events = [data for data in (self._line(line), self._line("")) if data is not None]
        return events

    def _line(self, line: str) -> str | None:
        if not line:
            if not self._data:
                return None
            data = "\n".join(self._data)
            self._data.clear()
            return data
        if line.startswith(":"):
            return None
        field, _, value = line.partition(":")
        if field == "data":
            self._data.append(value.removeprefix(" "))
        return None


_LINE_END = re.compile(r"\r\n|\r|\n")


class _Reply:
    """What a reply has produced so far: its characters (cut at ``max_chars``) and whether
    a choice gave its finish reason."""

    def __init__(self, url: str, max_chars: int) -> None:
        self.url = url
        self.max_chars = max_chars
        self.chars = 0
        self.finished = False
        self.cut = False
        """A token did not fit whole: the reply was cut at ``max_chars``."""

    def take(self, token: str | None) -> str | None:
        """``token``, or the part of it that fits in ``max_chars``; raises
        :class:`UpstreamIncompleteReply` for any text after a cut."""
        if not token:
            return None
        if self.cut:
            self.fail_if_cut()
        room = self.max_chars - self.chars
        self.cut = len(token) > room
        token = token[:room]
        self.chars += len(token)
        return token or None

    def fail_if_cut(self) -> None:
        if self.cut:
            raise UpstreamIncompleteReply(
                url=self.url,
                what=f"sent more than {self.max_chars} characters: cut there",
                failure=TooLong(self.max_chars),
            )


def _token_of(data: str, url: str, api_key: str | None, log: Any, reply: _Reply) -> str | None:
    """The content token in one event's data; ``None`` for chunks that carry none. A
    choice's finish reason marks ``reply`` finished."""
    try:
        chunk = json.loads(data)
    except ValueError:
        raise UpstreamMalformedReply(url=url, data=_redact(data, api_key)) from None
    match chunk:
        case {"choices": [{"finish_reason": str()}, *_]}:
            reply.finished = True
    match chunk:
        case {"choices": [{"delta": {"content": str(token)}}, *_]}:
            return token
        case {"choices": [{"delta": dict(delta)}, *_]} if delta.get("content") is None:
            return None  # the role or the finish reason: nothing to show
        case {"choices": []}:
            return None  # usage, sent after the last choice
        case {"error": error}:
            raise UpstreamStreamError(url=url, detail=_redact(_detail_of(error, data), api_key))
        case _:
            log.debug(
                "openai.malformed_event", reason="unexpected shape", data=data[:_MAX_LOGGED_DATA]
            )
            return None


async def _finish(chunks: AsyncIterator[object], grace: float) -> None:
    """Run httpx's iterator ``chunks`` to its end instead of abandoning it mid-body.

    httpx reads a body through a chain of async generators; a chain left suspended is
    closed later, when garbage collected, by trio's finalizer hook, in a task of its own
    and with a ``ResourceWarning`` per generator. Reading on until a deadline ``grace``
    seconds away (``0``: cancelled from the start) ends the chain here instead: what is
    already buffered is read and dropped, and the first read from the network after the
    deadline raises ``Cancelled``, which unwinds every generator of the chain, httpcore
    closing the connection on its way out. The body ending in time lets the connection
    go back to the pool. Transport errors are dropped: the reply is over either way.
    """
    with trio.move_on_after(grace) as scope:
        if grace <= 0:
            scope.cancel()
        with suppress(httpx.RequestError):
            async for _ in chunks:
                pass


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """The seconds a response's ``Retry-After`` asks a client to wait, or ``None``.

    ``retry-after-ms`` (milliseconds, sent by OpenAI) wins when present; ``Retry-After``
    is either seconds or an HTTP date (RFC 9110). A value that is neither, or negative, is
    ``None``: the page then says "try again later".
    """
    if (millis := _number(headers.get("retry-after-ms"))) is not None:
        return millis / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    if (seconds := _number(value)) is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _number(value: str | None) -> float | None:
    try:
        number = float(value) if value is not None else math.nan
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _message_content(raw: bytes) -> str | None:
    """``choices[0].message.content`` of a whole (non-streamed) completion, if present."""
    try:
        completion = json.loads(raw)
    except ValueError:
        return None
    match completion:
        case {"choices": [{"message": {"content": str(content)}}, *_]}:
            return content
        case _:
            return None


async def _error_detail(response: httpx.Response) -> tuple[str, str | None]:
    """The server's error text (the first ``_MAX_ERROR_BYTES`` of the body, made
    readable) and its OpenAI-style ``error.code``, if any."""
    raw = bytearray()
    pieces = response.aiter_bytes()
    async for piece in pieces:
        raw += piece
        if len(raw) >= _MAX_ERROR_BYTES:
            break
    await _finish(pieces, grace=0.0)
    text = raw[:_MAX_ERROR_BYTES].decode("utf-8", errors="replace")
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    match parsed:
        case {"error": {"code": str(code)}}:
            return _detail_of(parsed, text), code
        case _:
            return _detail_of(parsed, text), None


def _detail_of(error: object, fallback: str) -> str:
    """The message in an error object, in the shapes OpenAI-compatible servers use."""
    match error:
        case {"error": inner}:
            return _detail_of(inner, fallback)
        case {"message": str(message)} | {"detail": str(message)} | str(message):
            detail = message
        case _:
            detail = fallback
    detail = " ".join(detail.split())
    if len(detail) > _MAX_DETAIL_CHARS:
        detail = detail[:_MAX_DETAIL_CHARS] + "…"
    return detail or "(no error text)"


def _redact(text: str, api_key: str | None) -> str:
    """``text`` with every occurrence of the API key replaced (servers may echo it)."""
    return text.replace(api_key, "[redacted]") if api_key else text


def _completions_url(base_url: str) -> str:
    """``{base_url}/chat/completions``; ``ValueError`` unless ``base_url`` is http(s)."""
    if not base_url.startswith(("http://", "https://")):
        raise ValueError(
            f"base_url must be an http:// or https:// URL such as https://api.openai.com/v1,"
            f" not {base_url!r}"
        )
    return base_url.rstrip("/") + "/chat/completions"
