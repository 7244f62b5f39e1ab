"""Time for the periodic run's steps that work off a backlog in batches, and for the run as a whole.

A step that may leave work for the next run (anonymising people, clearing kept bookkeeping, inviting for
a questionnaire) takes a `Budget`: it starts no new batch once its own time is up, or once the run as a
whole has had its time (``GROEPSWIJZER_PERIODIC_RUN_MS``, set by the run with `whole_run`), whichever
comes first. The batch under way finishes, and every step still does its first batch, so each backlog
moves in every run; the next run goes on. Outside a run (a command, a test) only the step's own time
counts.

Here, at the bottom, because every app's steps may use it and privacy's retention uses it first.
"""

import contextlib
import contextvars
import time

_RUN_ENDS = contextvars.ContextVar("periodic_run_ends", default=None)


@contextlib.contextmanager
def whole_run(seconds):
    """While this lasts, every `Budget` also ends `seconds` from now."""
    token = _RUN_ENDS.set(time.perf_counter() + seconds)
    try:
        yield
    finally:
        _RUN_ENDS.reset(token)


class Budget:
    """The time a step may spend: no new batch starts once it ran out (the batch under way finishes)."""

    def __init__(self, seconds):
        ends = time.perf_counter() + seconds
        run_ends = _RUN_ENDS.get()
        self.ends = ends if run_ends is None else min(ends, run_ends)

    def left(self):
        return time.perf_counter() < self.ends
