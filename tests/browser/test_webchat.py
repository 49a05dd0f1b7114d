"""The Rasa webchat widget (npm rasa-webchat 1.0.1, vendored) talks to Skolebro over socket.io.

A municipal page of an allowed origin (CORS_ORIGINS) embeds the widget, pointed at Rasa's
socket.io endpoint. A person opens it and completes the opening and the first questions with
clicks on the widget's own buttons (consent and role, in the order the bot asks) and typing.
The widget upgrades to the WebSocket transport, as it does for real visitors.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

VENDOR = Path(__file__).resolve().parent / "vendor"
WIDGET_JS = VENDOR / "rasa-webchat-1.0.1.js"

PAGE = """<!doctype html>
<html lang="da">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo Kommune – Skriv med Skolebro</title></head>
<body>
<main><h1>Bekymrende skolefravær</h1><div id="webchat"></div></main>
<script src="rasa-webchat-1.0.1.js"></script>
<script>
  WebChat.default({{
    selector: "#webchat",
    initPayload: "hej",
    socketUrl: "{rasa}",
    socketPath: "/socket.io/",
    customData: {{ language: "da" }},
    title: "Skolebro",
    subtitle: "Demo Kommune",
    inputTextFieldHint: "Skriv en besked",
    embedded: true,
    params: {{ storage: "session" }}
  }}, null);
</script>
</body>
</html>
"""


def _host_folder(host_site: Any) -> Path:
    # The municipal test site (conftest) serves a folder; the widget page goes beside its page.
    return Path(host_site.server.RequestHandlerClass.keywords["directory"])


def _bot_texts(page: Any) -> list[str]:
    # The widget's typing indicator is an empty .rw-response while a reply is on its way.
    return [t.strip() for t in page.locator(".rw-response").all_inner_texts() if t.strip()]


def _wait_for_new_bot_text(page: Any, before: int, pattern: str) -> str:
    page.wait_for_function(
        """([n, pattern]) => {
            const all = [...document.querySelectorAll('.rw-response')]
                .map(e => e.innerText.trim()).filter(t => t);
            return all.length > n && all.slice(n).some(t => new RegExp(pattern, 'i').test(t));
        }""",
        arg=[before, pattern],
        timeout=60_000,
    )
    return "\n".join(_bot_texts(page)[before:])


def test_rasa_webchat_widget_walks_the_opening_by_clicks(
    web_stack: Any, host_site: Any, browser: Any, artifacts: Path
) -> None:
    folder = _host_folder(host_site)
    shutil.copy(WIDGET_JS, folder / WIDGET_JS.name)
    (folder / "webchat.html").write_text(PAGE.format(rasa=web_stack.rasa_url), encoding="utf-8")

    context = browser.new_context(viewport={"width": 420, "height": 800}, locale="da-DK")
    page = context.new_page()
    sockets: list[Any] = []
    frames: list[str] = []

    def on_socket(ws: Any) -> None:
        sockets.append(ws)
        ws.on("framereceived", lambda payload: frames.append(str(payload)))

    page.on("websocket", on_socket)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{host_site.url}/webchat.html")
        _wait_for_new_bot_text(page, 0, "Skolebro")
        steps: list[str] = []
        for _ in range(4):  # the opening asks at most consent and role
            page.wait_for_selector(".rw-reply", timeout=60_000)
            titles = [t.strip() for t in page.locator(".rw-reply").all_inner_texts()]
            if any(t.startswith("Ja") for t in titles):
                choice, step = next(t for t in titles if t.startswith("Ja")), "consent"
            elif "Jeg er forælder" in titles:
                choice, step = "Jeg er forælder", "role"
            else:
                break
            before = len(_bot_texts(page))
            page.locator(".rw-reply", has_text=choice).first.click()
            steps.append(step)
            if step == "role" and "consent" in steps or step == "consent" and "role" in steps:
                break
            page.wait_for_function(
                """n => [...document.querySelectorAll('.rw-response')]
                    .filter(e => e.innerText.trim()).length > n""",
                arg=before,
                timeout=60_000,
            )
        assert sorted(steps) == ["consent", "role"], steps
        asked = _wait_for_new_bot_text(page, 0, "Hvad hedder dit barn")
        assert "Spørgsmål 1" in asked

        for typed, next_question in (("Emma", "Hvilken klasse går Emma i"), ("4. klasse", "skole")):
            before = len(_bot_texts(page))
            page.locator(".rw-new-message").fill(typed)
            page.keyboard.press("Enter")
            got = _wait_for_new_bot_text(page, before, next_question)
            assert re.search(r"Spørgsmål \d+ af", got), got
        page.screenshot(path=str(artifacts / "webchat-widget.png"), full_page=True)
    finally:
        context.close()

    assert not errors, errors
    # The widget ran over the WebSocket transport and got the bot's messages on it.
    assert any("/socket.io/" in ws.url and "transport=websocket" in ws.url for ws in sockets)
    assert any(f.startswith('42["bot_uttered"') for f in frames)
    # Skolebro's progress payload reached the widget too (it has no component to show it).
    assert any('"progress"' in f for f in frames)
