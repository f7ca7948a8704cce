// The serial console: xterm.js in the page, a WebSocket to ws/remote/console/<id>/ (remote.consumers).
(function () {
  "use strict";
  var element = document.getElementById("console");
  if (!element || !window.Terminal) return;
  var status = document.getElementById("console-status");
  var reconnect = document.getElementById("console-reconnect");
  var terminal = new window.Terminal({ cursorBlink: true, convertEol: false, fontSize: 14, scrollback: 5000 });
  var fit = window.FitAddon ? new window.FitAddon.FitAddon() : null;
  if (fit) terminal.loadAddon(fit);
  terminal.open(element);
  if (fit) fit.fit();
  var socket = null;

  function say(text) { status.textContent = text; }
  function send(message) { if (socket && socket.readyState === 1) socket.send(JSON.stringify(message)); }

  function connect() {
    reconnect.hidden = true;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + element.dataset.ws);
    socket.onopen = function () { send({ type: "resize", cols: terminal.cols, rows: terminal.rows }); };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "output") terminal.write(message.data);
      else if (message.type === "status") {
        say(message.message || message.state);
        element.dataset.state = message.state;
        if (message.state === "connected") terminal.focus();
        if (message.state === "closed") reconnect.hidden = false;
      }
    };
    socket.onclose = function () {
      if (element.dataset.state !== "closed") say("The console connection closed.");
      element.dataset.state = "closed";
      reconnect.hidden = false;
    };
  }

  terminal.onData(function (data) { send({ type: "input", data: data }); });
  terminal.onResize(function (size) { send({ type: "resize", cols: size.cols, rows: size.rows }); });
  window.addEventListener("resize", function () { if (fit) fit.fit(); });
  reconnect.addEventListener("click", connect);
  connect();
})();
