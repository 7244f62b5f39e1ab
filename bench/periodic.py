"""The periodic run at every scale: each step timed, on data left as the run had just run, then a day later.

    .venv/bin/python bench/periodic.py                                   # SQLite files in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/periodic.py
    .venv/bin/python bench/periodic.py --scales demo,0.01 --timeout 120

For each scale (the demo, and generated sets at factors 0.01, 0.1 and 1) a
kept database is built once (bench/benchlib.py, `prepare_data`), copied, and
on the copy `run_periodic` runs five times at moments counted from the moment
the data was made (so however old the kept copy is, the first run comes right
after it; the clock is set to each moment with time-machine):

0. a minute before, the backlogs the generated data leaves the two steps with a time budget are worked
   off without one (people whose retention period ran out, questionnaire invitations of groups about to
   start): printed on its own, as a site that runs every minute is past them after its first hours;
1. the first run after the data was made (it also queues the reminders already due);
2. a minute later, with nothing new: what every minute costs;
3. then a day's changes, through the booking rules at moments through the day: sign-ups (most
   left unpaid, so their holds run out), cancellations, people joining waiting lists;
4. a day later: the run that finds the day's work (holds and offers that ran out, checks due,
   reminders, groups that started or ended);
5. a minute after that, with nothing new again;
6. then the next day's changes at their moments, with a run every `--every` minutes between them
   (default 15; a site runs it every minute, so each of these runs finds more work than a minute's):
   the median, 90th percentile and slowest run.

A run that takes longer than --timeout is stopped and printed as "> N s (stopped)"; the runs
after it at that scale are left out. Emails a run queues are marked sent before the next run,
as a task worker would have sent them. See bench/README.md.
"""

import argparse
import statistics
import sys
import time

from benchlib import machine_line, manage, prepare_data, run_child, table, work_copy

# Issue 9's figures per run before the work on scale (demo, 1/100, 1/10, national).
REFERENCE = {"demo": "26 ms", "0.01": "0.6 s", "0.1": "11 s", "1": "≈ 28 min"}
TARGET = "< 1 s at national scale"
# What a day brings at national scale (20,000 groups over three years): sign-ups, cancellations, joins.
DAY = {"signups": 900, "cancellations": 150, "joins": 60}
PAID_SHARE = 0.4
DEMO_DAY_FACTOR = 0.001
CATCH_UP = "the budgeted steps' backlogs"
RUNS = [
    (CATCH_UP, -1),
    ("first run", 0),
    ("+1 min", 1),
    ("a day's changes", None),
    ("+1 day", 24 * 60 + 1),
    ("+1 day 1 min", 24 * 60 + 2),
]
DAY_IN_RUNS = "the next day, a run every N minutes"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="demo,0.01,0.1,1", help="comma-separated: demo and/or factors")
    parser.add_argument("--timeout", type=float, default=600, help="seconds one run may take (default 600)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data (default 1)")
    parser.add_argument("--fresh", action="store_true", help="build the kept databases again")
    parser.add_argument(
        "--every",
        type=int,
        default=15,
        help="then a day's changes with a run every N minutes between them (default 15; 0: leave out)",
    )
    parser.add_argument("--keep-work", action="store_true", help="keep the changed copy afterwards, to look at it")
    return parser.parse_args()


def actions(scale, seed, every=0):
    factor = DEMO_DAY_FACTOR if scale == "demo" else float(scale)
    day = {name: max(1, round(number * factor)) for name, number in DAY.items()}
    planned = []
    for label, minutes in RUNS:
        if label == CATCH_UP:
            planned.append({"catch_up": label, "at": minutes})
        elif minutes is None:
            planned.append({"changes": label, "from": 2, "to": 24 * 60, "paid_share": PAID_SHARE, "seed": seed, **day})
        else:
            planned.append({"run": label, "at": minutes})
    if every:
        planned.append(
            {
                "day_in_runs": DAY_IN_RUNS,
                "from": 24 * 60 + 2,
                "to": 48 * 60 + 2,
                "every": every,
                "paid_share": PAID_SHARE,
                "seed": seed + 1,
                **day,
            }
        )
    return planned


def format_did(did):
    """What a step did, short: 3, or 15+13 for a step that returns several counts (in their order)."""
    if isinstance(did, dict):
        did = list(did.values()) if len(did) > 1 else sum(did.values())
    if isinstance(did, list):
        return "+".join(str(part) for part in did)
    return str(did)


def format_ms(ms):
    if ms is None:
        return "–"
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def measure(scale, args):
    source = prepare_data(scale, seed=args.seed, fresh=args.fresh)
    work = work_copy(source)
    # The kept set has the schema of the checkout that built it; the copy gets this checkout's migrations.
    manage(work, "migrate", "--noinput", "-v0")
    state = {"since": time.monotonic(), "current": None}
    steps = {}  # (run, step) -> (ms, did)
    totals = {}  # run -> ms
    changes = {}
    caught_up = {}
    day_runs = []

    def on_line(line):
        if line.get("starting") or "t0" in line:
            state["since"], state["current"] = time.monotonic(), line.get("run")
        if "step_starts" in line:
            state["step"] = line["step_starts"]
        if "step" in line:
            steps[(line["run"], line["step"])] = (line["ms"], line["did"])
        if "total_ms" in line:
            totals[line["run"]] = line["total_ms"]
            state["since"], state["current"] = time.monotonic(), None
        if "changes" in line:
            changes.update(line)
            state["since"] = time.monotonic()
        if "day_run" in line:
            day_runs.append(line)
            state["since"] = time.monotonic()
        if "caught_up" in line:
            caught_up.update(line)
        if "caught_up" in line or "catching_up" in line:
            state["since"] = time.monotonic()

    def watch():
        if time.monotonic() - state["since"] > args.timeout:
            return f"> {args.timeout:.0f} s (stopped)"
        return ""

    planned = actions(scale, args.seed, args.every)
    result = run_child(
        "periodic",
        # From the moment the data was made: as if the first run came right after it, however old the copy.
        {"actions": planned, "seed": args.seed, "start": source.meta["data_now"]},
        database=work,
        timeout=args.timeout * len(planned) + 600,
        on_line=on_line,
        watch=watch,
    )
    if not args.keep_work:
        work.drop()
    return work, planned, steps, totals, changes, caught_up, day_runs, result, state


def day_in_runs_figures(day_runs):
    """(runs, median, 90th percentile, slowest) of the day's runs in ms, or None."""
    if not day_runs:
        return None
    times = sorted(line["run_ms"] for line in day_runs)
    return len(times), statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.9))], times[-1]


def report(scale, work, planned, steps, totals, changes, caught_up, day_runs, result, state):
    runs = [action["run"] for action in planned if "run" in action]
    step_names = list(dict.fromkeys([*(step for _, step in steps), *([state["step"]] if state.get("step") else [])]))
    rows = []
    for step in step_names:
        cells = [step]
        for run in runs:
            found = steps.get((run, step))
            if found:
                cells.append(f"{format_ms(found[0])} ({format_did(found[1])})")
            elif result.stopped and (state["current"], state.get("step")) == (run, step):
                cells.append(result.stopped)
            else:
                cells.append("–")
        rows.append(cells)
    whole = ["whole run"]
    for run in runs:
        if run in totals:
            whole.append(format_ms(totals[run]))
        elif result.stopped and state["current"] == run:
            whole.append(result.stopped)
        else:
            whole.append("–")
    rows.append(whole)
    name = "demo data" if scale == "demo" else f"generated data, factor {scale}"
    print(f"\nrun_periodic, {name}: {machine_line(work)}")
    if caught_up:
        print(
            f"before the first run, a minute earlier, {CATCH_UP} were worked off without a budget: "
            f"{caught_up.get('anonymised', 0)} people anonymised, {caught_up.get('invited', 0)} invited to "
            f"questionnaires ({format_ms(caught_up.get('ms'))}); a site that runs every minute is past them"
        )
    print(table(["step (what it did)", *runs], rows))
    if changes:
        done = ", ".join(
            f"{changes.get(key, 0)} {key}" for key in ("signups", "confirmed", "refused", "cancelled", "joined")
        )
        print(f"a day's changes, applied before '+1 day': {done} ({format_ms(changes.get('ms'))})")
    figures = day_in_runs_figures(day_runs)
    if figures:
        every = next(action["every"] for action in planned if "day_in_runs" in action)
        last = day_runs[-1]
        done = ", ".join(
            f"{last.get(key, 0)} {key}" for key in ("signups", "confirmed", "refused", "cancelled", "joined")
        )
        count, median, p90, slowest = figures
        print(
            f"the next day, its changes at their moments ({done}) and a run every {every} minutes: "
            f"{count} runs, median {format_ms(median)}, 90th percentile {format_ms(p90)}, slowest {format_ms(slowest)}"
        )
        for line in sorted(day_runs, key=lambda line: -line["run_ms"])[:3]:
            steps_text = ", ".join(
                f"{step} {format_ms(ms)} ({format_did(did)})" for step, (ms, did) in line.get("slowest_steps", [])
            )
            print(f"  a slow one, at {line['at'][11:16]}: {format_ms(line['run_ms'])}; its slowest steps: {steps_text}")
    if result.stopped and state["current"] is None:
        print(f"stopped while applying the day's changes: {result.stopped}")
    if result.stopped:
        print("the runs after a stopped one are left out: what it left undone would count in theirs")


def main():
    args = parse_args()
    scales = [scale.strip() for scale in args.scales.split(",") if scale.strip()]
    summary = []
    for scale in scales:
        outcome = measure(scale, args)
        report(scale, *outcome)
        totals, day_runs, result, state = outcome[3], outcome[6], outcome[7], outcome[8]
        figures = day_in_runs_figures(day_runs)

        def cell(run, totals=totals, result=result, state=state):
            if run in totals:
                return format_ms(totals[run])
            return result.stopped if result.stopped and state["current"] == run else "–"

        summary.append(
            [
                "demo" if scale == "demo" else f"factor {scale}",
                cell("first run"),
                cell("+1 min"),
                cell("+1 day"),
                f"{format_ms(figures[1])} / {format_ms(figures[3])}" if figures else "–",
                REFERENCE.get(scale, ""),
            ]
        )
    print("\nrun_periodic per run (target: " + TARGET + ")")
    heads = ["data", "first run", "+1 min (nothing new)", "+1 day (a day's changes)"]
    heads += [f"a day, a run every {args.every} min: median / slowest", "issue 9, before"]
    print(table(heads, summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
