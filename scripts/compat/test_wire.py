"""The wire itself, as botocore signs and reads it: presigned URLs, raw requests, XML."""

import datetime
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from compat import ACCOUNT_ID, ENDPOINT, REGION, ROOT, TestCase, iam

IAM_NS = "{https://iam.amazonaws.com/doc/2010-05-08/}"
STS_NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"


def signed_post(service, params, creds=None):
    """A form POST signed by botocore's own SigV4 signer; returns (status, headers, body)."""
    c = creds or ROOT
    body = urllib.parse.urlencode(params)
    req = AWSRequest(method="POST", url=ENDPOINT + "/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(c["aws_access_key_id"], c["aws_secret_access_key"]), service, REGION).add_auth(req)
    prepared = req.prepare()
    return fetch(urllib.request.Request(prepared.url, data=body.encode(), headers=dict(prepared.headers),
                                        method="POST"))


def fetch(request):
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


class Wire(TestCase):
    def test_presigned_get_url(self):
        url = iam().generate_presigned_url("get_user", Params={}, ExpiresIn=300, HttpMethod="GET")
        self.assertIn("X-Amz-Signature=", url)
        status, headers, body = fetch(urllib.request.Request(url))
        self.assertEqual(status, 200, body)
        root = ET.fromstring(body)
        self.assertEqual(root.tag, f"{IAM_NS}GetUserResponse")
        self.assertEqual(root.find(f"{IAM_NS}GetUserResult/{IAM_NS}User/{IAM_NS}Arn").text,
                         f"arn:aws:iam::{ACCOUNT_ID}:root")
        request_id = root.find(f"{IAM_NS}ResponseMetadata/{IAM_NS}RequestId").text
        self.assertRegex(request_id, r"^[0-9a-f-]{36}$")
        self.assertEqual(headers.get("x-amzn-RequestId"), request_id)
        # A tampered presigned URL fails with AWS's code.
        status, _, body = fetch(urllib.request.Request(url.replace("X-Amz-Signature=", "X-Amz-Signature=0")))
        self.assertEqual(status, 403)
        self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", body)

    def test_presigned_sts_get_caller_identity_as_eks_get_token_makes_it(self):
        from compat import sts
        # `aws eks get-token` presigns exactly this (a GET) for Kubernetes' authenticator.
        url = sts().generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=60, HttpMethod="GET")
        status, _, body = fetch(urllib.request.Request(url))
        self.assertEqual(status, 200, body)
        root = ET.fromstring(body)
        self.assertEqual(root.find(f"{STS_NS}GetCallerIdentityResult/{STS_NS}Arn").text,
                         f"arn:aws:iam::{ACCOUNT_ID}:root")
        # botocore's default presigns the query protocol's POST, sent with no body.
        url = sts().generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=60)
        status, _, body = fetch(urllib.request.Request(url, data=b"", method="POST"))
        self.assertEqual(status, 200, body)
        # Used with another method, it is refused.
        status, _, body = fetch(urllib.request.Request(url))
        self.assertEqual(status, 403, body)
        self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", body)

    def test_query_xml_shapes(self):
        name = self.name("u")
        self.iam.create_user(UserName=name, Tags=[{"Key": "a", "Value": "1"}])
        status, headers, body = signed_post("iam", {"Action": "GetUser", "Version": "2010-05-08", "UserName": name})
        self.assertEqual(status, 200)
        self.assertTrue(headers.get("Content-Type", "").startswith("text/xml"), headers.get("Content-Type"))
        user = ET.fromstring(body).find(f"{IAM_NS}GetUserResult/{IAM_NS}User")
        created = user.find(f"{IAM_NS}CreateDate").text
        # ISO 8601 in UTC with a Z, as IAM writes it.
        self.assertRegex(created, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
        datetime.datetime.fromisoformat(created.replace("Z", "+00:00"))
        tags = user.findall(f"{IAM_NS}Tags/{IAM_NS}member")
        self.assertEqual([(t.find(f"{IAM_NS}Key").text, t.find(f"{IAM_NS}Value").text) for t in tags], [("a", "1")])

    def test_error_envelope_and_unknown_action(self):
        status, _, body = signed_post("iam", {"Action": "GetUser", "Version": "2010-05-08",
                                              "UserName": "no-such-user-wire"})
        self.assertEqual(status, 404)
        root = ET.fromstring(body)
        self.assertEqual(root.tag, f"{IAM_NS}ErrorResponse")
        err = root.find(f"{IAM_NS}Error")
        self.assertEqual((err.find(f"{IAM_NS}Type").text, err.find(f"{IAM_NS}Code").text), ("Sender", "NoSuchEntity"))
        self.assertTrue(root.find(f"{IAM_NS}RequestId").text)

        status, _, body = signed_post("iam", {"Action": "NoSuchThing", "Version": "2010-05-08"})
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>InvalidAction</Code>", body)

        status, _, body = signed_post("sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"})
        self.assertEqual(status, 200)
        root = ET.fromstring(body)
        self.assertEqual(root.tag, f"{STS_NS}GetCallerIdentityResponse")
        self.assertEqual(root.find(f"{STS_NS}GetCallerIdentityResult/{STS_NS}Account").text, ACCOUNT_ID)

    def test_unsigned_and_badly_signed_requests(self):
        body = b"Action=ListUsers&Version=2010-05-08"
        status, _, out = fetch(urllib.request.Request(
            ENDPOINT + "/", data=body, method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"}))
        self.assertEqual(status, 403)
        self.assertIn(b"<Code>MissingAuthenticationToken</Code>", out)
        bad = dict(ROOT, aws_secret_access_key="x" * 40)
        status, _, out = signed_post("iam", {"Action": "ListUsers", "Version": "2010-05-08"}, creds=bad)
        self.assertEqual(status, 403)
        self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", out)
        self.assertIn(b"The Canonical String for this request should have been", out)

    def test_healthz(self):
        status, _, _ = fetch(urllib.request.Request(ENDPOINT + "/healthz"))
        self.assertEqual(status, 200)
