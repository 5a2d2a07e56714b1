"""The answer form's choices are written out in poll.html (issue 19) rather than drawn by the widget's
templates: each must be exactly the input Django's own ``{{ option.tag }}`` writes, checked where the
person's answer (or what they just sent) says, and marked invalid when the answer was refused."""

import re

import pytest
from django.template import Context, Template

from polls.forms import VoteForm
from polls.models import Poll
from polls.selectors import MyAnswer
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db

DJANGO_TAGS = Template("{% for option in form.choice %}{{ option.tag }}\n{% endfor %}")
INPUT = re.compile(r"<input [^>]*>")


def written_inputs(client, poll):
    html = client.get(poll.get_absolute_url()).content.decode()
    return choice_inputs(html, poll)


def choice_inputs(html, poll):
    form = html[html.index(f'id="poll-{poll.pk}-form"') :]
    return INPUT.findall(form[form.index("<fieldset>") : form.index("</fieldset>")])


def django_inputs(form):
    return INPUT.findall(DJANGO_TAGS.render(Context({"form": form})))


@pytest.mark.parametrize("kind", [Poll.Kind.SINGLE, Poll.Kind.MULTIPLE, Poll.Kind.SCALE])
@pytest.mark.parametrize("answered", [False, True])
def test_choices_are_the_inputs_the_widget_would_write(client, community, member, kind, answered):
    poll = PollFactory(community=community, kind=kind, max_choices=2 if kind == Poll.Kind.MULTIPLE else None)
    choices = list(poll.choices.all())
    picked = {choices[1].pk, choices[2].pk} if kind == Poll.Kind.MULTIPLE else {choices[1].pk}
    answer = MyAnswer(answered=True, choice_ids=picked) if answered else MyAnswer()
    if answered:
        client.force_login(member)
        client.post(f"/c/{community.slug}/polls/{poll.pk}/vote/", {"choice": sorted(picked)}, HTTP_HX_REQUEST="false")
    client.force_login(member)
    written = written_inputs(client, poll)
    assert written == django_inputs(VoteForm(poll=poll, answer=answer))
    assert sum(" checked" in tag for tag in written) == (len(picked) if answered else 0)


@pytest.mark.parametrize("kind", [Poll.Kind.SINGLE, Poll.Kind.MULTIPLE])
def test_a_refused_answer_keeps_what_was_picked_and_is_marked_invalid(client, community, member, kind):
    poll = PollFactory(community=community, kind=kind, max_choices=1 if kind == Poll.Kind.MULTIPLE else None)
    choices = list(poll.choices.all())
    sent = {"choice": [choices[0].pk, choices[2].pk]} if kind == Poll.Kind.MULTIPLE else {"choice": "not a choice"}
    client.force_login(member)
    response = client.post(f"/c/{community.slug}/polls/{poll.pk}/vote/", sent)
    assert response.status_code == 400
    html = response.content.decode()
    written = choice_inputs(html, poll)
    bound = VoteForm(sent, poll=poll, answer=MyAnswer())
    assert not bound.is_valid()
    assert written == django_inputs(bound)
    assert all('aria-invalid="true"' in tag for tag in written)
