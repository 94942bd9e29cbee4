"""Request text shared by the routes: no control characters (C0 but tab, newline and
carriage return; DEL; C1), and ids without blanks at either end. FalkorDB takes parameters
inline as text: a NUL ends it; and a MERGE of two rows on a key ending in \\x01, or starting
or ending with a blank, loses a row and can drop the connection (FalkorDB 4.16; the loaders
trim ids, so loaded keys never have them). The schema refuses them, so validation answers
422, as the OpenAPI document says."""
from __future__ import annotations

import re
from typing import Any

from pydantic import Field

from casegraph.errors import ParameterError

_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
PLAIN = rf"^[^{_CONTROL}]*$"
SOME_TEXT = rf"^[^{_CONTROL}]*[^\s{_CONTROL}][^{_CONTROL}]*$"        # and not only blanks
ID = rf"^[^\s{_CONTROL}]([^{_CONTROL}]*[^\s{_CONTROL}])?$"            # no blank at either end
_HAS_CONTROL = re.compile(rf"[{_CONTROL}]")


def text(max_length: int, *, min_length: int = 1, blank: bool = True, **kw: Any) -> Any:
    """A pydantic Field for text of 1..max_length characters without control characters
    (nor only blanks when blank is False)."""
    return Field(min_length=min_length, max_length=max_length, pattern=PLAIN if blank else SOME_TEXT, **kw)


def ident(max_length: int, **kw: Any) -> Any:
    """A pydantic Field for an id: 1..max_length characters, no control character, no blank
    at either end."""
    return Field(min_length=1, max_length=max_length, pattern=ID, **kw)


def check_plain(value: Any, where: str = "params") -> None:
    """ParameterError when any text in `value` (keys and values, nested) has a control character."""
    if isinstance(value, str):
        if _HAS_CONTROL.search(value):
            raise ParameterError(f"{where}: text with a control character ({value[:40]!r})")
    elif isinstance(value, dict):
        for k, v in value.items():
            check_plain(k, where)
            check_plain(v, f"{where}.{k}")
    elif isinstance(value, list):
        for v in value:
            check_plain(v, where)
