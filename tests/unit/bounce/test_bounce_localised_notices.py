"""Whole bounce notices in other languages: their recipients and the reason their text names.

Japanese carriers', Chinese, Korean and Russian providers', Exchange's localised reports and
translated Exim notices without a delivery-status part (round 12). The messages here are other
than the study set's (tests/data/bounces/synthetic/notices/study): other addresses, wording,
charsets and layouts of the same shapes.
"""

from __future__ import annotations

from email.header import Header
from email.mime.text import MIMEText

import pytest

from services.bounce.domain import parse_bounce_message
from services.bounce.domain import taxonomy as t

SENDER = "bounces+x9@mail.store.example"


def notice(body: str, charset: str = "utf-8", subject: str = "配信エラー") -> bytes:
    """A single-part failure notice from a mailer daemon to our bounce address."""
    msg = MIMEText(body, "plain", charset)
    msg["From"] = "Mail Delivery System <MAILER-DAEMON@mx.receiver.example>"
    msg["To"] = SENDER
    msg["Subject"] = Header(subject, "utf-8").encode()
    msg["Message-ID"] = "<notice.1@mx.receiver.example>"
    return b"Return-Path: <>\n" + msg.as_bytes()


def verdicts(raw: bytes) -> dict[str, tuple[str, str]]:
    parsed = parse_bounce_message(raw)
    assert parsed.kind == "bounce"
    return {
        r.address: (r.classification.reason, r.classification.bounce_type)
        for r in parsed.recipients
    }


UNKNOWN = (t.USER_UNKNOWN, "hard")
FULL = (t.MAILBOX_FULL, "soft")


@pytest.mark.parametrize(
    "label",
    [
        "宛先アドレス",
        "送信先メールアドレス",
        "Empfängeradresse",
        "Adresse du destinataire",
        "Dirección del destinatario",
        "收件人地址",
        "수신인",
    ],
)
def test_longer_forms_of_the_labels(label: str) -> None:
    body = f"{label}: hana@receiver.example\n"
    assert [r.address for r in parse_bounce_message(notice(body)).recipients] == [
        "hana@receiver.example"
    ]


@pytest.mark.parametrize(
    ("body", "charset", "expected"),
    [
        # Japanese carrier, ISO-2022-JP: "宛先:" label, the cause in the carrier's own words.
        (
            "送信できませんでした。\n\n宛先: aoi.m@carrier.ne.jp\n理由: アドレスが存在しません。\n",
            "iso-2022-jp",
            {"aoi.m@carrier.ne.jp": UNKNOWN},
        ),
        # The label alone, the address on the next line; Shift_JIS.
        (
            "配信に失敗しました。\n\n  受信者:\n  <ren_t@carrier.ne.jp>\n\n"
            "メールボックスが一杯です。\n",
            "shift_jis",
            {"ren_t@carrier.ne.jp": FULL},
        ),
        # Chinese full-width colon after the label; GBK.
        (
            "您的邮件被退回。\n收件人\uff1aliuqiang@provider.cn\n原因\uff1a用户不存在\n",
            "gbk",
            {"liuqiang@provider.cn": UNKNOWN},
        ),
        # Korean, EUC-KR.
        (
            "메일이 반송되었습니다.\n받는사람: leesoo@portal.kr\n"
            "사유: 메일함 용량이 가득 찼습니다.\n",
            "euc-kr",
            {"leesoo@portal.kr": FULL},
        ),
        # Russian, KOI8-R, two recipients under one cause.
        (
            "\n".join(
                [
                    "Письмо не доставлено.",
                    "Получатель: " + "petr@mail.example",
                    "Получатель: " + "nina@mail.example",
                    "Причина: пользователь не найден.",
                ]
            ),
            "koi8-r",
            {"petr@mail.example": UNKNOWN, "nina@mail.example": UNKNOWN},
        ),
    ],
)
def test_localised_recipient_labels(body: str, charset: str, expected: dict[str, object]) -> None:
    assert verdicts(notice(body, charset)) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Exchange's German report with its delivery-status part dropped: addresses alone on
        # a line after the localised headline.
        (
            "Die Zustellung an folgende Empfänger ist fehlgeschlagen:\n\nuwe.berg@firma.example\n"
            "Das Postfach des Empfängers ist voll.\n",
            {"uwe.berg@firma.example": FULL},
        ),
        # A translated Exim notice: the French headline with a space before its colon.
        (
            "Il s'agit d'une erreur permanente. Les adresses suivantes ont échoué :\n\n"
            "  luc@exemple.example\n  marc@exemple.example\n    adresse inconnue\n",
            {"luc@exemple.example": UNKNOWN, "marc@exemple.example": UNKNOWN},
        ),
        # Japanese Exchange report.
        (
            "次の受信者またはグループへの配信に失敗しました:\n\nmori@corp.example\n"
            "入力した電子メール アドレスが見つかりませんでした。\n",
            {"mori@corp.example": UNKNOWN},
        ),
    ],
)
def test_addresses_alone_after_a_localised_headline(body: str, expected: object) -> None:
    assert verdicts(notice(body)) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Ihre Nachricht an eva@kunde.example konnte nicht zugestellt werden.\n\n"
            "Die E-Mail-Adresse wurde nicht gefunden.\n",
            {"eva@kunde.example": UNKNOWN},
        ),
        (
            "Votre message à paul@client.example n'a pas pu être remis.\n\n"
            "La boîte aux lettres du destinataire est pleine.\n",
            {"paul@client.example": FULL},
        ),
        (
            "您发送到 zhaolei@provider.cn 的邮件被退回。\n退信原因\uff1a邮箱空间已满。\n",
            {"zhaolei@provider.cn": FULL},
        ),
    ],
)
def test_a_localised_headline_naming_the_recipient(body: str, expected: object) -> None:
    assert verdicts(notice(body)) == expected


def test_spanish_and_portuguese_wordings_the_reports_use() -> None:
    spanish = "Error en la entrega a estos destinatarios o grupos:\n\nana@empresa.example\n" + (
        "No se encontró la dirección de correo electrónico que escribió.\n"
    )
    portuguese = "Destinatário: rui@empresa.example\nMotivo: a caixa postal do destinatário " + (
        "está cheia.\n"
    )
    assert verdicts(notice(spanish)) == {"ana@empresa.example": UNKNOWN}
    assert verdicts(notice(portuguese, "iso-8859-1")) == {"rui@empresa.example": FULL}


def test_unknown_user_wording_quoting_a_reply_code_still_needs_its_stage() -> None:
    """Only a notice quoting no SMTP reply is the final system's own directory answer: the
    same words after a reply code, with no stage named, may be a filter's (as in English)."""
    own = "宛先: kai@carrier.ne.jp\nユーザが存在しません。\n"
    quoted = "宛先: kai@carrier.ne.jp\n554 ユーザが存在しません。\n"
    assert verdicts(notice(own, "iso-2022-jp")) == {"kai@carrier.ne.jp": UNKNOWN}
    assert verdicts(notice(quoted, "iso-2022-jp")) == {"kai@carrier.ne.jp": (t.FILTERED, "soft")}


@pytest.mark.parametrize(
    ("body", "charset"),
    [
        (
            "次の宛先へ配信できませんでした。\n宛先: yui@carrier.ne.jp\n"
            "宛先のアドレスは存在しません。\n"
            "\n------ 元のメッセージ ------\n差出人: news@store.example\nFrom: news@store.example\n"
            "Message-ID: <orig.42@store.example>\n",
            "iso-2022-jp",
        ),
        (
            "退信原因\uff1a收件人邮箱不存在\n收件人\uff1ayui@carrier.ne.jp\n发件人\uff1anews@store.example\n"
            "Message-ID: <orig.42@store.example>\n",
            "gb2312",
        ),
        (
            "Ihre Nachricht an yui@carrier.ne.jp konnte nicht zugestellt werden.\n"
            "Von: news@store.example\nMessage-ID: <orig.42@store.example>\n",
            "utf-8",
        ),
    ],
)
def test_no_sender_or_message_id_comes_out_as_a_recipient(body: str, charset: str) -> None:
    parsed = parse_bounce_message(notice(body, charset))
    assert [r.address for r in parsed.recipients] == ["yui@carrier.ne.jp"]
