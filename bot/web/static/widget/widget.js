/* Heard chat widget. Plain JavaScript, no build step, no third-party code.
 *
 * Embed on any page:  <script src="https://HEARD/widget.js" data-heard-url="https://HEARD" defer></script>
 * Full page mode:     data-heard-mode="page" (used by Heard's own page at /).
 *
 * Safety on a shared phone: the conversation lives only in sessionStorage (gone when the tab closes);
 * "Leave quickly" (or Escape twice) wipes it and replaces this page with a neutral one, so Back does not
 * return. No message text is ever put in a URL or the page title.
 *
 * Which conversation this is, is the server's to say (it never trusts an id from here). On Heard's own page
 * the server keeps it in an HttpOnly cookie bound to this tab's random key (sent as X-Heard-Tab); embedded
 * on a council's site, where such cookies are blocked, the server returns a signed token that this script
 * keeps in sessionStorage and sends back as X-Heard-Conversation.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var EXIT_URL = "https://www.bbc.co.uk/weather";
  var KEY = {
    tab: "heard.tab",
    conversation: "heard.conversation",
    signedIn: "heard.signedIn",
    log: "heard.log",
    size: "heard.textSize",
    contrast: "heard.contrast",
    audio: "heard.readAloud"
  };
  var base = ((script && script.getAttribute("data-heard-url")) || "").replace(/\/+$/, "");
  if (!base && script && script.src) {
    base = new URL(script.src, location.href).origin;
  }
  if (base === location.origin) base = "";
  var sameOrigin = base === "";
  var pageMode = script && script.getAttribute("data-heard-mode") === "page";
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  var TEXT = {
    title: "Heard",
    intro: "Say what you think. Press a button or write a message.",
    leave: "Leave quickly",
    leaveHint: "Or press Esc twice",
    bigger: "Bigger text",
    contrast: "High contrast",
    readAloud: "Read it out",
    signin: "I have a code",
    log: "Chat with Heard",
    heard: "Heard said:",
    you: "You said:",
    choices: "Choices",
    play: "Play",
    stop: "Stop",
    playLabel: "Play this message out loud",
    stopLabel: "Stop playing",
    label: "Write a message",
    send: "Send",
    settings: "Settings",
    playMine: "Play what I wrote",
    playBox: "Play what I wrote in the box",
    playNote: "Play this note",
    tapToHear: "Tap to hear",
    choiceCount: " choices.",
    oneChoice: " 1 choice.",
    // Status lines are catalogue lines (bot/dialogue/messages.yml), so the server may speak them:
    // widget_sending, chat_busy, chat_busy_pressed, widget_signed_in (tests/unit/test_widget_lines.py).
    sending: "Sending…",
    busy: "Sorry, I can't answer just now. 😟 Your words are still in the box. Please try again in a minute.",
    busyPressed: "Sorry, I can't answer just now. 😟 Please try again in a minute.",
    codeLabel: "Your code (8 letters and numbers)",
    codeHelp: "Your social worker can give you a code. Then I know it is you.",
    codeSend: "Sign in",
    cancel: "Cancel",
    signedIn: "You are signed in.",
    open: "Chat with Heard",
    close: "Close chat"
  };

  // ---------- storage (never throws: private modes can block it) ----------
  function store(kind) {
    try { return kind === "local" ? window.localStorage : window.sessionStorage; } catch (e) { return null; }
  }
  function get(kind, key) { var s = store(kind); try { return s ? s.getItem(key) : null; } catch (e) { return null; } }
  function set(kind, key, value) { var s = store(kind); try { if (s) s.setItem(key, value); } catch (e) { /* full */ } }
  function remove(kind, key) { var s = store(kind); try { if (s) s.removeItem(key); } catch (e) { /* ignore */ } }

  function randomId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  // This tab's own key (Heard's page): the conversation cookie is bound to it, so it is this tab's only.
  function tabKey() {
    var key = get("session", KEY.tab);
    if (!key || !/^[A-Za-z0-9_-]{22,64}$/.test(key)) {
      key = randomId();
      set("session", KEY.tab, key);
    }
    return key;
  }
  function loadLog() {
    try { var v = JSON.parse(get("session", KEY.log) || "[]"); return Array.isArray(v) ? v : []; }
    catch (e) { return []; }
  }
  var transcript = loadLog();
  function saveLog() { set("session", KEY.log, JSON.stringify(transcript)); }

  // ---------- DOM helpers ----------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name === "on") Object.keys(value).forEach(function (ev) { node.addEventListener(ev, value[ev]); });
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  function hiddenText(text) { return el("span", { "class": "heard-sr", text: text }); }

  // Emoji are pictures for the eye: hidden from screen readers and kept out of names and announcements.
  var EMOJI = /(?:\p{Extended_Pictographic}|\p{Regional_Indicator})(?:\uFE0F|\u20E3|[\u{1F3FB}-\u{1F3FF}]|\u200D\p{Extended_Pictographic}\uFE0F?)*/gu;
  function plain(text) {
    return String(text || "").replace(EMOJI, "").replace(/[ \t]{2,}/g, " ").replace(/ +([.,!?])/g, "$1").trim();
  }
  // `text` as nodes: words as text, each emoji in an aria-hidden span; new lines as <br>.
  function appendWords(parent, text) {
    String(text || "").split("\n").forEach(function (line, i) {
      if (i) parent.appendChild(el("br"));
      var last = 0;
      line.replace(EMOJI, function (match, offset) {
        if (offset > last) parent.appendChild(document.createTextNode(line.slice(last, offset)));
        parent.appendChild(el("span", { "class": "heard-emoji", "aria-hidden": "true", text: match }));
        last = offset + match.length;
        return match;
      });
      if (last < line.length) parent.appendChild(document.createTextNode(line.slice(last)));
    });
    return parent;
  }
  function firstWords(text, n) {
    var words = plain(text).replace(/\s+/g, " ").split(" ").filter(Boolean);
    return words.slice(0, n).join(" ") + (words.length > n ? "…" : "");
  }
  // Every Play button has its own name, which says what it plays.
  var playNames = {};
  function uniqueName(name) {
    playNames[name] = (playNames[name] || 0) + 1;
    return playNames[name] > 1 ? name + " (" + playNames[name] + ")" : name;
  }

  // ---------- build the interface ----------
  var css = document.querySelector('link[href$="widget.css"]');
  if (!css) {
    document.head.appendChild(el("link", { rel: "stylesheet", href: base + "/widget.css" }));
  }

  var root = el("section", { "class": "heard", id: "heard-chat", "aria-label": TEXT.title });
  var leaveButton = el("button", {
    type: "button", "class": "heard-leave", id: "heard-leave",
    "aria-describedby": "heard-leave-hint", on: { click: quickExit }
  }, [document.createTextNode(TEXT.leave)]);
  var leaveHint = el("span", { id: "heard-leave-hint", "class": "heard-leave-hint", text: TEXT.leaveHint });

  function toggle(id, label, pref, onChange) {
    var button = el("button", { type: "button", "class": "heard-tool", id: id, "aria-pressed": "false", text: label });
    function apply(on) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      onChange(on);
    }
    button.addEventListener("click", function () {
      var on = button.getAttribute("aria-pressed") !== "true";
      set("local", pref, on ? "1" : "0");
      apply(on);
    });
    apply(get("local", pref) === "1");
    return button;
  }
  var sizeButton = toggle("heard-size", TEXT.bigger, KEY.size, function (on) { root.classList.toggle("heard-large", on); });
  var contrastButton = toggle("heard-contrast", TEXT.contrast, KEY.contrast, function (on) {
    root.classList.toggle("heard-contrast", on);
    if (pageMode) document.body.classList.toggle("heard-contrast-page", on);
  });
  var readAloud = false;
  var audioButton = toggle("heard-read", TEXT.readAloud, KEY.audio, function (on) {
    readAloud = on;
    if (!on) stopAudio();
  });
  var signinButton = el("button", {
    type: "button", "class": "heard-tool", id: "heard-signin-open", "aria-expanded": "false",
    "aria-controls": "heard-signin", text: TEXT.signin
  });

  var heading = el(pageMode ? "h1" : "h2", { "class": "heard-title", id: "heard-title", text: TEXT.title });
  // Settings sit behind one button, so on a phone the conversation keeps the screen.
  var settingsButton = el("button", { type: "button", "class": "heard-tool heard-settings", id: "heard-settings",
    "aria-expanded": "false", "aria-controls": "heard-tools", text: TEXT.settings });
  var header = el("div", { "class": "heard-header" }, [
    el("div", { "class": "heard-brand" }, [heading]),
    settingsButton,
    el("div", { "class": "heard-leave-wrap" }, [leaveButton, leaveHint])
  ]);
  var intro = el("p", { "class": "heard-intro", text: TEXT.intro });
  var tools = el("div", { "class": "heard-tools", id: "heard-tools", role: "group", "aria-label": TEXT.settings,
    hidden: true }, [sizeButton, contrastButton, audioButton, signinButton]);
  settingsButton.addEventListener("click", function () {
    var open = tools.hidden;
    tools.hidden = !open;
    settingsButton.setAttribute("aria-expanded", open ? "true" : "false");
  });

  // Sign-in (a short code from the social worker)
  var codeInput = el("input", {
    id: "heard-code", name: "code", type: "text", inputmode: "text", autocomplete: "one-time-code",
    autocapitalize: "characters", spellcheck: "false", maxlength: "20", pattern: "[A-Za-z0-9 \\-]*",
    "aria-describedby": "heard-code-help", "class": "heard-input heard-code"
  });
  var codeStatus = el("p", { "class": "heard-code-status", id: "heard-code-status", role: "status" });
  var signinForm = el("form", { id: "heard-signin", "class": "heard-signin", hidden: true, "aria-label": "Sign in with a code" }, [
    el("label", { "for": "heard-code", id: "heard-code-label", text: TEXT.codeLabel }),
    el("p", { id: "heard-code-help", "class": "heard-help", text: TEXT.codeHelp }),
    codeInput,
    el("div", { "class": "heard-row" }, [
      el("button", { type: "submit", "class": "heard-primary", text: TEXT.codeSend }),
      el("button", { type: "button", "class": "heard-secondary", id: "heard-signin-cancel", text: TEXT.cancel,
        on: { click: function () { showSignin(false); signinButton.focus(); } } })
    ]),
    codeStatus
  ]);

  var log = el("div", { "class": "heard-log", id: "heard-log", role: "log", "aria-live": "polite",
    "aria-relevant": "additions", "aria-label": TEXT.log, tabindex: "0" });
  var status = el("p", { "class": "heard-status", id: "heard-status", role: "status" });
  var input = el("textarea", {
    id: "heard-input", name: "message", rows: "2", "class": "heard-input", autocomplete: "off",
    autocapitalize: "sentences", spellcheck: "true", "aria-describedby": "heard-status"
  });
  var sendButton = el("button", { type: "submit", "class": "heard-primary heard-send", id: "heard-send", text: TEXT.send });
  var composer = el("form", { "class": "heard-composer", id: "heard-composer" }, [
    el("label", { "for": "heard-input", "class": "heard-label", text: TEXT.label }),
    el("div", { "class": "heard-row" }, [input, sendButton])
  ]);
  var player = el("audio", { id: "heard-audio", preload: "none", "class": "heard-audio" });

  [header, intro, tools, signinForm, log, status, composer, player].forEach(function (n) { root.appendChild(n); });

  var panel = root;
  var launcher = null;
  if (pageMode) {
    (document.querySelector("[data-heard-mount]") || document.body).appendChild(root);
  } else {
    root.classList.add("heard-embedded");
    root.hidden = true;
    launcher = el("button", { type: "button", "class": "heard-launcher", id: "heard-launcher",
      "aria-expanded": "false", "aria-controls": "heard-chat", text: TEXT.open });
    var close = el("button", { type: "button", "class": "heard-tool heard-close", text: TEXT.close,
      on: { click: function () { openPanel(false); } } });
    tools.appendChild(close);
    launcher.addEventListener("click", function () { openPanel(root.hidden); });
    document.body.appendChild(launcher);
    document.body.appendChild(root);
  }
  function openPanel(open) {
    panel.hidden = !open;
    if (launcher) launcher.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { start(); input.focus(); } else if (launcher) { launcher.focus(); }
  }

  // ---------- messages ----------
  var busy = false;
  var queue = [];

  function disableOldChoices() {
    var buttons = log.querySelectorAll(".heard-choice:not([disabled])");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    transcript.forEach(function (entry) { entry.used = true; });
  }

  // New replies are shown from their first line, so the child reads them from the start.
  function showFromStart(node) {
    if (node && node.scrollIntoView) node.scrollIntoView({ block: "start", behavior: reducedMotion ? "auto" : "smooth" });
  }
  function scrollToEnd(node) {
    if (node && node.scrollIntoView) node.scrollIntoView({ block: "end", behavior: reducedMotion ? "auto" : "smooth" });
  }

  function renderEntry(entry) {
    var who = entry.who === "you" ? "you" : "bot";
    var item = el("div", { "class": "heard-msg heard-" + who, tabindex: who === "bot" ? "-1" : null });
    var p = el("p", { "class": "heard-text" }, [hiddenText(who === "you" ? TEXT.you + " " : TEXT.heard + " ")]);
    String(entry.text || "").split("\n").forEach(function (line, i) {
      if (i) p.appendChild(el("br"));
      p.appendChild(document.createTextNode(line));
    });
    item.appendChild(p);
    if (who === "bot" && entry.audio) {
      var play = el("button", { type: "button", "class": "heard-play", "aria-label": TEXT.playLabel,
        "data-audio": entry.audio, text: "▶ " + TEXT.play });
      play.addEventListener("click", function () { togglePlay(play); });
      item.appendChild(play);
    }
    if (who === "bot" && entry.buttons && entry.buttons.length) {
      var group = el("div", { "class": "heard-choices", role: "group", "aria-label": TEXT.choices });
      entry.buttons.forEach(function (b) {
        var choice = el("button", { type: "button", "class": "heard-choice", text: b.title, disabled: !!entry.used });
        choice.addEventListener("click", function () {
          if (choice.disabled || busy) return;
          send(b.payload, { shown: b.title });
        });
        group.appendChild(choice);
      });
      item.appendChild(group);
    }
    log.appendChild(item);
    return item;
  }

  function addEntries(entries) {
    var first = null;
    entries.forEach(function (entry) {
      transcript.push(entry);
      var node = renderEntry(entry);
      first = first || node;
    });
    saveLog();
    return first;
  }

  // The first new message from Heard (it can take focus after a button press: tabindex=-1).
  function firstBotMessage(node) {
    for (var n = node; n; n = n.nextElementSibling) {
      if (n.classList.contains("heard-bot")) return n;
    }
    return null;
  }

  // Take the sent words out of the box, but keep anything the child typed while waiting for the reply.
  function removeSent(sent) {
    var now = input.value;
    var start = now.replace(/^\s+/, "");
    if (start.indexOf(sent) === 0) input.value = start.slice(sent.length).replace(/^\s+/, "");
    else if (now.trim() === sent) input.value = "";
  }

  function setStatus(text, kind) {
    status.textContent = text || "";
    status.className = "heard-status" + (kind ? " heard-status-" + kind : "");
  }

  function post(path, body) {
    var headers = { "Content-Type": "application/json" };
    if (sameOrigin) {
      headers["X-Heard-Tab"] = tabKey();
    } else {
      var token = get("session", KEY.conversation);
      if (token) headers["X-Heard-Conversation"] = token;
    }
    return fetch(base + path, {
      method: "POST",
      headers: headers,
      body: JSON.stringify(body),
      credentials: sameOrigin ? "same-origin" : "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        data = data || {};
        if (typeof data.conversation === "string") set("session", KEY.conversation, data.conversation);
        if (data.restarted) { disableOldChoices(); saveLog(); }
        if (data.signed_in === true || data.signed_in === false) showSignedIn(data.signed_in);
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function showSignedIn(on) {
    set("session", KEY.signedIn, on ? "1" : "0");
    signinButton.hidden = on;
    if (on) { signinForm.hidden = true; signinButton.setAttribute("aria-expanded", "false"); }
  }

  // After "No, start again" at sign-in: what was on screen belongs to the earlier conversation.
  function clearLog() {
    transcript = [];
    while (log.firstChild) log.removeChild(log.firstChild);
    saveLog();
  }

  // Lines the server sent, shown as Heard's messages (with their choices).
  function showBotMessages(messages) {
    var entries = [];
    (messages || []).forEach(function (m) {
      if (m && (m.text || (m.buttons && m.buttons.length))) {
        entries.push({ who: "bot", text: m.text || "", buttons: m.buttons || [], audio: m.audio || null });
      }
    });
    return { entries: entries, first: addEntries(entries) };
  }

  function firstText(data, fallback) {
    var m = data && data.messages && data.messages[0];
    return (m && m.text) || fallback;
  }

  // Send a message (typed, or a button payload shown as its title). Silent: nothing shown for the child.
  function send(message, options) {
    options = options || {};
    if (busy) return Promise.resolve(false);
    busy = true;
    sendButton.disabled = true;
    log.setAttribute("aria-busy", "true");
    setStatus(TEXT.sending);
    return post("/api/chat", { message: message }).then(function (result) {
      if (!result.ok) {
        setStatus(firstText(result.data, TEXT.busy), "error");
        return false;
      }
      setStatus(options.status || "");
      disableOldChoices();
      if (result.data.fresh) clearLog();
      var mine = options.silent ? null : addEntries([{ who: "you", text: options.shown || message }]);
      var shown = showBotMessages(result.data.messages);
      var entries = shown.entries;
      var firstNew = mine || shown.first;
      if (options.typed) removeSent(message);
      // Focus follows the child, and never lands on a choice by itself: a child who keeps typing must
      // never press a button with a key meant for the text box.
      var firstBot = firstBotMessage(firstNew);
      if (options.noFocus) { /* the child has not acted yet: leave focus where it is */ }
      else if (options.typed || document.activeElement === input) input.focus({ preventScroll: true });
      else if (firstBot) firstBot.focus({ preventScroll: true });
      else input.focus({ preventScroll: true });
      showFromStart(firstNew);
      if (readAloud) {
        entries.forEach(function (e) { if (e.who === "bot" && e.audio) queue.push(e.audio); });
        playNext();
      }
      return true;
    }).catch(function () {
      setStatus(TEXT.busy, "error");
      return false;
    }).then(function (ok) {
      busy = false;
      sendButton.disabled = false;
      log.removeAttribute("aria-busy");
      return ok;
    });
  }

  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { input.focus(); return; }
    send(text, { typed: true });
  });
  // A child who starts typing while a message has focus (after pressing a button) types into the box.
  log.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target || target.tagName === "BUTTON" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key && event.key.length === 1 && event.key !== " ") input.focus({ preventScroll: true });
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (composer.requestSubmit) composer.requestSubmit(); else sendButton.click();
    }
  });

  // ---------- audio ----------
  var playingButton = null;
  function resetPlayButton() {
    if (playingButton) {
      playingButton.textContent = "▶ " + TEXT.play;
      playingButton.setAttribute("aria-label", TEXT.playLabel);
      playingButton = null;
    }
  }
  function stopAudio() {
    queue = [];
    try { player.pause(); } catch (e) { /* nothing playing */ }
    resetPlayButton();
  }
  function playUrl(url, button) {
    resetPlayButton();
    player.src = url.charAt(0) === "/" ? base + url : url;
    if (button) {
      playingButton = button;
      button.textContent = "■ " + TEXT.stop;
      button.setAttribute("aria-label", TEXT.stopLabel);
    }
    var attempt = player.play();
    if (attempt && attempt.catch) attempt.catch(function () { resetPlayButton(); queue = []; });
  }
  function togglePlay(button) {
    if (playingButton === button) { stopAudio(); return; }
    queue = [];
    playUrl(button.getAttribute("data-audio"), button);
  }
  function playNext() {
    if (!player.paused && !player.ended) return;
    var next = queue.shift();
    if (!next) return;
    var button = log.querySelector('.heard-play[data-audio="' + (window.CSS && CSS.escape ? CSS.escape(next) : next) + '"]');
    playUrl(next, button);
  }
  player.addEventListener("ended", function () { resetPlayButton(); playNext(); });
  player.addEventListener("error", function () { resetPlayButton(); playNext(); });

  // ---------- sign-in ----------
  function showSignin(show) {
    signinForm.hidden = !show;
    signinButton.setAttribute("aria-expanded", show ? "true" : "false");
    codeStatus.textContent = "";
    if (show) codeInput.focus();
  }
  signinButton.addEventListener("click", function () { showSignin(signinForm.hidden); });
  signinForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = codeInput.value.replace(/[\s-]/g, "");
    codeStatus.textContent = TEXT.sending;
    post("/api/signin", { code: code }).then(function (result) {
      if (!result.ok) {
        codeStatus.textContent = firstText(result.data, TEXT.busy);
        codeInput.focus();
        return;
      }
      codeInput.value = "";
      showSignin(false);
      showSignedIn(true);
      setStatus(TEXT.signedIn);
      if (result.data.messages && result.data.messages.length) {
        // "Do you want me to keep what you wrote before you signed in?" Yes / No
        disableOldChoices();
        var first = firstBotMessage(showBotMessages(result.data.messages).first);
        if (first) { first.focus({ preventScroll: true }); showFromStart(first); }
      } else {
        send("/greet", { silent: true, status: TEXT.signedIn });
      }
    }).catch(function () { codeStatus.textContent = TEXT.busy; });
  });

  // ---------- quick exit ----------
  function quickExit() {
    try { player.pause(); player.removeAttribute("src"); } catch (e) { /* ignore */ }
    remove("session", KEY.tab);
    remove("session", KEY.conversation);
    remove("session", KEY.signedIn);
    remove("session", KEY.log);
    transcript = [];
    while (root.firstChild) root.removeChild(root.firstChild);
    if (root.parentNode) root.parentNode.removeChild(root);
    if (launcher && launcher.parentNode) launcher.parentNode.removeChild(launcher);
    if (pageMode) document.title = "Weather";
    window.location.replace(EXIT_URL);
  }
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") return;
    var now = Date.now();
    if (now - lastEscape < 1500) { event.preventDefault(); quickExit(); return; }
    lastEscape = now;
  });

  // ---------- start ----------
  var started = false;
  function start() {
    if (started) return;
    started = true;
    if (get("session", KEY.signedIn) === "1") showSignedIn(true);
    if (transcript.length) {
      transcript.forEach(renderEntry);
      scrollToEnd(log.lastElementChild);
    } else {
      send("/greet", { silent: true, noFocus: true });
    }
  }
  if (pageMode) start();

  window.Heard = { quickExit: quickExit };
})();
