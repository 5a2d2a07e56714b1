from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from communities.demo import COMMUNITIES
from resources.models import Collection, Resource

pytestmark = pytest.mark.django_db


def test_every_demo_community_gets_each_kind_status_two_collections_and_a_feature_this_month():
    call_command("seed_demo", stdout=StringIO())
    counts = (Resource.objects.count(), Collection.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Resource.objects.count(), Collection.objects.count()) == counts
    month_start = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for spec in COMMUNITIES:
        resources = Resource.objects.filter(community__slug=spec["slug"])
        assert set(resources.values_list("kind", flat=True)) == set(Resource.Kind.values)
        assert set(resources.values_list("status", flat=True)) == set(Resource.Status.values)
        assert Collection.objects.filter(community__slug=spec["slug"]).count() == 2
        assert resources.filter(status="featured", featured_at__gte=month_start).exists()
        file_resource = resources.get(kind="file")
        assert file_resource.file.storage.exists(file_resource.file.name)
