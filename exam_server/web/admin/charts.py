"""Geometry of the item-analysis charts (score histogram, item facility), drawn as SVG by the template."""
from __future__ import annotations

from exam_server.web.admin.i18n import number


def histogram_chart(bins: list[dict], width: int = 640, height: int = 240) -> dict:
    """Bar geometry of the score distribution, for an SVG drawn by the template."""
    left, bottom, top_margin = 36, 40, 12
    plot_w, plot_h = width - left - 8, height - bottom - top_margin
    highest = max((b["count"] for b in bins), default=0) or 1
    step = plot_w / max(len(bins), 1)
    bars = []
    for index, b in enumerate(bins):
        h = plot_h * b["count"] / highest
        bars.append({"x": round(left + index * step + 2, 1), "y": round(top_margin + plot_h - h, 1),
                     "w": round(max(step - 4, 1), 1), "h": round(h, 1), "count": b["count"],
                     "label": f"{b['start']}–{b['end']}", "mid": round(left + (index + 0.5) * step, 1)})
    return {"width": width, "height": height, "bars": bars, "highest": highest, "left": left,
            "base": top_margin + plot_h, "top": top_margin}


def facility_chart(rows: list[dict], width: int = 640) -> dict:
    """One horizontal bar per item, facility 0..1, with guides at the too-hard and too-easy limits."""
    left, row_h, plot_w = 150, 20, width - 150 - 50
    bars = []
    for index, row in enumerate(rows):
        facility = row["facility"] or 0.0
        bars.append({"y": index * row_h + 4, "w": round(plot_w * min(max(facility, 0.0), 1.0), 1),
                     "label": (row["title"] or str(row["item_id"]))[:22], "value": number(facility),
                     "flagged": bool(row["flags"]), "ty": index * row_h + 17})
    height = max(len(rows), 1) * row_h + 24
    ticks = [{"x": round(left + plot_w * f, 1), "label": f"{f:g}"} for f in (0, 0.25, 0.5, 0.75, 1)]
    limits = [round(left + plot_w * f, 1) for f in (0.05, 0.95)]  # too hard below, too easy above
    return {"width": width, "height": height, "left": left, "plot_w": plot_w, "bars": bars, "ticks": ticks,
            "limits": limits, "axis_y": height - 16}
