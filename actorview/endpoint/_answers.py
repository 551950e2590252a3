"""Every HTTP answer of the endpoint, as a value: pages, scripts, static files, errors.

A :class:`PageRequest` says what was asked (method, path, query, headers, client address,
the prefix the application is mounted under, the scheme, and under ASGI the scope);
:meth:`Pages.answer` computes the :class:`Response` once, whatever the transport. The
built-in server writes it with ``http.send_response``, the ASGI adapter with
``http.response.start`` and ``http.response.body``; both add the security headers
(``http.SECURITY_HEADERS``) and the length. A page's request context (its identity
included) is made by ``context.Identities``, signed into its join token, and a new
anonymous identity's cookie set by its response.

Every ``/_av/`` URL a page or an error page emits starts with the request's ``root_path``
(ASGI's mount prefix; empty under the built-in server), so an application mounted under
``/chat`` in a Starlette app links ``/chat/_av/client.js`` and opens ``/chat/_av/live``.

Files (the client's modules, the optimistic runtime, route programs, ``static_files``)
are answered as ``assets`` says: linked by content-hashed URLs and cached as immutable,
revalidated by ETag at their plain URLs, gzipped for a browser that takes it.
``/_av/health`` answers load balancers: 200 and ``{"status": "ok", "sessions": N}``
while the views run, 503 and ``"stopping"`` before they start and once they stop.

A page whose view fails to mount or to render is answered with an HTML error page (500)
in the application's look, with a link to try again; the traceback goes to the log with
the route, and only ``debug`` puts the exception on the page. A path no route serves gets
the same kind of page (404), as does a view that raises ``PageNotFound`` from its mount
or load; one that raises ``PageRedirect`` is answered ``303 See Other`` to its target.
"""

from __future__ import annotations

import html
import json
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import trio

from actorview.endpoint import _live as live
from actorview.endpoint._assets import Asset, asset_answer, content_digest, hashed_url, split_hashed
from actorview.endpoint._context import Identities, PageContext, check_fits
from actorview.endpoint._navigation import MAX_URL_CHARS, BadUrl, split_href
from actorview.endpoint._routes import Route, Router
from actorview.endpoint._tokens import TokenSigner
from actorview.logging import get_logger
from actorview.optimistic import program_id, program_source, runtime_source
from actorview.view import PageAnswer, PageNotFound, PageRedirect, PageUrl

LIVE_PATH = "/_av/live"
CLIENT_PREFIX = "/_av/"
"""The browser client's ES modules are served side by side here (``client_modules()``)."""
CLIENT_PATH = "/_av/client.js"
OPTIMISTIC_RUNTIME_PATH = "/_av/optimistic.js"
PROGRAM_PREFIX = "/_av/program/"
STATIC_PREFIX = "/_av/static/"
HEALTH_PATH = "/_av/health"

HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
JAVASCRIPT = "text/javascript; charset=utf-8"
NO_STORE = (("Cache-Control", "no-store"),)

_log = get_logger(component="endpoint")


@attrs.frozen
class PageRequest:
    """What an HTTP request asks, whichever server read it.

    Attributes:
        method: ``GET``, ``HEAD``, ...
        path: the path within the application (``root_path`` taken off), no query.
        query: the query string, without ``?`` ("" if none).
        headers: header names in lower case.
        client: the client's IP address ("" if unknown).
        root_path: the prefix the application is mounted under ("" at the root).
        scheme: ``http`` or ``https`` (ASGI's ``scope["scheme"]``; the built-in server
            speaks http).
        scope: the ASGI scope (``scope["user"]``, ``scope["session"]``...); None under
            the built-in server. ``Application(identify=...)`` gets this request.
    """

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = attrs.field(factory=dict)
    client: str = ""
    root_path: str = ""
    scheme: str = "http"
    scope: Mapping[str, Any] | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def target(self) -> str:
        """The URL path the browser asked for, with the prefix and the query."""
        return self.root_path + self.path + (f"?{self.query}" if self.query else "")

    @property
    def head_only(self) -> bool:
        return self.method == "HEAD"


@attrs.frozen
class Response:
    """A complete HTTP answer. The writer adds ``Content-Length`` and the security
    headers; ``headers`` are the others (``Cache-Control``, ``Allow``)."""

    status: int
    body: bytes
    content_type: str = TEXT
    headers: tuple[tuple[str, str], ...] = ()


def text(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    """A short plain-text answer (refusals: 400, 403, 404, 405, 503)."""
    return Response(status, message.encode(), headers=headers)


INTERNAL_ERROR = text(500, "internal server error\n")
"""The answer to a request whose handling failed."""


def bad_request(reason: str) -> Response:
    return text(400, f"bad request: {reason}\n")


_ERROR_PAGES: dict[int, tuple[str, str, str]] = {
    500: (
        "Something went wrong",
        "The server could not show this page. The problem has been logged; trying again may help.",
        "Try again",
    ),
    404: ("Page not found", "Nothing is served at this address.", "Go to the start page"),
}
"""Per status: the heading, the text and the link's label of its error page."""


class Pages:
    """The answers to every GET of the application: pages, scripts and static files.

    Generated scripts and static files are read once and cached; pages are rendered per
    request (a fresh session id and join token each time).
    """

    def __init__(
        self,
        router: Router,
        signer: TokenSigner,
        *,
        title: str,
        static_files: Mapping[str, Path],
        client_modules: frozenset[str],
        stylesheets: tuple[str, ...],
        scripts: tuple[str, ...] = (),
        modules: tuple[str, ...] = (),
        debug: bool,
        identities: Identities | None = None,
        max_context_bytes: int = 32 * 1024,
        health: Callable[[], tuple[bool, int]] | None = None,
    ) -> None:
        self.router = router
        self.signer = signer
        self.identities = identities if identities is not None else Identities(signer)
        self.max_context_bytes = max_context_bytes
        """The most JSON a view's request context may be (half a join frame)."""
        self.title = title
        self.static_files = dict(static_files)
        self.client_modules = client_modules
        self.stylesheets = stylesheets
        self.scripts = scripts
        self.modules = modules
        self.debug = debug
        self.health = health
        """Whether the views run, and how many sessions are live (``/_av/health``)."""
        self._cache: dict[str, bytes] = {}
        self._assets: dict[str, Asset] = {}
        self._read_linked_files()

    async def answer(self, request: PageRequest) -> Response:
        """The response to ``request`` (not a live-socket upgrade). Never raises for a
        view's failure (that is a 500 page); raises only for the server's own bugs."""
        if request.method not in ("GET", "HEAD"):
            return text(405, "method not allowed\n", (("Allow", "GET"),))
        path = request.path
        if path == HEALTH_PATH:
            return self._health()
        served = await self._serve_asset(request)
        if served is not None:
            return served
        found = self.router.match(path)
        if found is None:
            return self.error_page(404, request)
        route, params = found
        url = page_url(request, params)
        if url is None:
            return text(414, f"the URL is longer than {MAX_URL_CHARS} characters\n")
        found_context: PageContext | None = None
        try:
            found_context = await self.identities.page_context(route, params, request)
            page = await self._page(route, params, request.root_path, found_context, url)
        except PageAnswer as answer:
            return self._page_answer(answer, route, request, found_context)
        except Exception as error:
            _log.exception(
                "endpoint.page_failed", route=route.name, view=route.view.__name__, path=path[:200]
            )
            return self.error_page(500, request, error=error)
        return Response(200, page.encode(), HTML, (*NO_STORE, *_set_cookie(found_context)))

    def _page_answer(
        self,
        answer: PageAnswer,
        route: Route,
        request: PageRequest,
        found: PageContext | None,
    ) -> Response:
        """The HTTP answer a view gave instead of its page: 404 for
        :class:`PageNotFound`, ``303 See Other`` for :class:`PageRedirect` (to a path of
        this application under its ``root_path``; any other target is a 500, logged).
        A new anonymous identity's cookie goes with either, so the page redirected to is
        for the same visitor."""
        cookie = _set_cookie(found) if found is not None else ()
        view = route.view.__name__
        match answer:
            case PageRedirect(to=to):
                try:
                    target, query = split_href(to)
                except BadUrl as bad:
                    _log.error(
                        "endpoint.bad_redirect",
                        route=route.name,
                        view=view,
                        error=str(bad),
                        fix="raise PageRedirect with a path of this application, e.g. '/c/1'",
                    )
                    return self.error_page(500, request, error=bad)
                location = request.root_path + target + (f"?{query}" if query else "")
                _log.debug("endpoint.page_redirected", view=view, to=location[:200])
                return Response(303, b"", TEXT, (*NO_STORE, ("Location", location), *cookie))
            case PageNotFound(reason=reason):
                _log.info("endpoint.page_not_found", view=view, reason=reason[:200])
                page = self.error_page(404, request)
                return attrs.evolve(page, headers=(*page.headers, *cookie))
            case _:
                raise TypeError(f"{view}: unknown page answer {type(answer).__name__}")

    def _health(self) -> Response:
        """``/_av/health``: cheap, no auth, never cached (see the module's docstring)."""
        running, sessions = self.health() if self.health is not None else (True, 0)
        body = {"status": "ok" if running else "stopping", "sessions": sessions}
        return Response(
            200 if running else 503,
            json.dumps(body).encode(),
            "application/json",
            NO_STORE,
        )

    async def _serve_asset(self, request: PageRequest) -> Response | None:
        """The answer to a file's URL, plain or hashed; None if ``request`` asks for no
        file (a page's path)."""
        hashed = split_hashed(request.path)
        plain, digest = hashed if hashed is not None else (request.path, None)
        if plain.startswith(STATIC_PREFIX) or self._client_module(plain):
            asset = await self._file_asset(plain)
        else:
            asset = self._script_asset(plain)
            if asset is None and hashed is None:
                return None
        if asset is None:
            return text(404, "not found\n")
        status, body, headers = asset_answer(asset, request.headers, digest=digest)
        return Response(status, body, asset.content_type, headers)

    async def _file_asset(self, path: str) -> Asset | None:
        """The asset of a static file or client module at plain ``path`` (read once)."""
        asset = self._assets.get(path)
        if asset is not None:
            return asset
        if path.startswith(STATIC_PREFIX):
            file = self.static_files.get(path[len(STATIC_PREFIX) :])
            if file is None:
                return None
            body = await trio.Path(file).read_bytes()
            asset = self._assets[path] = Asset.of(body, _content_type(file))
            return asset
        return None  # a client module: read when the application was made

    def _read_linked_files(self) -> None:
        """Read, when the application is made, every file each page links (a page's
        render then waits on no file): the client's modules, which share one digest
        (they import each other by relative URL, so they live in one hashed directory),
        the stylesheets, scripts and modules. A file that cannot be read now is read when asked
        for, and linked by its plain URL until then."""
        names = sorted(self.client_modules)
        bodies = [Path(self.static_files[name]).read_bytes() for name in names]
        pairs = zip(names, bodies, strict=True)
        digest = content_digest(*(part for name, body in pairs for part in (name.encode(), body)))
        for name, body in zip(names, bodies, strict=True):
            self._assets[CLIENT_PREFIX + name] = Asset.of(body, JAVASCRIPT, digest=digest)
        for name in (*self.stylesheets, *self.scripts, *self.modules):
            file = self.static_files.get(name)
            if file is not None and STATIC_PREFIX + name not in self._assets:
                try:
                    body = Path(file).read_bytes()
                except OSError:
                    continue
                self._assets[STATIC_PREFIX + name] = Asset.of(body, _content_type(file))

    def _script_asset(self, path: str) -> Asset | None:
        """The asset of the optimistic runtime or of a route's program, or None."""
        asset = self._assets.get(path)
        if asset is None:
            script = self._generated_script(path)
            if script is None:
                return None
            asset = self._assets[path] = Asset.of(script, JAVASCRIPT)
        return asset

    def _prepare_assets(self, route: Route) -> None:
        """Make the generated scripts a page of ``route`` links, to link them hashed."""
        self._script_asset(OPTIMISTIC_RUNTIME_PATH)
        self._script_asset(f"{PROGRAM_PREFIX}{route.name}.js")

    def _known_url(self, path: str, root: str) -> str:
        """The URL a page links the file at plain ``path`` by, escaped, under ``root``:
        hashed once the file was read, else plain."""
        asset = self._assets.get(path)
        return html.escape(root + (path if asset is None else hashed_url(path, asset.digest)))

    def _client_module(self, path: str) -> bool:
        """Whether ``path`` is one of the browser client's modules (``/_av/client.js``...)."""
        return path.startswith(CLIENT_PREFIX) and path[len(CLIENT_PREFIX) :] in self.client_modules

    def _generated_script(self, path: str) -> bytes | None:
        """The optimistic runtime, or a route's client program (generated, then cached)."""
        cached = self._cache.get(path)
        if cached is not None:
            return cached
        if path == OPTIMISTIC_RUNTIME_PATH:
            source = runtime_source()
        elif path.startswith(PROGRAM_PREFIX) and path.endswith(".js"):
            route = self.router.by_name(path[len(PROGRAM_PREFIX) : -len(".js")])
            if route is None:
                return None
            source = program_source(route.view)
        else:
            return None
        body = self._cache[path] = source.encode()
        return body

    async def _page(
        self,
        route: Route,
        params: dict[str, str],
        root: str,
        found: PageContext,
        url: PageUrl | None = None,
    ) -> str:
        """The server-rendered page of ``route`` at ``url``; raises what the view's mount
        or first render raised (:meth:`answer` makes it the error page), and
        ``ContextError`` for a request context too big for a join frame."""
        session_id = secrets.token_urlsafe(16)
        self._prepare_assets(route)
        claim = check_fits(
            found.context, view=route.view.__name__, max_bytes=self.max_context_bytes
        )
        token = self.signer.sign(
            route.name,
            params,
            session_id,
            context=claim,
            url=None if url is None else url.href,
        )
        first = await live.static_render(
            route.view,
            route.mount_params(params, session_id),
            waits_on=route.waits_on,
            url=url,
            context=found.context,
        )
        prefix = html.escape(root)
        asset = self._known_url
        scripts = "".join(
            f'<script src="{asset(STATIC_PREFIX + name, root)}" defer></script>'
            for name in self.scripts
        ) + self._modules(root)
        # Every module of the client fetched at once, not import level by level.
        preloads = "".join(
            f'<link rel="modulepreload" href="{asset(CLIENT_PREFIX + name, root)}">'
            for name in sorted(self.client_modules)
        )
        return (
            f"{self._head(first.title or self.title, root)}{preloads}"
            f'<script src="{asset(OPTIMISTIC_RUNTIME_PATH, root)}" defer></script>'
            f'<script src="{asset(f"{PROGRAM_PREFIX}{route.name}.js", root)}" defer></script>'
            f'<script type="module" src="{asset(CLIENT_PATH, root)}"></script>'
            f"{scripts}</head><body>"
            f'<div id="av-root" data-av-socket="{prefix}{LIVE_PATH}"'
            f' data-av-token="{html.escape(token)}"'
            f' data-av-program="{html.escape(program_id(route.view))}">'
            f"{first.html}</div></body></html>"
        )

    def _modules(self, root: str) -> str:
        """The application's ES modules (``Application(modules=...)``), after its scripts,
        linked as the scripts are (hashed once read)."""
        return "".join(
            f'<script type="module" src="{self._known_url(STATIC_PREFIX + name, root)}"></script>'
            for name in self.modules
        )

    def _head(self, title: str, root: str) -> str:
        """A page's start, up to an open ``<head>`` with the title and every stylesheet."""
        links = "".join(
            f'<link rel="stylesheet" href="{self._known_url(STATIC_PREFIX + name, root)}">'
            for name in self.stylesheets
        )
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(title)}</title><link rel="icon" href="data:,">{links}'
        )

    def error_page(
        self, status: int, request: PageRequest, *, error: Exception | None = None
    ) -> Response:
        """An error page (404 or 500) in the application's look: its title and
        stylesheets, no script.

        A 500 links to the failed request's target (the same page again) when it is a
        path of this site, else to the start page; a 404 links to the start page if a
        route serves it. ``error`` is shown only under ``debug``, escaped.
        """
        heading, message, label = _ERROR_PAGES[status]
        root = request.root_path
        retry = request.target
        link: str | None = root + "/"
        if status == 500 and _local_path(retry):
            link = retry
        elif status != 500 and self.router.match("/") is None:
            link = None
        action = (
            f'<p><a class="av-error-action" href="{html.escape(link)}">{label}</a></p>'
            if link is not None
            else ""
        )
        detail = (
            f'<pre class="av-error-detail">{html.escape(type(error).__name__)}: '
            f"{html.escape(str(error))}</pre>"
            if self.debug and error is not None
            else ""
        )
        page = (
            f"{self._head(f'{heading} · {self.title}', root)}</head><body>"
            f'<main class="av-error-page" data-status="{status}"><h1>{heading}</h1>'
            f"<p>{message}</p>{action}{detail}</main></body></html>"
        )
        return Response(status, page.encode(), HTML, NO_STORE)


def _set_cookie(found: PageContext) -> tuple[tuple[str, str], ...]:
    """The page's ``Set-Cookie`` of a new anonymous identity, if it made one."""
    return () if found.set_cookie is None else (("Set-Cookie", found.set_cookie),)


def _content_type(file: Path) -> str:
    return {".js": JAVASCRIPT, ".css": "text/css; charset=utf-8"}.get(
        Path(file).suffix, "application/octet-stream"
    )


def page_url(request: PageRequest, params: dict[str, str]) -> PageUrl | None:
    """The :class:`PageUrl` a page request gives its view (live navigation), or None if
    it is longer than :data:`MAX_URL_CHARS`."""
    if len(request.path) + len(request.query) + 1 > MAX_URL_CHARS:
        return None
    return PageUrl(request.path, request.query, params)


def _local_path(target: str) -> bool:
    """Whether a request target is a path on this site (not ``//host`` or ``/\\host``,
    which a browser follows to another site)."""
    return target.startswith("/") and not target.startswith(("//", "/\\"))
