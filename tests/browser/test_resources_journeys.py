import re

import pytest
from playwright.sync_api import expect

from communities.models import Community
from resources.models import Resource
from tests.factories import CommunityFactory, FocusAreaFactory, MembershipFactory, UserFactory
from tests.resources.samples import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def switch_user(page, login_as, user):
    page.context.clear_cookies()
    login_as(page, user)


def test_teacher_shares_a_link_moderator_features_it_and_a_colleague_finds_it_useful(page, login_as, mailoutbox):
    community = CommunityFactory(name="Math Coaches", slug="math-coaches")
    area = FocusAreaFactory(community=community, name="Number sense")
    teacher = MembershipFactory(community=community).user
    moderator = MembershipFactory(community=community, is_moderator=True).user
    colleague = MembershipFactory(community=community).user

    login_as(page, teacher)
    page.goto("/c/math-coaches/resources/")
    page.get_by_role("link", name="Share a resource").click()
    page.get_by_label(re.compile(r"^\s*Title")).fill("Number talks starter kit")
    page.get_by_label(re.compile(r"^\s*Kind of resource")).select_option("lesson_plan")
    page.get_by_label("Web address").fill("https://example.org/number-talks")
    page.get_by_label("Description").fill("Five **number talks** for the first week.")
    page.get_by_label("Number sense").check()
    page.get_by_label("3-5").check()
    page.get_by_label("Mathematics").check()
    page.screenshot(path="/tmp/resources-submit.png", full_page=True)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("A moderator will review your resource")).to_be_visible()
    expect(page.get_by_text("waiting for a moderator's review")).to_be_visible()

    switch_user(page, login_as, moderator)
    page.goto("/c/math-coaches/resources/")
    page.get_by_role("link", name="Review queue").click()
    expect(page.get_by_role("heading", name="Number talks starter kit")).to_be_visible()
    page.screenshot(path="/tmp/resources-review.png", full_page=True)
    page.get_by_role("button", name="Approve Number talks starter kit").click()
    expect(page.get_by_text("Approved: it is in the library.")).to_be_visible()
    page.goto("/c/math-coaches/resources/")
    page.get_by_role("link", name="Number talks starter kit").click()
    page.get_by_role("button", name="Feature Number talks starter kit").click()
    expect(page.get_by_text("Featured this month.")).to_be_visible()
    resource = Resource.objects.get()
    assert resource.status == "featured"
    assert resource.featured_at is not None
    assert [m.to for m in mailoutbox] == [[teacher.email], [teacher.email]]

    switch_user(page, login_as, colleague)
    page.goto("/c/math-coaches/")
    expect(page.get_by_text("Featured this month")).to_be_visible()
    page.goto("/c/math-coaches/resources/")
    page.get_by_label("Grade band").select_option("3-5")
    page.get_by_label("Focus area").select_option(label="Number sense")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("1 resource")).to_be_visible()
    page.screenshot(path="/tmp/resources-library.png", full_page=True)
    page.get_by_role("link", name="Number talks starter kit").click()
    page.get_by_role("button", name="Mark useful (0)").click()
    expect(page.get_by_role("button", name="Useful ✓ (1)")).to_be_visible()
    page.screenshot(path="/tmp/resources-detail.png", full_page=True)
    resource.refresh_from_db()
    assert resource.useful_count == 1
    assert area in resource.focus_areas.all()


def test_a_members_only_file_downloads_for_a_member_and_is_refused_to_an_outsider(page, login_as, live_server):
    community = CommunityFactory(
        name="Leaders", slug="leaders", visibility=Community.Visibility.MEMBERS, join_policy="request"
    )
    member = MembershipFactory(community=community).user
    moderator = MembershipFactory(community=community, is_moderator=True).user

    login_as(page, moderator)
    page.goto("/c/leaders/resources/submit/")
    page.get_by_label(re.compile(r"^\s*Title")).fill("Device policy draft")
    page.get_by_label(re.compile(r"^\s*Kind of resource")).select_option("file")
    page.get_by_label("Or upload a file").set_input_files(
        files=[{"name": "policy.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Add to the library").click()
    expect(page.get_by_role("link", name="Download policy.pdf")).to_be_visible()
    resource = Resource.objects.get()

    switch_user(page, login_as, member)
    page.goto(f"/c/leaders/resources/{resource.pk}/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download policy.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "policy.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read() == PDF

    switch_user(page, login_as, UserFactory())
    response = page.goto(f"/c/leaders/resources/{resource.pk}/download/")
    assert response.status == 403
    # (The test live server itself serves MEDIA_URL; that the app never does is in test_members.py.)


def test_library_works_at_phone_width(phone_page, login_as):
    community = CommunityFactory(slug="phone-lib")
    member = MembershipFactory(community=community).user
    from tests.resources.factories import ResourceFactory

    ResourceFactory.create_batch(3, community=community)
    ResourceFactory(community=community, featured=True, title="A featured resource with a rather long title")
    login_as(phone_page, member)
    phone_page.goto("/c/phone-lib/resources/")
    expect(phone_page.get_by_role("heading", name="Resource library")).to_be_visible()
    phone_page.screenshot(path="/tmp/resources-phone.png", full_page=True)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways at phone width ({width}px)"
