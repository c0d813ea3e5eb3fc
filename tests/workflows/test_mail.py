"""Mail delivery against a real SMTP server (aiosmtpd) on a loopback port."""

from __future__ import annotations

import datetime as dt
import email
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from xinyong.workflows.mail import MailDisabled, MailError, MailSettings, send_mail

HOST = "127.0.0.1"
TO = "applicant@example.cn"
SUBJECT = "异议受理通知书：厦门某某贸易有限公司"
BODY = (
    "您于2026年2月13日提出的异议申请已受理。\n"
    "根据规定，我们将在5个工作日内（2026年2月27日前）答复。\n"
    "统一社会信用代码：91350200776049653A\n"
)
USER, PASSWORD = "notices", "s3cret-password"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    authenticated: bool


@dataclass
class Inbox:
    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, session.authenticated)
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def start(inbox: Inbox, **kwargs: Any) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(inbox, hostname=HOST, port=port, **kwargs)
    controller.start()
    return controller, port


@pytest.fixture
def plain_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller, port = start(inbox)
    yield inbox, port
    controller.stop()


def settings_for(port: int, **kwargs: Any) -> MailSettings:
    return MailSettings(host=HOST, port=port, sender="registry@xinyong.example.cn", **kwargs)


def test_chinese_subject_and_body_arrive_intact(plain_server: tuple[Inbox, int]) -> None:
    inbox, port = plain_server
    send_mail(settings_for(port), TO, SUBJECT, BODY)
    [received] = inbox.messages
    assert received.rcpt_tos == [TO]
    assert received.mail_from == "registry@xinyong.example.cn"
    assert received.message["To"] == TO
    assert received.message["Subject"] == SUBJECT
    assert received.message.get_content_charset() == "utf-8"
    # SMTP carries lines as CRLF; the text is otherwise byte for byte what was sent.
    assert received.message.get_content().replace("\r\n", "\n") == BODY
    assert received.message["Message-ID"].endswith("@xinyong.example.cn>")
    assert received.message["Date"].datetime.utcoffset() == dt.timedelta(hours=8)


def test_a_closed_port_raises_mail_error_naming_host_and_port() -> None:
    port = free_port()  # bound then released: nothing listens there now
    with pytest.raises(MailError, match=rf"127\.0\.0\.1:{port}\b") as caught:
        send_mail(settings_for(port, timeout=5), TO, SUBJECT, BODY)
    assert (caught.value.host, caught.value.port) == (HOST, port)
    assert BODY not in str(caught.value)
    assert not isinstance(caught.value, MailDisabled)


def test_nothing_logged_or_printed_contains_the_body(
    plain_server: tuple[Inbox, int],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    inbox, port = plain_server
    caplog.set_level("DEBUG")
    send_mail(settings_for(port), TO, SUBJECT, BODY)
    with pytest.raises(MailError):
        send_mail(settings_for(free_port(), timeout=5), TO, SUBJECT, BODY)
    assert len(inbox.messages) == 1
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]  # aiosmtpd's own
    assert not any("异议" in r.getMessage() for r in ours)
    out, err = capfd.readouterr()
    assert "异议" not in out + err


def test_disabled_settings_raise_mail_disabled() -> None:
    with pytest.raises(MailDisabled, match="XINYONG_SMTP_HOST"):
        send_mail(MailSettings(host=None), TO, SUBJECT, BODY)


def test_a_line_break_in_a_header_is_a_caller_bug_not_a_delivery_failure(
    plain_server: tuple[Inbox, int],
) -> None:
    _, port = plain_server
    with pytest.raises(ValueError, match="linefeed"):
        send_mail(settings_for(port), TO + "\r\nBcc: someone@example.cn", SUBJECT, BODY)


# STARTTLS and login -------------------------------------------------------------------------------


def write_self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xinyong test relay")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "relay.pem", tmp_path / "relay.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[Inbox, int, Path]]:
    cert_path, key_path = write_self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    inbox = Inbox()
    controller, port = start(
        inbox,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        authenticator=authenticator,
    )
    yield inbox, port, cert_path
    controller.stop()


def test_starttls_and_login(
    tls_server: tuple[Inbox, int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port, cert_path = tls_server
    # The client verifies the relay with the system trust store; point it at the test certificate.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    send_mail(settings_for(port, starttls=True, user=USER, password=PASSWORD), TO, SUBJECT, BODY)
    [received] = inbox.messages
    assert received.authenticated
    assert received.message["Subject"] == SUBJECT


def test_a_wrong_password_is_a_mail_error(
    tls_server: tuple[Inbox, int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, port, cert_path = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    settings = settings_for(port, starttls=True, user=USER, password="wrong")
    with pytest.raises(MailError, match=rf"127\.0\.0\.1:{port}: .*535"):
        send_mail(settings, TO, SUBJECT, BODY)


def test_an_untrusted_relay_certificate_is_a_mail_error(
    tls_server: tuple[Inbox, int, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    inbox, port, _ = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-bundle.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    settings = settings_for(port, starttls=True, user=USER, password=PASSWORD)
    with pytest.raises(MailError, match=rf"127\.0\.0\.1:{port}: .*CERTIFICATE_VERIFY_FAILED"):
        send_mail(settings, TO, SUBJECT, BODY)
    assert inbox.messages == []


# Settings from the environment ------------------------------------------------------------------


def test_unset_or_empty_host_disables_mail() -> None:
    assert not MailSettings.from_env({}).enabled
    assert not MailSettings.from_env({"XINYONG_SMTP_HOST": " "}).enabled


def test_full_environment() -> None:
    settings = MailSettings.from_env(
        {
            "XINYONG_SMTP_HOST": "smtp.example.cn",
            "XINYONG_SMTP_PORT": "587",
            "XINYONG_SMTP_FROM": "registry@example.cn",
            "XINYONG_SMTP_USER": USER,
            "XINYONG_SMTP_PASSWORD": PASSWORD,
            "XINYONG_SMTP_STARTTLS": "1",
        }
    )
    assert settings == MailSettings(
        host="smtp.example.cn",
        port=587,
        sender="registry@example.cn",
        user=USER,
        password=PASSWORD,
        starttls=True,
    )
    assert settings.enabled
    assert PASSWORD not in repr(settings)


def test_defaults() -> None:
    settings = MailSettings.from_env(
        {"XINYONG_SMTP_HOST": "relay", "XINYONG_SMTP_FROM": "registry@example.cn"}
    )
    assert (settings.port, settings.starttls, settings.user, settings.password) == (
        25,
        False,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"XINYONG_SMTP_PORT": "smtp"}, "XINYONG_SMTP_PORT"),
        ({"XINYONG_SMTP_PORT": "70000"}, "XINYONG_SMTP_PORT"),
        ({"XINYONG_SMTP_STARTTLS": "yes"}, "XINYONG_SMTP_STARTTLS must be 0 or 1"),
        ({"XINYONG_SMTP_FROM": ""}, "XINYONG_SMTP_FROM must be set"),
        ({"XINYONG_SMTP_USER": USER}, "go together"),
        ({"XINYONG_SMTP_USER": USER, "XINYONG_SMTP_PASSWORD": "x"}, "clear text"),
        (
            {
                "XINYONG_SMTP_USER": USER,
                "XINYONG_SMTP_PASSWORD": "口令",
                "XINYONG_SMTP_STARTTLS": "1",
            },
            "XINYONG_SMTP_PASSWORD must be ASCII",
        ),
    ],
)
def test_misconfiguration_is_refused_at_start_up(extra: dict[str, str], message: str) -> None:
    env = {"XINYONG_SMTP_HOST": "smtp.example.cn", "XINYONG_SMTP_FROM": "registry@example.cn"}
    with pytest.raises(ValueError, match=message):
        MailSettings.from_env(env | extra)


def test_login_without_starttls_is_allowed_to_a_loopback_relay() -> None:
    settings = MailSettings.from_env(
        {
            "XINYONG_SMTP_HOST": "localhost",
            "XINYONG_SMTP_FROM": "registry@example.cn",
            "XINYONG_SMTP_USER": USER,
            "XINYONG_SMTP_PASSWORD": PASSWORD,
        }
    )
    assert settings.user == USER
