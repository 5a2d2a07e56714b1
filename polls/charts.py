"""The pulse chart: how answers moved from round to round, drawn as server-side SVG.

Returns plain numbers for ``templates/polls/includes/trend_chart.html``; the
template escapes every label, so no user text is ever built into markup here.
"""

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999")
DASHES = ("", "6 3", "2 3", "8 3 2 3")

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 56, 16, 40  # room for a month name under the first and last round
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM


def trend_chart(*, poll, rounds):
    """Lines of the percentage of voters picking each choice, one point per round."""
    choices = list(poll.choices.all())
    if len(rounds) < 2 or not choices:
        return None
    x = _x_scale(rounds)

    def y(percent):
        return round(TOP + PLOT_HEIGHT * (1 - percent / 100), 1)

    lines = []
    for position, choice in enumerate(choices):
        # A round whose figures are withheld (too few answers in a group) has no point.
        cells = [r.percents[position] if position < len(r.percents) else None for r in rounds]
        lines.append(_line(position, choice.label, cells, x, y))
    return _frame(rounds, x, lines, [(y(p), f"{p}%") for p in (0, 25, 50, 75, 100)])


GROUP_LINES = 8


def group_chart(*, rounds, groups):
    """Lines of the average answer (1 to 5) per round: the community and the groups with most answers.

    At most GROUP_LINES lines, so the chart stays readable; the table beside it has every group.
    """
    if len(rounds) < 2 or not groups:
        return None
    x = _x_scale(rounds)

    def y(mean):
        return round(TOP + PLOT_HEIGHT * (1 - (mean - 1) / 4), 1)

    shown = [groups[0], *sorted(groups[1:], key=lambda g: -g.total_voters)[: GROUP_LINES - 1]]
    lines = [
        _line(position, f"{trend.kind}: {trend.name}" if trend.kind else trend.name, trend.means, x, y)
        for position, trend in enumerate(shown)
    ]
    chart = _frame(rounds, x, lines, [(y(m), str(m)) for m in (1, 2, 3, 4, 5)])
    chart["left_out"] = len(groups) - len(shown)
    return chart


def _x_scale(rounds):
    """Where round ``i`` (of two or more) stands across the plot."""
    step = (WIDTH - LEFT - RIGHT) / (len(rounds) - 1)

    def x(i):
        return round(LEFT + i * step, 1)

    return x


def _line(position, label, cells, x, y):
    """One line of the chart: a point per round with a figure (None: no point), its colour and dashes."""
    points = [(x(i), y(v), v) for i, v in enumerate(cells) if v is not None]
    return {
        "label": label,
        "color": PALETTE[position % len(PALETTE)],
        # Dashes too, so lines differ by more than colour.
        "dash": DASHES[position % len(DASHES)],
        "points": " ".join(f"{px},{py}" for px, py, _ in points),
        "dots": points,
        "cells": cells,
    }


def _frame(rounds, x, lines, y_ticks):
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": TOP + PLOT_HEIGHT,
        "label_y": HEIGHT - BOTTOM + 18,
        "y_ticks": y_ticks,
        "x_ticks": [(x(i), f"R{r.poll.round}", r.poll.opens_at) for i, r in enumerate(rounds)],
        "lines": lines,
    }
