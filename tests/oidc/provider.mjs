// A real OpenID Connect provider for the single sign-on tests (panva's oidc-provider, the
// certified implementation), standing in for a council's identity provider.
//
//   node tests/oidc/provider.mjs
//
// Environment: REDIRECT_URI (the platform's callback), CLIENT_ID, CLIENT_SECRET and
// ACCOUNTS_FILE (JSON {"<login>": {"email": ..., "given_name": ..., "family_name": ...,
// "groups": [...]}}, read again at every sign-in so a test can change someone's groups).
// It listens on 127.0.0.1 on a free port and prints one line, {"issuer": "http://..."},
// once it answers. Signing in uses the provider's development pages: a login form taking
// the account's login (any password) and a consent form.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

import Provider from "oidc-provider";

const { REDIRECT_URI, CLIENT_ID, CLIENT_SECRET, ACCOUNTS_FILE } = process.env;
for (const [name, value] of Object.entries({ REDIRECT_URI, CLIENT_ID, CLIENT_SECRET, ACCOUNTS_FILE })) {
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
}

function accounts() {
  return JSON.parse(readFileSync(ACCOUNTS_FILE, "utf8"));
}

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "test-key", alg: "RS256", use: "sig" };

const server = createServer();
server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "given_name", "family_name"],
      groups: ["groups"],
    },
    scopes: ["openid", "email", "profile", "groups"],
    features: { devInteractions: { enabled: true } },
    async findAccount(ctx, id) {
      const account = accounts()[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            email: account.email,
            email_verified: account.email_verified ?? true,
            given_name: account.given_name,
            family_name: account.family_name,
            name: `${account.given_name} ${account.family_name}`,
            groups: account.groups,
          };
        },
      };
    },
  });
  provider.proxy = false;
  server.on("request", provider.callback());
  console.log(JSON.stringify({ issuer }));
});

for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
