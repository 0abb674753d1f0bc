"""A first report: the records the run read, per source. Replaced by review.report."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import jinja2

from review import __version__, atomic
from review.protocol import Protocol
from review.records import read_records

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem}
</style></head><body>
<h1>{{ title }}</h1>
<h2>Records per source</h2>
<table><thead><tr><th>Source</th><th>Records</th></tr></thead><tbody>
{% for source, n in counts %}<tr><td>{{ source }}</td><td>{{ n }}</td></tr>{% endfor %}
</tbody></table>
<h2>Records ({{ records|length }})</h2>
<table><thead><tr><th>Id</th><th>Title</th><th>Year</th><th>Found at</th></tr></thead>
<tbody>
{% for r in records %}<tr><td>{{ r.record_id }}</td><td>{{ r.title }}</td>
<td>{{ r.year or "" }}</td>
<td>{% if r.found_at %}<a href="{{ r.found_at }}">page</a>{% endif %}</td></tr>{% endfor %}
</tbody></table>
<p>review {{ version }}; protocol sha256 {{ sha }}</p>
</body></html>
"""


def render(protocol: Protocol, records_path: Path, out: Path) -> None:
    records = read_records(records_path)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    html = env.from_string(_TEMPLATE).render(
        title=protocol.title,
        counts=sorted(Counter(r.source_id for r in records).items()),
        records=records,
        version=__version__,
        sha=protocol.sha256,
    )
    atomic.write_text(out, html)
