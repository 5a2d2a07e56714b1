"""The pulse chart: how answers moved from round to round, drawn as server-side SVG.

Returns plain numbers for ``templates/polls/includes/trend_chart.html``; the
template escapes every label, so no user text is ever built into markup here.
"""

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999")
DASHES = ("", "6 3", "2 3", "8 3 2 3")

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 30, 16, 40


def trend_chart(*, poll, rounds):
    """Lines of the percentage of voters picking each choice, one point per round."""
    choices = list(poll.choices.all())
    if len(rounds) < 2 or not choices:
        return None
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / (len(rounds) - 1)

    def x(i):
        return round(LEFT + i * step, 1)

    def y(percent):
        return round(TOP + plot_h * (1 - percent / 100), 1)

    lines = []
    for position, choice in enumerate(choices):
        points = [(x(i), y(r.percents[position]), r.percents[position]) for i, r in enumerate(rounds)]
        lines.append(
            {
                "label": choice.label,
                "color": PALETTE[position % len(PALETTE)],
                # Dashes too, so lines differ by more than colour.
                "dash": DASHES[position % len(DASHES)],
                "points": " ".join(f"{px},{py}" for px, py, _ in points),
                "dots": points,
            }
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": TOP + plot_h,
        "label_y": HEIGHT - BOTTOM + 18,
        "y_ticks": [(y(p), f"{p}%") for p in (0, 25, 50, 75, 100)],
        "x_ticks": [(x(i), f"R{r.poll.round}", r.poll.opens_at) for i, r in enumerate(rounds)],
        "lines": lines,
    }
