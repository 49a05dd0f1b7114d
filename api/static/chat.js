/* The chat with Skolebro over Rasa's REST channel (parents at /, pupils at /elev).

Where the conversation is kept on this device:
- /elev (often a shared school computer): in this tab only (sessionStorage), never in lasting
  storage. "Afslut" clears the tab at once, and after config.pupilIdleSeconds without use the
  tab clears itself, with a warning first. What was sent stays with Skolebro.
- / (parents): in localStorage so a reload keeps it, but only until the conversation is
  finished (the sagsnummer is shown) and for config.deviceKeepHours since it was last used.
"Slet min samtale" asks the bot to delete the answers and, once confirmed, forgets it here too.
*/
"use strict";

(function () {
  const { config, el } = window.Skolebro;
  const pupil = config.page === "elev";
  const STORE_KEY = "skolebro.chat.v1." + (pupil ? "elev" : "forælder");
  const WEBHOOK = config.rasaUrl.replace(/\/$/, "") + "/webhooks/rest/webhook";
  const MIN_TYPING_MS = 350;
  const KEEP_MS = (config.deviceKeepHours || 12) * 3600 * 1000;
  const IDLE_MS = (config.pupilIdleSeconds || 600) * 1000;
  const WARN_MS = Math.min((config.pupilIdleWarningSeconds || 60) * 1000, IDLE_MS / 2);

  const log = document.getElementById("log");
  const typing = document.getElementById("typing");
  const composer = document.getElementById("composer");
  const input = document.getElementById("message");
  const progressWrap = document.getElementById("progress");
  const progressBar = document.getElementById("progress-bar");
  const progressLabel = document.getElementById("progress-label");
  const caseRef = document.getElementById("case-ref");
  const chatError = document.getElementById("chat-error");
  const deleteBtn = document.getElementById("delete-conversation");
  const restartBtn = document.getElementById("restart");
  const finishBtn = document.getElementById("finish");
  const idleWarning = document.getElementById("idle-warning");
  const stayBtn = document.getElementById("stay");
  const closedNote = document.getElementById("closed-note");
  const chatSection = document.getElementById("chat");
  const codeStep = document.getElementById("code-step");

  // --- state ----------------------------------------------------------------------------
  // Pupils: the tab only. Parents: the device, with an expiry.
  const storage = (() => {
    try { return pupil ? window.sessionStorage : window.localStorage; } catch (e) { return null; }
  })();
  function newSender() {
    const rand = window.crypto && crypto.randomUUID ? crypto.randomUUID()
      : Math.random().toString(36).slice(2) + Date.now().toString(36);
    return "web-" + rand;
  }
  function load() {
    try {
      const raw = storage && storage.getItem(STORE_KEY);
      if (!raw) return null;
      const saved = JSON.parse(raw);
      // A finished or long-abandoned conversation is not kept on the device.
      if (saved.reference || !saved.savedAt || Date.now() - saved.savedAt > KEEP_MS) {
        storage.removeItem(STORE_KEY);
        return null;
      }
      return saved;
    } catch (e) { /* storage blocked or corrupt: start fresh */ }
    return null;
  }
  let state = load();
  function fresh() {
    return { sender: newSender(), transcript: [], progress: null, reference: null,
      awaitingDelete: false };
  }
  function save() {
    if (!storage) return;
    try {
      if (state.reference) {
        // Finished: the sagsnummer is on the screen; nothing stays on the device.
        storage.removeItem(STORE_KEY);
        return;
      }
      state.savedAt = Date.now();
      storage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (e) { /* ignore */ }
  }
  function forget() {
    try { if (storage) storage.removeItem(STORE_KEY); } catch (e) { /* ignore */ }
  }

  // --- rendering ------------------------------------------------------------------------
  const EMOJI = /^(\p{Extended_Pictographic}\uFE0F?)\s*/u;

  function renderButtons(buttons) {
    const isScale = buttons.some((b) => EMOJI.test(b.title));
    const group = el("div", { class: "choices" + (isScale ? " scale" : ""), role: "group",
      "aria-label": "Svarmuligheder" });
    for (const b of buttons) {
      const m = b.title.match(EMOJI);
      const label = m ? b.title.slice(m[0].length) : b.title;
      const btn = el("button", { type: "button", "data-payload": b.payload }, [
        m ? el("span", { class: "emoji", "aria-hidden": "true", text: m[1] }) : null,
        el("span", { text: label }),
      ]);
      btn.addEventListener("click", () => choose(b, group));
      group.append(btn);
    }
    return group;
  }

  function addBubble(who, text, buttons, opts) {
    const item = el("li", { class: "msg " + who }, [
      el("span", { class: "who visually-hidden", text: who === "bot" ? "Skolebro:" : "Dig:" }),
      text,
    ]);
    log.append(item);
    let last = item;
    if (buttons && buttons.length) {
      const li = el("li", { class: "choices-row" }, [renderButtons(buttons)]);
      log.append(li);
      last = li;
      if (opts && opts.focus) {
        const first = li.querySelector("button");
        if (first) first.focus({ preventScroll: true });
      }
    }
    last.scrollIntoView({ block: "nearest" });
  }

  function removeChoices() {
    for (const row of log.querySelectorAll(".choices-row")) row.remove();
  }

  function showProgress(p) {
    if (!p || !p.total) {
      progressWrap.hidden = true;
      return;
    }
    progressWrap.hidden = false;
    progressWrap.dataset.question = p.question || "";
    progressWrap.dataset.type = p.type || "";
    progressBar.max = p.total;
    progressBar.value = Math.min(p.current, p.total);
    progressLabel.textContent = "Spørgsmål " + p.current + " af " + p.total;
  }

  function showReference(ref) {
    if (!ref) {
      caseRef.hidden = true;
      caseRef.textContent = "";
      return;
    }
    caseRef.replaceChildren(
      el("span", { text: pupil ? "Dit nummer: " : "Jeres sagsnummer: " }),
      el("strong", { text: ref }),
      el("span", { text: pupil ? "" : "Gem det, hvis I vil spørge til sagen." }),
    );
    caseRef.hidden = false;
    progressWrap.hidden = true;
  }

  function renderAll() {
    log.replaceChildren();
    state.transcript.forEach((entry, i) => {
      const last = i === state.transcript.length - 1;
      addBubble(entry.who, entry.text, last ? entry.buttons : null);
    });
    showProgress(state.progress);
    showReference(state.reference);
  }

  // --- talking to Rasa ------------------------------------------------------------------
  let queue = Promise.resolve();
  let usedButton = false;

  function send(message, shown) {
    queue = queue.then(() => exchange(message, shown));
    return queue;
  }

  async function exchange(message, shown) {
    chatError.hidden = true;
    if (shown) {
      removeChoices();
      state.transcript.push({ who: "user", text: shown });
      addBubble("user", shown);
      save();
    }
    typing.hidden = false;
    log.setAttribute("aria-busy", "true");
    const started = Date.now();
    let replies;
    try {
      const resp = await fetch(WEBHOOK, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: state.sender, message }),
      });
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      replies = await resp.json();
    } catch (e) {
      typing.hidden = true;
      log.removeAttribute("aria-busy");
      chatError.textContent = "Skolebro svarer ikke lige nu. Dit svar er ikke sendt. " +
        "Prøv igen om lidt.";
      chatError.hidden = false;
      if (shown && message === input.dataset.lastTyped) input.value = shown;
      return;
    }
    const wait = MIN_TYPING_MS - (Date.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    typing.hidden = true;
    log.removeAttribute("aria-busy");
    handleReplies(replies || []);
  }

  function handleReplies(replies) {
    const askedToDelete = state.awaitingDelete;
    const texts = [];
    let buttons = [];
    for (const r of replies) {
      if (r.custom && r.custom.progress) state.progress = r.custom.progress;
      if (r.custom && r.custom.case && r.custom.case.reference) {
        state.reference = r.custom.case.reference;
        state.progress = null;
      }
      if (r.text) texts.push({ text: r.text, buttons: r.buttons || [] });
      else if (r.buttons && r.buttons.length && texts.length) {
        texts[texts.length - 1].buttons = texts[texts.length - 1].buttons.concat(r.buttons);
      }
      if (r.buttons && r.buttons.length) buttons = r.buttons;
    }
    // Only the newest buttons are live; a question without buttons ends the choice.
    if (!texts.length || !texts[texts.length - 1].buttons.length) buttons = [];

    // The bot asked "Vil du slette alle dine svar?"; if it now says they are deleted, this
    // device forgets the conversation too.
    state.awaitingDelete = buttons.some((b) => b.payload === "/affirm") &&
      texts.some((t) => /Vil du slette/.test(t.text));
    if (askedToDelete && replies.some((r) => r.text && /slettet/i.test(r.text) &&
        !/ikke slettet/i.test(r.text))) {
      finishDelete(texts);
      return;
    }
    showTexts(texts, usedButton);
    showProgress(state.progress);
    showReference(state.reference);
    save();
    if (!buttons.length || !usedButton) input.focus({ preventScroll: true });
  }

  function showTexts(texts, focusButtons) {
    texts.forEach((t, i) => {
      const last = i === texts.length - 1;
      state.transcript.push({ who: "bot", text: t.text, buttons: last ? t.buttons : [] });
      addBubble("bot", t.text, last ? t.buttons : null, { focus: last && focusButtons });
    });
  }

  function choose(button, group) {
    usedButton = true;
    group.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    const title = button.title.replace(EMOJI, "");
    send(button.payload, title);
  }

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      input.focus();
      return;
    }
    usedButton = false;
    input.value = "";
    input.dataset.lastTyped = text;
    send(text, text);
  });

  // --- delete ---------------------------------------------------------------------------
  deleteBtn.addEventListener("click", () => {
    usedButton = true;
    send("slet mine svar", "Slet min samtale");
  });

  function finishDelete(texts) {
    forget();
    state = fresh();
    log.replaceChildren();
    showProgress(null);
    showReference(null);
    const said = texts.map((t) => t.text).join("\n");
    addBubble("bot", said + "\nSamtalen er også slettet på denne enhed.");
    restartBtn.hidden = false;
    restartBtn.focus();
  }

  restartBtn.addEventListener("click", () => {
    restartBtn.hidden = true;
    forget();
    state = fresh();
    log.replaceChildren();
    if (pupil) showCodeStep();
    else start();
  });

  if (window.parent !== window) {
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") window.parent.postMessage({ skolebro: "close" }, "*");
    });
  }

  // --- shared computers (/elev): "Afslut" and clearing after no activity -------------------
  // Clears this tab only: what was sent is kept by Skolebro, nothing is deleted there.
  function closeHere(reason) {
    forget();
    state = null;
    stopIdle();
    log.replaceChildren();
    showProgress(null);
    showReference(null);
    idleWarning.hidden = true;
    closedNote.textContent = reason === "idle"
      ? "Samtalen blev lukket på denne computer, fordi der ikke skete noget. Dine svar er gemt."
      : "Samtalen er lukket på denne computer. Dine svar er gemt.";
    closedNote.hidden = false;
    showCodeStep();
  }

  let idleTimer = null;
  let warnTimer = null;
  function stopIdle() {
    clearTimeout(idleTimer);
    clearTimeout(warnTimer);
    idleTimer = warnTimer = null;
  }
  function touch() {
    if (!pupil || !state || chatSection.hidden) return;
    stopIdle();
    idleWarning.hidden = true;
    warnTimer = setTimeout(() => {
      idleWarning.hidden = false;
      stayBtn.focus({ preventScroll: true });
    }, IDLE_MS - WARN_MS);
    idleTimer = setTimeout(() => closeHere("idle"), IDLE_MS);
  }
  if (pupil) {
    finishBtn.addEventListener("click", () => closeHere("finish"));
    stayBtn.addEventListener("click", touch);
    for (const type of ["keydown", "pointerdown", "input"]) {
      document.addEventListener(type, touch, { passive: true });
    }
  }

  // --- start ----------------------------------------------------------------------------
  function start(code) {
    state = state && state.transcript.length ? state : fresh();
    chatSection.hidden = false;
    if (codeStep) codeStep.hidden = true;
    if (closedNote) closedNote.hidden = true;
    save();
    touch();
    if (!pupil) {
      send("hej", null);
    } else if (code) {
      // Pupil mode at once; the code is checked by the bot and used after consent.
      send('/have_code{"role": "elev"}', null).then(() => send(code, "Min kode: " + code));
    } else {
      send('/choose_role{"role": "elev"}', null);
    }
  }

  function showCodeStep(prefill) {
    chatSection.hidden = true;
    codeStep.hidden = false;
    const form = document.getElementById("code-form");
    const field = document.getElementById("code-input");
    const error = document.getElementById("code-error");
    field.value = prefill || "";
    field.focus();
    form.onsubmit = (event) => {
      event.preventDefault();
      const code = field.value.replace(/\s+/g, "").toUpperCase();
      if (!/^[A-Z0-9]{4,16}$/.test(code)) {
        error.textContent = "Skriv koden med bogstaver og tal, uden mellemrum.";
        error.hidden = false;
        field.setAttribute("aria-invalid", "true");
        field.focus();
        return;
      }
      error.hidden = true;
      field.removeAttribute("aria-invalid");
      start(code);
    };
    document.getElementById("no-code").onclick = () => start(null);
  }

  const params = new URLSearchParams(location.search);
  const urlCode = (params.get("kode") || "").replace(/\s+/g, "").toUpperCase();
  if (urlCode) {
    // Keep the code out of the address bar and history once read.
    params.delete("kode");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? "?" + rest : ""));
  }
  const validCode = /^[A-Z0-9]{4,16}$/.test(urlCode);

  if (state && state.transcript && state.transcript.length && !(pupil && validCode)) {
    renderAll();
    if (codeStep) codeStep.hidden = true;
    touch();
  } else if (pupil) {
    // A new code link opens a new conversation in this tab.
    forget();
    state = null;
    if (validCode) start(urlCode);
    else showCodeStep(urlCode);
  } else {
    state = null;
    start(null);
  }
})();
