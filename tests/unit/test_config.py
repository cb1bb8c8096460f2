import pytest

from exam_server.config import load_settings
from exam_server.errors import ConfigError


def test_later_sources_win_defaults_file_environment_overrides(tmp_path):
    (tmp_path / "config.toml").write_text('port = 6000\nasync_mode = "gevent"\nidle_alert_minutes = 5\n')
    settings = load_settings({"idle_alert_minutes": 7}, environ={"EXAM_DATA_DIR": str(tmp_path), "EXAM_PORT": "7000"})
    assert (settings.port, settings.async_mode, settings.idle_alert_minutes) == (7000, "gevent", 7)
    assert settings.resolved_database_url == f"sqlite:///{(tmp_path / 'exam.db').resolve()}"


def test_an_unknown_environment_variable_is_named_with_a_suggestion():
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={"EXAM_ASYNC_MOD": "gevent"})
    assert "EXAM_ASYNC_MOD" in refused.value.message and "EXAM_ASYNC_MODE" in refused.value.message


def test_an_unknown_key_in_the_config_file_is_named(tmp_path):
    (tmp_path / "config.toml").write_text("prot = 80\n")
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={"EXAM_DATA_DIR": str(tmp_path)})
    assert "prot" in refused.value.message and "port" in refused.value.message


@pytest.mark.parametrize("environ, words", [
    ({"EXAM_ASYNC_MODE": "asyncio"}, "async_mode"),
    ({"EXAM_PORT": "eighty"}, "whole number"),
    ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
    ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
    ({"EXAM_SQLITE_SYNCHRONOUS": "OFF"}, "FULL or NORMAL"),
    ({"EXAM_WRITE_TIMEOUT_SECONDS": "0"}, "write_timeout_seconds must be more than 0"),
    ({"EXAM_WRITE_TIMEOUT_SECONDS": "soon"}, "write_timeout_seconds must be a number"),
    ({"EXAM_SOCKET_PING_SECONDS": "0"}, "socket_ping_seconds must be between 1 and 60"),
    ({"EXAM_SOCKET_PING_SECONDS": "61"}, "socket_ping_seconds must be between 1 and 60"),
])
def test_malformed_values_stop_the_start_with_a_clear_message(environ, words):
    with pytest.raises(ConfigError) as refused:
        load_settings(environ=environ)
    assert words in refused.value.message


def test_postgresql_urls_use_the_driver_that_cooperates_with_the_event_loop():
    settings = load_settings(environ={"DATABASE_URL": "postgresql://u@db/exam"})
    assert settings.resolved_database_url == "postgresql+psycopg2://u@db/exam"
    assert not settings.is_sqlite


def test_create_app_does_no_work_at_import_time():
    import subprocess
    import sys
    from pathlib import Path

    probe = ("import sys, exam_server; assert callable(exam_server.create_app); "
             "print(sorted(m for m in ('exam_server.app', 'flask_socketio', 'sqlalchemy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout
    assert out.strip() == "[]"



def test_the_office_letterhead_zone_and_signatories_come_from_config_toml(tmp_path):
    (tmp_path / "config.toml").write_text(
        'office_name = "Kantor Regional VIII BKN"\noffice_zone = "WIT"\noffice_logo = "logo.png"\n'
        '[[signatories]]\nname = "Yohanes Wenda"\ntitle = "Kepala Kantor"\nnip = "197001011995031001"\n',
        encoding="utf-8")
    settings = load_settings(environ={"EXAM_DATA_DIR": str(tmp_path)})
    assert (settings.office_name, settings.office_zone, settings.office_logo) == (
        "Kantor Regional VIII BKN", "WIT", "logo.png")
    assert settings.signatories == (("Yohanes Wenda", "Kepala Kantor", "197001011995031001"),)
    assert load_settings(environ={}).office_zone == "WIB"


@pytest.mark.parametrize("text, words", [
    ('office_zone = "WITB"', "office_zone"),
    ('office_logo = "/etc/passwd"', "office_logo"),
    ('office_logo = "../logo.png"', "office_logo"),
    ('public_url = "ujian.example.go.id"', "public_url"),
    ('signatories = ["Kepala"]', "signatories"),
    ('[[signatories]]\ntitle = "Kepala"', "signatory 1"),
    ('[[signatories]]\nname = "A"\njabatan = "Kepala"', "signatory 1"),
])
def test_a_malformed_office_setting_is_named(tmp_path, text, words):
    (tmp_path / "config.toml").write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={"EXAM_DATA_DIR": str(tmp_path)})
    assert words in refused.value.message
