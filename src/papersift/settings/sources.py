"""Where settings come from besides the file: the PAPERSIFT_<SECTION>_<KEY> variables.

A variable's text becomes the value TOML would carry (a number, true or false, a list), so
the strict models in `papersift.settings.models` check both the same way. Text that does not
convert is passed on unchanged: the model then rejects it and the message names the variable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, get_args, get_origin

from pydantic.fields import FieldInfo
from pydantic_settings import PydanticBaseSettingsSource

from papersift.settings.models import SECTIONS, Config, toml_keys

ENV_PREFIX = "PAPERSIFT_"
# PAPERSIFT_SMTP_HOST means PAPERSIFT_EMAIL_HOST: SMTP is the word people reach for.
SECTION_ALIASES = {"SMTP": "email"}
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class EnvironmentSource(PydanticBaseSettingsSource):
    """The PAPERSIFT_* variables of `env` as {section: {TOML key: value}}.

    pydantic-settings' own EnvSettingsSource reads only os.environ, matches names in any case
    and decodes lists as JSON; papersift's documented names are exact, lists comma-separated,
    and the caller passes the variables in (tests, the web app's settings page).

    Canonical names win over aliases (PAPERSIFT_EMAIL_HOST over PAPERSIFT_SMTP_HOST). A name
    that is no setting of a known section (PAPERSIFT_EMAIL_PASWORD) is passed on, for the model
    to reject as unknown; other PAPERSIFT_* variables (PAPERSIFT_DB) are not config settings.
    `variables` records which variable set each (section, key), for error messages.
    """

    def __init__(self, settings_cls: type[Config], env: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self.env = env
        self.variables: dict[tuple[str, str], str] = {}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        section = SECTIONS.get(field_name)
        if section is None:
            return None, field_name, False  # `path` is not a setting
        prefixes = [alias for alias, name in SECTION_ALIASES.items() if name == field_name]
        keys = toml_keys(section)
        values: dict[str, Any] = {}
        # Aliases first so that the canonical name, read last, overwrites them.
        for prefix in [*prefixes, field_name.upper()]:
            start = f"{ENV_PREFIX}{prefix}_"
            for variable, text in self.env.items():
                if not variable.startswith(start) or variable == start:
                    continue
                given = variable[len(start) :]
                key = next((k for k in keys if k.upper() == given), given.lower())
                model_field = section.model_fields.get(keys.get(key, ""))
                values[key] = text if model_field is None else from_text(text, model_field)
                self.variables[(field_name, key)] = variable
        return (values or None), field_name, True

    def __call__(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, field in self.settings_cls.model_fields.items():
            value, key, _ = self.get_field_value(field, name)
            if value is not None:
                found[key] = value
        return found


def from_text(text: str, field: FieldInfo) -> Any:
    """A variable's text as the value TOML would carry; an empty text unsets an optional one."""
    text = text.strip()
    annotation = field.annotation
    members = [bare(member) for member in get_args(annotation)]
    if type(None) in members:
        if not text:
            return None
        annotation = next(member for member in members if member is not type(None))
    annotation = bare(annotation)
    if annotation is bool and text.lower() in TRUE_WORDS | FALSE_WORDS:
        return text.lower() in TRUE_WORDS
    if annotation in (int, float):
        try:
            return annotation(text)
        except ValueError:
            return text
    return text  # strings; lists are split on commas by the model itself


def bare(annotation: Any) -> Any:
    """`Annotated[int, Strict()]` -> int."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation
