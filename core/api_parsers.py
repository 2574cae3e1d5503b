"""The API's JSON parser (DEFAULT_PARSER_CLASSES). Its own module: the setting is imported while DRF defines
APIView, so it must not import anything that imports rest_framework.views (core.api does)."""
from __future__ import annotations

import re

from rest_framework import exceptions, parsers

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
MESSAGE = "含有无效字符（NUL 或孤立的代理项）。 Contains an invalid character (NUL or a lone surrogate)."


def _has_bad_text(value) -> bool:
    if isinstance(value, str):
        return bool(_BAD_TEXT.search(value))
    if isinstance(value, dict):
        return any(_has_bad_text(k) or _has_bad_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_bad_text(v) for v in value)
    return False


def check_text(data):
    """A 400 naming each top-level field whose text (at any depth, keys included) holds a NUL or a lone
    surrogate. Both parse (an escaped `"\\u0000"` / `"\\ud800"` is valid JSON; a form body may carry %00) but
    neither can be stored: PostgreSQL refuses NUL in text and UTF-8 cannot encode a surrogate, so a value
    reaching a query or a save became a 500 (a slug lookup on a related field, a JSON column)."""
    if isinstance(data, dict):
        keys = data.keys()
        bad = {("non_field_errors" if _has_bad_text(k) else k): [MESSAGE] for k in keys
               if _has_bad_text(k) or _has_bad_text(data.getlist(k) if hasattr(data, "getlist") else data[k])}
    else:
        bad = {"non_field_errors": [MESSAGE]} if _has_bad_text(data) else {}
    if bad:
        raise exceptions.ValidationError(bad)
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return check_text(super().parse(stream, media_type, parser_context))


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return check_text(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        check_text(result.data)
        return result
