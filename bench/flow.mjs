// Full authorization-code flows against our IdP, as the peer's flow.mjs drives oidc-provider:
// authorize, the sign-in page and its form, the consent page and its form, the code exchange
// (PKCE, RS256 ID token) and one refresh. A fresh cookie jar per flow: each flow signs in.
//
//   node flow.mjs FLOW.json bench C S   full flows with concurrency C for S seconds;
//                                        prints one JSON line (flows, errors, flows/s, p50, p99)
//   node flow.mjs FLOW.json bench C S signin   the same, stopping once signed in (the
//                                        password form answered with a redirect)
//   node flow.mjs FLOW.json once        one verbose flow
//
// FLOW.json: {base, client_id, client_secret, redirect_uri, identifier, password}
import { Buffer } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const BASIC = 'Basic ' + Buffer.from(`${cfg.client_id}:${cfg.client_secret}`).toString('base64');
const CSRF = /name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"/;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function jar() {
  const c = new Map();
  return {
    take(res) {
      for (const sc of res.headers.getSetCookie()) {
        const [kv] = sc.split(';');
        const i = kv.indexOf('=');
        const name = kv.slice(0, i); const val = kv.slice(i + 1);
        if (val === '' || /expires=Thu, 01 Jan 1970/i.test(sc)) c.delete(name); else c.set(name, val);
      }
    },
    header() { return [...c].map(([k, v]) => `${k}=${v}`).join('; '); },
  };
}

// Locations name the issuer; two servers of one instance (one database) listen on two ports:
// stay on the one under test.
function here(url) {
  const u = new URL(url, cfg.base);
  return cfg.base + u.pathname + u.search;
}

async function go(url, j, init = {}) {
  const res = await fetch(here(url), {
    redirect: 'manual', ...init, headers: { ...(init.headers || {}), cookie: j.header() },
  });
  j.take(res);
  const text = await res.text();
  return { status: res.status, location: res.headers.get('location'), text };
}

async function submit(url, j, fields) {
  const page = await go(url, j);
  const m = CSRF.exec(page.text);
  if (page.status !== 200 || !m) throw new Error(`no form at ${url}: ${page.status}`);
  const body = new URLSearchParams({ csrf_token: m[1] || m[2], ...fields });
  return go(url, j, { method: 'POST', headers: FORM, body });
}

export async function fullFlow(verbose = false, signinOnly = false) {
  const j = jar();
  let requests = 0;
  const log = (...a) => verbose && console.log(...a);
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const q = new URLSearchParams({
    client_id: cfg.client_id, response_type: 'code', redirect_uri: cfg.redirect_uri,
    scope: 'openid email offline_access', prompt: 'consent', state: 'st' + Math.random(), nonce: 'n' + Math.random(),
    code_challenge: challenge, code_challenge_method: 'S256',
  });
  let res = await go(`/authorize?${q}`, j); requests++;
  let url = res.location;
  for (let step = 0; step < 8 && !url.startsWith(cfg.redirect_uri); step++) {
    const path = new URL(url, cfg.base).pathname;
    if (path === '/login') {
      res = await submit(url, j, { identifier: cfg.identifier, password: cfg.password });
      requests += 2;
      if (signinOnly && res.status === 302 || signinOnly && res.status === 303) return requests;
    } else if (path.startsWith('/consent/')) {
      res = await submit(url, j, { approve: '1' });
      requests += 2;
    } else {
      res = await go(url, j); requests++;
    }
    log(path, '->', res.status, res.location);
    if (!res.location) throw new Error(`stopped at ${path}: ${res.status} ${res.text.slice(0, 200)}`);
    url = res.location;
  }
  const code = new URL(url).searchParams.get('code');
  if (!code) throw new Error('no code: ' + url);
  let r = await fetch(`${cfg.base}/token`, {
    method: 'POST', headers: { authorization: BASIC, ...FORM },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: cfg.redirect_uri, code_verifier: verifier,
    }),
  });
  const tok = await r.json(); requests++;
  if (!tok.refresh_token || !tok.id_token) throw new Error('no tokens: ' + JSON.stringify(tok));
  r = await fetch(`${cfg.base}/token`, {
    method: 'POST', headers: { authorization: BASIC, ...FORM },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tok.refresh_token }),
  });
  const tok2 = await r.json(); requests++;
  if (!tok2.refresh_token) throw new Error('refresh failed: ' + JSON.stringify(tok2));
  log('id_token header:', Buffer.from(tok.id_token.split('.')[0], 'base64url').toString());
  return requests;
}

if (process.argv[3] === 'bench') {
  const C = Number(process.argv[4] || 8); const S = Number(process.argv[5] || 10);
  const signinOnly = process.argv[6] === 'signin';
  const end = Date.now() + S * 1000; let n = 0; let err = 0; let perFlow = 0; const lat = [];
  const firstErrors = [];
  await Promise.all(Array.from({ length: C }, async () => {
    while (Date.now() < end) {
      const t0 = performance.now();
      try { perFlow = await fullFlow(false, signinOnly); n++; lat.push(performance.now() - t0); } catch (e) {
        err++; if (firstErrors.length < 3) firstErrors.push(String(e.message).slice(0, 300));
      }
    }
  }));
  lat.sort((a, b) => a - b);
  const p = (x) => +(lat[Math.min(lat.length - 1, Math.floor(x * lat.length))] || 0).toFixed(1);
  console.log(JSON.stringify({
    concurrency: C, seconds: S, flows: n, errors: err, flows_per_s: +(n / S).toFixed(1),
    p50_ms: p(0.5), p99_ms: p(0.99), requests_per_flow: perFlow, first_errors: firstErrors,
  }));
} else {
  console.log('requests:', await fullFlow(true));
}
