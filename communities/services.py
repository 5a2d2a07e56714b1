"""Writes in communities: creating, joining, leaving, roles, focus areas, requests, invitations.

Every service takes keyword-only arguments, runs in one transaction, checks
permission itself (raising ``PermissionDenied``) and returns what it made or
changed. A refusal the person can act on raises ``ValidationError`` with a message
written for them: ``code=CONFLICT`` when things already are so (already a member, the
last moderator), ``code=GONE`` for an invitation link that no longer works.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import District, User
from communities import signals
from communities.models import Community, FocusArea, Invitation, InvitationLink, JoinRequest, Membership
from communities.permissions import Access, access_for, may_create_community
from core import mail, ratelimit
from core.mail import latest_delivery_status
from core.models import EmailDelivery
from core.refusals import CONFLICT, GONE

INVITATION_DAYS = 14
INVITATION_SALT = "communities.invitation"


# -- creating and editing ------------------------------------------------------------
@transaction.atomic
def create_community(*, creator: User, fields: dict[str, Any], districts: Iterable[District] = ()) -> Community:
    """Create a community from validated ``fields``; its creator becomes its first moderator."""
    if not may_create_community(creator):
        raise PermissionDenied("Only staff and district leaders given the right can start a community.")
    community = Community(created_by=creator, **fields)
    community.full_clean()
    community.save()
    community.districts.set(districts)
    Membership.objects.create(user=creator, community=community, is_moderator=True)
    return community


def _unique_focus_area_slug(community: Community, name: str, exclude_pk: int = 0) -> str:
    base = slugify(name)[:50] or "focus-area"
    taken = set(
        FocusArea.objects.filter(community=community, slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_leaders_are_members(community: Community, leaders: Iterable[User]) -> None:
    member_ids = set(Membership.objects.filter(community=community, user__in=leaders).values_list("user_id", flat=True))
    if any(leader.pk not in member_ids for leader in leaders):
        raise ValidationError("Focus-area leaders must be members of the community.")


@transaction.atomic
def save_focus_area(
    *,
    access: Access,
    name: str,
    description: str = "",
    leaders: Iterable[User] = (),
    focus_area: FocusArea | None = None,
) -> FocusArea:
    """Add a focus area (or change ``focus_area``); leaders must be members. Moderators only."""
    if not access.may_manage:
        raise PermissionDenied("Only moderators of this community can change its focus areas.")
    community = access.community
    leaders = list(leaders)
    _check_leaders_are_members(community, leaders)
    same_name = FocusArea.objects.filter(community=community, name__iexact=name)
    if focus_area is not None:
        same_name = same_name.exclude(pk=focus_area.pk)
    if same_name.exists():
        raise ValidationError(f"This community already has a focus area called “{name}”.")
    if focus_area is None:
        position = FocusArea.objects.filter(community=community).count()
        focus_area = FocusArea(community=community, position=position)
    elif focus_area.community_id != community.pk:
        raise PermissionDenied("That focus area belongs to another community.")
    if focus_area.pk is None or focus_area.name != name:
        focus_area.slug = _unique_focus_area_slug(community, name, exclude_pk=focus_area.pk)
    focus_area.name = name
    focus_area.description = description
    focus_area.save()
    focus_area.leaders.set(leaders)
    return focus_area


@transaction.atomic
def delete_focus_area(*, access: Access, focus_area: FocusArea) -> FocusArea:
    """Delete a focus area of ``access.community``. Moderators only."""
    if not access.may_manage or focus_area.community_id != access.community.pk:
        raise PermissionDenied("Only moderators of this community can delete its focus areas.")
    focus_area.delete()
    return focus_area


# -- joining and leaving -----------------------------------------------------------
@transaction.atomic
def join_community(*, user: User, community: Community, message: str = "") -> Membership | JoinRequest:
    """Join an open community (returns the Membership) or ask to join one by request (the JoinRequest).

    Refuses (a conflict) when the person already belongs or already asked.
    """
    access = access_for(user, community)
    if not access.is_authenticated or not access.may_view:
        raise PermissionDenied("You may not join this community.")
    if access.is_member:
        raise ValidationError(f"You are already a member of {community.name}.", code=CONFLICT)
    if community.join_policy == Community.JoinPolicy.INVITATION:
        raise PermissionDenied(
            f"{community.name} is joined by invitation only. Ask one of its moderators to invite you."
        )
    if community.join_policy == Community.JoinPolicy.OPEN:
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    user=user, community=community, district_id=initial_district(user, community)
                )
        except IntegrityError as exc:
            raise ValidationError(f"You are already a member of {community.name}.", code=CONFLICT) from exc
        JoinRequest.objects.filter(community=community, user=user, status=JoinRequest.Status.PENDING).update(
            status=JoinRequest.Status.APPROVED, decided_at=timezone.now()
        )
        return membership
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(community=community, user=user, message=message.strip())
    except IntegrityError as exc:
        raise ValidationError(
            "You have already asked to join. A moderator will answer your request soon.", code=CONFLICT
        ) from exc
    signals.join_requested.send(sender=JoinRequest, join_request=join_request)
    return join_request


def _other_moderators(membership: Membership) -> QuerySet[Membership]:
    return Membership.objects.filter(community_id=membership.community_id, is_moderator=True).exclude(pk=membership.pk)


def _drop_membership(membership: Membership) -> None:
    """Delete a membership and what only members hold: focus-area leadership and follows."""
    areas = FocusArea.objects.filter(community_id=membership.community_id)
    FocusArea.leaders.through.objects.filter(focusarea__in=areas, user_id=membership.user_id).delete()
    FocusArea.followers.through.objects.filter(focusarea__in=areas, user_id=membership.user_id).delete()
    membership.delete()


@transaction.atomic
def leave_community(*, access: Access) -> Membership:
    """The member of ``access`` leaves; the last moderator may not (someone must run the community)."""
    if not access.is_member:
        raise ValidationError("You are not a member of this community.")
    assert access.membership is not None  # is_member
    membership = Membership.objects.select_for_update().get(pk=access.membership.pk)
    if membership.is_moderator and not _other_moderators(membership).exists():
        raise ValidationError(
            "You are the only moderator. Make another member a moderator before you leave.", code=CONFLICT
        )
    _drop_membership(membership)
    return membership


@transaction.atomic
def follow_focus_area(*, access: Access, focus_area: FocusArea, follow: bool = True) -> FocusArea:
    """Follow (or stop following) a focus area; members only. Doing it twice changes nothing."""
    if not access.may_post or focus_area.community_id != access.community.pk:
        raise PermissionDenied("Only members of this community can follow its focus areas.")
    if follow:
        focus_area.followers.add(access.user)
    else:
        focus_area.followers.remove(access.user)
    return focus_area


# -- join requests -----------------------------------------------------------------
def _decide(access: Access, join_request: JoinRequest, status: str) -> JoinRequest:
    if not access.may_manage or join_request.community_id != access.community.pk:
        raise PermissionDenied("Only moderators of this community can answer requests to join.")
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError(f"This request was already {join_request.get_status_display().lower()}.", code=CONFLICT)
    join_request.status = status
    join_request.decided_by = access.user
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    from communities.tasks import send_join_request_decision

    transaction.on_commit(lambda: send_join_request_decision.delay(join_request.pk), robust=True)
    signals.join_request_decided.send(sender=JoinRequest, join_request=join_request)
    return join_request


@transaction.atomic
def approve_join_request(*, access: Access, join_request: JoinRequest) -> JoinRequest:
    """Approve a pending request: the requester becomes a member and is emailed."""
    join_request = _decide(access, join_request, JoinRequest.Status.APPROVED)
    Membership.objects.get_or_create(
        user_id=join_request.user_id,
        community=access.community,
        defaults={"district_id": initial_district(join_request.user, access.community)},
    )
    return join_request


@transaction.atomic
def decline_join_request(*, access: Access, join_request: JoinRequest) -> JoinRequest:
    """Decline a pending request; the requester is emailed."""
    return _decide(access, join_request, JoinRequest.Status.DECLINED)


# -- invitations -------------------------------------------------------------------
def invitation_token(invitation: Invitation) -> str:
    """A signed, timestamped token naming the invitation; it expires with it."""
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT, compress=True)


def invitation_from_token(token: str) -> Invitation:
    """The invitation a token names, or a ValidationError saying why the link no longer works."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=timedelta(days=INVITATION_DAYS))
    except signing.SignatureExpired as exc:
        raise ValidationError(
            "This invitation link has expired. Ask a moderator to invite you again.", code=GONE
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationError(
            "This invitation link is not valid. Check that you copied the whole link from the email."
        ) from exc
    invitation = (
        Invitation.objects.select_related("community", "invited_by").filter(pk=data.get("invitation") or 0).first()
        if isinstance(data, dict)
        else None
    )
    if invitation is None:
        raise ValidationError("This invitation no longer exists. Ask a moderator to invite you again.", code=GONE)
    return invitation


def check_invitation_usable(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation link has already been used. Each link works once.", code=GONE)
    if invitation.revoked:
        raise ValidationError("This invitation was withdrawn by a moderator.", code=GONE)
    if invitation.expires_at <= timezone.now():
        raise ValidationError("This invitation link has expired. Ask a moderator to invite you again.", code=GONE)


@transaction.atomic
def invite(*, access: Access, email: str) -> Invitation:
    """Invite ``email`` to ``access.community``; the link is emailed after commit. Moderators only.

    Rate limited per moderator (settings.INVITATION_RATE_LIMIT): RateLimited past it.
    """
    if not access.may_manage:
        raise PermissionDenied("Only moderators of this community can invite people.")
    community = access.community
    email = email.strip()
    ratelimit.hit(
        f"invite:{access.user.pk}",
        settings.INVITATION_RATE_LIMIT,
        message="You have sent many invitations in a short time. Please wait {wait} seconds before the next.",
    )
    if Membership.objects.filter(community=community, user__email__iexact=email).exists():
        raise ValidationError(f"{email} is already a member of {community.name}.")
    now = timezone.now()
    open_invitation = (
        Invitation.objects.filter(
            community=community, email__iexact=email, accepted_at__isnull=True, revoked=False, expires_at__gt=now
        )
        .annotate(email_status=latest_delivery_status("invitation"))
        .first()
    )
    if open_invitation is not None:
        if open_invitation.email_status == EmailDelivery.Status.FAILED:
            # Its email never arrived: inviting again means sending it again.
            return resend_invitation(access=access, invitation=open_invitation)
        raise ValidationError(f"{email} already has an open invitation. Withdraw it to send a new one.")
    invitation = Invitation.objects.create(
        community=community, email=email, invited_by=access.user, expires_at=now + timedelta(days=INVITATION_DAYS)
    )
    from communities.tasks import send_invitation

    transaction.on_commit(lambda: send_invitation.delay(invitation.pk), robust=True)
    return invitation


@transaction.atomic
def resend_invitation(*, access: Access, invitation: Invitation) -> Invitation:
    """Send again an open invitation whose email could not be delivered. Moderators only.

    The same link goes out again; an invitation whose email was sent (or is on its way) is left alone.
    """
    from communities.tasks import invitation_key, send_invitation

    if not access.may_manage or invitation.community_id != access.community.pk:
        raise PermissionDenied("Only moderators of this community can send its invitations.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    check_invitation_usable(invitation)
    delivery = EmailDelivery.objects.filter(key=invitation_key(invitation.pk)).first()
    if mail.suppressed_among([invitation.email]):
        raise ValidationError(
            f"Email to {invitation.email} bounced before, so we no longer write to it. Check the address.",
            code=CONFLICT,
        )
    if delivery is None:
        transaction.on_commit(lambda: send_invitation.delay(invitation.pk), robust=True)
    elif not mail.resend(delivery=delivery):
        raise ValidationError(f"The invitation to {invitation.email} was already sent or is on its way.", code=CONFLICT)
    return invitation


@transaction.atomic
def revoke_invitation(*, access: Access, invitation: Invitation) -> Invitation:
    """Withdraw an unused invitation so its link stops working. Moderators only."""
    if not access.may_manage or invitation.community_id != access.community.pk:
        raise PermissionDenied("Only moderators of this community can withdraw its invitations.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation was already accepted; remove the member instead.", code=CONFLICT)
    if invitation.revoked:
        raise ValidationError("This invitation was already withdrawn.", code=CONFLICT)
    invitation.revoked = True
    invitation.save(update_fields=["revoked"])
    return invitation


def invited_address_is_theirs(*, user: User, invitation: Invitation) -> bool:
    """Whether ``user`` has confirmed the address ``invitation`` was sent to (any of their addresses).

    Where confirming email is optional (the demo), their account's own address counts too.
    """
    email = invitation.email.strip()
    if EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
        return True
    return settings.ACCOUNT_EMAIL_VERIFICATION != "mandatory" and user.email.strip().lower() == email.lower()


def check_invitation_is_theirs(*, user: User, invitation: Invitation) -> None:
    if not invited_address_is_theirs(user=user, invitation=invitation):
        raise PermissionDenied(
            f"This invitation was sent to {invitation.email}. Log in with that address, or add and confirm "
            "it in your account's email settings, to accept it."
        )


@transaction.atomic
def accept_invitation(*, user: User, invitation: Invitation) -> Membership:
    """``user`` joins through ``invitation``; the link then stops working. Returns the Membership.

    Only someone who has confirmed the invited address may use it (a forwarded or leaked
    link lets nobody else in, hidden communities included). Someone who is already a
    member keeps the invitation unused, so it is not wasted.
    """
    if not user.is_authenticated:
        raise PermissionDenied("Log in or sign up to accept this invitation.")
    invitation = Invitation.objects.select_for_update().select_related("community").get(pk=invitation.pk)
    check_invitation_usable(invitation)
    membership = Membership.objects.filter(user=user, community=invitation.community).first()
    if membership is not None:
        return membership
    check_invitation_is_theirs(user=user, invitation=invitation)
    membership = Membership.objects.create(
        user=user, community=invitation.community, district_id=initial_district(user, invitation.community)
    )
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_by", "accepted_at"])
    _apply_invited_roles(membership, invitation)
    JoinRequest.objects.filter(community=invitation.community, user=user, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.APPROVED, decided_at=invitation.accepted_at
    )
    signals.invitation_accepted.send(sender=Invitation, invitation=invitation)
    return membership


# -- roles -------------------------------------------------------------------------
@transaction.atomic
def change_roles(
    *, access: Access, membership: Membership, is_moderator: bool, is_district_leader: bool, is_mentor: bool
) -> Membership:
    """Set a member's roles. Moderators only; the community always keeps one moderator."""
    if not access.may_manage or membership.community_id != access.community.pk:
        raise PermissionDenied("Only moderators of this community can change roles.")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_moderator and not is_moderator and not _other_moderators(membership).exists():
        raise ValidationError(
            "A community needs at least one moderator. Make someone else a moderator first.", code=CONFLICT
        )
    membership.is_moderator = is_moderator
    membership.is_district_leader = is_district_leader
    membership.is_mentor = is_mentor
    membership.save(update_fields=["is_moderator", "is_district_leader", "is_mentor"])
    return membership


@transaction.atomic
def remove_member(*, access: Access, membership: Membership) -> Membership:
    """Remove a member (and their focus-area leadership). Moderators only; not the last moderator."""
    if not access.may_manage or membership.community_id != access.community.pk:
        raise PermissionDenied("Only moderators of this community can remove members.")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_moderator and not _other_moderators(membership).exists():
        raise ValidationError("This is the only moderator. Make someone else a moderator first.", code=CONFLICT)
    _drop_membership(membership)
    return membership


@transaction.atomic
def update_community(*, access: Access, fields: dict[str, Any], districts: Iterable[District]) -> Community:
    """Change a community's settings (not its address). Moderators only."""
    if not access.may_manage:
        raise PermissionDenied("Only moderators of this community can change its settings.")
    community = Community.objects.select_for_update().get(pk=access.community.pk)
    for name, value in fields.items():
        setattr(community, name, value)
    community.full_clean(exclude=["created_by"])
    community.save()
    community.districts.set(districts)
    return community


# -- districts -----------------------------------------------------------------------
def _require_manager(
    access: Access, message: str = "Only moderators of this community (and site staff) can manage its districts."
) -> None:
    if not access.may_manage:
        raise PermissionDenied(message)


def _district_of_community(access: Access, district: District) -> District:
    if district is None or not access.community.districts.filter(pk=district.pk).exists():
        raise ValidationError({"district": "Pick one of this community's districts."})
    return district


def _check_only_ours(access: Access, district: District, verb: str) -> None:
    """A district other communities share is theirs too: only site staff may rename or merge it away."""
    if access.is_staff:
        return
    if district.communities.exclude(pk=access.community.pk).exists():
        raise PermissionDenied(
            f"{district.name} is also a district of other communities, so only site staff can {verb} it."
        )


def _clean_district_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Write the district's name, for example “Riverside USD”."})
    if len(name) > 120:
        raise ValidationError({"name": "Keep the name under 120 characters."})
    return name


@transaction.atomic
def add_district(*, access: Access, name: str, region: str = "") -> District:
    """Add a district to the community: an existing one of that name (any case) or a new one. Managers only."""
    from accounts.models import District

    _require_manager(access)
    name = _clean_district_name(name)
    district = District.objects.filter(name__iexact=name).first()
    if district is None:
        district = District.objects.create(name=name, region=(region or "").strip()[:120])
    elif access.community.districts.filter(pk=district.pk).exists():
        raise ValidationError({"name": f"{district.name} is already one of this community's districts."}, code=CONFLICT)
    access.community.districts.add(district)
    return district


@transaction.atomic
def rename_district(*, access: Access, district: District, name: str) -> District:
    """Rename a district of the community. Managers only (staff for a district other communities share)."""
    from accounts.models import District

    _require_manager(access)
    _district_of_community(access, district)
    _check_only_ours(access, district, "rename")
    name = _clean_district_name(name)
    if District.objects.filter(name__iexact=name).exclude(pk=district.pk).exists():
        raise ValidationError(
            {"name": f"There is already a district called {name}. Merge into it instead."}, code=CONFLICT
        )
    district.name = name
    district.save(update_fields=["name"])
    return district


@transaction.atomic
def merge_district(*, access: Access, source: District, target: District) -> District:
    """Merge ``source`` into ``target`` (both of this community): every duty, rotation turn, membership
    and person of ``source`` moves to ``target``, then ``source`` is gone. Returns ``target``."""
    from accounts.services import merge_districts

    _require_manager(access)
    _district_of_community(access, source)
    _district_of_community(access, target)
    if source.pk == target.pk:
        raise ValidationError({"target": "Pick another district to merge into."})
    _check_only_ours(access, source, "merge")
    return merge_districts(source=source, target=target)


@transaction.atomic
def choose_district(*, access: Access, district: District | None) -> Membership:
    """The member says which of the community's districts they answer for; pending until confirmed.

    A manager choosing for themselves is confirmed at once. ``None`` clears it.
    """
    if not access.is_member:
        raise PermissionDenied("Only members of this community can choose a district in it.")
    assert access.membership is not None  # is_member
    membership = Membership.objects.select_for_update().get(pk=access.membership.pk)
    if district is not None:
        _district_of_community(access, district)
    if district is not None and membership.district_id == district.pk:
        return membership
    membership.district = district
    membership.district_confirmed = district is not None and access.may_manage
    if district is None or not membership.district_confirmed:
        membership.is_district_leader = membership.is_district_leader and access.may_manage
    membership.save(update_fields=["district", "district_confirmed", "is_district_leader"])
    return membership


@transaction.atomic
def confirm_district(*, access: Access, membership: Membership, confirm: bool = True) -> Membership:
    """Confirm (or turn down) the district a member chose: managers and that district's leaders."""
    if membership.community_id != access.community.pk:
        raise PermissionDenied("That person is not a member of this community.")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.district_id is None:
        raise ValidationError("That member has not chosen a district.")
    if not access.may_confirm_district_of(membership):
        raise PermissionDenied("Only that district's leaders and the community's moderators can confirm it.")
    if confirm:
        membership.district_confirmed = True
    else:
        membership.district, membership.district_confirmed, membership.is_district_leader = None, False, False
    membership.save(update_fields=["district", "district_confirmed", "is_district_leader"])
    return membership


@transaction.atomic
def set_district_leader(*, access: Access, membership: Membership, is_leader: bool) -> Membership:
    """Make a member with a confirmed district one of its leaders (or no longer). Managers only."""
    _require_manager(access)
    if membership.community_id != access.community.pk:
        raise PermissionDenied("That person is not a member of this community.")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if is_leader and not membership.district_confirmed:
        raise ValidationError("Confirm the member's district before making them its leader.")
    membership.is_district_leader = is_leader
    membership.save(update_fields=["is_district_leader"])
    return membership


def initial_district(user: User, community: Community) -> int | None:
    """The district a new member starts with: their profile's, if the community has it (pending)."""
    if user.district_id and community.districts.filter(pk=user.district_id).exists():
        return user.district_id
    return None


# -- invitations in bulk -------------------------------------------------------------
MAX_BULK_LINES = 2000
MAX_BULK_BYTES = 1_000_000
_NAME_AND_ADDRESS = re.compile(r"^\s*(?P<name>[^<]*?)\s*<(?P<email>[^>]+)>\s*$")


BULK_STATUSES = ("new", "member", "invited", "duplicate", "malformed")


@dataclass
class BulkLine:
    """One line of a pasted list or CSV, and what sending would do with it."""

    number: int
    email: str
    name: str = ""
    district: District | None = None
    leads: FocusArea | str | None = None  # "district": as the district's leader
    status: str = "new"  # new, member, invited, duplicate, malformed
    problem: str = ""

    @property
    def will_send(self) -> bool:
        return self.status == "new"


def _decode_upload(data: bytes) -> str:
    if len(data) > MAX_BULK_BYTES:
        raise ValidationError("That file is larger than 1 MB. Split it, or paste the addresses instead.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError("That file is not a CSV we can read: save it as CSV (UTF-8) and try again.") from exc
    if "\x00" in text:
        raise ValidationError("That file is not a CSV we can read: save it as CSV (UTF-8) and try again.")
    return text


def _bulk_rows(text: str, upload: bytes | None) -> list[list[str]]:
    if upload is not None:
        text = _decode_upload(upload)
    text = text or ""
    too_long = ValidationError(
        f"That list has more than {MAX_BULK_LINES} lines. Send it in parts of at most {MAX_BULK_LINES}."
    )
    if text.count("\n") >= MAX_BULK_LINES + 1:
        raise too_long
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise ValidationError(f"That is not a CSV we can read ({exc}). Use one line per person: email, name.") from exc
    if len(rows) > MAX_BULK_LINES:
        raise too_long
    if rows and rows[0] and rows[0][0].strip().lower() in ("email", "e-mail", "email address"):
        rows = rows[1:]
    if not rows:
        raise ValidationError("Paste at least one email address, one per line.")
    return rows


def _bulk_line(number: int, row: list[str], districts: dict[str, District], areas: dict[str, FocusArea]) -> BulkLine:
    cells = [cell.strip() for cell in row] + ["", "", "", ""]
    email, name = cells[0], cells[1]
    match = _NAME_AND_ADDRESS.match(email)
    if match:
        email, name = match["email"].strip(), name or match["name"].strip().strip('"')
    line = BulkLine(number=number, email=email, name=name[:80])
    try:
        validate_email(email)
    except ValidationError:
        line.status, line.problem = "malformed", "not an email address"
        return line
    problem = ""
    if cells[2]:
        line.district = districts.get(cells[2].lower())
        if line.district is None:
            problem = f"no district called “{cells[2][:120]}” here"
    leads = cells[3].lower()
    if leads in ("district", "district leader"):
        line.leads = "district"
        if line.district is None:
            problem = problem or "a district leader needs a district"
    elif leads:
        line.leads = areas.get(leads)
        if line.leads is None:
            problem = problem or f"no focus area called “{cells[3][:100]}” here"
    if problem:
        line.status, line.problem = "malformed", problem
    return line


def parse_bulk_invitations(*, access: Access, text: str = "", upload: bytes | None = None) -> list[BulkLine]:
    """Read pasted lines or an uploaded CSV (email, name, district, leads) into ``BulkLine``s, each
    classified against the community: already a member, already invited, a repeat, malformed, or new.

    Refuses the whole list (ValidationError) when it is not a CSV or longer than MAX_BULK_LINES. Four queries.
    """
    _require_manager(access, "Only moderators of this community can invite people.")
    rows = _bulk_rows(text, upload)
    community = access.community
    districts = {d.name.lower(): d for d in community.districts.all()}
    areas = {a.name.lower(): a for a in community.focus_areas.all()}
    lines, seen = [], set()
    for number, row in enumerate(rows, start=1):
        line = _bulk_line(number, row, districts, areas)
        if line.status == "new" and line.email.lower() in seen:
            line.status, line.problem = "duplicate", "listed above already"
        seen.add(line.email.lower())
        lines.append(line)
    wanted = [line.email.lower() for line in lines if line.status == "new"]
    members = set(
        Membership.objects.filter(community=community)
        .annotate(address=Lower("user__email"))
        .filter(address__in=wanted)
        .values_list("address", flat=True)
    )
    invited = set(
        Invitation.objects.filter(community=community, accepted_at__isnull=True, revoked=False)
        .filter(expires_at__gt=timezone.now())
        .annotate(address=Lower("email"))
        .filter(address__in=wanted)
        .values_list("address", flat=True)
    )
    for line in lines:
        if line.status != "new":
            continue
        if line.email.lower() in members:
            line.status, line.problem = "member", "already a member"
        elif line.email.lower() in invited:
            line.status, line.problem = "invited", "already has an open invitation"
    return lines


@transaction.atomic
def send_bulk_invitations(
    *,
    access: Access,
    lines: Iterable[BulkLine],
    as_district_leader: bool = False,
    leads_focus_area: FocusArea | None = None,
) -> list[Invitation]:
    """Invite every new line at once: all the invitations are made in one transaction (nothing half
    sent) and their emails go after it commits. ``as_district_leader`` / ``leads_focus_area`` apply to
    every line that names no role of its own. Counts as one invitation for the rate limit. Returns them.
    """
    _require_manager(access, "Only moderators of this community can invite people.")
    community = access.community
    if leads_focus_area is not None and leads_focus_area.community_id != community.pk:
        raise ValidationError("Pick a focus area of this community.")
    new = [line for line in lines if line.will_send]
    if not new:
        raise ValidationError("There is no one new to invite in that list.")
    ratelimit.hit(
        f"invite:{access.user.pk}",
        settings.INVITATION_RATE_LIMIT,
        message="You have sent many invitations in a short time. Please wait {wait} seconds before the next.",
    )
    expires = timezone.now() + timedelta(days=INVITATION_DAYS)
    invitations = Invitation.objects.bulk_create(
        Invitation(
            community=community,
            email=line.email,
            name=line.name,
            invited_by=access.user,
            expires_at=expires,
            district=line.district,
            as_district_leader=(line.leads == "district" or (as_district_leader and line.district is not None)),
            leads_focus_area=(
                line.leads if isinstance(line.leads, FocusArea) else (leads_focus_area if not line.leads else None)
            ),
        )
        for line in new
    )
    from communities.tasks import send_invitation

    ids = [invitation.pk for invitation in invitations]
    transaction.on_commit(lambda: [send_invitation.delay(pk) for pk in ids], robust=True)
    return invitations


def _apply_invited_roles(membership: Membership, invitation: Invitation) -> None:
    """What the invitation made the person: their district (confirmed), its leader, a focus area's leader."""
    if invitation.district_id and invitation.community.districts.filter(pk=invitation.district_id).exists():
        membership.district_id = invitation.district_id
        membership.district_confirmed = True
        membership.is_district_leader = invitation.as_district_leader
        membership.save(update_fields=["district", "district_confirmed", "is_district_leader"])
    if invitation.leads_focus_area_id:
        area = FocusArea.objects.filter(pk=invitation.leads_focus_area_id, community=invitation.community).first()
        if area is not None:
            area.leaders.add(membership.user_id)


# -- reusable invitation links --------------------------------------------------------
MAX_LINK_DAYS = 90
MAX_LINK_USES = 1000


@transaction.atomic
def create_invitation_link(*, access: Access, days: int, max_uses: int) -> InvitationLink:
    """A link anyone may join through for ``days`` days, at most ``max_uses`` times. Moderators only."""
    _require_manager(access, "Only moderators of this community can make invitation links.")
    errors = {}
    if not isinstance(days, int) or not 1 <= days <= MAX_LINK_DAYS:
        errors["days"] = f"Pick between 1 and {MAX_LINK_DAYS} days."
    if not isinstance(max_uses, int) or not 1 <= max_uses <= MAX_LINK_USES:
        errors["max_uses"] = f"Pick between 1 and {MAX_LINK_USES} people."
    if errors:
        raise ValidationError(errors)
    return InvitationLink.objects.create(
        community=access.community,
        token=secrets.token_urlsafe(24),
        created_by=access.user,
        expires_at=timezone.now() + timedelta(days=days),
        max_uses=max_uses,
    )


@transaction.atomic
def revoke_invitation_link(*, access: Access, link: InvitationLink) -> InvitationLink:
    _require_manager(access, "Only moderators of this community can withdraw invitation links.")
    if link.community_id != access.community.pk:
        raise PermissionDenied("That link belongs to another community.")
    InvitationLink.objects.filter(pk=link.pk).update(revoked=True)
    return link


def invitation_link_from_token(token: str) -> InvitationLink:
    """The link a token names (404 if none), or a 410 ValidationError when it no longer works."""
    link = None
    if token and len(token) <= 64:
        link = InvitationLink.objects.select_related("community").filter(token=token).first()
    if link is None:
        raise Http404("This invitation link does not exist. Check that you copied all of it.")
    check_invitation_link_usable(link)
    return link


def check_invitation_link_usable(link: InvitationLink) -> None:
    if link.revoked:
        raise ValidationError("This invitation link was withdrawn by a moderator.", code=GONE)
    if link.expires_at <= timezone.now():
        raise ValidationError("This invitation link has expired. Ask a moderator for a new one.", code=GONE)
    if link.uses >= link.max_uses:
        raise ValidationError("This invitation link has been used as many times as it allows.", code=GONE)


@transaction.atomic
def join_through_link(*, user: User, link: InvitationLink) -> Membership:
    """``user`` joins through a reusable link (one use). Already a member: nothing used. Returns the Membership."""
    if not user.is_authenticated:
        raise PermissionDenied("Log in or sign up to join.")
    link = InvitationLink.objects.select_for_update().select_related("community").get(pk=link.pk)
    check_invitation_link_usable(link)
    membership = Membership.objects.filter(user=user, community=link.community).first()
    if membership is not None:
        return membership
    membership = Membership.objects.create(
        user=user, community=link.community, district_id=initial_district(user, link.community)
    )
    link.uses += 1
    link.save(update_fields=["uses"])
    return membership
