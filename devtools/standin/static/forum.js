/*
 * The stand-in's staff forum, beside the customer's chat: play a staff member of the support team.
 *
 * The desk mirrors each conversation into a topic of the staff supergroup; here you read the
 * topics and write in one as a staff member (an answer to the customer, "!" for a private note,
 * /resolve, /pending, /assign @username), or delete or close a topic as the group's admin would.
 * Everything it shows came from people or the desk: put in with textContent only, never markup.
 */
(function () {
  "use strict";

  var POLL_MS = 1500;
  var API = "standin/api/forum";
  var STRINGS = {
    en: {
      title: "Staff forum", open: "Staff forum", close: "Close", as: "Write as", empty: "No topic yet: write to the bot.",
      placeholder: "Answer, ! note, /resolve, /pending, /assign @user", send: "Send", remove: "Delete topic",
      closeTopic: "Close topic", reopen: "Reopen", closed: "closed", deleted: "deleted", bot: "bot"
    },
    es: {
      title: "Foro del equipo", open: "Foro del equipo", close: "Cerrar", as: "Escribir como",
      empty: "Aún no hay temas: escribe al bot.", placeholder: "Respuesta, ! nota, /resolve, /pending, /assign @usuario",
      send: "Enviar", remove: "Borrar tema", closeTopic: "Cerrar tema", reopen: "Reabrir", closed: "cerrado",
      deleted: "borrado", bot: "bot"
    }
  };

  var state = { forum: null, selected: null, open: false };
  var language = document.getElementById("customer-language");

  function say(key) {
    var strings = STRINGS[(language && language.value) || "en"] || STRINGS.en;
    return strings[key] || STRINGS.en[key];
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  function call(method, path, body) {
    var options = { method: method, headers: { "Content-Type": "application/json" } };
    if (body) options.body = JSON.stringify(body);
    return fetch(path, options).then(function (answer) {
      return answer.json().then(function (data) {
        if (!answer.ok) throw new Error(data.error || String(answer.status));
        return data;
      });
    });
  }

  var toggle = element("button", "link-button", "");
  toggle.type = "button";
  toggle.setAttribute("data-testid", "forum-toggle");
  var panel = element("aside", "forum");
  panel.hidden = true;
  panel.setAttribute("data-testid", "forum");
  var head = element("div", "forum-head");
  var title = element("strong", "forum-title");
  var who = element("select", "forum-who");
  who.setAttribute("data-testid", "forum-who");
  var shut = element("button", "forum-shut", "✕");
  shut.type = "button";
  head.append(title, who, shut);
  var topics = element("nav", "forum-topics");
  topics.setAttribute("data-testid", "forum-topics");
  var actions = element("div", "forum-actions");
  var feed = element("div", "forum-messages");
  feed.setAttribute("data-testid", "forum-messages");
  var composer = element("form", "forum-composer");
  var input = element("input", "forum-input");
  input.setAttribute("data-testid", "forum-input");
  input.maxLength = 4096;
  var send = element("button", "forum-send");
  send.type = "submit";
  composer.append(input, send);
  var problem = element("p", "forum-problem");
  problem.setAttribute("role", "status");
  panel.append(head, topics, actions, feed, composer, problem);
  (document.querySelector(".identity") || document.body).append(toggle);  // beside "Business account"
  document.body.append(panel);

  function label() {
    toggle.textContent = say("open");
    title.textContent = say("title");
    shut.setAttribute("aria-label", say("close"));
    who.setAttribute("aria-label", say("as"));
    input.placeholder = say("placeholder");
    send.textContent = say("send");
  }

  function fullName(user) {
    return [user.first_name, user.last_name].filter(Boolean).join(" ");
  }

  function live() {
    return ((state.forum && state.forum.topics) || []).filter(function (topic) { return !topic.deleted; });
  }

  function drawMembers() {
    if (who.options.length || !state.forum) return;
    state.forum.members.forEach(function (member) {
      var option = element("option", "", fullName(member));
      option.value = String(member.id);
      who.append(option);
    });
  }

  function drawTopics() {
    topics.replaceChildren();
    var shown = live();
    if (!shown.length) topics.append(element("p", "forum-empty", say("empty")));
    shown.forEach(function (topic) {
      var button = element("button", "forum-topic", topic.name + (topic.closed ? " · " + say("closed") : ""));
      button.type = "button";
      button.setAttribute("data-testid", "forum-topic");
      button.setAttribute("data-thread-id", String(topic.message_thread_id));
      button.setAttribute("aria-pressed", String(topic.message_thread_id === state.selected));
      button.addEventListener("click", function () { state.selected = topic.message_thread_id; draw(); });
      topics.append(button);
    });
  }

  function adminButton(text, action) {
    var button = element("button", "forum-admin", text);
    button.type = "button";
    button.setAttribute("data-testid", "forum-" + action);
    button.addEventListener("click", function () {
      call("POST", API + "/topics/" + state.selected + "/" + action).then(refresh, showProblem);
    });
    return button;
  }

  function drawSelected() {
    var topic = live().filter(function (t) { return t.message_thread_id === state.selected; })[0];
    actions.replaceChildren();
    feed.replaceChildren();
    composer.hidden = !topic;
    if (!topic) return;
    actions.append(adminButton(say(topic.closed ? "reopen" : "closeTopic"), topic.closed ? "reopen" : "close"),
                   adminButton(say("remove"), "delete"));
    topic.messages.forEach(function (message) {
      if (!message.text) return;
      var item = element("div", "forum-message" + (message.is_bot ? " forum-message--bot" : ""));
      item.append(element("span", "forum-author", message.is_bot ? say("bot") : fullName(message.from)),
                  element("span", "forum-text", message.text));
      feed.append(item);
    });
  }

  function draw() {
    label();
    drawMembers();
    drawTopics();
    drawSelected();
  }

  function showProblem(error) {
    problem.textContent = error.message;
    window.setTimeout(function () { problem.textContent = ""; }, 4000);
  }

  function refresh() {
    return call("GET", API).then(function (forum) {
      state.forum = forum;
      var ids = live().map(function (topic) { return topic.message_thread_id; });
      if (ids.indexOf(state.selected) === -1) state.selected = ids.length ? ids[ids.length - 1] : null;
      draw();
    }, function () { /* the stand-in is away: the customer's page says so */ });
  }

  function poll() {
    var next = function () { window.setTimeout(poll, POLL_MS); };
    if (state.open) refresh().then(next, next); else next();
  }

  toggle.addEventListener("click", function () {
    state.open = !state.open;
    panel.hidden = !state.open;
    if (state.open) refresh();
  });
  shut.addEventListener("click", function () { state.open = false; panel.hidden = true; });
  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || state.selected === null) return;
    call("POST", API + "/messages", { from: Number(who.value), message_thread_id: state.selected, text: text })
      .then(function () { input.value = ""; return refresh(); }, showProblem);
  });
  if (language) language.addEventListener("change", draw);
  label();
  poll();
})();
