"""Server-side SVG charts for the dashboard and the impact report, as the poll trend draws them.

Only numbers and positions are computed here; templates escape every label.
"""

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 14, 34


def _ticks(top):
    if top <= 0:
        return [0, 1]
    step = max(1, round(top / 4 + 0.4999))
    return [step * i for i in range(5)]


def chart(*, kind, labels, series, y_max=None, y_suffix=""):
    """A bar (grouped) or line chart of ``series`` = [(name, [value or None per label])]; None if empty."""
    values = [v for _name, vals in series for v in vals if v is not None]
    if not labels or not values:
        return None
    ticks = list(range(int(y_max) + 1)) if y_max is not None and y_max <= 10 else _ticks(max(values))
    top = ticks[-1] or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(labels)

    def y(value):
        return round(TOP + plot_h * (1 - min(value, top) / top), 1)

    drawn = []
    for index, (name, vals) in enumerate(series):
        color, dash = PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]
        if kind == "bar":
            bar_w = slot * 0.8 / len(series)
            bars = [
                {
                    "x": round(LEFT + i * slot + slot * 0.1 + index * bar_w, 1),
                    "y": y(v or 0),
                    "w": round(bar_w, 1),
                    "h": round(TOP + plot_h - y(v or 0), 1),
                    "value": v,
                    "label": labels[i],
                }
                for i, v in enumerate(vals)
            ]
            drawn.append({"name": name, "color": color, "bars": bars})
        else:
            dots = [
                (round(LEFT + i * slot + slot / 2, 1), y(v), v, labels[i]) for i, v in enumerate(vals) if v is not None
            ]
            drawn.append(
                {
                    "name": name,
                    "color": color,
                    "dash": dash,
                    "points": " ".join(f"{x},{yy}" for x, yy, _v, _l in dots),
                    "dots": dots,
                }
            )
    return {
        "kind": kind,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": TOP + plot_h,
        "label_y": HEIGHT - BOTTOM + 16,
        "y_ticks": [(y(t), f"{t}{y_suffix}") for t in ticks],
        "x_ticks": [(round(LEFT + i * slot + slot / 2, 1), label) for i, label in enumerate(labels)],
        "series": drawn,
    }
