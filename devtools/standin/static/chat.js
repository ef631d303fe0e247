/*
 * The stand-in's customer page: play a Telegram user talking to the desk's bot.
 *
 * Every text that came from a person (customer or agent) is put into the page with
 * textContent or createTextNode only, never parsed as markup: customer text is data.
 * Files are shown from the stand-in's own file route (customer/api/files/...), nothing else.
 */
(function () {
  "use strict";

  var STORE_KEY = "devtools.standin.customer";
  var POLL_MS = 1000;
  var REACTIONS = ["👍", "❤", "🔥", "🎉", "😁", "😢", "👎", "🙏"];
  var START_PAYLOAD = /^[A-Za-z0-9_-]{1,64}$/;

  var STRINGS = {
    en: {
      bot: "bot", typing: "typing…", sendingPhoto: "sending a photo…", sendingFile: "sending a file…",
      sendingVideo: "sending a video…", recordingVoice: "recording a voice message…",
      yourName: "Your name", namePlaceholder: "e.g. Ana", language: "Language", profilePhoto: "Profile photo",
      block: "Block bot", unblock: "Unblock", newCustomer: "New customer",
      blockedNotice: "You blocked the bot.", messagePlaceholder: "Message", send: "Send", cancel: "Cancel",
      emptyHint: "Say hello: an agent answers from the desk.",
      needName: "Type your name first.", notSent: "Not sent", writeFirst: "Write to the bot first.",
      confirmNew: "Start over as a new customer?", offline: "The stand-in is not answering.",
      replyingTo: "Reply to", forwardFrom: "Forwarded from", forwardPlaceholder: "name of the original author",
      editing: "Edit", editHint: "Enter saves · Esc cancels", nothingToEdit: "You have no message to edit.",
      pollQuestion: "Question", pollOptions: "One option per line", sendPoll: "Send poll",
      attach: "Photo, document, voice or video (several photos: an album)", asFile: "as file",
      asFileHint: "Send images as files", location: "Send a location", contact: "Share your contact",
      dice: "Throw a dice", sticker: "Send a sticker", poll: "Create a poll", editLast: "Edit your last message",
      forward: "Send as forwarded from someone else", reply: "Reply", react: "React", edited: "edited",
      forwarded: "Forwarded from", photo: "Photo", video: "Video", voice: "Voice message", audio: "Audio",
      document: "File", animation: "GIF", sticker_: "Sticker", location_: "Location", contact_: "Contact",
      dice_: "Dice", poll_: "Poll", attachShort: "File", locationShort: "Location", contactShort: "Contact",
      diceShort: "Dice", stickerShort: "Sticker", pollShort: "Poll", editShort: "Edit last", forwardShort: "Forward"
    },
    es: {
      bot: "bot", typing: "escribiendo…", sendingPhoto: "enviando una foto…", sendingFile: "enviando un archivo…",
      sendingVideo: "enviando un vídeo…", recordingVoice: "grabando un audio…",
      yourName: "Tu nombre", namePlaceholder: "p. ej. Ana", language: "Idioma", profilePhoto: "Foto de perfil",
      block: "Bloquear bot", unblock: "Desbloquear", newCustomer: "Nuevo cliente",
      blockedNotice: "Has bloqueado al bot.", messagePlaceholder: "Mensaje", send: "Enviar", cancel: "Cancelar",
      emptyHint: "Saluda: un agente responde desde el escritorio.",
      needName: "Escribe primero tu nombre.", notSent: "No enviado", writeFirst: "Escribe primero al bot.",
      confirmNew: "¿Empezar de nuevo como otro cliente?", offline: "El sustituto de Telegram no responde.",
      replyingTo: "Respondiendo a", forwardFrom: "Reenviado de", forwardPlaceholder: "nombre del autor original",
      editing: "Editar", editHint: "Intro guarda · Esc cancela", nothingToEdit: "No tienes mensajes que editar.",
      pollQuestion: "Pregunta", pollOptions: "Una opción por línea", sendPoll: "Enviar encuesta",
      attach: "Foto, documento, audio o vídeo (varias fotos: un álbum)", asFile: "como archivo",
      asFileHint: "Enviar imágenes como archivos", location: "Enviar una ubicación", contact: "Compartir tu contacto",
      dice: "Tirar un dado", sticker: "Enviar un sticker", poll: "Crear una encuesta",
      editLast: "Editar tu último mensaje", forward: "Enviar como reenviado de otra persona", reply: "Responder",
      react: "Reaccionar", edited: "editado", forwarded: "Reenviado de", photo: "Foto", video: "Vídeo",
      voice: "Mensaje de voz", audio: "Audio", document: "Archivo", animation: "GIF", sticker_: "Sticker",
      location_: "Ubicación", contact_: "Contacto", dice_: "Dado", poll_: "Encuesta", attachShort: "Archivo",
      locationShort: "Ubicación", contactShort: "Contacto", diceShort: "Dado", stickerShort: "Sticker",
      pollShort: "Encuesta", editShort: "Editar último", forwardShort: "Reenviar"
    }
  };

  var $ = function (id) { return document.getElementById(id); };
  var nameInput = $("customer-name");
  var languageSelect = $("customer-language");
  var avatarToggle = $("customer-avatar");
  var input = $("customer-input");
  var sendButton = $("customer-send");
  var list = $("messages");
  var hint = $("empty-hint");
  var status = $("bot-status");
  var blockedBar = $("blocked-bar");
  var blockToggle = $("block-toggle");
  var toast = $("toast");
  var attach = $("customer-attach");
  var asFile = $("as-file");
  var replyBar = $("reply-bar");
  var forwardBar = $("forward-bar");
  var forwardName = $("forward-name");
  var editBar = $("edit-bar");
  var editInput = $("edit-input");
  var pollForm = $("poll-form");

  var rendered = new Map(); // message_id -> row element
  var items = new Map(); // message_id -> the page item it was drawn from
  var pending = []; // rows of sent texts not yet numbered by the server
  var revision = 0;
  var blocked = false;
  var pollTimer = null;
  var replyTo = null; // message_id the next message answers
  var editing = null; // message_id being edited
  var queue = Promise.resolve(); // customer actions go out one after another, in order

  // --- identity ---------------------------------------------------------------------------

  function newUserId() {
    var buffer = new Uint32Array(1);
    window.crypto.getRandomValues(buffer);
    return 100000000 + (buffer[0] % 900000000);
  }

  function defaultLanguage() {
    return (navigator.language || "en").toLowerCase().split("-")[0] === "es" ? "es" : "en";
  }

  function loadIdentity() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(STORE_KEY) || "null");
      if (saved && Number.isInteger(saved.user_id) && saved.user_id >= 100000000 && saved.user_id <= 999999999) {
        return {
          user_id: saved.user_id,
          first_name: typeof saved.first_name === "string" ? saved.first_name : "",
          language_code: saved.language_code === "es" || saved.language_code === "en" ? saved.language_code
            : defaultLanguage(),
          avatar: saved.avatar !== false
        };
      }
    } catch (ignored) { /* a broken entry just means a new customer */ }
    return { user_id: newUserId(), first_name: "", language_code: defaultLanguage(), avatar: true };
  }

  var identity = loadIdentity();
  function saveIdentity() { window.localStorage.setItem(STORE_KEY, JSON.stringify(identity)); }
  saveIdentity();
  var T = STRINGS[identity.language_code] || STRINGS.en;

  /* The Telegram user every action speaks for (the language goes in `from.language_code`). */
  function who(extra) {
    var body = { user_id: identity.user_id, first_name: identity.first_name, language_code: identity.language_code };
    Object.keys(extra || {}).forEach(function (key) { body[key] = extra[key]; });
    return body;
  }

  // --- i18n ---------------------------------------------------------------------------------

  function translate() {
    T = STRINGS[identity.language_code] || STRINGS.en;
    document.documentElement.lang = identity.language_code;
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = T[el.dataset.i18n]; });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (el) {
      el.placeholder = T[el.dataset.i18nPlaceholder];
    });
    document.querySelectorAll("[data-i18n-label]").forEach(function (el) {
      el.setAttribute("aria-label", T[el.dataset.i18nLabel]);
    });
    document.querySelectorAll("[data-i18n-title]").forEach(function (el) { el.title = T[el.dataset.i18nTitle]; });
    blockToggle.textContent = blocked ? T.unblock : T.block;
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

  /* Only the stand-in's own file route: a message can never point the page anywhere else. */
  function fileUrl(file) {
    return file && typeof file.url === "string" && /^customer\/api\/files\/[A-Za-z0-9_%.-]+$/.test(file.url)
      ? file.url : null;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function sizeLabel(bytes) {
    if (typeof bytes !== "number") { return ""; }
    if (bytes < 1024) { return bytes + " B"; }
    if (bytes < 1048576) { return (bytes / 1024).toFixed(1) + " KB"; }
    return (bytes / 1048576).toFixed(1) + " MB";
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

  /* The non-text part of a message: a picture, a player, a file link, a place, a card... */
  function renderContent(message) {
    var file = message.file || {};
    var url = fileUrl(message.file);
    var kind = message.kind;
    var box = el("div", "content content-" + String(kind).replace(/[^a-z_]/g, ""));
    if ((kind === "photo" || kind === "sticker") && url) {
      var img = document.createElement("img");
      img.src = url;
      img.alt = kind === "sticker" ? String(file.emoji || T.sticker_) : T.photo;
      img.className = kind === "sticker" ? "sticker" : "photo";
      if (file.width && file.height) { img.width = file.width; img.height = file.height; }
      img.addEventListener("click", function () { window.open(url, "_blank", "noopener"); });
      box.appendChild(img);
    } else if ((kind === "video" || kind === "animation") && url) {
      if (file.mime_type === "image/gif") {
        var gif = document.createElement("img");
        gif.src = url;
        gif.alt = T.animation;
        gif.className = "photo";
        box.appendChild(gif);
      } else {
        var video = document.createElement("video");
        video.src = url;
        video.controls = kind === "video";
        video.autoplay = video.loop = video.muted = kind === "animation";
        video.playsInline = true;
        video.className = "photo";
        box.appendChild(video);
      }
    } else if ((kind === "voice" || kind === "audio") && url) {
      var audio = document.createElement("audio");
      audio.src = url;
      audio.controls = true;
      audio.preload = "metadata";
      box.appendChild(audio);
    } else if (kind === "document" && url) {
      var link = el("a", "file", "📄 " + (file.file_name || T.document));
      link.href = url;
      link.download = file.file_name || "";
      box.appendChild(link);
      box.appendChild(el("span", "file-size", sizeLabel(file.file_size)));
    } else if (kind === "location" && message.location) {
      var lat = Number(message.location.latitude), lon = Number(message.location.longitude);
      var map = el("a", "place", "📍 " + lat.toFixed(5) + ", " + lon.toFixed(5));
      map.href = "https://www.openstreetmap.org/?mlat=" + lat + "&mlon=" + lon + "#map=16/" + lat + "/" + lon;
      map.target = "_blank";
      map.rel = "noopener noreferrer";
      box.appendChild(map);
    } else if (kind === "contact" && message.contact) {
      var card = message.contact;
      box.appendChild(el("div", "card-name", "👤 " + [card.first_name, card.last_name].filter(Boolean).join(" ")));
      box.appendChild(el("div", "card-phone", card.phone_number));
    } else if (kind === "dice" && message.dice) {
      box.appendChild(el("span", "dice-emoji", message.dice.emoji));
      box.appendChild(el("span", "dice-value", message.dice.value));
    } else if (kind === "poll" && message.poll) {
      box.appendChild(el("div", "poll-question", "📊 " + message.poll.question));
      var options = el("ul", "poll-options");
      (message.poll.options || []).forEach(function (option) { options.appendChild(el("li", "", option.text)); });
      box.appendChild(options);
    } else {
      return null;
    }
    return box;
  }

  function quoteOf(messageId) {
    var item = items.get(messageId);
    if (!item) { return ""; }
    return item.text || T[item.kind] || T[item.kind + "_"] || "";
  }

  function keyboard(message) {
    var rows = message.reply_markup && message.reply_markup.inline_keyboard;
    if (!Array.isArray(rows) || !rows.length) { return null; }
    var board = el("div", "keyboard");
    rows.forEach(function (row) {
      var line = el("div", "keyboard-row");
      (Array.isArray(row) ? row : []).forEach(function (button) {
        var href = safeUrl(button.url);
        var node;
        if (href) {
          node = document.createElement("a");
          node.href = href;
          node.target = "_blank";
          node.rel = "noopener noreferrer";
        } else {
          node = document.createElement("button");
          node.type = "button";
          if (typeof button.callback_data === "string") {
            node.addEventListener("click", function () { press(message.message_id, button.callback_data, node); });
          } else {
            node.disabled = true;
          }
        }
        node.textContent = String(button.text || "");
        node.dataset.testid = "customer-button";
        line.appendChild(node);
      });
      board.appendChild(line);
    });
    return board;
  }

  /* Reply (any message) and react (the bot's): small buttons beside the bubble, not inside it. */
  function actions(message) {
    var bar = el("div", "actions");
    var reply = el("button", "action", "↩");
    reply.type = "button";
    reply.title = T.reply;
    reply.dataset.testid = "customer-reply";
    reply.addEventListener("click", function () { startReply(message.message_id); });
    bar.appendChild(reply);
    if (message.from === "bot") {
      var react = el("button", "action", "☺");
      react.type = "button";
      react.title = T.react;
      react.dataset.testid = "customer-react";
      var menu = el("div", "react-menu");
      menu.hidden = true;
      REACTIONS.forEach(function (emoji) {
        var option = el("button", "react-option", emoji);
        option.type = "button";
        option.dataset.emoji = emoji;
        option.dataset.testid = "customer-react-option";
        option.addEventListener("click", function () {
          menu.hidden = true;
          bar.classList.remove("open");
          reactTo(message.message_id, emoji);
        });
        menu.appendChild(option);
      });
      react.addEventListener("click", function () {
        menu.hidden = !menu.hidden;
        bar.classList.toggle("open", !menu.hidden);
      });
      bar.appendChild(react);
      bar.appendChild(menu);
    }
    return bar;
  }

  function buildRow(message) {
    var row = el("div", "row " + message.from);
    var bubble = el("div", "bubble");
    bubble.dataset.testid = "customer-bubble";
    bubble.dataset.from = message.from;
    bubble.dataset.kind = message.kind || "text";
    if (message.edit_date) { bubble.dataset.edited = "true"; }
    // The quoted message, the forward header and the time are drawn by CSS from data attributes,
    // so a text bubble's textContent is exactly the message text (what browser tests compare).
    if (message.reply_to_message_id) { bubble.dataset.quote = quoteOf(message.reply_to_message_id) || "…"; }
    if (message.forward_from) { bubble.dataset.forward = T.forwarded + " " + message.forward_from; }
    bubble.dataset.time = (message.edit_date ? T.edited + " " : "") + clock(message.date);
    var content = message.kind && message.kind !== "text" ? renderContent(message) : null;
    if (content) {
      bubble.appendChild(content);
      bubble.classList.add("has-content");
    }
    if (message.text) {
      var text = content ? el("div", "caption") : bubble;
      renderText(text, message.text, message.entities);
      if (content) { bubble.appendChild(text); }
    }
    row.appendChild(bubble);
    if (Array.isArray(message.reaction) && message.reaction.length) {
      var chip = el("div", "reaction", message.reaction.join(" "));
      chip.dataset.testid = "customer-reaction";
      row.appendChild(chip);
    }
    var board = message.from === "bot" ? keyboard(message) : null;
    if (board) { row.appendChild(board); }
    if (message.message_id) { row.appendChild(actions(message)); }
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
  }

  function show(message) {
    hint.hidden = true;
    items.set(message.message_id, message);
    var known = rendered.get(message.message_id);
    if (known) { // edited, reacted to: draw it again in place
      var fresh = buildRow(message);
      fresh.dataset.messageId = String(message.message_id);
      known.replaceWith(fresh);
      rendered.set(message.message_id, fresh);
      return;
    }
    // Our own text may come back from a poll before the send call answered: drop the draft row.
    var mine = message.from === "customer" && message.kind === "text" &&
      pending.find(function (r) { return r.dataset.text === message.text; });
    stickToBottom(function () {
      if (mine) {
        pending = pending.filter(function (r) { return r !== mine; });
        mine.remove();
      }
      place(buildRow(message), message.message_id);
    });
  }

  function forget(messageId) {
    var row = rendered.get(messageId);
    if (row) { row.remove(); }
    rendered.delete(messageId);
    items.delete(messageId);
    if (replyTo === messageId) { cancelReply(); }
  }

  function setBlocked(value) {
    blocked = value;
    blockedBar.hidden = !value;
    input.disabled = value;
    sendButton.disabled = value;
    blockToggle.textContent = value ? T.unblock : T.block;
  }

  function setAction(action) {
    var labels = {
      upload_photo: T.sendingPhoto, upload_document: T.sendingFile, upload_video: T.sendingVideo,
      record_video: T.sendingVideo, record_voice: T.recordingVoice, upload_voice: T.recordingVoice
    };
    status.textContent = action ? (labels[action] || T.typing) : T.bot;
    status.classList.toggle("typing", Boolean(action));
    status.dataset.action = action || "";
  }

  // --- talking to the stand-in ----------------------------------------------------------------

  function api(method, path, body) {
    var form = typeof FormData !== "undefined" && body instanceof FormData;
    return fetch(path, {
      method: method,
      headers: body && !form ? { "Content-Type": "application/json" } : {},
      body: body ? (form ? body : JSON.stringify(body)) : undefined
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

  /* Run customer actions strictly one after another, so Telegram sees them in the order made. */
  function enqueue(work) {
    var next = queue.then(work);
    queue = next.catch(function () { /* the action reported its own error */ });
    return next;
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

  function reported(error) {
    showToast(error.status === 404 && /written/.test(error.message) ? T.writeFirst : error.message);
    pollNow();
  }

  /* A text message: drawn at once as a draft, numbered when the stand-in answers. */
  function sendText(text, extra) {
    hint.hidden = true;
    var row = buildRow({ from: "customer", kind: "text", text: text, forward_from: extra.forward_from &&
      extra.forward_from.first_name });
    row.querySelector(".bubble").classList.add("pending");
    pending.push(row);
    stickToBottom(function () { list.appendChild(row); });
    list.scrollTop = list.scrollHeight;
    return enqueue(function () {
      return api("POST", "customer/api/messages", who(Object.assign({ text: text }, extra)));
    }).then(function (data) {
      if (pending.indexOf(row) >= 0) {
        pending = pending.filter(function (r) { return r !== row; });
        row.remove();
      }
      if (data.message) { show(toItem(data.message)); }
    }).catch(function (error) {
      pending = pending.filter(function (r) { return r !== row; });
      var bubble = row.querySelector(".bubble");
      bubble.classList.remove("pending");
      bubble.classList.add("failed");
      bubble.title = error.message;
      bubble.dataset.time = T.notSent;
    });
  }

  /* A message the stand-in answered with, drawn as the history route would describe it. */
  function toItem(message) {
    return {
      from: "customer", message_id: message.message_id, kind: "text", text: message.text || "",
      date: message.date, entities: message.entities,
      reply_to_message_id: message.reply_to_message && message.reply_to_message.message_id,
      forward_from: message.forward_origin && (message.forward_origin.sender_user
        ? message.forward_origin.sender_user.first_name : message.forward_origin.sender_user_name)
    };
  }

  function replyExtra() {
    var extra = {};
    if (replyTo) { extra.reply_to_message_id = replyTo; }
    return extra;
  }

  function send() {
    var text = input.value.trim();
    if (!text || blocked) { return; }
    if (!currentName()) { return; }
    flushStart();
    var extra = replyExtra();
    var from = forwardName.value.trim();
    if (!forwardBar.hidden && from) { extra.forward_from = { first_name: from }; }
    input.value = "";
    autosize();
    cancelReply();
    closeForward();
    sendText(text, extra);
    input.focus();
  }

  /* Any other kind of message (location, contact, dice, sticker, poll): then redraw from a poll. */
  function sendOther(route, body) {
    if (blocked || !currentName()) { return Promise.resolve(false); }
    flushStart();
    var extra = Object.assign(replyExtra(), body || {});
    cancelReply();
    return enqueue(function () { return api("POST", "customer/api/" + route, who(extra)); })
      .then(function () { pollNow(); return true; }, function (error) { reported(error); return false; });
  }

  function sendFiles() {
    var files = Array.from(attach.files || []);
    attach.value = "";
    if (!files.length || blocked || !currentName()) { return; }
    flushStart();
    var form = new FormData();
    var body = who(replyExtra());
    Object.keys(body).forEach(function (key) { form.append(key, String(body[key])); });
    var caption = input.value.trim();
    if (caption) { form.append("caption", caption); }
    if (asFile.checked) { form.append("kind", "document"); }
    files.forEach(function (file) { form.append("file", file, file.name); });
    input.value = "";
    autosize();
    cancelReply();
    enqueue(function () { return api("POST", "customer/api/media", form); }).then(pollNow, reported);
  }

  function press(messageId, data, button) {
    button.classList.add("pressed");
    api("POST", "customer/api/callbacks", { user_id: identity.user_id, message_id: messageId, data: data })
      .catch(function (error) { showToast(error.message); })
      .then(function () { window.setTimeout(function () { button.classList.remove("pressed"); }, 400); });
  }

  function reactTo(messageId, emoji) {
    var item = items.get(messageId);
    var already = item && Array.isArray(item.reaction) && item.reaction.indexOf(emoji) >= 0;
    enqueue(function () {
      return api("POST", "customer/api/reactions",
        { user_id: identity.user_id, message_id: messageId, emoji: already ? null : emoji });
    }).then(pollNow, reported);
  }

  function toggleBlock() {
    api("POST", "customer/api/block", { user_id: identity.user_id, blocked: !blocked })
      .then(function (data) { setBlocked(data.blocked); })
      .catch(function (error) { showToast(error.status === 404 ? T.writeFirst : error.message); });
  }

  function syncAvatar() {
    api("POST", "customer/api/avatar", { user_id: identity.user_id, avatar: identity.avatar })
      .catch(function () { /* shown again on the next change */ });
  }

  function poll() {
    window.clearTimeout(pollTimer);
    var url = "customer/api/messages?user_id=" + identity.user_id + "&since=" + revision;
    return api("GET", url).then(function (data) {
      (data.deleted || []).forEach(forget);
      (data.messages || []).forEach(show);
      if (typeof data.revision === "number") { revision = data.revision; }
      setBlocked(Boolean(data.blocked));
      setAction(data.action);
    }).catch(function () {
      setAction(null);
      status.textContent = T.offline;
    }).then(function () {
      pollTimer = window.setTimeout(poll, POLL_MS);
    });
  }

  function pollNow() { return poll(); }

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

  // --- replies, forwards, edits, polls ------------------------------------------------------------

  function startReply(messageId) {
    replyTo = messageId;
    $("reply-quote").textContent = quoteOf(messageId) || "#" + messageId;
    replyBar.hidden = false;
    input.focus();
  }

  function cancelReply() {
    replyTo = null;
    replyBar.hidden = true;
  }

  function closeForward() {
    forwardName.value = "";
    forwardBar.hidden = true;
  }

  /* The customer's last text (or captioned file) still in the chat. */
  function lastEditable() {
    var found = null;
    items.forEach(function (item, id) {
      var kinds = ["text", "photo", "document", "video", "voice", "audio", "animation"];
      if (item.from === "customer" && kinds.indexOf(item.kind) >= 0 && (!found || id > found.message_id)) {
        found = item;
      }
    });
    return found;
  }

  function startEdit() {
    var item = lastEditable();
    if (!item) { showToast(T.nothingToEdit); return; }
    editing = item.message_id;
    editInput.value = item.text || "";
    editBar.hidden = false;
    editInput.focus();
    editInput.select();
  }

  function finishEdit(save) {
    var messageId = editing;
    var text = editInput.value.trim();
    editing = null;
    editBar.hidden = true;
    input.focus();
    if (!save || messageId === null) { return; }
    enqueue(function () {
      return api("POST", "customer/api/edit", { user_id: identity.user_id, message_id: messageId, text: text });
    }).then(pollNow, reported);
  }

  function sendPoll() {
    var question = $("poll-question").value.trim();
    var options = $("poll-options").value.split("\n").map(function (o) { return o.trim(); }).filter(Boolean);
    sendOther("poll", { question: question, options: options }).then(function (sent) {
      if (!sent) { return; }
      $("poll-question").value = "";
      $("poll-options").value = "";
      pollForm.hidden = true;
    });
  }

  // --- /start with a deep-link payload -------------------------------------------------------------

  /* Opened as /?start=order_1234: the first message is "/start order_1234", as a t.me link makes it. */
  var startPayload = new URLSearchParams(window.location.search).get("start");
  var pendingStart = startPayload && START_PAYLOAD.test(startPayload) ? "/start " + startPayload : null;

  function flushStart() {
    if (!pendingStart || !identity.first_name) { return; }
    var text = pendingStart;
    pendingStart = null;
    var url = new URL(window.location.href);
    url.searchParams.delete("start");
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    sendText(text, {});
  }

  // --- wiring -----------------------------------------------------------------------------------

  translate();
  nameInput.value = identity.first_name;
  languageSelect.value = identity.language_code;
  avatarToggle.checked = identity.avatar;
  nameInput.addEventListener("change", function () { if (currentName()) { flushStart(); } });
  nameInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); input.focus(); }
  });
  languageSelect.addEventListener("change", function () {
    identity.language_code = languageSelect.value === "es" ? "es" : "en";
    saveIdentity();
    translate();
  });
  avatarToggle.addEventListener("change", function () {
    identity.avatar = avatarToggle.checked;
    saveIdentity();
    syncAvatar();
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
  attach.addEventListener("change", sendFiles);
  $("send-location").addEventListener("click", function () {
    var jitter = function () { return (Math.random() - 0.5) / 50; };
    sendOther("location", { latitude: 40.416775 + jitter(), longitude: -3.70379 + jitter() });
  });
  $("send-contact").addEventListener("click", function () { sendOther("contact"); });
  $("send-dice").addEventListener("click", function () { sendOther("dice"); });
  $("send-sticker").addEventListener("click", function () { sendOther("sticker"); });
  $("open-poll").addEventListener("click", function () {
    pollForm.hidden = !pollForm.hidden;
    if (!pollForm.hidden) { $("poll-question").focus(); }
  });
  $("poll-send").addEventListener("click", sendPoll);
  $("poll-cancel").addEventListener("click", function () { pollForm.hidden = true; });
  $("edit-last").addEventListener("click", startEdit);
  editInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.isComposing) { event.preventDefault(); finishEdit(true); }
    if (event.key === "Escape") { event.preventDefault(); finishEdit(false); }
  });
  $("forward").addEventListener("click", function () {
    forwardBar.hidden = !forwardBar.hidden;
    if (!forwardBar.hidden) { forwardName.focus(); }
  });
  $("forward-cancel").addEventListener("click", closeForward);
  $("reply-cancel").addEventListener("click", cancelReply);
  $("new-customer").addEventListener("click", function () {
    if (window.confirm(T.confirmNew)) {
      window.localStorage.removeItem(STORE_KEY);
      window.clearTimeout(pollTimer);
      window.location.reload();
    }
  });
  loadBot();
  syncAvatar();
  poll();
  flushStart();
  (identity.first_name ? input : nameInput).focus();
})();
