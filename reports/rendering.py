"""HTML → PDF. WeasyPrint is imported here, once per worker process: the import alone costs
about a second, which a task must not pay each time."""

import io
import logging
import mimetypes
import posixpath

import pypdf
import weasyprint
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from milestones.selectors import HEALTH_LABELS
from projects.models import User

from .models import StatusReport
from .periods import Week
from .selectors import ReportData, portfolio_rows

logger = logging.getLogger(__name__)

# Fonts are looked up once per worker process and shared by every render (faster, and a
# worker's memory stays flat over hundreds of reports).
FONTS = FontConfiguration()

# The base URL of every report: relative links resolve under it and nothing else is served.
# `.invalid` is reserved (RFC 2606), so even a fetcher bug could not reach a real host.
ASSET_BASE = "https://report-assets.invalid/static/"


class RefusedURL(ValueError):
    """A report asked for something outside our static files."""


class StaticOnlyFetcher(URLFetcher):
    """Serves our own static files (found through the staticfiles finders) and data: URIs;
    refuses everything else (file:, http:, https:, @import, attachments alike)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self._static_path(url)
        found = finders.find(path) if path else None
        if not found:
            logger.warning("report rendering refused to fetch %s", url[:200])
            raise RefusedURL(url)
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        with open(found, "rb") as file:
            return URLFetcherResponse(url, file.read(), {"Content-Type": content_type})

    @staticmethod
    def _static_path(url: str) -> str | None:
        if not url.startswith(ASSET_BASE):
            return None
        path = posixpath.normpath(url.removeprefix(ASSET_BASE).split("?")[0].split("#")[0])
        if path.startswith(("..", "/")) or "\\" in path:
            return None
        return path


def html_to_pdf(html: str) -> bytes:
    """Renders HTML that may hold user text; only our static files can be pulled in."""
    document = weasyprint.HTML(string=html, base_url=ASSET_BASE, url_fetcher=StaticOnlyFetcher())
    return document.write_pdf(font_config=FONTS)


def report_html(data: ReportData) -> str:
    return render_to_string("reports/report.html", {"report": data})


def report_pdf(data: ReportData) -> bytes:
    return html_to_pdf(report_html(data))


def portfolio_pdf(
    *, recipient: User, week: Week, reports: list[StatusReport], with_reports: bool = True
) -> bytes:
    """The summary table first, then (unless too large to mail) each project's stored report."""
    rows = portfolio_rows(reports)
    health_counts = [
        (health, label, sum(row.health == health for row in rows))
        for health, label in HEALTH_LABELS.items()
    ]
    summary = render_to_string(
        "reports/portfolio.html",
        {
            "recipient": recipient,
            "week": week,
            "rows": rows,
            "health_counts": health_counts,
            "with_reports": with_reports,
        },
    )
    parts = [(gettext("Portfolio summary"), html_to_pdf(summary))]
    for report in reports if with_reports else []:
        with report.file.open("rb") as file:
            parts.append((report.project.name, file.read()))
    return merge_pdfs(parts)


def merge_pdfs(parts: list[tuple[str, bytes]]) -> bytes:
    """One PDF of several, each part a bookmark in the reader's outline."""
    writer = pypdf.PdfWriter()
    for title, content in parts:
        writer.append(io.BytesIO(content), outline_item=title)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
