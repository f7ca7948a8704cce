/* The NOC board: problems now (refilled from the server on every (re)connect), live changes over /ws/noc/,
   an alarm sound armed by the operator's first click (browsers mute audio before a gesture), a flash, mute,
   acknowledge. Memory stays bounded: problems are a Map keyed by what is down, events a capped list.
   window.nocAlarm is the page's own account of its alarm, for operators' tools and the browser tests. */
(function () {
  "use strict";
  var MAX_EVENTS = 50;
  var MAX_PROBLEMS = 500;
  var REFILL_EVERY_MS = 60000;
  var REPEAT_ALARM_MS = 30000;
  var DOWN = { down: 1, lowerLayerDown: 1, unreachable: 1, notPresent: 1 };
  var $ = function (id) { return document.getElementById(id); };
  var urls = $("noc-urls").dataset;
  var problems = new Map();
  var events = [];
  var socket = null;
  var retryMs = 1000;
  var audio = null;
  var lastAlarm = 0;
  var alarm = window.nocAlarm = { armed: false, muted: false, plays: 0, flashes: 0, lastPlayedAt: null, connects: 0 };

  // Sound ----------------------------------------------------------------------------------------------
  function arm() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") { audio.resume(); }
      alarm.armed = true;
    } catch (error) {
      alarm.armed = false;
    }
    var button = $("noc-arm");
    button.setAttribute("aria-pressed", String(alarm.armed));
    button.textContent = alarm.armed ? "Alarm sound on" : "Sound unavailable";
  }

  function beep() {
    if (!alarm.armed || alarm.muted || !audio) { return false; }
    if (audio.state === "suspended") { audio.resume(); }
    var now = audio.currentTime;
    [0, 0.35, 0.7].forEach(function (offset, index) {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.type = "square";
      oscillator.frequency.value = index === 1 ? 660 : 880;
      gain.gain.setValueAtTime(0.15, now + offset);
      gain.gain.exponentialRampToValueAtTime(0.001, now + offset + 0.3);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(now + offset);
      oscillator.stop(now + offset + 0.3);
    });
    alarm.plays += 1;
    alarm.lastPlayedAt = Date.now();
    return true;
  }

  function flash(text) {
    var banner = $("noc-alarm");
    banner.textContent = text;
    banner.hidden = false;
    document.body.classList.remove("is-flashing");
    void document.body.offsetWidth; // restart the animation
    document.body.classList.add("is-flashing");
    alarm.flashes += 1;
    document.title = "\u26a0 " + document.title.replace(/^\u26a0 /, "");
  }

  function raise(text) {
    flash(text);
    beep();
    lastAlarm = Date.now();
  }

  // Problems -------------------------------------------------------------------------------------------
  function duration(since) {
    if (!since) { return ""; }
    var seconds = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 1000));
    var days = Math.floor(seconds / 86400), hours = Math.floor(seconds % 86400 / 3600);
    var minutes = Math.floor(seconds % 3600 / 60), rest = seconds % 60;
    if (days) { return days + " d " + hours + " h"; }
    if (hours) { return hours + " h " + minutes + " min"; }
    if (minutes) { return minutes + " min " + rest + " s"; }
    return rest + " s";
  }

  function cell(className, text) {
    var span = document.createElement("span");
    span.className = className;
    span.textContent = text || "";
    return span;
  }

  function render() {
    var list = $("noc-problems");
    var order = { critical: 0, warning: 1, info: 2 };
    var items = Array.from(problems.values()).sort(function (a, b) {
      return (order[a.severity] - order[b.severity]) || String(a.since || "").localeCompare(String(b.since || ""));
    });
    var fragment = document.createDocumentFragment();
    items.forEach(function (item) {
      var row = document.createElement("li");
      var acknowledged = item.incident && item.incident.acknowledged_by;
      row.className = "noc-problem severity-" + item.severity + (acknowledged ? " is-acknowledged" : "") +
        (item.isNew ? " is-new" : "");
      row.dataset.key = item.key;
      row.appendChild(cell("noc-problem-type", item.type));
      row.appendChild(cell("noc-problem-name", item.name + (item.target ? " \u00b7 " + item.target : "")));
      row.appendChild(cell("noc-problem-company", item.company_name));
      row.appendChild(cell("noc-problem-message", item.message));
      var since = cell("noc-problem-since", duration(item.since));
      since.dataset.since = item.since || "";
      since.title = item.since || "";
      row.appendChild(since);
      if (item.incident && !acknowledged) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "noc-button";
        button.textContent = "Acknowledge";
        button.dataset.incident = item.incident.id;
        button.setAttribute("aria-label", "Acknowledge " + item.name);
        row.appendChild(button);
      } else {
        row.appendChild(cell("noc-problem-ack", acknowledged ? "taken by " + item.incident.acknowledged_by : ""));
      }
      fragment.appendChild(row);
      item.isNew = false;
    });
    list.replaceChildren(fragment);
    $("noc-all-clear").hidden = problems.size > 0;
    if (!problems.size) { $("noc-alarm").hidden = true; document.title = document.title.replace(/^\u26a0 /, ""); }
  }

  function setTotals(totals) {
    Object.keys(totals || {}).forEach(function (name) {
      var tile = document.querySelector('[data-total="' + name + '"]');
      if (!tile) { return; }
      tile.querySelector(".noc-tile-value").textContent = totals[name];
      tile.classList.toggle("has-problems", name !== "checks" && totals[name] > 0);
    });
  }

  function countTotals() {
    var totals = { checks_down: 0, devices_unreachable: 0, links_down: 0, bandwidth: 0, unacknowledged: 0 };
    problems.forEach(function (item) {
      if (item.type === "check") { totals.checks_down += 1; }
      if (item.type === "device") { totals.devices_unreachable += 1; }
      if (item.type === "link") { totals.links_down += 1; }
      if (item.type === "bandwidth") { totals.bandwidth += 1; }
      if (item.incident && !item.incident.acknowledged_by) { totals.unacknowledged += 1; }
    });
    setTotals(totals);
  }

  function addEvent(severity, message, at) {
    events.unshift({ severity: severity, message: message, at: at || new Date().toISOString() });
    events.length = Math.min(events.length, MAX_EVENTS);
    var list = $("noc-events");
    var fragment = document.createDocumentFragment();
    events.forEach(function (event) {
      var row = document.createElement("li");
      row.className = "severity-" + event.severity;
      var time = document.createElement("time");
      time.dateTime = event.at;
      time.textContent = new Date(event.at).toLocaleTimeString();
      row.appendChild(time);
      row.appendChild(document.createTextNode(" " + event.message));
      fragment.appendChild(row);
    });
    list.replaceChildren(fragment);
  }

  function put(item, announce) {
    var isNew = !problems.has(item.key);
    if (isNew && problems.size >= MAX_PROBLEMS) { return; }
    item.isNew = isNew && announce;
    problems.set(item.key, item);
    if (isNew && announce) { raise(item.name + ": " + item.message); }
  }

  function fromCheck(check) {
    return {
      key: "check-" + check.check, type: "check", severity: "critical", name: check.name,
      company_name: check.company_name, target: check.target, message: check.message,
      since: check.since, incident: check.incident
    };
  }

  function onChecks(checks) {
    checks.forEach(function (check) {
      var key = "check-" + check.check;
      if (check.state === "down") {
        put(fromCheck(check), true);
        if (check.previous !== "down") { addEvent("critical", check.name + " is down: " + check.message); }
      } else if (problems.delete(key)) {
        addEvent("info", check.name + " is " + check.state);
      }
    });
    render();
    countTotals();
  }

  function onEvents(items) {
    items.forEach(function (event) {
      addEvent(event.severity, event.message, event.occurred_at);
      var key = event.kind === "device" ? "device-" + event.device : event.kind + "-" + event.interface;
      var name = event.device_name + (event.interface_name ? " " + event.interface_name : "");
      if (event.kind === "bandwidth") {
        put({ key: key, type: "bandwidth", severity: event.severity, name: name, company_name: "",
              message: event.message, since: event.occurred_at }, true);
      } else if (DOWN[event.status]) {
        put({ key: key, type: event.kind, severity: event.kind === "device" ? "critical" : "warning", name: name,
              company_name: "", message: event.status, since: event.occurred_at }, true);
      } else {
        problems.delete(key);
      }
    });
    render();
    countTotals();
  }

  // Server state and the socket ------------------------------------------------------------------------
  function refill(announce) {
    return fetch(urls.state, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (state) {
        var before = new Set(problems.keys());
        problems.clear();
        state.problems.forEach(function (item) { put(item, announce && !before.has(item.key)); });
        if (!events.length) {
          state.events.slice().reverse().forEach(function (event) { addEvent(event.severity, event.message, event.at); });
        }
        render();
        setTotals(state.totals);
      })
      .catch(function () { /* the next refill or reconnect tries again */ });
  }

  function status(state, text) {
    var element = $("noc-connection");
    element.dataset.state = state;
    element.textContent = text;
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(scheme + "://" + location.host + urls.socket);
    socket.onopen = function () {
      retryMs = 1000;
      alarm.connects += 1;
      status("live", "Live");
      if (alarm.armed && audio && audio.state === "suspended") { audio.resume(); } // re-armed after a reconnect
      refill(alarm.connects > 1);
    };
    socket.onmessage = function (message) {
      var data = JSON.parse(message.data);
      if (data.type === "checks") { onChecks(data.checks); }
      if (data.type === "events") { onEvents(data.events); }
    };
    socket.onclose = function () {
      status("down", "Disconnected: reconnecting in " + Math.round(retryMs / 1000) + " s");
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 15000);
    };
  }

  function acknowledge(button) {
    var token = document.querySelector("#noc-csrf [name=csrfmiddlewaretoken]").value;
    button.disabled = true;
    fetch(urls.acknowledge.replace("/0/", "/" + button.dataset.incident + "/"), {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": token }
    }).then(function (response) {
      if (!response.ok) { button.disabled = false; return; }
      return response.json().then(function (body) {
        problems.forEach(function (item) {
          if (item.incident && String(item.incident.id) === String(body.id)) { item.incident.acknowledged_by = body.acknowledged_by; }
        });
        render();
        countTotals();
      });
    });
  }

  function tick() {
    $("noc-clock").textContent = new Date().toLocaleTimeString();
    document.querySelectorAll(".noc-problem-since").forEach(function (element) {
      element.textContent = duration(element.dataset.since);
    });
    var waiting = Array.from(problems.values()).some(function (item) {
      return item.severity === "critical" && !(item.incident && item.incident.acknowledged_by);
    });
    if (waiting && Date.now() - lastAlarm > REPEAT_ALARM_MS) { beep(); lastAlarm = Date.now(); }
  }

  document.addEventListener("click", function (event) {
    if (!alarm.armed) { arm(); } // the operator's first click anywhere arms the sound
    var target = event.target;
    if (target.id === "noc-mute") {
      alarm.muted = !alarm.muted;
      target.setAttribute("aria-pressed", String(alarm.muted));
      target.textContent = alarm.muted ? "Muted: click to unmute" : "Mute";
    } else if (target.id === "noc-fullscreen" && document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen();
    } else if (target.dataset && target.dataset.incident) {
      acknowledge(target);
    }
  });
  document.addEventListener("keydown", function () { if (!alarm.armed) { arm(); } });

  connect();
  setInterval(tick, 1000);
  setInterval(function () { refill(true); }, REFILL_EVERY_MS);
})();
