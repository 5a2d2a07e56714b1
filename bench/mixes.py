"""The load benchmark's two mixes (issue 19): wrk Lua scripts that walk many pages, not one URL.

Imported by bench/run.py after Django is set up against the benchmark database.

- The **member mix** rotates the sessions of 50 ordinary members (no moderator or leader
  roles) over the pages of their own communities: site home, community home, discussion
  list, a thread, the resource library, the month calendar and the polls. Each request
  goes to the next member in turn, so consecutive requests never share a session.
- The **anonymous mix** walks 1,000 different thread, discussion-list and community-home
  URLs of public communities at random, without a session, and counts the whole-page
  cache's answers (the ``X-Page-Cache: hit|miss`` header) to report the hit rate.
"""

import json
import random
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from communities.models import Community, Membership
from discussions.models import Thread

MEMBERS = 50
ANONYMOUS_URLS = 1000

# Lua shared by both scripts: each wrk thread seeds its own random generator; done() adds up the
# threads' counts of page-cache answers (globals of each thread's Lua state).
_COMMON = """
local threads = {}
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end
hits, misses = 0, 0
function response(status, headers, body)
  local answer = headers["X-Page-Cache"] or headers["x-page-cache"]
  if answer == "hit" then hits = hits + 1 elseif answer == "miss" then misses = misses + 1 end
end
function done(summary, latency, requests)
  local h, m = 0, 0
  for _, thread in ipairs(threads) do
    h = h + thread:get("hits")
    m = m + thread:get("misses")
  end
  io.write(string.format("page-cache hits %d misses %d\\n", h, m))
end
"""


def _session_cookie(user):
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _lua_string(text):
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for these ASCII paths


def member_mix_script(members=MEMBERS, seed=2026):
    """The Lua source of the member mix, and how many (member, page) requests it rotates through."""
    rng = random.Random(seed)
    staff = Q(memberships__is_moderator=True) | Q(memberships__is_district_leader=True)
    people = list(
        User.objects.filter(is_active=True, memberships__isnull=False)
        .exclude(staff)
        .annotate(n=Count("memberships"))
        .filter(n__gte=2)
        .order_by("pk")[:members]
    )
    month = timezone.now().strftime("%Y-%m")
    per_member = []
    for person in people:
        slugs = list(
            Membership.objects.filter(user=person).order_by("community__slug").values_list("community__slug", flat=True)
        )[:5]
        pages = ["/"]
        for slug in slugs:
            pick = rng.randrange(50)
            thread = (
                Thread.objects.filter(community__slug=slug, is_hidden=False)
                .order_by("-last_activity_at")
                .values_list("pk", flat=True)[pick : pick + 1]
            )
            pages += [f"/c/{slug}/", f"/c/{slug}/t/", f"/c/{slug}/resources/", f"/c/{slug}/calendar/?month={month}"]
            pages += [f"/c/{slug}/polls/"] + [f"/c/{slug}/t/{pk}/" for pk in thread]
        per_member.append((_session_cookie(person), pages))
    # Round-robin: the first page of every member, then the second of every member...
    rows = []
    for index in range(max(len(pages) for _, pages in per_member)):
        for cookie, pages in per_member:
            rows.append((pages[index % len(pages)], cookie))
    table = ",\n".join(f"  {{{_lua_string(path)}, {_lua_string(cookie)}}}" for path, cookie in rows)
    script = f"""-- Member mix: {len(per_member)} members' sessions in turn over their communities' pages.
local requests = {{
{table}
}}
local position = 0
function init(args)
  position = (id or 1) * 7919 % #requests
end
function request()
  position = position % #requests + 1
  local row = requests[position]
  return wrk.format("GET", row[1], {{["Cookie"] = row[2]}})
end
{_COMMON}"""
    return script, len(per_member), len(rows)


def anonymous_mix_script(count=ANONYMOUS_URLS, seed=2026):
    """The Lua source of the anonymous mix: ``count`` different public URLs, picked at random per request.

    Returns ``(source, number of URLs, the URLs)``: the run walks them once for the warm measurement."""
    rng = random.Random(seed)
    public = list(Community.objects.filter(visibility=Community.Visibility.PUBLIC).order_by("slug"))
    urls = [f"/c/{c.slug}/" for c in public]
    urls += [f"/c/{c.slug}/t/?page={page}" if page > 1 else f"/c/{c.slug}/t/" for c in public for page in (1, 2, 3)]
    threads = list(
        Thread.objects.filter(community__in=public, is_hidden=False)
        .order_by("pk")
        .values_list("community__slug", "pk")[: count * 20]
    )
    for slug, pk in rng.sample(threads, min(len(threads), count - len(urls))):
        urls.append(f"/c/{slug}/t/{pk}/")
    urls = urls[:count]
    table = ",\n".join(f"  {_lua_string(url)}" for url in urls)
    script = f"""-- Anonymous mix: {len(urls)} different public pages, one picked at random for each request.
local urls = {{
{table}
}}
function init(args)
  math.randomseed(os.time() * 1000 + (id or 1))
end
function request()
  return wrk.format("GET", urls[math.random(#urls)])
end
{_COMMON}"""
    return script, len(urls), urls
