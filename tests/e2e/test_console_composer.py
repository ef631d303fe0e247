"""The composer: failed answers and their retry, replies, private notes, canned responses, edit and delete."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import samples
from console_page import ARRIVAL_TIMEOUT_MS, Customer, answer, bubbles, delivered, open_chat
from playwright.sync_api import expect
from support import wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture
def telegram_fails(desk) -> Iterator[Any]:
    url = f"{desk.standin_url}standin/api/failures"

    def plan(method: str, error_code: int, **fields: Any) -> None:
        requests.post(url, json={"method": method, "error_code": error_code, **fields}, timeout=10).raise_for_status()

    yield plan
    requests.delete(url, timeout=10)


def calls_with(bot_api_calls, method: str, chat_id: int, **params: Any) -> list[dict[str, Any]]:
    return [c for c in bot_api_calls(method) if str(c["params"].get("chat_id")) == str(chat_id)
            and all(c["params"].get(k) == v for k, v in params.items())]


@pytest.fixture
def chat(desk, console) -> Customer:
    ana = Customer(desk)
    ana.says("Hola, tengo una pregunta")
    open_chat(console, ana)
    return ana


def test_a_failed_answer_shows_telegrams_reason_and_a_retry_sends_it(console, chat, telegram_fails, bot_api_calls):
    telegram_fails("sendMessage", 400, description="Bad Request: message text is empty")
    bubble = answer(console, "Le escribo enseguida")
    delivered(bubble, "failed")
    expect(bubble.get_by_test_id("delivery-reason")).to_contain_text("message text is empty", ignore_case=True)
    bubble.get_by_test_id("delivery-retry").click()
    delivered(bubble, "sent")
    expect(bubbles(console, "out").filter(has_text="Le escribo enseguida")).to_have_count(1)
    assert len(calls_with(bot_api_calls, "sendMessage", chat.id, text="Le escribo enseguida")) == 2  # 400, then ok


def open_menu(bubble, action: str) -> None:
    """The bubble's own actions: its menu button sits beside it, in the bubble's row."""
    bubble.hover()
    bubble.locator("xpath=..").get_by_test_id("message-menu-button").click()
    bubble.page.get_by_test_id(f"message-action-{action}").click()


def test_a_reply_quotes_the_customers_message_on_telegram(console, chat, bot_api_calls):
    question = bubbles(console, "in").filter(has_text="tengo una pregunta")
    open_menu(question, "reply")
    expect(console.get_by_test_id("reply-preview")).to_contain_text("tengo una pregunta")
    delivered(answer(console, "Dígame"))
    [call] = calls_with(bot_api_calls, "sendMessage", chat.id, text="Dígame")
    assert "reply_parameters" in call["params"]
    expect(bubbles(console, "out").filter(has_text="Dígame").get_by_test_id("message-quote")).to_contain_text(
        "tengo una pregunta")


def test_a_private_note_is_shown_to_agents_and_never_reaches_telegram(console, chat, bot_api_calls):
    console.get_by_test_id("composer-note-toggle").click()
    expect(console.get_by_test_id("composer")).to_have_attribute("data-mode", "note")
    note = f"Cliente VIP {random.randint(1000, 9999)}, ojo"
    composer = console.get_by_test_id("composer-input")
    composer.fill(note)
    composer.press("Enter")
    bubble = bubbles(console, "note").filter(has_text=note)
    expect(bubble.get_by_test_id("message-note")).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    console.reload()  # stored, not just drawn
    open_chat(console, chat)
    expect(bubbles(console, "note").filter(has_text=note)).to_have_count(1, timeout=ARRIVAL_TIMEOUT_MS)
    time.sleep(2)  # what deliver would have taken to send it
    assert [c for c in bot_api_calls("sendMessage") if note in str(c["params"].get("text"))] == []


def test_a_canned_response_added_in_settings_is_typed_with_a_slash(console, chat, bot_api_calls):
    shortcut = f"envio{random.randint(1000, 9999)}"
    console.get_by_test_id("settings-button").click()
    manager = console.get_by_test_id("canned-manager")
    manager.get_by_test_id("canned-shortcut").fill(shortcut)
    manager.get_by_test_id("canned-text").fill("El envío tarda tres días laborables.")
    manager.get_by_test_id("canned-add").click()
    expect(manager.get_by_test_id("canned-item").filter(has_text=shortcut)).to_be_visible()
    console.keyboard.press("Escape")
    expect(console.get_by_test_id("settings-panel")).to_be_hidden()

    composer = console.get_by_test_id("composer-input")
    composer.fill("")
    composer.type(f"/{shortcut[:6]}")
    suggestion = console.get_by_test_id("canned-option").filter(has_text=shortcut)
    expect(suggestion).to_be_visible()
    composer.press("Enter")  # chooses the suggestion
    expect(composer).to_have_value("El envío tarda tres días laborables.")
    composer.press("Enter")  # sends it
    delivered(bubbles(console, "out").filter(has_text="El envío tarda tres días laborables."))
    assert calls_with(bot_api_calls, "sendMessage", chat.id, text="El envío tarda tres días laborables.")


def test_an_agent_edits_and_deletes_a_sent_answer(desk, console, chat, bot_api_calls):
    bubble = answer(console, "Llega el lunes")
    delivered(bubble)
    open_menu(bubble, "edit")
    expect(console.get_by_test_id("composer")).to_have_attribute("data-mode", "edit")
    composer = console.get_by_test_id("composer-input")
    expect(composer).to_have_value("Llega el lunes")
    composer.fill("Llega el martes")
    composer.press("Enter")
    edited = bubbles(console, "out").filter(has_text="Llega el martes")
    expect(edited.get_by_test_id("message-edited")).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    wait_until(lambda: calls_with(bot_api_calls, "editMessageText", chat.id, text="Llega el martes"))

    open_menu(edited, "delete")
    console.get_by_test_id("delete-confirm").click()
    expect(bubbles(console, "out").get_by_test_id("message-deleted")).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    wait_until(lambda: calls_with(bot_api_calls, "deleteMessage", chat.id))


def test_the_customer_sees_typing_while_the_agent_types(console, chat, bot_api_calls):
    console.get_by_test_id("composer-input").type("Estoy mirando", delay=30)
    wait_until(lambda: calls_with(bot_api_calls, "sendChatAction", chat.id, action="typing"))


def test_a_photo_attached_by_button_reaches_the_customer_with_its_caption(console, chat, bot_api_calls):
    console.get_by_test_id("composer-file-input").set_input_files(
        files=[{"name": "recibo.png", "mimeType": "image/png", "buffer": samples.png()}])
    preview = console.get_by_test_id("attachment-preview")
    expect(preview).to_contain_text("recibo.png")
    preview.get_by_test_id("attachment-caption").fill("Su recibo")
    preview.get_by_test_id("attachment-send").click()
    bubble = bubbles(console, "out").filter(has=console.get_by_test_id("media-photo"))
    delivered(bubble)
    expect(bubble.get_by_test_id("message-text")).to_have_text("Su recibo")
    [call] = calls_with(bot_api_calls, "sendPhoto", chat.id)
    assert call["params"].get("caption") == "Su recibo"


def test_a_file_dropped_on_the_conversation_is_sent_as_a_document(console, chat, bot_api_calls):
    dropped = console.evaluate_handle("""() => {
        const transfer = new DataTransfer();
        transfer.items.add(new File(['%PDF-1.4\\n%%EOF\\n'], 'factura.pdf', { type: 'application/pdf' }));
        return transfer;
    }""")
    composer = console.get_by_test_id("composer")
    for event in ("dragenter", "dragover", "drop"):
        composer.dispatch_event(event, {"dataTransfer": dropped})
    expect(console.get_by_test_id("attachment-preview")).to_contain_text("factura.pdf")
    console.get_by_test_id("attachment-send").click()
    delivered(bubbles(console, "out").filter(has=console.get_by_test_id("media-document")))
    assert calls_with(bot_api_calls, "sendDocument", chat.id)
