"""The queue's search and filter form, and the one place its values are read.

The search box (last name, reference or date of birth) is patient data: it is read only from a
POST body, never from a URL (``allow_search=False`` for a GET drops it). The other filters are
not identifying, so a GET link such as ``/staff/?concern=ocd`` works too.

:func:`read_filters` (the queue page, the CSV export, the benchmark) reads through this form,
so a filter means the same on the page and in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from werkzeug.datastructures import MultiDict

from intake import vocabulary as vocab
from intake.forms.base import strip_filter
from intake.forms.filters import ChoiceFilter, DateFilter, FilterForm, TextFilter, page_number
from intake.services import queue as qs
from intake.services.workflow import STATUSES, assignable_staff

SEARCH_MAX = 100


def _shorten(value: Any) -> Any:
    return value[:SEARCH_MAX] if isinstance(value, str) else value


def _cursor_text(value: object) -> str:
    """A page button's row cursor as sent (checked by the queue service; at most 80 characters)."""
    return value[:80] if isinstance(value, str) else ""


def _unknown(name: str) -> str:
    return f"Unknown {name} ignored."


def _assignees() -> dict[str, str]:
    """ "Assigned to": me, nobody, then each colleague who can be assigned (by address)."""
    return {
        "me": "Me",
        "nobody": "Nobody",
        **{str(user.id): user.email for user in assignable_staff()},
    }


class QueueFilterForm(FilterForm):
    q = TextFilter(
        "Search by last name, reference number or date of birth",
        description="Date of birth as YYYY-MM-DD. The search is sent privately and is not kept "
        "in the address bar.",
        filters=[strip_filter, _shorten],
        render_kw={"autocomplete": "off"},
    )
    status = ChoiceFilter("Status", choices=STATUSES, unknown=_unknown("status"))
    urgent = ChoiceFilter(
        "Urgent",
        choices={"yes": "Urgent only", "no": "Not urgent"},
        unknown=_unknown("urgent"),
    )
    concern = ChoiceFilter(
        "Primary concern",
        choices=vocab.staff_labels(vocab.PRIMARY_CONCERNS),
        unknown=_unknown("concern"),
    )
    coverage = ChoiceFilter(
        "Coverage type",
        choices=vocab.staff_labels(vocab.COVERAGE_TYPES),
        unknown=_unknown("coverage"),
    )
    pathway = ChoiceFilter("Pathway", choices=qs.pathway_titles, unknown=_unknown("pathway"))
    review = ChoiceFilter(
        "Clinician review", choices=qs.REVIEW_FILTERS, unknown=_unknown("review state")
    )
    prior_auth = ChoiceFilter(
        "Prior authorization", choices=qs.PRIOR_AUTH_FILTERS, unknown=_unknown("prior auth")
    )
    assigned = ChoiceFilter("Assigned to", choices=_assignees, unknown=_unknown("assignee"))
    phq9 = ChoiceFilter(
        "PHQ-9 band",
        choices={band: words for band, (_lo, _hi, words) in qs.PHQ9_BANDS.items()},
        unknown=_unknown("PHQ-9 band"),
    )
    flag = ChoiceFilter("Top flag", choices=qs.flag_codes, unknown=_unknown("flag"))
    payer = TextFilter(
        "Payer name starts with",
        filters=[strip_filter, _shorten],
        render_kw={"autocomplete": "off"},
    )
    date_from = DateFilter("Submitted from", parse=qs.QueueFilters.parse_date)
    date_to = DateFilter("Submitted to", parse=qs.QueueFilters.parse_date)
    sort = ChoiceFilter(
        "Sort", choices=qs.SORTS, any_label=None, unknown=_unknown("sort"), default="newest"
    )

    #: Every field but the search box, in the order the page shows them.
    FILTER_NAMES = (
        "status",
        "urgent",
        "concern",
        "coverage",
        "pathway",
        "review",
        "prior_auth",
        "assigned",
        "phq9",
        "flag",
        "payer",
        "date_from",
        "date_to",
        "sort",
    )

    page_asked: int = 1
    #: The page buttons' position (``QueueFilters.from_page`` / ``first_row`` / ``last_row``).
    pager: tuple[int, str, str] = (0, "", "")

    @classmethod
    def read(
        cls, data: Mapping[str, Any] | None, *, allow_search: bool = True, **kwargs: Any
    ) -> Self:
        """The form filled from ``data`` and checked; without ``allow_search`` any search
        term in ``data`` is dropped unread."""
        pairs = data.items(multi=True) if isinstance(data, MultiDict) else (data or {}).items()
        formdata = MultiDict([(k, v) for k, v in pairs if allow_search or k != "q"])
        form = super().read(formdata, **kwargs)
        form.page_asked = page_number(formdata.get("page"))
        if formdata.get("from_page"):
            form.pager = (
                page_number(formdata.get("from_page")),
                _cursor_text(formdata.get("first_row")),
                _cursor_text(formdata.get("last_row")),
            )
        return form

    def filters(self, viewer_id: int | None = None) -> qs.QueueFilters:
        """The usable values as the queue service takes them (dates as typed, checked);
        ``viewer_id`` is who "assigned to me" means."""
        return qs.QueueFilters(
            **{name: self.text(name) for name in self.FILTER_NAMES if name != "sort"},
            q=self.value("q") or "",
            sort=self.text("sort") or "newest",
            page=self.page_asked,
            problems=self.problems,
            from_page=self.pager[0],
            first_row=self.pager[1],
            last_row=self.pager[2],
            viewer_id=viewer_id,
        )


def read_filters(
    data: Mapping[str, str], *, allow_search: bool = True, viewer_id: int | None = None
) -> qs.QueueFilters:
    """The queue filters in ``data`` (a form or the URL's query); unknown values are dropped
    with a message, and the search box is read only when ``allow_search`` (a POST body)."""
    return QueueFilterForm.read(data, allow_search=allow_search).filters(viewer_id)


def audit_filters(f: qs.QueueFilters) -> dict[str, str]:
    """The filters as the audit log keeps them: a search term is patient data, so only its use."""
    used = f.as_form()
    if "q" in used:
        used["q"] = "(given)"
    return used
