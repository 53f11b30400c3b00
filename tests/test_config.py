"""The config file: TOML, environment overrides, clear errors, secrets never shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papersift.config import (
    Config,
    EmailConfig,
    ServeConfig,
    config_as_toml,
    config_path,
    load_config,
    show_config,
    starter_config,
)
from papersift.errors import ConfigError

FULL = """\
# papersift settings
[sources]
categories = ["cs.LG", "cs.CL"]
arxiv = true
hf = false

[digest]
k = 12
since = "2d"
formats = ["html", "atom"]
out_dir = "~/digests"

[email]
to = ["me@example.org"]
from = "papersift@example.org"
host = "smtp.example.org"
port = 465
tls = "ssl"
username = "me"
password = "file-secret"
timeout = 10

[llm]
base_url = "http://localhost:11434/v1"
model = "qwen2.5:3b"
api_key = "sk-file-key"

[serve]
port = 9000
feedback_url = "http://papers.local:9000/"
"""


@pytest.fixture(autouse=True)
def no_user_config(tmp_path, monkeypatch):
    """Never read the real user's config file: the default location is a fresh folder."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), env=env or {})
    return caught.value


def test_missing_default_file_means_defaults(tmp_path):
    assert config_path({}) == tmp_path / "xdg" / "papersift" / "config.toml"
    config = load_config(env={})
    assert config.path is None
    assert config.digest.k == 20 and config.digest.formats == ("html", "md")
    assert config.email.tls == "starttls" and config.email.effective_port == 587


def test_explicit_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.toml", env={})
    with pytest.raises(ConfigError, match="not found"):
        load_config(env={"PAPERSIFT_CONFIG": str(tmp_path / "absent.toml")})


def test_config_path_honours_the_variable(tmp_path):
    assert config_path({"PAPERSIFT_CONFIG": str(tmp_path / "c.toml")}) == tmp_path / "c.toml"


def test_reads_every_section(tmp_path):
    config = load_config(write(tmp_path, FULL), env={})
    assert config.path == tmp_path / "config.toml"
    assert config.sources.categories == ("cs.LG", "cs.CL") and config.sources.hf is False
    assert config.digest.k == 12 and config.digest.formats == ("html", "atom")
    assert config.digest.out_dir == Path("~/digests").expanduser()
    assert config.email.sender == "papersift@example.org"
    assert config.email.effective_port == 465 and config.email.tls == "ssl"
    assert config.email.timeout == 10.0 and isinstance(config.email.timeout, float)
    assert config.llm.model == "qwen2.5:3b"
    assert config.serve.public_url == "http://papers.local:9000"


def test_environment_overrides_file(tmp_path):
    env = {
        "PAPERSIFT_EMAIL_PASSWORD": "env-secret",
        "PAPERSIFT_EMAIL_PORT": "2525",
        "PAPERSIFT_SOURCES_HF": "yes",
        "PAPERSIFT_DIGEST_FORMATS": "md, txt",
        "PAPERSIFT_LLM_API_KEY": "",  # empty unsets an optional setting
        "PAPERSIFT_SERVE_FEEDBACK_URL": "",
        "PAPERSIFT_DB": "/elsewhere.db",  # not a config-file setting: ignored here
    }
    config = load_config(write(tmp_path, FULL), env=env)
    assert config.email.password == "env-secret" and config.email.port == 2525
    assert config.sources.hf is True
    assert config.digest.formats == ("md", "txt")
    assert config.llm.api_key is None
    assert config.serve.public_url == "http://127.0.0.1:9000"
    assert config.email.host == "smtp.example.org"  # untouched settings stay from the file


def as_variable(value: object) -> str:
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def test_every_setting_has_a_variable(tmp_path):
    config = load_config(write(tmp_path, FULL), env={})
    env = {
        f"PAPERSIFT_{section.upper()}_{key.upper()}": as_variable(value)
        for section, values in show_config(config).items()
        for key, value in values.items()
    }
    env["PAPERSIFT_EMAIL_PASSWORD"] = "file-secret"  # show_config masked these two
    env["PAPERSIFT_LLM_API_KEY"] = "sk-file-key"
    from_variables = load_config(env=env | {"PAPERSIFT_CONFIG": ""})
    assert from_variables == Config(**{**vars(config), "path": from_variables.path})


def test_smtp_alias_and_canonical_name_wins():
    config = load_config(
        env={"PAPERSIFT_SMTP_HOST": "alias.example", "PAPERSIFT_SMTP_USERNAME": "u"}
    )
    assert config.email.host == "alias.example" and config.email.username == "u"
    both = {"PAPERSIFT_SMTP_HOST": "alias.example", "PAPERSIFT_EMAIL_HOST": "canonical.example"}
    assert load_config(env=both).email.host == "canonical.example"


def test_show_config_masks_secrets_and_is_json(tmp_path):
    config = load_config(write(tmp_path, FULL), env={"PAPERSIFT_LLM_API_KEY": "sk-env-key"})
    shown = show_config(config)
    text = json.dumps(shown)
    assert shown["email"]["password"] == "***" and shown["llm"]["api_key"] == "***"
    for secret in ("file-secret", "sk-file-key", "sk-env-key"):
        assert secret not in text
        assert secret not in repr(config) and secret not in str(config.email)
    assert shown["email"]["from"] == "papersift@example.org"  # the TOML name, not `sender`
    assert shown["digest"]["formats"] == ["html", "atom"]
    assert show_config(Config())["email"]["password"] is None  # unset is shown as unset


def test_malformed_toml_names_line_and_key(tmp_path):
    err = error_for(tmp_path, '[digest]\nk = 20\n\n[email]\nport = \nhost = "x"\n')
    assert err.line == 5 and err.key == "email.port"
    assert str(err).startswith(f"{tmp_path / 'config.toml'}: line 5: email.port: invalid TOML")
    assert "\n" not in str(err)


def test_unterminated_table_header_is_named(tmp_path):
    err = error_for(tmp_path, "[serve]\nport = 1\n[email\nhost = 'x'\n")
    assert err.line == 3 and err.key == "email"


def test_duplicate_key_is_named(tmp_path):
    err = error_for(tmp_path, '[email]\nhost = "a"\nhost = "b"\n')
    assert (err.line, err.key) == (3, "email.host")


def test_wrong_type_names_key_and_line(tmp_path):
    err = error_for(tmp_path, '[email]\nhost = "a"\nport = "587"\n')
    assert (err.line, err.key) == (3, "email.port")
    assert "expected an integer" in err.reason


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("[emial]\nhost = 'x'\n", "emial", "did you mean 'email'"),
        ("[email]\npasword = 'x'\n", "email.pasword", "did you mean 'password'"),
        ("k = 3\n", "k", "under [digest]"),
        ("[digest]\nformats = ['html', 'pdf']\n", "digest.formats", "one of html, md, txt, atom"),
        ("[digest]\nk = 0\n", "digest.k", "out of range"),
        ("[email]\ntls = 'tls'\n", "email.tls", "starttls, ssl, none"),
        ("[sources]\narxiv = 'yes'\n", "sources.arxiv", "true or false"),
        ("[sources]\ncategories = 'cs.LG'\n", None, None),  # a single string is a 1-list
        ("[digest]\nout_dir = ''\n", "digest.out_dir", "empty"),
        ("email = 3\n", "email", "must be a table"),
    ],
)
def test_bad_settings_name_the_key(tmp_path, text, key, words):
    if key is None:
        assert load_config(write(tmp_path, text), env={}).sources.categories == ("cs.LG",)
        return
    err = error_for(tmp_path, text)
    assert err.key == key
    assert words in err.reason
    assert err.line is not None


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"PAPERSIFT_EMAIL_PORT": "x"}, "expected an integer"),
        ({"PAPERSIFT_EMAIL_PORT": "70000"}, "out of range"),
        ({"PAPERSIFT_SOURCES_ARXIV": "maybe"}, "true or false"),
        ({"PAPERSIFT_EMAIL_PASWORD": "x"}, "did you mean 'PAPERSIFT_EMAIL_PASSWORD'"),
        ({"PAPERSIFT_DIGEST_FORMATS": "html,pdf"}, "one of"),
    ],
)
def test_bad_variables_name_the_variable(env, words):
    with pytest.raises(ConfigError) as caught:
        load_config(env=env)
    assert caught.value.source == "environment"
    assert caught.value.key == next(iter(env))
    assert words in caught.value.reason


def test_secret_in_bad_variable_is_not_echoed():
    with pytest.raises(ConfigError) as caught:
        load_config(env={"PAPERSIFT_EMAIL_PASWORD": "hunter2"})
    assert "hunter2" not in str(caught.value)


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b'[email]\nhost = "caf\xe9"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert caught.value.line == 2 and "UTF-8" in caught.value.reason


def test_directory_instead_of_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path, env={})


def test_port_defaults_follow_tls():
    assert EmailConfig(tls="ssl").effective_port == 465
    assert EmailConfig(tls="none").effective_port == 25
    assert EmailConfig(tls="none", port=2525).effective_port == 2525
    assert ServeConfig(host="::1", port=1).public_url == "http://[::1]:1"


def test_config_show_prints_toml_that_loads_back_to_the_same_settings(tmp_path: Path) -> None:
    source = tmp_path / "in.toml"
    source.write_text(FULL)
    shown = show_config(load_config(source, env={}))
    text = config_as_toml(shown, str(source))
    assert "True" not in text and "None" not in text and "'" not in text
    assert "file-secret" not in text and "sk-file-key" not in text
    assert "# password =  (set, hidden)" in text.splitlines()
    pasted = tmp_path / "pasted.toml"
    pasted.write_text(text)
    again = show_config(load_config(pasted, env={}))
    hidden = {(s, k) for s, values in shown.items() for k, v in values.items() if v == "***"}
    for section, values in shown.items():
        for key, value in values.items():
            if (section, key) not in hidden:
                assert again[section][key] == value, (section, key)


def test_the_starter_file_loads_to_the_defaults_and_shows_every_key(tmp_path: Path) -> None:
    path = tmp_path / "starter.toml"
    path.write_text(starter_config())
    assert show_config(load_config(path, env={})) == show_config(Config())
    text = path.read_text()
    for section, values in show_config(Config()).items():
        assert f"[{section}]" in text
        for key in values:
            assert f"# {key} =" in text, key
