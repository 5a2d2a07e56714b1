import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from communities.models import Community, FocusArea, Membership
from tests.factories import CommunityFactory, DistrictFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def label(text):
    """crispy marks required fields with an asterisk, which is part of the label."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def shot(page, name):
    page.screenshot(path=f"/tmp/communities-{name}.png", full_page=True)


def test_district_leader_creates_a_community_with_two_focus_areas(page, login_as):
    riverside = DistrictFactory(name="Riverside USD")
    DistrictFactory(name="Lakeview SD")
    leader = UserFactory(display_name="Dana Whitfield", can_create_communities=True, district=riverside)
    teacher = UserFactory(display_name="Tess Alvarez", district=riverside)
    login_as(page, leader)

    page.goto("/c/")
    page.get_by_role("link", name="Start a community").click()
    page.get_by_label(label("Name")).fill("Science Labs K-5")
    page.get_by_label(label("Domain (the shared concern)")).fill("Hands-on science in elementary classrooms.")
    page.get_by_label(label("Purpose and goal")).fill("Share lab activities that work with 25 children.")
    page.get_by_label(label("Core audience")).select_option(label="K-8 teachers")
    page.get_by_label(label("How often members meet and talk")).fill("A monthly online chat.")
    page.get_by_label("Members only: listed, content for members").check()
    page.get_by_label("By request: moderators approve").check()
    page.get_by_label("Lakeview SD").check()
    shot(page, "create")
    page.get_by_role("button", name="Create community").click()

    expect(page.get_by_text("Science Labs K-5 is ready and you are its moderator")).to_be_visible()
    community = Community.objects.get(slug="science-labs-k-5")
    MembershipFactory(community=community, user=teacher)
    page.reload()
    for name, leader_name in (("Living things", "Tess Alvarez"), ("Forces and motion", "Dana Whitfield")):
        page.get_by_label(label("Name")).fill(name)
        page.get_by_label("Description").fill(f"Labs about {name.lower()}.")
        page.get_by_label(leader_name).check()
        page.get_by_role("button", name="Add focus area").click()
        expect(page.get_by_text(f"Focus area “{name}” added.")).to_be_visible()
    shot(page, "manage-focus-areas")

    page.get_by_role("link", name="Home", exact=True).click()
    focus = page.get_by_role("region", name="Focus areas")
    expect(focus.locator("strong", has_text="Living things")).to_be_visible()
    expect(focus.get_by_text("Led by Tess Alvarez")).to_be_visible()
    expect(focus.locator("strong", has_text="Forces and motion")).to_be_visible()
    expect(page.get_by_role("region", name="Moderators").get_by_role("link", name="Dana Whitfield")).to_be_visible()
    shot(page, "home")
    assert FocusArea.objects.filter(community=community).count() == 2
    assert Membership.objects.get(community=community, user=leader).is_moderator


def test_teacher_requests_to_join_moderator_approves_and_teacher_sees_members_content(
    page, open_page, login_as, mailoutbox
):
    community = CommunityFactory(
        name="Digital Learning Leaders", slug="digital-learning-leaders", visibility="members", join_policy="request"
    )
    moderator = MembershipFactory(
        community=community, is_moderator=True, user=UserFactory(display_name="Morgan Lee")
    ).user
    MembershipFactory(community=community, user=UserFactory(display_name="Pat Okafor"))
    teacher = UserFactory(display_name="Tess Alvarez")

    login_as(page, teacher)
    page.goto("/c/digital-learning-leaders/")
    expect(page.get_by_text("are for its members")).to_be_visible()
    expect(page.get_by_role("link", name="Members")).to_have_count(0)
    page.get_by_label("Message to the moderators (optional)").fill("I coach K-5 teachers on devices.")
    page.get_by_role("button", name="Ask to join").click()
    expect(page.get_by_text("Your request is sent")).to_be_visible()
    expect(page.get_by_text("waiting for a moderator")).to_be_visible()

    mod_page = open_page("desktop")
    login_as(mod_page, moderator)
    mod_page.goto("/c/digital-learning-leaders/")
    mod_page.get_by_role("link", name="Manage").click()
    mod_page.get_by_role("link", name=re.compile("request.* to join waiting")).click()
    expect(mod_page.get_by_text("I coach K-5 teachers on devices.")).to_be_visible()
    shot(mod_page, "requests")
    mod_page.get_by_role("button", name="Approve Tess Alvarez").click()
    expect(mod_page.get_by_text("Tess Alvarez is now a member. We emailed them.")).to_be_visible()

    assert mailoutbox[-1].to == [teacher.email]
    assert "Welcome to Digital Learning Leaders" in mailoutbox[-1].subject
    page.reload()
    expect(page.get_by_text("You are a member.")).to_be_visible()
    page.get_by_role("link", name="Members").click()
    expect(page.get_by_role("link", name="Pat Okafor")).to_be_visible()
    expect(page.get_by_role("link", name="Morgan Lee")).to_be_visible()
    shot(page, "members")


def test_invitation_email_followed_by_someone_without_an_account(
    page, open_page, login_as, mailoutbox, live_server, settings
):
    settings.SITE_URL = live_server.url  # emails link to SITE_URL: here, the live server
    community = CommunityFactory(name="Site Leaders Circle", slug="site-leaders-circle", visibility="hidden")
    moderator = MembershipFactory(community=community, is_moderator=True).user
    login_as(page, moderator)
    page.goto("/c/site-leaders-circle/manage/invitations/")
    page.get_by_label(label("Email address")).fill("new.principal@school")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("That does not look like an email address")).to_be_visible()
    page.get_by_label(label("Email address")).fill("new.principal@example.org")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("We are sending the invitation to new.principal@example.org.")).to_be_visible()
    shot(page, "invitations")

    link = re.search(r"http://[^/\s]+(/invitations/\S+/)", mailoutbox[-1].body).group(1)
    guest = open_page("phone")
    guest.goto(link)
    expect(guest.get_by_role("heading", name="You are invited to join Site Leaders Circle")).to_be_visible()
    shot(guest, "invitation-phone")
    guest.get_by_role("link", name="Sign up and join").click()
    guest.get_by_label(label("Email")).fill("new.principal@example.org")
    guest.get_by_label("Username").fill("newprincipal")
    guest.get_by_label("Display name").fill("Nia Principal")
    guest.get_by_label(label("Password")).fill("Chalkboard-Eraser-73")
    guest.get_by_label("Password (again)").fill("Chalkboard-Eraser-73")
    guest.get_by_role("button", name="Sign up", exact=True).click()
    expect(guest.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    confirm = re.search(r"http://\S+/accounts/confirm-email/\S+/", mailoutbox[-1].body).group(0)
    assert confirm.startswith(live_server.url)
    guest.goto(confirm)
    guest.get_by_role("button", name="Confirm").click()
    expect(guest.get_by_text("Welcome to Site Leaders Circle! You are now a member.")).to_be_visible()
    expect(guest.get_by_role("heading", name="Site Leaders Circle", level=1)).to_be_visible()
    expect(guest.get_by_text("You are a member.")).to_be_visible()
    user = User.objects.get(email="new.principal@example.org")
    assert Membership.objects.filter(community=community, user=user).exists()

    guest.goto(link)
    expect(guest).to_have_url(re.compile("/c/site-leaders-circle/$"))


def test_members_and_manage_pages_work_at_phone_width(phone_page, login_as):
    community = CommunityFactory(name="Computational Thinking K-8", slug="ct-k8")
    moderator = MembershipFactory(community=community, is_moderator=True, user=UserFactory(display_name="Morgan Lee"))
    riverside = DistrictFactory(name="Riverside USD")
    for i in range(6):
        MembershipFactory(
            community=community, user=UserFactory(district=riverside if i % 2 else None), is_mentor=i == 1
        )
    login_as(phone_page, moderator.user)
    for path, name in (("members/", "members-phone"), ("manage/roles/", "roles-phone"), ("manage/", "manage-phone")):
        phone_page.goto(f"/c/ct-k8/{path}")
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways at phone width ({width}px)"
        shot(phone_page, name)
