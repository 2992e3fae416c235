// promoedge dashboard: the shared parts — the API calls, the admin token,
// formatting, the confirmation dialog and the refresh loop the panels
// register with. No framework, no build step, no request to any other
// host (see RATIONALE.md). The panels are in the other files; main.js
// starts the page.
"use strict";

const REFRESH_MS = 10000;
const DAYS = 30; // the statistics' window
const API = "../v1/"; // the page is served at /ui/
const TOKEN_KEY = "promoedge.adminToken";
const SVG = "http://www.w3.org/2000/svg";

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// ---- the admin token ----

const tokenInput = () => $("#admin-token");
const savedToken = () => sessionStorage.getItem(TOKEN_KEY) || "";

function token() {
  const t = tokenInput().value.trim();
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  return t;
}

// ---- the API ----

class APIError extends Error {
  constructor(status, body, statusText) {
    super(`${status}: ${body && body.error ? body.error.message : statusText}`);
    this.status = status;
    this.code = body && body.error ? body.error.code : "";
    this.details = (body && body.error && body.error.details) || [];
  }
}

function headers(extra) {
  const h = { Accept: "application/json", ...extra };
  // Admin endpoints need the admin token; a sidecar started with
  // --api-token answers /v1/ reads only with a token, and it opens them.
  const t = savedToken();
  if (t) h.Authorization = `Bearer ${t}`;
  return h;
}

// call sends one request and returns the decoded JSON of a 2xx answer;
// anything else throws an APIError.
async function call(method, path, body, contentType) {
  const opts = { method, headers: headers(contentType ? { "Content-Type": contentType } : {}), cache: "no-store" };
  if (body !== undefined) opts.body = body;
  const resp = await fetch(API + path, opts);
  const out = await resp.json().catch(() => null);
  if (!resp.ok) throw new APIError(resp.status, out, resp.statusText);
  return out;
}

const getJSON = (path) => call("GET", path);

// needsToken says so in a panel when no admin token was entered, and
// reports whether one was.
function needsToken(errId) {
  if (savedToken()) return false;
  const p = $(errId);
  p.hidden = false;
  p.textContent = "Enter the admin token above to see this.";
  return true;
}

function showError(id, err) {
  const p = $(id);
  p.hidden = !err;
  p.textContent = err ? `Could not load: ${err.message}` : "";
}

// panelLoad runs one panel's load with its error line errId: cleared
// when it works, showing the error (rethrown, for the refresh to count)
// when not. An admin panel without a token says so instead of loading.
async function panelLoad(errId, admin, load) {
  if (admin && needsToken(errId)) return;
  try {
    await load();
    showError(errId, null);
  } catch (e) {
    showError(errId, e);
    throw e;
  }
}

function say(id, text, isError) {
  const p = $(id);
  p.textContent = text;
  p.className = "result " + (isError ? "error" : "ok");
}

// facts fills a <dl> with [name, value] entries, each value's <dd>
// marked data-fact=name; an entry without a value is left out.
function facts(dl, entries) {
  dl.replaceChildren(...entries.filter(([, v]) => v !== undefined && v !== null && v !== "").map(([k, v]) =>
    el("div", {}, el("dt", {}, k), el("dd", { "data-fact": k }, String(v)))));
  return dl;
}

// ---- formatting ----

const fmtTime = (iso, tz) => {
  if (!iso) return "";
  const opts = { dateStyle: "medium", timeStyle: "short" };
  try {
    return new Intl.DateTimeFormat(undefined, { ...opts, timeZone: tz || "UTC" }).format(new Date(iso));
  } catch (e) { // a zone this browser does not know
    return new Intl.DateTimeFormat(undefined, { ...opts, timeZone: "UTC" }).format(new Date(iso)) + " UTC";
  }
};
const fmtInt = (n) => Number(n || 0).toLocaleString();
const fmtPct = (x) => `${(100 * x).toFixed(1)}%`;
const fmtDay = (d) => new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" })
  .format(new Date(`${d}T00:00:00Z`));

// fmtMoney shows minor units in a currency when there is one.
function fmtMoney(minor, currency) {
  if (!currency) return `${fmtInt(minor)} (minor units)`;
  try {
    const nf = new Intl.NumberFormat(undefined, { style: "currency", currency });
    return nf.format(minor / 10 ** nf.resolvedOptions().maximumFractionDigits);
  } catch (e) {
    return `${fmtInt(minor)} ${currency} (minor units)`;
  }
}

// fmtMoneyShort is fmtMoney without the note, for chart ticks.
function fmtMoneyShort(minor, currency) {
  const s = fmtMoney(minor, currency);
  return s.replace(" (minor units)", "");
}

// ---- the confirmation dialog ----

// confirmAction asks in a modal dialog; it resolves true only when the
// confirm button is pressed. Escape and Cancel resolve false. Focus starts
// on Cancel and goes back where it was.
//
// A dialog's close event is dispatched after close() returns, so the event
// of one opening can arrive after the next opening began: each opening has
// a number, the buttons record their answer under the number of the
// opening they close, and a listener takes only its own opening's close.
let confirmSeq = 0;
const confirmAnswers = new Map();

function confirmAction({ title, message, confirmLabel }) {
  const dlg = $("#confirm");
  $("#confirm-title").textContent = title;
  $("#confirm-message").textContent = message;
  $("#confirm-ok").textContent = confirmLabel;
  const back = document.activeElement;
  const mine = ++confirmSeq;
  return new Promise((resolve) => {
    const onClose = () => {
      if (dlg.open && confirmSeq === mine) return; // an earlier opening's close, dispatched late
      dlg.removeEventListener("close", onClose);
      const ok = confirmAnswers.get(mine) === "confirm";
      confirmAnswers.delete(mine);
      if (back && back.focus && !dlg.open) back.focus();
      resolve(ok);
    };
    dlg.addEventListener("close", onClose);
    dlg.showModal();
    $("#confirm-cancel").focus();
  });
}

function setUpConfirm() {
  const answer = (value) => {
    confirmAnswers.set(confirmSeq, value);
    $("#confirm").close(value);
  };
  $("#confirm-cancel").addEventListener("click", () => answer("cancel"));
  $("#confirm-ok").addEventListener("click", () => answer("confirm"));
}

// ---- the refresh loop ----

// panels are what refresh reloads: each a function that loads and draws
// one part and throws when it could not.
const panels = [];

function registerPanel(load) {
  panels.push(load);
}

let refreshing = null;

function refresh() {
  refreshing = refreshing || Promise.allSettled(panels.map((load) => load())).then((results) => {
    const failed = results.filter((r) => r.status === "rejected").length;
    const at = new Date().toLocaleTimeString();
    $("#refresh-status").textContent = failed ? `Updated ${at}; ${failed} of ${results.length} parts failed to load`
      : `Updated ${at}`;
  }).finally(() => { refreshing = null; });
  return refreshing;
}
