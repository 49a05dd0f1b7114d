"""/elev on a shared school computer: the conversation lives in the tab only, "Afslut" clears
the device without deleting what was sent, and the tab clears itself after no activity, with
a warning first. The parent page keeps an open conversation only for a limited time."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_web import DESKTOP, TURN_TIMEOUT, click_choice, open_page, type_answer  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.db.models import Answer, Respondent  # noqa: E402
from bot.db.session import session_scope  # noqa: E402

pytestmark = pytest.mark.e2e
KEY = "skolebro.chat.v1.elev"


def _answers_kept(stack: Any, sender: str) -> int:
    # The URL the stack's own processes use (psycopg 3 for PostgreSQL).
    url = Settings(database_url=stack.database_url, data_dir=stack.data_dir).sqlalchemy_url
    with session_scope(url) as session:
        return session.scalar(
            select(func.count(Answer.id))
            .join(Respondent, Answer.respondent_id == Respondent.id)
            .where(Respondent.conversation_id == sender)
        )


def _start_pupil_without_code(page: Any) -> None:
    page.wait_for_selector("#code-step:not([hidden])")
    page.click("#no-code")
    page.wait_for_selector(".choices-row button", timeout=TURN_TIMEOUT)


def test_afslut_clears_the_tab_for_the_next_pupil(web_stack: Any, browser: Any) -> None:
    ctx, page = open_page(browser, DESKTOP)
    page.goto(f"{web_stack.api_url}/elev")
    _start_pupil_without_code(page)
    assert "robot" in page.locator("li.msg.bot").first.inner_text()
    click_choice(page, "14")
    assert "forældre" in page.locator("li.msg.bot").last.inner_text()
    click_choice(page, "Ja")
    type_answer(page, "Sara")
    first_sender = page.evaluate(f"() => JSON.parse(sessionStorage['{KEY}']).sender")
    # Never in lasting storage on a shared computer.
    assert page.evaluate("() => localStorage.length") == 0

    page.click("#finish")
    page.wait_for_selector("#code-step:not([hidden])")
    assert page.evaluate(f"() => sessionStorage.getItem('{KEY}')") is None
    assert page.locator("li.msg").count() == 0
    assert "Dine svar er gemt" in page.locator("#closed-note").inner_text()
    # What was sent stays with Skolebro.
    assert _answers_kept(web_stack, first_sender) >= 1

    # The next pupil on the same browser starts a new, empty conversation.
    _start_pupil_without_code(page)
    assert "Sara" not in page.locator("#log").inner_text()
    second_sender = page.evaluate(f"() => JSON.parse(sessionStorage['{KEY}']).sender")
    assert second_sender != first_sender
    page.reload()  # a reload in the same tab keeps the pupil's own conversation
    page.wait_for_selector("li.msg.bot")
    assert page.evaluate(f"() => JSON.parse(sessionStorage['{KEY}']).sender") == second_sender
    assert page.js_errors == []
    ctx.close()

    # A new tab (the next pupil opening /elev) sees nothing of it.
    ctx, page = open_page(browser, DESKTOP)
    page.goto(f"{web_stack.api_url}/elev")
    page.wait_for_selector("#code-step:not([hidden])")
    assert page.locator("li.msg").count() == 0
    ctx.close()


def test_the_pupil_tab_clears_itself_after_a_warning(web_stack: Any, browser: Any) -> None:
    ctx, page = open_page(browser, DESKTOP)
    page.clock.install()
    page.goto(f"{web_stack.api_url}/elev")
    page.wait_for_selector("#code-step:not([hidden])")
    page.click("#no-code")
    page.clock.run_for(1000)  # the short "typing" pause before the reply is shown
    page.wait_for_selector(".choices-row button", timeout=TURN_TIMEOUT)
    assert page.evaluate(f"() => sessionStorage.getItem('{KEY}')") is not None

    # Default settings: 10 minutes without activity, a warning 60 seconds before.
    page.clock.run_for("08:30")
    assert page.locator("#idle-warning").is_hidden()
    page.clock.run_for("01:00")
    assert page.locator("#idle-warning").is_visible()
    page.click("#stay")  # "Jeg er her stadig" starts the period again
    assert page.locator("#idle-warning").is_hidden()
    page.clock.run_for("09:30")
    assert page.locator("#idle-warning").is_visible()
    page.clock.run_for("00:31")
    page.wait_for_selector("#code-step:not([hidden])")
    assert page.evaluate(f"() => sessionStorage.getItem('{KEY}')") is None
    assert page.locator("li.msg").count() == 0
    assert "ikke skete noget" in page.locator("#closed-note").inner_text()
    assert page.js_errors == []
    ctx.close()


def test_the_parent_page_forgets_an_abandoned_conversation(web_stack: Any, browser: Any) -> None:
    ctx, page = open_page(browser, DESKTOP)
    page.goto(f"{web_stack.api_url}/")
    page.wait_for_selector(".choices-row button", timeout=TURN_TIMEOUT)
    click_choice(page, "Jeg er forælder")
    key = "skolebro.chat.v1.forælder"
    sender = page.evaluate(f"() => JSON.parse(localStorage['{key}']).sender")
    # Within the period a reload keeps it ...
    page.reload()
    page.wait_for_selector("li.msg.bot")
    assert page.evaluate(f"() => JSON.parse(localStorage['{key}']).sender") == sender
    # ... but not once it has been left for longer than the setting (default 12 hours).
    page.evaluate(
        f"""() => {{ const s = JSON.parse(localStorage['{key}']);
            s.savedAt = Date.now() - 13 * 3600 * 1000;
            localStorage['{key}'] = JSON.stringify(s); }}"""
    )
    page.reload()
    page.wait_for_selector(".choices-row button", timeout=TURN_TIMEOUT)
    assert page.locator("li.msg.bot").count() == 1  # a fresh hello
    assert page.evaluate(f"() => JSON.parse(localStorage['{key}']).sender") != sender
    assert page.js_errors == []
    ctx.close()
