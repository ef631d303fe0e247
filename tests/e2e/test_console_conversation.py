"""Every kind of customer message as the agent sees it: bubbles, media, edits, reactions, albums."""

from __future__ import annotations

import re

import pytest
import requests
import samples
from console_page import ARRIVAL_TIMEOUT_MS, Customer, bubbles, chat_item, open_chat
from playwright.sync_api import expect
from support import wait_until

pytestmark = pytest.mark.e2e


def plays_or_offers(media, player: str) -> None:
    """A player on the relay's copy of the file; or, where this Chromium lacks the codec (Debian's
    has no H.264, and the samples are only well-formed containers), the file to download."""
    expect(media).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    source = media.locator(f"{player}[src^='/api/conversations/'], [data-testid=media-download][href^='/api/']")
    expect(source).to_have_count(1)


def test_each_media_kind_is_rendered_and_photos_open_large(desk, console):
    ana = Customer(desk)
    ana.sends_files(("caja.png", samples.png(), "image/png"), caption="la caja llegó rota")
    ana.sends_files(("uno.png", samples.png(), "image/png"), ("dos.png", samples.png(640, 480), "image/png"))
    ana.sends_files(("factura.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))
    ana.sends_files(("nota.ogg", samples.ogg_opus(), "audio/ogg"))
    ana.sends_files(("cancion.ogg", samples.ogg_opus(), "audio/ogg"), kind="audio")
    ana.sends_files(("video.mp4", samples.mp4(), "video/mp4"))
    ana.sends("sticker", emoji="👍")
    ana.sends("location", latitude=40.4168, longitude=-3.7038)
    ana.sends("contact", contact={"phone_number": "+34600111222", "first_name": "Berta"})
    ana.sends("poll", question="¿Qué prefiere?", options=["Envío", "Recogida"])
    ana.sends("dice", emoji="🎲", value=4)
    open_chat(console, ana)

    photo = console.get_by_test_id("media-photo").first
    expect(photo).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    expect(console.get_by_test_id("message-text").filter(has_text="la caja llegó rota")).to_be_visible()
    album = console.get_by_test_id("media-album")
    expect(album).to_have_count(1, timeout=ARRIVAL_TIMEOUT_MS)
    expect(album.get_by_test_id("media-photo")).to_have_count(2)
    document = console.get_by_test_id("media-document")
    expect(document).to_contain_text("factura.pdf", timeout=ARRIVAL_TIMEOUT_MS)
    expect(document).to_have_attribute("href", re.compile(r"^/api/conversations/"))
    for kind, player in (("voice", "audio"), ("audio", "audio"), ("video", "video")):
        plays_or_offers(console.get_by_test_id(f"media-{kind}"), player)
    expect(console.get_by_test_id("media-sticker")).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    location = console.get_by_test_id("media-location")
    expect(location).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    expect(location).to_have_attribute("href", re.compile(r"^https://www\.openstreetmap\.org/.*40\.4168"))
    expect(console.get_by_test_id("media-contact")).to_contain_text("Berta", timeout=ARRIVAL_TIMEOUT_MS)
    expect(console.get_by_test_id("media-contact")).to_contain_text("+34600111222")
    expect(console.get_by_test_id("media-poll")).to_contain_text("¿Qué prefiere?", timeout=ARRIVAL_TIMEOUT_MS)
    expect(console.get_by_test_id("media-dice")).to_contain_text("4", timeout=ARRIVAL_TIMEOUT_MS)

    console.wait_for_function("() => [...document.querySelectorAll('[data-testid=media-photo]')]"
                              ".some(img => img.complete && img.naturalWidth > 0)", timeout=ARRIVAL_TIMEOUT_MS)
    photo.click()
    lightbox = console.get_by_test_id("lightbox")
    expect(lightbox).to_be_visible()
    console.keyboard.press("Escape")
    expect(lightbox).to_be_hidden()


def test_a_customers_edit_shows_the_mark_and_the_earlier_text_and_reactions_show(desk, console):
    ana = Customer(desk)
    sent = ana.says("Quiero dos cajas")
    open_chat(console, ana)
    expect(bubbles(console, "in").filter(has_text="Quiero dos cajas")).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    ana.sends("edit", message_id=sent["message"]["message_id"], text="Quiero tres cajas")
    bubble = bubbles(console, "in").filter(has_text="Quiero tres cajas")
    expect(bubble.get_by_test_id("message-edited")).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    bubble.get_by_test_id("message-edited").click()
    expect(bubble.get_by_test_id("edit-history")).to_contain_text("Quiero dos cajas")
    expect(bubbles(console, "in")).to_have_count(1)

    answer_text = "Hecho, tres cajas"
    composer = console.get_by_test_id("composer-input")
    composer.fill(answer_text)
    composer.press("Enter")
    out = bubbles(console, "out").filter(has_text=answer_text)
    expect(out.get_by_test_id("delivery-state")).to_have_attribute("data-state", "sent", timeout=ARRIVAL_TIMEOUT_MS)
    bot_message_id = _bot_message_id(desk, ana, answer_text)
    ana.sends("reactions", message_id=bot_message_id, emoji="👍")
    expect(out.get_by_test_id("message-reactions")).to_contain_text("👍", timeout=ARRIVAL_TIMEOUT_MS)


def test_blocking_the_bot_shows_on_the_conversation_live_and_in_its_history(desk, console):
    ana = Customer(desk)
    ana.says("Adiós")
    open_chat(console, ana)
    console.get_by_test_id("customer-info-button").click()
    expect(console.get_by_test_id("side-panel")).to_be_visible()
    expect(console.get_by_test_id("customer-blocked")).to_have_count(0)
    ana.sends("block", blocked=True)
    expect(console.get_by_test_id("customer-blocked")).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    console.reload()  # the relay emits customers' messages live; the service line is in the history
    open_chat(console, ana)
    expect(console.get_by_test_id("message-service")).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)


def _bot_message_id(desk, customer: Customer, text: str) -> int:
    """The Telegram message id of the bot's message with `text`, as the customer's chat shows it."""
    def find() -> int | None:
        found = requests.get(f"{desk.standin_url}customer/api/messages", params={"user_id": customer.id},
                             timeout=10).json()["messages"]
        return next((m["message_id"] for m in found if m.get("text") == text), None)
    return wait_until(find)


def test_older_history_loads_on_scroll_up_and_jump_to_newest_comes_back(desk, console):
    ana, count = Customer(desk), 60  # more than one page (50)
    for n in range(1, count + 1):
        ana.says(f"mensaje {n}")
    expect(chat_item(console, ana).get_by_test_id("unread-badge")).to_have_text(str(count), timeout=60_000)
    open_chat(console, ana)
    expect(bubbles(console, "in").filter(has_text=f"mensaje {count}")).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    expect(bubbles(console, "in")).to_have_count(50)
    expect(console.get_by_test_id("jump-to-newest")).to_be_hidden()

    bubbles(console, "in").first.scroll_into_view_if_needed()
    expect(bubbles(console, "in")).to_have_count(count, timeout=ARRIVAL_TIMEOUT_MS)
    expect(bubbles(console, "in").first).to_contain_text("mensaje 1")
    jump = console.get_by_test_id("jump-to-newest")
    expect(jump).to_be_visible()
    jump.click()
    expect(bubbles(console, "in").filter(has_text=f"mensaje {count}")).to_be_in_viewport()
    expect(jump).to_be_hidden()
