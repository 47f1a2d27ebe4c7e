"""Cognito identity pools with boto3: a guest and a signed-in user pool user traded for
role credentials (unsigned GetId / GetCredentialsForIdentity, as apps call them)."""

import json
import unittest

import boto3
from botocore import UNSIGNED
from botocore.config import Config

from compat import ENDPOINT, REGION, TestCase, client, creds_of, policy

PASSWORD = "Correct-Horse-9"


def unsigned(service):
    return boto3.session.Session().client(
        service, endpoint_url=ENDPOINT, region_name=REGION,
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )


class IdentityPools(TestCase):
    def role(self, pool_id, amr, action):
        name = self.name("r")
        trust = policy({"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool_id},
                                      "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr}}})
        arn = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        self.iam.put_role_policy(RoleName=name, PolicyName="p",
                                 PolicyDocument=policy({"Effect": "Allow", "Action": action, "Resource": "*"}))
        return name, arn

    def test_guest_and_user_credentials(self):
        idp = client("cognito-idp")
        user_pool = idp.create_user_pool(PoolName=self.name("pool"))["UserPool"]["Id"]
        app_client = idp.create_user_pool_client(UserPoolId=user_pool, ClientName="web",
                                                 ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])
        client_id = app_client["UserPoolClient"]["ClientId"]
        user = self.name("user")
        idp.admin_create_user(UserPoolId=user_pool, Username=user, MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=user_pool, Username=user, Password=PASSWORD, Permanent=True)
        provider = f"cognito-idp.{REGION}.amazonaws.com/{user_pool}"

        identity = client("cognito-identity")
        pool_id = identity.create_identity_pool(
            IdentityPoolName=self.name("ip").replace("-", "_"), AllowUnauthenticatedIdentities=True,
            CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client_id}],
        )["IdentityPoolId"]
        self.addCleanup(identity.delete_identity_pool, IdentityPoolId=pool_id)
        guest_name, guest = self.role(pool_id, "unauthenticated", "iam:GetAccountSummary")
        member_name, member = self.role(pool_id, "authenticated", "iam:ListRoles")
        identity.set_identity_pool_roles(IdentityPoolId=pool_id,
                                         Roles={"unauthenticated": guest, "authenticated": member})

        app = unsigned("cognito-identity")
        guest_id = app.get_id(IdentityPoolId=pool_id)["IdentityId"]
        creds = app.get_credentials_for_identity(IdentityId=guest_id)["Credentials"]
        session = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretKey"],
                   "aws_session_token": creds["SessionToken"]}
        who = client("sts", session).get_caller_identity()
        self.assertTrue(who["Arn"].endswith(f":assumed-role/{guest_name}/CognitoIdentityCredentials"), who)
        with self.assertError("AccessDenied"):
            client("iam", session).list_roles()

        tokens = unsigned("cognito-idp").initiate_auth(
            ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user, "PASSWORD": PASSWORD})["AuthenticationResult"]
        logins = {provider: tokens["IdToken"]}
        user_id = app.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
        self.assertEqual(app.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"], user_id)
        creds = app.get_credentials_for_identity(IdentityId=user_id, Logins=logins)["Credentials"]
        session = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretKey"],
                   "aws_session_token": creds["SessionToken"]}
        client("iam", session).list_roles()
        with self.assertError("NotAuthorizedException"):
            app.get_credentials_for_identity(IdentityId=user_id)

    def test_basic_flow(self):
        identity = client("cognito-identity")
        pool_id = identity.create_identity_pool(IdentityPoolName=self.name("classic").replace("-", "_"),
                                                AllowUnauthenticatedIdentities=True,
                                                AllowClassicFlow=True)["IdentityPoolId"]
        self.addCleanup(identity.delete_identity_pool, IdentityPoolId=pool_id)
        _, role = self.role(pool_id, "unauthenticated", "iam:GetAccountSummary")
        app = unsigned("cognito-identity")
        identity_id = app.get_id(IdentityPoolId=pool_id)["IdentityId"]
        token = app.get_open_id_token(IdentityId=identity_id)["Token"]
        out = unsigned("sts").assume_role_with_web_identity(RoleArn=role, RoleSessionName="classic",
                                                           WebIdentityToken=token)
        self.assertEqual(out["SubjectFromWebIdentityToken"], identity_id)
        creds = out["Credentials"]
        session = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
                   "aws_session_token": creds["SessionToken"]}
        client("iam", session).get_account_summary()


if __name__ == "__main__":
    unittest.main()
