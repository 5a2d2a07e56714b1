from tests.matrix import SECRET_MARKER, Rule


def _note(community, author):
    from digests.models import CommunityNote
    from digests.periods import next_monthly_period

    CommunityNote.objects.create(
        community=community, period=next_monthly_period().key, body=f"Moderators' note {SECRET_MARKER}", author=author
    )
    return {}


RULES = {
    "digests:community_note": Rule("moderate", kwargs=_note),
    "digests:member_preview": Rule("moderate", kwargs=_note, data={"member": "nobody-here"}),
}
