from django.db.models.fields.files import FieldFile
from django.http import FileResponse


def download_response(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """A stored file as a download: never rendered inline, never sniffed into something else."""
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
