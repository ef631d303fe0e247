"""Chaos: every process of the desk SIGKILLed in turn while customers write and agents answer.

The desk's own supervisor (`Desk.supervise`, what `make run` runs) starts each one again, as Cloud
Run and Cloud Functions would; the test only kills. Then nothing may be lost or doubled in the
store, in what a console that reconnected and refetched holds, or in what the Telegram stand-in
was asked to send. `TELEDESK_CHAOS=long` runs a longer stream that kills each process more often.
"""

from __future__ import annotations

import os
import queue
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from chaos_support import Agent, Answer, Chaos, ConsoleView, Customer, Customers, elapsed
from leaks import marked_secrets
from support import TEST_DESK_SETTINGS, wait_until

from devtools.runner.desk import Desk
from devtools.runner.emulators import Emulators
from devtools.runner.processes import free_port
from teledesk.model import DeliveryState, Direction, Message, MessageType
from teledesk.settings import Settings
from teledesk.store import Store

LONG = os.environ.get("TELEDESK_CHAOS", "").strip().lower() == "long"
CUSTOMERS = 10
MESSAGES = 5_000 if LONG else 1_000  # the customers' texts, numbered per customer
ANSWERS = 500 if LONG else 100  # the agents' answers
ROUNDS = 3 if LONG else 1  # how often each process is killed: its whole group, its leader alone, its group
TWICE_EVERY = 5  # every fifth answer is sent again with its client_id after it was taken
SETTLE_TIMEOUT_S = 900 if LONG else 120  # after the stream, for everything to be stored, shown and sent
QUIET_S = 15.0  # then nothing new for this long (past the relay's 10 s ack deadline): late repeats show up
HELD_SENDS = 3  # before deliver is killed, the stand-in holds back Telegram's answer to this many sends …
HOLD_S = 5  # … for this long: the sends are carried out, and deliver dies before it hears so
SECRETS = marked_secrets("chaos")
SECRET, PASSWORD = SECRETS["telegram_webhook_secret"], SECRETS["desk_admin_password"]
PROJECT = "teledesk-chaos"

pytestmark = [pytest.mark.integration, pytest.mark.timeout(3600 if LONG else 300)]


@pytest.fixture(scope="module")
def chaos_desk(emulators: Emulators, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """A desk of its own (its processes get killed) on a project of its own, with its supervisor."""
    settings = Settings(project_id=PROJECT, **SECRETS, desk_port=free_port(), ingest_port=free_port(),
                        standin_port=free_port(), **TEST_DESK_SETTINGS)  # a short send lease: it expires in the test
    desk = Desk(settings, log_dir=tmp_path_factory.mktemp("chaos-logs"), emulators=emulators).start()
    stop = threading.Event()
    supervisor = threading.Thread(target=desk.supervise, args=(stop,), name="supervisor", daemon=True)
    supervisor.start()
    yield desk
    stop.set()
    supervisor.join()
    desk.stop()


def logged_in(desk: Desk) -> requests.Session:
    session = requests.Session()
    answer = session.post(f"{desk.console_url}api/login", json={"username": "admin", "password": PASSWORD},
                          timeout=10)
    assert answer.status_code == 200, answer.text
    return session


def text_of(customer: int, n: int) -> str:
    return f"chaos c{customer} n{n:04d}"


def number_of(text: str) -> int:
    return int(text.rsplit(" n", 1)[1])


def slices(items: list[Any], count: int) -> list[list[Any]]:
    size = -(-len(items) // count)
    return [items[i * size:(i + 1) * size] for i in range(count)]


class Tally:
    """Lost and doubled, per place, each with when it was sent and the kills around it."""

    def __init__(self, chaos: Chaos) -> None:
        self.chaos = chaos
        self.lines: list[str] = []
        self.failures = 0

    def count(self, place: str, expected: dict[str, float], seen: Counter[str]) -> tuple[int, int]:
        """`expected`: what should be there once → when it was sent; `seen`: how often it is there."""
        lost = [item for item in expected if seen[item] == 0]
        doubled = [item for item in expected if seen[item] > 1]
        self.lines.append(f"{place}: {len(expected)} expected, {len(lost)} lost, {len(doubled)} doubled")
        for item in lost[:20]:
            self.lines.append(f"  lost {item!r}, sent at {expected[item] - self.chaos.started:.1f} s, "
                              f"{self.chaos.around(expected[item])}")
        for item in doubled[:20]:
            self.lines.append(f"  {seen[item]} times {item!r}, sent at {expected[item] - self.chaos.started:.1f} s, "
                              f"{self.chaos.around(expected[item])}")
        self.failures += len(lost) + len(doubled)
        return len(lost), len(doubled)

    def fail(self, line: str) -> None:
        self.lines.append(line)
        self.failures += 1

    def note(self, line: str) -> None:
        self.lines.append(line)

    def report(self) -> str:
        return "\n".join(self.lines)


def stored(store: Store, chat_ids: list[int]) -> dict[int, list[Message]]:
    """Every message of each chat, oldest first (by when it was stored)."""
    return {chat_id: store.messages.history(chat_id, limit=100_000) for chat_id in chat_ids}


def hold_sends(desk: Desk) -> None:
    """Have the stand-in carry out the next sends at once and answer them late, so that deliver
    can be killed mid-send: the answer reached the customer and deliver never heard so."""
    answer = requests.post(f"{desk.standin_url}standin/api/failures",
                           json={"method": "sendMessage", "delay": HOLD_S, "count": HELD_SENDS}, timeout=10)
    assert answer.status_code == 201, answer.text


def mid_send(store: Store, answers: list[Answer]) -> Callable[[], bool]:
    """Whether deliver holds a claim on one of `answers` whose send it has not recorded."""

    def sending() -> bool:
        for answer in answers:
            message = store.messages.get(answer.chat_id, f"agent-{answer.client_id}")
            delivery = message.delivery if message is not None else None
            if delivery is not None and delivery.state == DeliveryState.QUEUED and delivery.sending is not None:
                return True
        return False

    return sending


def sends(desk: Desk) -> Counter[tuple[int, str]]:
    """What the stand-in took to send (sendMessage answered ok), by chat and text."""
    calls = requests.get(f"{desk.standin_url}standin/api/calls", params={"method": "sendMessage"},
                         timeout=10).json()["calls"]
    return Counter((int(c["params"]["chat_id"]), str(c["params"]["text"])) for c in calls if c["ok"])


def test_each_process_killed_mid_stream_loses_nothing_and_doubles_nothing(chaos_desk: Desk) -> None:
    desk = chaos_desk
    started = time.monotonic()
    store = Store(PROJECT)
    customers = [Customer(random.randint(100_000_000, 999_999_999), f"Chaos{k}") for k in range(CUSTOMERS)]
    chat_ids = [c.user_id for c in customers]
    typing = Customers(desk.standin_url, customers)
    for customer in customers:
        typing.say(customer, "/start")
    wait_until(lambda: all(store.conversations.get(chat) for chat in chat_ids), timeout=60)
    console = ConsoleView(desk.console_url, logged_in(desk), chat_ids)
    console.connect()
    agent = Agent(desk.console_url, logged_in(desk))
    chaos = Chaos(desk, started)

    texts = [(customers[i % CUSTOMERS], text_of(i % CUSTOMERS, i // CUSTOMERS)) for i in range(MESSAGES)]
    answers = [Answer(chat_ids[j % CUSTOMERS], f"chaos answer {j:04d}", uuid.uuid4().hex, twice=j % TWICE_EVERY == 0)
               for j in range(ANSWERS)]
    names = [step.name for step in desk.manifest.functions] + desk.relay_names
    plan = [(name, round_ % 2 == 0) for round_ in range(ROUNDS) for name in names]  # (who, whole group)
    to_answer: queue.Queue[Answer | None] = queue.Queue()

    def answering() -> None:
        while (answer := to_answer.get()) is not None:
            agent.send(answer)

    answerer = threading.Thread(target=answering, name="agent", daemon=True)
    answerer.start()
    text_slices, answer_slices = slices(texts, len(plan) + 1), slices(answers, len(plan) + 1)
    halfway = len(plan) // 2
    for part, kill in enumerate([*plan, None]):
        busy = chaos.logging(kill[0]) if kill else None
        if kill is not None and kill[0] == "deliver":  # killed with sends out and unanswered
            hold_sends(desk)
            busy = mid_send(store, answer_slices[part])
        for customer, text in text_slices[part]:
            typing.say(customer, text)
        if part == halfway:
            for customer in customers:
                typing.say(customer, "/help")
        for answer in answer_slices[part]:
            to_answer.put(answer)
        if kill is not None and busy is not None:
            chaos.kill_when(kill[0], busy, whole_group=kill[1])
    to_answer.put(None)
    answerer.join()
    stream_s = time.monotonic() - started
    print(f"chaos: stream and kills done at {elapsed(started)}", flush=True)

    expected_texts = {text: typing.posted_at[text] for _, text in texts}
    expected_answers = {a.text: a.posted_at for a in answers}

    def settled() -> bool:
        held = stored(store, chat_ids)
        have = {m.text for messages in held.values() for m in messages}
        final = [m for messages in held.values() for m in messages if m.direction == Direction.OUT
                 and m.delivery is not None and m.delivery.state in (DeliveryState.SENT, DeliveryState.FAILED)]
        shown = {text for chat in chat_ids for text in console.texts(chat)}
        return set(expected_texts) <= have and len(final) >= ANSWERS + 2 * CUSTOMERS \
            and set(expected_texts) <= shown and set(expected_answers) <= shown

    try:
        wait_until(settled, timeout=SETTLE_TIMEOUT_S, interval=1.0)
    except AssertionError:
        print(f"chaos: not settled {SETTLE_TIMEOUT_S} s after the stream; counting what there is", flush=True)
    settled_s = time.monotonic() - started
    last: list[Any] = []

    def quiet() -> bool:
        now = (console.events(), sum(sends(desk).values()))
        still = last == [now]
        last[:] = [now]
        return still

    wait_until(quiet, timeout=SETTLE_TIMEOUT_S, interval=QUIET_S)
    console.close()

    tally = Tally(chaos)
    held = stored(store, chat_ids)
    customer_texts = Counter(m.text for messages in held.values() for m in messages
                             if m.type == MessageType.CLIENT and m.direction == Direction.IN)
    tally.count("store, customers' messages", expected_texts, customer_texts)
    for customer in customers:
        order = [number_of(m.text) for m in held[customer.user_id]
                 if m.type == MessageType.CLIENT and m.text.startswith("chaos c")]
        if order != sorted(order):
            tally.fail(f"store: chat {customer.user_id} out of order: {order}")
    outgoing = {m.text: m for messages in held.values() for m in messages if m.direction == Direction.OUT}
    answer_texts = Counter(m.text for messages in held.values() for m in messages
                           if m.type == MessageType.AGENT and m.direction == Direction.OUT)
    tally.count("store, agents' answers", expected_answers, answer_texts)

    shown = Counter[str]()
    for chat in chat_ids:
        shown.update(console.texts(chat))
    tally.count("console, customers' messages", expected_texts, shown)
    tally.count("console, agents' answers", expected_answers, shown)
    repeats = sum(n - 1 for n in console.received.values() if n > 1)
    tally.note(f"console: {console.connects} connects, {console.refetches} refetches, "
               f"{sum(console.received.values())} message events, {repeats} repeats of one it had (dropped by id)")

    sent = sends(desk)
    states: Counter[str] = Counter()  # each answer's final state/cause, and how often it was sent
    bot_states: Counter[str] = Counter()
    failed_not_shown, bot_answers = [], 0
    for answer in answers:
        message = outgoing.get(answer.text)
        state = message.delivery.state if message is not None and message.delivery is not None else "missing"
        cause = message.delivery.cause if message is not None and message.delivery is not None else None
        times = sent[(answer.chat_id, answer.text)]
        states[f"{state}/{cause}, sent {times}" if cause else f"{state}, sent {times}"] += 1
        if state == DeliveryState.SENT and times != 1:
            tally.fail(f"sends: answer {answer.text!r} sent {times} times, {chaos.around(answer.posted_at)}")
        elif state == DeliveryState.FAILED and times > 1:
            tally.fail(f"sends: failed answer {answer.text!r} sent {times} times, {chaos.around(answer.posted_at)}")
        elif state == DeliveryState.FAILED and message is not None and not console.shown_failed(answer.chat_id,
                                                                                               message.id):
            failed_not_shown.append(answer.text)
        elif state not in (DeliveryState.SENT, DeliveryState.FAILED):
            tally.fail(f"sends: answer {answer.text!r} left {state}, {chaos.around(answer.posted_at)}")
    for text in failed_not_shown:
        tally.fail(f"console: failed answer {text!r} never shown as failed")
    for chat in chat_ids:
        for message in held[chat]:
            if message.type != MessageType.BOT:
                continue
            bot_answers += 1
            times = sent[(chat, message.text)]
            state = message.delivery.state if message.delivery is not None else "missing"
            cause = message.delivery.cause if message.delivery is not None else None
            bot_states[f"{state}/{cause}, sent {times}" if cause else f"{state}, sent {times}"] += 1
            if (state == DeliveryState.SENT and times != 1) or times > 1 or state not in (
                    DeliveryState.SENT, DeliveryState.FAILED):
                tally.fail(f"sends: the bot's {message.id} {state}, sent {times} times")
    if bot_answers != 2 * CUSTOMERS:  # each customer's /start and /help
        tally.fail(f"store: {bot_answers} bot answers, not {2 * CUSTOMERS}")
    tally.note(f"answers: {dict(states)}; the bot's: {dict(bot_states)}")

    killed = Counter(k.name if k.whole_group else f"{k.name} (leader)" for k in chaos.kills)
    back = [k.back_at - k.at for k in chaos.kills]
    tally.note(f"{MESSAGES} customer messages from {CUSTOMERS} customers, {ANSWERS} answers "
               f"({ANSWERS // TWICE_EVERY} sent twice); killed {dict(killed)} "
               f"({sum(k.busy for k in chaos.kills)} of {len(chaos.kills)} busy), back after "
               f"{min(back):.1f}-{max(back):.1f} s; stream {stream_s:.0f} s, settled at {settled_s:.0f} s, "
               f"quiet at {time.monotonic() - started:.0f} s")
    print("chaos:\n" + tally.report(), flush=True)
    assert tally.failures == 0, tally.report()
