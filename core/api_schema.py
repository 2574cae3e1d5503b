"""The OpenAPI schema's view of every endpoint (DEFAULT_SCHEMA_CLASS): the error answers each one can give.
Its own module: core.api is imported while DRF defines its generic views (the pagination setting), and
drf-spectacular's AutoSchema imports them."""
from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

from .serializers import ID_MAX, ErrorSerializer, FieldErrorsSerializer


class AutoSchema(SpectacularAutoSchema):
    """Documents the error answers every endpoint can give, next to what each view declares:

    - 400 everywhere (field messages; a NUL character or a malformed body can reach any endpoint);
    - 403 everywhere (not signed in, an inactive user, a role the endpoint does not serve, a rule's refusal);
    - 404 where the path names an object (missing or outside the caller's scope);
    - 409 on POSTs of views with `may_conflict = True` (a stale version or state, a repeated submission).

    Path ids checked by core.api.PathIdsMixin are documented as what they must be: positive integers.
    """

    ERRORS = {
        "400": (FieldErrorsSerializer, "输入有误：各字段的错误信息 (bad input: messages per field)"),
        "403": (ErrorSerializer, "未登录或无权执行 (not signed in, or not allowed: the reason)"),
        "404": (ErrorSerializer, "不存在或不在您的可见范围内 (not found, or not visible to the caller)"),
        "409": (ErrorSerializer, "已被他人更改或重复提交 (changed meanwhile, or already submitted)"),
    }

    def _error_codes(self) -> list[str]:
        codes = ["400", "403"]
        if "{" in self.path:
            codes.append("404")
        if self.method == "POST" and getattr(self.view, "may_conflict", False):
            codes.append("409")
        return codes

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        if hasattr(self.view, "path_ids"):  # core.api.PathIdsMixin
            lookup = getattr(self.view, "lookup_url_kwarg", None) or getattr(self.view, "lookup_field", "pk")
            ids = {"id", "pk", lookup, *self.view.path_ids}
            for p in parameters:
                if p["name"] in ids:
                    p["schema"] = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                serializer, description = self.ERRORS[code]
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(serializer, description=description), code, direction=direction
                )
        return responses
