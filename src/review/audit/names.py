"""File names and anchors made from ids: the same id always gives the same name, and no id can
give a name outside its folder.

Study ids (``st-<hex>``) are names already; record ids (``source:id``, shown while
deduplication has not run) and reviewer names may hold characters a file name or a URL
fragment should not, so every character outside ``[A-Za-z0-9-]`` is written as ``_`` and its
UTF-8 bytes in hex. The mapping is one-to-one (``_`` itself is escaped), so two ids never share
a page.
"""

from __future__ import annotations

import functools
import re

_PLAIN = re.compile(r"[A-Za-z0-9-]")
_ALL_PLAIN = re.compile(r"[A-Za-z0-9-]+")


@functools.lru_cache(maxsize=4096)
def page_stem(ident: str) -> str:
    """``ident`` as a file name stem and fragment: ``st-3e3b`` stays, ``a:b`` is ``a_3ab``."""
    if _ALL_PLAIN.fullmatch(ident):
        return ident
    out = []
    for ch in ident:
        if _PLAIN.fullmatch(ch):
            out.append(ch)
        else:
            out.append("".join(f"_{b:02x}" for b in ch.encode("utf-8")))
    return "".join(out) or "_"
