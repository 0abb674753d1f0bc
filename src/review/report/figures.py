"""Small bar charts as inline SVG: no plotting library, nothing to fetch, prints crisply.

Labels are escaped here because the SVG is inserted into the page as markup.
"""

from __future__ import annotations

from html import escape

BAR = "#3b6ea5"
#: Inside each chart, so the SVG files under reports/figures/ look the same as the inline ones.
STYLE = (
    "<style>.chart text{font-family:'Inter','Segoe UI',system-ui,-apple-system,sans-serif}"
    ".chart-title{font-size:13px;font-weight:600;fill:#1d2733}"
    ".chart-label,.chart-n,.chart-empty{font-size:11.5px;fill:#37424e}"
    ".chart-empty{font-style:italic}</style>"
)


def bar_chart(
    title: str,
    items: list[tuple[str, int]],
    *,
    width: int = 560,
    label_width: int = 235,
    empty: str = "no data yet",
) -> str:
    """A horizontal bar chart of ``(label, count)``; one row per item, count at the bar's end."""
    row_h, top = 22, 30
    height = top + max(1, len(items)) * row_h + 12
    plot_w = width - label_width - 50
    biggest = max((n for _, n in items), default=0) or 1
    desc = "; ".join(f"{label}: {n}" for label, n in items) or empty
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="chart">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(desc)}</desc>",
        STYLE,
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
    ]
    if not items:
        out.append(f'<text x="0" y="{top + 14}" class="chart-empty">{escape(empty)}</text>')
    for i, (label, n) in enumerate(items):
        y = top + i * row_h
        w = max(1.0, plot_w * n / biggest) if n else 0
        short = label if len(label) <= 32 else label[:31] + "…"
        out.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" class="chart-label">'
            f"<title>{escape(label)}</title>{escape(short)}</text>"
        )
        out.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row_h - 7}" '
            f'fill="{BAR}" rx="2"/>'
        )
        out.append(f'<text x="{label_width + w + 5:.1f}" y="{y + 15}" class="chart-n">{n}</text>')
    out.append("</svg>")
    return "\n".join(out)
