from django import forms

from notifications import kinds


class PreferencesForm(forms.Form):
    """One choice per kind that can be emailed; a kind the site doesn't know is refused (400)."""

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        for kind in kinds.EMAILED_KINDS:
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label,
                choices=kinds.CHOICES,
                initial=current.get(kind.key, kind.default),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def unknown_kinds(self):
        known = set(self.fields) | {"csrfmiddlewaretoken", "save"}
        return sorted(key for key in (self.data or {}) if key not in known)
