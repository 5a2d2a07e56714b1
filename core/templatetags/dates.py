"""``{% load dates %}``: ``|when``, ``|day``, ``|clock``, ``|month``, ``|weekday``, ``|iso``, ``|month_key``.

See core/dates.py for what each writes. Values arrive already in the viewer's zone.
"""

from django import template

from core import dates

register = template.Library()

for _name in ("when", "day", "clock", "month", "weekday", "iso", "month_key"):
    register.filter(_name, getattr(dates, _name), expects_localtime=True)
