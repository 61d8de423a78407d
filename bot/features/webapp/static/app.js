// The Bastau Mini App: the admins' dashboard. No third-party code: Telegram's launch parameters are read
// from the address (#tgWebAppData=…&tgWebAppThemeParams=…), charts are SVG drawn here. Every API request
// carries the raw initData as `Authorization: tma …`; every text comes from the server in the user's language.
"use strict";

const launch = new URLSearchParams(location.hash.slice(1));
const initData = launch.get("tgWebAppData") || sessionStorage.getItem("bastau.initData") || "";
if (initData) sessionStorage.setItem("bastau.initData", initData);
let T = {};          // the page's texts (GET /app/api/me)
let me = null;
const history_ = []; // views to go back to

function postEvent(type, data) {
  const payload = JSON.stringify(data || {});
  try {
    if (window.TelegramWebviewProxy) window.TelegramWebviewProxy.postEvent(type, payload);
    else if (window.external && "notify" in window.external) window.external.notify(JSON.stringify({eventType: type, eventData: data}));
    else if (window.parent !== window) window.parent.postMessage(JSON.stringify({eventType: type, eventData: data}), "*");
  } catch (e) { /* outside Telegram */ }
}

function applyTheme(raw) {
  let theme = {};
  try { theme = JSON.parse(raw || sessionStorage.getItem("bastau.theme") || "{}"); } catch (e) { theme = {}; }
  if (raw) sessionStorage.setItem("bastau.theme", raw);
  for (const [key, value] of Object.entries(theme)) {
    if (/^#[0-9a-fA-F]{3,8}$/.test(value)) document.documentElement.style.setProperty("--tg-" + key.replace(/_/g, "-"), value);
  }
}

// Telegram tells a running Mini App of a theme change: mobile clients call Telegram.WebView.receiveEvent,
// the web client posts a message to the frame.
function onTelegramEvent(type, data) {
  if (type === "theme_changed" && data && data.theme_params) applyTheme(JSON.stringify(data.theme_params));
}
window.Telegram = window.Telegram || {};
window.Telegram.WebView = window.Telegram.WebView || {receiveEvent: onTelegramEvent};
window.addEventListener("message", (event) => {
  try { const m = JSON.parse(event.data); onTelegramEvent(m.eventType, m.eventData); } catch (e) { /* not Telegram's */ }
});

async function api(path, options = {}) {
  const response = await fetch("/app/api/" + path, {...options, headers: {...(options.headers || {}), Authorization: "tma " + initData}});
  if (!response.ok) throw Object.assign(new Error(response.status), {status: response.status});
  return response;
}
const getJson = async (path) => (await api(path)).json();

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "style") node.style.cssText = value;  // through the CSSOM: the page's CSP has no inline styles
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value);
  }
  for (const child of children.flat(Infinity)) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function toast(text) {
  const node = el("div", {class: "toast", role: "status"}, text);
  document.body.append(node);
  setTimeout(() => node.remove(), 4000);
}

function show(render, ...args) {
  const view = document.getElementById("view");
  view.replaceChildren(el("p", {class: "hint"}, T.loading || "…"));
  document.getElementById("back").hidden = history_.length === 0;
  window.scrollTo(0, 0);
  return render(view, ...args).catch((error) => view.replaceChildren(el("p", {class: "hint", id: "error"}, T.error || String(error))));
}
function go(render, ...args) {
  history_.push(current);
  current = [render, args];
  return show(render, ...args);
}
let current = null;
document.getElementById("back").addEventListener("click", () => {
  if (!history_.length) return;
  current = history_.pop();
  show(current[0], ...current[1]);
});


// -- the dashboard ---------------------------------------------------------------------------------------
async function dashboard(view, month) {
  const [progress, trends] = await Promise.all([getJson("progress" + (month ? "?month=" + month : "")), getJson("trends")]);
  const choose = el("select", {id: "month", "aria-label": T.month, onchange: (e) => { current = [dashboard, [e.target.value]]; show(dashboard, e.target.value); }},
    trends.months.slice().reverse().map((m) => el("option", {value: m.month, selected: m.month === progress.month ? "selected" : null}, m.label)));
  view.replaceChildren(
    el("div", {class: "row"}, choose,
      el("button", {type: "button", class: "action", id: "export", onclick: () => exportMonth(progress)}, "⬇ " + T.export),
      el("button", {type: "button", class: "action", id: "export-chat", onclick: async () => {
        try { toast((await (await api("export?month=" + progress.month, {method: "POST"})).json()).message); }
        catch (error) { toast(T.error); }
      }}, "📨 " + T.export_chat)),
    el("div", {class: "grid two"}, progressCard(progress), missingCard(progress)),
    trendsCard(trends));
}

const COUNTS = ["organizations", "submitted", "late", "missing", "returned", "accepted"];

function progressCard(p) {
  const cells = (row, tag) => COUNTS.map((key) => el(tag, {class: "count", "data-count": key}, String(row[key])));
  const districtRow = (d) => el("tr", {class: "district-row", "data-district": d.district_id,
      onclick: () => go(district, d.district_id, d.district, p.month)},
    el("td", {}, el("span", {class: "name"}, d.district), el("div", {class: "bar"},
      el("span", {class: "ok", style: `width:${100 * (d.submitted - d.late) / Math.max(1, d.organizations)}%`}),
      el("span", {class: "late", style: `width:${100 * d.late / Math.max(1, d.organizations)}%`}))),
    ...cells(d, "td"));
  // Several regions: each region's sums above its districts; the total of the scope at the bottom.
  const rows = [];
  for (const r of p.regions.length > 1 ? p.regions : [null]) {
    if (r) rows.push(el("tr", {class: "region-row"}, el("th", {}, r.region || T.no_region), ...cells(r, "th")));
    rows.push(...p.districts.filter((d) => !r || d.region === r.region).map(districtRow));
  }
  if (p.districts.length > 1) {
    const total = Object.fromEntries(COUNTS.map((key) => [key, p.districts.reduce((sum, d) => sum + d[key], 0)]));
    rows.push(el("tr", {class: "total-row"}, el("th", {}, T.total), ...cells(total, "th")));
  }
  return el("section", {class: "card", id: "progress"},
    el("h2", {}, p.label, " ", el("span", {class: "hint"}, p.open ? "· " + T.open_month : "")),
    el("div", {class: "deadline", id: "deadline"}, p.deadline), el("div", {class: "hint"}, p.due_label),
    el("div", {class: "table-wrap"}, el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, T.district),
      ...COUNTS.map((key) => el("th", {}, T[key])))),
      el("tbody", {}, rows))));
}

function missingCard(p) {
  return el("section", {class: "card", id: "missing"},
    el("h2", {}, `${T.missing_list} (${p.missing_total})`),
    p.missing_orgs.map((m) => el("div", {class: "missing-row", "data-org": m.org_id},
      el("div", {class: "who"},
        el("div", {class: "name", role: "link", tabindex: "0", onclick: () => go(organization, m.org_id)}, m.organization),
        el("div", {class: "hint"}, m.district, " · ", m.chair || T.no_chair,
          m.phone ? [" · ", el("a", {href: "tel:" + m.phone}, m.phone)] : "")),
      p.open ? remindButton(m, p.month) : null)),
    p.missing_total > p.missing_orgs.length ? el("p", {class: "hint"}, "…") : null);
}

function remindButton(m, month) {
  const button = el("button", {type: "button", class: "action remind-button", disabled: !m.can_remind || m.reminded_today ? "disabled" : null},
    m.reminded_today ? T.reminded : T.remind);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const answer = await (await api(`orgs/${m.org_id}/remind`, {method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({month})})).json();
      toast(answer.message);
      button.textContent = answer.status === "failed" ? T.remind : T.reminded;
      button.disabled = answer.status !== "failed";
    } catch (error) { toast(T.error); button.disabled = false; }
  });
  return button;
}

function trendsCard(t) {
  const months = t.months.map((m) => m.month);
  const cards = [el("div", {class: "card"}, el("h2", {}, T.reports_count), chart([{values: t.reports}], months, {bars: true}))];
  for (const field of t.fields) {
    const last = field.points[field.points.length - 1];
    const change = last.change_pct === null ? null : el("span", {class: "change " + (last.change_pct >= 0 ? "up" : "down")},
      (last.change_pct > 0 ? "+" : "") + last.change_pct + "%");
    cards.push(el("div", {class: "card trend", "data-key": field.key}, el("h2", {}, field.label),
      el("div", {class: "row"}, el("strong", {}, last.total.toLocaleString()), change),
      chart([{values: field.points.map((p) => p.total)}], months, {changes: field.points.map((p) => p.change_pct)})));
  }
  for (const field of t.participation) {
    const series = [{values: field.any, color: "#888"}, ...field.options.map((o, i) => ({values: o.counts, color: palette[i % palette.length]}))];
    cards.push(el("div", {class: "card trend", "data-key": field.key}, el("h2", {}, T.participation),
      chart(series, months),
      el("div", {class: "legend"}, el("span", {}, el("i", {style: "background:#888"}), T.any_project),
        field.options.map((o, i) => el("span", {}, el("i", {style: `background:${palette[i % palette.length]}`}), o.label)))));
  }
  return el("section", {id: "trends"}, el("h2", {}, T.trends), el("p", {class: "hint"}, T.like_for_like),
    el("div", {class: "grid two"}, cards));
}

async function exportMonth(p) {
  try {
    const response = await api("export?month=" + p.month);
    const name = decodeURIComponent((response.headers.get("Content-Disposition") || "").split("''")[1] || `bastau-${p.month}.xlsx`);
    const link = el("a", {href: URL.createObjectURL(await response.blob()), download: name});
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) { toast(T.error); }
}

async function district(view, districtId, name, month) {
  const list = await getJson(`orgs?month=${month}&district_id=${districtId}`);
  view.replaceChildren(el("section", {class: "card", id: "district"}, el("h2", {}, name, " ", el("span", {class: "hint"}, "· " + list.label)),
    list.organizations.map((o) => el("div", {class: "missing-row org-row", "data-org": o.org_id},
      el("div", {class: "who"},
        el("div", {class: "name", role: "link", tabindex: "0", onclick: () => go(organization, o.org_id, month)}, o.organization),
        el("div", {class: "hint"}, o.chair || T.no_chair, o.phone ? [" · ", el("a", {href: "tel:" + o.phone}, o.phone)] : "")),
      list.open && o.status === "missing" ? remindButton(o, month) : el("span", {class: "status " + o.status}, T["status_" + o.status])))));
}

// -- an organization and its reports ---------------------------------------------------------------------
async function organization(view, orgId, month) {
  const card = await getJson("orgs/" + orgId);
  const reportBox = el("section", {class: "card", id: "report"});
  const chips = card.months.map((m) => el("button", {type: "button", class: `month-chip ${m.status}` +
      (m.status === "on_time" || m.status === "late" ? " filed" : ""), "data-month": m.month,
    onclick: () => { if (m.status === "on_time" || m.status === "late") openReport(card, m, reportBox, chips); }},
    el("div", {}, m.label), el("div", {class: "hint"}, T["status_" + m.status])));
  view.replaceChildren(
    el("section", {class: "card", id: "org-card"}, el("h2", {}, card.name),
      el("div", {class: "hint"}, card.district),
      el("dl", {class: "answers"}, el("dt", {}, T.sector), el("dd", {}, card.sector || "—"),
        el("dt", {}, T.members), el("dd", {}, String(card.members)),
        el("dt", {}, T.chair), el("dd", {}, card.chair ? card.chair.name || "—" : T.no_chair),
        card.chair ? [el("dt", {}, T.phone), el("dd", {}, card.chair.phone ? el("a", {href: "tel:" + card.chair.phone}, card.chair.phone) : T.no_phone)] : [])),
    el("section", {class: "card"}, el("h2", {}, T.months), el("div", {class: "months"}, chips)),
    reportBox);
  const first = card.months.find((m) => m.month === month) || card.months.find((m) => m.status === "on_time" || m.status === "late");
  if (first) await openReport(card, first, reportBox, chips);
  else reportBox.replaceChildren(el("p", {class: "hint"}, T.no_report));
}

async function openReport(card, month, box, chips) {
  chips.forEach((c) => c.classList.toggle("selected", c.dataset.month === month.month));
  box.replaceChildren(el("p", {class: "hint"}, T.loading));
  const report = await getJson(`orgs/${card.id}/reports/${month.month}`);
  const photos = el("div", {class: "photos"});
  box.replaceChildren(el("h2", {}, report.title),
    el("div", {class: "hint"}, T.filed_at.replace("{date}", report.filed_on),
      report.late ? " · " + T.status_late : ""),
    el("dl", {class: "answers"}, report.answers.filter((a) => a.type !== "photos").map((a) => [
      el("dt", {}, a.label), el("dd", {class: a.value === null ? "hint" : ""}, a.value === null ? report.skipped : a.value)])),
    ...(report.photos.length ? [el("h2", {}, T.photos), photos] : []));
  for (const url of report.photos) {
    // Photos need the Authorization header: fetched here and shown from memory.
    const blob = await (await api(url.replace("/app/api/", ""))).blob();
    photos.append(el("img", {class: "report-photo", alt: T.photos, src: URL.createObjectURL(blob)}));
  }
}

// -- the chair's report form ---------------------------------------------------------------------------
async function chairForm(view) {
  const sheet = await getJson("form");
  const head = el("section", {class: "card"}, el("h2", {}, sheet.title),
    el("div", {class: "hint"}, T.deadline_on.replace("{day}", sheet.due_label)),
    el("p", {class: "hint"}, sheet.editable ? T.form_note : T.closed));
  const fields = sheet.fields.map((f) => formField(f, sheet.answers[f.key], sheet));
  const submit = el("button", {type: "button", class: "action", id: "submit-report", disabled: sheet.editable ? null : "disabled"}, T.submit);
  const result = el("p", {id: "form-result", role: "status"});
  const send = async (anyway) => {
    submit.disabled = true;
    await Promise.all(pending.splice(0));
    const response = await fetch("/app/api/form/submit", {method: "POST", body: JSON.stringify({anyway}),
      headers: {Authorization: "tma " + initData, "Content-Type": "application/json"}});
    const answer = await response.json();
    submit.disabled = false;
    if (response.ok) { result.replaceChildren(answer.message); toast(answer.message); return; }
    if (response.status === 409) {  // the form's soft rules: the numbers, then correct or confirm anyway
      answer.keys.forEach((key, i) => { const box = document.querySelector(`.field[data-key="${key}"] .error`);
        if (box) box.textContent = answer.warnings[i]; });
      result.replaceChildren(...answer.warnings.map((w) => el("div", {class: "warning"}, w)),
        el("div", {class: "hint"}, answer.message),
        el("button", {type: "button", class: "action", id: "confirm-anyway", onclick: () => send(true)}, answer.confirm));
      return;
    }
    result.replaceChildren();
    showError(answer.key, answer.error);
  };
  submit.addEventListener("click", () => send(false));
  view.replaceChildren(el("form", {id: "report-form", onsubmit: (e) => e.preventDefault()}, head, fields, el("div", {class: "card"}, submit, result)));
}

const pending = [];  // answers being saved: submitting waits for them
function showError(key, message) {
  const box = key ? document.querySelector(`.field[data-key="${key}"]`) : null;
  if (!box) { toast(message); return; }
  box.querySelector(".error").textContent = message;
  box.scrollIntoView({block: "center"});
}

function formField(f, value, sheet) {
  const error = el("div", {class: "error", role: "alert"});
  const saved = el("span", {class: "saved hint"});
  const box = el("div", {class: "card field", "data-key": f.key});
  const save = (raw) => {
    const request = (async () => {
      const response = await fetch("/app/api/form/" + f.key, {method: "PUT",
        headers: {Authorization: "tma " + initData, "Content-Type": "application/json"}, body: JSON.stringify({value: raw})});
      const answer = await response.json();
      error.textContent = response.ok ? "" : answer.error;
      saved.textContent = response.ok ? "✓ " + T.saved : "";
    })();
    pending.push(request);
    return request;
  };
  const disabled = sheet.editable ? null : "disabled";
  let input;
  if (f.type === "int" || f.type === "text") {
    input = f.type === "int"
      ? el("input", {type: "text", inputmode: "numeric", id: "f-" + f.key, value: value ?? "", disabled})
      : el("textarea", {id: "f-" + f.key, maxlength: String(f.max_length), rows: "3", disabled});
    if (f.type === "text") input.value = value ?? "";
    let timer = null;
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => save(input.value.trim()), 700); });
    input.addEventListener("change", () => { clearTimeout(timer); save(input.value.trim()); });
  } else if (f.type === "choice") {
    input = el("select", {id: "f-" + f.key, disabled}, el("option", {value: ""}, T.not_chosen),
      f.options.map((o) => el("option", {value: o.key, selected: o.key === value ? "selected" : null}, o.label)));
    input.addEventListener("change", () => save(input.value || null));
  } else if (f.type === "multi") {
    const chosen = new Set(value || []);
    input = el("div", {class: "options"}, f.options.map((o) => el("label", {class: "option"},
      el("input", {type: "checkbox", value: o.key, checked: chosen.has(o.key) ? "checked" : null, disabled,
        onchange: () => save([...input.querySelectorAll("input:checked")].map((c) => c.value))}), " ", o.label)));
  } else {
    input = el("div", {class: "hint"}, T.photos_attached.replace("{count}", String(sheet.photos)));
  }
  // (Element.append writes a null as the text "null": only the parts there are.)
  box.append(...[el("label", {class: "label", for: "f-" + f.key}, f.label, f.required ? " *" : ""), input,
    f.hint ? el("div", {class: "hint"}, f.hint) : null, f.last_month ? el("div", {class: "hint last-month"}, f.last_month) : null,
    error, saved].filter((part) => part !== null));
  return box;
}

// -- start -----------------------------------------------------------------------------------------------
async function start() {
  applyTheme(launch.get("tgWebAppThemeParams"));
  postEvent("web_app_ready");
  postEvent("web_app_expand");
  try {
    me = await getJson("me");
  } catch (error) {
    // No texts from the server yet: the one message that needs none, in both languages.
    document.getElementById("view").replaceChildren(el("p", {class: "hint", id: "error"},
      "Бетті Telegram-дағы боттан қайта ашыңыз. · Откройте страницу заново из бота в Telegram."));
    return;
  }
  T = me.texts;
  document.documentElement.lang = me.language;
  document.getElementById("title").textContent = T.title;
  document.getElementById("back").setAttribute("aria-label", T.back);
  document.getElementById("back").title = T.back;
  document.getElementById("scope").textContent = me.district || (me.role === "branch" ? T.whole_scope : "");
  if (me.role === "chair") {
    document.getElementById("title").textContent = T.form_title;
    current = [chairForm, []];
    show(chairForm);
    return;
  }
  if (me.role !== "branch" && me.role !== "district" && me.role !== "region") {
    document.getElementById("view").replaceChildren(el("p", {id: "not-admin"}, T.admins_only));
    return;
  }
  current = [dashboard, []];
  show(dashboard);
}
start();
