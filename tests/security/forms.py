"""A small HTML form reader for the security suite: finds the forms of a page and fills them in as a browser would."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class FormField:
    name: str
    kind: str  # input type, "select" or "textarea"
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    attrs: dict = field(default_factory=dict)


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: list[FormField] = field(default_factory=list)

    @property
    def has_password(self) -> bool:
        return any(f.kind == "password" for f in self.fields)

    def field_names(self) -> set[str]:
        return {f.name for f in self.fields}

    def data(self) -> dict[str, str | list[str]]:
        """What a browser would submit untouched: checked boxes, selected (or first) options, values."""
        data: dict[str, list[str]] = {}
        for item in self.fields:
            if item.kind in ("submit", "button", "image", "reset", "file"):
                continue
            if item.kind in ("checkbox", "radio"):
                if item.checked:
                    data.setdefault(item.name, []).append(item.value or "on")
                continue
            if item.kind == "select":
                chosen = item.selected or item.options[:1]
                data.setdefault(item.name, []).extend(chosen)
                continue
            data.setdefault(item.name, []).append(item.value)
        return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._option: dict | None = None
        self._textarea: FormField | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = Form(
                action=attributes.get("action", ""),
                method=attributes.get("method", "get").lower(),
                enctype=attributes.get("enctype", ""),
            )
            self.forms.append(self._form)
            return
        if self._form is None or "name" not in attributes and tag != "option":
            return
        if tag == "input":
            self._form.fields.append(
                FormField(
                    name=attributes["name"],
                    kind=attributes.get("type", "text").lower(),
                    value=attributes.get("value", ""),
                    checked="checked" in attributes,
                    attrs=attributes,
                )
            )
        elif tag == "select":
            self._select = FormField(name=attributes["name"], kind="select", attrs=attributes)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": attributes.get("value"), "selected": "selected" in attributes, "text": ""}
        elif tag == "textarea":
            self._textarea = FormField(name=attributes["name"], kind="textarea", attrs=attributes)
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        elif self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            value = self._option["value"] if self._option["value"] is not None else self._option["text"].strip()
            self._select.options.append(value)
            if self._option["selected"]:
                self._select.selected.append(value)
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms_of(html: str) -> list[Form]:
    """Every ``<form>`` of ``html`` with its fields."""
    parser = _FormParser()
    parser.feed(html)
    return parser.forms
