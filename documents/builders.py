"""The negotiation documents: agreement (集体合同), proposal (要约书), response (应约书), minutes (纪要)."""
from __future__ import annotations


def register_all() -> None:
    """Register the negotiation kinds when the negotiation models exist."""
    try:
        from negotiation.models import Negotiation  # noqa: F401
    except ImportError:
        return
