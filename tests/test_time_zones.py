"""One time rule: times are stored in UTC and every page shows them in its reader's zone, the
zone named where a time is evidence (sign-offs); due dates stay the client's calendar days."""

# Chinese text has its own full-width punctuation.
# ruff: noqa: RUF001

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from milestones.models import Milestone, Phase, SignOff
from projects.models import Project, User
from tests.milestones.factories import MilestoneFactory
from tests.portal.support import awaiting_milestone, decide
from tests.support import client_for

# 10:30 UTC: 18:30 in Shanghai, 11:30 in Berlin (winter time). The microseconds must not show.
SIGNED_AT = datetime.datetime(2026, 3, 2, 10, 30, 0, 123456, tzinfo=datetime.UTC)
TIME = re.compile(r'<time datetime="([^"]+)">([^<]*)</time>')


def zone_of(user: User, time_zone: str, language: str = "en") -> User:
    User.objects.filter(pk=user.pk).update(time_zone=time_zone, language=language)
    user.refresh_from_db()
    return user


@pytest.fixture
def signoff(project: Project, pm: User, client_contact: User) -> SignOff:
    milestone = awaiting_milestone(project, pm)
    with time_machine.travel(SIGNED_AT, tick=False):
        return decide(milestone, client_contact)


# Where each page tells of the sign-off (the activity lists beside them have their own times).
SIGNOFF_PARTS = {
    "milestone": re.compile(r'<section class="submit-area">.*?</section>', re.S),
    "ledger": re.compile(r'<article class="card signoff-record">.*?</article>', re.S),
    "portal project": re.compile(r'<ul class="signoffs">.*?</ul>', re.S),
}


def signoff_times(user: User, signoff: SignOff) -> dict[str, set[tuple[str, str]]]:
    """The <time> elements of the sign-off, on each page this person sees it on."""
    project = signoff.milestone.phase.project
    if user.is_client:
        urls = {"portal project": reverse("portal:project", args=[project.pk])}
    else:
        urls = {
            "milestone": reverse("milestones:milestone", args=[signoff.milestone_id]),
            "ledger": reverse("milestones:signoff_ledger", args=[project.pk]),
        }
    http = client_for(user)
    found = {}
    for name, url in urls.items():
        part = SIGNOFF_PARTS[name].search(http.get(url).content.decode()).group(0)
        found[name] = set(TIME.findall(part))
    return found


def test_a_sign_off_time_reads_the_same_on_every_page_for_readers_of_one_zone(
    pm: User, client_contact: User, signoff: SignOff
) -> None:
    expected = {("2026-03-02T18:30:00+0800", "03/02/2026 6:30 p.m. (Asia/Shanghai)")}
    internal = signoff_times(zone_of(pm, "Asia/Shanghai"), signoff)
    client = signoff_times(zone_of(client_contact, "Asia/Shanghai"), signoff)
    assert internal == {"milestone": expected, "ledger": expected}
    assert client == {"portal project": expected}


def test_each_reader_sees_a_sign_off_in_their_own_zone(
    pm: User, client_contact: User, signoff: SignOff
) -> None:
    shanghai = {("2026-03-02T18:30:00+0800", "03/02/2026 6:30 p.m. (Asia/Shanghai)")}
    berlin = {("2026-03-02T11:30:00+0100", "03/02/2026 11:30 a.m. (Europe/Berlin)")}
    assert signoff_times(zone_of(pm, "Asia/Shanghai"), signoff)["ledger"] == shanghai
    assert signoff_times(zone_of(client_contact, "Europe/Berlin"), signoff) == {
        "portal project": berlin
    }
    assert signoff_times(zone_of(pm, "Europe/Berlin"), signoff)["milestone"] == berlin


def test_a_sign_off_time_in_chinese_names_its_zone(client_contact: User, signoff: SignOff) -> None:
    times = signoff_times(zone_of(client_contact, "Asia/Shanghai", "zh-hans"), signoff)
    assert times == {
        "portal project": {("2026-03-02T18:30:00+0800", "2026年3月2日 18:30（Asia/Shanghai）")}
    }


def test_the_portal_sign_off_page_shows_earlier_decisions_in_the_reader_s_zone(
    project: Project, pm: User, client_contact: User, signoff: SignOff
) -> None:
    """A changes-requested round stays on the page of the next submission."""
    milestone = signoff.milestone
    Milestone.objects.filter(pk=milestone.pk).update(
        status=Milestone.Status.AWAITING_SIGNOFF, revision=2
    )
    zone_of(client_contact, "Europe/Berlin")
    page = client_for(client_contact).get(reverse("portal:signoff", args=[milestone.pk]))
    assert (
        "2026-03-02T11:30:00+0100",
        "03/02/2026 11:30 a.m. (Europe/Berlin)",
    ) in TIME.findall(page.content.decode())


def test_other_times_follow_the_reader_s_zone_too(pm: User, project: Project) -> None:
    """The project page's activity: the zone comes from the person, not from the server."""
    project.activities.update(created_at=SIGNED_AT)
    page = client_for(zone_of(pm, "Asia/Shanghai")).get(
        reverse("projects:detail", args=[project.pk])
    )
    values = {value for value, _text in TIME.findall(page.content.decode())}
    assert values == {"2026-03-02T18:30:00+0800"}


def test_due_dates_stay_the_client_s_calendar_days(
    pm: User, client_contact: User, project: Project
) -> None:
    """21:00 on 2 March in Berlin (the client) is already 3 March in Shanghai (the reader): a
    milestone due on 2 March is not late yet, and shows as 2 March to both."""
    MilestoneFactory(
        phase=project.phases.get(kind=Phase.Kind.PROTOTYPE),
        title="Clickable prototype",
        due_date=datetime.date(2026, 3, 2),
    )
    with time_machine.travel(datetime.datetime(2026, 3, 2, 20, 0, tzinfo=datetime.UTC)):
        internal = client_for(zone_of(pm, "Asia/Shanghai"))
        page = internal.get(reverse("projects:detail", args=[project.pk])).content.decode()
        portal = client_for(zone_of(client_contact, "Asia/Shanghai"))
        home = portal.get(reverse("portal:home")).content.decode()
    assert '</a> <small class="muted">03/02/2026</small>' in page
    assert 'Clickable prototype <span class="muted">03/02/2026</span>' in home


def test_a_zone_gone_from_the_zone_database_falls_back_to_the_site_s(
    pm: User, project: Project, settings
) -> None:
    User.objects.filter(pk=pm.pk).update(time_zone="Mars/Olympus")
    project.activities.update(created_at=SIGNED_AT)
    page = client_for(pm).get(reverse("projects:detail", args=[project.pk]))
    assert page.status_code == 200
    assert settings.TIME_ZONE == "UTC"
    assert {value for value, _text in TIME.findall(page.content.decode())} == {
        "2026-03-02T10:30:00+0000"
    }


def test_a_request_leaves_no_zone_behind_for_the_next_one(pm: User) -> None:
    client_for(zone_of(pm, "Asia/Shanghai")).get(reverse("profile"))
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_board_page_kept_for_one_zone_is_not_served_in_another(
    pm: User, project: Project
) -> None:
    http = client_for(zone_of(pm, "Asia/Shanghai"))
    board = reverse("projects:board", args=[project.pk])
    assert http.get(board).templates != []
    assert http.get(board).templates == []  # the kept page
    zone_of(pm, "Europe/Berlin")
    assert http.get(board).templates != []
