"""Case services for the worker API: access rules, reading, notes, status, invitations, GDPR.

Every function takes the session and the acting Worker; access is decided here (not in api/) so
any other front end gets the same rules. Reads of case content are audited by the caller
through `audit_read`. The parts: access (who sees which case), report (profile and summary),
views (what the API returns), changes (notes, status, invitations, deletion).
"""

from bot.cases.access import (
    NotFound,
    audit_read,
    get_case,
    get_case_by_reference,
    list_cases,
    release_school_cases,
    school_ids,
)
from bot.cases.changes import (
    TRANSITIONS,
    InvalidTransition,
    add_note,
    change_status,
    create_invitation,
    delete_case,
    purge_case,
)
from bot.cases.report import (
    CaseInputs,
    CaseReport,
    case_inputs,
    case_report,
    compute_profile,
    consenting_respondents,
    latest_profile,
    profile_history,
    render_summary_html,
    rerun_profile,
    snapshot_info,
)
from bot.cases.views import (
    audit_info,
    case_detail,
    case_info,
    consent_rule,
    export_case,
    note_info,
)

__all__ = [
    "TRANSITIONS",
    "CaseInputs",
    "CaseReport",
    "InvalidTransition",
    "NotFound",
    "add_note",
    "audit_info",
    "audit_read",
    "case_detail",
    "case_info",
    "case_inputs",
    "case_report",
    "change_status",
    "compute_profile",
    "consent_rule",
    "consenting_respondents",
    "create_invitation",
    "delete_case",
    "export_case",
    "get_case",
    "get_case_by_reference",
    "latest_profile",
    "list_cases",
    "note_info",
    "profile_history",
    "purge_case",
    "release_school_cases",
    "render_summary_html",
    "rerun_profile",
    "school_ids",
    "snapshot_info",
]
