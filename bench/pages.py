"""Public pages under gunicorn with production settings, against a plain Django view through the same middleware.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --data demo --seconds 3          # SQLite file in /tmp, local-memory cache

For each data set (--data: the demo, and the generated set of --factor, default
1) it starts gunicorn (--workers sync workers, production settings from
bench/web/settings.py: the site's URLs plus a plain view at /bench/gewoon/)
and requests each page from --connections clients at once for --seconds:
the plain view, home, course index, the finder with a postcode, the course
page with the most groups, a factsheet and a StandardPage. It does so twice in
one run: once with the page cache off (every page built) and once with it on
(anonymous pages from the cache, groepswijzer/page_cache.py), each time on its
own gunicorn. For each it prints requests per second, that as a share of the
plain view's on the same server (measured before and after the pages, the mean
of both) and, built, of the StandardPage's; the share answered from the cache;
the workers' CPU time per request (from /proc), queries per request and the
response size (both counted in-process, once, built). Requests carry
X-Forwarded-Proto: https, as behind the load balancer.

The load comes from this process (asyncio, one new connection per request, as
gunicorn's sync workers close each one); on a small machine it shares the CPU
with the workers, so compare figures of one run with each other. See
bench/README.md.
"""

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from benchlib import (
    PYTHON,
    ROOT,
    children,
    collect_static,
    django_env,
    machine_line,
    prepare_data,
    process_cpu,
    run_child,
    table,
)

PAGES = [
    ("plain", "plain Django view"),
    ("home", "home"),
    ("course_index", "course index"),
    ("finder", "finder with a postcode"),
    ("course", "course page"),
    ("factsheet", "factsheet"),
    ("standard", "StandardPage"),
]
REFERENCE = {
    "home": "0.008–0.017×, 24–37 ms CPU, 17–19 queries",
    "course_index": "0.008–0.017×, 24–37 ms CPU, 17–19 queries",
    "finder": "0.008–0.017×, 24–37 ms CPU, 17–19 queries",
    "course": "0.008–0.017×, 24–37 ms CPU, 17–19 queries",
    "standard": "0.02–0.03×",
}
TARGET = "cached ≥ 0.8× plain; uncached ≥ 0.5× StandardPage"
GUNICORN = Path(PYTHON).parent / "gunicorn"
LOG = Path("/tmp/gw-bench-gunicorn.log")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="demo,generated", help="demo and/or generated (default both)")
    parser.add_argument("--factor", default="1", help="factor of the generated set (default 1: national)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5, help="seconds of load per page (default 5)")
    parser.add_argument("--connections", type=int, default=4, help="clients at once (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--fresh", action="store_true", help="build the kept databases again")
    return parser.parse_args()


# --- gunicorn ------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    def __init__(self, database, workers, page_cache):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "groepswijzer.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={workers}",
                "--worker-class=sync",
                "--timeout=300",
                f"--error-logfile={LOG}",
            ],
            cwd=ROOT,
            env=django_env(database, PAGE_CACHE="1" if page_cache else "0"),
            start_new_session=True,
        )

    def wait_until_up(self, path, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped (exit status {self.process.returncode}); see {LOG}.")
            try:
                status, _, _ = asyncio.run(request_once(self.port, path))
            except OSError:
                time.sleep(0.2)
                continue
            if status == 200:
                return
            raise SystemExit(f"{path} answered HTTP {status} under gunicorn; see {LOG}.")
        raise SystemExit(f"gunicorn did not answer within {seconds} s; see {LOG}.")

    def worker_pids(self):
        return children(self.process.pid)

    def cpu_seconds(self):
        """User plus system CPU time of all workers so far."""
        total = 0.0
        for pid in self.worker_pids():
            try:
                total += process_cpu(pid)[1]
            except OSError:
                continue
        return total

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)  # gunicorn's own process group: master and its workers
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# --- the load ------------------------------------------------------------------------------------


def http_request(path):
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
        "Accept: text/html\r\nConnection: close\r\n\r\n"
    ).encode()


async def request_once(port, path):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(http_request(path))
    await writer.drain()
    data = await reader.read()
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head[9:12]), len(body), b"\r\nX-Cache: hit" in head


async def load(port, path, seconds, connections):
    """Requests from `connections` clients until `seconds` have passed: (statuses, elapsed)."""
    loop = asyncio.get_running_loop()
    statuses = Counter()
    stop = loop.time() + seconds

    async def client():
        while loop.time() < stop:
            try:
                status, _, hit = await request_once(port, path)
            except OSError:
                status, hit = 0, False
            statuses[status] += 1
            statuses["hits"] += hit

    started = loop.time()
    await asyncio.gather(*(client() for _ in range(connections)))
    return statuses, loop.time() - started


def measure(server, path, args):
    asyncio.run(load(server.port, path, min(1.0, args.seconds), args.connections))  # every worker warm
    cpu_before = server.cpu_seconds()
    statuses, elapsed = asyncio.run(load(server.port, path, args.seconds, args.connections))
    cpu = server.cpu_seconds() - cpu_before
    hits = statuses.pop("hits", 0)
    done = sum(statuses.values())
    return {
        "hits": hits / done if done else 0,
        "rps": statuses[200] / elapsed,
        "cpu_ms": cpu * 1000 / done if done else float("nan"),
        "requests": done,
        "errors": done - statuses[200],
    }


# --- one data set --------------------------------------------------------------------------------


def kilobytes(size):
    return f"{size / 1024:.1f}" if size < 10 * 1024 else f"{size / 1024:.0f}"


def serve_and_measure(database, urls, args, *, page_cache):
    """Every page on one gunicorn, the plain view before and after: (figures per page, plain view's mean)."""
    server = Gunicorn(database, args.workers, page_cache)
    label_of = dict(PAGES)
    try:
        server.wait_until_up(urls["plain"])
        figures = {}
        for key, _ in PAGES:
            figures[key] = measure(server, urls[key], args)
            state = "from the cache" if page_cache else "built"
            print(f"  {label_of[key]}, {state}: {figures[key]['rps']:.1f} requests/s", flush=True)
        plain_after = measure(server, urls["plain"], args)
    finally:
        server.stop()
    return figures, (figures["plain"]["rps"] + plain_after["rps"]) / 2, plain_after["rps"]


def run_data_set(scale, args):
    database = prepare_data(scale, seed=args.seed, fresh=args.fresh)
    collect_static(database)
    urls = run_child("urls", {}, database=database, timeout=120)["urls"]
    pages = [[key, urls[key], False] for key, _ in PAGES]
    counted = run_child(
        "requests", {"pages": pages, "repeat": 0}, database=database, timeout=600, env_extra={"PAGE_CACHE": "0"}
    )
    in_process = {line["label"]: line for line in counted.lines if "queries" in line}
    built, plain, plain_built_after = serve_and_measure(database, urls, args, page_cache=False)
    cached, plain_cached, plain_cached_after = serve_and_measure(database, urls, args, page_cache=True)
    standard = built["standard"]["rps"]
    rows = []
    for key, label in PAGES:
        found, hit, counts = built[key], cached[key], in_process.get(key, {})
        rows.append(
            [
                label if key != "course" else f"{label} ({urls['course_title']})",
                f"{found['rps']:.1f}",
                f"{found['rps'] / plain:.3f}×",
                f"{found['rps'] / standard:.2f}×" if standard else "–",
                f"{found['cpu_ms']:.1f}",
                f"{hit['rps']:.1f}",
                f"{hit['rps'] / plain_cached:.2f}×",
                f"{hit['hits']:.0%}",
                f"{hit['cpu_ms']:.1f}",
                str(counts.get("queries", "–")),
                kilobytes(counts.get("bytes", 0)),
                f"{found['requests'] + hit['requests']} ({found['errors'] + hit['errors']} not 200)",
                REFERENCE.get(key, ""),
            ]
        )
    name = "demo data" if scale == "demo" else f"generated data, factor {scale}"
    cache = "Redis (REDIS_URL)" if os.environ.get("REDIS_URL") else "local memory (set REDIS_URL for Redis)"
    print(f"\nPages, {name}: {machine_line(database)}")
    print(
        f"gunicorn {args.workers} sync workers, production settings, cache {cache}; "
        f"{args.connections} clients for {args.seconds:g} s per page; plain view, page cache off: "
        f"{built['plain']['rps']:.0f} requests/s before the pages, {plain_built_after:.0f} after; "
        f"page cache on: {cached['plain']['rps']:.0f} before, {plain_cached_after:.0f} after"
    )
    print(
        table(
            [
                "page",
                "built: requests/s",
                "× plain",
                "× StandardPage",
                "CPU ms/request",
                "cached: requests/s",
                "× plain",
                "from the cache",
                "CPU ms/request",
                "queries (built)",
                "KB",
                "requests",
                "issue 9, before",
            ],
            rows,
        )
    )
    print(f"target: {TARGET}")


def main():
    args = parse_args()
    for data in [part.strip() for part in args.data.split(",") if part.strip()]:
        run_data_set("demo" if data == "demo" else args.factor, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
