"""The chat list: search, tabs, and the conversation actions that move a chat between tabs."""

from __future__ import annotations

import random
import re

import pytest
from console_page import ARRIVAL_TIMEOUT_MS, Customer, chat_item, open_chat, show_tab
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_search_finds_a_chat_by_name_username_and_message_text(desk, console):
    n = random.randint(10_000, 99_999)
    zoe = Customer(desk, first_name=f"Zoraida{n}", username=f"zori{n}")
    zoe.says(f"mi pedido {n} no llegó")
    Customer(desk).says("otra conversación")
    show_tab(console, "all")
    expect(chat_item(console, zoe)).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)

    console.keyboard.press("Control+k")
    search = console.get_by_test_id("chat-search")
    expect(search).to_be_focused()
    search.fill(f"zoraida{n}")
    expect(console.get_by_test_id("conversation-item")).to_have_count(1)
    expect(chat_item(console, zoe)).to_be_visible()
    search.fill(f"zori{n}")
    expect(console.get_by_test_id("conversation-item")).to_have_count(1)

    search.fill(f"pedido {n}")
    hit = console.locator(f"[data-testid=search-message-hit][data-chat-id='{zoe.id}']")
    expect(hit).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    hit.click()
    expect(console.get_by_test_id("conversation-title")).to_contain_text(zoe.first_name)


def in_tab(page, tab: str, customer: Customer) -> None:
    show_tab(page, tab)
    expect(chat_item(page, customer)).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)


def not_in_tab(page, tab: str, customer: Customer) -> None:
    show_tab(page, tab)
    expect(chat_item(page, customer)).to_have_count(0)


def test_each_tab_follows_assign_pending_resolve_and_reopen(desk, console):
    ana = Customer(desk)
    ana.says("¿Me ayudan?")
    in_tab(console, "all", ana)
    in_tab(console, "unassigned", ana)
    in_tab(console, "open", ana)
    not_in_tab(console, "mine", ana)
    not_in_tab(console, "resolved", ana)
    open_chat(console, ana)

    console.get_by_test_id("action-assign").click()
    expect(console.get_by_test_id("conversation-assignee-label")).to_contain_text("Admin")
    in_tab(console, "mine", ana)
    not_in_tab(console, "unassigned", ana)

    console.get_by_test_id("action-pending").click()
    in_tab(console, "pending", ana)
    not_in_tab(console, "open", ana)

    console.get_by_test_id("action-resolve").click()
    in_tab(console, "resolved", ana)
    expect(chat_item(console, ana)).to_have_attribute("data-status", "resolved")
    not_in_tab(console, "pending", ana)

    console.get_by_test_id("action-reopen").click()
    in_tab(console, "open", ana)
    not_in_tab(console, "resolved", ana)


def test_alt_arrows_move_between_chats(desk, console):
    first, second = Customer(desk), Customer(desk)
    first.says("uno")
    second.says("dos")
    expect(chat_item(console, first)).to_be_visible(timeout=ARRIVAL_TIMEOUT_MS)
    open_chat(console, second)
    items = console.get_by_test_id("conversation-item")
    names = items.get_by_test_id("conversation-name").all_inner_texts()
    at = names.index(second.first_name)  # the pipeline may have put either one on top
    console.keyboard.press("Alt+ArrowDown")
    expect(console.get_by_test_id("conversation-title")).to_have_text(names[at + 1])
    console.keyboard.press("Alt+ArrowUp")
    expect(console.get_by_test_id("conversation-title")).to_have_text(second.first_name)


def unread_in_title(page) -> int:
    match = re.match(r"^\((\d+)\) ", page.title())
    return int(match.group(1)) if match else 0


def test_the_tab_title_counts_unread_messages(desk, console):
    ana = Customer(desk)
    ana.says("primero")
    expect(chat_item(console, ana).get_by_test_id("unread-badge")).to_have_text("1", timeout=ARRIVAL_TIMEOUT_MS)
    before = unread_in_title(console)
    assert before >= 1
    ana.says("segundo")
    expect(chat_item(console, ana).get_by_test_id("unread-badge")).to_have_text("2", timeout=ARRIVAL_TIMEOUT_MS)
    assert unread_in_title(console) == before + 1
    open_chat(console, ana)  # read: the count drops by this chat's two
    expect(chat_item(console, ana).get_by_test_id("unread-badge")).to_have_count(0)
    assert unread_in_title(console) == before - 1
