"""The booking core: the rules every journey, admin screen, task and test calls.

One module per role (see booking/README.md for the layers and the lock order):
``locks`` (the lock order), ``places`` (hold, confirm, cancel, expire),
``availability`` (the one "bookable" rule and the group listings), ``offers``
(freed places go to the waiting list), ``planning`` (sessions, group status),
``participants`` (who may sign up), ``stops``, ``money``, ``links``,
``notifications`` (the once-only outbox), ``calendars``, ``access_log``,
``consent`` and ``errors``. Nothing here imports a journey, a view or the admin.
"""
