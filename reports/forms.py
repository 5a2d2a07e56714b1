from django import forms

from reports.models import CharterGoal


class GoalForm(forms.Form):
    title = forms.CharField(
        label="The goal in your words",
        max_length=200,
        help_text="For example “30 approved lesson plans by June”.",
        error_messages={"required": "Say what the goal is."},
    )
    metric = forms.ChoiceField(
        label="Measured by",
        choices=CharterGoal.Metric.choices,
        error_messages={"invalid_choice": "Pick one of the listed measures.", "required": "Pick how it is measured."},
    )
    target = forms.DecimalField(
        label="Target",
        max_digits=8,
        decimal_places=2,
        help_text="A count, a percentage (0 to 100) or a pulse average (1 to 5), as the measure says.",
        error_messages={"required": "Set a target.", "invalid": "Enter the target as a number, for example 30."},
    )
    days = forms.IntegerField(
        label="Within how many days",
        required=False,
        min_value=1,
        max_value=365,
        help_text="Only for “questions answered within N days”.",
    )
    starts_on = forms.DateField(label="Counting from", widget=forms.DateInput(attrs={"type": "date"}))
    due_on = forms.DateField(label="By", widget=forms.DateInput(attrs={"type": "date"}))

    def clean_target(self):
        target = self.cleaned_data["target"]
        if target <= 0:
            raise forms.ValidationError("Set a target above 0.")
        return target
