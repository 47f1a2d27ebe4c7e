"""Authorization of IAM calls by users, and GetAccountAuthorizationDetails."""

import json

from compat import ACCOUNT_ID, ALLOW_ALL, TestCase, allow, iam, policy, sts


class Authorization(TestCase):
    def test_new_user_denied_then_allowed(self):
        path = f"/{self.name('authz')}/"
        user, c = self.user_with_key(path=path)
        client = iam(c)
        with self.assertError("AccessDenied", 403) as e:
            client.list_users(PathPrefix=path)
        msg = e.response["Error"]["Message"]
        self.assertIn(f"arn:aws:iam::{ACCOUNT_ID}:user{path}{user}", msg)
        self.assertIn("iam:ListUsers", msg)
        self.assertIn("no identity-based policy allows", msg)
        self.iam.put_user_policy(UserName=user, PolicyName="list", PolicyDocument=policy(allow("iam:ListUsers")))
        listed = client.list_users(PathPrefix=path)["Users"]
        self.assertEqual([u["UserName"] for u in listed], [user])
        with self.assertError("AccessDenied", 403):
            client.create_user(UserName=self.name("u"))

    def test_policy_change_applies_to_next_request_via_group_and_managed_policy(self):
        user, c = self.user_with_key()
        group = self.name("g")
        self.iam.create_group(GroupName=group)
        self.iam.add_user_to_group(GroupName=group, UserName=user)
        client = iam(c)
        with self.assertError("AccessDenied", 403):
            client.get_group(GroupName=group)
        self.iam.attach_group_policy(GroupName=group, PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        self.assertEqual(client.get_group(GroupName=group)["Group"]["GroupName"], group)
        deny = policy({"Effect": "Deny", "Action": "iam:GetGroup", "Resource": "*"})
        self.iam.put_user_policy(UserName=user, PolicyName="deny", PolicyDocument=deny)
        with self.assertError("AccessDenied", 403) as e:
            client.get_group(GroupName=group)
        self.assertIn("explicit deny", e.response["Error"]["Message"])
        self.iam.delete_user_policy(UserName=user, PolicyName="deny")
        self.assertEqual(client.get_group(GroupName=group)["Group"]["GroupName"], group)

    def test_resource_arn_and_condition_scoping(self):
        user, c = self.user_with_key()
        mine = f"arn:aws:iam::{ACCOUNT_ID}:user/scoped/*"
        self.iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=policy(
            allow("iam:CreateUser", mine),
            {"Effect": "Allow", "Action": "iam:TagUser", "Resource": "*",
             "Condition": {"StringEquals": {"aws:RequestTag/team": "blue"}}}))
        client = iam(c)
        name = self.name("u")
        created = client.create_user(UserName=name, Path="/scoped/")["User"]
        self.assertEqual(created["Arn"], f"arn:aws:iam::{ACCOUNT_ID}:user/scoped/{name}")
        with self.assertError("AccessDenied", 403):
            client.create_user(UserName=self.name("u"), Path="/other/")
        client.tag_user(UserName=name, Tags=[{"Key": "team", "Value": "blue"}])
        with self.assertError("AccessDenied", 403):
            client.tag_user(UserName=name, Tags=[{"Key": "team", "Value": "red"}])

    def test_permissions_boundary_limits_user(self):
        user, c = self.user_with_key(policy_doc=ALLOW_ALL)
        self.iam.put_user_permissions_boundary(UserName=user,
                                               PermissionsBoundary="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        client = iam(c)
        self.assertEqual(client.get_user(UserName=user)["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"],
                         "arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        with self.assertError("AccessDenied", 403) as e:
            client.create_user(UserName=self.name("u"))
        self.assertIn("permissions boundary", e.response["Error"]["Message"])

    def test_decode_authorization_message(self):
        user, c = self.user_with_key(policy_doc=policy(allow("sts:DecodeAuthorizationMessage")))
        with self.assertError("AccessDenied", 403) as e:
            iam(c).delete_user(UserName="someone-else")
        headers = e.response["ResponseMetadata"]["HTTPHeaders"]
        encoded = headers.get("x-amz-encoded-authorization-message")
        self.assertTrue(encoded, "the encoded message travels in a response header")
        decoded = json.loads(sts(c).decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"])
        self.assertFalse(decoded["allowed"])
        self.assertFalse(decoded["explicitDeny"])
        ctx = decoded["context"]
        self.assertEqual(ctx["principal"]["arn"], f"arn:aws:iam::{ACCOUNT_ID}:user/{user}")
        self.assertEqual(ctx["action"], "iam:DeleteUser")
        self.assertEqual(ctx["resource"], f"arn:aws:iam::{ACCOUNT_ID}:user/someone-else")
        with self.assertError("InvalidAuthorizationMessageException", 400):
            sts(c).decode_authorization_message(EncodedMessage="garbage-not-a-message")


class AuthorizationDetails(TestCase):
    def test_get_account_authorization_details(self):
        user, group, role = self.name("u"), self.name("g"), self.name("r")
        doc = policy(allow("s3:ListBucket"))
        parn = self.iam.create_policy(PolicyName=self.name("pol"), PolicyDocument=doc)["Policy"]["Arn"]
        self.iam.create_user(UserName=user, Path="/details/")
        self.iam.create_group(GroupName=group)
        self.iam.add_user_to_group(GroupName=group, UserName=user)
        self.iam.put_user_policy(UserName=user, PolicyName="inline", PolicyDocument=doc)
        self.iam.attach_user_policy(UserName=user, PolicyArn=parn)
        self.iam.create_role(RoleName=role, AssumeRolePolicyDocument=policy(
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
        self.iam.attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")

        pages = self.iam.get_paginator("get_account_authorization_details").paginate(
            PaginationConfig={"PageSize": 50}).build_full_result()
        users = {u["UserName"]: u for u in pages["UserDetailList"]}
        mine = users[user]
        self.assertEqual(mine["Path"], "/details/")
        self.assertEqual(mine["GroupList"], [group])
        self.assertEqual(mine["UserPolicyList"], [{"PolicyName": "inline", "PolicyDocument": json.loads(doc)}])
        self.assertEqual(mine["AttachedManagedPolicies"], [{"PolicyName": parn.split("/")[-1], "PolicyArn": parn}])
        roles = {r["RoleName"]: r for r in pages["RoleDetailList"]}
        self.assertEqual(roles[role]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
                         {"Service": "ec2.amazonaws.com"})
        self.assertEqual([p["PolicyArn"] for p in roles[role]["AttachedManagedPolicies"]],
                         ["arn:aws:iam::aws:policy/ReadOnlyAccess"])
        self.assertIn(group, [g["GroupName"] for g in pages["GroupDetailList"]])
        policies = {p["Arn"]: p for p in pages["Policies"]}
        mine_pol = policies[parn]
        self.assertEqual([(v["VersionId"], v["IsDefaultVersion"], v["Document"]) for v in mine_pol["PolicyVersionList"]],
                         [("v1", True, json.loads(doc))])
        self.assertIn("arn:aws:iam::aws:policy/ReadOnlyAccess", policies, "attached AWS managed policies are listed")

        only = self.iam.get_account_authorization_details(Filter=["Role"])
        self.assertEqual((only["UserDetailList"], only["GroupDetailList"], only["Policies"]), ([], [], []))
        self.assertIn(role, [r["RoleName"] for r in only["RoleDetailList"]])
