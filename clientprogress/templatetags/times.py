"""Times as a reader reads them: in their own zone (the one the middleware activated), with the
zone named, in a <time> element whose value a machine reads."""

import datetime

from django import template
from django.utils import dateformat, formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

# A valid global date and time string: seconds, no microseconds, the zone's offset.
MACHINE_FORMAT = "Y-m-d\\TH:i:sO"


@register.filter
def zoned(value: datetime.datetime | None) -> SafeString | str:
    """`{{ signoff.signed_at|zoned }}`: "03/02/2026 6:30 p.m. (Asia/Shanghai)"."""
    if not value:
        return ""
    local = timezone.localtime(value)
    shown = _("%(time)s (%(zone)s)") % {
        "time": formats.date_format(local, "SHORT_DATETIME_FORMAT"),
        "zone": timezone.get_current_timezone_name(),
    }
    return format_html(
        '<time datetime="{}">{}</time>', dateformat.format(local, MACHINE_FORMAT), shown
    )
