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
