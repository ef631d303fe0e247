/*
 * The stand-in's customer page: play a Telegram user talking to the desk's bot.
 *
 * Every text that came from a person (customer or agent) is put into the page with
 * textContent or createTextNode only, never parsed as markup: customer text is data.
 */
(function () {
  "use strict";

  var STORE_KEY = "teledesk.standin.customer";
  var POLL_MS = 1000;

  var STRINGS = {
    en: {
      bot: "bot", typing: "typing…", yourName: "Your name", namePlaceholder: "e.g. Ana",
      block: "Block bot", unblock: "Unblock", newCustomer: "New customer",
      blockedNotice: "You blocked the bot.", messagePlaceholder: "Message", send: "Send",
      emptyHint: "Say hello: an agent answers from the desk.",
      needName: "Type your name first.", notSent: "Not sent", writeFirst: "Write to the bot first.",
      confirmNew: "Start over as a new customer?", offline: "The stand-in is not answering."
    },
    es: {
      bot: "bot", typing: "escribiendo…", yourName: "Tu nombre", namePlaceholder: "p. ej. Ana",
      block: "Bloquear bot", unblock: "Desbloquear", newCustomer: "Nuevo cliente",
      blockedNotice: "Has bloqueado al bot.", messagePlaceholder: "Mensaje", send: "Enviar",
      emptyHint: "Saluda: un agente responde desde el escritorio.",
      needName: "Escribe primero tu nombre.", notSent: "No enviado", writeFirst: "Escribe primero al bot.",
      confirmNew: "¿Empezar de nuevo como otro cliente?", offline: "El sustituto de Telegram no responde."
    }
  };
  var language = (navigator.language || "en").toLowerCase();
  var languageCode = language.split("-")[0];
  var T = STRINGS[languageCode] || STRINGS.en;

  var $ = function (id) { return document.getElementById(id); };
  var nameInput = $("customer-name");
  var input = $("customer-input");
  var sendButton = $("customer-send");
  var list = $("messages");
  var hint = $("empty-hint");
  var status = $("bot-status");
  var blockedBar = $("blocked-bar");
  var blockToggle = $("block-toggle");
  var toast = $("toast");

  var rendered = new Map(); // message_id -> row element
  var pending = []; // rows of sent messages not yet numbered by the server
  var lastId = 0;
  var blocked = false;
  var pollTimer = null;

  // --- identity ---------------------------------------------------------------------------

  function newUserId() {
    var buffer = new Uint32Array(1);
    window.crypto.getRandomValues(buffer);
    return 100000000 + (buffer[0] % 900000000);
  }

  function loadIdentity() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(STORE_KEY) || "null");
      if (saved && Number.isInteger(saved.user_id) && saved.user_id >= 100000000 && saved.user_id <= 999999999) {
        return { user_id: saved.user_id, first_name: typeof saved.first_name === "string" ? saved.first_name : "" };
      }
    } catch (ignored) { /* a broken entry just means a new customer */ }
    return { user_id: newUserId(), first_name: "" };
  }

  var identity = loadIdentity();
  function saveIdentity() { window.localStorage.setItem(STORE_KEY, JSON.stringify(identity)); }
  saveIdentity();

  // --- i18n ---------------------------------------------------------------------------------

  function translate() {
    document.documentElement.lang = STRINGS[languageCode] ? languageCode : "en";
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = T[el.dataset.i18n]; });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (el) {
      el.placeholder = T[el.dataset.i18nPlaceholder];
    });
    document.querySelectorAll("[data-i18n-label]").forEach(function (el) {
      el.setAttribute("aria-label", T[el.dataset.i18nLabel]);
    });
  }

  // --- rendering ----------------------------------------------------------------------------

  function showToast(text) {
    toast.textContent = text;
    toast.hidden = false;
    window.clearTimeout(showToast.timer);
    showToast.timer = window.setTimeout(function () { toast.hidden = true; }, 2500);
  }

  function clock(date) {
    var when = date ? new Date(date * 1000) : new Date();
    return when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function safeUrl(url) {
    return typeof url === "string" && /^(https?:\/\/|tg:\/\/)/i.test(url) ? url : null;
  }

  /* Text with Telegram entities (bold, links...). Offsets are UTF-16 units, as JS strings are. */
  function renderText(container, text, entities) {
    if (!entities || !entities.length) {
      container.appendChild(document.createTextNode(text));
      return;
    }
    var cuts = [0, text.length];
    entities.forEach(function (e) { cuts.push(e.offset, e.offset + e.length); });
    cuts = Array.from(new Set(cuts)).filter(function (c) { return c >= 0 && c <= text.length; })
      .sort(function (a, b) { return a - b; });
    for (var i = 0; i < cuts.length - 1; i++) {
      var start = cuts[i], end = cuts[i + 1];
      var active = entities.filter(function (e) { return e.offset <= start && e.offset + e.length >= end; });
      var node = document.createTextNode(text.slice(start, end));
      active.forEach(function (e) {
        var wrapper;
        var href = e.type === "text_link" ? safeUrl(e.url) : null;
        if (href) {
          wrapper = document.createElement("a");
          wrapper.href = href;
          wrapper.target = "_blank";
          wrapper.rel = "noopener noreferrer";
        } else {
          wrapper = document.createElement("span");
          wrapper.className = "e-" + String(e.type).replace(/[^a-z_]/g, "");
          if (e.type === "spoiler") {
            wrapper.addEventListener("click", function () { this.classList.add("revealed"); });
          }
        }
        wrapper.appendChild(node);
        node = wrapper;
      });
      container.appendChild(node);
    }
  }

  function keyboard(message) {
    var rows = message.reply_markup && message.reply_markup.inline_keyboard;
    if (!Array.isArray(rows) || !rows.length) { return null; }
    var board = document.createElement("div");
    board.className = "keyboard";
    rows.forEach(function (row) {
      var line = document.createElement("div");
      line.className = "keyboard-row";
      (Array.isArray(row) ? row : []).forEach(function (button) {
        var href = safeUrl(button.url);
        var el;
        if (href) {
          el = document.createElement("a");
          el.href = href;
          el.target = "_blank";
          el.rel = "noopener noreferrer";
        } else {
          el = document.createElement("button");
          el.type = "button";
          if (typeof button.callback_data === "string") {
            el.addEventListener("click", function () { press(message.message_id, button.callback_data, el); });
          } else {
            el.disabled = true;
          }
        }
        el.textContent = String(button.text || "");
        el.dataset.testid = "customer-button";
        line.appendChild(el);
      });
      board.appendChild(line);
    });
    return board;
  }

  function buildRow(message) {
    var row = document.createElement("div");
    row.className = "row " + message.from;
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.dataset.testid = "customer-bubble";
    bubble.dataset.from = message.from;
    // The quoted message and the time are drawn by CSS from data attributes, so a bubble's
    // textContent is exactly the message text (what browser tests compare).
    if (message.reply_to_message_id && rendered.has(message.reply_to_message_id)) {
      bubble.dataset.quote = rendered.get(message.reply_to_message_id).dataset.text || "";
    }
    bubble.dataset.time = clock(message.date);
    renderText(bubble, message.text || "", message.entities);
    row.appendChild(bubble);
    var board = message.from === "bot" ? keyboard(message) : null;
    if (board) { row.appendChild(board); }
    row.dataset.text = message.text || "";
    return row;
  }

  function stickToBottom(action) {
    var atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    action();
    if (atBottom) { list.scrollTop = list.scrollHeight; }
  }

  /* Keep rows in message_id order even when a poll and a send answer race. */
  function place(row, messageId) {
    var before = null;
    rendered.forEach(function (other, id) {
      if (id > messageId && (!before || Number(before.dataset.messageId) > id)) { before = other; }
    });
    row.dataset.messageId = String(messageId);
    list.insertBefore(row, before);
    rendered.set(messageId, row);
    lastId = Math.max(lastId, messageId);
  }

  function numbered(row, message) {
    var bubble = row.querySelector(".bubble");
    bubble.classList.remove("pending");
    bubble.dataset.time = clock(message.date);
    pending = pending.filter(function (r) { return r !== row; });
    if (!rendered.has(message.message_id)) {
      row.remove();
      place(row, message.message_id);
    }
  }

  function show(message) {
    if (rendered.has(message.message_id)) { return; }
    hint.hidden = true;
    // Our own message may come back from a poll before the send call answered: adopt its row.
    var mine = message.from === "customer" && pending.find(function (r) { return r.dataset.text === message.text; });
    stickToBottom(function () {
      if (mine) { numbered(mine, message); } else { place(buildRow(message), message.message_id); }
    });
  }

  function setBlocked(value) {
    blocked = value;
    blockedBar.hidden = !value;
    input.disabled = value;
    sendButton.disabled = value;
    blockToggle.textContent = value ? T.unblock : T.block;
  }

  function setAction(action) {
    status.textContent = action ? T.typing : T.bot;
    status.classList.toggle("typing", Boolean(action));
  }

  // --- talking to the stand-in ----------------------------------------------------------------

  function api(method, path, body) {
    return fetch(path, {
      method: method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.error || String(response.status));
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }

  function currentName() {
    var name = nameInput.value.trim();
    if (!name) {
      nameInput.classList.add("attention");
      nameInput.focus();
      showToast(T.needName);
      return null;
    }
    nameInput.classList.remove("attention");
    if (name !== identity.first_name) {
      identity.first_name = name;
      saveIdentity();
    }
    return name;
  }

  function send() {
    var text = input.value.trim();
    if (!text || blocked) { return; }
    var name = currentName();
    if (!name) { return; }
    input.value = "";
    autosize();
    hint.hidden = true;
    var row = buildRow({ from: "customer", text: text });
    row.querySelector(".bubble").classList.add("pending");
    pending.push(row);
    stickToBottom(function () { list.appendChild(row); });
    list.scrollTop = list.scrollHeight;
    api("POST", "customer/api/messages", {
      user_id: identity.user_id, first_name: name, language_code: languageCode, text: text
    }).then(function (data) {
      numbered(row, data.message);
    }).catch(function (error) {
      pending = pending.filter(function (r) { return r !== row; });
      var bubble = row.querySelector(".bubble");
      bubble.classList.remove("pending");
      bubble.classList.add("failed");
      bubble.title = error.message;
      bubble.dataset.time = T.notSent;
    });
    input.focus();
  }

  function press(messageId, data, button) {
    button.classList.add("pressed");
    api("POST", "customer/api/callbacks", { user_id: identity.user_id, message_id: messageId, data: data })
      .catch(function (error) { showToast(error.message); })
      .then(function () { window.setTimeout(function () { button.classList.remove("pressed"); }, 400); });
  }

  function toggleBlock() {
    api("POST", "customer/api/block", { user_id: identity.user_id, blocked: !blocked })
      .then(function (data) { setBlocked(data.blocked); })
      .catch(function (error) { showToast(error.status === 404 ? T.writeFirst : error.message); });
  }

  function poll() {
    var url = "customer/api/messages?user_id=" + identity.user_id + "&after=" + lastId;
    api("GET", url).then(function (data) {
      (data.messages || []).forEach(show);
      setBlocked(Boolean(data.blocked));
      setAction(data.action);
    }).catch(function () {
      setAction(null);
      status.textContent = T.offline;
    }).then(function () {
      pollTimer = window.setTimeout(poll, POLL_MS);
    });
  }

  function loadBot() {
    api("GET", "customer/api/bot").then(function (bot) {
      $("bot-name").textContent = bot.first_name;
      $("bot-avatar").textContent = (bot.first_name || "B").charAt(0).toUpperCase();
      document.title = bot.first_name + " · Telegram stand-in";
    }).catch(function () { /* the header keeps its default */ });
  }

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 160) + "px";
  }

  // --- wiring -----------------------------------------------------------------------------------

  translate();
  nameInput.value = identity.first_name;
  nameInput.addEventListener("change", currentName);
  nameInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); input.focus(); }
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  input.addEventListener("input", autosize);
  sendButton.addEventListener("click", send);
  blockToggle.addEventListener("click", toggleBlock);
  $("unblock").addEventListener("click", toggleBlock);
  $("new-customer").addEventListener("click", function () {
    if (window.confirm(T.confirmNew)) {
      window.localStorage.removeItem(STORE_KEY);
      window.clearTimeout(pollTimer);
      window.location.reload();
    }
  });
  loadBot();
  poll();
  (identity.first_name ? input : nameInput).focus();
})();
