// DPoP clients made of libraries nobody at authd wrote: panva's `dpop`
// (RFC 9449 proofs) and `oauth4webapi` (an OAuth 2 client with DPoP
// support), on Node's WebCrypto, against a live authd.
//
//   npm ci && AUTHD_URL=http://127.0.0.1:5000 node dpop-client.mjs
//
// For each algorithm the package and authd share (ES256, and Ed25519 under
// its RFC 9864 name) it logs in with a proof, calls /protected/, refreshes
// three times (each new pair called once), and then plays the thief: the
// current refresh token copied without the key, sent as a Bearer token, or
// with a proof of the thief's own key, must be refused with
// invalid_dpop_proof, and the owner's next refresh must still work. Then
// oauth4webapi refreshes a bound session three times at /oauth/token (RFC
// 6749 + 9449: it checks token_type "DPoP" itself) and calls /protected/
// with its protectedResourceRequest. It exits 1 at the first surprise. CI
// runs it (.ci/run).
import { generateKeyPair, generateProof, calculateThumbprint } from 'dpop'
import * as oauth from 'oauth4webapi'

const base = (process.env.AUTHD_URL || 'http://127.0.0.1:5000').replace(/\/$/, '')
const user = { username: process.env.AUTHD_USER || 'minsu', password: process.env.AUTHD_PASSWORD || '1229' }

function fail (msg) {
  console.error('FAIL: ' + msg)
  process.exit(1)
}

async function call (method, path, { keypair, token, scheme = 'DPoP', body, ath = false } = {}) {
  const headers = {}
  if (keypair) headers.DPoP = await generateProof(keypair, base + path, method, undefined, ath ? token : undefined)
  if (token) headers.Authorization = `${scheme} ${token}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null, challenge: res.headers.get('www-authenticate') }
}

function expect (cond, msg) { if (!cond) fail(msg) }

async function run (alg) {
  const keypair = await generateKeyPair(alg) // private key not extractable
  const jkt = await calculateThumbprint(keypair.publicKey)

  let r = await call('POST', '/login/', { keypair, body: user })
  expect(r.status === 200, `${alg} login: ${r.status} ${JSON.stringify(r.body)}`)
  expect(r.body.token_type === 'DPoP', `${alg} login: token_type ${r.body.token_type}`)
  const claims = JSON.parse(Buffer.from(r.body.access.split('.')[1], 'base64url'))
  expect(claims.cnf && claims.cnf.jkt === jkt, `${alg}: cnf.jkt ${JSON.stringify(claims.cnf)} is not the key's thumbprint ${jkt}`)
  let pair = r.body

  r = await call('GET', '/protected/', { keypair, token: pair.access, ath: true })
  expect(r.status === 200, `${alg} /protected/: ${r.status} ${JSON.stringify(r.body)}`)

  for (let i = 1; i <= 3; i++) {
    r = await call('POST', '/refresh/', { keypair, token: pair.refresh })
    expect(r.status === 200 && r.body.token_type === 'DPoP', `${alg} refresh ${i}: ${r.status} ${JSON.stringify(r.body)}`)
    pair = r.body
    r = await call('GET', '/protected/', { keypair, token: pair.access, ath: true })
    expect(r.status === 200, `${alg} /protected/ after refresh ${i}: ${r.status}`)
  }

  // The thief copied the tokens, not the key.
  r = await call('GET', '/protected/', { token: pair.access, scheme: 'Bearer' })
  expect(r.status === 401 && /^DPoP /.test(r.challenge), `${alg} stolen access token as Bearer: ${r.status} ${r.challenge}`)
  r = await call('POST', '/refresh/', { token: pair.refresh, scheme: 'Bearer' })
  expect(r.status === 401 && r.body.error === 'invalid_dpop_proof', `${alg} stolen refresh token, no proof: ${r.status} ${JSON.stringify(r.body)}`)
  const thief = await generateKeyPair(alg)
  r = await call('POST', '/refresh/', { keypair: thief, token: pair.refresh })
  expect(r.status === 401 && r.body.error === 'invalid_dpop_proof', `${alg} stolen refresh token, thief's key: ${r.status} ${JSON.stringify(r.body)}`)

  r = await call('POST', '/refresh/', { keypair, token: pair.refresh })
  expect(r.status === 200, `${alg}: the owner's refresh after the theft attempts: ${r.status} ${JSON.stringify(r.body)}`)
  r = await call('POST', '/logout/', { keypair, token: r.body.refresh })
  expect(r.status === 204, `${alg} logout: ${r.status}`)
  console.log(`ok ${alg}: login, /protected/, 3 refreshes, stolen copies refused (jkt ${jkt})`)
}

// oauth4webapi has no password grant (OAuth 2.1 dropped it), so the session
// starts at /login/ with a proof of the same key, and oauth4webapi takes
// over for the refresh_token grant and the resource calls.
async function oauth4webapi () {
  const keypair = await oauth.generateKeyPair('ES256')
  const as = { issuer: 'authd', token_endpoint: base + '/oauth/token' }
  const client = { client_id: 'authd' } // authd's public client
  const options = { DPoP: oauth.DPoP(client, keypair), [oauth.allowInsecureRequests]: true } // http on loopback only
  let r = await call('POST', '/login/', { keypair, body: user })
  expect(r.status === 200 && r.body.token_type === 'DPoP', `oauth4webapi login: ${r.status} ${JSON.stringify(r.body)}`)
  let refresh = r.body.refresh
  for (let i = 1; i <= 3; i++) {
    const res = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refresh, options)
    const tokens = await oauth.processRefreshTokenResponse(as, client, res) // throws on anything unexpected
    expect(tokens.token_type === 'dpop', `oauth4webapi refresh ${i}: token_type ${tokens.token_type}`)
    refresh = tokens.refresh_token
    const pr = await oauth.protectedResourceRequest(tokens.access_token, 'GET', new URL(base + '/protected/'), undefined, undefined, options)
    expect(pr.status === 200, `oauth4webapi /protected/ after refresh ${i}: ${pr.status}`)
  }
  r = await call('POST', '/refresh/', { token: refresh, scheme: 'Bearer' })
  expect(r.status === 401 && r.body.error === 'invalid_dpop_proof', `oauth4webapi's refresh token stolen: ${r.status} ${JSON.stringify(r.body)}`)
  console.log('ok oauth4webapi: 3 refresh_token grants at /oauth/token with DPoP, protectedResourceRequest, a copy refused')
}

for (const alg of ['ES256', 'Ed25519']) await run(alg)
await oauth4webapi()
