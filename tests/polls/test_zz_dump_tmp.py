import os
import re

import pytest

from tests.polls.test_group_trend import pulse  # noqa: F401


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_dump(client, moderator, pulse):  # noqa: F811
    url = pulse["rounds"][1].get_absolute_url()
    client.force_login(moderator)
    out = []
    for params in ({}, {"group": f"district-{pulse['riverside'].pk}"}):
        html = client.get(url, params).content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        html = re.sub(r"<svg", "\n<svg", html)
        out.append(html)
    with open(os.environ["DUMP"], "w") as f:
        f.write("\n=====\n".join(out))
