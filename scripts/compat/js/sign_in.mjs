// Signs a user in with amazon-cognito-identity-js (USER_SRP_AUTH, its default) against
// Warden, as a browser app would: `node sign_in.mjs ENDPOINT POOL_ID CLIENT_ID USER PASSWORD`.
// Prints one JSON line: {"ok": true, "idToken": "...", "accessToken": "..."} or
// {"ok": false, "code": "...", "message": "..."}.
import { createRequire } from "node:module";

const require = createRequire(process.env.WARDEN_COMPAT_JS_MODULES + "/");
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = require("amazon-cognito-identity-js");

const [endpoint, poolId, clientId, username, password] = process.argv.slice(2);
const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: endpoint + "/" });
const user = new CognitoUser({ Username: username, Pool: pool });
user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
  onSuccess(session) {
    console.log(JSON.stringify({
      ok: true,
      idToken: session.getIdToken().getJwtToken(),
      accessToken: session.getAccessToken().getJwtToken(),
      refreshToken: session.getRefreshToken().getToken(),
    }));
  },
  onFailure(err) {
    console.log(JSON.stringify({ ok: false, code: err.code || err.name, message: err.message }));
  },
  newPasswordRequired() {
    console.log(JSON.stringify({ ok: false, code: "NEW_PASSWORD_REQUIRED", message: "" }));
  },
});
