// A real OpenID Connect provider on loopback, for the single sign-on tests (never for production).
//
//   node tests/oidc/provider.mjs PORT REDIRECT_URI
//
// One confidential client ("pitchday-test", secret "pitchday-test-secret") whose only redirect URI is
// REDIRECT_URI; PKCE (S256) is required of it, so a client that forgets PKCE is refused. The users are
// fictional; the sign-in form is the package's development interaction (any password), and consent is
// given in advance to the client, so a test signs in with one form post. The provider prints
// "ready ISSUER" on stdout once it listens.
import Provider from 'oidc-provider';

const [port, redirectUri] = process.argv.slice(2);
if (!port || !redirectUri) {
  console.error('usage: node tests/oidc/provider.mjs PORT REDIRECT_URI');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
export const CLIENT_ID = 'pitchday-test';
export const CLIENT_SECRET = 'pitchday-test-secret';

// Logins typed in the sign-in form -> claims. Fictional people.
const USERS = {
  'lea': { email: 'lea.fontaine@example.org', email_verified: true, name: 'Léa Fontaine' },
  'hugo': { email: 'hugo.marchal@example.org', email_verified: false, name: 'Hugo Marchal' },
  'nina': { email: 'nina.roussel@example.org', email_verified: true, name: 'Nina Roussel' },
  'zoe': { email: 'zoe.lambert@example.org', email_verified: true, name: 'Zoé Lambert' },
  'marc': { email: 'marc.dupuis@example.org', email_verified: true, name: 'Marc Dupuis' },
  // The address of an account, but the provider does not vouch for it.
  'usurpateur': { email: 'lea.fontaine@example.org', email_verified: false, name: 'Quelqu’un' },
  // Upper case: matching ignores the case of an address.
  'lea-maj': { email: 'Lea.Fontaine@Example.org', email_verified: true, name: 'Léa Fontaine' },
};

const configuration = {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Claims go into the id_token itself (pitchday reads them from the verified token).
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['pitchday-oidc-test-cookie-key-not-a-secret'] },
  async findAccount(ctx, sub) {
    const user = USERS[sub];
    if (!user) return undefined;
    return { accountId: sub, async claims() { return { sub, ...user }; } };
  },
  // Consent is given in advance: a first-party client, as in an organisation's own provider.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name']);
    await grant.save();
    return grant;
  },
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (ctx, err) => console.error('server_error', err));
const server = provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
