"""Outgoing e-mail: build one message, send it through the configured SMTP server, or hand it over as a draft.

Only the standard library (``smtplib``, ``email``). A failure of any kind (refused connection,
time-out, SMTP error) becomes a ``MailError`` with a sentence for the organiser, and nothing
else: the caller decides what a failure changes (nothing). Messages carry personal data, so no
part of them (addresses, names, text) is ever logged, nor put in an error.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from ..timeutil import PARIS

TIMEOUT_S = 10  # per network operation: an organiser waits for the page, not for a dead server
SECURITY_MODES = ("starttls", "ssl", "none")


class MailError(Exception):
    """The message was not sent; ``reason`` says why, for the organiser (it names no recipient).

    ``refused_recipient``: the server refused (some of) the recipients: the address bounced, and
    sending it again as it is would fail again.
    """

    def __init__(self, reason: str, *, refused_recipient: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.refused_recipient = refused_recipient


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None
    password: str | None
    security: str

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


def smtp_settings() -> SmtpSettings | None:
    """The SMTP server to send through, or ``None`` when none is configured (drafts only)."""
    config = current_app.config
    host = config.get("PITCHDAY_SMTP_HOST")
    if not host:
        return None
    return SmtpSettings(host=host, port=int(config.get("PITCHDAY_SMTP_PORT") or 587),
                        username=config.get("PITCHDAY_SMTP_USERNAME"), password=config.get("PITCHDAY_SMTP_PASSWORD"),
                        security=(config.get("PITCHDAY_SMTP_SECURITY") or "starttls").lower())


def sender() -> str:
    return current_app.config.get("PITCHDAY_MAIL_FROM") or "pitchday@localhost"


def compose(*, to: list[Address], subject: str, body: str, draft: bool = False) -> EmailMessage:
    """One UTF-8 plain-text message with its Date and Message-ID.

    ``draft``: marked unsent, so that a mail program opens the downloaded file ready to send.
    """
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = sender()
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(timezone.utc).astimezone(PARIS))
    message["Message-ID"] = make_msgid(domain=sender().rpartition("@")[2] or "localhost")
    if draft:
        message["X-Unsent"] = "1"
    # Quoted-printable keeps every line 7-bit: no server needs 8BITMIME to carry the accents.
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    return message


def as_eml(message: EmailMessage) -> bytes:
    """The message as an .eml file (RFC 5322, CRLF line ends)."""
    return message.as_bytes(policy=SMTP_POLICY)


def send(message: EmailMessage, settings: SmtpSettings) -> None:
    """Send ``message`` to every address of its To header, or raise ``MailError``."""
    server = settings.server
    if settings.security not in SECURITY_MODES:
        raise MailError(_("Envoi impossible : PITCHDAY_SMTP_SECURITY doit valoir starttls, ssl ou none."))
    try:
        if settings.security == "ssl":
            connection = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT_S,
                                          context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_S)
        with connection:
            if settings.security == "starttls":
                connection.starttls(context=ssl.create_default_context())
            if settings.username:
                connection.login(settings.username, settings.password or "")
            refused = connection.send_message(message)
    except smtplib.SMTPAuthenticationError:
        raise MailError(_("Envoi impossible : le serveur SMTP %(server)s a refusé l'identifiant ou le mot de passe.",
                          server=server)) from None
    except smtplib.SMTPRecipientsRefused:
        raise MailError(_("Envoi impossible : le serveur SMTP %(server)s a refusé les destinataires.",
                          server=server), refused_recipient=True) from None
    except smtplib.SMTPNotSupportedError:
        raise MailError(_("Envoi impossible : le serveur SMTP %(server)s ne propose pas de connexion chiffrée "
                          "(STARTTLS) ou d'identification.", server=server)) from None
    except smtplib.SMTPResponseException as error:
        raise MailError(_("Envoi impossible : le serveur SMTP %(server)s a répondu par l'erreur %(code)s.",
                          server=server, code=error.smtp_code)) from None
    except smtplib.SMTPServerDisconnected as error:
        if isinstance(error.__context__, TimeoutError):  # smtplib reports a silent server as a disconnection
            raise MailError(_("Envoi impossible : le serveur SMTP %(server)s n'a pas répondu à temps.",
                              server=server)) from None
        raise MailError(_("Envoi impossible : le serveur SMTP %(server)s a coupé la connexion.",
                          server=server)) from None
    except smtplib.SMTPException:
        raise MailError(_("Envoi impossible : le serveur SMTP %(server)s a refusé le message.",
                          server=server)) from None
    except ssl.SSLError:
        raise MailError(_("Envoi impossible : la connexion chiffrée avec le serveur SMTP %(server)s a échoué "
                          "(vérifiez PITCHDAY_SMTP_SECURITY et le port).", server=server)) from None
    except ConnectionRefusedError:
        raise MailError(_("Envoi impossible : le serveur SMTP %(server)s a refusé la connexion.",
                          server=server)) from None
    except TimeoutError:
        raise MailError(_("Envoi impossible : le serveur SMTP %(server)s n'a pas répondu à temps.",
                          server=server)) from None
    except OSError:  # unknown host, no route, reset…
        raise MailError(_("Envoi impossible : le serveur SMTP %(server)s est injoignable.", server=server)) from None
    if refused:  # some recipients accepted, others not: the message went to part of them only
        raise MailError(ngettext("Envoi partiel : le serveur SMTP %(server)s a refusé %(num)d destinataire ; "
                                 "vérifiez les adresses.",
                                 "Envoi partiel : le serveur SMTP %(server)s a refusé %(num)d destinataires ; "
                                 "vérifiez les adresses.", len(refused), server=server), refused_recipient=True)
