"""Large exports made in the background: where their files live, and removing them once their link has expired.

The files are written under ``MEDIA_ROOT/private-exports``. Only images are
ever served from the media folder (see groepswijzer/urls.py and the web
server's configuration in docs/operations.md); a file here is reached only
through the download view, by the coordinator who asked for it.
"""

import datetime
import secrets
from pathlib import Path

from django.conf import settings

from ..models import ExportFile

FOLDER = "private-exports"
LINK_HOURS = 24


def folder():
    return Path(settings.MEDIA_ROOT) / FOLDER


def start(user, *, kind, format, filter_description, rows, now):
    """The row for one export to make; its file gets a name nobody can guess."""
    token = secrets.token_urlsafe(32)
    return ExportFile.objects.create(
        user=user,
        kind=kind,
        format=format,
        filter_description=filter_description[:300],
        rows=rows,
        token=token,
        path=f"{FOLDER}/{secrets.token_hex(16)}.{format}",
        created_at=now,
        expires_at=now + datetime.timedelta(hours=LINK_HOURS),
    )


def full_path(export):
    return Path(settings.MEDIA_ROOT) / export.path


def usable(export, user, now):
    """Whether `user` may download `export` at `now`: theirs, made, the link not expired, and still allowed to
    see enrollments (a coordinator who left the office in the meantime is not)."""
    return (
        export.user_id == user.pk
        and export.ready_at is not None
        and now < export.expires_at
        and bool(export.path)
        and user.has_perm("booking.view_enrollment")
    )


def delete_expired(now):
    """Remove the files (and rows) of exports whose link has expired. Returns how many.

    A file no row names any more (its row was erased on request with the
    account) goes too once it is older than a link lives.
    """
    removed = 0
    for export in ExportFile.objects.filter(expires_at__lte=now):
        if export.path:
            full_path(export).unlink(missing_ok=True)
        export.delete()
        removed += 1
    if folder().is_dir():
        named = {Path(path).name for path in ExportFile.objects.exclude(path="").values_list("path", flat=True)}
        cutoff = (now - datetime.timedelta(hours=LINK_HOURS)).timestamp()
        for file in folder().iterdir():
            if file.name not in named and file.stat().st_mtime <= cutoff:
                file.unlink(missing_ok=True)
                removed += 1
    return removed
