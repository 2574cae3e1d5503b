"""Writes for legal aid, by sub-domain. Every write to a case goes through `core.runner` (lock → scope →
state → the action's rule → transition/edit → validate → save → audit → publish), so a service called from
anywhere refuses a wrong actor exactly as the page and the API do. Services take the case as `case=`
(the object or its id) and never a queryset."""
from .cases import (  # noqa: F401
    APPLICATION_FIELDS,
    case_create,
    case_decide,
    case_documents_received,
    case_request_documents,
    case_update,
    record_personal_view,
    refresh_derived,
    urgency_explanation,
    urgent_on,
    urgent_window_days,
)
from .consultations import consultation_create  # noqa: F401
from .firm_work import (  # noqa: F401
    case_accept,
    case_assign_lawyer,
    case_close,
    case_decline,
    case_record_satisfaction,
    document_add,
    worklog_add,
)
from .firms import engagement_add, engagement_end, firm_profile_save  # noqa: F401
from .offers import case_time_out, route, route_override  # noqa: F401
from .sweep import sweep  # noqa: F401
from ..rules import EligibilityProposal, propose_eligibility  # noqa: F401
from .privacy import (  # noqa: F401,E402
    anonymise_case,
    anonymise_consultation,
    anonymise_expired,
    disclose_case,
    disclose_consultation,
    retention_rules,
    subject_access_export,
)
