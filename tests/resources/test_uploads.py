import pytest
from django.core.exceptions import ValidationError

from resources.uploads import inspect_upload
from tests.resources.samples import EXE, PDF, PNG, docx_bytes, plain_zip_bytes, upload


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("plan.pdf", PDF, "application/pdf"),
        ("chart.png", PNG, "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        ("anim.gif", b"GIF89a" + b"\x00" * 20, "image/gif"),
        ("pic.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8, "image/webp"),
        ("unit.docx", docx_bytes("word/"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("grades.xlsx", docx_bytes("xl/"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "application/msword"),
        ("notes.txt", "Café notes — unit 3\n".encode(), "text/plain; charset=utf-8"),
    ],
)
def test_accepted_types_are_recognised_by_their_content(name, content, expected):
    assert inspect_upload(upload(name, content)).content_type == expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("lesson.pdf", EXE),  # an .exe renamed to .pdf
        ("lesson.docx", plain_zip_bytes()),  # a zip that is not an Office document
        ("lesson.pdf", PNG),  # real image, wrong name
        ("lesson.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        ("notes.txt", b"\x00\x01binary\x00"),
    ],
)
def test_files_outside_the_allow_list_are_refused_with_a_clear_message(name, content):
    with pytest.raises(ValidationError) as caught:
        inspect_upload(upload(name, content))
    assert "not a file type the library accepts" in caught.value.messages[0]


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.RESOURCE_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as caught:
        inspect_upload(upload("big.pdf", PDF + b"0" * 2000))
    assert "accepts files up to 1.0\xa0KB" in caught.value.messages[0]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError):
        inspect_upload(upload("empty.txt", b""))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["notes.txt", "grades.csv", "plan.md"])
def test_a_windows_1252_text_file_is_accepted_and_stored_as_utf8(client, name, settings, tmp_path):
    """Issue 15.16: "café naïve" saved by Notepad or Excel is text, not "not a file type"."""
    from django.urls import reverse

    from resources.models import Resource
    from tests.factories import CommunityFactory, MembershipFactory

    settings.MEDIA_ROOT = tmp_path
    community = CommunityFactory()
    client.force_login(MembershipFactory(community=community).user)
    text = "Café naïve, “smart quotes” \u2013 5 €\r\n"  # an en dash, as Word and Excel write it
    content = text.encode("cp1252")
    response = client.post(
        reverse("resources:submit", kwargs={"slug": community.slug}),
        {"title": "Menu words", "kind": "file", "file": upload(name, content)},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    resource = Resource.objects.get()
    assert resource.content_type == "text/plain; charset=utf-8"
    with resource.file.open("rb") as stored:
        assert stored.read().decode("utf-8") == text
    assert resource.file_size == len(text.encode())


def test_text_in_an_encoding_we_cannot_read_asks_for_utf8():
    with pytest.raises(ValidationError) as caught:
        inspect_upload(upload("notes.txt", b"caf\x81 \x8d\x9d"))  # bytes Windows-1252 leaves undefined
    assert "Save it as UTF-8" in caught.value.messages[0]
