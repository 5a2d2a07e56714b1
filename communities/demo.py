"""Demo districts and three communities showing the three visibilities. Idempotent."""

from datetime import timedelta

from django.utils import timezone

from accounts.demo import ensure_user
from accounts.models import District, User
from communities.models import Community, FocusArea, Invitation, JoinRequest, Membership
from communities.services import INVITATION_DAYS

DISTRICTS = [
    ("Riverside USD", "Riverside County"),
    ("Lakeview SD", "Lake County"),
    ("Hillcrest USD", "Hill County"),
    ("Bayside SD", "Bay County"),
]

COMMUNITIES = [
    {
        "slug": "computational-thinking-k8",
        "name": "Computational Thinking K-8",
        "tagline": "Bringing problem decomposition and coding into every K-8 classroom.",
        "domain": "Teaching computational thinking across subjects in grades K-8.",
        "purpose": "Share unplugged activities, coding lessons and assessment ideas; "
        "grow a bank of classroom-tested lessons by the end of the school year.",
        "audience": Community.Audience.K8_TEACHERS,
        "audience_detail": "K-8 classroom teachers and technology coaches",
        "cadence": "Monthly online chat on the second Tuesday; a site visit each term.",
        "visibility": Community.Visibility.PUBLIC,
        "join_policy": Community.JoinPolicy.OPEN,
        "focus_areas": [
            ("Unplugged activities", "Teaching algorithms and patterns without screens."),
            ("Block coding", "Scratch, ScratchJr and similar tools in class."),
            ("Assessment", "How we know students are learning to think computationally."),
        ],
    },
    {
        "slug": "digital-learning-leaders",
        "name": "Digital Learning Leaders",
        "tagline": "District and site leaders planning digital learning together.",
        "domain": "Leading digital learning programs across schools and districts.",
        "purpose": "Compare device programs, professional learning plans and policies; "
        "plan joint training across districts.",
        "audience": Community.Audience.DISTRICT_LEADERS,
        "audience_detail": "Directors, coordinators and coaches of digital learning",
        "cadence": "Monthly meeting, rotating host district.",
        "visibility": Community.Visibility.MEMBERS,
        "join_policy": Community.JoinPolicy.REQUEST,
        "focus_areas": [
            ("Professional learning", "Planning and running training for staff."),
            ("Policy and privacy", "Acceptable use, student data privacy, AI guidance."),
        ],
    },
    {
        "slug": "site-leaders-circle",
        "name": "Site Leaders Circle",
        "tagline": "A confidential circle for principals.",
        "domain": "The day-to-day challenges of leading a school site.",
        "purpose": "Support each other through hard decisions in confidence.",
        "audience": Community.Audience.PRINCIPALS,
        "audience_detail": "Principals and assistant principals",
        "cadence": "Every other week, online.",
        "visibility": Community.Visibility.HIDDEN,
        "join_policy": Community.JoinPolicy.INVITATION,
        "focus_areas": [
            ("Staffing", "Hiring, retention and difficult conversations."),
            ("School culture", "Building trust with staff, students and families."),
        ],
    },
]

# Extra demo teachers so member lists and district plans have people in them.
EXTRA_PEOPLE = [
    ("jordan", "jordan@example.com", "Jordan Baptiste", 1),
    ("amara", "amara@example.com", "Amara Chen", 2),
    ("luis", "luis@example.com", "Luis Romero", 3),
    ("keiko", "keiko@example.com", "Keiko Tanaka", 0),
    ("noah", "noah@example.com", "Noah Williams", 1),
    ("fatima", "fatima@example.com", "Fatima Haddad", 2),
]


def seed(*, stdout):
    districts = [District.objects.get_or_create(name=n, defaults={"region": r})[0] for n, r in DISTRICTS]
    people = {u.username: u for u in User.objects.filter(username__in=["teacher", "peer", "moderator", "leader"])}
    district_of = {"teacher": 0, "peer": 1, "moderator": 2, "leader": 0}
    for username, index in district_of.items():
        if username in people and people[username].district_id is None:
            people[username].district = districts[index]
            people[username].save(update_fields=["district"])
    extras = []
    for username, email, display_name, district_index in EXTRA_PEOPLE:
        extras.append(ensure_user(username, email, display_name, district=districts[district_index]))

    for spec in COMMUNITIES:
        spec = dict(spec)
        focus_specs = spec.pop("focus_areas")
        community, _ = Community.objects.get_or_create(
            slug=spec["slug"], defaults={**spec, "created_by": people.get("leader")}
        )
        community.districts.add(*districts)
        for position, (name, description) in enumerate(focus_specs):
            FocusArea.objects.get_or_create(
                community=community,
                name=name,
                defaults={"slug": name.lower().replace(" ", "-"), "description": description, "position": position},
            )
        roles = {
            "moderator": {"is_moderator": True},
            "leader": {"is_district_leader": True, "is_moderator": community.slug == "digital-learning-leaders"},
            "teacher": {"is_mentor": community.is_public},
            "peer": {},
        }
        # The demo teacher waits to be let into the members-only community, so
        # the request queue has something in it.
        if community.slug == "digital-learning-leaders":
            roles.pop("teacher")
        for username, flags in roles.items():
            if username in people:
                Membership.objects.get_or_create(user=people[username], community=community, defaults=flags)
        for person in extras if not community.is_hidden else extras[:2]:
            Membership.objects.get_or_create(user=person, community=community)
        areas = list(community.focus_areas.all())
        if areas and "leader" in people:
            areas[0].leaders.add(people["moderator"])
            if len(areas) > 1:
                areas[1].leaders.add(people["leader"])
        _add_every_role(community, extras, areas)
    _add_pending_work(people)


def _add_every_role(community, extras, areas):
    """Every community shows every role: a mentor, a second district's leader, a member leading a topic."""
    jordan, amara = extras[0], extras[1]
    Membership.objects.filter(community=community, user=jordan).update(is_mentor=True)
    Membership.objects.filter(community=community, user=amara).update(is_district_leader=True)
    if areas:
        areas[-1].leaders.add(jordan)


def _add_pending_work(people):
    """A request waiting in a queue and an open invitation, so the manage pages have something to act on."""
    leaders = Community.objects.get(slug="digital-learning-leaders")
    teacher = people.get("teacher")
    if teacher and not Membership.objects.filter(community=leaders, user=teacher).exists():
        JoinRequest.objects.get_or_create(
            community=leaders,
            user=teacher,
            status=JoinRequest.Status.PENDING,
            defaults={"message": "I coach our K-5 teachers on devices and would love to learn from you all."},
        )
    circle = Community.objects.get(slug="site-leaders-circle")
    if not Invitation.objects.filter(community=circle, email="new.principal@example.com").exists():
        Invitation.objects.create(
            community=circle,
            email="new.principal@example.com",
            invited_by=people.get("moderator"),
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
