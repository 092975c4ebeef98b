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
    audio: "heard.readAloud",
    symbols: "heard.symbols"
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
    symbols: "Picture buttons",
    symbolsCredit: "Pictures:",
    symbolsLicence: "OpenMoji, CC BY-SA 4.0",
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
  // One line as nodes: words as text, each emoji in an aria-hidden span.
  function appendEmoji(parent, line) {
    var last = 0;
    line = String(line || "");
    line.replace(EMOJI, function (match, offset) {
      if (offset > last) parent.appendChild(document.createTextNode(line.slice(last, offset)));
      parent.appendChild(el("span", { "class": "heard-emoji", "aria-hidden": "true", text: match }));
      last = offset + match.length;
      return match;
    });
    if (last < line.length) parent.appendChild(document.createTextNode(line.slice(last)));
    return parent;
  }
  // Several lines (a message, a status line): new lines as <br>.
  function appendLines(parent, text) {
    String(text || "").split("\n").forEach(function (line, i) {
      if (i) parent.appendChild(el("br"));
      appendEmoji(parent, line);
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
  // Picture buttons (Easy Read, issue 18): a symbol beside every choice and key word (OpenMoji, served by
  // Heard). The symbols are decorative (alt=""): the words beside them carry the meaning.
  var SYMBOL_URL = /^\/symbols\/[a-z0-9-]+\.svg$/;
  var symbolsCredit = el("p", { "class": "heard-credit", id: "heard-credit", hidden: true }, [
    document.createTextNode(TEXT.symbolsCredit + " "),
    el("a", { href: base + "/symbols/LICENSE.txt", target: "_blank", rel: "noopener", text: TEXT.symbolsLicence })
  ]);
  var symbolsButton = toggle("heard-symbols", TEXT.symbols, KEY.symbols, function (on) {
    root.classList.toggle("heard-with-symbols", on);
    symbolsCredit.hidden = !on;
  });
  function symbolImage(url) {
    return el("img", { "class": "heard-symbol", src: base + url, alt: "", width: "32", height: "32", loading: "lazy" });
  }
  // A symbol before each key word the server named in a message (after the words are on the page: only the
  // visible text is looked at, never the hidden "Heard said:" nor emoji); the words stay plain text.
  function addKeywordSymbols(p, keywords) {
    var words = (keywords || []).filter(function (k) { return k && k.word && SYMBOL_URL.test(k.symbol); });
    if (!words.length) return;
    var symbolOf = {};
    words.forEach(function (k) { symbolOf[k.word.toLowerCase()] = k.symbol; });
    var pattern = new RegExp("\\b(" + words.map(function (k) {
      return k.word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }).join("|") + ")\\b", "gi");
    Array.prototype.slice.call(p.childNodes).forEach(function (node) {
      if (node.nodeType !== 3) return;
      var line = node.nodeValue, last = 0, match, parts = [];
      pattern.lastIndex = 0;
      while ((match = pattern.exec(line)) !== null) {
        parts.push(document.createTextNode(line.slice(last, match.index)));
        parts.push(el("span", { "class": "heard-keyword" },
          [symbolImage(symbolOf[match[1].toLowerCase()]), document.createTextNode(match[1])]));
        last = match.index + match[1].length;
      }
      if (!parts.length) return;
      parts.push(document.createTextNode(line.slice(last)));
      parts.forEach(function (part) { p.insertBefore(part, node); });
      p.removeChild(node);
    });
  }
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
    el("div", { "class": "heard-leave-wrap" }, [leaveButton, leaveHint]),
    settingsButton // after Leave quickly: that stays the first thing Tab reaches
  ]);
  var intro = el("p", { "class": "heard-intro", text: TEXT.intro });
  var tools = el("div", { "class": "heard-tools", id: "heard-tools", role: "group", "aria-label": TEXT.settings,
    hidden: true }, [sizeButton, contrastButton, audioButton, symbolsButton, signinButton]);
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
  var codeNote = noteLine("heard-code-status", "heard-code-status");
  var signinForm = el("form", { id: "heard-signin", "class": "heard-signin", hidden: true, "aria-label": "Sign in with a code" }, [
    el("label", { "for": "heard-code", id: "heard-code-label", text: TEXT.codeLabel }),
    el("p", { id: "heard-code-help", "class": "heard-help", text: TEXT.codeHelp }),
    codeInput,
    el("div", { "class": "heard-row" }, [
      el("button", { type: "submit", "class": "heard-primary", text: TEXT.codeSend }),
      el("button", { type: "button", "class": "heard-secondary", id: "heard-signin-cancel", text: TEXT.cancel,
        on: { click: function () { showSignin(false); signinButton.focus(); } } })
    ]),
    codeNote.node
  ]);

  // The conversation is not a live region itself: each reply is announced once, cleanly, by `announcer`
  // (the words, then "N choices"); the child's own words are not read back to them, and a reload
  // re-draws the conversation without announcing it again.
  var log = el("div", { "class": "heard-log", id: "heard-log", role: "region", "aria-label": TEXT.log,
    tabindex: "0" });
  var announcer = el("div", { "class": "heard-sr", id: "heard-announce", "aria-live": "polite",
    "aria-atomic": "true" });
  var status = noteLine("heard-status", "heard-status");
  var input = el("textarea", {
    id: "heard-input", name: "message", rows: "2", "class": "heard-input", autocomplete: "off",
    autocapitalize: "sentences", spellcheck: "true", "aria-describedby": "heard-status"
  });
  var sendButton = el("button", { type: "submit", "class": "heard-primary heard-send", id: "heard-send", text: TEXT.send });
  // "Play what I wrote": the words in the box, spoken by Heard's own offline voice (never kept).
  var playBox = el("button", { type: "button", "class": "heard-play heard-play-box", id: "heard-play-box",
    "aria-label": TEXT.playBox, "data-name": TEXT.playBox, hidden: true, text: "▶ " + TEXT.play });
  var composer = el("form", { "class": "heard-composer", id: "heard-composer" }, [
    el("div", { "class": "heard-label-row" }, [
      el("label", { "for": "heard-input", "class": "heard-label", text: TEXT.label }), playBox]),
    el("div", { "class": "heard-row" }, [input, sendButton])
  ]);
  var player = el("audio", { id: "heard-audio", preload: "none", "class": "heard-audio" });
  // When the browser blocks playing (autoplay rules on phones), a visible button plays it on a tap.
  var tapButton = el("button", { type: "button", "class": "heard-primary heard-tap", id: "heard-tap", hidden: true },
    [el("span", { "aria-hidden": "true", text: "🔊 " }), document.createTextNode(TEXT.tapToHear)]);

  [header, intro, tools, signinForm, log, announcer, status.node, tapButton, composer, player].forEach(function (n) {
    root.appendChild(n);
  });
  root.appendChild(symbolsCredit);

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
    header.appendChild(close); // not behind Settings: closing is always one press away
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
  var pressedAt = false; // a choice was pressed and focus has not reached the new message yet
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

  var messageCount = 0;
  function renderEntry(entry) {
    var who = entry.who === "you" ? "you" : "bot";
    messageCount += 1;
    var item = el("div", { "class": "heard-msg heard-" + who, id: "heard-msg-" + messageCount,
      tabindex: who === "bot" ? "-1" : null });
    var words = appendLines(el("span", { id: "heard-words-" + messageCount }), entry.text);
    var p = el("p", { "class": "heard-text" }, [hiddenText(who === "you" ? TEXT.you + " " : TEXT.heard + " "), words]);
    item.appendChild(p);
    if (who === "bot") addKeywordSymbols(words, entry.keywords);
    if (who === "bot" && entry.audio) {
      var play = playButton("Play: " + firstWords(entry.text, 6));
      play.setAttribute("data-audio", entry.audio);
      item.appendChild(play);
    }
    if (who === "you" && entry.typed && plain(entry.text)) {
      var mine = playButton(TEXT.playMine + ": " + firstWords(entry.text, 6), function () {
        playOwnWords(entry.text, mine);
      });
      item.appendChild(mine);
    }
    if (who === "bot" && entry.buttons && entry.buttons.length) {
      // The choices are a group named by their question.
      var group = el("div", { "class": "heard-choices", role: "group", "aria-labelledby": words.id });
      entry.buttons.forEach(function (b) {
        var choice = appendEmoji(el("button", { type: "button", "class": "heard-choice", disabled: !!entry.used }),
          b.title);
        if (b.symbol && SYMBOL_URL.test(b.symbol)) choice.insertBefore(symbolImage(b.symbol), choice.firstChild);
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

  function setStatus(text, kind, audio) {
    status.show(text, kind, audio);
  }

  // One clean announcement of Heard's reply: the words, then how many choices. Emoji are left out.
  function announce(entries) {
    var parts = [];
    entries.forEach(function (e) {
      if (e.who !== "bot") return;
      var said = plain(e.text);
      var n = (e.buttons || []).length;
      if (n) said += n === 1 ? TEXT.oneChoice : " " + n + TEXT.choiceCount;
      if (said) parts.push(said);
    });
    announcer.textContent = "";
    if (parts.length) window.setTimeout(function () { announcer.textContent = parts.join(" "); }, 50);
  }

  // The focused element is shown whole (WCAG 2.4.11): nothing of it hidden by the edge of the conversation.
  function revealFocus() {
    var node = document.activeElement;
    if (!node || !root.contains(node) || !node.scrollIntoView) return;
    var box = node.getBoundingClientRect();
    var area = log.contains(node) ? log.getBoundingClientRect() : { top: 0, bottom: window.innerHeight };
    var top = Math.max(area.top, 0), bottom = Math.min(area.bottom, window.innerHeight);
    if (box.top < top || box.bottom > bottom) {
      node.scrollIntoView({ block: box.height > bottom - top ? "start" : "nearest", behavior: "instant" });
    }
  }
  root.addEventListener("focusin", function () { window.setTimeout(revealFocus, 0); });

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
        entries.push({ who: "bot", text: m.text || "", buttons: m.buttons || [], audio: m.audio || null,
          keywords: m.keywords || null });
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
    // "Sending…" only when the answer takes more than a second: no clutter on every turn.
    var slow = window.setTimeout(function () { setStatus(TEXT.sending); }, 1000);
    return post("/api/chat", { message: message }).then(function (result) {
      window.clearTimeout(slow);
      if (!result.ok) {
        var said = result.data && result.data.messages && result.data.messages[0];
        setStatus(firstText(result.data, options.typed ? TEXT.busy : TEXT.busyPressed), "error", said && said.audio);
        if (result.data.restarted && !options.typed) window.setTimeout(function () { send("/greet", { silent: true }); }, 0);
        return false;
      }
      setStatus(options.status || "");
      disableOldChoices();
      if (result.data.fresh) clearLog();
      var mine = options.silent ? null : addEntries([{ who: "you", text: options.shown || message,
        typed: !!options.typed }]);
      var shown = showBotMessages(result.data.messages);
      var entries = shown.entries;
      var firstNew = mine || shown.first;
      if (options.typed) removeSent(message);
      // Focus follows the child, and never lands on a choice by itself: a child who keeps typing must
      // never press a button with a key meant for the text box.
      var firstBot = firstBotMessage(firstNew);
      showFromStart(firstNew);
      announce(entries);
      // Announce first, then move focus (in a later task), so a screen reader's speech is not cut off.
      if (options.noFocus) { /* the child has not acted yet: leave focus where it is */ }
      else if (options.typed || document.activeElement === input) input.focus({ preventScroll: true });
      else {
        var was = document.activeElement;
        pressedAt = true;
        window.setTimeout(function () {
          pressedAt = false;
          // Not if the child has already moved on (started typing, say): focus is theirs.
          var now = document.activeElement;
          if (now !== was && now && now !== document.body) return;
          (firstBot || input).focus({ preventScroll: true });
          revealFocus();
        }, 150);
      }
      if (readAloud) {
        entries.forEach(function (e) { if (e.who === "bot" && e.audio) queue.push(e.audio); });
        playNext();
      }
      return true;
    }).catch(function () {
      window.clearTimeout(slow);
      setStatus(options.typed ? TEXT.busy : TEXT.busyPressed, "error");
      return false;
    }).then(function (ok) {
      busy = false;
      sendButton.disabled = false;
      return ok;
    });
  }

  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { input.focus(); return; }
    send(text, { typed: true }).then(showPlayBox);
  });
  function showPlayBox() { playBox.hidden = !plain(input.value); }
  input.addEventListener("input", showPlayBox);
  playBox.addEventListener("click", function () { playOwnWords(input.value, playBox); });
  // A child who starts typing while a message has focus (after pressing a button) types into the box.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    // Keys typed in the log, or (just after a pressed choice, before focus reaches the new message) with
    // nothing focused; never a council page's own keys.
    if (!target || !(log.contains(target) || (target === document.body && (pageMode || pressedAt)))) return;
    // (A choice just pressed is disabled but may keep focus until the reply is announced: typing goes on.)
    if (!target || (target.tagName === "BUTTON" && !target.disabled) || event.ctrlKey || event.metaKey ||
        event.altKey) return;
    if (event.key && event.key.length === 1 && (event.key !== " " || target.disabled || target === document.body)) {
      input.focus({ preventScroll: true });
    }
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (composer.requestSubmit) composer.requestSubmit(); else sendButton.click();
    }
  });

  // ---------- audio ----------
  var playingButton = null;
  // A Play button whose name says what it plays ("Play: What do you want help with?"), unique on the page.
  function playButton(name, onClick) {
    var button = el("button", { type: "button", "class": "heard-play", text: "▶ " + TEXT.play });
    labelPlay(button, uniqueName(name));
    button.addEventListener("click", onClick || function () { togglePlay(button); });
    return button;
  }
  function labelPlay(button, name) {
    button.setAttribute("data-name", name);
    button.setAttribute("aria-label", name);
  }
  function resetPlayButton() {
    if (playingButton) {
      playingButton.textContent = "▶ " + TEXT.play;
      playingButton.setAttribute("aria-label", playingButton.getAttribute("data-name") || TEXT.playLabel);
      playingButton = null;
    }
  }
  // A status or error line with its own Play button: every word on the screen can be heard. The line is a
  // catalogue line, so the server may speak it (POST /audio); lines from the server bring their audio.
  function noteLine(id, cls) {
    var text = el("p", { "class": cls, id: id, role: "status" });
    var play = el("button", { type: "button", "class": "heard-play heard-play-note", id: id + "-play", hidden: true,
      text: "▶ " + TEXT.play });
    play.addEventListener("click", function () { togglePlay(play); });
    var shown = 0;
    function show(words, kind, audio) {
      shown += 1;
      var mine = shown;
      text.textContent = "";
      appendLines(text, words || "");
      text.className = cls + (kind ? " " + cls + "-" + kind : "");
      if (playingButton === play) stopAudio();
      play.hidden = true;
      play.removeAttribute("data-audio");
      if (!words) return;
      labelPlay(play, TEXT.playNote + ": " + firstWords(words, 6));
      var ready = function (url) {
        if (mine !== shown || !url) return;
        play.setAttribute("data-audio", url);
        play.hidden = false;
      };
      if (audio) ready(audio); else audioFor("/audio", words).then(ready);
    }
    return { node: el("div", { "class": "heard-note" }, [text, play]), text: text, play: play, show: show };
  }
  // The URL of some words spoken: a catalogue line (/audio), or the child's own words (/audio/mine).
  function audioFor(path, words) {
    return fetch(base + path, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: words }),
      credentials: sameOrigin ? "same-origin" : "omit", cache: "no-store", referrerPolicy: "no-referrer"
    }).then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (d) { return d && typeof d.url === "string" ? d.url : null; })
      .catch(function () { return null; });
  }
  // "Play what I wrote": spoken by Heard's own offline voice, never kept by the browser (no-store).
  function playOwnWords(words, button) {
    if (playingButton === button) { stopAudio(); return; }
    if (!plain(words)) return;
    audioFor("/audio/mine", words.trim()).then(function (url) {
      if (url) { queue = []; playUrl(url, button); }
    });
  }
  var pending = null;
  function showTapToHear(url, button) {
    pending = { url: url, button: button };
    tapButton.hidden = false;
  }
  tapButton.addEventListener("click", function () {
    tapButton.hidden = true;
    if (pending) playUrl(pending.url, pending.button);
    pending = null;
  });
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
      button.setAttribute("aria-label", TEXT.stopLabel + ": " +
        (button.getAttribute("data-name") || "").replace(/^[^:]*: /, ""));
    }
    tapButton.hidden = true;
    var attempt = player.play();
    // Blocked (autoplay rules on a phone): never fail silently; a visible button plays it on a tap.
    if (attempt && attempt.catch) {
      attempt.catch(function (error) {
        if (error && error.name === "AbortError") return; // another sound was started instead
        resetPlayButton();
        queue = [];
        showTapToHear(url, button);
      });
    }
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
    codeNote.show("");
    if (show) codeInput.focus();
  }
  signinButton.addEventListener("click", function () { showSignin(signinForm.hidden); });
  signinForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = codeInput.value.replace(/[\s-]/g, "");
    codeNote.show(TEXT.sending);
    post("/api/signin", { code: code }).then(function (result) {
      if (!result.ok) {
        var said = result.data && result.data.messages && result.data.messages[0];
        codeNote.show(firstText(result.data, TEXT.busyPressed), "", said && said.audio);
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
        var shown = showBotMessages(result.data.messages);
        var first = firstBotMessage(shown.first);
        announce(shown.entries);
        if (first) {
          showFromStart(first);
          window.setTimeout(function () { first.focus({ preventScroll: true }); revealFocus(); }, 150);
        }
      } else {
        send("/greet", { silent: true, status: TEXT.signedIn });
      }
    }).catch(function () { codeNote.show(TEXT.busyPressed, "error"); });
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
