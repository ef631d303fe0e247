/*
 * The customer page's business view: play a customer of the company's Telegram Business account
 * ("Acme Support", connected to the desk's bot), and the account's owner typing in Telegram.
 *
 * The same person as the page (its user id and name, kept by chat.js); the account's chat with
 * them is another chat than theirs with the bot. Through the stand-in's business hooks
 * (/standin/api/business). Every text is put in with textContent: customer text is data.
 */
(function () {
  "use strict";

  var STORE_KEY = "devtools.standin.customer";
  var POLL_MS = 1000;
  var HOOKS = "standin/api/business/";
  var STRINGS = {
    en: { toggle: "Business account", back: "Chat with the bot", asCustomer: "Write as the customer",
          asOwner: "Write as the owner (in Telegram)", send: "Send", customer: "customer", owner: "owner",
          bot: "desk, as the account", deleted: "deleted", disabled: "the account disconnected the bot",
          needName: "Type your name first.", empty: "Write to the company's own account." },
    es: { toggle: "Cuenta de empresa", back: "Chat con el bot", asCustomer: "Escribir como cliente",
          asOwner: "Escribir como el titular (en Telegram)", send: "Enviar", customer: "cliente", owner: "titular",
          bot: "escritorio, como la cuenta", deleted: "eliminado", disabled: "la cuenta desconectó el bot",
          needName: "Escribe primero tu nombre.", empty: "Escribe a la cuenta propia de la empresa." }
  };

  var $ = function (id) { return document.getElementById(id); };
  var app = document.querySelector(".app");
  var view = $("business-view");
  var list = $("business-messages");
  var title = $("business-title");
  var notice = $("business-notice");
  var customerInput = $("business-customer-input");
  var ownerInput = $("business-owner-input");
  var timer = null;
  var shownRevision = -1;

  function text(key) {
    var language = $("customer-language").value === "es" ? "es" : "en";
    return STRINGS[language][key];
  }

  function identity() {
    var saved = {};
    try { saved = JSON.parse(window.localStorage.getItem(STORE_KEY) || "{}") || {}; } catch (ignored) { saved = {}; }
    return { user_id: saved.user_id, first_name: ($("customer-name").value || "").trim(),
             language_code: saved.language_code };
  }

  function translate() {
    $("business-toggle").textContent = view.hidden ? text("toggle") : text("back");
    $("business-customer-label").textContent = text("asCustomer");
    $("business-owner-label").textContent = text("asOwner");
    $("business-customer-send").textContent = text("send");
    $("business-owner-send").textContent = text("send");
  }

  function post(path, body) {
    return fetch(HOOKS + path, { method: "POST", headers: { "Content-Type": "application/json" },
                                 body: JSON.stringify(body) })
      .then(function (answer) {
        return answer.json().then(function (data) {
          if (!answer.ok) { throw new Error(data.error || answer.statusText); }
          return data;
        });
      });
  }

  function bubble(message) {
    var row = document.createElement("div");
    row.className = "business-bubble from-" + message.from + (message.deleted ? " deleted" : "");
    row.setAttribute("data-testid", "business-bubble");
    row.setAttribute("data-from", message.from);
    var who = document.createElement("div");
    who.className = "business-who";
    who.textContent = text(message.from) + (message.deleted ? " · " + text("deleted") : "");
    var body = document.createElement("div");
    body.className = "business-text";
    body.textContent = message.text || "[" + message.kind + "]";
    row.appendChild(who);
    row.appendChild(body);
    return row;
  }

  function draw(data) {
    var me = identity().user_id;
    var chat = (data.chats || []).filter(function (c) { return c.customer.id === me; })[0];
    title.textContent = data.account.first_name + (data.account.username ? " · @" + data.account.username : "");
    notice.hidden = data.connection.is_enabled;
    notice.textContent = text("disabled");
    var revision = chat ? chat.revision : 0;
    if (revision === shownRevision) { return; }
    shownRevision = revision;
    list.replaceChildren();
    if (!chat || chat.messages.length === 0) {
      var hint = document.createElement("p");
      hint.className = "hint";
      hint.textContent = text("empty");
      list.appendChild(hint);
      return;
    }
    chat.messages.forEach(function (message) { list.appendChild(bubble(message)); });
    list.scrollTop = list.scrollHeight;
  }

  function refresh() {
    return fetch(HOOKS + "chats").then(function (answer) { return answer.json(); }).then(draw)
      .catch(function () { /* the next poll tries again */ });
  }

  function send(as, input) {
    var words = input.value.trim();
    var me = identity();
    if (!words) { return; }
    if (!me.first_name) { window.alert(text("needName")); return; }
    var sent = as === "customer"
      ? post("messages", { user_id: me.user_id, first_name: me.first_name, language_code: me.language_code,
                           text: words })
      : post("owner", { user_id: me.user_id, text: words });
    sent.then(function () { input.value = ""; return refresh(); })
      .catch(function (error) { window.alert(error.message); });
  }

  function toggle() {
    view.hidden = !view.hidden;
    app.classList.toggle("business-mode", !view.hidden);
    translate();
    if (view.hidden) {
      window.clearInterval(timer);
      timer = null;
    } else {
      shownRevision = -1;
      refresh();
      timer = window.setInterval(refresh, POLL_MS);
    }
  }

  function onEnter(as, input) {
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); send(as, input); }
    });
  }

  $("business-toggle").addEventListener("click", toggle);
  $("business-customer-send").addEventListener("click", function () { send("customer", customerInput); });
  $("business-owner-send").addEventListener("click", function () { send("owner", ownerInput); });
  onEnter("customer", customerInput);
  onEnter("owner", ownerInput);
  $("customer-language").addEventListener("change", function () { shownRevision = -1; translate(); refresh(); });
  translate();
})();
