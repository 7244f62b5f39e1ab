"""Downloading a large export made in the background (``enrollments.make_export_file``), by the link in its email.

Only the coordinator who asked for it, logged in, within 24 hours; for anyone
else, or later, the link does not exist (404). Each download writes one row
in the access log, with the filter and the number of rows, like a streamed export.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.utils import timezone

from booking.models import ExportFile
from booking.services import export_files
from booking.services.access_log import log_export

CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
def download(request, token):
    export = ExportFile.objects.filter(token=token).first()
    if export is None or not export_files.usable(export, request.user, timezone.now()):
        raise Http404
    try:
        file = open(export_files.full_path(export), "rb")  # noqa: SIM115  (FileResponse closes it)
    except FileNotFoundError:
        raise Http404 from None
    log_export(request.user, f"{export.kind}: export ({export.format}){export.filter_description}", export.rows)
    return FileResponse(
        file,
        as_attachment=True,
        filename=f"{export.kind}.{export.format}",
        content_type=CONTENT_TYPES.get(export.format, "application/octet-stream"),
    )
