"""Profile pictures: what an upload must be, what is stored, who may change it, and the initials."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts import avatars
from accounts.models import User
from accounts.templatetags.people import avatar, person
from tests.factories import UserFactory

GPS_IFD = 0x8825


def jpeg_with_gps(size=(640, 480), colour=(200, 40, 40)):
    """A real camera-like JPEG: EXIF with a GPS position (Paris), a camera model and a comment."""
    picture = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x0110] = "Test Camera 3000"  # Model
    exif[0x0132] = "2026:05:01 08:30:00"  # DateTime
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (48.0, 51.0, 29.0)
    gps[3] = "E"
    gps[4] = (2.0, 17.0, 40.0)
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def upload(content, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def stored_files(media):
    return sorted(p for p in Path(media, "avatars").glob("*") if p.is_file()) if Path(media, "avatars").exists() else []


def test_the_test_picture_really_carries_gps():
    with Image.open(io.BytesIO(jpeg_with_gps())) as picture:
        exif = picture.getexif()
        assert exif.get_ifd(GPS_IFD)[2] == (48.0, 51.0, 29.0)
        assert exif[0x0110] == "Test Camera 3000"


@pytest.mark.django_db
def test_uploaded_photo_is_a_256px_square_webp_without_exif_or_gps(logged_in, user, media):
    response = logged_in.post("/settings/avatar/", {"avatar": upload(jpeg_with_gps())})
    assert response.status_code == 302
    user.refresh_from_db()
    assert re.fullmatch(r"avatars/[0-9a-f]{32}\.webp", user.avatar.name)
    [stored] = stored_files(media)
    raw = stored.read_bytes()
    assert b"Test Camera" not in raw
    assert b"taken at home" not in raw
    assert b"Exif" not in raw
    with Image.open(stored) as picture:
        assert (picture.format, picture.size) == ("WEBP", (256, 256))
        assert not picture.getexif()
        assert not picture.getexif().get_ifd(GPS_IFD)
        assert not {"exif", "xmp", "icc_profile"} & set(picture.info)
        assert picture.convert("RGB").getpixel((128, 128))[0] > 150  # still the red photo


@pytest.mark.django_db
def test_the_picture_is_served_and_cached_for_a_year(logged_in, client, user, media):
    logged_in.post("/settings/avatar/", {"avatar": upload(jpeg_with_gps())})
    user.refresh_from_db()
    client.logout()
    url = f"/media/{user.avatar.name}"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert "immutable" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"RIFF")
    assert client.get("/media/avatars/" + "0" * 32 + ".webp").status_code == 404
    assert client.get("/media/avatars/../secrets.webp").status_code == 404


@pytest.mark.django_db
def test_a_text_file_named_jpg_is_refused_with_a_message(logged_in, user, media):
    response = logged_in.post("/settings/avatar/", {"avatar": upload(b"just some notes\n" * 50, name="notes.jpg")})
    assert response.status_code == 400
    assert "“notes.jpg” is not a picture we can read" in response.content.decode()
    user.refresh_from_db()
    assert not user.avatar
    assert stored_files(media) == []


@pytest.mark.django_db
def test_a_pdf_is_refused_as_the_wrong_type(logged_in, user, media):
    response = logged_in.post(
        "/settings/avatar/", {"avatar": upload(b"%PDF-1.4\n%...", name="cv.pdf", content_type="application/pdf")}
    )
    assert response.status_code == 400
    assert "is not a picture we can read" in response.content.decode()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_a_truncated_jpeg_is_refused(logged_in, user, media):
    response = logged_in.post("/settings/avatar/", {"avatar": upload(jpeg_with_gps()[:300])})
    assert response.status_code == 400
    assert "is not a picture we can read" in response.content.decode()


@pytest.mark.django_db
def test_a_20_mb_file_is_refused_before_it_is_read(logged_in, user, media):
    big = jpeg_with_gps() + b"\0" * (20 * 1024 * 1024)
    response = logged_in.post("/settings/avatar/", {"avatar": upload(big)})
    assert response.status_code == 413
    assert "more than this page accepts (8 MB)" in response.content.decode()
    user.refresh_from_db()
    assert not user.avatar
    assert stored_files(media) == []


@pytest.mark.django_db
def test_a_picture_over_the_limit_gets_the_limit_in_the_message(logged_in, user, media, settings):
    settings.AVATAR_UPLOAD_MAX_BYTES = 2000
    response = logged_in.post("/settings/avatar/", {"avatar": upload(jpeg_with_gps(size=(1200, 900)))})
    assert response.status_code == 400
    page = response.content.decode()
    assert "the limit is 2.0\xa0KB" in page
    assert 'id="id_avatar"' in page  # the field is still there to try again
    assert stored_files(media) == []


@pytest.mark.django_db
def test_a_picture_of_too_many_pixels_is_refused_before_it_is_decoded(logged_in, user, media):
    out = io.BytesIO()
    Image.new("1", (10000, 5000)).save(out, "PNG")  # 50 megapixels in a few kilobytes
    response = logged_in.post("/settings/avatar/", {"avatar": upload(out.getvalue(), name="huge.png")})
    assert response.status_code == 400
    assert "10000 by 5000 pixels" in response.content.decode()


@pytest.mark.django_db
def test_an_empty_upload_and_no_file_are_refused(logged_in, user, media):
    empty = logged_in.post("/settings/avatar/", {"avatar": upload(b"", name="empty.jpg")})
    assert empty.status_code == 400
    assert "That file is empty" in empty.content.decode()
    nothing = logged_in.post("/settings/avatar/", {})
    assert nothing.status_code == 400
    assert "Choose a picture to upload first" in nothing.content.decode()


@pytest.mark.django_db
def test_replacing_and_removing_delete_the_old_file(logged_in, user, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post("/settings/avatar/", {"avatar": upload(jpeg_with_gps())})
    [first] = stored_files(media)
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post("/settings/avatar/", {"avatar": upload(jpeg_with_gps(colour=(0, 0, 200)))})
    [second] = stored_files(media)
    assert second != first
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post("/settings/avatar/remove/")
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.avatar
    assert stored_files(media) == []
    assert "Your picture is removed" in logged_in.get("/settings/").content.decode()


@pytest.mark.django_db
def test_anonymous_cannot_upload_or_remove(client, user, media):
    response = client.post("/settings/avatar/", {"avatar": upload(jpeg_with_gps())})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.post("/settings/avatar/remove/").status_code == 302
    assert stored_files(media) == []


@pytest.mark.django_db
def test_nobody_can_change_someone_elses_picture(logged_in, user, media):
    other = UserFactory(username="other")
    # There is no user in the URL; a "user" field in the form is ignored: only your own picture changes.
    response = logged_in.post("/settings/avatar/", {"avatar": upload(jpeg_with_gps()), "user": other.pk})
    assert response.status_code == 302
    other.refresh_from_db()
    user.refresh_from_db()
    assert not other.avatar
    assert user.avatar
    assert logged_in.get("/settings/avatar/").status_code == 405


@pytest.mark.django_db
def test_the_settings_page_has_a_labelled_picture_field(logged_in):
    page = logged_in.get("/settings/").content.decode()
    assert re.search(r'<label\s+for="id_avatar"[^>]*>\s*Profile picture', page)
    assert 'enctype="multipart/form-data"' in page
    assert 'accept="image/jpeg,image/png,image/gif,image/webp"' in page


def test_initials_take_the_first_and_last_words():
    assert avatars.initials("Ms. Ana Rivera") == "MR"
    assert avatars.initials("ana") == "A"
    assert avatars.initials("  josé   ñúñez ") == "JÑ"
    assert avatars.initials("") == "?"
    assert avatars.initials("🙂") == "?"


def test_initials_colour_is_deterministic_and_spread_over_the_palette():
    assert avatars.colour_class("rivera") == avatars.colour_class("rivera") == avatars.colour_class("Rivera")
    # Pinned: the same person has the same colour on every machine and every release.
    assert [avatars.colour_index(name) for name in ("rivera", "chen", "okafor")] == [4, 4, 0]
    used = {avatars.colour_index(f"teacher{i}") for i in range(200)}
    assert used == set(range(len(avatars.PALETTE)))


def _luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_initials_colour_has_at_least_4_5_to_1_contrast_and_is_in_the_css():
    css = (Path(django_settings.BASE_DIR) / "static/css/avatars.css").read_text()
    for index, colour in enumerate(avatars.PALETTE):
        assert contrast(colour, avatars.TEXT_COLOUR) >= 4.5, colour
        assert f".avatar-c{index} {{ background-color: {colour}; }}" in css
    assert "color: #fff;" in css
    assert avatars.TEXT_COLOUR == "#ffffff"


@pytest.mark.django_db
def test_the_tag_shows_initials_hidden_from_screen_readers_next_to_a_name():
    rivera = UserFactory.build(username="rivera", display_name="Ana Rivera")
    html = avatar(rivera, "sm")
    assert 'aria-hidden="true"' in html
    assert ">AR</span>" in html
    assert "avatar-c4" in html
    alone = avatar(rivera, "sm", labelled=True)
    assert 'role="img" aria-label="Ana Rivera (@rivera)"' in alone
    linked = person(rivera)
    assert 'title="@rivera"' in linked
    assert 'href="/u/rivera/"' in linked
    assert ">Ana Rivera</span>" in linked
    assert "Former member" in person(None)


@pytest.mark.django_db
def test_the_tag_shows_the_picture_with_empty_alt_next_to_a_name():
    user = User(username="chen", display_name="Wei Chen", avatar="avatars/" + "a" * 32 + ".webp")
    html = avatar(user, "md")
    assert f'src="/media/avatars/{"a" * 32}.webp"' in html
    assert 'alt=""' in html
    assert 'width="40"' in html
    assert 'alt="Wei Chen (@chen)"' in avatar(user, "md", labelled=True)
