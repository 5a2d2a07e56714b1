"""Which templates a fragment cache drew: for tests that a kept fragment is not drawn again."""

from django.template import loader


def templates_drawn(monkeypatch, *modules) -> list[str]:
    """The names passed to ``get_template`` in ``modules`` from now on (the real templates are still drawn)."""
    drawn: list[str] = []

    def counting(name):
        drawn.append(name)
        return loader.get_template(name)

    for module in modules:
        monkeypatch.setattr(module, "get_template", counting)
    return drawn
