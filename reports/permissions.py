"""Who may see records and reports. Built on communities.permissions.Access."""


def may_see_health(access):
    """The health dashboard and impact report: managers, moderators and district leaders."""
    return access.may_moderate or access.is_district_leader


def leads_district_of(access, person):
    """``access`` is a district leader of this community in ``person``'s district."""
    return bool(access.is_district_leader and access.user.district_id and access.user.district_id == person.district_id)


def may_see_record(access, person):
    """A PD record: the member, their district leaders and the community's managers."""
    if access.is_authenticated and access.user.pk == person.pk:
        return True
    return access.may_manage or leads_district_of(access, person)


def district_scope(access):
    """The district whose member-level rows a viewer sees: None means every district (managers)."""
    if access.may_moderate:
        return None
    return access.user.district_id or 0
