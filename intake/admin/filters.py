"""The audit log's search form (GET: it holds staff emails and codes, never patient data)."""

from __future__ import annotations

from intake.forms.filters import ChoiceFilter, DateFilter, FilterForm, TextFilter
from intake.services.audit import ACTIONS
from intake.services.audit_search import AuditQuery


class AuditFilterForm(FilterForm):
    actor = TextFilter("Staff email contains")
    action = ChoiceFilter("Action", choices=ACTIONS, unknown="Unknown action ignored.")
    submission = TextFilter("Submission id or reference")
    date_from = DateFilter("From")
    date_to = DateFilter("To")

    def query(self) -> AuditQuery:
        return AuditQuery(
            actor=self.text("actor"),
            action=self.text("action"),
            submission=self.text("submission"),
            date_from=self.value("date_from"),
            date_to=self.value("date_to"),
        )
