import contextvars
import re
import uuid

_request_id = contextvars.ContextVar("request_id", default="")
_VALID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """Tags each request with an id (from X-Request-ID when well-formed) for logs and the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(rid)
        request.request_id = rid
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


class ChineseFirstLocaleMiddleware:
    """Simplified Chinese unless the user chose another language with the header switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so most desktop
    browsers (en-US by default) would get English; the service's language is Chinese first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _ in settings.LANGUAGES}
        lang = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        translation.deactivate()
        return response


class PrivateResponseMiddleware:
    """Nothing shown to a signed-in person is stored by a browser or a shared cache: their pages and API
    answers carry personal data (applicants' ID numbers, workers' claims). Responses that set their own
    Cache-Control keep it; static files are served before this by WhiteNoise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        authenticated = bool(user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
        if authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


class RejectNulMiddleware:
    """A NUL byte is never meaningful in a query parameter or a path, and PostgreSQL refuses it in text:
    answer 400 at the edge instead of letting it reach a query and become a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = [k for k, vs in request.GET.lists() if "\x00" in k or any("\x00" in v for v in vs)]
        if "\x00" in request.path or bad:
            from django.http import HttpResponseBadRequest, JsonResponse

            message = "请求参数包含非法字符（NUL）。 The request contains a NUL character."
            if request.path.startswith("/api/"):  # the API's 400 shape: messages per parameter
                return JsonResponse({k.replace("\x00", "") or "non_field_errors": [message] for k in bad}
                                    or {"non_field_errors": [message]}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
