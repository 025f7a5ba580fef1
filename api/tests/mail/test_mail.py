"""Outgoing mail: sent over SMTP only after the unit of work commits, never on a rollback."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.session import create_sessionmaker, unit_of_work
from app.mail.catcher import MailCatcher
from app.mail.service import Mail, deliver, send_after_commit, wait_for_sends
from app.settings import MailSettings, get_settings
from tests.fixtures.mail import link_token


def _mail(to: str) -> Mail:
    return Mail(to=to, subject="Hello", text="Open http://127.0.0.1/x#token=abc123 now.\n", kind="test")


async def test_sent_after_the_commit(engine: AsyncEngine, mail_catcher: MailCatcher) -> None:
    async with unit_of_work(create_sessionmaker(engine)) as session:
        await session.execute(text("SELECT 1"))
        send_after_commit(session, _mail("ada@example.com"))
        await asyncio.sleep(0.2)
        assert mail_catcher.messages == []  # not before the commit
    await wait_for_sends()
    caught = await asyncio.to_thread(mail_catcher.wait_for, "ada@example.com")
    assert caught.subject == "Hello" and link_token(caught) == "abc123"


async def test_nothing_is_sent_on_a_rollback(engine: AsyncEngine, mail_catcher: MailCatcher) -> None:
    with pytest.raises(RuntimeError):
        async with unit_of_work(create_sessionmaker(engine)) as session:
            send_after_commit(session, _mail("bob@example.com"))
            raise RuntimeError("the request failed")
    await wait_for_sends()
    await asyncio.sleep(0.3)
    assert mail_catcher.messages == []


async def test_an_unreachable_server_is_logged_not_raised(mail_catcher: MailCatcher) -> None:
    settings = MailSettings(smtp_url="smtp://127.0.0.1:9", mail_from=get_settings().mail.mail_from)
    await deliver(_mail("cy@example.com"), settings)  # no exception: the request already answered
    assert mail_catcher.messages == []
