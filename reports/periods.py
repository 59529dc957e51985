"""ISO weeks: the period of a status report."""

import datetime
import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from clientprogress.limits import FIRST_DAY, LAST_DAY
from projects.selectors import local_today

WEEK_LABEL = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, label: str) -> "Week":
        """Reads YYYY-Www; a week that does not exist in that year, or a year our dates do not
        reach, is refused."""
        match = WEEK_LABEL.match(label.strip())
        if not match:
            raise ValueError(_("“%(label)s” is not an ISO week like 2026-W07.") % {"label": label})
        year, number = int(match[1]), int(match[2])
        if not FIRST_DAY.year <= year <= LAST_DAY.year:
            # Beyond them, the weeks around it would overflow the calendar.
            raise ValueError(
                _("Weeks from %(first)s to %(last)s only.")
                % {"first": FIRST_DAY.year, "last": LAST_DAY.year}
            )
        try:
            datetime.date.fromisocalendar(year, number, 1)
        except ValueError as error:
            raise ValueError(
                _("%(year)s has no week %(number)s.") % {"year": year, "number": number}
            ) from error
        return cls(year, number)

    @classmethod
    def containing(cls, day: datetime.date) -> "Week":
        year, number, _weekday = day.isocalendar()
        return cls(year, number)

    @classmethod
    def current(cls, *, time_zone: str, now: datetime.datetime | None = None) -> "Week":
        """The week under way in that time zone."""
        return cls.containing(local_today(time_zone, now=now))

    @classmethod
    def last_complete(cls, *, now: datetime.datetime | None = None) -> "Week":
        """The week before the current one in the site's TIME_ZONE: what the Monday mail covers."""
        return cls.current(time_zone=settings.TIME_ZONE, now=now).shifted(-1)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date.fromisocalendar(self.year, self.number, 1)

    @property
    def last_day(self) -> datetime.date:
        return self.first_day + datetime.timedelta(days=6)

    def shifted(self, weeks: int) -> "Week":
        return Week.containing(self.first_day + datetime.timedelta(weeks=weeks))

    def end_in(self, time_zone: str) -> datetime.datetime:
        """Midnight after the week's Sunday in that time zone."""
        midnight = datetime.time(tzinfo=zoneinfo.ZoneInfo(time_zone))
        return datetime.datetime.combine(self.last_day + datetime.timedelta(days=1), midnight)

    def __str__(self) -> str:
        return self.label
