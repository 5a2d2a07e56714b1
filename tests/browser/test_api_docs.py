"""A developer opens the API reference at /api/docs/ (Redoc, from drf-spectacular-sidecar) on a desktop and on a
phone: every operation of the schema is there, and the page passes axe and the Nu checker like every other page
(the fixtures check both, and that nothing breaks the Content-Security-Policy)."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_outside_traffic(page):
    # Redoc's footer shows Redocly's logo from their CDN; tests reach nothing outside this machine.
    page.route("https://cdn.redoc.ly/**", lambda route: route.fulfill(status=404, body=""))


def operations_in_schema():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return sorted(operation["operationId"] for methods in paths.values() for operation in methods.values())


def test_a_developer_reads_every_operation_in_the_api_reference(page, open_page):
    expected = operations_in_schema()
    no_outside_traffic(page)
    page.goto("/api/docs/")
    expect(page.get_by_role("heading", name="CoP Forum API", level=1)).to_be_visible(timeout=60_000)
    sections = page.locator("[data-section-id*='/operation/']")
    expect(sections).to_have_count(len(expected))
    shown = sorted(
        section.rsplit("/", 1)[1] for section in sections.evaluate_all("s => s.map(e => e.dataset.sectionId)")
    )
    assert shown == expected
    page.get_by_role("menuitem", name="me", exact=True).click()
    item = page.get_by_role("menuitem", name="get me_notifications_list")
    expect(item).to_be_visible()
    item.click()
    section = page.locator("[data-section-id$='/operation/me_notifications_list']")
    expect(section).to_be_in_viewport()
    expect(section.get_by_text("/api/v1/me/notifications/", exact=True)).to_be_attached()
    expect(section.get_by_text("true: only unread ones", exact=False)).to_be_visible()
    page.screenshot(path="/tmp/api-docs-desktop.png", timeout=60_000)

    phone = open_page("phone")
    no_outside_traffic(phone)
    phone.goto("/api/docs/")
    expect(phone.get_by_role("heading", name="CoP Forum API", level=1)).to_be_visible(timeout=60_000)
    expect(phone.locator("[data-section-id*='/operation/']")).to_have_count(len(expected))
