"""The template edit form: field checks come from the same rules the service applies."""

from __future__ import annotations

from typing import Any

from django import forms

from cspbroker.notifications import rendering, templates_catalog
from cspbroker.notifications.rendering import InvalidRecipient, TemplateError


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=200)
    subject = forms.CharField(max_length=500)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 18, "cols": 90}), strip=False)
    extra_recipients = forms.CharField(
        required=False,
        max_length=1000,
        help_text="Comma-separated addresses that receive a copy of every email of this kind.",
    )
    is_active = forms.BooleanField(required=False, label="Send emails of this kind")

    def __init__(self, *args: Any, key: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key = key

    def _check(self, field: str) -> str:
        value: str = self.cleaned_data[field]
        try:
            rendering.check_template(
                value, field=field, sample_context=templates_catalog.sample_context(self.key)
            )
        except TemplateError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        return value

    def clean_subject(self) -> str:
        return self._check("subject")

    def clean_body(self) -> str:
        return self._check("body")

    def clean_extra_recipients(self) -> str:
        try:
            return ", ".join(rendering.parse_recipient_list(self.cleaned_data["extra_recipients"]))
        except InvalidRecipient as error:
            raise forms.ValidationError(error.message, code=error.code) from None
