// Drives a Procore API (the sandbox) with @procore/js-sdk, step by step, using the SDK's own calls:
// authorize -> token (authorization code) -> client.get /companies without Procore-Company-Id ->
// refresh (rotation) -> refresh again with the spent token (must fail) -> projects page by page
// following the Link header. Prints one JSON object with what each step saw; exits 1 on a thrown error.
// Usage: node drive.js '{"base": "...", "clientId": "...", "clientSecret": "...", "companyId": 1,
//                        "serviceToken": "<a client-credentials access token>"}'
const sdk = require('@procore/js-sdk');

const REDIRECT = 'https://example.com/callback';

function nextLink(header) {
  const found = (header || '').split(',').map((part) => part.match(/<([^>]+)>;\s*rel="(\w+)"/))
    .find((match) => match && match[2] === 'next');
  return found ? found[1] : null;
}

async function main() {
  const { base, clientId, clientSecret, companyId, serviceToken } = JSON.parse(process.argv[2]);
  const options = { apiHostname: base };
  const seen = { sdkVersion: sdk.sdkVersionHeader };

  // 1. Authorization code: the SDK builds the authorize URL; the sandbox approves and redirects.
  const authorizeUrl = sdk.authorize({ clientId, uri: REDIRECT }, options);
  const approval = await fetch(authorizeUrl, { redirect: 'manual' });
  seen.authorizeStatus = approval.status;
  const code = new URL(approval.headers.get('location')).searchParams.get('code');

  // 2. Token (POST /oauth/token on the API host, JSON body).
  const first = await sdk.token({ id: clientId, secret: clientSecret, code, uri: REDIRECT }, options);
  seen.tokenKeys = Object.keys(first).sort();

  // 3. A user's token lists its companies and itself without Procore-Company-Id.
  const userClient = sdk.client(sdk.oauth(first.access_token), undefined, options);
  const companies = await userClient.get({ base: '/companies' });
  seen.companyIds = companies.body.map((company) => company.id);
  const me = await userClient.get({ base: '/me' });
  seen.me = me.body;
  // The same call with a service account's (client-credentials) token is refused: the SDK sent no header.
  const serviceClient = sdk.client(sdk.oauth(serviceToken), undefined, options);
  seen.serviceCompanies = await serviceClient.get({ base: '/companies' })
    .then((ok) => ({ status: ok.response.status }), (refused) => ({ status: refused.response.status,
      body: refused.body }));

  // 4. Refresh rotation, then 5. the spent refresh token fails.
  const refreshed = await sdk.refresh({ id: clientId, secret: clientSecret, uri: REDIRECT,
    token: first.access_token, refresh: first.refresh_token }, options);
  seen.rotated = Boolean(refreshed.refresh_token) && refreshed.refresh_token !== first.refresh_token;
  const reused = await sdk.refresh({ id: clientId, secret: clientSecret, uri: REDIRECT,
    token: first.access_token, refresh: first.refresh_token }, options);
  seen.reuse = reused;

  // 6. Projects of the company, page by page, following rel="next" (absolute URLs on the API host).
  const client = sdk.client(sdk.oauth(refreshed.access_token), undefined,
    { apiHostname: base, defaultCompanyId: companyId });
  let page = await client.get({ base: '/projects', qs: { company_id: companyId, per_page: 2 } });
  seen.total = Number(page.response.headers.get('Total'));
  seen.projectIds = [];
  seen.links = [];
  for (;;) {
    seen.projectIds.push(...page.body.map((project) => project.id));
    const next = nextLink(page.response.headers.get('Link'));
    if (!next) break;
    seen.links.push(next);
    const url = new URL(next);
    if (url.origin !== new URL(base).origin) throw new Error(`Link left the API host: ${next}`);
    url.searchParams.set('company_id', String(companyId)); // keep the caller's query, as the client must
    page = await client.get(url.pathname + url.search);
  }
  process.stdout.write(JSON.stringify(seen));
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : JSON.stringify(error && error.body ? error.body : error)}\n`);
  process.exit(1);
});
