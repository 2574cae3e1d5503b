"""The API's JSON parser (DEFAULT_PARSER_CLASSES). Its own module: the setting is imported while DRF defines
APIView, so it must not import anything that imports rest_framework.views (core.api does)."""
from __future__ import annotations

import re

from rest_framework import exceptions, parsers

_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(value) -> bool:
    if isinstance(value, str):
        return bool(_SURROGATE.search(value))
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


class JSONParser(parsers.JSONParser):
    """JSON that is also text: an escaped lone surrogate (`"\\ud800"`) parses in Python but cannot be stored
    or encoded (UnicodeEncodeError, a 500); it is a 400 like any other malformed body."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_surrogate(data):
            raise exceptions.ParseError("JSON 含有无效的 Unicode 字符（孤立的代理项）。 Invalid Unicode in JSON (lone surrogate).")
        return data
