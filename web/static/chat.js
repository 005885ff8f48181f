// The help page's chat widget: Rasa's socket.io channel, everything rendered as text.
//
// Sessions are issued by the server (a signed token); the widget only keeps the token.
// Messages typed while the connection is down wait in an outbox, visibly marked as not
// sent, and go out only after the session is re-joined, in order. The transcript kept
// for a reload lives in sessionStorage (this tab only), expires after 30 minutes and holds
// only what the server returned as `kept` (with each acknowledgement, and as `bot_kept` after
// each bot message): each text redacted by the same redactor as the conversation store (phone
// numbers, codes, e-mail addresses), never the text as typed.
(function () {
  "use strict";
  var STORE = "kylos-chat";
  // Sent, unseen, when an empty chat is open: the assistant greets and offers the problems at once
  // (its greeting turn: actions/engine/turn.py), instead of an empty window.
  var GREETING = "/greet";
  var KEEP_MS = 30 * 60 * 1000;
  var ACK_TIMEOUT_MS = 30000;
  var chat = document.getElementById("chat");
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var status = document.getElementById("chat-status");
  var toggle = document.getElementById("chat-toggle");
  var launcher = document.getElementById("chat-launcher");

  // Older versions kept the whole transcript in localStorage, without expiry.
  try { localStorage.removeItem("kylos-chat-log"); localStorage.removeItem("kylos-chat-session"); } catch (e) { /* private mode */ }

  function load() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
      if (saved && Date.now() - saved.savedAt < KEEP_MS) return saved;
    } catch (e) { /* broken or unavailable storage: start afresh */ }
    return { token: null, transcript: [], minimised: false };
  }
  var state = load();

  function save() {
    state.savedAt = Date.now();
    try { sessionStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* quota or private mode */ }
  }

  // A token is `<session>.<issued>.<signature>`; the server sends a fresh one at every re-join.
  function sessionOf(token) {
    return String(token || "").split(".")[0];
  }

  // The server escapes Markdown for widgets that render it; this one shows plain text.
  function unescapeMarkdown(text) {
    return String(text).replace(/\\([\\`*_\[\]~<>|])/g, "$1");
  }

  // Text with clickable http(s) links, built from DOM nodes only: nothing typed is ever parsed as HTML.
  function appendText(parent, text) {
    var pattern = /https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g;
    var last = 0, match;
    while ((match = pattern.exec(text)) !== null) {
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var link = document.createElement("a");
      link.href = match[0];
      link.textContent = match[0];
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      parent.appendChild(link);
      last = match.index + match[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function render(entry) {
    var item = document.createElement("li");
    item.className = "msg " + entry.from;
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = entry.from === "bot" ? "Asystent: " : "Ty: ";
    item.appendChild(who);
    appendText(item, entry.text || "");
    log.appendChild(item);
    if (entry.buttons && entry.buttons.length && entry.live) {
      // Only the newest question's answers can be chosen (two greetings crossing a typed message
      // left two identical sets).
      removeOldButtons();
      var group = document.createElement("li");
      group.className = "buttons";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Odpowiedzi do wyboru");
      entry.buttons.forEach(function (button) {
        var element = document.createElement("button");
        element.type = "button";
        element.textContent = button.title;
        element.addEventListener("click", function () {
          group.remove();
          send(button.payload, button.title);
        });
        group.appendChild(element);
      });
      log.appendChild(group);
    }
    log.scrollTop = log.scrollHeight;
    return item;
  }

  // `text` is what the server said may be kept (redacted), or a button's own title; an entry
  // whose redacted text has not arrived yet is kept empty and not shown after a reload.
  function remember(from, text) {
    var record = { from: from, text: typeof text === "string" ? text : null };
    state.transcript.push(record);
    state.transcript = state.transcript.slice(-100);
    save();
    return record;
  }

  function removeOldButtons() {
    Array.prototype.forEach.call(log.querySelectorAll(".buttons"), function (group) { group.remove(); });
  }

  function setPending(item, pending) {
    if (!item) return;  // the unseen greeting request
    item.classList.toggle("pending", pending);
    var note = item.querySelector(".pending-note");
    if (pending && !note) {
      note = document.createElement("span");
      note.className = "pending-note";
      note.textContent = " (nie wysłano — wyślę po połączeniu)";
      item.appendChild(note);
    } else if (!pending && note) {
      note.remove();
    }
  }

  // --- minimise / open -------------------------------------------------------------
  function setMinimised(minimised) {
    state.minimised = minimised;
    chat.hidden = minimised;
    document.body.classList.toggle("chat-minimised", minimised);
    launcher.hidden = !minimised;
    toggle.setAttribute("aria-expanded", String(!minimised));
    launcher.setAttribute("aria-expanded", String(!minimised));
    save();
  }
  toggle.addEventListener("click", function () { setMinimised(true); launcher.focus(); });
  launcher.addEventListener("click", function () { setMinimised(false); input.focus(); greetOnce(); });
  chat.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { setMinimised(true); launcher.focus(); }
  });

  state.transcript.forEach(function (entry) { if (entry.text) render(entry); });
  setMinimised(!!state.minimised);

  // --- connection, session and outbox ----------------------------------------------
  var socket = io(window.CHAT_CONFIG.rasaUrl, { path: "/socket.io/", transports: ["websocket"] });
  var ready = false;   // connected AND the session re-joined on this connection
  var outbox = [];     // {id, message, item}: typed but not yet accepted by the server
  var inFlight = {};   // id -> outbox entry sent on this connection, awaiting the server's ack
  var botAwaitingKept = [];  // transcript records of bot messages whose redacted text is on its way

  function messageId() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function transmit(entry) {
    inFlight[entry.id] = entry;
    socket.timeout(ACK_TIMEOUT_MS).emit("user_uttered", { message: entry.message, message_id: entry.id },
      function (error, answer) {
        if (inFlight[entry.id] !== entry) return; // the connection dropped meanwhile: already re-queued
        delete inFlight[entry.id];
        if (!error && answer && answer.ok) {
          if (entry.record && entry.record.text === null && typeof answer.kept === "string") {
            entry.record.text = answer.kept;
            save();
          }
          return;
        }
        if (answer && answer.reason === "session") { ready = false; socket.emit("session_request", { session_id: state.token }); }
        requeue(entry);
      });
  }

  function requeue(entry) {
    setPending(entry.item, true);
    outbox.unshift(entry);
    outbox.sort(function (a, b) { return a.seq - b.seq; });
  }

  var sequence = 0;
  function send(message, shownAs) {
    removeOldButtons();
    var text = shownAs || message;
    var entry = { id: messageId(), seq: sequence++, message: message, item: render({ from: "user", text: text }) };
    entry.record = remember("user", shownAs || null);  // typed text: kept once the server redacted it
    if (ready) {
      transmit(entry);
    } else {
      setPending(entry.item, true);
      outbox.push(entry);
    }
    input.focus();
  }

  // Once per conversation, when the chat is open and nothing has been said yet.
  function greetOnce() {
    if (!ready || state.greeted || state.minimised || state.transcript.length || outbox.length) return;
    state.greeted = true;
    save();
    transmit({ id: messageId(), seq: sequence++, message: GREETING, item: null, record: null });
  }

  function flush() {
    while (ready && outbox.length) {
      var entry = outbox.shift();
      setPending(entry.item, false);
      transmit(entry);
    }
  }

  function offline() {
    ready = false;
    status.textContent = "Brak połączenia — ponawiam…";
    // Whatever the server did not acknowledge goes back to the outbox, to be sent after re-joining.
    Object.keys(inFlight).forEach(function (id) { var entry = inFlight[id]; delete inFlight[id]; requeue(entry); });
  }

  socket.on("connect", function () {
    status.textContent = "Łączenie…";
    socket.emit("session_request", { session_id: state.token });
  });
  socket.on("session_confirm", function (token) {
    var id = token && token.session_id ? token.session_id : token;
    if (state.token && sessionOf(id) !== sessionOf(state.token)) {
      // The server did not recognise the old session (expired secret, other server): start afresh.
      state.transcript = [];
      state.greeted = false;
      Array.prototype.forEach.call(log.querySelectorAll("li:not(.pending)"), function (item) { item.remove(); });
    }
    state.token = id;
    save();
    ready = true;
    status.textContent = "Połączono";
    flush();
    greetOnce();
  });
  socket.on("disconnect", offline);
  socket.on("connect_error", offline);
  socket.on("bot_uttered", function (message) {
    if (!message || typeof message.text !== "string") return;
    var buttons = (message.quick_replies || message.buttons || []).map(function (b) {
      return { title: String(b.title), payload: String(b.payload) };
    });
    var text = unescapeMarkdown(message.text);
    render({ from: "bot", text: text, buttons: buttons, live: true });
    botAwaitingKept.push(remember("bot", null));
  });
  // Each bot message is followed by its redacted text, the only form kept in the browser.
  socket.on("bot_kept", function (message) {
    var record = botAwaitingKept.shift();
    if (record && message && typeof message.kept === "string") {
      record.text = unescapeMarkdown(message.kept);
      save();
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
})();
