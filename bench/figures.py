"""The office's figures and the open data API at national scale: median time per request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/figures.py
    .venv/bin/python bench/figures.py --factor 0.1 --repeat 5        # SQLite file in /tmp

Uses the kept generated set of --factor (default 1: 2,000 locations, 20,000
groups, 1,000,000 enrollments; built when missing, see bench/README.md) through
a copy of its own (`gw_bench_figures_work`, dropped afterwards), migrated to this
branch, so the kept set stays as other benchmarks expect it. Then, in a child
with production settings, each request once for its queries and size, then
--repeat times for the median:

- as a coordinator: the figures page (last twelve months, every training and
  location), the same for one training, and the demand map;
- anonymously: the public overview, and the first page of each API list at 100 per page.
"""

import argparse
import sys
import time

from benchlib import (
    BENCH_PREFIX,
    bench_database,
    collect_static,
    machine_line,
    manage,
    median,
    prepare_data,
    run_child,
    table,
)

TARGETS = {"figures": "< 2 s", "api": "< 200 ms"}
PAGES = [
    ("figures", "figures page, all trainings", "/admin/cijfers/", True),
    ("figures", "figures page, one training", "/admin/cijfers/?training={course}", True),
    ("figures", "demand map", "/admin/cijfers/vraag/", True),
    ("page", "public overview", "/aanbod-en-wachttijden/", False),
    ("api", "API services", "/api/v1/services?per_page=100", False),
    ("api", "API locations", "/api/v1/locations?per_page=100", False),
    ("api", "API service_at_locations", "/api/v1/service_at_locations?per_page=100", False),
    ("api", "API schedules", "/api/v1/schedules?per_page=100", False),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", default="1", help="the generated set to measure (default 1: national)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per page (default 7)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds for each page's requests (default 300)")
    parser.add_argument("--keep", action="store_true", help="keep the migrated copy (gw_bench_figures_work)")
    parser.add_argument("--only", default="", help="measure only the pages whose name holds this text (e.g. demand)")
    return parser.parse_args()


def copy_when_free(database, source, tries=60):
    """PostgreSQL copies a database only while nobody else is connected to it: wait for that (another
    benchmark may be reading the kept set)."""
    for attempt in range(tries):
        try:
            database.copy_from(source)
            return
        except Exception as error:  # the driver's "in use" error; anything else shows after the last try
            if attempt == tries - 1:
                raise
            print(f"  {source.label} is in use ({str(error).splitlines()[0]}); trying again in 10 s", flush=True)
            time.sleep(10)


def main():
    args = parse_args()
    source = prepare_data(args.factor, seed=args.seed)
    database = bench_database(f"{BENCH_PREFIX}_figures_work")
    if database.exists():
        database.drop()
    copy_when_free(database, source)
    try:
        manage(database, "migrate", "--noinput", "-v0")
        collect_static(database)
        urls = run_child("urls", {}, database=database, timeout=120)["urls"]
        course = urls["course"]
        course_id = run_child("course_id", {"path": course}, database=database, timeout=120)["course_id"]
        rows = []
        for kind, label, path, login in PAGES:
            if args.only not in label:
                continue
            path = path.format(course=course_id)
            result = run_child(
                "requests",
                {"pages": [[label, path, login]], "repeat": args.repeat, "budget": args.timeout / 2},
                database=database,
                timeout=args.timeout,
                # Built pages: with the page cache on, the anonymous overview would come from it after the first.
                env_extra={"PAGE_CACHE": "0", "PAGE_FRAGMENT_CACHE": "0"},
            )
            samples = [line["ms"] for line in result.lines if "ms" in line]
            first = next((line for line in result.lines if "queries" in line), {})
            timing = f"{median(samples):.0f} ms" if samples else (result.stopped or result.errors[-300:])
            rows.append(
                [
                    label,
                    timing,
                    f"{first.get('bytes', 0) / 1024:.0f} KB",
                    str(first.get("queries", "–")),
                    f"{len(samples)} (HTTP {first.get('status')})",
                    TARGETS.get(kind, "–"),
                ]
            )
            print(f"  measured {label}", flush=True)
        print(f"\nFigures and open data at scale, factor {args.factor}: {machine_line(database)}")
        print(table(["what", "median", "size", "queries", "requests", "target"], rows))
    finally:
        if not args.keep:
            database.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
