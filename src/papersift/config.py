"""The config file: one TOML file, every setting also settable by an environment variable.

Where: `$PAPERSIFT_CONFIG`, else `config.toml` in the platform's user config dir
(`~/.config/papersift/config.toml` on Linux). A missing default file means all defaults.
Precedence: environment > file > defaults. Each setting `[section] key` has the variable
`PAPERSIFT_<SECTION>_<KEY>` (`PAPERSIFT_EMAIL_PASSWORD`); `PAPERSIFT_SMTP_<KEY>` is an alias for
the `[email]` settings. Lists in variables are comma-separated; an empty variable unsets an
optional setting. Secrets (passwords, API keys) are never shown: `show_config` masks them and
the dataclasses leave them out of their repr.

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
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from papersift.records import DigestFormat as Format
from papersift.errors import PapersiftError

CONFIG_ENV = "PAPERSIFT_CONFIG"
ENV_PREFIX = "PAPERSIFT_"
SECTION_ALIASES = {"SMTP": "email"}
MASK = "***"
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})

TlsMode = Literal["starttls", "ssl", "none"]
DEFAULT_SMTP_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}


class ConfigError(PapersiftError):
    """The config file (or a PAPERSIFT_* variable) cannot be used as written.

    `line` is 1-based when known; `key` is `section.key` (or the variable's name).
    """

    def __init__(
        self, source: str, reason: str, *, line: int | None = None, key: str | None = None
    ) -> None:
        self.source = source
        self.reason = reason
        self.line = line
        self.key = key
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = self.source
        if self.line is not None:
            where += f": line {self.line}"
        if self.key is not None:
            where += f": {self.key}"
        return f"{where}: {self.reason}"


def _setting(
    default: Any = None,
    *,
    key: str | None = None,
    secret: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    factory: Any = None,
) -> Any:
    """A dataclass field that knows its TOML key, whether it is secret and its valid range."""
    metadata = {"key": key, "secret": secret, "minimum": minimum, "maximum": maximum}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata, repr=not secret)


def default_digest_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("papersift")) / "digests"


@dataclass(frozen=True)
class SourcesConfig:
    """What `papersift daily` fetches."""

    categories: tuple[str, ...] = _setting(("cs.LG", "cs.CL", "cs.AI", "cs.CV", "stat.ML"))
    arxiv: bool = _setting(True)
    hf: bool = _setting(True)  # Hugging Face daily papers


@dataclass(frozen=True)
class DigestConfig:
    k: int = _setting(20, minimum=1, maximum=1000)  # top picks
    since: str = _setting("1d")  # window, as `--since` takes it
    formats: tuple[Format, ...] = _setting(("html", "md"))
    out_dir: Path = _setting(factory=default_digest_dir)


@dataclass(frozen=True)
class EmailConfig:
    to: tuple[str, ...] = _setting(())
    sender: str | None = _setting(None, key="from")  # "from" is a Python keyword
    host: str = _setting("localhost")
    port: int | None = _setting(None, minimum=1, maximum=65535)  # None: by `tls`
    tls: TlsMode = _setting("starttls")
    username: str | None = _setting(None)
    password: str | None = _setting(None, secret=True)
    timeout: float = _setting(30.0, minimum=0.1, maximum=600)

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_SMTP_PORTS[self.tls]


@dataclass(frozen=True)
class LlmConfig:
    """An OpenAI-compatible endpoint for abstractive TL;DRs; no `base_url` means extractive."""

    base_url: str | None = _setting(None)
    model: str | None = _setting(None)
    api_key: str | None = _setting(None, secret=True)
    timeout: float = _setting(30.0, minimum=0.1, maximum=600)
    max_tokens: int = _setting(200, minimum=1, maximum=100_000)


@dataclass(frozen=True)
class ServeConfig:
    host: str = _setting("127.0.0.1")
    port: int = _setting(8765, minimum=1, maximum=65535)
    # Base URL the digest's like/dislike links use; None: http://{host}:{port}.
    feedback_url: str | None = _setting(None)

    @property
    def public_url(self) -> str:
        if self.feedback_url:
            return self.feedback_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


@dataclass(frozen=True)
class Config:
    sources: SourcesConfig = field(default_factory=SourcesConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    email: EmailConfig = field(default_factory=EmailConfig)
    llm: LlmConfig = field(default_factory=LlmConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    path: Path | None = None  # the file that was read; None when none was


SECTIONS: dict[str, type] = {
    f.name: typing.get_type_hints(Config)[f.name]
    for f in dataclasses.fields(Config)
    if f.name != "path"
}


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
    env = os.environ if env is None else env
    explicit = path is not None or bool(env.get(CONFIG_ENV, "").strip())
    path = path if path is not None else config_path(env)
    text = _read_config_text(path, must_exist=explicit)
    values = parse_config_text(text, str(path)) if text is not None else {}
    values = _merge(values, env_settings(env))
    return build_config(values, str(path), text or "", path if text is not None else None)


def show_config(config: Config) -> dict[str, dict[str, Any]]:
    """Every setting as TOML names it, JSON-friendly, with secrets masked as "***"."""
    shown: dict[str, dict[str, Any]] = {}
    for section in SECTIONS:
        part = getattr(config, section)
        shown[section] = {}
        for f in dataclasses.fields(part):
            value = getattr(part, f.name)
            if f.metadata["secret"] and value is not None:
                value = MASK
            shown[section][_toml_key(f)] = _plain(value)
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


# --- parsing (pure) ---


def parse_config_text(text: str, source: str) -> dict[str, dict[str, Any]]:
    """TOML text -> {section: {key: value}}; syntax errors name the line and key."""
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
            raise _unknown(source, text, name, None, list(SECTIONS))
        if not isinstance(value, dict):
            raise ConfigError(
                source,
                f"must be a table ([{name}]), not a value",
                line=_line_of(text, None, name),
                key=name,
            )
        sections[name] = value
    return sections


def env_settings(env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """PAPERSIFT_<SECTION>_<KEY> variables as {section: {key: raw string}}.

    Canonical names win over aliases (PAPERSIFT_EMAIL_HOST over PAPERSIFT_SMTP_HOST).
    """
    prefixes = {name.upper(): name for name in SECTIONS} | SECTION_ALIASES
    found: dict[str, dict[str, Any]] = {}
    # Aliases first so that canonical names, set afterwards, overwrite them.
    for variable in sorted(env, key=_is_canonical):
        if not variable.startswith(ENV_PREFIX):
            continue
        prefix, _, key = variable[len(ENV_PREFIX) :].partition("_")
        section = prefixes.get(prefix)
        if section is None or not key:
            continue  # PAPERSIFT_DB, PAPERSIFT_CACHE_DIR ...: not config-file settings
        keys = {_toml_key(f).upper(): _toml_key(f) for f in dataclasses.fields(SECTIONS[section])}
        if key not in keys:
            known = [f"{ENV_PREFIX}{prefix}_{name}" for name in keys]
            raise ConfigError(
                "environment", _unknown_reason("setting", variable, known), key=variable
            )
        found.setdefault(section, {})[keys[key]] = _EnvValue(variable, env[variable])
    return found


def build_config(
    values: Mapping[str, Mapping[str, Any]], source: str, text: str, path: Path | None
) -> Config:
    """Typed, validated Config from {section: {key: value}} (TOML values or _EnvValue)."""
    parts: dict[str, Any] = {}
    for section, cls in SECTIONS.items():
        given = dict(values.get(section, {}))
        fields = {_toml_key(f): f for f in dataclasses.fields(cls)}
        hints = typing.get_type_hints(cls)
        kwargs: dict[str, Any] = {}
        for key, raw in given.items():
            if key not in fields:
                raise _unknown(source, text, section, key, list(fields))
            f = fields[key]
            if isinstance(raw, _EnvValue):
                where = ConfigError("environment", "", key=raw.variable)
                kwargs[f.name] = _from_env(raw.text, hints[f.name], f, where)
            else:
                where = ConfigError(
                    source, "", line=_line_of(text, section, key), key=f"{section}.{key}"
                )
                kwargs[f.name] = _from_toml(raw, hints[f.name], f, where)
        parts[section] = cls(**kwargs)
    return Config(**parts, path=path)


@dataclass(frozen=True)
class _EnvValue:
    variable: str
    text: str


def _from_toml(value: Any, annotation: Any, f: dataclasses.Field[Any], where: ConfigError) -> Any:
    kind, inner = _kind(annotation)
    if kind == "tuple":
        if isinstance(value, str):  # `formats = "html,md"` is forgiven: it reads the same
            value = [item.strip() for item in value.split(",") if item.strip()]
        if not isinstance(value, list):
            raise _wrong(where, f"expected a list, got {_describe(value)}")
        return tuple(_from_toml(item, inner, f, where) for item in value)
    if kind == "literal":
        if value not in inner:
            raise _wrong(where, f"expected one of {', '.join(inner)}, got {_describe(value)}")
        return value
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return _in_range(value, f, where)
    if kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return _in_range(float(value), f, where)
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "path" and isinstance(value, str):
        if not value.strip():
            raise _wrong(where, "expected a path, got an empty string")
        return Path(value).expanduser()
    expected = {"bool": "true or false", "int": "an integer", "float": "a number", "path": "a path"}
    raise _wrong(where, f"expected {expected.get(kind, 'a string')}, got {_describe(value)}")


def _from_env(text: str, annotation: Any, f: dataclasses.Field[Any], where: ConfigError) -> Any:
    text = text.strip()
    optional = _is_optional(annotation)
    if not text and optional:
        return None
    kind, _ = _kind(annotation)
    if kind == "tuple":
        return _from_toml(
            [item.strip() for item in text.split(",") if item.strip()], annotation, f, where
        )
    if kind == "bool":
        if text.lower() in TRUE_WORDS | FALSE_WORDS:
            return text.lower() in TRUE_WORDS
        raise _wrong(where, f"expected true or false, got {text!r}")
    if kind in ("int", "float"):
        try:
            number = int(text) if kind == "int" else float(text)
        except ValueError:
            expected = "an integer" if kind == "int" else "a number"
            raise _wrong(where, f"expected {expected}, got {text!r}") from None
        return _from_toml(number, annotation, f, where)
    return _from_toml(text, annotation, f, where)


def _kind(annotation: Any) -> tuple[str, Any]:
    """("int" | "float" | "bool" | "str" | "path" | "literal" | "tuple", detail)."""
    if _is_optional(annotation):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    origin = typing.get_origin(annotation)
    if origin is tuple:
        return "tuple", typing.get_args(annotation)[0]
    if origin is Literal:
        return "literal", typing.get_args(annotation)
    names = {bool: "bool", int: "int", float: "float", str: "str", Path: "path"}
    return names[annotation], None


def _is_optional(annotation: Any) -> bool:
    return isinstance(annotation, types.UnionType) and type(None) in typing.get_args(annotation)


def _in_range(number: float, f: dataclasses.Field[Any], where: ConfigError) -> Any:
    low, high = f.metadata["minimum"], f.metadata["maximum"]
    if (low is not None and number < low) or (high is not None and number > high):
        raise _wrong(where, f"{number:g} is out of range ({low} to {high})")
    return number


def _wrong(where: ConfigError, reason: str) -> ConfigError:
    return ConfigError(where.source, reason, line=where.line, key=where.key)


def _describe(value: Any) -> str:
    kind = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    name = kind.get(type(value), "a list" if isinstance(value, list) else "a table")
    return f"{name} ({value!r})" if not isinstance(value, dict | list) else name


def _unknown(
    source: str, text: str, section: str, key: str | None, known: list[str]
) -> ConfigError:
    if key is None:
        reason = _unknown_reason(f"section [{section}]", section, known)
        return ConfigError(source, reason, line=_line_of(text, None, section), key=section)
    reason = _unknown_reason("key", key, known)
    return ConfigError(source, reason, line=_line_of(text, section, key), key=f"{section}.{key}")


def _top_level_key(source: str, text: str, key: str) -> ConfigError:
    homes = [
        section
        for section, cls in SECTIONS.items()
        if key in {_toml_key(f) for f in dataclasses.fields(cls)}
    ]
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


def _toml_key(f: dataclasses.Field[Any]) -> str:
    return f.metadata.get("key") or f.name


def _is_canonical(variable: str) -> bool:
    prefix = variable[len(ENV_PREFIX) :].partition("_")[0]
    return prefix not in SECTION_ALIASES


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
    return value


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
