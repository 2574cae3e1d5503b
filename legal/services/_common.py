from __future__ import annotations

from django.urls import reverse


def pk_of(case) -> int:
    return getattr(case, "pk", case)


def case_url(case) -> str:
    return reverse("legal:case_detail", args=[pk_of(case)])
