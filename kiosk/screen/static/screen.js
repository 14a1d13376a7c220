// The kiosk screen: draws the conversation the kiosk process publishes (Server-Sent Events
// from /api/events, or polling if those fail), and turns touches into the same turns the
// resident could speak (/api/choose, /api/pick, /api/type). No framework, no build step.
"use strict";

const PERMANENT_STYLE = { "staff.handoff": "staff" };
const OPTION_STYLE = { "dialog.yes": "go", "staff.handoff": "staff" };
const CODE = /\b([A-Z]\d{3,6})\b/g;   // booking numbers such as M4827 stand out in the reply

let current = null;        // the last {state, content} drawn
let pickerKey = null;      // which picker is drawn (kind, service, date, language)
let typed = "";            // digits on the number pad
let panel = null;          // "services", "hotlines" or null
let busy = false;          // a touch is being handled: a second tap does not act twice

const $ = (id) => document.getElementById(id);

// Catalogue labels are written to fit inside a sentence ("did you want to book an appointment?");
// on a button they start with a capital.
const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);

function makeButton(label, onClick, style, data) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button" + (style ? " " + style : "");
  button.textContent = capitalised(label);
  for (const [key, value] of Object.entries(data || {})) button.dataset[key] = value;
  button.addEventListener("click", onClick);
  return button;
}

async function send(path, body) {
  if (busy) return;
  busy = true;
  document.body.dataset.busy = "true";
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
    });
    if (response.ok) draw(await response.json());
  } finally {
    busy = false;
    delete document.body.dataset.busy;
  }
}

function choose(option, label) {
  panel = null;
  return send("/api/choose", { option, label });
}

function replyWithCodes(node, text) {
  node.replaceChildren();
  let last = 0;
  for (const match of text.matchAll(CODE)) {
    node.append(text.slice(last, match.index));
    const code = document.createElement("span");
    code.className = "code";
    code.textContent = match[1];
    node.append(code);
    last = match.index + match[0].length;
  }
  node.append(text.slice(last));
}

function draw(data) {
  if (current && data.state.version < current.state.version) return;  // an older answer arrived late
  current = data;
  const { state, content } = data;
  const words = content.words;
  document.documentElement.lang = content.lang;

  const activity = $("activity");
  activity.dataset.activity = state.activity;
  $("activity-text").textContent = words.activity[state.activity];

  const talk = $("talk");
  talk.hidden = !(state.audio && state.push_to_talk);
  talk.textContent = words.talk;
  const stop = $("stop-speaking");
  stop.hidden = state.activity !== "speaking";
  stop.textContent = words.stop_speaking;
  stop.className = "button stop";
  const language = $("language");
  language.textContent = content.other_language.label;
  language.dataset.lang = content.other_language.lang;

  const heard = $("heard");
  heard.textContent = state.heard ? `${state.heard.touched ? words.you_chose : words.you_said}: ${state.heard.text}` : "";
  replyWithCodes($("reply"), state.reply ? state.reply.text : "");
  $("touch-prompt").hidden = !state.touch_prompt;
  $("touch-prompt").textContent = words.touch_prompt;

  const permanentIds = new Set(content.permanent.map((p) => p.id));
  const options = (state.reply ? state.reply.options : []).filter((o) => !permanentIds.has(o.id));
  $("options").replaceChildren(
    ...options.map((o) => makeButton(o.label, () => choose(o.id, o.label), OPTION_STYLE[o.id], { option: o.id })),
  );
  $("permanent").replaceChildren(
    ...content.permanent.map((p) => makeButton(p.label, () => choose(p.id, p.label), PERMANENT_STYLE[p.id], { option: p.id })),
  );
  $("show-services").textContent = words.services;
  $("show-hotlines").textContent = words.hotlines;
  drawPanel(content);
  drawPicker(state, content);
}

function drawPanel(content) {
  const section = $("panel");
  section.hidden = panel === null;
  if (panel === null) return;
  $("panel-title").textContent = content.words[panel];
  const items = panel === "services" ? content.services : content.hotlines;
  $("panel-choices").replaceChildren(
    ...items.map((item) => makeButton(item.label, () => choose(item.id, item.label), "secondary", { option: item.id })),
  );
}

async function drawPicker(state, content) {
  const picker = state.picker;
  const words = content.words;
  const key = picker ? [picker.kind, picker.service, picker.date, content.lang].join("|") : null;
  $("picker").hidden = picker === null;
  if (key === pickerKey) {
    $("keypad-display").textContent = typed;
    return;
  }
  pickerKey = key;
  typed = "";
  if (picker === null) return;
  const keypad = picker.kind === "phone" || picker.kind === "year";
  $("keypad").hidden = !keypad;
  $("picker-choices").replaceChildren();
  $("key-delete").textContent = words.delete;
  $("key-done").textContent = words.done;
  $("keypad-display").textContent = "";
  $("picker").dataset.kind = picker.kind;
  if (keypad) {
    $("picker-title").textContent = picker.kind === "phone" ? words.phone_pad : words.year_pad;
    return;
  }
  $("picker-title").textContent = picker.kind === "date" ? words.pick_date : words.pick_time;
  const query = picker.kind === "date"
    ? `/api/dates?service=${encodeURIComponent(picker.service)}`
    : `/api/times?service=${encodeURIComponent(picker.service)}&day=${encodeURIComponent(picker.date)}`;
  const response = await fetch(query);
  if (pickerKey !== key) return;  // the question changed while we were asking
  const choices = response.ok ? await response.json() : [];
  if (choices.length === 0) {
    const none = document.createElement("p");
    none.textContent = picker.kind === "date" ? words.no_dates : words.no_times;
    $("picker-choices").replaceChildren(none);
    return;
  }
  $("picker-choices").replaceChildren(
    ...choices.map((c) =>
      makeButton(c.label, () => send("/api/pick", { slot: picker.kind, value: c.value, label: c.label }), "secondary", {
        value: c.value,
      }),
    ),
  );
}

function pressKey(key) {
  if (key === "delete") typed = typed.slice(0, -1);
  else if (key === "done") {
    if (typed) send("/api/type", { text: typed });
    return;
  } else if (typed.length < 15) typed += key;
  $("keypad-display").textContent = typed;
}

async function refresh() {
  const response = await fetch("/api/screen");
  if (response.ok) draw(await response.json());
}

function listen() {
  const events = new EventSource("/api/events");
  events.onmessage = (event) => draw(JSON.parse(event.data));
  // The browser reconnects by itself; meanwhile poll so the screen never freezes.
  setInterval(() => { if (events.readyState !== EventSource.OPEN) refresh(); }, 2000);
}

document.addEventListener("DOMContentLoaded", () => {
  for (const key of document.querySelectorAll(".key")) key.addEventListener("click", () => pressKey(key.dataset.key));
  $("talk").addEventListener("click", () => send("/api/talk"));
  $("stop-speaking").addEventListener("click", () => send("/api/stop"));
  $("language").addEventListener("click", (e) => send("/api/language", { lang: e.currentTarget.dataset.lang }));
  $("show-services").addEventListener("click", () => { panel = panel === "services" ? null : "services"; if (current) drawPanel(current.content); });
  $("show-hotlines").addEventListener("click", () => { panel = panel === "hotlines" ? null : "hotlines"; if (current) drawPanel(current.content); });
  refresh();
  listen();
});
