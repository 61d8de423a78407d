// The sandbox page: personas, the selected persona's chat with the bot, the bot's clock.
// Messages are drawn from plain text + Telegram entities with DOM nodes only: no HTML from the bot
// is ever parsed, so nothing in a message can inject markup. Updates arrive as server-sent events.
"use strict";

const state = { personas: [], current: null, unread: {}, clockOffsetMs: 0, timezone: "Asia/Almaty", loading: null,
                stick: false };
const $ = (id) => document.getElementById(id);

async function api(path, body) {
  const options = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" },
                                               body: JSON.stringify(body) };
  const response = await fetch(path, options);
  if (!response.ok) throw new Error(await response.text());
  return response.json();
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 3500);
}

// -- formatting: Telegram entities (UTF-16 offsets, like JavaScript strings) ------------------------------

function safeUrl(url) {
  return /^(https?:|tg:|mailto:)/i.test(url || "") ? url : null;
}

function entityElement(entity, text) {
  switch (entity.type) {
    case "bold": return el("b");
    case "italic": return el("i");
    case "underline": return el("u");
    case "strikethrough": return el("s");
    case "code": return el("code");
    case "pre": return el("pre");
    case "blockquote": case "expandable_blockquote": return el("blockquote");
    case "spoiler": {
      const span = el("span", { class: "spoiler", title: "spoiler" });
      span.addEventListener("click", () => span.classList.add("shown"));
      return span;
    }
    case "text_link": case "url": {
      const href = safeUrl(entity.type === "url" ? text : entity.url);
      return href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }) : el("span");
    }
    default: return el("span");
  }
}

function renderFormatted(text, entities, start = 0, end = text.length) {
  const fragment = document.createDocumentFragment();
  const sorted = [...entities].sort((a, b) => a.offset - b.offset || b.length - a.length);
  let pos = start;
  let i = 0;
  while (i < sorted.length) {
    const entity = sorted[i];
    const entityEnd = entity.offset + entity.length;
    const inner = [];
    let j = i + 1;
    while (j < sorted.length && sorted[j].offset < entityEnd) {
      if (sorted[j].offset + sorted[j].length <= entityEnd) inner.push(sorted[j]);
      j++;
    }
    if (entity.offset >= pos) {
      if (entity.offset > pos) fragment.append(text.slice(pos, entity.offset));
      const node = entityElement(entity, text.slice(entity.offset, entityEnd));
      node.append(renderFormatted(text, inner, entity.offset, entityEnd));
      fragment.append(node);
      pos = entityEnd;
    }
    i = j;
  }
  if (pos < end) fragment.append(text.slice(pos, end));
  return fragment;
}

// -- personas ------------------------------------------------------------------------------------------------

function renderPersonas() {
  const list = $("personas");
  list.replaceChildren(...state.personas.map((p) => {
    const unread = state.unread[p.id] ? el("span", { class: "badge" }, String(state.unread[p.id])) : null;
    const hint = p.invite_code
      ? el("div", { class: "hint" }, "Шақыру коды · Код приглашения: ", el("code", { class: "invite-code" }, p.invite_code))
      : null;
    const button = el("button", { type: "button", class: "persona" + (p.id === state.current ? " selected" : ""),
                                  "data-id": String(p.id) },
      unread, el("div", { class: "name" }, p.name), el("div", { class: "title" }, p.title), hint);
    button.addEventListener("click", () => selectPersona(p.id));
    return el("li", {}, button);
  }));
}

function selectPersona(id) {
  state.current = id;
  state.unread[id] = 0;
  history.replaceState(null, "", "#" + id);
  const persona = state.personas.find((p) => p.id === id);
  $("chat-title").textContent = persona.name;
  $("chat-subtitle").textContent = persona.title;
  $("open-webapp").hidden = !["district_admin", "branch_admin", "chair"].includes(persona.role);
  renderPersonas();
  loadChat();
}

// -- the chat -------------------------------------------------------------------------------------------------

function messageNode(message) {
  const bubble = el("div", { class: "bubble" });
  if (message.file) {
    const url = "/api/file/" + encodeURIComponent(message.file.file_id);
    if (message.file.image) bubble.append(el("img", { src: url, alt: "photo" }));
    else bubble.append(el("a", { class: "file-link", href: url, download: message.file.name }, "📄 ", message.file.name));
  }
  if (message.text) bubble.append(renderFormatted(message.text, message.entities || []));
  bubble.append(el("span", { class: "meta" }, (message.edited ? "✎ " : "") + (message.stamp || "")));
  const node = el("div", { class: "msg " + (message.from_bot ? "bot" : "user"), "data-id": String(message.id) }, bubble);
  if (message.buttons && message.buttons.length) {
    const keyboard = el("div", { class: "inline-keyboard" });
    for (const row of message.buttons) {
      keyboard.append(el("div", { class: "row" }, ...row.map((b) => inlineButton(message.id, b))));
    }
    node.append(keyboard);
  }
  return node;
}

// The Mini App as a Telegram client opens it: a new window, with initData signed for the persona.
async function openMiniApp() {
  const opened = window.open("about:blank", "_blank");
  try {
    const { url } = await api("/api/webapp/" + state.current);
    if (opened) opened.location = url; else location.href = url;
  } catch (error) { if (opened) opened.close(); toast(error.message); }
}

function inlineButton(messageId, button) {
  if (button.web_app) {  // «Fill in as a form», the digest's dashboard
    const node = el("button", { type: "button", class: "inline-button web-app" }, button.text);
    node.addEventListener("click", openMiniApp);
    return node;
  }
  if (button.url) {
    const href = safeUrl(button.url);
    return el("a", { class: "inline-button", href: href || "#", target: "_blank", rel: "noopener noreferrer" }, button.text);
  }
  const node = el("button", { type: "button", class: "inline-button", "data-callback": button.callback_data || "" }, button.text);
  node.addEventListener("click", () => act(api("/api/press", { user: state.current, message_id: messageId,
                                                                data: button.callback_data })));
  return node;
}

function renderReplyKeyboard(rows) {
  const box = $("reply-keyboard");
  box.replaceChildren(...(rows || []).map((row) => el("div", { class: "row" }, ...row.map((b) => {
    const text = typeof b === "string" ? b : b.text;
    const node = el("button", { type: "button", class: "reply-button" }, text);
    node.addEventListener("click", () => act(b.request_contact
      ? api("/api/contact", { user: state.current })
      : api("/api/send", { user: state.current, text })));
    return node;
  }))));
}

async function loadChat() {
  const id = state.current;
  if (id === null) return;
  const chat = await api("/api/chat/" + id);
  if (chat.user_id !== state.current) return;  // another persona was selected meanwhile
  const box = $("messages");
  const atBottom = state.stick || box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  state.stick = false;
  box.replaceChildren(...chat.messages.map(messageNode));
  renderReplyKeyboard(chat.reply_keyboard);
  if (atBottom || box.dataset.shown !== String(id)) {
    box.scrollTop = box.scrollHeight;
    // A photo takes its height once loaded: keep the newest message in view.
    for (const img of box.querySelectorAll("img")) img.addEventListener("load", () => { box.scrollTop = box.scrollHeight; });
  }
  box.dataset.shown = String(id);
  box.dataset.count = String(chat.messages.length);
}

let reloadPending = false;
function scheduleReload() {  // many events in a burst: one reload
  if (reloadPending) return;
  reloadPending = true;
  setTimeout(() => { reloadPending = false; loadChat().catch((e) => toast(e.message)); }, 60);
}

async function act(promise) {
  state.stick = true;  // the visitor acted: show the answer, wherever the chat was scrolled
  try { await promise; } catch (error) { toast(error.message); }
}

function upload(kind, input) {
  const file = input.files[0];
  if (!file || state.current === null) return;
  const form = new FormData();
  form.append("user", String(state.current));
  form.append("kind", kind);
  form.append("file", file, file.name);
  const caption = $("text-input").value.trim();
  if (caption) form.append("caption", caption);
  $("text-input").value = "";
  input.value = "";
  act(fetch("/api/upload", { method: "POST", body: form }).then(async (r) => { if (!r.ok) throw new Error(await r.text()); }));
}

// -- the clock ------------------------------------------------------------------------------------------------

function setClock(clock) {
  state.clockOffsetMs = Date.parse(clock.iso) - Date.now();
  state.timezone = clock.timezone;
  showClock();
}

function showClock() {
  const now = new Date(Date.now() + state.clockOffsetMs);
  let text;
  try {
    text = new Intl.DateTimeFormat("ru-RU", { timeZone: state.timezone, weekday: "short", year: "numeric",
      month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).format(now);
  } catch (e) {
    text = now.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }
  $("bot-clock").textContent = text;
}

async function fastForward(button) {
  for (const b of document.querySelectorAll("#jumps button")) b.disabled = true;
  try {
    const result = await api("/api/clock", { target: button.dataset.target });
    setClock(result.clock);
    toast("⏩ " + result.clock.label + (result.sent ? " · ✉ " + result.sent : ""));
  } catch (error) {
    toast(error.message);
  } finally {
    for (const b of document.querySelectorAll("#jumps button")) b.disabled = false;
  }
}

// -- events ---------------------------------------------------------------------------------------------------

function listen() {
  const events = new EventSource("/api/events");
  events.addEventListener("hello", () => { if (state.current !== null) scheduleReload(); });
  events.addEventListener("chat", (event) => {
    const change = JSON.parse(event.data);
    if (change.chat_id === state.current) {
      if (change.kind === "callback_answer" && change.text) toast(change.text);
      scheduleReload();
    } else if (change.kind === "message" && state.personas.some((p) => p.id === change.chat_id)) {
      state.unread[change.chat_id] = (state.unread[change.chat_id] || 0) + 1;
      renderPersonas();
    }
  });
  events.addEventListener("clock", (event) => setClock(JSON.parse(event.data)));
}

async function start() {
  const initial = await api("/api/state");
  state.personas = initial.personas;
  setClock(initial.clock);
  setInterval(showClock, 1000);
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("text-input");
    const text = input.value.trim();
    if (!text || state.current === null) return;
    input.value = "";
    act(api("/api/send", { user: state.current, text }));
  });
  $("photo-input").addEventListener("change", (e) => upload("photo", e.target));
  $("open-webapp").addEventListener("click", openMiniApp);
  $("document-input").addEventListener("change", (e) => upload("document", e.target));
  for (const button of document.querySelectorAll("#jumps button")) {
    button.addEventListener("click", () => fastForward(button));
  }
  const fromHash = Number(location.hash.slice(1));
  selectPersona(state.personas.some((p) => p.id === fromHash) ? fromHash : state.personas[0].id);
  listen();
}

start().catch((error) => toast(error.message));
