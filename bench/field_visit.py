"""A rep's whole visit to a 16-product store on a phone on Slow 4G (issue 14's field benchmark), and the same visit
with the network dropping at random moments.

    .venv/bin/python bench/field_visit.py [--runs 20] [--seed N] [--no-throttle] [--only speed|disconnects]

Everything runs here: a scratch SQLite database in a temporary folder (`migrate`, `seed_demo`), `collectstatic`
into a temporary STATIC_ROOT (hashed, gzip-compressed files served by WhiteNoise, DEBUG off, pages gzip-compressed
by the app's middleware), and the app served by Django's threaded WSGI server in a thread of this process, behind a
small WSGI wrapper that counts each request's SQL queries (`connection.execute_wrapper`). No PostgreSQL, no Redis:
Celery tasks run in process. Chromium (/usr/bin/chromium, Playwright's sync API) is a 375 × 812 phone in zh-CN on
Asia/Shanghai time, with the position at the store.

The speed run: log in, Today, check in at the rep's store with 16 listed products (one open task is created for it
if it has none), every checklist item, prices, 16 stock counts (cases and packs), one camera photo (a 4000 × 3000
JPEG with noise, about 2.6 MB, which the page resizes before uploading; the rep goes on while it uploads, and
"Save and check out" frees the rep at once, the check-out following the photo: the seconds stop there, and the time
until the server has both is printed apart), the task done,
check out. An input is a tap or a field typed (login 2 fields + 1 tap; "All OK" 1; a count 2). It is run twice on
fresh browser contexts: first with no throttling (the baseline, same run), then on Chrome DevTools' "Slow 4G"
preset set through CDP `Network.emulateNetworkConditions` on the page and on every service worker:

    latency 562.5 ms, download 180,000 B/s (1.44 Mbit/s), upload 84,375 B/s (0.675 Mbit/s)

(DevTools' SDK/NetworkManager.ts: Slow 4G = 150 ms × 3.75, 1.6 Mbit/s × 0.9 down, 750 kbit/s × 0.9 up.)
Bytes are CDP `Network.loadingFinished.encodedDataLength` (plus redirect responses), grouped by the main-frame
navigation (loaderId) they belong to while it loads; fetches/XHR and anything after the `load` event are counted as
background. A request the service worker answers costs nothing itself; what the worker fetches from the network
(its own CDP session) counts for the page load during which it started, or apart (precache, revalidation) outside
them; a worker's first fetches may start before the bench has attached to it and then go uncounted. The first load
is the login page with an empty cache (a new browser context). SQL queries are counted per request on the server;
the writes to the visit are listed with theirs. The Slow 4G run is repeated (up to 3 times, said so) when a page
load took less than one round trip, i.e. the emulation missed the worker.

The disconnect runs (`--runs`, default 20, seeded RNG): the same visit without the photo and without throttling; after
the visit page has loaded, the context goes offline or online at random moments while the rep types and around
check-out (`context.set_offline`), ends online, waits for the upload queue badge to empty (≤ 60 s), and then every
value typed is compared with what the server has. Between runs the visit is deleted and the task reopened.
"""

import argparse
import contextlib
import io
import logging
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
SLOW_4G = {"offline": False, "latency": 562.5, "downloadThroughput": 180_000, "uploadThroughput": 84_375}
PASSWORD = "demo1234"
PRODUCTS = 16
WAIT_MS = 120_000  # Slow 4G with a photo in flight: a page may take a while
BACKGROUND_TYPES = {"XHR", "Fetch", "EventSource", "Ping", "WebSocket", "Prefetch"}
TARGETS = {"page_loads": 3, "seconds": 10.0, "first_kb": 150.0, "later_kb": 30.0, "lost": 0}


def configure(folder: Path) -> None:
    """The embedded default as close to production as it goes over plain HTTP (PRODUCTION=true wants HTTPS)."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="ka_portal.settings",
        DJANGO_ALLOW_ASYNC_UNSAFE="true",  # Playwright's sync API runs an event loop in this thread
        DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
        STATIC_ROOT=str(folder / "static"),
        MEDIA_ROOT=str(folder / "media"),
        DEBUG="false",
        PRODUCTION="false",
        REDIS_URL="",
        CELERY_BROKER_URL="",
        CELERY_RESULT_BACKEND="",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# ---------------------------------------------------------------------------------------------- the server


@dataclass
class Hit:
    method: str
    path: str
    status: str
    location: str
    queries: int


class Server:
    """The app in a thread of this process, each request's SQL queries counted."""

    def __init__(self) -> None:
        from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
        from django.core.wsgi import get_wsgi_application
        from django.db import connection

        app = get_wsgi_application()
        self.hits: list[Hit] = []

        def counted(environ, start_response):
            count = [0]
            answer = {}

            def counter(execute, sql, params, many, context):
                count[0] += 1
                return execute(sql, params, many, context)

            def start(status, headers, exc_info=None):
                answer["status"] = status.split()[0]
                answer["location"] = dict(headers).get("Location", "")
                return start_response(status, headers, exc_info)

            with connection.execute_wrapper(counter):
                body = app(environ, start)
            path = environ.get("PATH_INFO", "")
            if not path.startswith("/static/"):
                self.hits.append(
                    Hit(
                        environ["REQUEST_METHOD"], path, answer.get("status", "?"), answer.get("location", ""), count[0]
                    )
                )
            return body

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        self.httpd = ThreadedWSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=False)
        self.httpd.set_app(counted)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# ---------------------------------------------------------------------------------------------- the data


@dataclass
class Scene:
    rep: object
    store: object
    listings: int
    task_id: int


def prepare() -> Scene:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from stores.models import Listing
    from visits.models import Task
    from visits.selectors import rep_day

    started = time.monotonic()
    logging.disable(logging.WARNING)  # seed_demo's own story
    with contextlib.redirect_stdout(io.StringIO()):
        call_command("migrate", verbosity=0)
        call_command("seed_demo", verbosity=0)
        call_command("collectstatic", verbosity=0, interactive=False)
    logging.disable(logging.NOTSET)
    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per sign-in otherwise
    print(f"server: migrate + seed_demo + collectstatic in {time.monotonic() - started:.0f} s")
    today = timezone.localdate()
    candidates = []
    for rep in get_user_model().objects.filter(username__startswith="rep").order_by("username"):
        for row in rep_day(rep, today):
            if row.visit is None:
                listed = Listing.objects.filter(store=row.store).count()
                candidates.append((abs(listed - PRODUCTS), rep.username, row.store.pk, rep, row.store, listed))
    if not candidates:
        sys.exit("no rep has a store on today's route: nothing to visit")
    *_key, rep, store, listed = min(candidates, key=lambda c: c[:3])
    if listed != PRODUCTS:
        print(f"note: no store on a route today has {PRODUCTS} products; the closest has {listed}")
    task = Task.objects.filter(store=store, status=Task.Status.OPEN).first()
    if task is None:
        task = Task.objects.create(
            store=store, title="检查端架价签", due_on=today, assigned_by=get_user_model().objects.get(username="admin")
        )
    return Scene(rep, store, listed, task.pk)


def reset(scene: Scene) -> None:
    """Forget today's visit to the store so the next run checks in afresh, and reopen the task."""
    from django.utils import timezone

    from visits.models import Task, Visit

    Visit.objects.filter(rep=scene.rep, store=scene.store, checked_in_at__date=timezone.localdate()).delete()
    Task.objects.filter(pk=scene.task_id).update(
        status=Task.Status.OPEN, done_visit=None, done_at=None, done_comment=""
    )


def camera_photo() -> bytes:
    """A 4000 × 3000 JPEG of noise over a gradient (about 2 MB): what a phone's camera hands the page."""
    from PIL import Image

    noise = Image.effect_noise((4000, 3000), 60).convert("RGB")
    ramp = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    out = io.BytesIO()
    Image.blend(ramp, noise, 0.25).save(out, "JPEG", quality=70)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------- the network


@dataclass
class Request:
    type: str
    loader: str
    url: str
    started: float
    bytes: int = 0
    from_worker: bool = False


@dataclass
class Navigation:
    loader: str
    url: str
    method: str
    started: float
    loaded: float | None = None
    landed: str = ""  # after redirects


class Traffic:
    """CDP network events of the page (and of its service workers), grouped by main-frame navigation."""

    def __init__(self, cdp, frame_id: str) -> None:
        self.frame_id = frame_id
        self.requests: dict[str, Request] = {}
        self.navigations: list[Navigation] = []
        self.worker_bytes: list[tuple[str, int, float]] = []  # (url, bytes, started) a service worker fetched
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Page.loadEventFired", self._loaded)

    def _sent(self, event) -> None:
        request_id = event["requestId"]
        known = self.requests.get(request_id)
        if known is not None and "redirectResponse" in event:  # a redirect: same request, its answer counted
            known.bytes += int(event["redirectResponse"].get("encodedDataLength", 0))
            known.url = event["request"]["url"]
            for nav in self.navigations:
                if nav.loader == request_id:
                    nav.landed = known.url
            return
        kind = event.get("type", "Other")
        self.requests[request_id] = Request(
            kind, event.get("loaderId", ""), event["request"]["url"], event["timestamp"]
        )
        if kind == "Document" and event.get("frameId") == self.frame_id and request_id == event.get("loaderId"):
            self.navigations.append(
                Navigation(request_id, event["request"]["url"], event["request"]["method"], event["timestamp"])
            )

    def _response(self, event) -> None:
        request = self.requests.get(event["requestId"])
        if request is not None and event["response"].get("fromServiceWorker"):
            request.from_worker = True

    def _finished(self, event) -> None:
        request = self.requests.get(event["requestId"])
        if request is not None:
            request.bytes += int(event.get("encodedDataLength", 0))

    def _loaded(self, event) -> None:
        if self.navigations and self.navigations[-1].loaded is None:
            self.navigations[-1].loaded = event["timestamp"]

    def summary(self):
        """[(navigation, bytes)], background bytes, the worker's bytes outside page loads, requests the worker answered.

        A page's request answered by the service worker costs nothing itself; what the worker fetches from the
        network is counted for the page load during which it started (its Document fetch, a file it revalidates),
        or apart when it starts outside every page load (precache, later revalidations)."""
        per = {nav.loader: 0 for nav in self.navigations}
        ends = {nav.loader: nav.loaded for nav in self.navigations}
        background = 0
        for request in self.requests.values():
            if request.from_worker:
                continue
            page_part = (
                request.type not in BACKGROUND_TYPES
                and request.loader in per
                and (ends[request.loader] is None or request.started <= ends[request.loader])
            )
            if page_part:
                per[request.loader] += request.bytes
            else:
                background += request.bytes
        worker_only = 0
        for url, size, started in self.worker_bytes:
            during = [nav for nav in self.navigations if nav.started <= started <= (nav.loaded or float("inf"))]
            # another page the worker keeps ahead (a stop's page for an offline check-in) is not this page's cost
            ahead = "/static/" not in url and during and url not in (during[-1].url, during[-1].landed)
            if during and not ahead:
                per[during[-1].loader] += size
            else:
                worker_only += size
        served = sum(request.from_worker for request in self.requests.values())
        return [(nav, per[nav.loader]) for nav in self.navigations], background, worker_only, served


class WorkerThrottle:
    """Slow 4G on every service worker too: page-level emulation does not reach a worker's own fetches. Attaches to
    each worker as it appears through the browser's CDP session (non-flattened sessions, messages as JSON strings);
    what a worker fetches before it is attached (its first install, a few ms) is not throttled."""

    def __init__(self, browser, traffic: Traffic | None, conditions: dict | None) -> None:
        import json

        self.json = json
        self.traffic = traffic
        self.conditions = conditions
        self.cdp = browser.new_browser_cdp_session()
        self.sessions: set[str] = set()
        self.targets: set[str] = set()
        self.errors: list[str] = []
        self.by_session: dict[str, str] = {}
        self.attached = 0
        self.pending: dict[tuple[str, str], tuple[str, float]] = {}
        self.next_id = 1000
        self.cdp.on("Target.targetCreated", self._created)
        self.cdp.on("Target.targetInfoChanged", self._created)  # a stopped worker started again
        self.cdp.on("Target.detachedFromTarget", self._gone)
        self.cdp.on("Target.targetDestroyed", self._gone)
        self.cdp.on("Target.receivedMessageFromTarget", self._message)
        self.cdp.send("Target.setDiscoverTargets", {"discover": True})

    def _post(self, session: str, method: str, params: dict | None = None) -> None:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        self.cdp.send("Target.sendMessageToTarget", {"sessionId": session, "message": self.json.dumps(message)})

    def _gone(self, event) -> None:
        target = event.get("targetId") or self.by_session.get(event.get("sessionId", ""))
        self.targets.discard(target)

    def _created(self, event) -> None:
        info = event["targetInfo"]
        if info["type"] not in ("service_worker", "shared_worker") or info["targetId"] in self.targets:
            return
        self.targets.add(info["targetId"])
        try:
            session = self.cdp.send("Target.attachToTarget", {"targetId": info["targetId"], "flatten": False})
        except Exception as error:  # gone already
            self.errors.append(f"{info['type']}: {error}")
            return
        session = session["sessionId"]
        self.sessions.add(session)
        self.by_session[session] = info["targetId"]
        self.attached += 1
        self._post(session, "Network.enable")
        if self.conditions:
            self._post(session, "Network.emulateNetworkConditions", self.conditions)

    def _message(self, event) -> None:
        if event["sessionId"] not in self.sessions or self.traffic is None:
            return
        message = self.json.loads(event["message"])
        if "error" in message:
            self.errors.append(str(message["error"]))
        method, params = message.get("method"), message.get("params", {})
        key = (event["sessionId"], params.get("requestId", ""))
        if method == "Network.requestWillBeSent":
            self.pending[key] = (params["request"]["url"], params["timestamp"])
        elif method == "Network.loadingFinished" and key in self.pending:
            url, started = self.pending.pop(key)
            self.traffic.worker_bytes.append((url, int(params.get("encodedDataLength", 0)), started))

    def reapply(self) -> None:
        """Playwright sets its own (unthrottled) conditions on a worker it attaches to, which may land after ours:
        set ours again before each input."""
        if self.conditions:
            for session in list(self.sessions):
                with contextlib.suppress(Exception):
                    self._post(session, "Network.emulateNetworkConditions", self.conditions)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.cdp.detach()


# ---------------------------------------------------------------------------------------------- the rep


@dataclass
class Typed:
    """What the rep entered, to compare with the server afterwards."""

    checklist: dict[str, str] = field(default_factory=dict)
    price_check_ok: bool | None = None
    packs: dict[int, int] = field(default_factory=dict)
    task_done: bool = False
    photos: int = 0


class Rep:
    """Drives the page the way a rep's thumbs do, counting each tap and each field typed as one input."""

    def __init__(self, page, chaos=None) -> None:
        self.page = page
        self.inputs = 0
        self.chaos = chaos  # called before each input (the disconnects; the worker's throttling set again)

    def _before(self) -> None:
        if self.chaos:
            self.chaos()

    def tap(self, locator, **options) -> None:
        self._before()
        locator.click(**options)
        self.inputs += 1

    def type(self, locator, value: str) -> None:
        self._before()
        locator.fill(value)
        locator.dispatch_event("change")
        self.inputs += 1


def log_in(rep: Rep, base: str, username: str) -> None:
    page = rep.page
    page.goto(f"{base}/login/", wait_until="load")
    rep.type(page.locator("input[name=username]"), username)
    rep.type(page.locator("input[name=password]"), PASSWORD)
    with page.expect_navigation(wait_until="load", timeout=WAIT_MS):
        rep.tap(page.locator("form button[type=submit]").first)
    if "/visits/today/" not in page.url:
        rep._before()
        page.goto(f"{base}/visits/today/", wait_until="load")  # a tap on "Today" in the menu
        rep.inputs += 1


def check_in(rep: Rep, store_name: str) -> None:
    page = rep.page
    stop = page.locator("[data-testid=stop]").filter(has_text=store_name).first
    with page.expect_navigation(url=re.compile(r"/visits/\d+/"), wait_until="load", timeout=WAIT_MS):
        rep.tap(stop.locator("form.check-in-form button[type=submit]"))


def fill_visit(rep: Rep, typed: Typed, rng: random.Random, photo: bytes | None) -> None:
    page = rep.page
    from visits.models import ChecklistResult

    all_ok = page.locator("[data-testid=all-ok]")
    if all_ok.count():
        rep.tap(all_ok)
    else:
        for fieldset in page.locator("fieldset[data-testid^=choice-check_]").all():
            rep.tap(fieldset.locator("input[value=pass] + label"))
    typed.checklist = {item.value: "pass" for item in ChecklistResult.Item}
    rep.tap(page.locator("fieldset[data-testid=choice-price_check_ok] input[value=yes] + label"))
    typed.price_check_ok = True

    for row in page.locator("[data-testid=stock-row]").all():
        per_case = int(row.get_attribute("data-packs-per-case") or 1)
        cases_input = row.locator("input[data-part=cases]")
        product = int(re.search(r"(\d+)", cases_input.get_attribute("name") or "").group(1))
        cases, packs = rng.randint(0, 6), rng.randint(0, max(per_case - 1, 0))
        rep.type(cases_input, str(cases))
        rep.type(row.locator("input[data-part=packs]"), str(packs))
        typed.packs[product] = cases * per_case + packs

    if photo is not None:
        rep.tap(page.locator("[data-photo-input]"), trial=True)  # "choose a photo" (the picker is not opened)
        page.locator("[data-photo-input]").set_input_files(
            {"name": "IMG_0001.JPG", "mimeType": "image/jpeg", "buffer": photo}
        )
        typed.photos = 1

    task = page.locator("[data-testid=task] input[type=checkbox]")
    if task.count():
        rep.tap(task.first)
        typed.task_done = True

    if photo is not None and not page.locator("[data-testid=check-out]").count():
        # the one-form page: the rep sees "Added" before leaving (its check-out would leave the upload behind)
        page.locator("[data-testid=photo-upload][data-state=done], [data-testid=photo-gallery] img").first.wait_for(
            timeout=WAIT_MS
        )


def check_out(rep: Rep) -> str:
    """The new shape checks out in place; the old one posts the form and lands on Today. Returns which."""
    page = rep.page
    in_place = page.locator("[data-testid=check-out]")
    if in_place.count():
        rep.tap(in_place.first)
        page.locator("[data-testid=checked-out]").wait_for(timeout=WAIT_MS)
        return "in place"
    with page.expect_navigation(wait_until="load", timeout=WAIT_MS):
        rep.tap(page.locator("button[name=action][value=check_out]"))
    return "page POST"


def lost_values(scene: Scene, typed: Typed) -> tuple[int, list[str]]:
    """Every typed value the server does not have (the check-out itself counts as one value)."""
    from django.utils import timezone

    from visits.models import Task, Visit

    visit = (
        Visit.objects.filter(rep=scene.rep, store=scene.store, checked_in_at__date=timezone.localdate())
        .order_by("-checked_in_at")
        .first()
    )
    if visit is None:
        return 1 + len(typed.checklist) + 1 + len(typed.packs) + typed.task_done + typed.photos, ["no visit"]
    missing = []
    if visit.checked_out_at is None:
        missing.append("check-out")
    answers = dict(visit.checklist.values_list("item", "result"))
    missing += [f"checklist {item}" for item, value in typed.checklist.items() if answers.get(item) != value]
    if typed.price_check_ok is not None and visit.price_check_ok != typed.price_check_ok:
        missing.append("price check")
    counts = dict(visit.stock_counts.values_list("product_id", "packs"))
    missing += [f"count of product {pk}" for pk, packs in typed.packs.items() if counts.get(pk) != packs]
    if typed.task_done and not Task.objects.filter(pk=scene.task_id, status=Task.Status.DONE).exists():
        missing.append("task")
    if typed.photos and visit.photos.count() < typed.photos:
        missing.append("photo")
    return len(missing), missing


# ---------------------------------------------------------------------------------------------- the runs


def new_phone(browser, scene: Scene):
    context = browser.new_context(
        viewport={"width": 375, "height": 812},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=True,
        has_touch=True,
    )
    context.grant_permissions(["geolocation"])
    lat, lon = scene.store.latitude, scene.store.longitude
    if lat is not None and lon is not None:
        context.set_geolocation({"latitude": float(lat), "longitude": float(lon)})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    return context, page


@dataclass
class Outcome:
    label: str
    inputs: int
    seconds: float
    shape: str
    pages: list  # [(Navigation, bytes)]
    background: int
    worker_only: int
    served: int
    hits: list
    lost: int
    missing: list
    steps: list  # [(what, seconds)] as the rep waited for them
    workers: str


def speed_run(browser, server: Server, scene: Scene, photo: bytes, throttle: bool) -> Outcome:
    reset(scene)
    worker = None
    context, page = new_phone(browser, scene)
    try:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Page.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        frame_id = cdp.send("Page.getFrameTree")["frameTree"]["frame"]["id"]
        traffic = Traffic(cdp, frame_id)
        worker = WorkerThrottle(browser, traffic, SLOW_4G if throttle else None)
        if throttle:
            cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        rep = Rep(page, chaos=worker.reapply)
        first_hit = len(server.hits)
        started = time.monotonic()
        steps, mark = [], started

        def step(what: str) -> None:
            nonlocal mark
            now = time.monotonic()
            steps.append((what, now - mark))
            mark = now

        log_in(rep, server.url, scene.rep.username)
        step("sign in, Today")
        check_in(rep, scene.store.name)
        step("check in (to the visit page)")
        typed = Typed()
        fill_visit(rep, typed, random.Random(1), photo)
        step("checklist, prices, 16 counts, photo chosen, task")
        shape = check_out(rep)
        step("check out")
        seconds = time.monotonic() - started
        if shape == "in place":
            # the rep is free once the bar says checked out; a photo still going up and the check-out behind it
            # finish in the background: timed apart, and the server checked only after
            page.locator("[data-testid=checked-out][data-state=done]").wait_for(timeout=60_000)
            steps.append(("(after) photo and check-out finish uploading; the rep was free", time.monotonic() - mark))
        page.wait_for_timeout(1500)  # let the last background answers arrive before counting bytes
        pages, background, worker_only, served = traffic.summary()
        if os.environ.get("BENCH_DETAIL"):  # every request with its bytes, to see what a page load costs
            for request in traffic.requests.values():
                where = "worker" if request.from_worker else request.loader[-6:]
                print(f"      {request.bytes:8d}  {where:6}  {request.type:10} {request.url[-70:]}")
            for url, size, _started in traffic.worker_bytes:
                print(f"      {size:8d}  sw-net  {url[-70:]}")
        workers = f"{worker.attached} service worker session(s) attached" + (
            f", CDP errors: {worker.errors}" if worker.errors else ""
        )
    finally:
        if worker:
            worker.close()
        context.close()
    lost, missing = lost_values(scene, typed)
    return Outcome(
        "Slow 4G" if throttle else "no throttling",
        rep.inputs,
        seconds,
        shape,
        pages,
        background,
        worker_only,
        served,
        server.hits[first_hit:],
        lost,
        missing,
        steps,
        workers,
    )


def disconnect_run(
    browser, server: Server, scene: Scene, rng: random.Random, number: int
) -> tuple[int, list, int, bool | None]:
    """One visit with the network dropping at random; returns (lost, missing, switches)."""
    reset(scene)
    context, page = new_phone(browser, scene)
    state = {"offline": False, "switches": 0}

    def flip(probability: float = 0.3) -> None:
        if rng.random() < probability:
            state["offline"] = not state["offline"]
            state["switches"] += 1
            context.set_offline(state["offline"])
            page.wait_for_timeout(rng.randint(0, 400))

    typed = Typed()
    try:
        rep = Rep(page)
        log_in(rep, server.url, scene.rep.username)
        check_in(rep, scene.store.name)
        rep.chaos = flip  # from here on the network may go at any tap
        fill_visit(rep, typed, rng, None)
        flip(0.5)
        state["check_out_offline"] = state["offline"]
        try:
            check_out(rep)
        except Exception as error:  # offline: the page may not answer the way a good network does
            print(f"    run {number}: check-out did not finish offline ({type(error).__name__})")
        flip(0.5)
        page.wait_for_timeout(rng.randint(0, 1500))
        context.set_offline(False)
        state["offline"] = False
        badge = page.locator("[data-testid=upload-queue]")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if not badge.count() or not badge.first.is_visible() or not badge.first.inner_text().strip():
                    break
            except Exception:
                pass  # a navigation in progress
            page.wait_for_timeout(500)
        page.wait_for_timeout(1000)
    except Exception as error:
        print(f"    run {number}: the visit stopped: {type(error).__name__}: {str(error).splitlines()[0][:120]}")
    finally:
        context.close()
    lost, missing = lost_values(scene, typed)
    return lost, missing, state["switches"], state.get("check_out_offline")


# ---------------------------------------------------------------------------------------------- the report


def unthrottled(visit: Outcome) -> int:
    """Page loads that took less than one Slow 4G round trip: the emulation missed them."""
    return sum(1 for nav, _b in visit.pages if nav.loaded and nav.loaded - nav.started < SLOW_4G["latency"] / 1000)


def kb(size: int) -> str:
    return f"{size / 1024:7.1f} KB"


def queries_summary(hits: list[Hit]) -> tuple[list[int], list[int], list[Hit]]:
    """Saves (writes to the visit that are not the check-out, check-in or a photo) and check-outs, with queries."""
    saves, check_outs, writes = [], [], []
    for hit in hits:
        if hit.method not in ("POST", "PUT", "PATCH") or "/visits/" not in hit.path and "/api/" not in hit.path:
            continue
        writes.append(hit)
        if "check-out" in hit.path or "check_out" in hit.path or hit.location.rstrip("/").endswith("/visits/today"):
            check_outs.append(hit.queries)
        elif re.search(r"/visits/(\d+|u/[0-9a-f-]+)/$|/api/v1/visits/", hit.path) and "photo" not in hit.path:
            saves.append(hit.queries)
    if saves and not check_outs:  # the page saves in place and checks out the same way: its last write
        check_outs.append(saves.pop())
    return saves, check_outs, writes


def report_speed(base: Outcome, slow: Outcome, scene: Scene) -> dict:
    print()
    print(
        f"== the visit: {scene.rep.username} at {scene.store.name} ({scene.listings} products), check-out {slow.shape}"
    )
    for visit in (base, slow):
        print(f"-- {visit.label}: {visit.inputs} inputs, {len(visit.pages)} full page loads, {visit.seconds:.1f} s")
        for index, (nav, size) in enumerate(visit.pages):
            path = re.sub(r"^https?://[^/]+", "", nav.url)
            if nav.landed and nav.landed != nav.url:
                path += " → " + re.sub(r"^https?://[^/]+", "", nav.landed)
            label = "first load (empty cache)" if index == 0 else "page load"
            took = f"{nav.loaded - nav.started:5.1f} s" if nav.loaded else "    - s"
            print(f"   {kb(size)}  {took}  {nav.method:4} {path:36} {label}")
        print(f"   {kb(visit.background)}  background fetches/XHR and after-load requests")
        print(f"   {kb(visit.worker_only)}  fetched by the service worker for itself (precache, revalidation)")
        print(f"   {visit.served} of the page's requests answered by the service worker (its network fetches counted)")
        print(f"   ({visit.workers})")
        for what, took in visit.steps:
            print(f"   {took:5.1f} s  {what}")
        if visit is slow and slow is not base and unthrottled(slow):
            print(f"   WARNING: {unthrottled(slow)} page load(s) faster than one Slow 4G round trip: not throttled")
        values = "every typed value on the server" if not visit.lost else f"MISSING {visit.missing}"
        print(f"   server: {values}")
    saves, check_outs, writes = queries_summary(slow.hits)
    print("-- SQL queries per write (server side, Slow 4G run):")
    for hit in writes:
        print(f"   {hit.queries:4}  {hit.method:5} {hit.path:32} {hit.status} {hit.location}")
    first = slow.pages[0][1] if slow.pages else 0
    later = max((size for _n, size in slow.pages[1:]), default=0)
    return {
        "page_loads": len(slow.pages),
        "seconds": slow.seconds,
        "base_seconds": base.seconds,
        "first_kb": first / 1024,
        "later_kb": later / 1024,
        "inputs": slow.inputs,
        "saves": saves,
        "check_outs": check_outs,
    }


def verdict(ok: bool) -> str:
    return "OK    " if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="disconnect runs (default 20)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the disconnects (default: random, printed)")
    parser.add_argument("--no-throttle", action="store_true", help="skip the Slow 4G emulation (the baseline only)")
    parser.add_argument("--only", choices=["speed", "disconnects"], help="one of the two modes (default both)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1_000_000)

    with tempfile.TemporaryDirectory(prefix="ka-field-visit-") as folder:
        configure(Path(folder))
        scene = prepare()
        photo = camera_photo()
        print(f"photo: 4000 × 3000 JPEG, {len(photo) / 1024 / 1024:.1f} MB")
        server = Server()
        from playwright.sync_api import sync_playwright

        figures, lost_total, runs = {}, None, 0
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
            try:
                if args.only != "disconnects":
                    base = speed_run(browser, server, scene, photo, throttle=False)
                    slow = base
                    for attempt in range(1, 4) if not args.no_throttle else ():
                        slow = speed_run(browser, server, scene, photo, throttle=True)
                        if not unthrottled(slow) or attempt == 3:
                            break
                        print(f"note: Slow 4G run {attempt}: {unthrottled(slow)} page loads faster than one round trip")
                        print("      (the service worker's fetches escaped the emulation): run again")
                    figures = report_speed(base, slow, scene)
                if args.only != "speed" and args.runs:
                    print()
                    print(f"== {args.runs} visits with random disconnects (seed {seed}; no photo, no throttling)")
                    rng = random.Random(seed)
                    lost_total, runs = 0, args.runs
                    for number in range(1, args.runs + 1):
                        lost, missing, switches, offline = disconnect_run(browser, server, scene, rng, number)
                        lost_total += lost
                        shown = f": {', '.join(missing)}" if missing else ""
                        tapped = {True: "offline", False: "online", None: "not reached"}[offline]
                        print(
                            f"   run {number:2}: {switches:2} network switches, check-out tapped {tapped:11}, "
                            f"{lost} values lost{shown}"
                        )
                    print(f"   total: {lost_total} values lost in {runs} runs")
            finally:
                browser.close()
                server.stop()

    print()
    print("== targets")
    if figures:
        f = figures
        label = "Slow 4G" if not args.no_throttle else "no throttling"
        print(f"   inputs by the rep: {f['inputs']}")
        if f["saves"]:
            print(
                f"   SQL queries per save: {', '.join(map(str, f['saves']))} (median {statistics.median(f['saves'])})"
            )
        else:
            print("   SQL queries per save: no separate save (the page saves with the check-out)")
        print(f"   SQL queries per check-out: {', '.join(map(str, f['check_outs'])) or '-'}")
        print(f"   {verdict(f['page_loads'] <= TARGETS['page_loads'])} ≤ 3 full page loads: {f['page_loads']}")
        if args.no_throttle:
            print(f"   -      ≤ 10 s on Slow 4G: not measured (--no-throttle); unthrottled {f['base_seconds']:.1f} s")
        else:
            ratio = f["seconds"] / f["base_seconds"] if f["base_seconds"] else float("nan")
            print(
                f"   {verdict(f['seconds'] <= TARGETS['seconds'])} ≤ 10 s on {label}: {f['seconds']:.1f} s "
                f"({ratio:.1f}× the same visit unthrottled, {f['base_seconds']:.1f} s)"
            )
        print(f"   {verdict(f['first_kb'] <= TARGETS['first_kb'])} first load ≤ 150 KB: {f['first_kb']:.1f} KB")
        print(
            f"   {verdict(f['later_kb'] <= TARGETS['later_kb'])} ≤ 30 KB per later page: largest {f['later_kb']:.1f} KB"
        )
    if lost_total is not None:
        print(f"   {verdict(lost_total == 0)} 0 values lost in {runs} runs with random disconnects: {lost_total}")


if __name__ == "__main__":
    main()
