// authd playground: log in, watch both tokens count down, call the
// protected endpoint, refresh (by hand or automatically), log out, and
// replay an old refresh token to see reuse detection end the session;
// with AUTH_SIGNUP=true, sign up a new user, who is logged in at once.
// With DPoP on, the tokens are bound to a key made here with WebCrypto as
// non-extractable (the page itself cannot read the private key), every
// request carries a fresh proof, and "steal the tokens" shows that copies
// of them are useless. With cookie mode on, the refresh token lives in an
// HttpOnly cookie the page never sees, every refresh and logout carries the
// CSRF token (double submit), and "steal the tokens" shows that a script
// on the page finds no refresh token anywhere. No build step, no
// third-party code.
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
    dpopLabel: "DPoP: 이 탭에서 만든 키에 토큰을 묶기 (RFC 9449)", stealButton: "토큰 훔치기",
    bound: (jkt) => `토큰이 이 탭의 DPoP 키(${jkt})에 묶여 있습니다. 개인 키는 내보낼 수 없게 만들어져 페이지 코드도 읽을 수 없습니다.`,
    bearer: "Bearer 토큰입니다: 토큰을 가진 사람은 누구나 쓸 수 있습니다.",
    stolenBlocked: "도둑이 두 토큰을 복사했지만 키가 없어 모두 401로 거절됐습니다. 원래 클라이언트는 그대로 동작합니다.",
    stolenWorked: "Bearer 토큰이라 도둑의 복사본이 통했습니다. 도둑의 갱신으로 세션이 회전했으니, 다음 갱신은 재사용으로 감지되어 세션이 끝납니다.",
    cookieLabel: "쿠키 모드: 리프레시 토큰을 HttpOnly 쿠키에 두기 (스크립트가 읽을 수 없음)",
    cookieHeld: "리프레시 토큰은 HttpOnly 쿠키(authd_refresh)에 있어 이 페이지의 스크립트로는 읽을 수 없습니다.",
    codeButton: "인가 코드 흐름으로 로그인 (PKCE)", codeHelp: "authd 의 로그인 페이지로 갔다가 코드를 들고 돌아옵니다 (OAuth 2.1).",
    signupName: "새 아이디", signupPassword: "새 비밀번호 (8자 이상)", signupButton: "가입하고 로그인",
    signedUp: (u) => `${u} 로 가입했습니다 (POST /signup/ → 201). 새 사용자로 로그인된 상태입니다.`,
    stolenNoRefresh: (found) => `도둑이 document.cookie, localStorage, sessionStorage, 페이지 메모리를 뒤졌지만 리프레시 토큰은 어디에도 없었습니다 (찾은 것: ${found}). 쿠키만으로 보낸 도둑의 갱신은 CSRF 토큰이 없어 403으로 거절됐습니다. 단, 페이지가 열려 있는 동안 삽입된 스크립트는 이 페이지 안에서 요청을 보낼 수는 있습니다.`,
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
    dpopLabel: "DPoP: bind the tokens to a key made in this tab (RFC 9449)", stealButton: "Steal the tokens",
    bound: (jkt) => `The tokens are bound to this tab's DPoP key (${jkt}). Its private key was made non-extractable: not even this page's code can read it.`,
    bearer: "Bearer tokens: whoever holds them can use them.",
    stolenBlocked: "The thief copied both tokens, but without the key every request was refused with 401. The real client keeps working.",
    stolenWorked: "Bearer tokens: the thief's copies worked. The thief's refresh rotated the session, so your next refresh will be flagged as reuse and end it.",
    cookieLabel: "Cookie mode: keep the refresh token in an HttpOnly cookie (no script can read it)",
    cookieHeld: "The refresh token is in an HttpOnly cookie (authd_refresh): no script on this page can read it.",
    codeButton: "Log in with the authorization code flow (PKCE)", codeHelp: "Goes to authd's login page and comes back with a code (OAuth 2.1).",
    signupName: "new username", signupPassword: "new password (8+ characters)", signupButton: "Sign up and log in",
    signedUp: (u) => `Signed up as ${u} (POST /signup/ → 201) and logged in as the new user.`,
    stolenNoRefresh: (found) => `The thief searched document.cookie, localStorage, sessionStorage and the page's memory and found no refresh token anywhere (found: ${found}). Its refresh with the cookie alone was refused with 403, for want of the CSRF token. An injected script can still send requests from inside this page while it is open, but it cannot carry the session away.`,
  },
};

const state = {
  lang: "ko", access: "", refresh: "", previousRefresh: "", user: "",
  ended: "", offsetMs: 0, devClock: false, refreshing: false,
  key: null, // the DPoP key of the session: { pair, pub, jkt }, or null for bearer tokens
  stolen: "", // the last theft's outcome: "", "blocked", "worked" or "norefresh"
  stolenFound: "", // what the thief found in cookie mode
  cookieMode: false, // the session's refresh token is in the HttpOnly cookie, never in this page
  oauthClient: "", // the OAuth client of a code-flow session, which refreshes at /oauth/token
  refreshExp: 0, refreshLife: 0, // the cookie's refresh token's expiry (ms, server clock) and lifetime, from the body
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

// DPoP (RFC 9449) with WebCrypto alone.
const utf8 = (s) => new TextEncoder().encode(s);
const b64u = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const sha256 = async (s) => b64u(await crypto.subtle.digest("SHA-256", utf8(s)));

// newKey makes an ES256 key pair whose private half cannot be exported,
// and the public JWK's RFC 7638 thumbprint (members in lexicographic order).
async function newKey() {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const pub = { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return { pair, pub, jkt: await sha256(JSON.stringify(pub)) };
}

// proof signs a DPoP proof for one request; access is the access token a
// resource request carries (its hash goes in ath).
async function proof(key, method, path, access) {
  const header = { typ: "dpop+jwt", alg: "ES256", jwk: key.pub };
  const claims = {
    jti: b64u(crypto.getRandomValues(new Uint8Array(16))), htm: method,
    htu: location.origin + path, iat: Math.floor(serverNow() / 1000),
  };
  if (access) claims.ath = await sha256(access);
  const input = b64u(utf8(JSON.stringify(header))) + "." + b64u(utf8(JSON.stringify(claims)));
  const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.pair.privateKey, utf8(input));
  return input + "." + b64u(sig); // WebCrypto's ECDSA signature is r || s, as JWS wants
}

// call sends a request: with key, the token as a DPoP-bound one and a
// fresh proof (resource says whether the token's hash belongs in it);
// who labels the log line ("thief" for the stolen copies).
async function call(method, path, { token, body, key, resource = false, who = "", csrf = false } = {}) {
  const headers = { "Accept-Language": state.lang };
  // Double submit: the CSRF token read back from its readable cookie.
  if (csrf) headers["X-CSRF-Token"] = csrfCookie();
  if (key) headers.DPoP = await proof(key, method, path, resource ? token : undefined);
  if (token) headers.Authorization = (key ? "DPoP " : "Bearer ") + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch { /* 204 and non-JSON bodies */ }
  addLog(method, path, res.status, data, who);
  return { status: res.status, data };
}

// csrfCookie is the authd_csrf cookie's value: the only authd cookie a
// script can read.
function csrfCookie() {
  const c = document.cookie.split("; ").find((kv) => kv.startsWith("authd_csrf="));
  return c ? c.slice("authd_csrf=".length) : "";
}

function addLog(method, path, status, data, who = "") {
  const li = document.createElement("li");
  const time = new Date(serverNow()).toISOString().slice(11, 23);
  li.className = status < 400 ? "ok" : "bad";
  li.textContent = `${time} ${who ? who + ": " : ""}${method} ${path} → ${status}` + (data && data.error ? ` ${data.error}` : "");
  $("log").prepend(li);
}

function setTokens(data) {
  state.access = data.access;
  state.refresh = data.refresh || ""; // absent in cookie mode
  state.cookieMode = Boolean(data.csrf_token);
  state.refreshExp = serverNow() + data.refresh_expires_in * 1000;
  if (state.cookieMode && !state.refreshLife) state.refreshLife = data.refresh_expires_in * 1000;
  state.ended = "";
  render();
}

// inSession reports whether there is a session to refresh: a refresh token
// in memory, or, in cookie mode, one in the cookie.
function inSession() { return Boolean(state.refresh) || (state.cookieMode && Boolean(state.access)); }

// endSession shows why the session ended and forgets its tokens: none of
// them will ever be accepted again, so none stays on screen as if it might.
function endSession(code) {
  state.ended = code;
  state.access = state.refresh = state.previousRefresh = "";
  state.key = null;
  state.cookieMode = false;
  render();
}

async function login() {
  const [username, password] = $("user").value.split(":");
  const key = $("dpop").checked ? await newKey() : null;
  const body = { username, password };
  if ($("cookie").checked) body.cookie = true;
  state.refreshLife = 0;
  const r = await call("POST", "/login/", { body, key });
  if (r.status === 200) {
    state.user = username;
    state.oauthClient = "";
    state.previousRefresh = "";
    state.key = r.data.token_type === "DPoP" ? key : null;
    state.stolen = "";
    setTokens(r.data);
  }
}

// signUp creates a user with POST /signup/ (served only with
// AUTH_SIGNUP=true), which logs the new user in as /login/ does, with the
// same DPoP and cookie choices; a refusal (409 username_taken, 400
// weak_password naming the rule, 429) shows the server's message.
async function signUp() {
  const username = $("signup-name").value, password = $("signup-password").value;
  const key = $("dpop").checked ? await newKey() : null;
  const body = { username, password };
  if ($("cookie").checked) body.cookie = true;
  state.refreshLife = 0;
  const r = await call("POST", "/signup/", { body, key });
  const out = $("signup-result");
  out.hidden = false;
  if (r.status !== 201) {
    out.dataset.state = "ended";
    out.textContent = (r.data && r.data.message) || String(r.status);
    return;
  }
  out.dataset.state = "in";
  out.textContent = t("signedUp", username);
  $("signup-password").value = "";
  state.user = username;
  state.oauthClient = "";
  state.previousRefresh = "";
  state.key = r.data.token_type === "DPoP" ? key : null;
  state.stolen = "";
  setTokens(r.data);
}

// The authorization code flow (OAuth 2.1, RFC 7636) as a single-page app
// does it, with WebCrypto alone: the public client "playground" (it must
// be in AUTH_OAUTH_CLIENTS_FILE with this page's URL as a redirect URI,
// docs/integration.md) sends the browser to /oauth/authorize with the
// SHA-256 of a random verifier; back here with a code, it redeems the code
// with the verifier. The verifier, state and nonce wait in sessionStorage
// across the redirect (they are single-use and worthless after it); the
// tokens stay in memory. The session then refreshes at /refresh/ as a
// login's does.
const codeClient = "playground";

// oauthRefresh rotates a code-flow session as its OAuth client does, at
// the token endpoint (RFC 6749 §6), and answers as call does, with the
// body in /refresh/'s shape; a refused token (invalid_grant) ends the
// session as a 401 does.
async function oauthRefresh(token) {
  const form = new URLSearchParams({ grant_type: "refresh_token", client_id: state.oauthClient, refresh_token: token });
  const res = await fetch("/oauth/token", { method: "POST", body: form,
    headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept-Language": state.lang } });
  const data = await res.json().catch(() => null);
  addLog("POST", "/oauth/token (refresh_token)", res.status, data);
  if (res.status === 200) {
    return { status: 200, data: { access: data.access_token, refresh: data.refresh_token, refresh_expires_in: data.refresh_expires_in } };
  }
  return { status: res.status === 400 && data && data.error === "invalid_grant" ? 401 : res.status, data };
}

async function codeLogin() {
  const meta = await (await fetch("/.well-known/openid-configuration")).json();
  const verifier = b64u(crypto.getRandomValues(new Uint8Array(32)));
  const flow = { verifier, state: b64u(crypto.getRandomValues(new Uint8Array(16))),
    nonce: b64u(crypto.getRandomValues(new Uint8Array(16))), issuer: meta.issuer, token: meta.token_endpoint };
  sessionStorage.setItem("authd_pkce", JSON.stringify(flow));
  const q = new URLSearchParams({ response_type: "code", client_id: codeClient, redirect_uri: location.origin + "/",
    scope: "openid", state: flow.state, nonce: flow.nonce, code_challenge: await sha256(verifier), code_challenge_method: "S256" });
  location.assign(meta.authorization_endpoint + "?" + q);
}

// codeReturn redeems the code of an authorization response in the URL,
// once: the URL is cleaned and the stored flow forgotten first.
async function codeReturn() {
  const q = new URLSearchParams(location.search);
  if (!q.has("code") && !q.has("error")) return;
  history.replaceState(null, "", "/");
  const flow = JSON.parse(sessionStorage.getItem("authd_pkce") || "null");
  sessionStorage.removeItem("authd_pkce");
  if (!flow || q.get("state") !== flow.state || q.get("iss") !== flow.issuer) {
    addLog("GET", "/?code=…", 400, { error: "state or iss does not match this tab's request" });
    return;
  }
  if (q.has("error")) {
    addLog("GET", "/?error=…", 400, { error: q.get("error") });
    return;
  }
  const form = new URLSearchParams({ grant_type: "authorization_code", client_id: codeClient, code: q.get("code"),
    redirect_uri: location.origin + "/", code_verifier: flow.verifier });
  const res = await fetch("/oauth/token", { method: "POST", body: form,
    headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept-Language": state.lang } });
  const data = await res.json().catch(() => null);
  addLog("POST", "/oauth/token", res.status, data);
  if (res.status !== 200) return;
  const id = decode(data.id_token).claims;
  if (id.nonce !== flow.nonce) {
    addLog("POST", "/oauth/token", res.status, { error: "the ID token's nonce is not this tab's" });
    return;
  }
  state.user = id.preferred_username || id.sub;
  state.previousRefresh = "";
  state.key = null;
  state.oauthClient = codeClient;
  state.stolen = "";
  setTokens({ access: data.access_token, refresh: data.refresh_token, refresh_expires_in: data.refresh_expires_in });
}

// signUpServed reports whether this authd serves POST /signup/: a GET there
// is 405 when it does, 404 when AUTH_SIGNUP is off.
async function signUpServed() {
  try { return (await fetch("/signup/")).status === 405; } catch { return false; }
}

// steal plays the thief who copied both tokens out of the page (an XSS, a
// log, a proxy) but not the key, which never leaves WebCrypto: the access
// token sent as a Bearer token, the refresh token with no proof, then with
// a proof of the thief's own key.
async function steal() {
  if (state.cookieMode) return stealFromCookieMode();
  const copy = { access: state.access, refresh: state.refresh };
  const used = await call("GET", "/protected/", { token: copy.access, resource: true, who: "thief" });
  let refreshed = await call("POST", "/refresh/", { token: copy.refresh, who: "thief" });
  if (state.key && refreshed.status !== 200) {
    refreshed = await call("POST", "/refresh/", { token: copy.refresh, key: await newKey(), who: "thief" });
  }
  state.stolen = used.status === 200 || refreshed.status === 200 ? "worked" : "blocked";
  render();
}

// stealFromCookieMode plays the same thief in cookie mode: it searches
// everywhere a script can look for a refresh token (a JWT whose typ says
// refresh), finds none, and tries a refresh with the cookie alone, as a
// form on another page would send it.
async function stealFromCookieMode() {
  const places = { "document.cookie": document.cookie, localStorage: JSON.stringify({ ...localStorage }),
    sessionStorage: JSON.stringify({ ...sessionStorage }), memory: JSON.stringify({ access: state.access, refresh: state.refresh }) };
  const found = [];
  for (const [where, text] of Object.entries(places)) {
    for (const jwt of text.match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g) || []) {
      let kind = "?";
      try { kind = decode(jwt).header.typ || "?"; } catch { /* not a token */ }
      found.push(`${where}: ${kind}`);
    }
  }
  await call("POST", "/refresh/", { who: "thief" });
  state.stolenFound = found.join(", ") || "–";
  state.stolen = found.some((f) => /refresh/i.test(f)) ? "worked" : "norefresh";
  render();
}

async function refresh() {
  if (!inSession() || state.refreshing) return;
  state.refreshing = true;
  try {
    const used = state.refresh;
    const r = state.oauthClient ? await oauthRefresh(used)
      : await call("POST", "/refresh/", { token: used, key: state.key, csrf: state.cookieMode });
    if (r.status === 200) {
      if (used) state.previousRefresh = used;
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
  const r = state.oauthClient ? await oauthRefresh(state.previousRefresh)
    : await call("POST", "/refresh/", { token: state.previousRefresh, key: state.key });
  if (r.status === 401) endSession(r.data.error);
}

async function protectedCall() {
  const r = await call("GET", "/protected/", { token: state.access, key: state.key, resource: true });
  if (r.status === 401 && ["session_revoked", "session_expired"].includes(r.data.error)) endSession(r.data.error);
}

// logout ends the session: at /logout/, or for a code-flow session as its
// OAuth client does, by revoking the refresh token (RFC 7009).
async function logout() {
  let ok;
  if (state.oauthClient) {
    const form = new URLSearchParams({ token: state.refresh, token_type_hint: "refresh_token", client_id: state.oauthClient });
    const res = await fetch("/oauth/revoke", { method: "POST", body: form, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    addLog("POST", "/oauth/revoke", res.status, null);
    ok = res.status === 200;
  } else {
    ok = (await call("POST", "/logout/", { token: state.refresh, key: state.key, csrf: state.cookieMode })).status === 204;
  }
  if (ok) {
    state.oauthClient = "";
    state.cookieMode = false;
    state.access = state.refresh = state.previousRefresh = "";
    state.user = "";
    state.key = null;
    state.stolen = "";
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

// countdown shows a token's time left: from its claims, or, for the
// cookie's refresh token the page cannot read, from the expiry and
// lifetime the body told ({ exp, life } in ms).
function countdown(kind, token) {
  const bar = $(kind + "-bar");
  const text = $(kind + "-countdown");
  if (!token) {
    bar.style.width = "0";
    text.textContent = "–";
    return Infinity;
  }
  let life, exp;
  if (typeof token === "string") {
    const { claims } = decode(token);
    life = (claims.exp - claims.iat) * 1000;
    exp = claims.exp * 1000;
  } else {
    ({ life, exp } = token);
  }
  const left = exp - serverNow();
  const share = Math.max(0, Math.min(1, left / life));
  bar.style.width = (share * 100).toFixed(1) + "%";
  bar.className = left <= 0 ? "gone" : share < 0.2 ? "low" : "";
  text.textContent = left <= 0 ? t("expired") : t("left", Math.ceil(left / 1000));
  text.dataset.left = String(Math.max(0, Math.ceil(left / 1000)));
  return left;
}

function tick() {
  const accessLeft = countdown("access", state.ended ? "" : state.access);
  const cookieRefresh = state.cookieMode && state.access ? { exp: state.refreshExp, life: state.refreshLife } : "";
  countdown("refresh", state.ended ? "" : state.refresh || cookieRefresh);
  if (state.devClock) $("clock").textContent = t("serverClock", new Date(serverNow()).toISOString().slice(0, 19) + "Z");
  if ($("auto").checked && inSession() && !state.ended && accessLeft !== Infinity) {
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
  $("steal").disabled = !loggedIn;
  $("binding").textContent = loggedIn ? (state.key ? t("bound", state.key.jkt) : t("bearer")) : "";
  const stolen = $("steal-result");
  stolen.hidden = !state.stolen;
  stolen.dataset.state = state.stolen === "blocked" || state.stolen === "norefresh" ? "in" : "ended";
  stolen.textContent = state.stolen === "blocked" ? t("stolenBlocked") : state.stolen === "worked" ? t("stolenWorked")
    : state.stolen === "norefresh" ? t("stolenNoRefresh", state.stolenFound) : "";
  const hint = $("replay-hint");
  hint.hidden = !(loggedIn && !state.previousRefresh) || state.cookieMode;
  hint.textContent = t("replayHint");
  $("replay").title = $("replay").disabled ? t("replayHint") : "";
  $("advance").hidden = !state.devClock;
  for (const kind of ["access", "refresh"]) {
    const token = state[kind];
    $(kind + "-decoded").textContent = token ? JSON.stringify(decode(token), null, 2) : "";
  }
  if (loggedIn && state.cookieMode) $("refresh-decoded").textContent = t("cookieHeld");
  tick();
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  $("lang").textContent = t("lang");
  render();
}

document.addEventListener("DOMContentLoaded", async () => {
  $("login").addEventListener("click", login);
  $("signup").addEventListener("click", signUp);
  $("code-login").addEventListener("click", codeLogin);
  $("protected").addEventListener("click", protectedCall);
  $("refresh").addEventListener("click", refresh);
  $("logout").addEventListener("click", logout);
  $("replay").addEventListener("click", replay);
  $("steal").addEventListener("click", steal);
  $("advance").addEventListener("click", advance);
  $("lang").addEventListener("click", () => { state.lang = state.lang === "ko" ? "en" : "ko"; applyLanguage(); });
  if (navigator.language && navigator.language.startsWith("en")) state.lang = "en";
  await syncClock();
  $("signup-row").hidden = !(await signUpServed());
  $("code-row").hidden = (await fetch("/.well-known/openid-configuration").catch(() => ({ status: 0 }))).status !== 200;
  applyLanguage();
  await codeReturn();
  setInterval(tick, 250);
  setInterval(syncClock, 5000);
});
