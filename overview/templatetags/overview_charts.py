"""Server-rendered, accessible SVG charts: role="img", a <title> and <desc>; the page puts the same numbers
in a table under each chart. No JavaScript, nothing fetched from elsewhere."""
from __future__ import annotations

import itertools

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

register = template.Library()
_ids = itertools.count(1)
PALETTE = ["#c0392b", "#2c6fb7", "#d68910", "#1e8449", "#7d3c98", "#17a589", "#5d6d7e"]


def _num(v) -> float:
    try:
        return float(v or 0)
    except (TypeError, ValueError):
        return 0.0


def _fmt(v) -> str:
    f = _num(v)
    return f"{int(f):,}" if f == int(f) else f"{f:,.2f}"


@register.simple_tag
def bar_chart(rows, label_key, value_key, title, unit=""):
    """A horizontal bar chart of `rows` (dicts); bars are scaled to the largest value."""
    rows = list(rows or [])
    cid = f"ovc{next(_ids)}"
    width, label_w, bar_h, gap = 560, 170, 22, 8
    height = max(1, len(rows)) * (bar_h + gap) + gap
    top = max([_num(r.get(value_key)) for r in rows] + [0])
    sep, colon = gettext("；"), gettext("：")
    desc = sep.join(f"{r.get(label_key)}{colon}{_fmt(r.get(value_key))}{unit}" for r in rows) or gettext("无数据")
    bars = []
    for i, r in enumerate(rows):
        v = _num(r.get(value_key))
        y = gap + i * (bar_h + gap)
        w = 0 if top == 0 else max(1.0, (width - label_w - 80) * v / top)
        ty = f"{y + bar_h * 0.7:.1f}"
        bars.append((label_w - 6, ty, r.get(label_key), label_w, y, f"{w:.1f}", bar_h,
                     PALETTE[i % len(PALETTE)], f"{label_w + w + 6:.1f}", ty, _fmt(v) + unit))
    body = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" class="ov-label">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" rx="3"></rect>'
        '<text x="{}" y="{}" class="ov-value">{}</text>',
        bars,
    )
    return format_html(
        '<svg class="ov-chart" role="img" aria-labelledby="{0}-t {0}-d" viewBox="0 0 {1} {2}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{0}-t">{3}</title><desc id="{0}-d">{4}</desc>{5}</svg>',
        cid, width, height, title, desc, body,
    )


@register.simple_tag
def chart_figure(rows, label_key, value_key, title, label_head, value_head, unit=""):
    """The chart and, under it, the same numbers as a table (built here: cheaper than a template loop)."""
    rows = list(rows or [])
    table_rows = format_html_join(
        "", '<tr><th scope="row">{}</th><td class="num">{}</td></tr>',
        ((r.get(label_key), r.get(value_key)) for r in rows),
    )
    return format_html(
        '<figure class="ov-figure">{}<figcaption class="help">{}</figcaption>'
        '<table class="table ov-data"><caption class="visually-hidden">{}</caption>'
        '<thead><tr><th scope="col">{}</th><th scope="col" class="num">{}</th></tr></thead><tbody>{}</tbody></table></figure>',
        bar_chart(rows, label_key, value_key, title, unit), title, title, label_head, value_head, table_rows,
    )
