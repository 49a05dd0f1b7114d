"""The web pages in a real browser against the real stack.

One story, in order: a parent completes an intake on a 360 px phone, the worker creates a pupil
code, the pupil answers at /elev, the worker reads the case (chart, summary, print view), the
leader reads the statistics, and a municipal site shows the widget. axe-core checks every page
(no serious or critical WCAG 2.1 AA violations); screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from intake_driver import DEFAULT_TYPED  # noqa: E402

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
TURN_TIMEOUT = 60_000


# --- helpers ----------------------------------------------------------------------------------


def open_page(browser: Any, viewport: dict[str, int], **kwargs: Any) -> tuple[Any, Any]:
    """A new context and page; JavaScript errors on the page are collected in page.js_errors."""
    ctx = browser.new_context(viewport=viewport, locale="da-DK", **kwargs)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_console(msg: Any) -> None:
        # The host site has no favicon; that 404 is not ours.
        if msg.type == "error" and not msg.location.get("url", "").endswith("favicon.ico"):
            errors.append(f"{msg.text} ({msg.location.get('url')})")

    page.on("console", on_console)
    page.js_errors = errors
    return ctx, page


def bot_count(page: Any) -> int:
    return page.locator("li.msg.bot").count()


def wait_reply(page: Any, before: int) -> None:
    page.wait_for_function(
        """n => document.querySelectorAll('li.msg.bot').length > n
               && document.getElementById('typing').hidden""",
        arg=before,
        timeout=TURN_TIMEOUT,
    )


def click_choice(page: Any, title_prefix: str) -> None:
    before = bot_count(page)
    page.locator(".choices-row button", has_text=title_prefix).first.click()
    wait_reply(page, before)


def type_answer(page: Any, text: str) -> None:
    before = bot_count(page)
    page.fill("#message", text)
    page.press("#message", "Enter")
    wait_reply(page, before)


def answer_all(page: Any, typed: dict[str, str], limit: int = 90) -> str:
    """Answer every question by clicking or typing, confirm the review, return the sagsnummer."""
    for _ in range(limit):
        ref = page.locator("#case-ref")
        if ref.is_visible():
            return ref.locator("strong").inner_text()
        buttons = page.locator(".choices-row button")
        payloads = [buttons.nth(i).get_attribute("data-payload") for i in range(buttons.count())]
        titles = [buttons.nth(i).inner_text() for i in range(buttons.count())]
        send = [i for i, t in enumerate(titles) if t.startswith("Ja, send det")]
        if send:  # the review: "Ja, send det" sends the case
            before = bot_count(page)
            buttons.nth(send[0]).click()
            wait_reply(page, before)
            continue
        progress = page.locator("#progress")
        key = progress.get_attribute("data-question") or ""
        qtype = progress.get_attribute("data-type") or ""
        before = bot_count(page)
        if key in typed:
            type_answer(page, typed[key])
        elif payloads:
            # Scales and choices: a middle answer, so the profile has something to draw.
            buttons.nth(min(2, len(payloads) - 1)).click()
            wait_reply(page, before)
        elif qtype == "text":
            type_answer(page, "Det ved jeg ikke så meget om")
        elif qtype == "number":
            type_answer(page, "3")
        else:
            type_answer(page, "ved ikke")
    raise AssertionError("the intake did not finish in the browser")


def wait_text(page: Any, element_id: str, pattern: str) -> None:
    page.wait_for_function(
        "([id, re]) => new RegExp(re).test(document.getElementById(id).textContent)",
        arg=[element_id, pattern],
        timeout=TURN_TIMEOUT,
    )


def no_horizontal_scroll(page: Any) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )


def login(page: Any, username: str) -> None:
    page.fill("#username", username)
    page.fill("#password", "demo1234")
    page.click("#login-form button[type=submit]")


def api_token(api_url: str, username: str) -> str:
    resp = httpx.post(
        f"{api_url}/api/v1/auth/token",
        data={"username": username, "password": "demo1234"},
        timeout=30,
    )
    resp.raise_for_status()
    return resp.json()["access_token"]


# --- the story ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def parent_case(web_stack: Any, browser: Any, artifacts: Path, axe: Any) -> dict[str, Any]:
    """A parent completes the intake on a 360 px phone, clicking and typing."""
    ctx, page = open_page(browser, PHONE, has_touch=True)
    page.goto(f"{web_stack.api_url}/")
    page.wait_for_selector(".choices-row button", timeout=TURN_TIMEOUT)
    assert page.locator("html").get_attribute("lang") == "da"
    greeting = page.locator("li.msg.bot").first.inner_text()
    assert "ikke et menneske" in greeting
    assert page.locator("[role=log][aria-live=polite]").count() == 1
    bad_start = axe(page, "chat-start")
    page.screenshot(path=str(artifacts / "chat-360-start.png"), full_page=True)

    click_choice(page, "Jeg er forælder")
    click_choice(page, "Ja")
    assert page.locator("#progress").is_visible()
    page.screenshot(path=str(artifacts / "chat-360-question.png"))
    # Mid-conversation reload: the transcript and the sender survive (localStorage).
    bubbles = page.locator("li.msg").count()
    sender = page.evaluate("() => JSON.parse(localStorage['skolebro.chat.v1.forælder']).sender")
    page.reload()
    page.wait_for_selector("li.msg.bot")
    assert page.locator("li.msg").count() == bubbles
    assert (
        page.evaluate("() => JSON.parse(localStorage['skolebro.chat.v1.forælder']).sender")
        == sender
    )
    bad_question = axe(page, "chat-question")
    reflow_ok = no_horizontal_scroll(page)

    reference = answer_all(page, DEFAULT_TYPED)
    page.screenshot(path=str(artifacts / "chat-360-done.png"), full_page=True)
    bad_done = axe(page, "chat-done")
    # A finished conversation is not kept on the device: a reload starts afresh.
    assert page.evaluate("() => localStorage.getItem('skolebro.chat.v1.forælder')") is None
    page.reload()
    page.wait_for_selector(".choices-row button", timeout=TURN_TIMEOUT)
    after_reload = {
        "case_ref_shown": page.locator("#case-ref").is_visible(),
        "old_bubbles": page.locator("li.msg").count(),
    }
    assert page.js_errors == []
    ctx.close()
    return {
        "reference": reference,
        "after_reload": after_reload,
        "axe": bad_start + bad_question + bad_done,
        "reflow_ok": reflow_ok,
    }


def test_parent_completes_intake_on_a_phone(parent_case: dict[str, Any]) -> None:
    assert parent_case["reference"].startswith("SB-")
    assert parent_case["after_reload"] == {"case_ref_shown": False, "old_bubbles": 1}
    assert parent_case["reflow_ok"], "the chat scrolls sideways at 360 px"
    assert parent_case["axe"] == [], parent_case["axe"]


@pytest.fixture(scope="module")
def case_id(web_stack: Any, parent_case: dict[str, Any]) -> int:
    token = api_token(web_stack.api_url, "kontakt1")
    resp = httpx.get(
        f"{web_stack.api_url}/api/v1/cases/by-reference/{parent_case['reference']}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    resp.raise_for_status()
    return resp.json()["case"]["id"]


def test_pupil_joins_with_an_invitation_code(
    web_stack: Any, browser: Any, case_id: int, artifacts: Path, axe: Any
) -> None:
    token = api_token(web_stack.api_url, "kontakt1")
    resp = httpx.post(
        f"{web_stack.api_url}/api/v1/cases/{case_id}/invitations",
        headers={"Authorization": f"Bearer {token}"},
        json={},
        timeout=30,
    )
    resp.raise_for_status()
    code = resp.json()["code"]

    ctx, page = open_page(browser, {"width": 800, "height": 1000})
    # First the code page: typed by hand.
    page.goto(f"{web_stack.api_url}/elev")
    page.wait_for_selector("#code-input")
    assert axe(page, "elev-code") == []
    page.screenshot(path=str(artifacts / "elev-code.png"))
    page.fill("#code-input", code.lower())
    page.click("#code-form button[type=submit]")
    # Pupil mode at once: the page sends the code itself; then the age and the consent.
    page.wait_for_function(
        "() => [...document.querySelectorAll('li.msg.bot')].some(li => /Koden virker/i"
        ".test(li.textContent))",
        timeout=TURN_TIMEOUT,
    )
    page.wait_for_selector(".choices-row button", timeout=TURN_TIMEOUT)
    assert "Jeg er forælder" not in page.locator(".choices-row").inner_text()
    click_choice(page, "13")
    click_choice(page, "Ja")
    page.wait_for_selector("#progress:not([hidden])", timeout=TURN_TIMEOUT)
    page.screenshot(path=str(artifacts / "elev-question.png"))
    assert axe(page, "elev-question") == []

    # Answer the pupil questions; the smiley scales are big tiles with the emoji apart.
    seen_scale = False
    for _ in range(90):
        if page.locator(".choices.scale").count():
            seen_scale = True
            height = page.locator(".choices.scale button").first.bounding_box()["height"]
            assert height >= 48, "pupil buttons are too small"
            page.screenshot(path=str(artifacts / "elev-smileys.png"))
            break
        if page.locator("#case-ref").is_visible():
            break
        key = page.locator("#progress").get_attribute("data-question") or ""
        buttons = page.locator(".choices-row button")
        if key in DEFAULT_TYPED or not buttons.count():
            type_answer(page, DEFAULT_TYPED.get(key, "ved ikke"))
        else:
            before = bot_count(page)
            buttons.nth(min(2, buttons.count() - 1)).click()
            wait_reply(page, before)
    assert seen_scale, "no smiley scale was shown to the pupil"
    reference = answer_all(page, {k: v for k, v in DEFAULT_TYPED.items() if k != "school"})
    assert reference.startswith("SB-")
    assert page.js_errors == []
    ctx.close()

    # The link form /elev?kode=... starts at once (a second code for the same case).
    resp = httpx.post(
        f"{web_stack.api_url}/api/v1/cases/{case_id}/invitations",
        headers={"Authorization": f"Bearer {token}"},
        json={},
        timeout=30,
    )
    code2 = resp.json()["code"]
    ctx, page = open_page(browser, PHONE)
    page.goto(f"{web_stack.api_url}/elev?kode={code2}")
    page.wait_for_selector(".choices-row button", timeout=TURN_TIMEOUT)
    assert "kode=" not in page.url, "the code stays in the address bar"
    assert page.js_errors == []
    ctx.close()


def test_keyboard_only_start_and_delete(web_stack: Any, browser: Any, artifacts: Path) -> None:
    ctx, page = open_page(browser, DESKTOP)
    page.goto(f"{web_stack.api_url}/")
    page.wait_for_selector(".choices-row button", timeout=TURN_TIMEOUT)
    # Tab to the consent button; everything that gets focus shows it.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            continue
        focused = page.evaluate("() => document.activeElement.textContent.trim()")
        outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", f"no visible focus on {focused!r}"
        if focused.startswith("Jeg er forælder"):
            break
    else:
        raise AssertionError("the role button cannot be reached with Tab")
    page.screenshot(path=str(artifacts / "chat-keyboard-focus.png"))
    before = bot_count(page)
    page.keyboard.press("Enter")
    wait_reply(page, before)
    # Focus moves to the new choices, so Enter picks "Ja" to the consent.
    assert page.evaluate("() => document.activeElement.textContent").startswith("Ja")
    before = bot_count(page)
    page.keyboard.press("Enter")
    wait_reply(page, before)
    page.keyboard.type("Ida")
    before = bot_count(page)
    page.keyboard.press("Enter")
    wait_reply(page, before)
    assert page.locator("#progress").get_attribute("data-question") == "grade"

    # "Slet min samtale": the bot asks first; after "Ja", this device forgets it too.
    before = bot_count(page)
    page.click("#delete-conversation")
    wait_reply(page, before)
    page.locator(".choices-row button", has_text="Ja").first.click()
    page.wait_for_selector("#restart:not([hidden])", timeout=TURN_TIMEOUT)
    assert page.evaluate("() => localStorage.getItem('skolebro.chat.v1.forælder')") is None
    assert "slettet" in page.locator("li.msg.bot").last.inner_text()
    assert page.js_errors == []
    ctx.close()


def test_worker_pages(
    web_stack: Any,
    browser: Any,
    parent_case: dict[str, Any],
    case_id: int,
    artifacts: Path,
    axe: Any,
) -> None:
    ctx, page = open_page(browser, DESKTOP)
    page.goto(f"{web_stack.api_url}/medarbejder")
    page.wait_for_selector("#login-form")
    assert axe(page, "medarbejder-login") == []
    login(page, "kontakt2")  # sees no case of Nordskolen
    page.wait_for_selector("#cases:not([hidden])")
    wait_text(page, "cases-status", "sag")
    assert parent_case["reference"] not in page.locator("#case-table").inner_text()
    page.click("#logout")
    page.wait_for_selector("#login-form")
    login(page, "kontakt1")
    page.wait_for_selector(f"text={parent_case['reference']}")
    assert page.evaluate("() => sessionStorage.getItem('skolebro.token') !== null")
    page.screenshot(path=str(artifacts / "medarbejder-sager.png"), full_page=True)
    assert axe(page, "medarbejder-sager") == []
    # Status filter.
    page.select_option("#status-filter", "afsluttet")
    page.click("#filter button[type=submit]")
    wait_text(page, "cases-status", "^0 sager")
    page.select_option("#status-filter", "")
    page.click("#filter button[type=submit]")
    page.click(f"text={parent_case['reference']}")

    try:
        page.wait_for_selector("#profile-chart svg > rect")
        page.wait_for_selector("#summary h3")
    except Exception as exc:
        page.screenshot(path=str(artifacts / "medarbejder-sag-fejl.png"), full_page=True)
        raise AssertionError(f"case page incomplete; JS errors: {page.js_errors}") from exc
    chart = page.locator("#profile-chart svg")
    assert chart.get_attribute("role") == "img"
    # Every scale answered "Nogle gange" by both: key items give "En del", never a mean.
    assert "forælder en del" in chart.locator("desc").text_content().lower()
    assert "elev en del" in chart.locator("desc").text_content().lower()
    # The first screen says in at most three lines what matters most.
    points = page.locator("#key-points-list li")
    assert 1 <= points.count() <= 3
    assert points.first.inner_text().startswith(("Faresignal", "Vigtigst"))
    assert page.locator("#profile-table tbody tr").count() == 5
    chart.screenshot(path=str(artifacts / "medarbejder-profil-chart.png"))

    page.fill("#note-text", "Ringet til mor. Møde aftalt fredag.")
    page.click("#note-form button[type=submit]")
    page.wait_for_selector("#notes li >> text=Møde aftalt fredag")
    page.select_option("#status-select", "kontaktet")
    page.click("#status-form button[type=submit]")
    wait_text(page, "status-msg", "Kontaktet")

    page.click("#invite")
    page.wait_for_selector("#invitation-code")
    page.wait_for_function(
        "() => { const i = document.querySelector('#invitation img'); "
        "return i && i.complete && i.naturalWidth > 0; }"
    )
    assert "/elev?kode=" in page.locator("#invitation-link").inner_text()
    page.screenshot(path=str(artifacts / "medarbejder-sag.png"), full_page=True)
    assert axe(page, "medarbejder-sag") == []

    # 200 % zoom: the same page in half the CSS width reflows without sideways scrolling.
    page.set_viewport_size({"width": 640, "height": 900})
    assert no_horizontal_scroll(page)
    page.set_viewport_size(DESKTOP)

    page.click("#print-link")
    page.wait_for_selector("h1 >> text=Registreringsskema")
    page.screenshot(path=str(artifacts / "medarbejder-registreringsskema.png"), full_page=True)
    assert axe(page, "medarbejder-udskriv") == []
    assert page.js_errors == []
    ctx.close()


def test_leader_statistics(web_stack: Any, browser: Any, artifacts: Path, axe: Any) -> None:
    ctx, page = open_page(browser, DESKTOP)
    page.goto(f"{web_stack.api_url}/leder")
    page.wait_for_selector("#login-form")
    login(page, "kontakt1")
    page.wait_for_selector("#login-error:not([hidden])")  # a worker has no access
    login(page, "leder")
    page.wait_for_selector("#stats:not([hidden])")
    assert page.locator("#stats-sections section").count() == 7
    page.screenshot(path=str(artifacts / "leder.png"), full_page=True)
    assert axe(page, "leder") == []
    assert page.js_errors == []
    ctx.close()


def test_widget_on_a_municipal_site(
    web_stack: Any, host_site: Any, browser: Any, artifacts: Path, axe: Any
) -> None:
    ctx, page = open_page(browser, DESKTOP)
    page.goto(f"{host_site.url}/index.html")
    button = page.locator("#skolebro-widget .sb-button")
    button.wait_for()
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    frame = page.frame_locator("#skolebro-widget iframe")
    frame.locator(".choices-row button").first.wait_for(timeout=TURN_TIMEOUT)
    assert "Skolebro" in frame.locator("li.msg.bot").first.inner_text()
    page.screenshot(path=str(artifacts / "widget-host.png"))
    assert axe(page, "widget-host", iframes=False) == []
    page.keyboard.press("Escape")
    # With the focus in the chat, Escape reaches the host page by postMessage: wait for it.
    from playwright.sync_api import expect  # here: without playwright the module is skipped

    expect(button).to_have_attribute("aria-expanded", "false")
    assert page.js_errors == []
    ctx.close()

    # CORS: the host site's origin is allowed; any other origin is not, and never "*".
    allowed = httpx.options(
        f"{web_stack.api_url}/api/v1/cases",
        headers={"Origin": host_site.url, "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    assert allowed.headers.get("access-control-allow-origin") == host_site.url
    other = httpx.options(
        f"{web_stack.api_url}/api/v1/cases",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    assert other.headers.get("access-control-allow-origin") is None
    chat = httpx.get(f"{web_stack.api_url}/", timeout=10)
    assert host_site.url in chat.headers["content-security-policy"]
    worker = httpx.get(f"{web_stack.api_url}/medarbejder", timeout=10)
    assert "frame-ancestors 'none'" in worker.headers["content-security-policy"]
