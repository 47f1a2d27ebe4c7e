"""The AWS CLI (v1) with --endpoint-url and --output json."""

import json
import os

from compat import ACCOUNT_ID, TestCase, cli, policy, trust


class Cli(TestCase):
    def test_user_lifecycle(self):
        name = self.name("cli")
        _, out, _ = cli("iam", "create-user", "--user-name", name, "--path", "/cli/")
        self.assertEqual(out["User"]["Arn"], f"arn:aws:iam::{ACCOUNT_ID}:user/cli/{name}")
        self.assertRegex(out["User"]["CreateDate"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
        _, got, _ = cli("iam", "get-user", "--user-name", name)
        self.assertEqual((got["User"]["UserName"], got["User"]["UserId"]), (name, out["User"]["UserId"]))
        _, listed, _ = cli("iam", "list-users", "--path-prefix", "/cli/")
        self.assertIn(name, [u["UserName"] for u in listed["Users"]])

        _, key, _ = cli("iam", "create-access-key", "--user-name", name)
        self.assertRegex(key["AccessKey"]["AccessKeyId"], r"^AKIA")
        self.assertEqual(len(key["AccessKey"]["SecretAccessKey"]), 40)
        user_creds = {"aws_access_key_id": key["AccessKey"]["AccessKeyId"],
                      "aws_secret_access_key": key["AccessKey"]["SecretAccessKey"]}

        _, me, _ = cli("sts", "get-caller-identity", creds=user_creds)
        self.assertEqual(me, {"UserId": out["User"]["UserId"], "Account": ACCOUNT_ID,
                              "Arn": f"arn:aws:iam::{ACCOUNT_ID}:user/cli/{name}"})
        code, _, err = cli("iam", "list-users", creds=user_creds, check=False)
        self.assertEqual(code, 255, "the exit code of AWS CLI v1 for a service error")
        self.assertIn("(AccessDenied)", err)

        cli("iam", "attach-user-policy", "--user-name", name,
            "--policy-arn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        _, attached, _ = cli("iam", "list-attached-user-policies", "--user-name", name)
        self.assertEqual(attached["AttachedPolicies"],
                         [{"PolicyName": "IAMReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}])
        _, listed, _ = cli("iam", "list-users", "--path-prefix", "/cli/", creds=user_creds)
        self.assertIn(name, [u["UserName"] for u in listed["Users"]])

    def test_errors_and_exit_codes(self):
        code, out, err = cli("iam", "get-user", "--user-name", "no-such-user-cli", check=False)
        self.assertEqual((code, out), (255, None))
        self.assertIn("An error occurred (NoSuchEntity) when calling the GetUser operation", err)
        code, _, err = cli("iam", "create-policy", "--policy-name", self.name("p"),
                           "--policy-document", '{"Version":"2012-10-17","Statement":[]}', check=False)
        self.assertEqual(code, 255)
        self.assertIn("(MalformedPolicyDocument)", err)

    def test_policy_document_from_file_and_get_policy_version(self):
        import tempfile
        doc = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"})
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write(doc)
        self.addCleanup(os.unlink, f.name)
        _, out, _ = cli("iam", "create-policy", "--policy-name", self.name("p"), "--policy-document", f"file://{f.name}")
        parn = out["Policy"]["Arn"]
        _, ver, _ = cli("iam", "get-policy-version", "--policy-arn", parn, "--version-id", "v1")
        self.assertEqual(ver["PolicyVersion"]["Document"], json.loads(doc))
        _, aws, _ = cli("iam", "list-policies", "--scope", "AWS", "--max-items", "5")
        self.assertEqual(len(aws["Policies"]), 5)
        self.assertIn("NextToken", aws)
        _, page2, _ = cli("iam", "list-policies", "--scope", "AWS", "--max-items", "5",
                          "--starting-token", aws["NextToken"])
        self.assertFalse({p["Arn"] for p in aws["Policies"]} & {p["Arn"] for p in page2["Policies"]})

    def test_assume_role(self):
        name = self.name("cli")
        _, user, _ = cli("iam", "create-user", "--user-name", name)
        cli("iam", "put-user-policy", "--user-name", name, "--policy-name", "assume",
            "--policy-document", policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}))
        _, key, _ = cli("iam", "create-access-key", "--user-name", name)
        user_creds = {"aws_access_key_id": key["AccessKey"]["AccessKeyId"],
                      "aws_secret_access_key": key["AccessKey"]["SecretAccessKey"]}
        role = self.name("clirole")
        _, r, _ = cli("iam", "create-role", "--role-name", role,
                      "--assume-role-policy-document", trust({"AWS": user["User"]["Arn"]}))
        _, out, _ = cli("sts", "assume-role", "--role-arn", r["Role"]["Arn"], "--role-session-name", "cli-session",
                        creds=user_creds)
        self.assertEqual(out["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role}/cli-session")
        self.assertRegex(out["Credentials"]["Expiration"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
        session = {"aws_access_key_id": out["Credentials"]["AccessKeyId"],
                   "aws_secret_access_key": out["Credentials"]["SecretAccessKey"],
                   "aws_session_token": out["Credentials"]["SessionToken"]}
        _, me, _ = cli("sts", "get-caller-identity", creds=session)
        self.assertEqual(me["Arn"], out["AssumedRoleUser"]["Arn"])
        self.assertEqual(me["UserId"], f"{r['Role']['RoleId']}:cli-session")

    def test_reports_mfa_and_sts_tokens(self):
        name = self.name("cli")
        cli("iam", "create-user", "--user-name", name)
        _, dev, _ = cli("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", self.name("clim"),
                        "--outfile", os.devnull, "--bootstrap-method", "Base32StringSeed")
        self.assertTrue(dev["VirtualMFADevice"]["SerialNumber"].startswith(f"arn:aws:iam::{ACCOUNT_ID}:mfa/"))
        _, details, _ = cli("iam", "get-account-authorization-details", "--filter", "User")
        self.assertIn(name, [u["UserName"] for u in details["UserDetailList"]])
        self.assertNotIn("IsTruncated", details, "the CLI pages through to the end")
        _, sim, _ = cli("iam", "simulate-principal-policy", "--policy-source-arn",
                        f"arn:aws:iam::{ACCOUNT_ID}:user/{name}", "--action-names", "s3:GetObject")
        self.assertEqual(sim["EvaluationResults"][0]["EvalDecision"], "implicitDeny")
        _, tok, _ = cli("sts", "get-session-token", "--duration-seconds", "900")
        self.assertRegex(tok["Credentials"]["AccessKeyId"], r"^ASIA")
        self.assertRegex(tok["Credentials"]["Expiration"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
