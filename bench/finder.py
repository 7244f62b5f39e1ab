"""The finder and the pages that list a course's groups, at national scale: median ms, KB, queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/finder.py
    .venv/bin/python bench/finder.py --factor 0.1 --repeat 5        # SQLite file in /tmp

On the kept generated set of --factor (built when missing, see bench/README.md), in a child with
production settings: the finder with several postcodes (the nearest group with a place per course,
found in the database), and the course with the most groups and its sign-up step 1, with and
without a postcode and on a later page. Each row beside issue 9's figure and its target.
"""

import argparse
import sys

from benchlib import collect_static, machine_line, prepare_data, run_child, table
from scale import measure_page

FINDER_TARGET = "< 50 ms"
PAGE_TARGET = "< 100 ms, < 100 KB"
FINDER_BEFORE = "386 ms"
PAGE_BEFORE = "546 ms, 950 KB"
AFTER_CHANGE = "after a booking change: "


def pages(urls):
    """(label, path, issue 9 before, target) for every row."""
    finder, course, step1 = urls["course_index"], urls["course"], urls["signup_step1"]
    return [
        ("reference: course index, no postcode", finder, "", "the page without the search"),
        ("finder, 5701 AB (Helmond)", f"{finder}?postcode=5701+AB", FINDER_BEFORE, FINDER_TARGET),
        ("finder, 5631 AB (Eindhoven)", f"{finder}?postcode=5631+AB", FINDER_BEFORE, FINDER_TARGET),
        ("finder, 3511 AB (Utrecht), within 10 km", f"{finder}?postcode=3511+AB&distance=10", "", FINDER_TARGET),
        ("finder, 9999 ZZ (far north)", f"{finder}?postcode=9999+ZZ", "", FINDER_TARGET),
        ("finder, age 22", f"{finder}?postcode=5701+AB&age=22", "", FINDER_TARGET),
        ("course page", course, PAGE_BEFORE, PAGE_TARGET),
        ("course page, 5701 AB", f"{course}?postcode=5701+AB", PAGE_BEFORE, PAGE_TARGET),
        ("course page, 5701 AB, page 3", f"{course}?postcode=5701+AB&pagina=3", "", PAGE_TARGET),
        ("sign-up step 1", step1, PAGE_BEFORE, PAGE_TARGET),
        ("sign-up step 1, 5701 AB", f"{step1}?postcode=5701+AB", PAGE_BEFORE, PAGE_TARGET),
        # The rows above repeat a request the web process may answer from what it keeps (a course's page of
        # groups, until the next booking change); these build it again for every request.
        (AFTER_CHANGE + "course page", course, PAGE_BEFORE, PAGE_TARGET),
        (AFTER_CHANGE + "course page, 5701 AB", f"{course}?postcode=5701+AB", PAGE_BEFORE, PAGE_TARGET),
        (AFTER_CHANGE + "sign-up step 1, 5701 AB", f"{step1}?postcode=5701+AB", PAGE_BEFORE, PAGE_TARGET),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factor", default="1", help="the generated set to measure (default 1: national)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=11, help="timed requests per page (default 11)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds for each page's requests")
    parser.add_argument("--fresh", action="store_true", help="build the generated set again")
    args = parser.parse_args()

    database = prepare_data(args.factor, seed=args.seed, fresh=args.fresh)
    collect_static(database)
    urls = run_child("urls", {}, database=database, timeout=120)["urls"]
    rows = []
    for label, path, before, target in pages(urls):
        found = measure_page(database, label, path, login=False, args=args, after_change=label.startswith(AFTER_CHANGE))
        timing = found["stopped"] or f"{found['ms']:.1f} ms"
        size = f"{found['kb']:.0f} KB" if found["kb"] else "–"
        rows.append([label, timing, size, str(found["queries"]), f"{found['samples']} (HTTP {found['status']})"])
        rows[-1] += [before or "–", target]
        print(f"  measured {label}", flush=True)
    print(f"\nFinder and group listings, factor {args.factor}: {machine_line(database)}")
    print(f"course: {urls['course_title']} ({urls['course']})")
    print(table(["what", "median", "HTML", "queries", "requests", "issue 9, before", "target"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
