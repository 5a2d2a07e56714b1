import pytest


@pytest.mark.django_db
def test_base_page_loads_bootstrap_and_htmx_from_node_modules(client):
    html = client.get("/").content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert 'href="#main"' in html  # skip link


def test_vendor_files_are_found_by_the_static_finders():
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/bootstrap/css/bootstrap.min.css")
    assert finders.find("vendor/htmx/htmx.min.js")
    assert finders.find("js/site.js")
