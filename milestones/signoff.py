"""Client sign-off: the decision, the record that binds it to the exact files, and the hash
chain that makes any later edit of a record detectable."""

import hashlib
import ipaddress
import json
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from clientprogress.limits import fit_field
from notifications.models import Notification
from notifications.services import notify
from projects.models import Project, TaskCard, User
from projects.services import activity_record, card_create

from .models import DeliverableVersion, Milestone, SignOff

# Any constant works; it only has to be the same in every process that writes sign-offs.
_CHAIN_LOCK_KEY = 7_310_512_044


class SignOffRefused(Exception):
    """The decision cannot be recorded; the message says why, in words for the signer."""


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_of(value: object) -> str:
    raw = value.encode() if isinstance(value, str) else _canonical(value)
    return hashlib.sha256(raw).hexdigest()


def client_ip(request: HttpRequest) -> str | None:
    """The signer's address. X-Forwarded-For is read only behind TRUSTED_PROXY_COUNT proxies,
    and then only the entry the nearest trusted proxy wrote; anything left of it is hearsay."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        forwarded = [entry.strip() for entry in forwarded if entry.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def signoff_manifest(*, milestone: Milestone) -> list[dict]:
    """The current version of each of the milestone's deliverables: what a signature covers."""
    versions = DeliverableVersion.objects.filter(deliverable__milestone=milestone).select_related(
        "deliverable"
    )
    latest: dict[int, DeliverableVersion] = {}
    for version in versions.order_by("deliverable__title", "deliverable_id", "-number"):
        latest.setdefault(version.deliverable_id, version)
    return [
        {
            "deliverable_id": version.deliverable_id,
            "deliverable": version.deliverable.title,
            "version_id": version.pk,
            "version": version.number,
            "file_name": version.original_name,
            "size": version.size,
            "sha256": version.sha256,
        }
        for version in latest.values()
    ]


def signoff_milestone_shown(*, milestone: Milestone) -> dict:
    """What the sign-off page shows of the milestone itself; a decision stores it as it was.
    Acceptance criteria are the team's internal checks and the client is shown none of them, so
    none are stored; a criterion ever shown to the signer belongs in this list."""
    return {"title": milestone.title, "description": milestone.description, "criteria": []}


# The current wording first; earlier ones stay so that records signed under them still show
# the text their hash names.
_CONSENT_WORDINGS = (
    gettext_noop(
        "I have reviewed the files listed above, each identified by its SHA-256 fingerprint, "
        "for the milestone “%(milestone)s” (submission %(revision)s) as this page describes "
        "it. Typing my full name is my signature: by typing it and recording my decision I "
        "sign on behalf of %(organisation)s. My name, e-mail address, the time, my IP address "
        "and my browser are stored with this decision."
    ),
    gettext_noop(
        "I have reviewed the files listed above, each identified by its SHA-256 fingerprint, "
        "for the milestone “%(milestone)s” (submission %(revision)s). By typing my full name "
        "and recording my decision I sign on behalf of %(organisation)s. My name, e-mail "
        "address, the time, my IP address and my browser are stored with this decision."
    ),
)


def _consent(wording: str, *, title: str, revision: int, organisation: str) -> str:
    names = {"milestone": title, "revision": revision, "organisation": organisation}
    return _(wording) % names


def signoff_consent_text(*, milestone: Milestone, organisation: str) -> str:
    return _consent(
        _CONSENT_WORDINGS[0],
        title=milestone.title,
        revision=milestone.revision,
        organisation=organisation,
    )


def signoff_consent_shown(*, signoff: SignOff) -> str | None:
    """The consent text the signer saw, found again by its hash in any of the site's languages
    and wordings; None when it is none of them. It names the milestone's title as stored with
    the record; records of format 1 stored none, so the milestone's title now stands in."""
    title = signoff.milestone_title if signoff.record_format > 1 else signoff.milestone.title
    for wording in _CONSENT_WORDINGS:
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                text = _consent(
                    wording,
                    title=title,
                    revision=signoff.revision,
                    organisation=signoff.signer_organisation,
                )
            if sha256_of(text) == signoff.consent_sha256:
                return text
    return None


@dataclass(frozen=True)
class SignedMilestone:
    """What the signer was shown of the milestone, as far as the record proves it; None where
    it does not: format 1 records stored no copy, and their title is known only when the
    consent text, which names it, is found again with the milestone's title of today."""

    title: str | None
    description: str | None
    criteria: list[str] | None
    consent: str | None


def signoff_signed_milestone(*, signoff: SignOff) -> SignedMilestone:
    consent = signoff_consent_shown(signoff=signoff)
    if signoff.record_format > 1:
        return SignedMilestone(
            title=signoff.milestone_title,
            description=signoff.milestone_description,
            criteria=signoff.milestone_criteria,
            consent=consent,
        )
    title = signoff.milestone.title if consent else None
    return SignedMilestone(title=title, description=None, criteria=None, consent=consent)


def _name_key(name: str) -> str:
    """A name as compared: compatibility forms (full-width letters) folded, case folded, runs
    of spaces made one."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


def signoff_name_problem(*, signer: User, typed_name: str) -> str | None:
    """Why the typed name is not the signer's signature, in words for the signer; None when
    it is their full name."""
    if not _name_key(signer.full_name):
        return _(
            "Your account has no full name yet, and a signature is your full name. Ask your "
            "project manager to add it to your account, then sign."
        )
    if _name_key(typed_name) != _name_key(signer.full_name):
        return _("Type your full name, %(name)s, to sign.") % {"name": signer.full_name.strip()}
    return None


def signoff_record_hash(signoff: SignOff) -> str:
    """SHA-256 over every stored field of the record, the previous record's hash included."""
    fields = {
        "id": signoff.pk,
        "milestone": signoff.milestone_id,
        "revision": signoff.revision,
        "decision": signoff.decision,
        "comment": signoff.comment,
        "signer": signoff.signer_id,
        "signer_name": signoff.signer_name,
        "signer_email": signoff.signer_email,
        "signer_organisation": signoff.signer_organisation,
        "signed_at": signoff.signed_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "ip_address": signoff.ip_address,
        "user_agent": signoff.user_agent,
        "manifest": signoff.manifest,
        "consent_sha256": signoff.consent_sha256,
        "previous_hash": signoff.previous_hash,
    }
    shown = {
        "milestone_title": signoff.milestone_title,
        "milestone_description": signoff.milestone_description,
        "milestone_criteria": signoff.milestone_criteria,
    }
    # A format 1 record was hashed before these fields existed and keeps its hash while they
    # are empty; text found in one later was put there later, and the hash says so.
    if signoff.record_format != 1 or any(shown.values()):
        fields |= shown | {"record_format": signoff.record_format}
    return sha256_of(fields)


def _lock_chain() -> None:
    """Sign-offs join the chain one at a time, or two would claim the same predecessor.
    SQLite needs nothing: its transactions here take the write lock when they begin."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def _refusal(milestone: Milestone, revision: int) -> SignOffRefused:
    decided = SignOff.objects.filter(milestone=milestone, revision=revision).first()
    if decided is None:
        return SignOffRefused(_("This milestone is no longer waiting for your sign-off."))
    return SignOffRefused(
        _("%(name)s already recorded a decision on this submission: %(decision)s, %(time)s UTC.")
        % {
            "name": decided.signer_name,
            "decision": decided.get_decision_display(),
            "time": f"{decided.signed_at.astimezone(UTC):%Y-%m-%d %H:%M}",
        }
    )


@dataclass(frozen=True)
class Decision:
    """What the signer submitted, with the revision, milestone text, files and consent their
    page showed."""

    decision: str
    typed_name: str
    comment: str
    revision: int
    milestone_sha256: str
    manifest_sha256: str
    consent_sha256: str


def signoff_decision_now(
    *, milestone: Milestone, signer: User, decision: str, typed_name: str, comment: str = ""
) -> Decision:
    """A decision on the files and consent text as they stand now, for signing outside a page
    (demo data, scripts): a page posts the hashes of what it showed instead."""
    consent = signoff_consent_text(milestone=milestone, organisation=signer.contact.client.name)
    return Decision(
        decision=decision,
        typed_name=typed_name,
        comment=comment,
        revision=milestone.revision,
        milestone_sha256=sha256_of(signoff_milestone_shown(milestone=milestone)),
        manifest_sha256=sha256_of(signoff_manifest(milestone=milestone)),
        consent_sha256=sha256_of(consent),
    )


def signoff_record(
    *,
    milestone: Milestone,
    signer: User,
    decision: Decision,
    ip_address: str | None,
    user_agent: str,
) -> SignOff:
    """Records the one decision on the milestone's current submission. Whoever loses a race
    (double click, second tab, a colleague) gets SignOffRefused and nothing is written, and so
    does a typed name that is not the signer's full name."""
    problem = signoff_name_problem(signer=signer, typed_name=decision.typed_name)
    if problem:
        raise SignOffRefused(problem)
    try:
        with transaction.atomic():
            return _record(milestone, signer, decision, ip_address, user_agent)
    except IntegrityError as error:
        raise _refusal(milestone, decision.revision) from error


def _record(
    milestone: Milestone, signer: User, decision: Decision, ip_address: str | None, agent: str
) -> SignOff:
    _lock_chain()
    approved = decision.decision == SignOff.Decision.APPROVED
    now = timezone.now()
    claimed = Milestone.objects.filter(
        pk=milestone.pk, status=Milestone.Status.AWAITING_SIGNOFF, revision=decision.revision
    ).update(
        status=Milestone.Status.APPROVED if approved else Milestone.Status.CHANGES_REQUESTED,
        approved_at=now if approved else None,
    )
    if not claimed:
        raise _refusal(milestone, decision.revision)
    # Claimed, the row stays as it is until this transaction ends.
    milestone.refresh_from_db(fields=["status", "approved_at", "title", "description"])
    shown = signoff_milestone_shown(milestone=milestone)
    if sha256_of(shown) != decision.milestone_sha256:
        raise SignOffRefused(
            _("The milestone changed while you were reviewing it. Read it again, then sign.")
        )
    manifest = signoff_manifest(milestone=milestone)
    if sha256_of(manifest) != decision.manifest_sha256:
        raise SignOffRefused(
            _("The files changed while you were reviewing them. Check the list again, then sign.")
        )
    organisation = signer.contact.client.name
    consent = signoff_consent_text(milestone=milestone, organisation=organisation)
    if sha256_of(consent) != decision.consent_sha256:
        raise SignOffRefused(_("The consent text changed. Read it again, then sign."))
    previous = SignOff.objects.order_by("-pk").values_list("record_hash", flat=True).first()
    signoff = SignOff(
        milestone=milestone,
        revision=decision.revision,
        milestone_title=shown["title"],
        milestone_description=shown["description"],
        milestone_criteria=shown["criteria"],
        decision=decision.decision,
        comment=decision.comment.strip(),
        signer=signer,
        signer_name=decision.typed_name.strip(),
        signer_email=signer.email,
        signer_organisation=organisation,
        signed_at=now,
        ip_address=ip_address,
        user_agent=agent[:500],
        manifest=manifest,
        consent_sha256=decision.consent_sha256,
        previous_hash=previous or "",
        # The hash covers the row's id, known only after the insert.
        record_hash=uuid.uuid4().hex,
    )
    signoff.full_clean()
    signoff.save()
    signoff.record_hash = signoff_record_hash(signoff)
    SignOff.objects.filter(pk=signoff.pk).update(record_hash=signoff.record_hash)
    _follow_up(signoff, milestone.phase.project)
    transaction.on_commit(lambda: _certificate_enqueue(signoff.pk), robust=True)
    return signoff


def _certificate_enqueue(signoff_id: int) -> None:
    from .tasks import store_signoff_certificate  # the tasks module imports the models

    store_signoff_certificate.delay(signoff_id=signoff_id)


def _follow_up(signoff: SignOff, project: Project) -> None:
    milestone = signoff.milestone
    names = {"milestone": milestone.title, "name": signoff.signer_name}
    # The activity line shows its actor beside the summary; the notification stands alone.
    if signoff.decision == SignOff.Decision.APPROVED:
        summary = _("Milestone “%(milestone)s” approved") % names
        title = _("%(name)s approved “%(milestone)s”") % names
    else:
        summary = _("Changes requested to milestone “%(milestone)s”") % names
        title = _("%(name)s requested changes to “%(milestone)s”") % names
        card_create(
            actor=signoff.signer,
            project=project,
            title=fit_field(
                TaskCard,
                "title",
                _("Changes requested: %(milestone)s (round %(round)s)")
                % {"milestone": milestone.title, "round": signoff.revision},
            ),
            description=signoff.comment,
            source=TaskCard.Source.CHANGES_REQUESTED,
            revision_round=signoff.revision,
            milestone=milestone,
            assignee=project.pm,
            created_by=signoff.signer,
            client_visible=True,
        )
    activity_record(
        project=project,
        actor=signoff.signer,
        verb=f"signoff.{signoff.decision}",
        summary=summary,
        client_visible=True,
    )
    notify(
        recipient_ids=[project.pm_id],
        kind=Notification.Kind.SIGNOFF_DECIDED,
        title=title,
        text=signoff.comment,
        link=reverse("projects:detail", args=[project.pk]),
        dedupe_key=f"signoff:{signoff.pk}",
        project_id=project.pk,
        target=f"milestone:{milestone.pk}",
    )


@dataclass(frozen=True)
class ChainProblem:
    signoff_id: int
    reason: str


def signoff_chain_verify() -> tuple[int, list[ChainProblem]]:
    """Recomputes every record's hash and every link of the chain. Returns how many records
    were checked and the problems: altered records first, then broken links."""
    altered, unlinked = [], []
    previous, checked = "", 0
    for signoff in SignOff.objects.order_by("pk").iterator(chunk_size=500):
        checked += 1
        if signoff_record_hash(signoff) != signoff.record_hash:
            altered.append(ChainProblem(signoff.pk, _("its contents do not match its hash")))
        if signoff.previous_hash != previous:
            unlinked.append(
                ChainProblem(signoff.pk, _("the record before it is missing or was altered"))
            )
        previous = signoff.record_hash
    return checked, altered + unlinked


def certificate_filename(signoff: SignOff) -> str:
    return f"sign-off-{signoff.pk}-{signoff.signed_at.astimezone(UTC):%Y%m%d}.pdf"
