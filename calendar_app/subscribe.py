"""Ways to subscribe to a feed: the link itself, webcal:, Google Calendar and Outlook."""

from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True)
class FeedLinks:
    url: str
    name: str

    @property
    def webcal(self):
        """The same feed for calendar apps that open webcal: links (Apple Calendar, Outlook on the desktop)."""
        return "webcal://" + self.url.split("://", 1)[1]

    @property
    def google(self):
        # Google Calendar's "add by URL" page, with the feed filled in.
        return "https://calendar.google.com/calendar/render?" + urlencode({"cid": self.webcal})

    @property
    def outlook(self):
        # Outlook on the web (work and school accounts) "subscribe from web", filled in.
        return "https://outlook.office.com/calendar/0/addfromweb?" + urlencode({"url": self.url, "name": self.name})


def feed_links(url, *, name):
    """The subscribe links of the feed at ``url`` (absolute), or None when there is no feed to offer."""
    return FeedLinks(url=url, name=name) if url else None
