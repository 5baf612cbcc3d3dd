"""The served half of bench/write_read.py: the real service (``netwerk serve --workers N`` in a
subprocess, sharing global results through Redis) asked over HTTP as a client asks it.

One :func:`measure` per database, size and worker count:

1. start the service, wait for ``GET /ready``, then warm every worker: rounds of concurrent
   reads on fresh connections (a worker cannot be chosen, so several at once spread over
   them) until the summed metrics show a snapshot load in every worker, and two rounds more;
2. ``rounds`` times: ``POST …/ties`` (one new tie, timed); the first ``GET …/suggestions`` of
   a random actor and of one end of the new tie (timed, each; the new pair must not be
   suggested and the answer must hold the write); the first dashboard read: ``GET
   …/analysis/summary``, ``/key-figures`` and ``/gaps`` at once, as three parallel requests
   (timed until the last answer); whether each answer was marked stale, and how long after the
   write all three answer fresh (plain GETs every ``poll_s``);
3. the baseline, a full reload: ``baselines`` times stop the service, empty its Redis
   database, start it and time the same first reads (every snapshot and result computed
   afresh: what every write cost before issue 12);
4. from ``GET /metrics`` (summed over the workers): how often each global result was
   computed during the write rounds, per write.

Every request uses a new connection (a client among many: with several workers any worker may
answer). A ``202 Accepted`` answer is followed: its ``Location`` is polled until it answers
(the time counts). CPU seconds are the service's processes' (``/proc``), during each timed
step: with background recomputes running meanwhile they include those.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]

DASHBOARD = ("summary", "key-figures", "gaps")
ROUTE_NAMES = {"summary": "route.summary", "key-figures": "route.key_figures", "gaps": "route.gaps"}
_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the service


@dataclass
class Service:
    """``netwerk serve`` in a subprocess, its log in a file."""

    database_url: str
    workers: int
    redis_url: str
    port: int
    log_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.log_dir / "server.log"

    def start(self) -> float:
        """Start and wait until ``/ready`` answers 200; returns the seconds that took."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("NETWERK_")}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # a fresh one per start (netwerk serve)
        env.update(
            {
                "NETWERK_DATABASE_URL": self.database_url,
                "NETWERK_REDIS_URL": self.redis_url,
                "NETWERK_METRICS": "true",
                "NETWERK_RATE_LIMIT_PER_MINUTE": "0",
                "NETWERK_LOG_LEVEL": "WARNING",
                "NETWERK_ENVIRONMENT": "test",
                "NETWERK_DATA_DIR": str(self.log_dir),
                "NETWERK_PSEUDONYM_KEY": "bench-write-read-pseudonym-key-0123456789",
                **self.extra_env,
            }
        )
        cmd = [
            str(Path(sys.executable).with_name("netwerk")),
            "serve",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--no-migrate",
        ]
        t0 = time.perf_counter()
        with self.log_path.open("ab") as out:
            out.write(f"--- start {self.starts} ---\n".encode())
            out.flush()
            self.proc = subprocess.Popen(
                cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
            )
        self.starts += 1
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the service exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                if httpx.get(f"{self.base}/ready", timeout=2).status_code == 200:
                    return time.perf_counter() - t0
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the service did not become ready:\n{self.tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def pids(self) -> list[int]:
        """The service's processes: the master and its descendants (the workers and their
        analysis processes)."""
        if self.proc is None:
            return []
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
        found = [self.proc.pid]
        for pid in found:  # grows while walked: breadth first
            found += [child for child, parent in parents.items() if parent == pid]
        return found

    def cpu_s(self) -> float:
        """CPU seconds (user + system) of the service's processes so far."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick

    def metrics(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        """``GET /metrics`` (summed over the workers) as ``{(name, labels): value}``."""
        text = httpx.get(f"{self.base}/metrics", timeout=30).text
        samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            m = _SAMPLE.match(line.strip())
            if m:
                labels = tuple(sorted(_LABEL.findall(m.group(2) or "")))
                key = (m.group(1), labels)
                samples[key] = samples.get(key, 0.0) + float(m.group(3))
        return samples


def metric(samples: dict[Any, float], name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= set(ls))


@contextmanager
def running(service: Service) -> Iterator[Service]:
    try:
        service.start()
        yield service
    finally:
        service.stop()


def flush_redis(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        client.flushdb()
    finally:
        client.close()


# --------------------------------------------------------------------------- requests


@dataclass
class Answer:
    status: int
    seconds: float
    headers: dict[str, str]
    body: Any
    polled: int = 0  # 202 answers followed


_local = threading.local()


def _client() -> httpx.Client:
    """This thread's client: no connection is kept between requests (each request a new
    connection, as from many clients), and none of httpx's per-client set-up (its TLS
    context: ~20 ms) in the timed requests."""
    client = getattr(_local, "client", None)
    if client is None:
        client = httpx.Client(limits=httpx.Limits(max_keepalive_connections=0), timeout=600)
        _local.client = client
    return client


def request(method: str, base: str, path: str, headers: dict[str, str], **kw: Any) -> Answer:
    """One request on a new connection; a ``202`` is followed (its ``Location`` polled until
    it answers otherwise) and the time counts until then."""
    client = _client()
    t0 = time.perf_counter()
    r = client.request(method, base + path, headers=headers, **kw)
    polled = 0
    where = httpx.URL(base + path)
    while r.status_code == 202 and (polled or "location" in r.headers):
        polled += 1  # the status URL answers 202 while the computation runs, then the result
        where = where.join(r.headers.get("location", str(where)))
        time.sleep(0.05)
        r = client.get(where, headers=headers, follow_redirects=True)
    took = time.perf_counter() - t0
    try:
        body = r.json()
    except ValueError:
        body = None
    return Answer(r.status_code, took, dict(r.headers), body, polled)


def revision_of(answer: Answer) -> tuple[int | None, int | None, bool]:
    """``(revision, current revision, stale)`` of an analysis answer (headers, else body)."""
    h = answer.headers
    if "x-netwerk-revision" in h:
        return (
            int(h["x-netwerk-revision"]),
            int(h.get("x-netwerk-current-revision", h["x-netwerk-revision"])),
            h.get("x-netwerk-stale") == "true",
        )
    prov = (answer.body or {}).get("provenance") or {} if isinstance(answer.body, dict) else {}
    rev = prov.get("revision")
    cur = prov.get("current_revision") or rev
    return rev, cur, bool(prov.get("stale"))


# --------------------------------------------------------------------------- one measurement


@dataclass
class Figures:
    """What one (database, size, workers) run measured; seconds unless named otherwise."""

    workers: int
    write: list[float] = field(default_factory=list)
    write_cpu: list[float] = field(default_factory=list)
    suggest_random: list[float] = field(default_factory=list)
    suggest_end: list[float] = field(default_factory=list)
    suggest_cpu: list[float] = field(default_factory=list)
    suggest_end_cpu: list[float] = field(default_factory=list)
    dashboard: list[float] = field(default_factory=list)
    dashboard_cpu: list[float] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)  # stale answers of the three, per round
    fresh_after: list[float] = field(default_factory=list)  # write → all three fresh
    cold_suggest: list[float] = field(default_factory=list)
    cold_suggest_2: list[float] = field(default_factory=list)
    cold_dashboard: list[float] = field(default_factory=list)
    cold_cpu: list[float] = field(default_factory=list)
    computations: dict[str, float] = field(default_factory=dict)  # per write, per route
    recompute_s: dict[str, float] = field(default_factory=dict)  # mean compute time, per route
    shared: dict[str, float] = field(default_factory=dict)  # shared-result outcomes, per write
    warm_s: float = 0.0
    problems: list[str] = field(default_factory=list)
    polled_202: int = 0
    last_reads: str = ""  # the last dashboard read, per route (progress)


class Bench:
    def __init__(
        self,
        service: Service,
        network_id: str,
        token: str,
        actor_ids: list[str],
        revision: Callable[[], int],
        rng: random.Random,
        poll_s: float = 0.1,
    ) -> None:
        self.service = service
        self.nid = network_id
        self.headers = {"Authorization": f"Bearer {token}"}
        self.ids = actor_ids
        self.revision = revision
        self.rng = rng
        self.poll_s = poll_s
        self.pool = ThreadPoolExecutor(max_workers=16)

    # ------------------------------------------------------------ reads

    def get(self, path: str, **params: Any) -> Answer:
        return request(
            "GET",
            self.service.base,
            f"/api/v1/networks/{self.nid}{path}",
            self.headers,
            params=params or None,
        )

    def suggestions(self, actor: str) -> Answer:
        return self.get(f"/actors/{actor}/suggestions")

    def dashboard(self) -> tuple[float, dict[str, Answer]]:
        """The three analysis reads at once; the seconds until the last one answered."""
        t0 = time.perf_counter()
        futures = {r: self.pool.submit(self.get, f"/analysis/{r}") for r in DASHBOARD}
        answers = {r: f.result() for r, f in futures.items()}
        return time.perf_counter() - t0, answers

    def check(self, what: str, answer: Answer, figures: Figures) -> None:
        if answer.status >= 400:
            detail = answer.body if isinstance(answer.body, dict) else ""
            figures.problems.append(f"{what}: HTTP {answer.status} {detail}")
        figures.polled_202 += answer.polled

    # ------------------------------------------------------------ warming

    def warm(self, figures: Figures) -> None:
        """Concurrent rounds of every read until each worker has loaded the snapshot."""
        t0 = time.perf_counter()
        workers = self.service.workers
        for k in range(30):
            jobs = [
                self.pool.submit(self.suggestions, self.rng.choice(self.ids))
                for _ in range(2 * workers)
            ] + [
                self.pool.submit(self.get, f"/analysis/{r}")
                for r in DASHBOARD
                for _ in range(workers)
            ]
            took = [j.result() for j in jobs]
            busy = sum(a.status == 503 for a in took)  # cold workers queue past their bound
            if busy:
                log(f"    warm round {k + 1}: {busy} answered 503 (busy), asked again")
            for a in took:
                if a.status != 503:
                    self.check("warm-up read", a, figures)
            loads = metric(self.service.metrics(), "netwerk_snapshot_load_duration_seconds_count")
            slowest = max(a.seconds for a in took)
            log(f"    warm round {k + 1}: {loads:.0f} snapshot loads, slowest {slowest:.2f} s")
            if loads >= workers and k >= 2 and slowest < 2.0 and not busy:
                break
        figures.warm_s = time.perf_counter() - t0

    # ------------------------------------------------------------ one write round

    def post_tie(self, figures: Figures) -> tuple[str, str, str]:
        for _ in range(20):
            a, b = self.rng.sample(self.ids, 2)
            c0 = self.service.cpu_s()
            answer = request(
                "POST",
                self.service.base,
                f"/api/v1/networks/{self.nid}/ties",
                self.headers,
                json={"source": a, "target": b, "kind": "friend", "strength": 2},
            )
            if answer.status == 409:  # the pair has a tie already: another pair
                continue
            self.check("POST …/ties", answer, figures)
            if answer.status != 201:
                raise RuntimeError(f"POST …/ties: {answer.status} {answer.body}")
            figures.write.append(answer.seconds)
            figures.write_cpu.append(self.service.cpu_s() - c0)
            return a, b, str(answer.body["id"])
        raise RuntimeError("no new pair found in 20 tries")

    def round(self, figures: Figures) -> str:
        a, b, tie = self.post_tie(figures)
        written = time.perf_counter()
        current = self.revision()
        c0 = self.service.cpu_s()
        first = self.suggestions(
            self.rng.choice([i for i in self.rng.sample(self.ids, 3) if i not in (a, b)])
        )
        c1 = self.service.cpu_s()
        end = self.suggestions(a)
        figures.suggest_cpu.append(c1 - c0)
        figures.suggest_end_cpu.append(self.service.cpu_s() - c1)
        for what, answer in (("suggestions (random actor)", first), ("suggestions (tie end)", end)):
            self.check(what, answer, figures)
            rev = ((answer.body or {}).get("provenance") or {}).get("revision")
            if answer.status == 200 and rev is not None and rev < current:
                figures.problems.append(
                    f"{what}: answered at revision {rev}, the write made {current} "
                    "(read-your-writes)"
                )
        if end.status == 200:
            shown = {((s.get("target") or {}).get("id")) for s in end.body.get("suggestions", [])}
            if b in shown:
                figures.problems.append("suggestions (tie end): the new tie's pair suggested")
        figures.suggest_random.append(first.seconds)
        figures.suggest_end.append(end.seconds)
        c0 = self.service.cpu_s()
        took, answers = self.dashboard()
        figures.dashboard_cpu.append(self.service.cpu_s() - c0)
        figures.dashboard.append(took)
        stale = 0
        for r, answer in answers.items():
            self.check(f"analysis/{r}", answer, figures)
            stale += self.judge(r, answer, current, figures)
        figures.stale.append(stale)
        figures.last_reads = ", ".join(f"{r} {a.seconds:.2f} s" for r, a in answers.items())
        figures.fresh_after.append(self.until_fresh(current, written, figures))
        return tie

    def judge(self, route: str, answer: Answer, current: int, figures: Figures) -> int:
        """1 when the answer is marked stale; a problem when it breaks the promise (stale
        only by one revision, marked, and knowing the current revision)."""
        if answer.status != 200:
            return 0
        rev, cur, stale = revision_of(answer)
        if rev is None:
            figures.problems.append(f"analysis/{route}: no revision in the answer")
            return 0
        if stale:
            if rev < current - 1:
                figures.problems.append(
                    f"analysis/{route}: stale answer of revision {rev}, current {current}"
                )
            if cur != current:
                figures.problems.append(
                    f"analysis/{route}: stale answer names current revision {cur}, not {current}"
                )
            return 1
        if rev != current:
            figures.problems.append(
                f"analysis/{route}: answer of revision {rev} not marked stale (current {current})"
            )
        return 0

    def until_fresh(self, current: int, written: float, figures: Figures) -> float:
        """Seconds from the write until all three dashboard reads answer the current
        revision unmarked (plain GETs every ``poll_s``)."""
        waiting = set(DASHBOARD)
        deadline = time.monotonic() + 900
        while waiting and time.monotonic() < deadline:
            futures = {r: self.pool.submit(self.get, f"/analysis/{r}") for r in waiting}
            for r, f in futures.items():
                answer = f.result()
                self.check(f"analysis/{r} (polling)", answer, figures)
                if answer.status == 200:
                    rev, _, stale = revision_of(answer)
                    if not stale and rev == current:
                        waiting.discard(r)
                    elif stale and rev is not None and rev < current - 1:
                        figures.problems.append(
                            f"analysis/{r} (polling): stale answer of revision {rev}, "
                            f"current {current}"
                        )
            if waiting:
                time.sleep(self.poll_s)
        if waiting:
            figures.problems.append(f"not fresh after 900 s: {sorted(waiting)}")
        return time.perf_counter() - written

    # ------------------------------------------------------------ the baseline

    def cold(self, figures: Figures) -> None:
        """Restart with an empty Redis database and time the first reads."""
        self.service.stop()
        flush_redis(self.service.redis_url)
        self.service.start()
        a, b = self.rng.sample(self.ids, 2)
        c0 = self.service.cpu_s()
        first = self.suggestions(a)
        second = self.suggestions(b)
        took, answers = self.dashboard()
        figures.cold_cpu.append(self.service.cpu_s() - c0)
        for what, answer in (("cold suggestions", first), ("cold suggestions", second)):
            self.check(what, answer, figures)
        for r, answer in answers.items():
            self.check(f"cold analysis/{r}", answer, figures)
        figures.cold_suggest.append(first.seconds)
        figures.cold_suggest_2.append(second.seconds)
        figures.cold_dashboard.append(took)


def measure(
    *,
    database_url: str,
    workers: int,
    redis_url: str,
    network_id: str,
    token: str,
    actor_ids: list[str],
    revision: Callable[[], int],
    rounds: int,
    baselines: int,
    seed: int,
    port: int,
    env: dict[str, str] | None = None,
) -> Figures:
    """One run (see the module doc); the ties written are deleted afterwards."""
    figures = Figures(workers)
    log_dir = Path(tempfile.mkdtemp(prefix="netwerk-bench-serve-"))
    service = Service(database_url, workers, redis_url, port, log_dir, dict(env or {}))
    flush_redis(redis_url)
    written: list[str] = []
    bench = Bench(service, network_id, token, actor_ids, revision, random.Random(seed))
    try:
        took = service.start()
        log(f"    {workers} worker(s) ready in {took:.1f} s; warming")
        bench.warm(figures)
        before = service.metrics()
        for k in range(rounds):
            written.append(bench.round(figures))
            log(
                f"    round {k + 1}/{rounds}: write {figures.write[-1] * 1000:.0f} ms, "
                f"suggestions {figures.suggest_random[-1] * 1000:.0f}/"
                f"{figures.suggest_end[-1] * 1000:.0f} ms, dashboard "
                f"{figures.dashboard[-1] * 1000:.0f} ms ({figures.stale[-1]} stale; "
                f"{figures.last_reads}), "
                f"fresh after {figures.fresh_after[-1]:.1f} s"
            )
        after = service.metrics()
        for r in DASHBOARD:
            name = ROUTE_NAMES[r]
            n = metric(after, "netwerk_analysis_duration_seconds_count", analysis=name) - metric(
                before, "netwerk_analysis_duration_seconds_count", analysis=name
            )
            s = metric(after, "netwerk_analysis_duration_seconds_sum", analysis=name) - metric(
                before, "netwerk_analysis_duration_seconds_sum", analysis=name
            )
            figures.computations[r] = n / rounds
            figures.recompute_s[r] = s / n if n else 0.0
        for outcome in ("computed", "shared", "waited", "stale", "fallback"):
            figures.shared[outcome] = (
                metric(after, "netwerk_shared_results_total", outcome=outcome)
                - metric(before, "netwerk_shared_results_total", outcome=outcome)
            ) / rounds
        duplicated = {r: n for r, n in figures.computations.items() if n > 1.0}
        if duplicated:
            figures.problems.append(
                "a global result computed more than once per write across the workers: "
                + ", ".join(f"{r} {n:.2f}" for r, n in duplicated.items())
                + f" (mean compute {max(figures.recompute_s[r] for r in duplicated):.0f} s "
                f"against the lease of NETWERK_RESULT_LEASE_S; Redis fallbacks per write "
                f"{figures.shared['fallback']:.1f})"
            )
        elif figures.shared["fallback"]:
            figures.problems.append(
                f"{figures.shared['fallback']:.1f} Redis fallbacks per write (computed per "
                "process while Redis was taken for down)"
            )
        for k in range(baselines):
            bench.cold(figures)
            log(
                f"    baseline {k + 1}/{baselines} (restart, Redis emptied): suggestions "
                f"{figures.cold_suggest[-1]:.2f}/{figures.cold_suggest_2[-1]:.2f} s, dashboard "
                f"{figures.cold_dashboard[-1]:.2f} s"
            )
        text = service.log_path.read_text(errors="replace")
        down = text.count("computed per process until Redis answers again")
        if down:
            figures.problems.append(
                f"{down} time(s) a worker took Redis for down (the service log: 'global "
                "results are computed per process until Redis answers again')"
            )
        crashes = text.count("Traceback")
        if crashes:
            figures.problems.append(f"{crashes} traceback(s) in the service log:\n{service.tail()}")
    finally:
        if service.proc is not None and service.proc.poll() is None:
            for tid in written:  # leave the network as it was
                request(
                    "DELETE",
                    service.base,
                    f"/api/v1/networks/{network_id}/ties/{tid}",
                    bench.headers,
                )
        service.stop()
        bench.pool.shutdown()
    if figures.problems:
        log(f"    the service log is kept in {log_dir}")
    else:
        shutil.rmtree(log_dir, ignore_errors=True)
    return figures


# --------------------------------------------------------------------------- statistics


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def summary(values: list[float]) -> tuple[float, float, float]:
    """Median, p95 and max."""
    return statistics.median(values), p95(values), max(values)
