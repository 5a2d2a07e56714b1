"""Writes in communities: creating, joining, leaving, roles, focus areas, requests, invitations.

Every service takes keyword-only arguments, runs in one transaction, checks
permission itself (raising ``PermissionDenied``) and returns what it made or
changed. A refusal the person can act on raises ``ValidationError`` with a message
written for them: ``code=CONFLICT`` when things already are so (already a member, the
last moderator), ``code=GONE`` for an invitation link that no longer works.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from communities.models import Community, FocusArea, Invitation, JoinRequest, Membership
from communities.permissions import Access, access_for, may_create_community
from core import mail, ratelimit
from core.mail import latest_delivery_status
from core.models import EmailDelivery
from core.refusals import CONFLICT, GONE

INVITATION_DAYS = 14
INVITATION_SALT = "communities.invitation"


# -- creating and editing ------------------------------------------------------------
@transaction.atomic
def create_community(*, creator, fields, districts=()):
    """Create a community from validated ``fields``; its creator becomes its first moderator."""
    if not may_create_community(creator):
        raise PermissionDenied("Only staff and district leaders given the right can start a community.")
    community = Community(created_by=creator, **fields)
    community.full_clean()
    community.save()
    community.districts.set(districts)
    Membership.objects.create(user=creator, community=community, is_moderator=True)
    return community


def _unique_focus_area_slug(community: Community, name, exclude_pk=None):
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


def _check_leaders_are_members(community: Community, leaders):
    member_ids = set(Membership.objects.filter(community=community, user__in=leaders).values_list("user_id", flat=True))
    if any(leader.pk not in member_ids for leader in leaders):
        raise ValidationError("Focus-area leaders must be members of the community.")


@transaction.atomic
def save_focus_area(*, access: Access, name, description="", leaders=(), focus_area: FocusArea | None = None):
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
def delete_focus_area(*, access: Access, focus_area: FocusArea):
    """Delete a focus area of ``access.community``. Moderators only."""
    if not access.may_manage or focus_area.community_id != access.community.pk:
        raise PermissionDenied("Only moderators of this community can delete its focus areas.")
    focus_area.delete()
    return focus_area


# -- joining and leaving -----------------------------------------------------------
@transaction.atomic
def join_community(*, user: User, community: Community, message=""):
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
                membership = Membership.objects.create(user=user, community=community)
        except IntegrityError as exc:
            raise ValidationError(f"You are already a member of {community.name}.", code=CONFLICT) from exc
        JoinRequest.objects.filter(community=community, user=user, status=JoinRequest.Status.PENDING).update(
            status=JoinRequest.Status.APPROVED, decided_at=timezone.now()
        )
        return membership
    try:
        with transaction.atomic():
            return JoinRequest.objects.create(community=community, user=user, message=message.strip())
    except IntegrityError as exc:
        raise ValidationError(
            "You have already asked to join. A moderator will answer your request soon.", code=CONFLICT
        ) from exc


def _other_moderators(membership: Membership):
    return Membership.objects.filter(community_id=membership.community_id, is_moderator=True).exclude(pk=membership.pk)


def _drop_membership(membership: Membership):
    """Delete a membership and what only members hold: focus-area leadership and follows."""
    areas = FocusArea.objects.filter(community_id=membership.community_id)
    FocusArea.leaders.through.objects.filter(focusarea__in=areas, user_id=membership.user_id).delete()
    FocusArea.followers.through.objects.filter(focusarea__in=areas, user_id=membership.user_id).delete()
    membership.delete()


@transaction.atomic
def leave_community(*, access: Access):
    """The member of ``access`` leaves; the last moderator may not (someone must run the community)."""
    if access.membership is None:
        raise ValidationError("You are not a member of this community.")
    membership = Membership.objects.select_for_update().get(pk=access.membership.pk)
    if membership.is_moderator and not _other_moderators(membership).exists():
        raise ValidationError(
            "You are the only moderator. Make another member a moderator before you leave.", code=CONFLICT
        )
    _drop_membership(membership)
    return membership


@transaction.atomic
def follow_focus_area(*, access: Access, focus_area: FocusArea, follow=True):
    """Follow (or stop following) a focus area; members only. Doing it twice changes nothing."""
    if not access.may_post or focus_area.community_id != access.community.pk:
        raise PermissionDenied("Only members of this community can follow its focus areas.")
    if follow:
        focus_area.followers.add(access.user)
    else:
        focus_area.followers.remove(access.user)
    return focus_area


# -- join requests -----------------------------------------------------------------
def _decide(access: Access, join_request: JoinRequest, status):
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
    return join_request


@transaction.atomic
def approve_join_request(*, access: Access, join_request: JoinRequest):
    """Approve a pending request: the requester becomes a member and is emailed."""
    join_request = _decide(access, join_request, JoinRequest.Status.APPROVED)
    Membership.objects.get_or_create(user_id=join_request.user_id, community=access.community)
    return join_request


@transaction.atomic
def decline_join_request(*, access: Access, join_request: JoinRequest):
    """Decline a pending request; the requester is emailed."""
    return _decide(access, join_request, JoinRequest.Status.DECLINED)


# -- invitations -------------------------------------------------------------------
def invitation_token(invitation: Invitation):
    """A signed, timestamped token naming the invitation; it expires with it."""
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT, compress=True)


def invitation_from_token(token: str):
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


def check_invitation_usable(invitation: Invitation):
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation link has already been used. Each link works once.", code=GONE)
    if invitation.revoked:
        raise ValidationError("This invitation was withdrawn by a moderator.", code=GONE)
    if invitation.expires_at <= timezone.now():
        raise ValidationError("This invitation link has expired. Ask a moderator to invite you again.", code=GONE)


@transaction.atomic
def invite(*, access: Access, email):
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
def resend_invitation(*, access: Access, invitation: Invitation):
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
def revoke_invitation(*, access: Access, invitation: Invitation):
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


def invited_address_is_theirs(*, user: User, invitation: Invitation):
    """Whether ``user`` has confirmed the address ``invitation`` was sent to (any of their addresses).

    Where confirming email is optional (the demo), their account's own address counts too.
    """
    email = invitation.email.strip()
    if EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
        return True
    return settings.ACCOUNT_EMAIL_VERIFICATION != "mandatory" and user.email.strip().lower() == email.lower()


def check_invitation_is_theirs(*, user: User, invitation: Invitation):
    if not invited_address_is_theirs(user=user, invitation=invitation):
        raise PermissionDenied(
            f"This invitation was sent to {invitation.email}. Log in with that address, or add and confirm "
            "it in your account's email settings, to accept it."
        )


@transaction.atomic
def accept_invitation(*, user: User, invitation: Invitation):
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
    membership = Membership.objects.create(user=user, community=invitation.community)
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_by", "accepted_at"])
    JoinRequest.objects.filter(community=invitation.community, user=user, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.APPROVED, decided_at=invitation.accepted_at
    )
    return membership


# -- roles -------------------------------------------------------------------------
@transaction.atomic
def change_roles(*, access: Access, membership: Membership, is_moderator, is_district_leader, is_mentor):
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
def remove_member(*, access: Access, membership: Membership):
    """Remove a member (and their focus-area leadership). Moderators only; not the last moderator."""
    if not access.may_manage or membership.community_id != access.community.pk:
        raise PermissionDenied("Only moderators of this community can remove members.")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_moderator and not _other_moderators(membership).exists():
        raise ValidationError("This is the only moderator. Make someone else a moderator first.", code=CONFLICT)
    _drop_membership(membership)
    return membership


@transaction.atomic
def update_community(*, access: Access, fields, districts):
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
