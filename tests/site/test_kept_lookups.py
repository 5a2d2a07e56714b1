"""Answers kept per process (issue 19): static file URLs (core/storage.py) and reversed links
(``{% url %}``, core/templatetags/reversed_urls.py) are the same as computing them every time."""

import json

import pytest
from django.template import Context, RequestContext, Template, engines
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse, set_script_prefix, set_urlconf

from core import links
from core.storage import StaticStorage
from core.templatetags import reversed_urls
from tests.site.test_settings import _run_manage


@pytest.fixture
def storage(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "site.abc123.css").write_text("body{}")
    manifest = {"paths": {"css/site.css": "css/site.abc123.css"}, "version": "1.1", "hash": "x"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return StaticStorage(location=tmp_path, base_url="/static/")


def test_production_serves_static_files_through_it():
    script = "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"
    production = {"DJANGO_ENV": "production", "SECRET_KEY": "x7!kq" * 12, "ALLOWED_HOSTS": "forum.example.org"}
    result = _run_manage("shell", "-c", script, **production)
    assert result.stdout.strip().splitlines()[-1] == "core.storage.StaticStorage", result.stderr


def test_a_static_url_is_the_manifests_every_time(storage, settings):
    settings.DEBUG = False
    assert storage.url("css/site.css") == "/static/css/site.abc123.css"
    assert storage._urls == {"css/site.css": "/static/css/site.abc123.css"}
    storage.hashed_files["css/site.css"] = "css/site.changed.css"  # what a kept answer would hide
    assert storage.url("css/site.css") == "/static/css/site.abc123.css"
    assert storage.url("css/site.css", force=True) == "/static/css/site.changed.css"


def test_a_name_missing_from_the_manifest_is_refused_every_time(storage, settings):
    settings.DEBUG = False
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/nowhere.css")
    assert storage._urls == {}


def test_with_debug_on_the_names_are_unhashed(storage, settings):
    settings.DEBUG = True
    assert storage.url("css/site.css") == "/static/css/site.css"
    assert storage._urls == {}


def render(source, **context):
    return Template(source).render(Context(context))


def test_url_is_the_kept_tag_in_every_template():
    node = Template("{% url 'home' %}").nodelist[0]
    assert isinstance(node, reversed_urls.KeptURLNode)
    assert isinstance(engines["django"].from_string("{% url 'home' %}").template.nodelist[0], reversed_urls.KeptURLNode)


@pytest.mark.parametrize(
    ("source", "context", "expected"),
    [
        ("{% url 'home' %}", {}, reverse("home")),
        ("{% url 'communities:home' slug %}", {"slug": "math-k5"}, reverse("communities:home", args=["math-k5"])),
        (
            "{% url 'discussions:thread' slug=slug thread_id=pk %}",
            {"slug": "math", "pk": 7},
            reverse("discussions:thread", kwargs={"slug": "math", "thread_id": 7}),
        ),
        ("{% url 'home' as there %}[{{ there }}]", {}, f"[{reverse('home')}]"),
        ("{% url 'nowhere' as there %}[{{ there }}]", {}, "[]"),
    ],
)
def test_a_kept_link_is_the_link_reverse_gives(source, context, expected):
    links._kept.clear()
    assert render(source, **context) == expected
    assert render(source, **context) == expected  # the second time from what was kept


def test_links_differ_by_argument_and_are_escaped():
    links._kept.clear()
    first = render("{% url 'communities:home' slug %}", slug="one")
    second = render("{% url 'communities:home' slug %}", slug="two")
    assert first.endswith("/one/")
    assert second.endswith("/two/")
    assert render("{% url 'discussions:list' slug %}?a=1&{{ x }}", slug="s", x="b").endswith("?a=1&b")


def test_a_link_for_another_script_prefix_or_urlconf_is_not_reused():
    links._kept.clear()
    plain = render("{% url 'home' %}")
    try:
        set_script_prefix("/forum/")
        assert render("{% url 'home' %}") == "/forum" + plain
    finally:
        set_script_prefix("/")
    assert render("{% url 'home' %}") == plain
    try:
        set_urlconf("tests.site.urls_elsewhere")
        assert render("{% url 'home' %}") == "/elsewhere/"
    finally:
        set_urlconf(None)


def test_an_object_argument_is_reversed_every_time():
    class Named:
        def __init__(self, slug):
            self.slug = slug

        def __str__(self):
            return self.slug

    links._kept.clear()
    thing = Named("first")
    assert render("{% url 'communities:home' thing %}", thing=thing).endswith("/first/")
    thing.slug = "renamed"
    assert render("{% url 'communities:home' thing %}", thing=thing).endswith("/renamed/")
    assert links._kept == {}


def test_a_name_that_does_not_reverse_raises_every_time():
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            render("{% url 'nowhere' %}")


def test_the_current_apps_namespace_is_part_of_the_key():
    request = RequestFactory().get("/")
    request.current_app = "admin"
    links._kept.clear()
    Template("{% url 'admin:index' %}").render(RequestContext(request))
    assert any(key[3] == "admin" for key in links._kept)


def test_the_kept_links_are_bounded(monkeypatch):
    monkeypatch.setattr(links, "MAX_KEPT", 3)
    links._kept.clear()
    for slug in ("a", "b", "c", "d", "e"):
        render("{% url 'communities:home' slug %}", slug=slug)
    assert len(links._kept) <= 3
