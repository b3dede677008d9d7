// An independent, certified relying party (openid-client v6) driving a live IdP.
//
//   node rp.mjs keygen              prints {"public_jwks": {...}, "private_jwk": {...}} (ES256)
//   node rp.mjs run SCENARIO.json   runs one scenario, prints one JSON result on stdout
//
// SCENARIO.json: {name, issuer, client_id, client_secret?, auth_method, id_token_alg?,
//   redirect_uri, post_logout_redirect_uri, identifier, password, private_jwk?}
// auth_method: client_secret_post | client_secret_basic | private_key_jwt | none
//
// The front channel (sign-in and consent pages) is driven with fetch and a small cookie
// jar, following redirects by hand. The protocol checks are openid-client's (state, RFC 9207
// iss, PKCE, ID token signature against the JWKS with enableNonRepudiationChecks, iss, aud,
// nonce, exp, userinfo sub) except at_hash, which openid-client does not check in the code
// flow (optional there, OIDC Core §3.1.3.8): this script checks it.
// The result holds what was observed; the pytest side asserts on it. Exit status 0 with
// {"ok": true, ...} when the scenario ran to its end, 1 with {"ok": false, "error": ...}
// when a step failed unexpectedly (the trace of HTTP exchanges says where).

import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import process from 'node:process';
import * as client from 'openid-client';

const { subtle } = webcrypto;
const SCOPE = 'openid profile email offline_access';
const TIMEOUT_MS = 30_000;

// -- small helpers ---------------------------------------------------------------------

const trace = [];

function step(name) {
  trace.push({ step: name });
}

function lastStep() {
  return [...trace].reverse().find((t) => t.step)?.step;
}

function b64url(buffer) {
  return Buffer.from(buffer).toString('base64url');
}

/** OIDC Core §3.1.3.6: at_hash = base64url(left half of SHA-256(access_token)). */
function atHash(accessToken) {
  const digest = createHash('sha256').update(accessToken, 'ascii').digest();
  return b64url(digest.subarray(0, digest.length / 2));
}

function sameEndpoint(a, b) {
  const x = new URL(a);
  const y = new URL(b);
  return x.origin === y.origin && x.pathname === y.pathname;
}

function params(url) {
  return Object.fromEntries(new URL(url).searchParams.entries());
}

/** What an openid-client error says, in a form the test can assert on. */
function describeError(error) {
  const out = { name: error?.name, code: error?.code, message: error?.message };
  if (error?.error) out.error = error.error;
  if (error?.error_description) out.error_description = error.error_description;
  if (error?.status) out.status = error.status;
  if (error?.cause instanceof Error) {
    out.cause = { name: error.cause.name, code: error.cause.code, message: error.cause.message };
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    out.status = error.response?.status;
    out.error = error.cause?.[0]?.parameters?.error;
  }
  if (error instanceof client.AuthorizationResponseError) {
    out.error = error.error;
  }
  return out;
}

async function expectFailure(label, promiseFactory) {
  try {
    const value = await promiseFactory();
    return { failed: false, label, unexpected_success: JSON.stringify(value).slice(0, 300) };
  } catch (error) {
    return { failed: true, label, ...describeError(error) };
  }
}

// -- the browser: fetch + cookie jar + manual redirects ---------------------------------

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'" };

function decodeEntities(text) {
  return text.replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (whole, name) => {
    const lower = name.toLowerCase();
    if (lower in ENTITIES) return ENTITIES[lower];
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10));
    return whole;
  });
}

function parseAttributes(source) {
  const attributes = {};
  const pattern = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  for (const match of source.matchAll(pattern)) {
    attributes[match[1].toLowerCase()] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '');
  }
  return attributes;
}

function parseForms(html, pageUrl) {
  const forms = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attributes = parseAttributes(match[1]);
    const controls = [];
    for (const control of match[2].matchAll(/<(input|button)\b([^>]*)>/gi)) {
      controls.push({ tag: control[1].toLowerCase(), ...parseAttributes(control[2]) });
    }
    forms.push({
      action: new URL(attributes.action || pageUrl, pageUrl).href,
      method: (attributes.method || 'get').toLowerCase(),
      controls,
    });
  }
  return forms;
}

class Browser {
  constructor(name) {
    this.name = name;
    this.cookies = new Map(); // one host: name -> value
  }

  store(response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [key, val = ''] = a.trim().split('=');
        if (key.toLowerCase() === 'max-age') return Number(val) <= 0;
        if (key.toLowerCase() === 'expires') return Date.parse(val) <= Date.now();
        return false;
      });
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(method, url, form) {
    const headers = { 'user-agent': 'openid-client-interop/1', 'accept-language': 'fr' };
    if (this.cookies.size) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    const init = { method, headers, redirect: 'manual' };
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      init.body = new URLSearchParams(form).toString();
    }
    const response = await fetch(url, init);
    this.store(response);
    const location = response.headers.get('location');
    trace.push({
      browser: this.name,
      method,
      url: redactUrl(url),
      status: response.status,
      ...(location ? { location: redactUrl(new URL(location, url).href) } : {}),
    });
    return response;
  }

  /**
   * Request `url`, following redirects until a page answers or a redirect leads to one of
   * `stopAt` (the RP's own endpoints, which are not running: their URL is the result).
   */
  async navigate(url, stopAt, form) {
    let method = form ? 'POST' : 'GET';
    let body = form;
    for (let hops = 0; hops < 10; hops += 1) {
      const response = await this.request(method, url, body);
      if (response.status >= 300 && response.status < 400) {
        const next = new URL(response.headers.get('location'), url).href;
        await response.arrayBuffer();
        if (stopAt.some((target) => sameEndpoint(next, target))) {
          return { arrived: next, status: response.status };
        }
        url = next;
        method = 'GET';
        body = undefined;
        continue;
      }
      return { url, status: response.status, html: await response.text() };
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

function redactUrl(url) {
  // Keep traces readable and free of secrets: drop long token-like values.
  const u = new URL(url);
  for (const key of ['code', 'id_token_hint', 'code_challenge', 'nonce', 'state']) {
    if (u.searchParams.has(key)) u.searchParams.set(key, '…');
  }
  return u.href;
}

/**
 * Drive the hosted pages until the server redirects to the RP's callback. Returns the
 * callback URL and which forms were submitted (none when the session and consent allow).
 */
async function authorize(browser, authorizationUrl, scenario) {
  const submitted = [];
  let page = await browser.navigate(authorizationUrl.href, [scenario.redirect_uri]);
  for (let i = 0; i < 4 && !page.arrived; i += 1) {
    if (page.status !== 200) {
      throw new Error(`page ${page.url} answered ${page.status}: ${page.html.slice(0, 500)}`);
    }
    const forms = parseForms(page.html, page.url);
    const has = (name) => (f) => f.controls.some((c) => c.name === name);
    const login = forms.find(has('password'));
    const consent = forms.find(has('approve'));
    const form = login || consent;
    if (!form || form.method !== 'post') {
      throw new Error(`no sign-in or consent form on ${page.url}: ${page.html.slice(0, 500)}`);
    }
    if (login && submitted.includes('login')) {
      const alert = /role="alert"[^>]*>([\s\S]*?)<\/div>/.exec(page.html)?.[1]?.replace(/<[^>]+>/g, ' ');
      throw new Error(`the sign-in form came back after submitting it (${page.url}): ${alert?.trim()}`);
    }
    const fields = {};
    for (const control of form.controls) {
      if (control.tag === 'input' && control.type === 'hidden' && control.name) {
        fields[control.name] = control.value ?? '';
      }
    }
    if (!fields.csrf_token) throw new Error(`no csrf_token in the form on ${page.url}`);
    if (login) {
      fields.identifier = scenario.identifier;
      fields.password = scenario.password;
      submitted.push('login');
    } else {
      fields.approve = '1';
      submitted.push('consent');
    }
    page = await browser.navigate(form.action, [scenario.redirect_uri], fields);
  }
  if (!page.arrived) {
    throw new Error(`never reached the callback; last page ${page.url} (${page.status})`);
  }
  return { callback: new URL(page.arrived), submitted };
}

// -- openid-client configuration ---------------------------------------------------------

async function importPrivateJwk(jwk) {
  const { kty, crv, x, y, d } = jwk;
  const algorithm = { name: 'ECDSA', namedCurve: crv };
  const key = await subtle.importKey('jwk', { kty, crv, x, y, d }, algorithm, false, ['sign']);
  return { key, kid: jwk.kid };
}

async function clientAuthentication(scenario) {
  switch (scenario.auth_method) {
    case 'client_secret_post':
      return client.ClientSecretPost(scenario.client_secret);
    case 'client_secret_basic':
      return client.ClientSecretBasic(scenario.client_secret);
    case 'private_key_jwt':
      return client.PrivateKeyJwt(await importPrivateJwk(scenario.private_jwk));
    case 'none':
      return client.None();
    default:
      throw new Error(`unknown auth_method ${scenario.auth_method}`);
  }
}

/** Back-channel fetch: records each exchange; can tamper with the next ID token once. */
const backChannel = { tamperNextIdToken: false };

async function recordingFetch(url, options) {
  const response = await fetch(url, options);
  const entry = {
    channel: 'back',
    method: options?.method ?? 'GET',
    url: redactUrl(url),
    status: response.status,
  };
  trace.push(entry);
  if (!response.ok) {
    const text = await response.clone().text();
    entry.body = text.slice(0, 400);
  }
  if (backChannel.tamperNextIdToken && response.ok) {
    const body = await response.json();
    if (body.id_token) {
      backChannel.tamperNextIdToken = false;
      const [header, payload, signature] = body.id_token.split('.');
      const bytes = Buffer.from(signature, 'base64url');
      bytes[bytes.length >> 1] ^= 0x01;
      body.id_token = [header, payload, b64url(bytes)].join('.');
      entry.tampered = 'id_token signature';
    }
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    return new Response(JSON.stringify(body), { status: response.status, headers });
  }
  return response;
}

async function configure(scenario) {
  const metadata = {};
  if (scenario.id_token_alg) metadata.id_token_signed_response_alg = scenario.id_token_alg;
  const authentication = await clientAuthentication(scenario);
  return client.discovery(new URL(scenario.issuer), scenario.client_id, metadata, authentication, {
    // Plain http on loopback in tests; verify ID token signatures against the JWKS even
    // on the back channel (openid-client skips that by default: TLS vouches for the issuer).
    execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
    [client.customFetch]: recordingFetch,
  });
}

async function authorizationRequest(config, extra = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const checks = {
    pkceCodeVerifier: verifier,
    expectedNonce: client.randomNonce(),
    expectedState: client.randomState(),
    idTokenExpected: true,
  };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: extra.redirect_uri,
    scope: extra.scope ?? SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce: checks.expectedNonce,
    state: checks.expectedState,
    ...(extra.prompt ? { prompt: extra.prompt } : {}),
  });
  return { url, checks };
}

function idTokenSummary(tokens) {
  const claims = tokens.claims();
  if (!claims) return null;
  const header = JSON.parse(Buffer.from(tokens.id_token.split('.')[0], 'base64url').toString());
  return {
    claims,
    alg: header.alg,
    kid: header.kid,
    at_hash_expected: atHash(tokens.access_token),
    at_hash_matches: claims.at_hash === atHash(tokens.access_token),
  };
}

// -- the scenario ------------------------------------------------------------------------

async function run(scenario) {
  const result = { ok: false, scenario: scenario.name, auth_method: scenario.auth_method };
  const browser = new Browser(scenario.name);
  const callbackOptions = { redirect_uri: scenario.redirect_uri };

  step('discovery');
  const config = await configure(scenario);
  const server = config.serverMetadata();
  result.discovery = {
    issuer: server.issuer,
    authorization_response_iss_parameter_supported: server.authorization_response_iss_parameter_supported,
    code_challenge_methods_supported: server.code_challenge_methods_supported,
    end_session_endpoint: server.end_session_endpoint,
    revocation_endpoint: server.revocation_endpoint,
  };

  // 1. Authorization code flow through the hosted sign-in and consent pages.
  step('authorize (sign-in, consent)');
  const first = await authorizationRequest(config, { ...callbackOptions, prompt: 'consent' });
  const { callback, submitted } = await authorize(browser, first.url, scenario);
  const callbackParams = params(callback);
  result.authorization = {
    forms_submitted: submitted,
    callback_parameters: Object.keys(callbackParams).sort(),
    iss: callbackParams.iss,
    state_matches: callbackParams.state === first.checks.expectedState,
  };

  step('code exchange');
  const tokens = await client.authorizationCodeGrant(config, callback, first.checks);
  result.tokens = {
    token_type: tokens.token_type,
    scope: tokens.scope,
    expires_in: tokens.expiresIn(),
    has_refresh_token: typeof tokens.refresh_token === 'string',
  };
  result.id_token = idTokenSummary(tokens);
  result.id_token.nonce_matches = result.id_token.claims.nonce === first.checks.expectedNonce;
  const sub = result.id_token.claims.sub;

  step('userinfo');
  const info = await client.fetchUserInfo(config, tokens.access_token, sub);
  result.userinfo = { ...info, sub_matches: info.sub === sub };

  // 2. Refresh: rotation, a new ID token for the same authentication, the old token refused.
  step('refresh');
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  const refreshedId = refreshed.id_token ? idTokenSummary(refreshed) : null;
  result.refresh = {
    ok: typeof refreshed.access_token === 'string',
    new_access_token: refreshed.access_token !== tokens.access_token,
    rotated: typeof refreshed.refresh_token === 'string' && refreshed.refresh_token !== tokens.refresh_token,
    id_token: refreshedId,
    same_sub: refreshedId ? refreshedId.claims.sub === sub : null,
    same_auth_time: refreshedId ? refreshedId.claims.auth_time === result.id_token.claims.auth_time : null,
    same_aud: refreshedId ? refreshedId.claims.aud === result.id_token.claims.aud : null,
  };
  step('userinfo with the refreshed access token');
  const refreshedInfo = await client.fetchUserInfo(config, refreshed.access_token, sub);
  result.refresh.userinfo_sub_matches = refreshedInfo.sub === sub;

  step('old refresh token');
  result.old_refresh = await expectFailure('old refresh token', () =>
    client.refreshTokenGrant(config, tokens.refresh_token),
  );
  // Reuse of a rotated refresh token means a copy leaked: the whole grant is revoked.
  step('grant after reuse');
  result.after_reuse = {
    new_refresh: await expectFailure('rotated refresh token', () =>
      client.refreshTokenGrant(config, refreshed.refresh_token),
    ),
    new_access: await expectFailure('refreshed access token', () =>
      client.fetchUserInfo(config, refreshed.access_token, sub),
    ),
  };

  // 3. Single sign-on: the session and the remembered consent answer without any page.
  step('silent authorization (prompt=none)');
  const second = await authorizationRequest(config, { ...callbackOptions, prompt: 'none' });
  const silent = await authorize(browser, second.url, scenario);
  const tokens2 = await client.authorizationCodeGrant(config, silent.callback, second.checks);
  const id2 = idTokenSummary(tokens2);
  result.sso = {
    forms_submitted: silent.submitted,
    same_sub: id2.claims.sub === sub,
    same_sid: id2.claims.sid === result.id_token.claims.sid,
    at_hash_matches: id2.at_hash_matches,
    nonce_matches: id2.claims.nonce === second.checks.expectedNonce,
    has_refresh_token: typeof tokens2.refresh_token === 'string',
  };

  // 4. The RP really verifies signatures: a token response whose ID token signature was
  //    altered in transit must be refused by openid-client.
  step('tampered ID token signature');
  const third = await authorizationRequest(config, { ...callbackOptions, prompt: 'none' });
  const silent3 = await authorize(browser, third.url, scenario);
  backChannel.tamperNextIdToken = true;
  result.tampered_signature = await expectFailure('tampered id_token', () =>
    client.authorizationCodeGrant(config, silent3.callback, third.checks),
  );
  backChannel.tamperNextIdToken = false;

  // 5. Revocation (RFC 7009): the access token, then the refresh token (and its grant).
  step('revocation');
  await client.tokenRevocation(config, tokens2.access_token, { token_type_hint: 'access_token' });
  result.revocation = {
    access_token_userinfo: await expectFailure('revoked access token', () =>
      client.fetchUserInfo(config, tokens2.access_token, sub),
    ),
  };
  await client.tokenRevocation(config, tokens2.refresh_token, { token_type_hint: 'refresh_token' });
  result.revocation.refresh_token_grant = await expectFailure('revoked refresh token', () =>
    client.refreshTokenGrant(config, tokens2.refresh_token),
  );
  // Revoking an unknown token is not an error (RFC 7009 §2.2).
  await client.tokenRevocation(config, b64url(randomBytes(32)));
  result.revocation.unknown_token_ok = true;

  // 6. RP-initiated logout with id_token_hint, a registered post_logout_redirect_uri, state.
  step('logout');
  const logoutState = client.randomState();
  const endSession = client.buildEndSessionUrl(config, {
    id_token_hint: tokens2.id_token,
    post_logout_redirect_uri: scenario.post_logout_redirect_uri,
    state: logoutState,
  });
  const logout = await browser.navigate(endSession.href, [scenario.post_logout_redirect_uri]);
  result.logout = {
    redirected: Boolean(logout.arrived),
    status: logout.status,
    location: logout.arrived ?? null,
    at_registered_uri: Boolean(
      logout.arrived && sameEndpoint(logout.arrived, scenario.post_logout_redirect_uri),
    ),
    state: logout.arrived ? params(logout.arrived).state ?? null : null,
    state_matches: logout.arrived ? params(logout.arrived).state === logoutState : false,
    page: logout.arrived ? undefined : logout.html?.slice(0, 300),
  };

  // 7. The session is gone: a silent authorization must answer login_required.
  step('prompt=none after logout');
  const fourth = await authorizationRequest(config, { ...callbackOptions, prompt: 'none' });
  const after = await browser.navigate(fourth.url.href, [scenario.redirect_uri]);
  if (!after.arrived) {
    result.after_logout = { redirected: false, status: after.status, page: after.html?.slice(0, 300) };
  } else {
    const afterParams = params(after.arrived);
    const outcome = await expectFailure('prompt=none after logout', () =>
      client.authorizationCodeGrant(config, new URL(after.arrived), fourth.checks),
    );
    result.after_logout = {
      redirected: true,
      error: afterParams.error ?? null,
      state_matches: afterParams.state === fourth.checks.expectedState,
      iss: afterParams.iss ?? null,
      // openid-client validated state and iss, then surfaced the error response:
      openid_client: outcome,
    };
  }

  result.ok = true;
  return result;
}

// -- entry point -------------------------------------------------------------------------

async function keygen() {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const { publicKey, privateKey } = await subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const kid = b64url(randomBytes(12));
  const pub = await subtle.exportKey('jwk', publicKey);
  const priv = await subtle.exportKey('jwk', privateKey);
  const common = { kty: pub.kty, crv: pub.crv, x: pub.x, y: pub.y, kid, alg: 'ES256', use: 'sig' };
  return { public_jwks: { keys: [common] }, private_jwk: { ...common, d: priv.d } };
}

async function main() {
  const [command, file] = process.argv.slice(2);
  if (command === 'keygen') return keygen();
  if (command === 'run' && file) return run(JSON.parse(readFileSync(file, 'utf8')));
  throw new Error('usage: node rp.mjs keygen | node rp.mjs run SCENARIO.json');
}

const timer = setTimeout(() => {
  const error = { message: `timed out after ${TIMEOUT_MS} ms` };
  process.stdout.write(`${JSON.stringify({ ok: false, step: lastStep(), error, trace })}\n`);
  process.exit(1);
}, TIMEOUT_MS);

try {
  const output = await main();
  if (output && 'ok' in output) output.trace = trace;
  process.stdout.write(`${JSON.stringify(output)}\n`);
  process.exitCode = 0;
} catch (error) {
  const failure = {
    ok: false,
    step: lastStep(),
    error: describeError(error),
    stack: error?.stack,
    trace,
  };
  process.stdout.write(`${JSON.stringify(failure)}\n`);
  process.exitCode = 1;
} finally {
  clearTimeout(timer);
}
