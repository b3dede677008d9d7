// A FranceConnect v2 look-alike on panva's oidc-provider: the upstream our IdP signs in through
// in the federation tests and the demo. A test double, never a real identity provider: anyone
// may pick any of the configured identities on its development login page.
//
// Start:  node server.mjs   (after `make upstream`, which runs `npm ci` here)
// Env:    PORT (5003), ISSUER (http://127.0.0.1:$PORT),
//         CLIENTS     JSON list of {client_id, client_secret, redirect_uris,
//                     post_logout_redirect_uris, client_name?, token_endpoint_auth_method?}
//         IDENTITIES  JSON list of pivot identities {sub, given_name, family_name, birthdate,
//                     gender, birthplace, birthcountry, email, preferred_username}
//                     (identities.json by default)
//         CODE_TTL_SECONDS (30, FranceConnect's grant lifetime; tests may shorten it)
// Listens on 127.0.0.1 only and prints one line, "listening <issuer>", once ready.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';

const HOST = '127.0.0.1';
const PORT = Number(process.env.PORT || 5003);
const ISSUER = process.env.ISSUER || `http://${HOST}:${PORT}`;
const CODE_TTL_SECONDS = Number(process.env.CODE_TTL_SECONDS || 30);
// FranceConnect's minimum nonce length (its partner documentation: "22 caractères minimum").
const NONCE_MIN_LENGTH = 22;
const ACR = 'eidas1';
// FranceConnect's claim names, labelled as its consent page lists them.
const CLAIM_LABELS = {
  given_name: 'Prénom(s)',
  family_name: 'Nom de naissance',
  birthdate: 'Date de naissance',
  gender: 'Sexe',
  birthplace: 'Lieu de naissance',
  birthcountry: 'Pays de naissance',
  email: 'Adresse électronique',
  preferred_username: "Nom d'usage",
};
const PIVOT_CLAIMS = Object.keys(CLAIM_LABELS);
// A scope per claim, as FranceConnect names them, and its bundle of the pivot identity.
const SCOPE_CLAIMS = {
  openid: ['sub'],
  ...Object.fromEntries(PIVOT_CLAIMS.map((name) => [name, [name]])),
  identite_pivot: PIVOT_CLAIMS.filter((name) => !['email', 'preferred_username'].includes(name)),
};
// FranceConnect's `amr` ("fc", then the identity provider's method), given when the `claims`
// request parameter asks for it.
const AMR = ['fc', 'pwd'];

const DEFAULT_IDENTITIES = JSON.parse(
  readFileSync(new URL('identities.json', import.meta.url), 'utf8'),
);

function fail(message) {
  console.error(`franceconnect double: ${message}`);
  process.exit(2);
}

function jsonEnv(name, fallback) {
  const raw = process.env[name];
  if (!raw) {
    if (fallback === undefined) fail(`${name} is required (a JSON list)`);
    return fallback;
  }
  try {
    const value = JSON.parse(raw);
    if (!Array.isArray(value) || value.length === 0) throw new Error('not a non-empty list');
    return value;
  } catch (error) {
    return fail(`${name} is not a JSON list: ${error.message}`);
  }
}

const IDENTITIES = new Map(
  jsonEnv('IDENTITIES', DEFAULT_IDENTITIES).map((identity) => {
    if (!identity.sub) fail('every identity needs a "sub"');
    return [String(identity.sub), identity];
  }),
);

const CLIENTS = jsonEnv('CLIENTS').map((client) => ({
  client_id: client.client_id,
  client_secret: client.client_secret,
  client_name: client.client_name || client.client_id,
  redirect_uris: client.redirect_uris,
  post_logout_redirect_uris: client.post_logout_redirect_uris || [],
  token_endpoint_auth_method: client.token_endpoint_auth_method || 'client_secret_basic',
}));

// ---------------------------------------------------------------- accounts
// One random salt a run: pairwise subjects are stable while the double runs, like the sector's.
const PAIRWISE_SALT = randomBytes(16).toString('hex');

async function findAccount(ctx, id) {
  const identity = IDENTITIES.get(id);
  if (!identity) return undefined;
  return {
    accountId: id,
    async claims() {
      const claims = { sub: id };
      for (const name of PIVOT_CLAIMS) {
        if (identity[name] !== undefined) claims[name] = identity[name];
      }
      return claims;
    },
  };
}

// ---------------------------------------------------------------- refusals FranceConnect makes
function refuse(message) {
  throw new errors.InvalidRequest(message);
}

// Validated after the client and its redirect URI, so the error goes back to the client.
// oidc-provider already refuses a code_challenge_method without a code_challenge, and a
// challenge without S256: refusing any code_challenge refuses PKCE altogether.
const extraParams = {
  code_challenge(ctx, value) {
    if (value !== undefined) refuse('code_challenge is not supported');
  },
  nonce(ctx, value) {
    if (!value || value.length < NONCE_MIN_LENGTH) {
      refuse(`nonce is required and must be at least ${NONCE_MIN_LENGTH} characters long`);
    }
  },
  state(ctx, value) {
    if (!value) refuse('state is required');
  },
};

// ---------------------------------------------------------------- pages
const escape = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} - FranceConnect (double de test)</title>
<style>
body{font-family:Marianne,Arial,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#161616}
button{font:inherit;padding:.5rem 1rem;margin:.25rem 0;background:#000091;color:#fff;border:0;cursor:pointer}
button:focus,a:focus{outline:3px solid #0a76f6;outline-offset:2px}a{color:#000091}
.notice{border-left:4px solid #b34000;padding:.5rem 1rem;background:#fff4f3}
</style>
</head>
<body>
<header><p><strong>FranceConnect</strong></p>
<p class="notice">Double de test : aucune vraie identité n'est vérifiée ici.</p></header>
<main>
${body}
</main>
</body>
</html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function backLink(uid, clientName) {
  return `<p><a id="back" href="/interaction/${escape(uid)}/abort">Revenir sur ${escape(clientName)}</a></p>`;
}

function loginPage(uid, clientName) {
  const buttons = [...IDENTITIES.values()].map((identity) => `<li>
<form method="post" action="/interaction/${escape(uid)}/login">
<input type="hidden" name="identity" value="${escape(identity.sub)}">
<button type="submit">${escape(identity.given_name)} ${escape(identity.family_name)}</button>
</form></li>`).join('\n');
  return page('Choisir une identité', `<h1>Je choisis un compte pour me connecter</h1>
<p>Service : ${escape(clientName)}</p>
<ul>${buttons}</ul>
${backLink(uid, clientName)}`);
}

function consentPage(uid, clientName, claims) {
  const items = claims.map((name) => `<li>${escape(CLAIM_LABELS[name])}</li>`).join('');
  return page('Continuer', `<h1>Vous êtes bien connecté</h1>
<p>Les données suivantes vont être transmises à ${escape(clientName)} :</p>
<ul>${items}</ul>
<form method="post" action="/interaction/${escape(uid)}/confirm">
<button type="submit">Continuer sur ${escape(clientName)}</button>
</form>
${backLink(uid, clientName)}`);
}

async function logoutSource(ctx, form) {
  ctx.body = page('Déconnexion', `<h1>Se déconnecter de FranceConnect</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button>
<p><a href="/">Rester connecté</a></p>`);
}

async function postLogoutSuccessSource(ctx) {
  ctx.body = page('Déconnecté', '<h1>Vous êtes déconnecté de FranceConnect</h1>');
}

async function renderError(ctx, out) {
  ctx.type = 'html';
  ctx.set('cache-control', 'no-store');
  ctx.body = page('Erreur', `<h1>Une erreur est survenue</h1>
<p id="error">${escape(out.error)}</p><p id="error_description">${escape(out.error_description || '')}</p>`);
}

// ---------------------------------------------------------------- interactions
const INTERACTION = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/;

async function grantFor(provider, details) {
  const { prompt, params, session, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  return grant.save();
}

async function finish(provider, ctx, result) {
  const to = await provider.interactionResult(ctx.req, ctx.res, result, {
    mergeWithLastSubmission: true,
  });
  ctx.status = 303;
  ctx.redirect(to);
}

// Bad input on these pages (an unknown or spent interaction, a step out of order) gets the
// same HTML error page as the provider's own endpoints, never Koa's plain-text default.
function interactions(provider) {
  return async (ctx, next) => {
    const match = INTERACTION.exec(ctx.path);
    if (!match) return next();
    try {
      return await interactionStep(provider, ctx, match[2]);
    } catch (error) {
      if (!error.expose) throw error;
      ctx.status = error.statusCode || error.status || 400;
      return renderError(ctx, error);
    }
  };
}

async function interactionStep(provider, ctx, action) {
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const client = await provider.Client.find(details.params.client_id);
  const clientName = client?.clientName || details.params.client_id;
  ctx.set('cache-control', 'no-store');

  if (action === 'abort' && ctx.method === 'GET') {
    return finish(provider, ctx, {
      error: 'access_denied', error_description: "L'utilisateur est revenu sur le service",
    });
  }
  if (action === undefined && ctx.method === 'GET') {
    ctx.type = 'html';
    if (details.prompt.name === 'login') {
      ctx.body = loginPage(details.uid, clientName);
    } else {
      const asked = new Set((details.params.scope || '').split(' ').flatMap((scope) => SCOPE_CLAIMS[scope] || []));
      ctx.body = consentPage(details.uid, clientName, PIVOT_CLAIMS.filter((c) => asked.has(c)));
    }
    return undefined;
  }
  if (action === 'login' && ctx.method === 'POST' && details.prompt.name === 'login') {
    const identity = (await readForm(ctx.req)).get('identity');
    if (!IDENTITIES.has(identity)) throw new errors.InvalidRequest('unknown identity');
    return finish(provider, ctx, { login: { accountId: identity, acr: ACR, amr: AMR } });
  }
  if (action === 'confirm' && ctx.method === 'POST' && details.prompt.name === 'consent') {
    return finish(provider, ctx, { consent: { grantId: await grantFor(provider, details) } });
  }
  throw new errors.InvalidRequest('unexpected interaction step');
}

// oidc-provider always advertises S256; FranceConnect advertises no PKCE, as it refuses it.
async function withoutPkceMetadata(ctx, next) {
  await next();
  if (ctx.path === '/.well-known/openid-configuration' && ctx.body) {
    delete ctx.body.code_challenge_methods_supported;
  }
}

// ---------------------------------------------------------------- provider
const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'fc-double-es256' };

const configuration = {
  clients: CLIENTS,
  clientDefaults: {
    grant_types: ['authorization_code'],
    response_types: ['code'],
    id_token_signed_response_alg: 'ES256',
    userinfo_signed_response_alg: 'ES256',
    subject_type: 'pairwise',
  },
  clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
  findAccount,
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { ...SCOPE_CLAIMS, amr: null },
  scopes: Object.keys(SCOPE_CLAIMS),
  acrValues: ['eidas1', 'eidas2', 'eidas3'],
  subjectTypes: ['pairwise'],
  pairwiseIdentifier: async (ctx, accountId, client) => createHash('sha256')
    .update(`${client.sectorIdentifier}\n${accountId}\n${PAIRWISE_SALT}`)
    .digest('hex'),
  extraParams,
  responseTypes: ['code'],
  pkce: { required: () => false },
  enabledJWA: {
    idTokenSigningAlgValues: ['ES256'],
    userinfoSigningAlgValues: ['ES256'],
  },
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
    jwtUserinfo: { enabled: true },
    pushedAuthorizationRequests: { enabled: false },
    dPoP: { enabled: false },
    rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  renderError,
  ttl: {
    AuthorizationCode: CODE_TTL_SECONDS,
    AccessToken: 60,
    IdToken: 3600,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
};

const provider = new Provider(ISSUER, configuration);
provider.proxy = true;
provider.use(withoutPkceMetadata);
provider.use(interactions(provider));
provider.on('server_error', (ctx, error) => console.error('server_error', error));

const server = provider.listen(PORT, HOST, () => console.log(`listening ${ISSUER}`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
