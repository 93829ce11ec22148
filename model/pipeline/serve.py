"""`casebook serve`: build the book, serve it on loopback, rebuild on every save, reload the page.

- Watching: `watchfiles` (Rust `notify`; no polling of our own) over params/, book/ (not its _build),
  notebooks/ and the `model` package source.
- Rebuilding: `model.pipeline.build.build`, so only what a change touches is executed again and the site is
  swapped in atomically; a failed rebuild leaves the last good site in place.
- Serving: the standard library's ThreadingHTTPServer. It is a preview for one author on their own
  machine (loopback by default), serving static files: a well-kept server that needs no new
  dependency. Each request reads the current site through the ``book/_build/html`` link, so a page is
  always from one whole site. HTML pages get a small inline script (same origin, nothing from another
  host) that polls ``/__casebook__/status``: it reloads the page when a new site is in place and shows
  the build error, when there is one, as a banner.
"""

from __future__ import annotations

import html
import json
import os
import signal
import sys
import threading
import time
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO

from .build import build
from .layout import BOOK_DIR, PACKAGE_DIR
from .site_swap import current_site
from ..core.errors import CasebookError
from ..report.markup import ScriptSafeJSON

STATUS_PATH = "/__casebook__/status"
BANNER_ID = "casebook-serve-error"
IGNORED_DIRS = {"_build", ".ipynb_checkpoints", "node_modules", "__pycache__", ".git"}


class State:
    """What the server shows: the current site's name (its version) and the last build error."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lock = threading.Lock()
        self.error: str | None = None
        self.building = True  # until the first build ends

    @property
    def version(self) -> str | None:
        site = current_site(self.root)
        return site.name if site else None

    def status(self) -> dict[str, Any]:
        with self.lock:
            return {"version": self.version, "error": self.error, "building": self.building}


def banner_html(error: str) -> str:
    return (f'<div id="{BANNER_ID}" role="alert" style="position:fixed;top:0;left:0;right:0;z-index:10000;'
            'background:#8b0000;color:#fff;padding:0.75em 1em;font:16px/1.5 sans-serif;'
            'white-space:pre-wrap;overflow-wrap:anywhere"><strong>The last build failed; this is the last '
            f'good site.</strong> <span class="casebook-serve-message">{html.escape(error)}</span></div>')


def reload_script(version: str | None) -> str:
    """Polls the status; reloads on a new site; shows or clears the error banner."""
    return """<script>
(function () {
  var served = %s;
  function show(error) {
    var el = document.getElementById(%s);
    if (!error) { if (el) el.remove(); return; }
    if (!el) {
      var box = document.createElement("div");
      box.innerHTML = %s;
      el = box.firstChild;
      document.body.appendChild(el);
    }
    el.querySelector(".casebook-serve-message").textContent = error;
  }
  function tick() {
    fetch(%s, {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (s.version && s.version !== served) { window.location.reload(); return; }
      show(s.error);
      setTimeout(tick, 1000);
    }).catch(function () { setTimeout(tick, 2000); });
  }
  setTimeout(tick, 1000);
})();
</script>""" % tuple(json.dumps(v, cls=ScriptSafeJSON) for v in (version, BANNER_ID, banner_html(""), STATUS_PATH))


def make_handler(state: State) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            site = current_site(state.root)
            super().__init__(*args, directory=str(site) if site else str(state.root / "build"), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
            pass  # one line per request would drown the build messages

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if path == STATUS_PATH:
                return self._send(json.dumps(state.status()).encode(), "application/json")
            target = Path(self.translate_path(self.path))
            if target.is_dir():
                if not path.endswith("/"):
                    return super().do_GET()  # the stdlib redirects /dir to /dir/
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file():
                return self._send(self._inject(target.read_text(encoding="utf-8")).encode(),
                                  "text/html; charset=utf-8")
            if current_site(state.root) is None:
                return self._send(self._inject("<!DOCTYPE html><html lang=\"en\"><head><title>casebook"
                                               "</title></head><body><main><h1>No site yet</h1></main>"
                                               "</body></html>").encode(), "text/html; charset=utf-8")
            return super().do_GET()

        def _inject(self, page: str) -> str:
            status = state.status()
            extra = (banner_html(status["error"]) if status["error"] else "") + reload_script(status["version"])
            at = page.rfind("</body>")
            return page[:at] + extra + page[at:] if at >= 0 else page + extra

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def watched(root: Path, params_dir: Path) -> list[Path]:
    """What a rebuild depends on: the params, the book's sources, the notebooks and the model."""
    return [p for p in dict.fromkeys([params_dir, root / BOOK_DIR, root / "notebooks", PACKAGE_DIR])
            if p.is_dir()]


def changed_since(when: float, roots: list[Path], keep) -> bool:
    """Whether a watched file was modified after `when` (the watcher starts after the first build)."""
    import watchfiles

    return any(path.stat().st_mtime > when for root in roots for path in root.rglob("*")
               if path.is_file() and keep(watchfiles.Change.modified, str(path)))


def serve(root: Path | str = ".", params_dir: Path | str | None = None, host: str = "127.0.0.1",
          port: int = 8000, jobs: int | None = None, out: TextIO = sys.stderr) -> None:
    """Build, serve, and rebuild on change until Ctrl-C (or SIGTERM)."""
    import watchfiles

    root = Path(root).resolve()
    params_dir = Path(params_dir).resolve() if params_dir else root / "params"
    state = State(root)

    def say(text: str) -> None:
        print(f"casebook serve: {text}", file=out, flush=True)

    def rebuild(why: str) -> None:
        with state.lock:
            state.building = True
        started = time.perf_counter()
        try:
            report = build(root, params_dir, jobs=jobs, progress=False)
        except CasebookError as exc:  # bad params (exit code 2 for `build`) or a failed step
            message = str(exc).replace(f"{root}{os.sep}", "")  # params/x.yaml:12, as the author knows it
            with state.lock:
                state.error, state.building = message, False
            say(f"build failed ({why}); still serving the last good site:\n  {message}")
            return
        with state.lock:
            state.error, state.building = None, False
        ran = ", ".join(report.executed) or "nothing"
        say(f"rebuilt ({why}) in {time.perf_counter() - started:.1f}s; executed {ran}"
            + ("" if report.site_rebuilt else "; site unchanged"))

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    # Ctrl-C and SIGTERM stop it, even when started with SIGINT ignored (a background job of a script)
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    server: ThreadingHTTPServer | None = None
    stop_event = threading.Event()
    try:
        try:
            server = ThreadingHTTPServer((host, port), make_handler(state))
        except OSError as exc:
            raise CasebookError(f"cannot serve on {host}:{port}: {exc.strerror or exc}", key="--port") from None
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name="casebook-serve", daemon=True).start()
        url = f"http://{host}:{server.server_address[1]}/"
        say(f"serving {url} (Ctrl-C stops); watching " + ", ".join(
            str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in watched(root, params_dir)))
        if host not in ("127.0.0.1", "localhost", "::1"):
            say(f"warning: listening on {host}, so other machines can reach this server")
        say("building the book")
        started = time.time()
        rebuild("start")
        ignore = watchfiles.DefaultFilter(ignore_dirs=[*watchfiles.DefaultFilter.ignore_dirs, *IGNORED_DIRS])
        if changed_since(started, watched(root, params_dir), ignore):  # saved while the first build ran
            rebuild("changed during the first build")
        for changes in watchfiles.watch(*watched(root, params_dir), watch_filter=ignore, stop_event=stop_event,
                                        debounce=1600, step=100, raise_interrupt=True):
            names = sorted({Path(p).name for _, p in changes})
            rebuild("changed: " + ", ".join(names[:5]) + (" ..." if len(names) > 5 else ""))
    except KeyboardInterrupt:
        pass
    finally:
        stop_event.set()
        if server is not None:
            server.shutdown()
            server.server_close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    say("stopped")
