from io import StringIO

import pytest
from django.core.management import call_command

from digests.models import CommunityNote


@pytest.mark.django_db
def test_demo_communities_get_a_moderators_note_once():
    call_command("seed_demo", stdout=StringIO())
    count = CommunityNote.objects.count()
    assert count >= 3
    call_command("seed_demo", stdout=StringIO())
    assert CommunityNote.objects.count() == count
    assert all(note.body_html.startswith("<p>") for note in CommunityNote.objects.all())
