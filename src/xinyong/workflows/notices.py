"""Notices to subjects: journaled with the step they belong to (one transaction), shown in the
portal at once, and mailed afterwards to the subject accounts' addresses, retried until sent."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Connection, Engine, insert, select, update

from xinyong.store.apply import Change
from xinyong.store.schema import notice_mail, notices, users
from xinyong.timeutil import utc_stamp
from xinyong.workflows.mail import MailError, MailSettings, send_mail

log = logging.getLogger("xinyong.notices")


def notice(
    subject_key: str, topic: str, title: str, body: str, on: dt.date, ref: str | None = None
) -> Change:
    return Change(
        "notice.sent",
        {
            "subject_key": subject_key,
            "topic": topic,
            "title": title,
            "body": body,
            "ref": ref,
            "on": on.isoformat(),
        },
    )


def deliver(engine: Engine, settings: MailSettings | None = None) -> tuple[int, int]:
    """Mail every notice not yet mailed to each enabled subject account with an address.
    Returns (sent, failed); failures stay queued with their error for the next run."""
    settings = settings or MailSettings.from_env()
    if not settings.enabled:
        return 0, 0
    with engine.begin() as conn:
        _enqueue(conn)
        queued = conn.execute(
            select(notice_mail.c.notice_id, notice_mail.c.address, notices.c.title, notices.c.body)
            .join(notices, notices.c.id == notice_mail.c.notice_id)
            .where(notice_mail.c.sent_at.is_(None), notice_mail.c.attempts < 10)
        ).all()
    sent = failed = 0
    for q in queued:
        try:
            send_mail(settings, q.address, q.title, q.body)
        except MailError as exc:
            failed += 1
            log.warning("notice %s not mailed: %s", q.notice_id, exc)
            values = {"attempts": notice_mail.c.attempts + 1, "last_error": str(exc)[:500]}
        else:
            sent += 1
            values = {"attempts": notice_mail.c.attempts + 1, "sent_at": utc_stamp()}
        with engine.begin() as conn:
            conn.execute(
                update(notice_mail).where(notice_mail.c.notice_id == q.notice_id).values(values)
            )
    return sent, failed


def _enqueue(conn: Connection) -> None:
    waiting = conn.execute(
        select(notices.c.id, users.c.email)
        .join(users, users.c.subject_key == notices.c.subject_key)
        .where(
            users.c.role == "subject",
            users.c.disabled.is_(False),
            users.c.email.is_not(None),
            ~select(notice_mail.c.notice_id)
            .where(notice_mail.c.notice_id == notices.c.id)
            .exists(),
        )
    ).all()
    seen: set[int] = set()
    for row in waiting:
        if row.id in seen:  # one address per notice: the first account's
            continue
        seen.add(row.id)
        conn.execute(insert(notice_mail).values(notice_id=row.id, address=row.email, attempts=0))
