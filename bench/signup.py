"""Sign-up benchmark: many people signing up at once for groups with only a few places, against a bare transaction.

    .venv/bin/python bench/signup.py                      # SQLite file under /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/signup.py

It makes its own throwaway database (a SQLite file, or the PostgreSQL database
"gw_bench" on the server in DATABASE_URL), lets worker threads sign up,
confirm and cancel for a few seconds through the booking services (with the
online payment step, and without it), and the same with a bare transaction
that only takes the lock, counts and inserts (also with the payment step in
bare form: the same requests to the fake Mollie, which runs in a process of
its own, and a plain locked update), the phases taking turns in rounds;
prints what happened, the sign-ups per second of each, their ratio and the
CPU per sign-up, and the queries and time of one sign-up alone; and removes
the database again. It exits with
status 1 only when a group was overbooked, a sign-up failed with an
unexpected error or a paid place was left unconfirmed. See bench/README.md.
"""

import argparse
import json
import os
import subprocess
import sys

from benchlib import BENCH_PREFIX, PYTHON, ROOT, PostgresDatabase, SqliteDatabase, django_env


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=16, help="simultaneous sign-up threads (default 16)")
    parser.add_argument(
        "--seconds", type=float, default=2.5, help="how long each phase runs in one round (default 2.5)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="rounds in which the phases take turns, every second round the other way round (default 4)",
    )
    parser.add_argument("--groups", type=int, default=10, help="open groups to sign up for (default 10)")
    parser.add_argument("--places", type=int, default=4, help="places per group (default 4)")
    parser.add_argument("--couples", type=float, default=0.2, help="share of sign-ups by a couple (default 0.2)")
    parser.add_argument(
        "--cancel", type=float, default=0.3, help="chance a worker first cancels one of its places (default 0.3)"
    )
    parser.add_argument("--confirm", type=float, default=0.5, help="share of holds that get confirmed (default 0.5)")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--db-name", default=BENCH_PREFIX, help="PostgreSQL database to create and drop (gw_bench…)")
    parser.add_argument("--sqlite-path", default="/tmp/gw-bench.sqlite3", help="SQLite file to create and remove")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards, to look at it")
    parser.add_argument(
        "--payments",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="a first phase that confirms through online payment at a local fake Mollie (default on)",
    )
    parser.add_argument(
        "--bare",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="a last phase with the bare transaction, to compare with (default on)",
    )
    parser.add_argument(
        "--processes",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run the phases a second time with the workers as processes instead of threads (default on)",
    )
    parser.add_argument(
        "--alone", type=int, default=100, help="sign-ups one at a time for the time of one hold (default 100; 0: none)"
    )
    args = parser.parse_args()
    if not args.db_name.startswith(BENCH_PREFIX):
        parser.error(f"--db-name must start with {BENCH_PREFIX!r}: this script drops that database afterwards.")
    return args


def main():
    args = parse_args()
    url = os.environ.get("DATABASE_URL")
    database = PostgresDatabase(url, args.db_name) if url else SqliteDatabase(args.sqlite_path)
    print(f"Setting up {database.label} …", flush=True)
    database.create()
    try:
        settings = {**vars(args), "label": database.label}
        child = subprocess.run(
            [PYTHON, "-m", "bench.signup_run", json.dumps(settings)], cwd=ROOT, env=django_env(database), check=False
        )
    finally:
        if args.keep:
            print(f"Kept {database.label}.")
        else:
            database.drop()
    return child.returncode


if __name__ == "__main__":
    sys.exit(main())
