"""The test harness's cheaper flush (tests/testdb.py) leaves what Django's ``flush`` leaves."""

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.db import connection

from tests import testdb
from tests.discussions.factories import PostFactory
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _rows_by_table():
    counts = {}
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            counts[model._meta.db_table] = model._default_manager.count()
    return counts


def test_after_the_flush_every_table_is_as_a_fresh_migrate_left_it():
    kept = {ContentType: ContentType.objects.count(), Permission: Permission.objects.count()}
    site = Site.objects.get(pk=settings.SITE_ID)
    MembershipFactory.create_batch(3)
    PostFactory(thread__community=CommunityFactory())
    Permission.objects.create(
        name="made by a test", codename="made_by_a_test", content_type=ContentType.objects.get_for_model(Site)
    )
    ContentType.objects.create(app_label="nowhere", model="made_by_a_test")
    Site.objects.filter(pk=site.pk).update(domain="changed.example", name="changed")

    testdb.empty_tables_with_rows(connection)

    left = {table: n for table, n in _rows_by_table().items() if n}
    assert left == {
        "django_content_type": kept[ContentType],
        "auth_permission": kept[Permission],
        "django_site": 1,
    }
    assert not Permission.objects.filter(codename="made_by_a_test").exists()
    assert not ContentType.objects.filter(app_label="nowhere").exists()
    again = Site.objects.get(pk=settings.SITE_ID)
    assert (again.domain, again.name) == (site.domain, site.name)
