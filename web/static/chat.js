// The help page's chat widget: Rasa's socket.io channel, everything rendered as text.
(function () {
  "use strict";
  var STORE_SESSION = "kylos-chat-session";
  var STORE_LOG = "kylos-chat-log";
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var status = document.getElementById("chat-status");

  function randomSessionId() {
    // Whoever knows a session id receives that conversation's replies: it must be unguessable.
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var sessionId = localStorage.getItem(STORE_SESSION);
  if (!sessionId) {
    sessionId = randomSessionId();
    localStorage.setItem(STORE_SESSION, sessionId);
  }
  var transcript = JSON.parse(localStorage.getItem(STORE_LOG) || "[]");

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
  }

  function remember(entry) {
    transcript.push({ from: entry.from, text: entry.text });
    localStorage.setItem(STORE_LOG, JSON.stringify(transcript.slice(-200)));
  }

  function removeOldButtons() {
    Array.prototype.forEach.call(log.querySelectorAll(".buttons"), function (group) { group.remove(); });
  }

  transcript.forEach(render);

  var socket = io(window.CHAT_CONFIG.rasaUrl, { path: "/socket.io/", transports: ["websocket"] });

  function send(message, shownAs) {
    var entry = { from: "user", text: shownAs || message };
    removeOldButtons();
    render(entry);
    remember(entry);
    socket.emit("user_uttered", { message: message, session_id: sessionId });
    input.focus();
  }

  socket.on("connect", function () {
    socket.emit("session_request", { session_id: sessionId });
    status.textContent = "Połączono";
  });
  socket.on("disconnect", function () { status.textContent = "Brak połączenia — ponawiam…"; });
  socket.on("connect_error", function () { status.textContent = "Brak połączenia — ponawiam…"; });
  socket.on("bot_uttered", function (message) {
    if (!message || typeof message.text !== "string") return; // channel hints (e.g. Telegram's contact button)
    var buttons = (message.quick_replies || message.buttons || []).map(function (b) {
      return { title: String(b.title), payload: String(b.payload) };
    });
    var entry = { from: "bot", text: message.text, buttons: buttons, live: true };
    render(entry);
    remember(entry);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
})();
