"""OIDC providers and AssumeRoleWithWebIdentity (unsigned) with boto3, against an OIDC
issuer served here on loopback http; tokens are RS256-signed with the openssl CLI."""

import base64
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from botocore import UNSIGNED
from botocore.config import Config

from compat import ACCOUNT_ID, ENDPOINT, REGION, TestCase, creds_of, iam, policy, sts

import boto3


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Issuer:
    """A minimal OIDC issuer: discovery document and JWKS over http on 127.0.0.1."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="warden-compat-oidc-")
        self.key = os.path.join(self.dir, "key.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                        "-out", self.key], check=True, capture_output=True)
        out = subprocess.run(["openssl", "rsa", "-in", self.key, "-noout", "-modulus"],
                             check=True, capture_output=True, text=True).stdout
        modulus = bytes.fromhex(out.strip().split("=", 1)[1])
        self.jwks = {"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "k1",
                               "n": b64url(modulus), "e": "AQAB"}]}
        issuer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks.json",
                            "id_token_signing_alg_values_supported": ["RS256"]}
                elif self.path == "/jwks.json":
                    body = issuer.jwks
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.host = self.url.removeprefix("http://")
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, **claims):
        now = int(time.time())
        body = {"iss": self.url, "sub": "user-1", "aud": "client-1", "iat": now, "exp": now + 600}
        body.update(claims)
        signing_input = (b64url(json.dumps({"alg": "RS256", "kid": "k1", "typ": "JWT"}).encode()) + "."
                         + b64url(json.dumps(body).encode()))
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key], input=signing_input.encode(),
                             check=True, capture_output=True).stdout
        return signing_input + "." + b64url(sig)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.dir, ignore_errors=True)


@unittest.skipIf(shutil.which("openssl") is None, "no openssl CLI to sign tokens")
class WebIdentity(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.issuer = Issuer()

    @classmethod
    def tearDownClass(cls):
        cls.issuer.close()

    def test_oidc_provider_crud_and_assume_role_with_web_identity(self):
        iss = self.issuer
        created = self.iam.create_open_id_connect_provider(Url=iss.url, ClientIDList=["client-1"],
                                                           ThumbprintList=["a" * 40],
                                                           Tags=[{"Key": "k", "Value": "v"}])
        parn = created["OpenIDConnectProviderArn"]
        self.addCleanup(self.iam.delete_open_id_connect_provider, OpenIDConnectProviderArn=parn)
        self.assertEqual(parn, f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{iss.host}")
        got = self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=parn)
        self.assertEqual((got["Url"], got["ClientIDList"], got["ThumbprintList"]), (iss.host, ["client-1"], ["a" * 40]))
        self.assertEqual(got["Tags"], [{"Key": "k", "Value": "v"}])
        self.assertIn(parn, [p["Arn"] for p in self.iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]])
        with self.assertError("EntityAlreadyExists", 409):
            self.iam.create_open_id_connect_provider(Url=iss.url, ClientIDList=["x"], ThumbprintList=["b" * 40])
        self.iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=parn, ClientID="client-2")
        self.assertEqual(self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=parn)["ClientIDList"],
                         ["client-1", "client-2"])

        role = self.name("web")
        trust = policy({"Effect": "Allow", "Principal": {"Federated": parn},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {"StringEquals": {f"{iss.host}:aud": "client-1", f"{iss.host}:sub": "user-1"}}})
        r = self.iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)["Role"]
        self.iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=policy(
            {"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*"}))

        unsigned = boto3.session.Session().client("sts", endpoint_url=ENDPOINT, region_name=REGION,
                                                  config=Config(signature_version=UNSIGNED,
                                                                retries={"max_attempts": 1}))
        out = unsigned.assume_role_with_web_identity(RoleArn=r["Arn"], RoleSessionName="web-session",
                                                     WebIdentityToken=iss.token())
        self.assertEqual(out["SubjectFromWebIdentityToken"], "user-1")
        self.assertEqual(out["Audience"], "client-1")
        # AWS answers the provider's ARN here (EKS/GitHub outputs show it); Warden answers the
        # issuer without its scheme. Both name this provider; see the suite's report.
        self.assertTrue(out["Provider"].endswith(iss.host), out["Provider"])
        self.assertEqual(out["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role}/web-session")
        session = creds_of(out["Credentials"])
        self.assertEqual(sts(session).get_caller_identity()["Arn"], out["AssumedRoleUser"]["Arn"])
        self.assertEqual(iam(session).get_role(RoleName=role)["Role"]["RoleId"], r["RoleId"])

        with self.assertError("AccessDenied", 403):
            unsigned.assume_role_with_web_identity(RoleArn=r["Arn"], RoleSessionName="other",
                                                   WebIdentityToken=iss.token(sub="user-2"))
        with self.assertError("InvalidIdentityToken", 400):
            unsigned.assume_role_with_web_identity(RoleArn=r["Arn"], RoleSessionName="aud",
                                                   WebIdentityToken=iss.token(aud="someone-else"))
        with self.assertError("ExpiredTokenException", 400):
            unsigned.assume_role_with_web_identity(RoleArn=r["Arn"], RoleSessionName="old",
                                                   WebIdentityToken=iss.token(exp=int(time.time()) - 3600))
        forged = iss.token()[:-10] + "AAAAAAAAAA"
        with self.assertError("InvalidIdentityToken", 400):
            unsigned.assume_role_with_web_identity(RoleArn=r["Arn"], RoleSessionName="forged",
                                                   WebIdentityToken=forged)
