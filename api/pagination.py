"""Cursor pagination over each endpoint's stable ordering (``view.ordering``).

A cursor that was tampered with, or whose position is not a value of the ordering field, is a
404 ("Invalid cursor"), never a 500.
"""

from django.core.exceptions import ValidationError
from django.db import models
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

_BIGINT = 2**63


class Cursor(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_ordering(self, request, queryset, view):
        return view.ordering

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        self._ordering_field = view.ordering[0].lstrip("-")
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            self._check_position(cursor.position)
        return cursor

    def _check_position(self, position):
        field = self._model._meta.get_field(self._ordering_field)
        try:
            value = field.to_python(position)
        except (ValidationError, ValueError, TypeError):
            raise NotFound(self.invalid_cursor_message) from None
        if value is None:
            raise NotFound(self.invalid_cursor_message)
        if isinstance(field, models.IntegerField | models.AutoField) and not -_BIGINT < value < _BIGINT:
            raise NotFound(self.invalid_cursor_message)
