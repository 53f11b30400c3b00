"""The settings models: one pydantic model per table of the config file, and `Config` over them.

The models say what each setting is: its type, default, range and TOML name. Values arrive
typed the way TOML types them (a port is an integer, a flag is true or false), so the scalar
types are strict: `port = "587"` is a mistake in the file, not a string to convert. Text from
environment variables is turned into those types by `papersift.settings.sources` first.

A secret (a password, an API key) is a field with `repr=False`: it stays out of repr() and
`papersift.config.show_config` masks it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from papersift.records import DigestFormat

TlsMode = Literal["starttls", "ssl", "none"]
DEFAULT_SMTP_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}


def _comma_list(value: Any) -> Any:
    # `formats = "html,md"` is forgiven: it reads the same as the list, and it is how the
    # environment variable spells it.
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _path(value: Any) -> Any:
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("expected a path, got an empty string")
        return Path(value).expanduser()
    return value


# A TOML number may be written as an integer (`timeout = 10`); a string or a boolean is a mistake.
# (pydantic's own StrictFloat refuses integers.)
Number = Annotated[float, Strict()]
TextList = Annotated[tuple[StrictStr, ...], BeforeValidator(_comma_list)]
FormatList = Annotated[tuple[DigestFormat, ...], BeforeValidator(_comma_list)]
UserPath = Annotated[Path, BeforeValidator(_path)]


def default_digest_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("papersift")) / "digests"


class Section(BaseModel):
    """One table of the config file: frozen, and an unknown key is an error, never ignored."""

    # populate_by_name: code builds `EmailConfig(sender=...)`; the file says `from = ...`.
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class SourcesConfig(Section):
    """What `papersift daily` fetches."""

    categories: TextList = ("cs.LG", "cs.CL", "cs.AI", "cs.CV", "stat.ML")
    arxiv: StrictBool = True
    hf: StrictBool = True  # Hugging Face daily papers


class DigestConfig(Section):
    k: StrictInt = Field(default=20, ge=1, le=1000)  # top picks
    since: StrictStr = "1d"  # window, as `--since` takes it
    formats: FormatList = ("html", "md")
    out_dir: UserPath = Field(default_factory=default_digest_dir)


class EmailConfig(Section):
    to: TextList = ()
    sender: StrictStr | None = Field(default=None, validation_alias="from")  # a Python keyword
    host: StrictStr = "localhost"
    port: StrictInt | None = Field(default=None, ge=1, le=65535)  # None: by `tls`
    tls: TlsMode = "starttls"
    username: StrictStr | None = None
    password: StrictStr | None = Field(default=None, repr=False)
    timeout: Number = Field(default=30.0, ge=0.1, le=600)

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_SMTP_PORTS[self.tls]


class LlmConfig(Section):
    """An OpenAI-compatible endpoint for abstractive TL;DRs; no `base_url` means extractive."""

    base_url: StrictStr | None = None
    model: StrictStr | None = None
    api_key: StrictStr | None = Field(default=None, repr=False)
    timeout: Number = Field(default=30.0, ge=0.1, le=600)
    max_tokens: StrictInt = Field(default=200, ge=1, le=100_000)


class ServeConfig(Section):
    host: StrictStr = "127.0.0.1"
    port: StrictInt = Field(default=8765, ge=1, le=65535)
    # Base URL the digest's like/dislike links use; None: http://{host}:{port}.
    feedback_url: StrictStr | None = None

    @property
    def public_url(self) -> str:
        if self.feedback_url:
            return self.feedback_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


WebhookFormat = Literal["json", "slack", "discord"]


class WebhookConfig(Section):
    """Where `daily` (and `digest --webhook`) POSTs the digest; no `url` means no post.

    The URL is a secret: Slack's and Discord's incoming-webhook URLs carry their key in the path,
    so it stays out of repr(), `config show` and every error message.
    """

    url: StrictStr | None = Field(default=None, repr=False)
    format: WebhookFormat = "json"
    timeout: Number = Field(default=10.0, ge=0.1, le=600)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        # Only the scheme is named back: the rest of the URL may be the secret.
        if value is not None and not value.lower().startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value


class Config(BaseSettings):
    """Every setting in force; `path` is the file that was read (None when none was)."""

    model_config = SettingsConfigDict(frozen=True, extra="forbid")

    sources: SourcesConfig = Field(default_factory=SourcesConfig)
    digest: DigestConfig = Field(default_factory=DigestConfig)
    email: EmailConfig = Field(default_factory=EmailConfig)
    llm: LlmConfig = Field(default_factory=LlmConfig)
    serve: ServeConfig = Field(default_factory=ServeConfig)
    webhook: WebhookConfig = Field(default_factory=WebhookConfig)
    path: Path | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # `Config()` is the defaults (the starter file is written from it) and `Config(**parts)`
        # is exactly what is passed: neither reads os.environ. `papersift.config.load_config`
        # runs the file and environment sources itself, because it takes the file and the
        # variables as arguments and must name the file line or the variable behind an error.
        return (init_settings,)


# The tables of the config file, in file order: every field of Config but `path`.
SECTIONS: dict[str, type[Section]] = {
    name: cast("type[Section]", field.annotation)
    for name, field in Config.model_fields.items()
    if name != "path"
}


def toml_keys(section: type[Section]) -> dict[str, str]:
    """{TOML key: field name} of a section (`from` -> `sender`)."""
    return {toml_key(name, field): name for name, field in section.model_fields.items()}


def toml_key(name: str, field: FieldInfo) -> str:
    # validation_alias, not alias: type checkers then take `sender` as the keyword of
    # `EmailConfig(...)`, while the file (and PAPERSIFT_EMAIL_FROM) says `from`.
    alias = field.validation_alias
    return alias if isinstance(alias, str) else name
