"""Pages and admin screens on a national-scale data set: time, size, and what an export costs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/scale.py
    .venv/bin/python bench/scale.py --factor 0.1 --repeat 5        # SQLite file in /tmp

Builds (once, then kept) the generated data set of --factor (default 1: 2,000
locations, 20,000 groups, 1,000,000 enrollments) and requests, in this
process' children, with production settings:

- the course page with the most groups, and step 1 of its sign-up: median ms and KB of HTML;
- the course finder with a postcode: median ms;
- as a coordinator, the first page of the enrollments list and of the groups list: median ms
  (PostgreSQL: also with JIT switched off for the connection, to see what JIT adds);
- the enrollments CSV export of every row: time to the first byte and the first row, total
  time, peak memory of the process, and how many access-log rows it wrote.

Every measurement has a time limit (--timeout, and --export-timeout / --export-memory for the
export); a measurement that passes it prints "> N s (stopped)". See bench/README.md.
"""

import argparse
import sys

from benchlib import collect_static, machine_line, median, prepare_data, run_child, table, work_copy

REFERENCE = {
    "course": "546 ms, 950 KB",
    "signup_step1": "546 ms, 950 KB",
    "finder": "386 ms",
    "admin_enrollments": "12.4 s",
    "admin_groups": "1.4 s (JIT adds 0.7 s)",
}
TARGET = {
    "course": "< 100 ms, < 100 KB",
    "signup_step1": "< 100 ms, < 100 KB",
    "finder": "< 50 ms",
    "admin_enrollments": "< 500 ms",
    "admin_groups": "< 500 ms",
}
LABELS = {
    "course": "course page",
    "signup_step1": "sign-up step 1",
    "finder": "finder with a postcode",
    "admin_enrollments": "admin: enrollments, first page",
    "admin_groups": "admin: groups, first page",
}
EXPORT_REFERENCE = "never finishes: > 6 GiB after 92 s; 1,000,000 access-log rows before the first byte"
EXPORT_TARGET = "first byte < 2 s, < 300 MB, one access-log row (or a few)"
GIB = 2**30


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", default="1", help="the generated set to measure (default 1: national)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per page (default 7)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds for each page's requests (default 300)")
    parser.add_argument("--export-timeout", type=float, default=300, help="seconds for the export (default 300)")
    parser.add_argument(
        "--export-memory", type=float, default=4.0, help="GiB the export may take before it is stopped (default 4)"
    )
    parser.add_argument("--no-export", action="store_true", help="leave the export out")
    parser.add_argument("--fresh", action="store_true", help="build the generated set again")
    return parser.parse_args()


def measure_page(database, key, path, *, login, args, jit="on", after_change=False):
    """(median ms, KB, queries, samples, stopped) for one page requested `repeat` times in a child.

    `after_change`: a booking change (the booking generation) before each request, as after a sign-up anywhere.
    """
    result = run_child(
        "requests",
        {"pages": [[key, path, login, after_change]], "repeat": args.repeat, "budget": args.timeout / 2, "jit": jit},
        database=database,
        timeout=args.timeout,
        # Built pages: with the page cache on, an anonymous request would be answered from it after the first.
        env_extra={"PAGE_CACHE": "0"},
    )
    samples = [line["ms"] for line in result.lines if "ms" in line]
    first = next((line for line in result.lines if "queries" in line), {})
    return {
        "ms": median(samples),
        "kb": first.get("bytes", 0) / 1024,
        "queries": first.get("queries"),
        "status": first.get("status"),
        "samples": len(samples),
        "stopped": result.stopped if not samples else "",
    }


def page_row(key, found, jit_off=None):
    if found["stopped"]:
        timing = found["stopped"]
    else:
        timing = f"{found['ms']:.0f} ms"
    size = f"{found['kb']:.0f} KB" if found["kb"] else "–"
    extra = f"{jit_off['ms']:.0f} ms" if jit_off and not jit_off["stopped"] else (jit_off or {}).get("stopped", "")
    return [
        LABELS[key],
        timing,
        size,
        str(found["queries"] if found["queries"] is not None else "–"),
        f"{found['samples']} (HTTP {found['status']})",
        extra or "–",
        REFERENCE[key],
        TARGET[key],
    ]


def access_log_rows(database):
    return database.query("SELECT count(*) FROM booking_accesslogentry")[0][0]


def measure_export(source, path, args):
    """The export in a child, on a copy (it writes to the access log); the log's rows are counted here, so a
    stopped export is counted too."""
    database = work_copy(source)
    try:
        log_before = access_log_rows(database)
        result = run_child(
            "export",
            {"path": path},
            database=database,
            timeout=args.export_timeout,
            memory_limit=args.export_memory * GIB,
            # The stream is what is measured: above this many rows the site would make the file in the background.
            env_extra={"GROEPSWIJZER_EXPORT_IN_BACKGROUND_ROWS": str(10**9)},
        )
        return result, access_log_rows(database) - log_before
    finally:
        database.drop()


def export_rows(result, log_rows):
    def seconds(key):
        value = result.get(key)
        return f"{value:.1f} s" if value is not None else (result.stopped or "–")

    rows_done = result.get("rows", result.get("progress_rows", 0))
    if not result.stopped:
        where = "–"
    elif result.get("response_seconds") is None:
        where = "in the view, before the response began"
    elif result.get("first_row") is None:
        where = "sending, before the first enrollment row"
    else:
        where = "sending rows"
    return [
        ["stopped while", where],
        ["time to first byte", seconds("first_byte")],
        ["time to first row", seconds("first_row")],
        ["total", seconds("total")],
        ["rows written", f"{rows_done:,}"],
        ["peak memory (whole process)", f"{result.peak_rss / 2**20:,.0f} MB"],
        ["access-log rows written", f"{log_rows:,}"],
    ]


def main():
    args = parse_args()
    database = prepare_data(args.factor, seed=args.seed, fresh=args.fresh)
    collect_static(database)
    urls = run_child("urls", {}, database=database, timeout=120)["urls"]
    postgres = database.engine == "PostgreSQL"
    rows = []
    for key, login in [
        ("course", False),
        ("signup_step1", False),
        ("finder", False),
        ("admin_enrollments", True),
        ("admin_groups", True),
    ]:
        found = measure_page(database, key, urls[key], login=login, args=args)
        jit_off = None
        if postgres and login:
            jit_off = measure_page(database, key, urls[key], login=login, args=args, jit="off")
        rows.append(page_row(key, found, jit_off))
        print(f"  measured {LABELS[key]}", flush=True)
    print(f"\nAt scale, factor {args.factor}: {machine_line(database)}")
    print(f"course page: {urls['course_title']} ({urls['course']})")
    print(
        table(
            ["what", "median", "HTML", "queries", "requests", "JIT off", "issue 9, before", "target"],
            rows,
        )
    )
    if not args.no_export:
        result, log_rows = measure_export(database, urls["export_csv"], args)
        print(f"\nenrollments CSV export, all rows ({urls['export_csv']})")
        print(table(["what", "measured"], export_rows(result, log_rows)))
        print(f"issue 9, before: {EXPORT_REFERENCE}\ntarget: {EXPORT_TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
