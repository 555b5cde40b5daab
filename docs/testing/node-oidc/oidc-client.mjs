// panva's openid-client (https://github.com/panva/openid-client), a relying
// party nobody at authd wrote, against a live authd (AUTHD_URL, started with
// the clients file beside this script and a short AUTH_ACCESS_TTL):
// discovery, the authorization code flow with PKCE (this script plays the
// browser: it fetches the login page, posts the form with its CSRF token and
// follows the redirect), refresh three times across expiries, userinfo,
// RP-initiated logout, then the same flow with DPoP.
//
// openid-client judges expiry with the wall clock, so authd runs on real
// time with a 2 s access token here and the script waits for it to expire:
// about 10 s in all.
import * as client from 'openid-client'
import assert from 'node:assert/strict'

const base = process.env.AUTHD_URL
assert.ok(base, 'set AUTHD_URL')
const redirectURI = 'http://127.0.0.1:8400/native/cb' // a loopback redirect, any port (RFC 8252 §7.3)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// Discovery over http:// is for loopback tests only.
const config = await client.discovery(new URL(base), 'spa', undefined, client.None(), {
  execute: [client.allowInsecureRequests],
})
assert.equal(config.serverMetadata().issuer, base)
console.log('discovery: ok, issuer', config.serverMetadata().issuer)

// A browser: a cookie jar over fetch, redirects not followed.
const jar = new Map()
async function browse(url, init = {}) {
  const headers = new Headers(init.headers)
  if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
  const res = await fetch(url, { ...init, headers, redirect: 'manual' })
  for (const c of res.headers.getSetCookie()) {
    const [pair, ...attrs] = c.split(';')
    const [name, value] = pair.split('=')
    if (attrs.some((a) => /max-age=(0|-1)/i.test(a.trim()))) jar.delete(name)
    else jar.set(name, value)
  }
  return res
}

// signIn runs the code flow to the callback URL, signing in on the login
// page unless the browser's session does it.
async function signIn(extra = {}) {
  const verifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectURI, scope: 'openid profile', state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
  })
  let res = await browse(url, { headers: { 'accept-language': 'en' } })
  if (res.status === 200) {
    const page = await res.text()
    const action = page.match(/<form method="post" action="([^"]+)">/)[1].replaceAll('&amp;', '&').replaceAll('&#43;', '+')
    const csrf = page.match(/name="csrf_token" value="([^"]+)"/)[1]
    res = await browse(new URL(action, base), {
      method: 'POST', body: new URLSearchParams({ csrf_token: csrf, username: 'minsu', password: '1229' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
    })
  }
  assert.equal(res.status, 303, 'redirected back to the client')
  return { callback: new URL(res.headers.get('location')), verifier, state, nonce }
}

async function flow(dpop) {
  const opts = dpop ? { DPoP: dpop } : undefined
  const { callback, verifier, state, nonce } = await signIn()
  let tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
  }, undefined, opts)
  const claims = tokens.claims()
  assert.equal(claims.sub, '2')
  assert.equal(claims.preferred_username, 'minsu')
  assert.equal(tokens.token_type.toLowerCase(), dpop ? 'dpop' : 'bearer')
  console.log(`code + PKCE${dpop ? ' + DPoP' : ''}: ok, sub`, claims.sub, 'sid', claims.sid)

  for (let i = 1; i <= 3; i++) {
    await sleep((tokens.expires_in + 1) * 1000) // past the access token's expiry
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub, opts).catch((e) => e)
    assert.ok(info instanceof Error, 'the expired access token is refused')
    tokens = await client.refreshTokenGrant(config, tokens.refresh_token, undefined, opts)
    console.log(`refresh ${i}: ok, expires_in`, tokens.expires_in)
  }
  const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub, opts)
  assert.equal(info.preferred_username, 'minsu')
  console.log('userinfo: ok,', info.preferred_username)
  return { tokens, claims, idToken: (await signInAgain()).id_token, opts }
}

// signInAgain: single sign-on, no password: the page is skipped.
async function signInAgain() {
  const { callback, verifier, state, nonce } = await signIn()
  return client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce })
}

async function logout({ tokens, idToken, opts }) {
  const end = client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: 'http://127.0.0.1:8400/bye', state: 'bye-1' })
  const res = await browse(end)
  assert.equal(res.status, 303)
  assert.equal(res.headers.get('location'), 'http://127.0.0.1:8400/bye?state=bye-1')
  const after = await client.refreshTokenGrant(config, tokens.refresh_token, undefined, opts).catch((e) => e)
  assert.equal(after.error, 'invalid_grant', 'logout ended the sessions issued through the browser session')
  console.log('RP-initiated logout: ok, the refresh token is', after.error)
}

await logout(await flow())
jar.clear()
await logout(await flow(client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'))))
console.log('openid-client: all ok')
