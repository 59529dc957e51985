"""Rendering never reaches outside our static files, whatever the HTML or the user text says."""

import io
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pypdf
import pytest

from reports.periods import Week
from reports.rendering import ASSET_BASE, RefusedURL, StaticOnlyFetcher, html_to_pdf
from reports.services import report_render_weekly
from tests.reports.support import Week7, card, pdf_text


class Bait:
    """A web server on 127.0.0.1 that records every request it gets."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body { background: red; }")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture
def bait() -> Iterator[Bait]:
    server = Bait()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "reports.rendering"]


def test_outside_urls_are_refused_and_nothing_is_fetched_or_embedded(
    bait: Bait, caplog: pytest.LogCaptureFixture
) -> None:
    outside = [
        "file:///etc/passwd",
        f"{bait.url}/pixel.png",
        "http://169.254.169.254/latest/meta-data/iam/",
        f"{bait.url}/imported.css",
        f"{bait.url}/attachment.txt",
        "file:///etc/hostname",
        f"{bait.url}/background.png",
        "https://report-assets.invalid/clientprogress/settings.py",
    ]
    html = f"""<html><head>
      <link rel="stylesheet" href="{outside[2]}">
      <style>@import url("{outside[3]}"); body {{ background: url("{outside[6]}"); }}</style>
      <link rel="attachment" href="{outside[5]}">
    </head><body>
      <img src="{outside[0]}"><img src="{outside[1]}">
      <a rel="attachment" href="{outside[4]}">notes</a>
      <img src="../../clientprogress/settings.py">
      <p>Safe text</p>
    </body></html>"""
    with caplog.at_level(logging.WARNING, logger="reports.rendering"):
        pdf = html_to_pdf(html)
    refused = refusals(caplog)
    for url in outside:
        assert any(url in message for message in refused), f"{url} was not refused: {refused}"
    assert bait.hits == []
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.attachments == {}
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
    assert "Safe text" in pdf_text(pdf)


def test_the_fetcher_serves_our_static_files_and_data_uris_only() -> None:
    fetcher = StaticOnlyFetcher()
    stylesheet = fetcher.fetch(f"{ASSET_BASE}css/report.css")
    assert b"@page" in stylesheet.read() and stylesheet.content_type == "text/css"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in (f"{ASSET_BASE}../../manage.py", f"{ASSET_BASE}css/missing.css", "ftp://x/y"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_user_text_with_markup_appears_literally_and_fetches_nothing(
    week7: Week7, bait: Bait, caplog: pytest.LogCaptureFixture
) -> None:
    title = f'<img src="{bait.url}/x.png"> <b>R&D</b> < 5'
    card(week7.project, title, status="blocked", blocked_reason="<script>alert(1)</script> & co")
    report = report_render_weekly(
        project_id=week7.project.pk, week=Week.parse("2026-W07"), audience="internal"
    )
    with report.file.open("rb") as file:
        # Line breaks inside a table cell may fall anywhere: compare without whitespace.
        text = "".join(pdf_text(file.read(), layout=False).split())
    assert "".join(title.split()) in text
    assert "<script>alert(1)</script>&co" in text
    assert bait.hits == [] and refusals(caplog) == []
