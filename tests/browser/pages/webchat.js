// The community rasa-webchat widget (npm, served locally) on the assistant's socket.io channel.
WebChat.default({
  selector: "#webchat",
  socketUrl: window.CHAT_CONFIG.rasaUrl,
  socketPath: "/socket.io/",
  title: "Kylos",
  embedded: true,
  showMessageDate: false,
  params: { storage: "session" }
}, null);
