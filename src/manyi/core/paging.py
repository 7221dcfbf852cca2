"""List pages share one page size and keep their filters when paging."""

from django.conf import settings
from django.core.paginator import Page, Paginator


def page_of(request, items) -> Page:
    """The requested page (`?page=`) of `items` at the project's page size; a bad number gives
    the nearest valid page."""
    return Paginator(items, settings.MANYI_PAGE_SIZE).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The list's query string minus `page`, for the pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
