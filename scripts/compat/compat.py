"""Shared helpers of the compatibility suite: clients, the CLI, unique names, TOTP."""

import base64
import hashlib
import hmac
import itertools
import json
import os
import struct
import subprocess
import sys
import time
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ.get("WARDEN_COMPAT_ENDPOINT", "http://127.0.0.1:4600")
ACCOUNT_ID = os.environ.get("WARDEN_COMPAT_ACCOUNT_ID", "123456789012")
ROOT = {
    "aws_access_key_id": os.environ.get("WARDEN_COMPAT_ROOT_KEY_ID", ""),
    "aws_secret_access_key": os.environ.get("WARDEN_COMPAT_ROOT_SECRET", ""),
}
REGION = "us-east-1"
# One attempt: a 5xx or throttling answer is a failure to see, not to paper over.
CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60)

ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})

_counter = itertools.count(1)


def creds_of(key):
    """boto3 credential arguments from a CreateAccessKey AccessKey or an STS Credentials."""
    out = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    if "SessionToken" in key:
        out["aws_session_token"] = key["SessionToken"]
    return out


def client(service, creds=None):
    return boto3.session.Session().client(
        service, endpoint_url=ENDPOINT, region_name=REGION, config=CONFIG, **(creds or ROOT)
    )


def iam(creds=None):
    return client("iam", creds)


def sts(creds=None):
    return client("sts", creds)


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*"):
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def trust(principal):
    return policy({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


def arn(kind, name, path="/"):
    return f"arn:aws:iam::{ACCOUNT_ID}:{kind}{path}{name}"


def hotp(seed_base32, step):
    """The 6-digit RFC 4226 code of a Base32 seed at a counter (a TOTP step)."""
    key = base64.b32decode(seed_base32 + "=" * (-len(seed_base32) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def totp_step():
    return int(time.time()) // 30


def cli(*args, creds=None, check=True):
    """Runs `aws --endpoint-url ... --output json ARGS` (the AWS CLI v1 of the venv) and
    returns (exit code, parsed JSON stdout or None, stderr)."""
    c = creds or ROOT
    env = dict(os.environ)
    env.update(
        AWS_ACCESS_KEY_ID=c["aws_access_key_id"],
        AWS_SECRET_ACCESS_KEY=c["aws_secret_access_key"],
        AWS_DEFAULT_REGION=REGION,
        AWS_MAX_ATTEMPTS="1",
        AWS_PAGER="",
    )
    env.pop("AWS_SESSION_TOKEN", None)
    if "aws_session_token" in c:
        env["AWS_SESSION_TOKEN"] = c["aws_session_token"]
    cmd = [sys.executable, "-m", "awscli", "--endpoint-url", ENDPOINT, "--output", "json", *args]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {p.returncode}: {p.stderr.strip()}")
    out = json.loads(p.stdout) if p.stdout.strip() else None
    return p.returncode, out, p.stderr


class TestCase(unittest.TestCase):
    """A test case with a root IAM client, unique names and AWS error assertions."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.iam = iam()
        cls.sts = sts()

    def name(self, kind="n"):
        """A name unique in this server's run (tests never share entities)."""
        return f"{kind}-{self._testMethodName[5:25]}-{next(_counter)}-{os.getpid() % 1000}"

    def assertError(self, code, status=None, message=None):
        return _ErrorContext(self, code, status, message)

    def user_with_key(self, path="/", policy_doc=None):
        """A new user (with an inline policy when given) and a boto3 credential dict of its key."""
        user = self.name("u")
        self.iam.create_user(UserName=user, Path=path)
        if policy_doc:
            self.iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=policy_doc)
        key = self.iam.create_access_key(UserName=user)["AccessKey"]
        return user, creds_of(key)


class _ErrorContext:
    def __init__(self, case, code, status, message):
        self.case, self.code, self.status, self.message = case, code, status, message
        self.error = None

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None:
            self.case.fail(f"expected {self.code}, the call succeeded")
        if not isinstance(exc, ClientError):
            return False
        self.error = exc
        err = exc.response["Error"]
        self.case.assertEqual(err.get("Code"), self.code, err)
        if self.status is not None:
            self.case.assertEqual(exc.response["ResponseMetadata"]["HTTPStatusCode"], self.status, err)
        if self.message is not None:
            self.case.assertEqual(err.get("Message"), self.message)
        return True

    @property
    def response(self):
        return self.error.response
