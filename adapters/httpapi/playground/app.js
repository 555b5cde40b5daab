// authd playground: log in, watch both tokens count down, call the
// protected endpoint, refresh (by hand or automatically), log out, and
// replay an old refresh token to see reuse detection end the session.
// No build step, no third-party code.
"use strict";

const T = {
  ko: {
    playground: "플레이그라운드", login: "로그인", loginButton: "로그인",
    loginHelp: "데모 사용자를 골라 로그인하세요. 액세스 토큰은 1분, 리프레시 토큰은 5분 동안 유효합니다.",
    session: "세션", refreshButton: "토큰 갱신", logoutButton: "로그아웃", replayButton: "이전 리프레시 토큰 재사용",
    replayHint: "재사용해 볼 이전 리프레시 토큰이 아직 없습니다. 한 번 갱신하면(직접, 또는 +60초로 자동 갱신) 갱신에 쓰인 토큰을 다시 보내 볼 수 있습니다.",
    auto: "만료 전에 자동 갱신", advance: "서버 시계 +60초", accessToken: "액세스 토큰", refreshToken: "리프레시 토큰",
    log: "요청 기록", footer: "토큰은 이 페이지의 메모리에만 있고, 새로고침하면 사라집니다.",
    out: "로그인하지 않았습니다.", in: (u) => `${u} 로 로그인된 상태입니다.`,
    ended: (c) => `세션이 끝났습니다 (${c}). 다시 로그인하세요.`,
    left: (s) => `${s}초 남음`, expired: "만료됨", serverClock: (t) => `서버 시계: ${t}`, lang: "English",
  },
  en: {
    playground: "playground", login: "Log in", loginButton: "Log in",
    loginHelp: "Pick a demo user and log in. The access token lives 1 minute, the refresh token 5 minutes.",
    session: "Session", refreshButton: "Refresh", logoutButton: "Log out", replayButton: "Replay previous refresh token",
    replayHint: "No previous refresh token to replay yet. Refresh once (by hand, or +60 s with auto-refresh on) and the token that refresh used up can be sent again.",
    auto: "Refresh automatically before expiry", advance: "Server clock +60 s", accessToken: "Access token",
    refreshToken: "Refresh token", log: "Requests", footer: "Tokens live only in this page's memory and vanish on reload.",
    out: "Not logged in.", in: (u) => `Logged in as ${u}.`,
    ended: (c) => `The session ended (${c}). Log in again.`,
    left: (s) => `${s} s left`, expired: "expired", serverClock: (t) => `server clock: ${t}`, lang: "한국어",
  },
};

const state = {
  lang: "ko", access: "", refresh: "", previousRefresh: "", user: "",
  ended: "", offsetMs: 0, devClock: false, refreshing: false,
};

const $ = (id) => document.getElementById(id);
const t = (key, ...args) => { const v = T[state.lang][key]; return typeof v === "function" ? v(...args) : v; };

function decode(token) {
  const [h, p] = token.split(".");
  const json = (seg) => JSON.parse(new TextDecoder().decode(
    Uint8Array.from(atob(seg.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))));
  return { header: json(h), claims: json(p) };
}

function serverNow() { return Date.now() + state.offsetMs; }

async function call(method, path, { token, body } = {}) {
  const headers = { "Accept-Language": state.lang };
  if (token) headers.Authorization = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch { /* 204 and non-JSON bodies */ }
  addLog(method, path, res.status, data);
  return { status: res.status, data };
}

function addLog(method, path, status, data) {
  const li = document.createElement("li");
  const time = new Date(serverNow()).toISOString().slice(11, 23);
  li.className = status < 400 ? "ok" : "bad";
  li.textContent = `${time} ${method} ${path} → ${status}` + (data && data.error ? ` ${data.error}` : "");
  $("log").prepend(li);
}

function setTokens(data) {
  state.access = data.access;
  state.refresh = data.refresh;
  state.ended = "";
  render();
}

// endSession shows why the session ended and forgets its tokens: none of
// them will ever be accepted again, so none stays on screen as if it might.
function endSession(code) {
  state.ended = code;
  state.access = state.refresh = state.previousRefresh = "";
  render();
}

async function login() {
  const [username, password] = $("user").value.split(":");
  const r = await call("POST", "/login/", { body: { username, password } });
  if (r.status === 200) {
    state.user = username;
    state.previousRefresh = "";
    setTokens(r.data);
  }
}

async function refresh() {
  if (!state.refresh || state.refreshing) return;
  state.refreshing = true;
  try {
    const used = state.refresh;
    const r = await call("POST", "/refresh/", { token: used });
    if (r.status === 200) {
      state.previousRefresh = used;
      setTokens(r.data);
    } else if (r.status === 401) {
      endSession(r.data.error);
    }
  } finally {
    state.refreshing = false;
  }
}

async function replay() {
  if (!state.previousRefresh) return;
  const r = await call("POST", "/refresh/", { token: state.previousRefresh });
  if (r.status === 401) endSession(r.data.error);
}

async function protectedCall() {
  const r = await call("GET", "/protected/", { token: state.access });
  if (r.status === 401 && ["session_revoked", "session_expired"].includes(r.data.error)) endSession(r.data.error);
}

async function logout() {
  const r = await call("POST", "/logout/", { token: state.refresh });
  if (r.status === 204) {
    state.access = state.refresh = state.previousRefresh = "";
    state.user = "";
    render();
  }
}

async function syncClock() {
  try {
    const res = await fetch("/dev/clock/");
    if (res.status !== 200) { state.devClock = false; return; }
    const c = await res.json();
    state.devClock = true;
    state.offsetMs = Date.parse(c.now) - Date.now();
  } catch { state.devClock = false; }
}

async function advance() {
  const res = await fetch("/dev/clock/", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ advance: "60s" }),
  });
  addLog("POST", "/dev/clock/ +60s", res.status, null);
  await syncClock();
  tick();
}

function countdown(kind, token) {
  const bar = $(kind + "-bar");
  const text = $(kind + "-countdown");
  if (!token) {
    bar.style.width = "0";
    text.textContent = "–";
    return Infinity;
  }
  const { claims } = decode(token);
  const life = (claims.exp - claims.iat) * 1000;
  const left = claims.exp * 1000 - serverNow();
  const share = Math.max(0, Math.min(1, left / life));
  bar.style.width = (share * 100).toFixed(1) + "%";
  bar.className = left <= 0 ? "gone" : share < 0.2 ? "low" : "";
  text.textContent = left <= 0 ? t("expired") : t("left", Math.ceil(left / 1000));
  text.dataset.left = String(Math.max(0, Math.ceil(left / 1000)));
  return left;
}

function tick() {
  const accessLeft = countdown("access", state.ended ? "" : state.access);
  countdown("refresh", state.ended ? "" : state.refresh);
  if (state.devClock) $("clock").textContent = t("serverClock", new Date(serverNow()).toISOString().slice(0, 19) + "Z");
  if ($("auto").checked && state.refresh && !state.ended && accessLeft !== Infinity) {
    const { claims } = decode(state.access);
    const margin = Math.min(10000, (claims.exp - claims.iat) * 200);
    if (accessLeft < margin) refresh();
  }
}

function render() {
  const loggedIn = Boolean(state.access) && !state.ended;
  const status = $("status");
  status.dataset.state = state.ended ? "ended" : loggedIn ? "in" : "out";
  status.textContent = state.ended ? t("ended", state.ended) : loggedIn ? t("in", state.user) : t("out");
  $("protected").disabled = !state.access;
  $("refresh").disabled = !loggedIn;
  $("logout").disabled = !loggedIn;
  $("replay").disabled = !state.previousRefresh || Boolean(state.ended);
  const hint = $("replay-hint");
  hint.hidden = !(loggedIn && !state.previousRefresh);
  hint.textContent = t("replayHint");
  $("replay").title = $("replay").disabled ? t("replayHint") : "";
  $("advance").hidden = !state.devClock;
  for (const kind of ["access", "refresh"]) {
    const token = state[kind];
    $(kind + "-decoded").textContent = token ? JSON.stringify(decode(token), null, 2) : "";
  }
  tick();
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  $("lang").textContent = t("lang");
  render();
}

document.addEventListener("DOMContentLoaded", async () => {
  $("login").addEventListener("click", login);
  $("protected").addEventListener("click", protectedCall);
  $("refresh").addEventListener("click", refresh);
  $("logout").addEventListener("click", logout);
  $("replay").addEventListener("click", replay);
  $("advance").addEventListener("click", advance);
  $("lang").addEventListener("click", () => { state.lang = state.lang === "ko" ? "en" : "ko"; applyLanguage(); });
  if (navigator.language && navigator.language.startsWith("en")) state.lang = "en";
  await syncClock();
  applyLanguage();
  setInterval(tick, 250);
  setInterval(syncClock, 5000);
});
