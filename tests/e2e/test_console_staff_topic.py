"""An answer written in the staff forum's topic arrives live in the console, as the desk's answer.

On a desk of its own with DESK_STAFF_CHAT_ID set to the stand-in's staff forum (the session desk
has none). The e2e fixtures (`console` …) use this module's desk.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from console_page import ARRIVAL_TIMEOUT_MS, Customer, bubbles, chat_item, delivered, open_chat, said
from leaks import marked_secrets
from playwright.sync_api import Page, expect
from support import TEST_DESK_SETTINGS, wait_until

from devtools.runner.desk import Desk
from devtools.runner.emulators import Emulators
from devtools.runner.processes import free_port
from devtools.standin.forum import STAFF_GROUP_ID, STAFF_MEMBERS
from teledesk.settings import Settings

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def desk_settings() -> Settings:
    return Settings(project_id="teledesk-staff-console", **marked_secrets("staff-console"), desk_port=free_port(),
                    ingest_port=free_port(), standin_port=free_port(), desk_staff_chat_id=STAFF_GROUP_ID,
                    **TEST_DESK_SETTINGS)


@pytest.fixture(scope="module")
def desk(emulators: Emulators, desk_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    running = Desk(desk_settings, log_dir=tmp_path_factory.mktemp("staff-console-logs"), emulators=emulators).start()
    yield running
    running.stop()


def topic_of(desk: Desk, customer: Customer) -> int:
    """The customer's topic in the staff forum, once the desk made it."""
    def found() -> int | None:
        forum = requests.get(f"{desk.standin_url}standin/api/forum", timeout=10).json()
        named = [t for t in forum["topics"] if t["name"].endswith(customer.first_name) and not t["deleted"]]
        return named[0]["message_thread_id"] if named else None

    return int(wait_until(found, timeout=ARRIVAL_TIMEOUT_MS / 1000))


def test_an_answer_from_the_staff_topic_arrives_live_in_the_console(desk: Desk, console: Page):
    customer = Customer(desk)
    customer.says("¿Me ayudáis con el pedido?")
    open_chat(console, customer)
    staff = STAFF_MEMBERS[1]
    written = requests.post(f"{desk.standin_url}standin/api/forum/messages", timeout=10, json={
        "from": staff["id"], "message_thread_id": topic_of(desk, customer), "text": "Sí, dame el número de pedido"})
    assert written.status_code == 201, written.text
    bubble = bubbles(console, "out").filter(has_text="Sí, dame el número de pedido")
    expect(bubble).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    expect(bubble).to_contain_text("Ben Okafor")
    delivered(bubble)


def test_on_the_stand_in_s_page_a_person_plays_a_staff_member(desk: Desk, new_page):
    name = "Lucía <b>Forum</b>"  # shown as typed: text is data on the page too
    page = new_page()
    page.goto(desk.standin_url)
    page.get_by_test_id("customer-name").fill(name)
    page.get_by_test_id("customer-input").fill("¿Hacéis envíos a Lima?")
    page.get_by_test_id("customer-input").press("Enter")
    page.get_by_test_id("forum-toggle").click()
    topic = page.get_by_test_id("forum-topic").filter(has_text=name)
    expect(topic).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    topic.click()
    messages = page.get_by_test_id("forum-messages")
    expect(messages).to_contain_text(f"👤 {name}: ¿Hacéis envíos a Lima?", timeout=ARRIVAL_TIMEOUT_MS)
    page.get_by_test_id("forum-who").select_option(str(STAFF_MEMBERS[1]["id"]))
    page.get_by_test_id("forum-input").fill("Sí, en 3 días")
    page.get_by_test_id("forum-input").press("Enter")
    expect(messages).to_contain_text("Ben Okafor")
    answer = page.locator("[data-testid=customer-bubble][data-from=bot]").filter(has_text="Sí, en 3 días")
    expect(answer).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    page.get_by_test_id("forum-delete").click()
    expect(page.get_by_test_id("forum-topic").filter(has_text=name)).to_have_count(0, timeout=ARRIVAL_TIMEOUT_MS)


def test_an_admin_links_an_agent_s_telegram_account_on_the_team_page(desk: Desk, console: Page):
    console.get_by_test_id("admin-button").click()
    row = console.locator("[data-testid=agent-row][data-username='admin']")
    row.get_by_test_id("agent-telegram").click()
    row.get_by_test_id("agent-telegram-id").fill(str(STAFF_MEMBERS[0]["id"]))
    row.get_by_test_id("agent-telegram-submit").click()
    expect(row).to_contain_text(f"Telegram {STAFF_MEMBERS[0]['id']}")
    # What that account writes in a topic is now the admin's.
    customer = Customer(desk)
    customer.says("Hola")
    written = requests.post(f"{desk.standin_url}standin/api/forum/messages", timeout=10, json={
        "from": STAFF_MEMBERS[0]["id"], "message_thread_id": topic_of(desk, customer), "text": "Soy la admin"})
    assert written.status_code == 201, written.text
    console.get_by_test_id("admin-close").click()
    # The list says "You:": the answer is the signed-in admin's, though written in Telegram.
    preview = chat_item(console, customer).get_by_test_id("conversation-preview")
    expect(preview).to_have_text(f"{said('en', 'list', 'chat.youPrefix')} Soy la admin", timeout=ARRIVAL_TIMEOUT_MS)
