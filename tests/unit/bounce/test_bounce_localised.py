"""Round 11 of the Sisimai differential (ORACLE.md): the common causes as receivers and MTAs word
them in German, French, Spanish, Italian, Portuguese, Dutch, Polish, Czech, Russian, Japanese,
Chinese and Korean (``localised_wording``), read after the text is decoded: a report's 8-bit or
ISO-2022-JP Diagnostic-Code (``mime_tree.field_text``) and a notification body in ISO-2022-JP,
GB2312 or base64 UTF-8 (``mime_tree.decoded_text``). The replies are written for these tests."""

import base64

import pytest

from services.bounce.domain import classify_smtp_reply, parse_bounce_message
from services.bounce.domain.mime_tree import field_text, parse_message

_DSN_HEAD = (
    b"From: postmaster@mx.example.net\nTo: bounces@sender.example\n"
    b"Subject: Delivery Status Notification (Failure)\nMessage-ID: <l1@mx.example.net>\n"
    b'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"'
    b"\n\n--b\nContent-Type: text/plain\n\nDelivery to rcpt@example.org failed.\n\n"
    b"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
    b"Final-Recipient: rfc822; rcpt@example.org\nAction: failed\nStatus: 5.0.0\n"
    b"Remote-MTA: dns; mx.example.org\nDiagnostic-Code: smtp; "
)
_STAGE = " (in reply to RCPT TO command)"


def _dsn(reply: bytes) -> tuple[str, str]:
    """(reason, diagnostic) of a failed DSN whose Diagnostic-Code holds ``reply`` as bytes, at
    RCPT TO (an unknown address is ``filtered`` where no stage is known, as Sisimai reads it)."""
    raw = _DSN_HEAD + reply + _STAGE.encode() + b"\n\n--b--\n"
    (recipient,) = parse_bounce_message(raw).recipients
    return recipient.classification.reason, recipient.diagnostic.removesuffix(_STAGE)


def _postfix(body: bytes, charset: str, transfer_encoding: str = "8bit") -> str:
    """The reason of a Postfix-style text report whose body is ``body`` in ``charset``."""
    head = (
        "From: MAILER-DAEMON@mx.example.net\nTo: bounces@sender.example\n"
        "Subject: Undelivered Mail Returned to Sender\nMessage-ID: <l2@mx.example.net>\n"
        f"MIME-Version: 1.0\nContent-Type: text/plain; charset={charset}\n"
        f"Content-Transfer-Encoding: {transfer_encoding}\n\n"
    ).encode()
    (recipient,) = parse_bounce_message(head + body).recipients
    return recipient.classification.reason


def _report(reply: str) -> str:
    return (
        "This is the mail system at host mx.example.net.\n\n"
        f"<rcpt@example.org>: host mx.example.org[192.0.2.25] said: {reply} (in reply to RCPT TO "
        "command)\n"
    )


CAUSES = {
    "user_unknown": [
        "550 Benutzer nicht vorhanden",
        "550 Ungueltige Empfaengeradresse",
        "550 Destinataire introuvable",
        "550 El destinatario no existe",
        "550 Utente sconosciuto",
        "550 Usuário desconhecido",
        "550 Gebruiker onbekend",
        "550 Nie ma takiego użytkownika",
        "550 Neznamy uzivatel",
        "550 Нет такого пользователя",
        "550 このメールアドレスは存在しません",
        "550 收件人帳號不存在",
        "550 사용자가 존재하지 않습니다",
    ],
    "host_unknown": [
        "550 Domain unbekannt",
        "550 Domaine inconnu",
        "550 Dominio desconocido",
        "550 Domínio inexistente",
        "550 Domena nie istnieje",
        "550 Домен не найден",
        "550 ドメインが存在しません",
        "550 域名不存在",
        "550 도메인이 존재하지 않습니다",
    ],
    "mailbox_full": [
        "552 Das Postfach des Empfängers ist voll und kann derzeit keine Nachrichten annehmen.",
        "552 Quota depasse",
        "552 El usuario ha excedido su cuota de almacenamiento",
        "552 Casella piena",
        "552 Caixa de correio cheia",
        "552 Skrzynka pelna",
        "552 Ящик переполнен",
        "552 メールボックスが一杯です",
        "552 用户邮箱空间不足",
        "552 메일함이 가득 찼습니다",
    ],
    "suspended": [
        "550 Konto gesperrt",
        "550 Compte suspendu",
        "550 Cuenta deshabilitada",
        "550 Konto zawieszone",
        "550 Почтовый ящик заблокирован",
        "550 このアカウントは利用停止されています",
        "550 该账户已被冻结",
    ],
    "message_too_big": [
        "552 Die Nachricht ist zu gross",
        "552 Message trop volumineux",
        "552 Wiadomość jest za duża",
        "552 Сообщение слишком большое",
        "552 メッセージサイズが制限を超えています",
        "552 邮件大小超过限制",
    ],
    "no_relaying": [
        "550 Relaying verweigert",
        "550 Relais non autorisé",
        "550 Пересылка запрещена",
        "550 中継は許可されていません",
    ],
    "spam_detected": [
        "554 Message rejeté, considéré comme pourriel",
        "554 迷惑メールと判定されました",
    ],
    "virus_detected": ["554 Обнаружен вирус", "554 邮件中发现病毒"],
    "too_many_conn": ["421 Zu viele gleichzeitige Verbindungen", "421 连接数过多"],
    "system_error": ["451 Erreur temporaire, veuillez réessayer plus tard", "451 Временная ошибка"],
    "expired": ["550 配信期限切れのため配信できませんでした"],
}


@pytest.mark.parametrize(
    ("reason", "reply"),
    [(reason, reply) for reason, replies in CAUSES.items() for reply in replies],
)
def test_localised_cause_in_a_utf8_report_and_as_a_reply(reason, reply):
    assert classify_smtp_reply(0, "", reply).reason == reason
    assert _dsn(reply.encode("utf-8"))[0] == reason
    assert _postfix(_report(reply).encode("utf-8"), "utf-8") == reason


def test_the_domain_is_read_before_the_unknown_user():
    assert classify_smtp_reply(550, "", "550 Die Domain existiert nicht").reason == "host_unknown"
    assert classify_smtp_reply(550, "", "550 Benutzer existiert nicht").reason == "user_unknown"
    assert classify_smtp_reply(550, "", "550 Utilisateur inconnu").reason == "user_unknown"
    # An address's domain is not the clause's subject: the dot ends the span.
    reply = "550 Adresse rcpt@domaine.example inconnue"
    assert classify_smtp_reply(550, "", reply).reason == "user_unknown"


def test_english_wording_is_read_as_before():
    assert classify_smtp_reply(550, "", "550 5.1.1 User unknown").matched_rule == "status.5.1.1"
    assert classify_smtp_reply(552, "", "552 Mailbox full").matched_rule == "generic.mailbox_full"
    assert classify_smtp_reply(550, "", "550 Domain not found").reason == "host_unknown"
    # A French sender refusal is not the recipient's unknown address.
    assert classify_smtp_reply(550, "", "550 Adresse de l'expéditeur inconnue").reason != (
        "user_unknown"
    )


def test_a_latin1_diagnostic_code_is_read_as_latin1():
    reason, diagnostic = _dsn("550 Ungültige Empfängeradresse".encode("latin-1"))
    assert (reason, diagnostic) == ("user_unknown", "550 Ungültige Empfängeradresse")


def test_a_utf8_diagnostic_code_keeps_its_characters():
    assert _dsn("550 用户不存在".encode()) == ("user_unknown", "550 用户不存在")


def test_an_iso_2022_jp_diagnostic_code_is_read_as_japanese():
    reason, diagnostic = _dsn("550 宛先不明".encode("iso-2022-jp"))
    assert (reason, diagnostic) == ("user_unknown", "550 宛先不明")


def test_field_text_leaves_ascii_and_encoded_words_as_they_are():
    msg = parse_message(b"X-A: 550 user unknown\nX-B: =?utf-8?q?caf=C3=A9?=\n\n")
    assert field_text(msg.get("x-a")) == "550 user unknown"
    assert field_text(msg.get("x-b")) == "=?utf-8?q?caf=C3=A9?="


def test_an_iso_2022_jp_notification_body_end_to_end():
    body = _report("550 指定されたメールアドレスは存在しません").encode("iso-2022-jp")
    assert _postfix(body, "ISO-2022-JP", "7bit") == "user_unknown"
    # Japanese carriers often declare no charset: the escape sequences show it.
    body = _report("552 メールボックスの容量を超えています").encode("iso-2022-jp")
    assert _postfix(body, "us-ascii", "7bit") == "mailbox_full"


def test_a_gb2312_and_a_base64_utf8_notification_body_end_to_end():
    assert _postfix(_report("550 收件人不存在").encode("gb2312"), "gb2312") == "user_unknown"
    body = base64.encodebytes(_report("552 邮箱已满").encode("utf-8"))
    assert _postfix(body, "utf-8", "base64") == "mailbox_full"
