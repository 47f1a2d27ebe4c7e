"""Cognito user pools with boto3 (administration, sign-up, password sign-in, tokens) and
with amazon-cognito-identity-js, the JavaScript client browser apps use, signing in with
SRP as it does by default."""

import json
import os
import shutil
import subprocess
import unittest
import urllib.request

import boto3
from botocore import UNSIGNED
from botocore.config import Config

from compat import ENDPOINT, REGION, TestCase, client

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = "Correct-Horse-9"


def unsigned():
    return boto3.session.Session().client(
        "cognito-idp", endpoint_url=ENDPOINT, region_name=REGION,
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )


class UserPools(TestCase):
    def setUp(self):
        self.idp = client("cognito-idp")
        self.pool = self.idp.create_user_pool(PoolName=self.name("pool"))["UserPool"]
        self.addCleanup(self.idp.delete_user_pool, UserPoolId=self.pool["Id"])
        self.client_id = self.idp.create_user_pool_client(
            UserPoolId=self.pool["Id"], ClientName="web",
            ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]

    def user(self, name):
        self.idp.admin_create_user(UserPoolId=self.pool["Id"], Username=name, MessageAction="SUPPRESS",
                                   UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
        self.idp.admin_set_user_password(UserPoolId=self.pool["Id"], Username=name, Password=PASSWORD,
                                         Permanent=True)

    def test_pool_defaults_and_errors(self):
        self.assertRegex(self.pool["Id"], r"^us-east-1_[0-9A-Za-z]{9}$")
        self.assertEqual(self.pool["Policies"]["PasswordPolicy"]["MinimumLength"], 8)
        listed = self.idp.list_user_pools(MaxResults=60)["UserPools"]
        self.assertIn(self.pool["Id"], [p["Id"] for p in listed])
        with self.assertError("ResourceNotFoundException"):
            self.idp.describe_user_pool(UserPoolId="us-east-1_000000000")
        with self.assertError("InvalidParameterException"):
            self.idp.list_users(UserPoolId=self.pool["Id"],
                         Filter="nonsense")

    def test_sign_up_and_password_sign_in(self):
        app = unsigned()
        name = self.name("user")
        out = app.sign_up(ClientId=self.client_id, Username=name, Password=PASSWORD)
        self.assertFalse(out["UserConfirmed"])
        with self.assertError("UserNotConfirmedException"):
            app.initiate_auth(ClientId=self.client_id,
                         AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})
        self.idp.admin_confirm_sign_up(UserPoolId=self.pool["Id"], Username=name)
        tokens = app.initiate_auth(ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})["AuthenticationResult"]
        me = app.get_user(AccessToken=tokens["AccessToken"])
        self.assertEqual(me["Username"], name)
        refreshed = app.initiate_auth(ClientId=self.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                      AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
        self.assertIn("IdToken", refreshed["AuthenticationResult"])
        app.global_sign_out(AccessToken=tokens["AccessToken"])
        with self.assertError("NotAuthorizedException"):
            app.get_user(AccessToken=tokens["AccessToken"])
        with urllib.request.urlopen(f"{ENDPOINT}/{self.pool['Id']}/.well-known/jwks.json") as r:
            keys = json.load(r)["keys"]
        self.assertEqual(keys[0]["alg"], "RS256")

    def test_amazon_cognito_identity_js_signs_in_with_srp(self):
        modules = os.environ.get("WARDEN_COMPAT_JS_MODULES")
        if not modules or not shutil.which("node"):
            self.skipTest("no Node.js or amazon-cognito-identity-js (npm registry unreachable?)")
        name = self.name("js")
        self.user(name)

        def sign_in(password):
            out = subprocess.run(
                ["node", os.path.join(HERE, "js", "sign_in.mjs"), ENDPOINT, self.pool["Id"], self.client_id,
                 name, password],
                capture_output=True, text=True, timeout=60, env=dict(os.environ, WARDEN_COMPAT_JS_MODULES=modules),
            )
            self.assertEqual(out.returncode, 0, out.stderr)
            return json.loads(out.stdout.strip().splitlines()[-1])

        ok = sign_in(PASSWORD)
        self.assertTrue(ok["ok"], ok)
        me = unsigned().get_user(AccessToken=ok["accessToken"])
        self.assertEqual(me["Username"], name)
        wrong = sign_in("Wrong-Horse-9")
        self.assertEqual((wrong["code"], wrong["message"]), ("NotAuthorizedException", "Incorrect username or password."))


if __name__ == "__main__":
    unittest.main()
