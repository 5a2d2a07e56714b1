"""Demo resources: every demo community gets each kind and each status, two collections and a featured
resource this month. Idempotent: resources are keyed by (community, title), collections by title."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from communities.demo import COMMUNITIES
from communities.models import Community
from core.text import render_markdown
from resources.models import Collection, CollectionItem, Resource, join_codes

NOTES = (
    "Unit planning notes\n\n1. Start with an unplugged warm-up.\n2. Pair students for the main task.\n"
    "3. Close with a two-question exit ticket.\n"
)

# (title, kind, status, url or None for a file, grade bands, subjects, tags, description)
SPECS = [
    (
        "Sorting algorithms with playing cards",
        Resource.Kind.LESSON_PLAN,
        Resource.Status.FEATURED,
        "https://example.org/lessons/card-sorting",
        ["3-5", "6-8"],
        ["cs", "math"],
        "unplugged, algorithms",
        "A 45-minute lesson: students **sort cards** and compare strategies. Works without devices.",
    ),
    (
        "Exit ticket template",
        Resource.Kind.FILE,
        Resource.Status.APPROVED,
        None,
        ["k2", "3-5", "6-8", "9-12"],
        ["other"],
        "assessment, templates",
        "A plain-text template for two-question exit tickets.",
    ),
    (
        "Why computational thinking belongs in every subject",
        Resource.Kind.ARTICLE,
        Resource.Status.APPROVED,
        "https://example.org/articles/ct-every-subject",
        ["adult"],
        ["cs", "leadership"],
        "research",
        "A short article to share with colleagues and families.",
    ),
    (
        "Debugging out loud (video)",
        Resource.Kind.VIDEO,
        Resource.Status.APPROVED,
        "https://example.org/videos/debugging-out-loud",
        ["6-8", "9-12"],
        ["cs"],
        "debugging, modelling",
        "A teacher models thinking aloud while fixing a broken program.",
    ),
    (
        "Classroom pairing tool",
        Resource.Kind.TOOL,
        Resource.Status.SUBMITTED,
        "https://example.org/tools/pairing",
        ["3-5", "6-8"],
        ["other"],
        "group work",
        "Randomly pairs students and remembers who has worked together.",
    ),
    (
        "Coding club starter links",
        Resource.Kind.LINK,
        Resource.Status.REJECTED,
        "https://example.org/links/coding-club",
        ["6-8"],
        ["cs"],
        "clubs",
        "A list of links for starting an after-school coding club.",
    ),
    (
        "Last year's pacing guide",
        Resource.Kind.OTHER,
        Resource.Status.ARCHIVED,
        "https://example.org/guides/pacing-2024",
        ["k2", "3-5"],
        ["other"],
        "planning",
        "Kept for reference; replaced by this year's guide.",
    ),
]


def _people():
    return {u.username: u for u in User.objects.filter(username__in=["teacher", "peer", "moderator", "leader"])}


def _seed_community(community, people, now):
    submitters = [people.get("teacher") or people.get("peer"), people.get("peer"), people.get("leader")]
    curator = people.get("moderator")
    areas = list(community.focus_areas.all())
    resources = []
    for index, (title, kind, status, url, bands, subjects, tags, description) in enumerate(SPECS):
        resource = Resource.objects.filter(community=community, title=title).first()
        if resource is None:
            created = now - timedelta(days=3 * (index + 1))
            resource = Resource(
                community=community,
                title=title,
                kind=kind,
                url=url or "",
                description=description,
                description_html=render_markdown(description),
                grade_bands=join_codes(bands),
                subjects=join_codes(subjects),
                tags=tags,
                submitted_by=submitters[index % len(submitters)],
                created_at=created,
                status=status,
                useful_count=0,
            )
            if status != Resource.Status.SUBMITTED:
                resource.curated_by, resource.curated_at = curator, created + timedelta(days=1)
            if status in Resource.VISIBLE_STATUSES or status == Resource.Status.ARCHIVED:
                resource.approved_at = created + timedelta(days=1)
            if status == Resource.Status.FEATURED:
                # Featured this month, whatever day the demo is seeded.
                resource.featured_at = now
            if status == Resource.Status.REJECTED:
                resource.rejection_reason = "Most of these links are behind a paywall; please share free ones."
            if url is None:
                resource.file_name = "exit-ticket-template.txt"
                resource.content_type = "text/plain; charset=utf-8"
                resource.file_size = len(NOTES.encode())
                resource.file.save("exit-ticket-template.txt", ContentFile(NOTES.encode()), save=False)
            resource.save()
            if areas:
                resource.focus_areas.add(areas[index % len(areas)])
        resources.append(resource)

    live = [r for r in resources if r.is_visible]
    collections = [
        ("Getting started", "Where new members begin: *read these first*.", live[:3]),
        ("Favourites from our meetings", "Resources members brought to our monthly chats.", live[1:]),
    ]
    for position, (title, description, items) in enumerate(collections, start=1):
        collection, _ = Collection.objects.get_or_create(
            community=community,
            title=title,
            defaults={
                "description": description,
                "description_html": render_markdown(description),
                "created_by": curator,
                "position": position,
            },
        )
        for item_position, resource in enumerate(items, start=1):
            CollectionItem.objects.get_or_create(
                collection=collection,
                resource=resource,
                defaults={"position": item_position, "note": f"Useful for {community.name.lower()} newcomers."},
            )


def seed(*, stdout):
    people = _people()
    now = timezone.now()
    for spec in COMMUNITIES:
        community = Community.objects.filter(slug=spec["slug"]).first()
        if community is not None:
            _seed_community(community, people, now)
    # Keep "featured this month" true when the demo is re-seeded in a later month.
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    stale = Resource.objects.filter(
        community__slug__in=[s["slug"] for s in COMMUNITIES],
        title=SPECS[0][0],
        status=Resource.Status.FEATURED,
        featured_at__lt=month_start,
    )
    stale.update(featured_at=now)
