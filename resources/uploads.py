"""The library's upload checks live in core.uploads, so mentoring's pair files get the same ones."""

from core.uploads import ALLOWED_DESCRIPTION, Inspected, as_utf8_text, inspect_upload

__all__ = ["ALLOWED_DESCRIPTION", "Inspected", "as_utf8_text", "inspect_upload"]
