"""STS with boto3: identities, AssumeRole, GetSessionToken, GetFederationToken."""

import datetime

from compat import ACCOUNT_ID, ALLOW_ALL, TestCase, allow, creds_of, iam, policy, sts


def now():
    return datetime.datetime.now(datetime.timezone.utc)


class CallerIdentity(TestCase):
    def test_root(self):
        me = self.sts.get_caller_identity()
        self.assertEqual((me["Account"], me["Arn"], me["UserId"]),
                         (ACCOUNT_ID, f"arn:aws:iam::{ACCOUNT_ID}:root", ACCOUNT_ID))

    def test_user_needs_no_permission(self):
        user, c = self.user_with_key(path="/people/")
        me = sts(c).get_caller_identity()
        uid = self.iam.get_user(UserName=user)["User"]["UserId"]
        self.assertEqual((me["Account"], me["Arn"], me["UserId"]),
                         (ACCOUNT_ID, f"arn:aws:iam::{ACCOUNT_ID}:user/people/{user}", uid))

    def test_get_access_key_info(self):
        user, c = self.user_with_key()
        self.assertEqual(self.sts.get_access_key_info(AccessKeyId=c["aws_access_key_id"])["Account"], ACCOUNT_ID)


class AssumeRole(TestCase):
    def role(self, principal_arn, extra=None, policy_doc=ALLOW_ALL, max_session=3600):
        name = self.name("r")
        statement = {"Effect": "Allow", "Principal": {"AWS": principal_arn},
                     "Action": ["sts:AssumeRole", "sts:TagSession"]}
        statement.update(extra or {})
        created = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=policy(statement),
                                       MaxSessionDuration=max_session)["Role"]
        self.iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=policy_doc)
        return created

    def test_assume_role_and_use_the_credentials(self):
        user, c = self.user_with_key(policy_doc=policy(allow("sts:AssumeRole")))
        user_arn = f"arn:aws:iam::{ACCOUNT_ID}:user/{user}"
        role = self.role(user_arn, max_session=7200)
        out = sts(c).assume_role(RoleArn=role["Arn"], RoleSessionName="sess-1", DurationSeconds=7200)
        creds = out["Credentials"]
        self.assertRegex(creds["AccessKeyId"], r"^ASIA[A-Z0-9]{16}$")
        self.assertEqual(len(creds["SecretAccessKey"]), 40)
        self.assertTrue(creds["SessionToken"])
        self.assertIsInstance(creds["Expiration"], datetime.datetime)
        left = (creds["Expiration"] - now()).total_seconds()
        self.assertTrue(7100 < left <= 7200, left)
        self.assertEqual(out["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role['RoleName']}/sess-1")
        self.assertEqual(out["AssumedRoleUser"]["AssumedRoleId"], f"{role['RoleId']}:sess-1")

        session = creds_of(creds)
        me = sts(session).get_caller_identity()
        self.assertEqual((me["Arn"], me["UserId"], me["Account"]),
                         (out["AssumedRoleUser"]["Arn"], f"{role['RoleId']}:sess-1", ACCOUNT_ID))
        created = iam(session).create_user(UserName=self.name("u"))["User"]
        self.assertRegex(created["UserId"], r"^AIDA")
        last = self.iam.get_role(RoleName=role["RoleName"])["Role"]["RoleLastUsed"]
        self.assertEqual(last["Region"], "us-east-1")
        self.assertIsInstance(last["LastUsedDate"], datetime.datetime)

        tampered = dict(session, aws_session_token=session["aws_session_token"][:-8] + "AAAAAAAA")
        with self.assertError("InvalidClientTokenId", 403):
            sts(tampered).get_caller_identity()
        with self.assertError("ValidationError", 400):
            sts(c).assume_role(RoleArn=role["Arn"], RoleSessionName="ss", DurationSeconds=7201)

    def test_external_id_session_policy_and_tags(self):
        user, c = self.user_with_key(policy_doc=policy(allow(["sts:AssumeRole", "sts:TagSession"])))
        role = self.role(f"arn:aws:iam::{ACCOUNT_ID}:user/{user}",
                         extra={"Condition": {"StringEquals": {"sts:ExternalId": "ext-123"}}})
        with self.assertError("AccessDenied", 403):
            sts(c).assume_role(RoleArn=role["Arn"], RoleSessionName="ss")
        with self.assertError("AccessDenied", 403):
            sts(c).assume_role(RoleArn=role["Arn"], RoleSessionName="ss", ExternalId="wrong")
        out = sts(c).assume_role(
            RoleArn=role["Arn"], RoleSessionName="narrow", ExternalId="ext-123",
            Policy=policy(allow(["iam:GetUser", "iam:ListUsers"])),
            Tags=[{"Key": "team", "Value": "blue"}, {"Key": "project", "Value": "x"}], TransitiveTagKeys=["team"])
        self.assertIsInstance(out["PackedPolicySize"], int)
        self.assertGreater(out["PackedPolicySize"], 0)
        session = iam(creds_of(out["Credentials"]))
        session.list_users()
        with self.assertError("AccessDenied", 403) as e:
            session.create_user(UserName=self.name("u"))
        self.assertIn("session policy", e.response["Error"]["Message"])

    def test_session_tags_become_principal_tags(self):
        user, c = self.user_with_key(policy_doc=policy(allow(["sts:AssumeRole", "sts:TagSession"])))
        role = self.role(f"arn:aws:iam::{ACCOUNT_ID}:user/{user}", policy_doc=policy(
            {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
             "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}))
        blue = sts(c).assume_role(RoleArn=role["Arn"], RoleSessionName="blue", Tags=[{"Key": "team", "Value": "blue"}])
        red = sts(c).assume_role(RoleArn=role["Arn"], RoleSessionName="red", Tags=[{"Key": "team", "Value": "red"}])
        iam(creds_of(blue["Credentials"])).list_users()
        with self.assertError("AccessDenied", 403):
            iam(creds_of(red["Credentials"])).list_users()

    def test_untrusted_caller_and_missing_role(self):
        user, c = self.user_with_key(policy_doc=policy(allow("sts:AssumeRole")))
        role = self.role(f"arn:aws:iam::{ACCOUNT_ID}:user/somebody-else")
        with self.assertError("AccessDenied", 403) as e:
            sts(c).assume_role(RoleArn=role["Arn"], RoleSessionName="ss")
        self.assertIn("sts:AssumeRole", e.response["Error"]["Message"])
        with self.assertError("AccessDenied", 403):
            sts(c).assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/no-such-role", RoleSessionName="ss")
        with self.assertError("ValidationError", 400):
            sts(c).assume_role(RoleArn=role["Arn"], RoleSessionName="bad name!")

    def test_assume_role_with_mfa(self):
        from compat import hotp, totp_step
        user, c = self.user_with_key(policy_doc=policy(allow("sts:AssumeRole")))
        role = self.role(f"arn:aws:iam::{ACCOUNT_ID}:user/{user}",
                         extra={"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
        dev = self.iam.create_virtual_mfa_device(VirtualMFADeviceName=self.name("mfa"))["VirtualMFADevice"]
        seed, serial = dev["Base32StringSeed"].decode(), dev["SerialNumber"]
        step = totp_step()
        self.iam.enable_mfa_device(UserName=user, SerialNumber=serial,
                                   AuthenticationCode1=hotp(seed, step - 1), AuthenticationCode2=hotp(seed, step))
        with self.assertError("AccessDenied", 403):
            sts(c).assume_role(RoleArn=role["Arn"], RoleSessionName="nomfa")
        out = sts(c).assume_role(RoleArn=role["Arn"], RoleSessionName="mfa", SerialNumber=serial,
                                 TokenCode=hotp(seed, step + 1))
        self.assertTrue(out["Credentials"]["SessionToken"])
        with self.assertError("AccessDenied", 403):  # a code is accepted once
            sts(c).assume_role(RoleArn=role["Arn"], RoleSessionName="mfa2", SerialNumber=serial,
                               TokenCode=hotp(seed, step + 1))


class SessionAndFederation(TestCase):
    def test_get_session_token(self):
        user, c = self.user_with_key(policy_doc=policy(allow("iam:GetUser")))
        out = sts(c).get_session_token(DurationSeconds=900)["Credentials"]
        self.assertRegex(out["AccessKeyId"], r"^ASIA")
        left = (out["Expiration"] - now()).total_seconds()
        self.assertTrue(800 < left <= 900, left)
        session = creds_of(out)
        me = sts(session).get_caller_identity()
        self.assertEqual(me["Arn"], f"arn:aws:iam::{ACCOUNT_ID}:user/{user}")
        self.assertEqual(iam(session).get_user(UserName=user)["User"]["UserName"], user)
        with self.assertError("AccessDenied", 403):
            sts(session).get_session_token()
        with self.assertError("ValidationError", 400):
            sts(c).get_session_token(DurationSeconds=129601)
        root = self.sts.get_session_token()["Credentials"]
        left = (root["Expiration"] - now()).total_seconds()
        self.assertTrue(3500 < left <= 3600, left)

    def test_get_federation_token(self):
        user, c = self.user_with_key(path="/federating/",
                                     policy_doc=policy(allow(["sts:GetFederationToken", "iam:ListUsers", "iam:GetUser"])))
        out = sts(c).get_federation_token(Name="fed-bob", DurationSeconds=1800,
                                          Policy=policy(allow("iam:ListUsers")))
        fed = out["FederatedUser"]
        self.assertEqual(fed["Arn"], f"arn:aws:sts::{ACCOUNT_ID}:federated-user/fed-bob")
        self.assertEqual(fed["FederatedUserId"], f"{ACCOUNT_ID}:fed-bob")
        self.assertIsInstance(out["PackedPolicySize"], int)
        session = creds_of(out["Credentials"])
        self.assertEqual(sts(session).get_caller_identity()["Arn"], fed["Arn"])
        self.assertEqual([u["UserName"] for u in iam(session).list_users(PathPrefix="/federating/")["Users"]], [user])
        with self.assertError("AccessDenied", 403):
            iam(session).get_user(UserName=user)  # the user may, the passed policy does not
        bare = sts(c).get_federation_token(Name="fed-none")
        with self.assertError("AccessDenied", 403):
            iam(creds_of(bare["Credentials"])).list_users()  # no policy, no permissions
