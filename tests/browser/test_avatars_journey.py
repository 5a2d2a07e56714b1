"""A member uploads a profile picture on the settings page and sees it beside their reply."""

import io

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.accounts.test_avatars import GPS_IFD
from tests.browser.fixtures import journey_shot
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def portrait_with_gps(path):
    """A 1200 x 900 "photo" (a face-like drawing off centre) carrying GPS in its EXIF."""
    picture = Image.new("RGB", (1200, 900), (70, 130, 180))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((420, 180, 780, 620), fill=(241, 194, 125))
    draw.ellipse((510, 330, 550, 370), fill=(40, 40, 40))
    draw.ellipse((650, 330, 690, 370), fill=(40, 40, 40))
    draw.arc((520, 420, 680, 540), 20, 160, fill=(150, 40, 40), width=12)
    exif = Image.Exif()
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2], gps[3], gps[4] = "N", (48.0, 51.0, 29.0), "E", (2.0, 17.0, 40.0)
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    path.write_bytes(out.getvalue())
    return path


def test_upload_a_picture_and_see_it_on_the_thread(page, login_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    rivera = UserFactory(username="rivera", display_name="Ana Rivera")
    membership = MembershipFactory(user=rivera)
    community = membership.community
    chen = MembershipFactory(community=community, user=UserFactory(username="chen", display_name="Wei Chen")).user
    thread = ThreadFactory(community=community, author=chen, title="Exit tickets that take one minute")
    PostFactory(
        thread=thread, author=rivera, body="Try a traffic light card.", body_html="<p>Try a traffic light card.</p>"
    )

    login_as(page, rivera)
    page.goto("/settings/")
    picture = page.get_by_role("img", name="Ana Rivera (@rivera)")
    expect(picture).to_have_text("AR")  # initials until there is a picture
    page.get_by_label("Profile picture").set_input_files(str(portrait_with_gps(tmp_path / "me.jpg")))
    page.get_by_role("button", name="Upload picture").click()
    expect(page.get_by_text("Your picture is saved.")).to_be_visible()
    uploaded = page.locator("#picture img.avatar")
    expect(uploaded).to_have_attribute("alt", "Ana Rivera (@rivera)")
    assert page.evaluate("document.querySelector('#picture img.avatar').naturalWidth") == 256
    journey_shot(page, "avatars-settings-uploaded")

    page.goto(thread.get_absolute_url())
    reply = page.get_by_role("article", name="Reply by Ana Rivera")
    author = reply.get_by_role("link", name="Ana Rivera")
    expect(author).to_have_attribute("title", "@rivera")
    image = reply.locator("img.avatar")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 256
    # The opening post by someone without a picture shows their initials instead.
    expect(page.locator("#post-opening .avatar")).to_have_text("WC")
    # The header shows the signed-in person's picture too.
    expect(page.get_by_role("navigation", name="Main").locator("img.avatar")).to_be_visible()
    journey_shot(page, "avatars-thread-with-picture")

    page.goto(f"/c/{community.slug}/t/")
    expect(page.get_by_role("img", name="Ana Rivera (@rivera)")).to_be_visible()
    journey_shot(page, "avatars-thread-list-recent-repliers")

    page.goto("/settings/")
    page.get_by_role("button", name="Remove picture").click()
    expect(page.get_by_text("Your picture is removed")).to_be_visible()
    expect(page.get_by_role("img", name="Ana Rivera (@rivera)")).to_have_text("AR")


def test_a_file_that_is_not_a_picture_is_refused_on_the_page_at_phone_width(
    phone_page, login_as, user, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    fake = tmp_path / "notes.jpg"
    fake.write_text("lesson notes, not a photo\n")
    login_as(phone_page, user)
    phone_page.goto("/settings/")
    phone_page.get_by_label("Profile picture").set_input_files(str(fake))
    phone_page.get_by_role("button", name="Upload picture").click()
    expect(phone_page.get_by_text("“notes.jpg” is not a picture we can read")).to_be_visible()
    expect(phone_page.get_by_text("Your picture was not changed")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    journey_shot(phone_page, "avatars-refused-not-a-picture-phone")
