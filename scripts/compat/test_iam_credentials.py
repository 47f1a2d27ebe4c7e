"""Access keys, login profiles and the password policy, virtual MFA, the credential report."""

import csv
import datetime
import io
import time

from compat import ACCOUNT_ID, TestCase, creds_of, hotp, iam, totp_step


class AccessKeys(TestCase):
    def test_access_key_lifecycle(self):
        user = self.name("u")
        self.iam.create_user(UserName=user)
        key = self.iam.create_access_key(UserName=user)["AccessKey"]
        self.assertRegex(key["AccessKeyId"], r"^AKIA[A-Z0-9]{16}$")
        self.assertEqual(len(key["SecretAccessKey"]), 40)
        self.assertEqual((key["UserName"], key["Status"]), (user, "Active"))
        self.assertIsInstance(key["CreateDate"], datetime.datetime)
        second = self.iam.create_access_key(UserName=user)["AccessKey"]
        with self.assertError("LimitExceeded", 409):
            self.iam.create_access_key(UserName=user)
        listed = self.iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
        self.assertEqual(sorted(k["AccessKeyId"] for k in listed), sorted([key["AccessKeyId"], second["AccessKeyId"]]))
        self.assertTrue(all("SecretAccessKey" not in k for k in listed), "the secret is shown once")

        never = self.iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
        self.assertEqual(never["UserName"], user)
        self.assertEqual(never["AccessKeyLastUsed"]["ServiceName"], "N/A")
        self.assertEqual(never["AccessKeyLastUsed"]["Region"], "N/A")
        self.assertNotIn("LastUsedDate", never["AccessKeyLastUsed"])

        # The key works (an unauthorized call still authenticates), and that is recorded.
        with self.assertError("AccessDenied", 403):
            iam(creds_of(key)).list_users()
        used = self.iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
        self.assertEqual((used["ServiceName"], used["Region"]), ("iam", "us-east-1"))
        self.assertIsInstance(used["LastUsedDate"], datetime.datetime)

        self.iam.update_access_key(UserName=user, AccessKeyId=key["AccessKeyId"], Status="Inactive")
        statuses = {k["AccessKeyId"]: k["Status"] for k in self.iam.list_access_keys(UserName=user)["AccessKeyMetadata"]}
        self.assertEqual(statuses[key["AccessKeyId"]], "Inactive")
        with self.assertError("InvalidClientTokenId", 403):
            iam(creds_of(key)).list_users()
        with self.assertError("DeleteConflict", 409):
            self.iam.delete_user(UserName=user)
        self.iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
        self.iam.delete_access_key(UserName=user, AccessKeyId=second["AccessKeyId"])
        self.assertEqual(self.iam.list_access_keys(UserName=user)["AccessKeyMetadata"], [])
        with self.assertError("NoSuchEntity", 404):
            self.iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
        self.iam.delete_user(UserName=user)

    def test_wrong_secret_is_signature_does_not_match(self):
        user, c = self.user_with_key()
        bad = dict(c, aws_secret_access_key="x" * 40)
        with self.assertError("SignatureDoesNotMatch", 403):
            iam(bad).get_user()
        unknown = {"aws_access_key_id": "AKIAAAAAAAAAAAAAAAAA", "aws_secret_access_key": "y" * 40}
        with self.assertError("InvalidClientTokenId", 403):
            iam(unknown).get_user()


class LoginProfiles(TestCase):
    def test_login_profile_and_password_policy(self):
        user = self.name("u")
        self.iam.create_user(UserName=user)
        with self.assertError("NoSuchEntity", 404):
            self.iam.get_login_profile(UserName=user)
        lp = self.iam.create_login_profile(UserName=user, Password="Str0ng-Passw0rd!", PasswordResetRequired=True)
        self.assertEqual((lp["LoginProfile"]["UserName"], lp["LoginProfile"]["PasswordResetRequired"]), (user, True))
        got = self.iam.get_login_profile(UserName=user)["LoginProfile"]
        self.assertIsInstance(got["CreateDate"], datetime.datetime)
        self.assertNotIn("Password", got)
        with self.assertError("EntityAlreadyExists", 409):
            self.iam.create_login_profile(UserName=user, Password="An0ther-Passw0rd!")
        self.iam.update_login_profile(UserName=user, PasswordResetRequired=False)
        self.assertFalse(self.iam.get_login_profile(UserName=user)["LoginProfile"]["PasswordResetRequired"])

        # The account password policy is account-wide: set, checked, removed in this one test.
        self.addCleanup(self._drop_password_policy)
        self.iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True,
                                                RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
                                                PasswordReusePrevention=3, MaxPasswordAge=90)
        pp = self.iam.get_account_password_policy()["PasswordPolicy"]
        self.assertEqual((pp["MinimumPasswordLength"], pp["RequireSymbols"], pp["PasswordReusePrevention"],
                          pp["MaxPasswordAge"], pp["ExpirePasswords"], pp["AllowUsersToChangePassword"]),
                         (14, True, 3, 90, True, False))
        other = self.name("u")
        self.iam.create_user(UserName=other)
        with self.assertError("PasswordPolicyViolation", 400):
            self.iam.create_login_profile(UserName=other, Password="short1!A")
        with self.assertError("PasswordPolicyViolation", 400):
            self.iam.create_login_profile(UserName=other, Password="nouppercase-or-digits!")
        self.iam.create_login_profile(UserName=other, Password="Long-Enough-Passw0rd")
        with self.assertError("PasswordPolicyViolation", 400):
            self.iam.update_login_profile(UserName=other, Password="Long-Enough-Passw0rd")  # reuse
        self.iam.update_login_profile(UserName=other, Password="Another-Long-Passw0rd")

        self.iam.delete_login_profile(UserName=user)
        with self.assertError("NoSuchEntity", 404):
            self.iam.get_login_profile(UserName=user)

    def _drop_password_policy(self):
        self.iam.delete_account_password_policy()
        with self.assertError("NoSuchEntity", 404):
            self.iam.get_account_password_policy()


class VirtualMfa(TestCase):
    def test_virtual_mfa_enable_and_use(self):
        user = self.name("u")
        self.iam.create_user(UserName=user)
        dev = self.iam.create_virtual_mfa_device(VirtualMFADeviceName=self.name("mfa"), Path="/")["VirtualMFADevice"]
        serial = dev["SerialNumber"]
        self.assertTrue(serial.startswith(f"arn:aws:iam::{ACCOUNT_ID}:mfa/"))
        seed = dev["Base32StringSeed"]
        self.assertIsInstance(seed, bytes, "a blob, as AWS's model says")
        seed = seed.decode("ascii")
        self.assertRegex(seed, r"^[A-Z2-7]+=*$")
        self.assertTrue(dev["QRCodePNG"].startswith(b"\x89PNG\r\n\x1a\n"))

        unassigned = self.iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
        self.assertIn(serial, [d["SerialNumber"] for d in unassigned])

        step = totp_step()
        with self.assertError("InvalidAuthenticationCode", 403):
            self.iam.enable_mfa_device(UserName=user, SerialNumber=serial,
                                       AuthenticationCode1=hotp(seed, step), AuthenticationCode2=hotp(seed, step - 1))
        self.iam.enable_mfa_device(UserName=user, SerialNumber=serial,
                                   AuthenticationCode1=hotp(seed, step - 1), AuthenticationCode2=hotp(seed, step))
        mine = self.iam.list_mfa_devices(UserName=user)["MFADevices"]
        self.assertEqual([(d["UserName"], d["SerialNumber"]) for d in mine], [(user, serial)])
        self.assertIsInstance(mine[0]["EnableDate"], datetime.datetime)
        assigned = {d["SerialNumber"]: d for d in
                    self.iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]}
        self.assertEqual(assigned[serial]["User"]["UserName"], user)
        self.assertNotIn("Base32StringSeed", assigned[serial])

        with self.assertError("DeleteConflict", 409):
            self.iam.delete_virtual_mfa_device(SerialNumber=serial)
        self.iam.deactivate_mfa_device(UserName=user, SerialNumber=serial)
        self.assertEqual(self.iam.list_mfa_devices(UserName=user)["MFADevices"], [])
        self.iam.delete_virtual_mfa_device(SerialNumber=serial)
        with self.assertError("NoSuchEntity", 404):
            self.iam.delete_virtual_mfa_device(SerialNumber=serial)


class CredentialReport(TestCase):
    def test_generate_and_get_report(self):
        user = self.name("u")
        self.iam.create_user(UserName=user)
        self.iam.create_login_profile(UserName=user, Password="Cred-Report-Passw0rd!")
        key = self.iam.create_access_key(UserName=user)["AccessKey"]
        state = None
        for _ in range(100):
            state = self.iam.generate_credential_report()["State"]
            if state == "COMPLETE":
                break
            self.assertIn(state, ("STARTED", "INPROGRESS"))
            time.sleep(0.1)
        self.assertEqual(state, "COMPLETE")
        report = self.iam.get_credential_report()
        self.assertEqual(report["ReportFormat"], "text/csv")
        self.assertIsInstance(report["GeneratedTime"], datetime.datetime)
        self.assertIsInstance(report["Content"], bytes, "base64 decoded by botocore")
        rows = list(csv.DictReader(io.StringIO(report["Content"].decode("utf-8"))))
        header = report["Content"].decode("utf-8").splitlines()[0].split(",")
        self.assertEqual(header[:4], ["user", "arn", "user_creation_time", "password_enabled"])
        self.assertEqual(len(header), 22)
        by_user = {r["user"]: r for r in rows}
        root = by_user["<root_account>"]
        self.assertEqual(root["arn"], f"arn:aws:iam::{ACCOUNT_ID}:root")
        self.assertEqual(root["access_key_1_active"], "true")
        mine = by_user[user]
        self.assertEqual(mine["arn"], f"arn:aws:iam::{ACCOUNT_ID}:user/{user}")
        self.assertEqual((mine["password_enabled"], mine["access_key_1_active"], mine["access_key_2_active"],
                          mine["mfa_active"]), ("true", "true", "false", "false"))
        self.assertEqual(mine["password_last_used"], "no_information")
        self.assertEqual(mine["access_key_1_last_used_date"], "N/A")
        datetime.datetime.fromisoformat(mine["user_creation_time"].replace("Z", "+00:00"))
        self.assertTrue(key["AccessKeyId"])
