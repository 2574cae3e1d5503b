/* Live updates (Channels). Loaded on every page from base.html.
 *
 * - Logged in (body[data-user-id]): opens /ws/notifications/, keeps #notif-badge current, and
 *   re-fetches every [data-live-topic="user"][data-refresh-url] on user events.
 * - Each [data-live-topic="negotiation:<pk>"] opens /ws/negotiations/<pk>/ and, on a timeline event,
 *   re-fetches its data-refresh-url and replaces its innerHTML. When the response is a whole page,
 *   the element with the same id is taken from it, so a page may use its own URL.
 * - Each [data-live-socket="/ws/<route>/<pk>/"] (dispute and legal-aid pages) opens that socket and
 *   re-fetches its data-refresh-url on every event.
 * - <ul id="presence"> is filled from presence events; elements with data-term="<id>" get
 *   data-being-edited while the other side edits that term; #editing-status says so in words.
 * - Messages carry ids and a version only: the database is the truth. On reconnect (with backoff)
 *   everything live is re-fetched, so nothing is missed while offline. Refreshes are coalesced.
 */
(function () {
  "use strict";
  var body = document.body;
  if (!body || !("WebSocket" in window)) return;
  var me = body.getAttribute("data-user-id") || "";
  if (!me) return;
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var T = zh
    ? { union: "工会方", employer: "企业方", staff: "工作人员", editing: "正在编辑第 {n} 条", nobody: "暂无其他人" }
    : { union: "Union side", employer: "Employer side", staff: "Staff", editing: "is editing term {n}", nobody: "Nobody else" };

  /* Coalesced: while a fetch for `el` is in flight, further events only mark it stale, and one more
   * fetch follows. Versions from different sources (a row's version, the publisher's clock) are not
   * comparable, so every event refreshes rather than trusting an ordering. */
  function refresh(el) {
    if (el.__liveBusy) { el.__liveAgain = true; return Promise.resolve(); }
    el.__liveBusy = true;
    return fetchInto(el).then(function () {
      el.__liveBusy = false;
      if (el.__liveAgain) { el.__liveAgain = false; return refresh(el); }
    });
  }

  function fetchInto(el) {
    var url = el.getAttribute("data-refresh-url");
    if (!url) return Promise.resolve();
    el.setAttribute("aria-busy", "true");
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "live" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var out = html;
        if (el.id && /<html[\s>]/i.test(html)) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var twin = doc.getElementById(el.id);
          if (!twin) return;
          out = twin.innerHTML;
        }
        el.innerHTML = out;
        el.setAttribute("data-live-version", String(Date.now()));
        el.dispatchEvent(new CustomEvent("live:refreshed", { bubbles: true }));
      })
      .catch(function () {})
      .then(function () { el.removeAttribute("aria-busy"); });
  }

  function setBadge(n) {
    var b = document.getElementById("notif-badge");
    if (!b) return;
    n = Math.max(0, parseInt(n, 10) || 0);
    b.textContent = String(n);
    b.setAttribute("data-count", String(n));
    if (n) b.removeAttribute("hidden"); else b.setAttribute("hidden", "");
  }

  function fetchUnread() {
    return fetch("/api/v1/notifications/unread-count/", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) setBadge(d.unread); })
      .catch(function () {});
  }

  /* A socket that reconnects with exponential backoff (1 s … 30 s, with jitter) and calls
   * onOpen(isReconnect) each time, so the page catches up from the database. A 4401/4403 close
   * (not logged in / no longer allowed) stops retrying. */
  function LiveSocket(path, handlers) {
    var attempt = 0, ws = null, timer = null, heartbeat = null, opened = false, stopped = false;
    function connect() {
      ws = new WebSocket(scheme + location.host + path);
      ws.onopen = function () {
        var again = opened;
        opened = true; attempt = 0;
        heartbeat = setInterval(function () { send({ type: "ping" }); }, 25000);
        if (handlers.onOpen) handlers.onOpen(again);
      };
      ws.onmessage = function (e) {
        var msg; try { msg = JSON.parse(e.data); } catch (err) { return; }
        if (handlers.onMessage) handlers.onMessage(msg);
      };
      ws.onclose = function (e) {
        clearInterval(heartbeat);
        if (stopped || e.code === 4401 || e.code === 4403) return;
        var delay = Math.min(30000, 1000 * Math.pow(2, attempt++)) * (0.5 + Math.random() / 2);
        timer = setTimeout(connect, delay);
      };
    }
    function send(obj) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(obj)); }
    connect();
    window.addEventListener("pagehide", function () { stopped = true; clearTimeout(timer); if (ws) ws.close(); });
    return { send: send };
  }

  function userEls() { return document.querySelectorAll('[data-live-topic="user"][data-refresh-url]'); }

  /* the user's own socket: notifications and "your document is ready" */
  LiveSocket("/ws/notifications/", {
    onOpen: function (again) {
      if (again) { fetchUnread(); userEls().forEach(refresh); }
    },
    onMessage: function (msg) {
      if (msg.event === "hello") { setBadge(msg.unread); return; }
      if (msg.event === "pong") return;
      if (msg.event === "notification" || msg.event === "read") fetchUnread();
      userEls().forEach(refresh);
      document.dispatchEvent(new CustomEvent("live:user", { detail: msg }));
    },
  });

  /* one socket per negotiation shown on the page */
  var byNegotiation = {};
  document.querySelectorAll('[data-live-topic^="negotiation:"]').forEach(function (el) {
    var pk = parseInt(el.getAttribute("data-live-topic").split(":")[1], 10);
    if (!pk) return;
    (byNegotiation[pk] = byNegotiation[pk] || []).push(el);
  });

  function showPresence(viewers) {
    var ul = document.getElementById("presence");
    if (!ul) return;
    ul.innerHTML = "";
    var others = (viewers || []).filter(function (v) { return String(v.id) !== me; });
    if (!others.length) {
      var li0 = document.createElement("li"); li0.className = "muted"; li0.textContent = T.nobody; ul.appendChild(li0);
    }
    others.forEach(function (v) {
      var li = document.createElement("li");
      li.textContent = v.name + " · " + (T[v.side] || v.side);   // textContent: never HTML
      li.setAttribute("data-user", v.id);
      ul.appendChild(li);
    });
  }

  function showEditing(msg) {
    if (String(msg.user) === me) return;
    var editing = msg.event === "editing";
    document.querySelectorAll('[data-term="' + msg.term + '"]').forEach(function (t) {
      if (editing) t.setAttribute("data-being-edited", msg.side); else t.removeAttribute("data-being-edited");
    });
    var status = document.getElementById("editing-status");
    if (status) status.textContent = editing ? (T[msg.side] || msg.side) + " " + T.editing.replace("{n}", msg.term) : "";
  }

  Object.keys(byNegotiation).forEach(function (pk) {
    var els = byNegotiation[pk];
    var sock = LiveSocket("/ws/negotiations/" + pk + "/", {
      onOpen: function (again) { if (again) els.forEach(refresh); },
      onMessage: function (msg) {
        if (msg.event === "pong") return;
        if (msg.event === "presence") { showPresence(msg.viewers); return; }
        if (msg.event === "editing" || msg.event === "editing_done") { showEditing(msg); return; }
        els.forEach(refresh);
        document.dispatchEvent(new CustomEvent("live:negotiation", { detail: msg }));
      },
    });
    /* tell the other side which term is being edited (throttled) */
    var lastSent = {};
    els.forEach(function (el) {
      el.addEventListener("input", function (e) {
        var holder = e.target.closest && e.target.closest("[data-term]");
        if (!holder) return;
        var term = holder.getAttribute("data-term"), now = Date.now();
        if (lastSent[term] && now - lastSent[term] < 3000) return;
        lastSent[term] = now;
        sock.send({ type: "editing", term: term });
      });
      el.addEventListener("focusout", function (e) {
        var holder = e.target.closest && e.target.closest("[data-term]");
        if (!holder) return;
        var term = holder.getAttribute("data-term");
        delete lastSent[term];
        sock.send({ type: "editing_done", term: term });
      });
    });
  });

  /* any other workflow object: [data-live-socket="/ws/<route>/<pk>/"] (disputes, legal aid), one socket
   * per path; every event re-fetches the element's data-refresh-url. */
  var bySocket = {};
  document.querySelectorAll("[data-live-socket]").forEach(function (el) {
    var path = el.getAttribute("data-live-socket");
    if (!/^\/ws\/[a-z-]+\/\d+\/$/.test(path)) return;
    (bySocket[path] = bySocket[path] || []).push(el);
  });
  Object.keys(bySocket).forEach(function (path) {
    var els = bySocket[path];
    LiveSocket(path, {
      onOpen: function (again) { if (again) els.forEach(refresh); },
      onMessage: function (msg) {
        if (msg.event === "pong") return;
        els.forEach(refresh);
        document.dispatchEvent(new CustomEvent("live:object", { detail: msg }));
      },
    });
  });
})();
