"""The config file: one TOML file, every setting also settable by an environment variable.

Where: `$PAPERSIFT_CONFIG`, else `config.toml` in the platform's user config dir
(`~/.config/papersift/config.toml` on Linux). A missing default file means all defaults.
Precedence: environment > file > defaults. Each setting `[section] key` has the variable
`PAPERSIFT_<SECTION>_<KEY>` (`PAPERSIFT_EMAIL_PASSWORD`); `PAPERSIFT_SMTP_<KEY>` is an alias for
the `[email]` settings. Lists in variables are comma-separated; an empty variable unsets an
optional setting. Secrets (passwords, API keys) are never shown: `show_config` masks them and
the models leave them out of their repr.

The models (`Config`, `EmailConfig`, ...) are pydantic-settings models in
`papersift.settings.models`; they are re-exported here and load on first use, because pydantic
takes longer to import than most commands take to run (docs/benchmarks.md#config-import).
This module keeps what needs no pydantic: finding and reading the file, TOML syntax errors,
and turning a validation error into one line that names the file line or the variable.

Example:

    [sources]
    categories = ["cs.LG", "cs.CL"]

    [digest]
    k = 20
    formats = ["html", "md"]

    [email]
    to = ["me@example.org"]
    host = "smtp.example.org"
    port = 587
    tls = "starttls"        # or "ssl" (port 465) or "none"
    username = "me@example.org"
    # password: better in PAPERSIFT_EMAIL_PASSWORD than in this file

    [llm]
    base_url = "http://localhost:11434/v1"
    model = "qwen2.5:3b"

    [serve]
    port = 8765

    [webhook]
    format = "slack"        # or "json" (papersift's own schema) or "discord"
    # url: better in PAPERSIFT_WEBHOOK_URL than in this file (its path is the secret)
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args, get_origin

from papersift.errors import ConfigError

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo
    from pydantic_core import ErrorDetails

    from papersift.settings.models import (
        DEFAULT_SMTP_PORTS,
        SECTIONS,
        Config,
        DigestConfig,
        EmailConfig,
        LlmConfig,
        ServeConfig,
        SourcesConfig,
        TlsMode,
        WebhookConfig,
        WebhookFormat,
        default_digest_dir,
    )

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_SMTP_PORTS",
    "MASK",
    "SECTIONS",
    "Config",
    "ConfigError",
    "DigestConfig",
    "EmailConfig",
    "LlmConfig",
    "ServeConfig",
    "SourcesConfig",
    "TlsMode",
    "WebhookConfig",
    "WebhookFormat",
    "config_as_toml",
    "config_path",
    "default_digest_dir",
    "load_config",
    "mask_credentials",
    "parse_config_text",
    "show_config",
    "starter_config",
]

CONFIG_ENV = "PAPERSIFT_CONFIG"
MASK = "***"


def __getattr__(name: str) -> Any:
    # Python asks here only for names this module does not define: the models' names in
    # __all__, which load with pydantic on first use (docs/benchmarks.md#config-import).
    if name in __all__:
        from papersift.settings import models

        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """`$PAPERSIFT_CONFIG`, else config.toml in the platform's user config dir."""
    env = os.environ if env is None else env
    configured = env.get(CONFIG_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("papersift")) / "config.toml"


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Defaults, overridden by the TOML file, overridden by PAPERSIFT_* variables.

    A missing file is fine at the default location (all defaults) but an error when named
    explicitly (`path` or `$PAPERSIFT_CONFIG`): a typo there should not silently mean defaults.
    """
    from pydantic import ValidationError

    from papersift.settings.models import Config
    from papersift.settings.sources import EnvironmentSource

    env = os.environ if env is None else env
    explicit = path is not None or bool(env.get(CONFIG_ENV, "").strip())
    path = path if path is not None else config_path(env)
    text = _read_config_text(path, must_exist=explicit)
    tables = parse_config_text(text, str(path)) if text is not None else {}
    # Environment over file over defaults, as pydantic-settings orders its sources. They run
    # here, not in Config.settings_customise_sources, because the file and the variables are
    # arguments and each error must name the file line or the variable it comes from.
    environment = EnvironmentSource(Config, env)
    values = _merge(tables, environment())
    where = _Where(str(path), text or "", environment.variables)
    _check_keys(values, where)
    try:
        return Config.model_validate({**values, "path": path if text is not None else None})
    except ValidationError as err:
        # One line, like every papersift error: the first mistake, in the file's table order.
        raise _explain(err.errors()[0], where) from None


def show_config(config: Config) -> dict[str, dict[str, Any]]:
    """Every setting as TOML names it, JSON-friendly, with secrets masked as "***"."""
    from papersift.settings.models import SECTIONS, toml_key

    shown: dict[str, dict[str, Any]] = {}
    for section, model in SECTIONS.items():
        part = getattr(config, section)
        shown[section] = {}
        for name, field in model.model_fields.items():
            value = getattr(part, name)
            if _is_secret(field) and value is not None:
                value = MASK
            shown[section][toml_key(name, field)] = _plain(value)
    return shown


def config_as_toml(shown: dict[str, dict[str, Any]], header: str) -> str:
    """`show_config`'s settings as a TOML file one can paste: unset keys are commented out."""
    lines = [f"# {header}"]
    for section, values in shown.items():
        lines += ["", f"[{section}]"]
        for key, value in values.items():
            if value is None:
                lines.append(f"# {key} =  (not set)")
            elif value == MASK:  # a secret stays out of anything one might paste or share
                lines.append(f"# {key} =  (set, hidden)")
            else:
                lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def starter_config() -> str:
    """A commented configuration file of the defaults: uncomment a line to change it."""
    from papersift.settings.models import Config

    header = "papersift settings: every line shows the default; uncomment one to change it"
    lines = config_as_toml(show_config(Config()), header).splitlines()
    return (
        "\n".join(
            f"# {line}" if line and not line.startswith(("#", "[")) else line for line in lines
        )
        + "\n"
    )


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    # A JSON string is a TOML basic string: the same quotes and escapes.
    return json.dumps(str(value), ensure_ascii=False)


def _is_secret(field: FieldInfo) -> bool:
    # The models mark a secret by leaving it out of their repr (settings/models.py).
    return field.repr is False


# --- parsing (pure) ---


def parse_config_text(text: str, source: str) -> dict[str, dict[str, Any]]:
    """TOML text -> {section: {key: value}}; syntax errors name the line and key.

    Only the tables are checked here (a stray key, an unknown or misspelt table): the keys in
    them are checked with the variables' by `_check_keys`, the values by the models.
    """
    import tomllib

    from papersift.settings.models import SECTIONS

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = _error_line(str(err), text)
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(err))
        raise ConfigError(
            source, f"invalid TOML: {reason}", line=line, key=_key_at_line(text, line)
        ) from None
    sections: dict[str, dict[str, Any]] = {}
    for name, value in data.items():
        if name not in SECTIONS and not isinstance(value, dict):
            raise _top_level_key(source, text, name)
        if name not in SECTIONS:
            reason = _unknown_reason(f"section [{name}]", name, list(SECTIONS))
            raise ConfigError(source, reason, line=_line_of(text, None, name), key=name)
        if not isinstance(value, dict):
            raise ConfigError(
                source,
                f"must be a table ([{name}]), not a value",
                line=_line_of(text, None, name),
                key=name,
            )
        sections[name] = value
    return sections


# What a pydantic error type means a setting should have been.
_EXPECTED = {
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "string_type": "a string",
    "tuple_type": "a list",
    "list_type": "a list",
    "path_type": "a path",
}


@dataclass(frozen=True)
class _Where:
    """What an error message needs to name where a value came from."""

    source: str  # the config file's path
    text: str  # its text, to find a key's line
    variables: Mapping[tuple[str, str], str]  # (section, key) -> the variable that set it

    def error(self, section: str, key: str, reason: str) -> ConfigError:
        variable = self.variables.get((section, key))
        if variable is not None:
            return ConfigError("environment", reason, key=variable)
        line = _line_of(self.text, section, key)
        return ConfigError(self.source, reason, line=line, key=f"{section}.{key}")


def _check_keys(values: Mapping[str, Mapping[str, Any]], where: _Where) -> None:
    """Every key set must be a setting's TOML name.

    The models would also take a field's Python name (`sender` for `from`), which code uses;
    the file and the variables use the TOML names only.
    """
    from papersift.settings.models import SECTIONS, toml_keys

    for section, given in values.items():
        keys = list(toml_keys(SECTIONS[section]))
        for key in given:
            if key in keys:
                continue
            variable = where.variables.get((section, key))
            if variable is None:
                raise where.error(section, key, _unknown_reason("key", key, keys))
            prefix = variable[: len(variable) - len(key)]  # PAPERSIFT_EMAIL_ or PAPERSIFT_SMTP_
            known = [prefix + name.upper() for name in keys]
            raise where.error(section, key, _unknown_reason("setting", variable, known))


def _explain(error: ErrorDetails, where: _Where) -> ConfigError:
    """A pydantic validation error as a ConfigError naming the file line or the variable."""
    from papersift.settings.models import SECTIONS, toml_keys

    section, key = str(error["loc"][0]), str(error["loc"][1])
    field = SECTIONS[section].model_fields[toml_keys(SECTIONS[section])[key]]
    return where.error(section, key, _reason(error, field))


def _reason(error: ErrorDetails, field: FieldInfo) -> str:
    kind, value = error["type"], error["input"]
    if kind in ("greater_than_equal", "less_than_equal"):
        low, high = _bounds(field)
        return f"{value:g} is out of range ({low} to {high})"
    if kind == "value_error":  # raised by a model's own check, already in these words
        return str(error.get("ctx", {}).get("error", error["msg"]))
    # A secret's value never goes into a message: messages end up in logs and terminals.
    got = "" if _is_secret(field) else f", got {_describe(value)}"
    if kind == "literal_error":
        return f"expected one of {', '.join(_choices(field.annotation))}{got}"
    return f"expected {_EXPECTED.get(kind, 'a valid value')}{got}"


def _bounds(field: FieldInfo) -> tuple[Any, Any]:
    low = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
    high = next((m.le for m in field.metadata if hasattr(m, "le")), None)
    return low, high


def _choices(annotation: Any) -> list[str]:
    """The values of the Literal inside an annotation (`tuple[Literal["html", ...], ...]`)."""
    if get_origin(annotation) is Literal:
        return [str(choice) for choice in get_args(annotation)]
    for inner in get_args(annotation):
        found = _choices(inner)
        if found:
            return found
    return []


def _describe(value: Any) -> str:
    kind = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    if type(value) in kind:
        return f"{kind[type(value)]} ({value!r})"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__} ({value})"  # TOML dates and times


def _top_level_key(source: str, text: str, key: str) -> ConfigError:
    from papersift.settings.models import SECTIONS, toml_keys

    homes = [section for section, model in SECTIONS.items() if key in toml_keys(model)]
    where = f"under [{homes[0]}]" if len(homes) == 1 else "in a section"
    return ConfigError(
        source,
        f"settings go {where} ({', '.join(f'[{name}]' for name in SECTIONS)})",
        line=_line_of(text, None, key),
        key=key,
    )


def _unknown_reason(what: str, name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"
    return f"unknown {what} ({hint})"


def _merge(
    base: Mapping[str, Mapping[str, Any]], override: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    merged = {section: dict(values) for section, values in base.items()}
    for section, values in override.items():
        merged.setdefault(section, {}).update(values)
    return merged


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, str):
        return mask_credentials(value)
    return value


# `scheme://user:password@` or `scheme://token@`, and `?api_key=...`-style query values.
_URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<info>[^/?#@\s]+)@")
_SECRET_QUERY = re.compile(
    r"(?P<key>[?&;](?:[A-Za-z0-9_-]*(?:key|token|secret|password|passwd|pwd|sig|auth)"
    r"[A-Za-z0-9_-]*)=)(?P<value>[^&;#\s]+)",
    re.IGNORECASE,
)


def mask_credentials(text: str) -> str:
    """`text` with credentials in URLs masked: `https://user:pass@host` -> `https://user:***@host`,
    `https://token@host` -> `https://***@host`, `?api_key=abc` -> `?api_key=***`.

    A secret setting is masked whole (`show_config`), but a URL setting (`llm.base_url`) can
    carry a password too, and it must not be shown where a secret would not be.
    """

    def userinfo(found: re.Match[str]) -> str:
        user, colon, _ = found["info"].partition(":")
        return f"{found['scheme']}{user}:{MASK}@" if colon else f"{found['scheme']}{MASK}@"

    text = _URL_USERINFO.sub(userinfo, text)
    return _SECRET_QUERY.sub(lambda found: f"{found['key']}{MASK}", text)


# --- locating a key in the TOML text, for messages ---

_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.\-]+)\s*=""")


def _line_of(text: str, section: str | None, key: str) -> int | None:
    """1-based line where `key` is set in `[section]` (or the table `key` opens), if found."""
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        table = _TABLE.match(line)
        if table:
            current = table.group(1).strip().strip("\"'")
            if section is None and current == key:
                return number
            continue
        found = _KEY.match(line)
        if not found:
            continue
        dotted = ".".join(part.strip().strip("\"'") for part in found.group(1).split("."))
        full = f"{current}.{dotted}" if current else dotted
        wanted = f"{section}.{key}" if section else key
        if full == wanted or (section is None and full.split(".")[0] == key):
            return number
    return None


def _key_at_line(text: str, line: int | None) -> str | None:
    """`section.key` set on `line`, or the table declared there, for TOML syntax errors."""
    if line is None:
        return None
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return None
    current = ""
    for previous in lines[: line - 1]:
        table = _TABLE.match(previous)
        if table:
            current = table.group(1).strip()
    here = lines[line - 1]
    if here.lstrip().startswith("["):
        return here.strip().lstrip("[").rstrip("]").strip() or None
    found = _KEY.match(here) or re.match(r"^\s*([A-Za-z0-9_.\-]+)", here)
    if not found:
        return None
    key = found.group(1).strip("\"'")
    return f"{current}.{key}" if current else key


def _error_line(message: str, text: str) -> int | None:
    found = re.search(r"at line (\d+), column \d+", message)
    if found:
        return int(found.group(1))
    if "end of document" in message:
        return max(1, len(text.splitlines()))
    return None


# --- I/O ---


def _read_config_text(path: Path, *, must_exist: bool) -> str | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if must_exist:
            raise ConfigError(str(path), "config file not found") from None
        return None
    except OSError as err:
        raise ConfigError(str(path), f"cannot read: {err.strerror or err}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ConfigError(str(path), "not UTF-8 text", line=line) from None
