"""Managed policies (customer and AWS), versions, inline policies, attachments."""

import json

from compat import ACCOUNT_ID, TestCase, allow, policy, trust


class ManagedPolicies(TestCase):
    def test_policy_versions_and_default(self):
        name = self.name("pol")
        v1 = policy(allow("s3:GetObject"))
        created = self.iam.create_policy(PolicyName=name, Path="/app/", PolicyDocument=v1,
                                         Description="compat", Tags=[{"Key": "k", "Value": "v"}])["Policy"]
        self.assertEqual(created["Arn"], f"arn:aws:iam::{ACCOUNT_ID}:policy/app/{name}")
        self.assertRegex(created["PolicyId"], r"^ANPA[A-Z0-9]{17}$")
        self.assertEqual((created["DefaultVersionId"], created["AttachmentCount"], created["IsAttachable"]),
                         ("v1", 0, True))
        parn = created["Arn"]
        got = self.iam.get_policy(PolicyArn=parn)["Policy"]
        self.assertEqual(got["Description"], "compat")
        self.assertEqual(got["Tags"], [{"Key": "k", "Value": "v"}])

        for i in range(2, 6):
            v = self.iam.create_policy_version(PolicyArn=parn, PolicyDocument=policy(allow(f"s3:Op{i}")),
                                               SetAsDefault=(i == 3))["PolicyVersion"]
            self.assertEqual(v["VersionId"], f"v{i}")
            self.assertEqual(v["IsDefaultVersion"], i == 3)
        self.assertEqual(self.iam.get_policy(PolicyArn=parn)["Policy"]["DefaultVersionId"], "v3")
        versions = self.iam.list_policy_versions(PolicyArn=parn)["Versions"]
        self.assertEqual(sorted(v["VersionId"] for v in versions), ["v1", "v2", "v3", "v4", "v5"])
        self.assertEqual([v["VersionId"] for v in versions if v["IsDefaultVersion"]], ["v3"])
        with self.assertError("LimitExceeded", 409):
            self.iam.create_policy_version(PolicyArn=parn, PolicyDocument=v1)
        with self.assertError("DeleteConflict", 409):
            self.iam.delete_policy_version(PolicyArn=parn, VersionId="v3")

        doc = self.iam.get_policy_version(PolicyArn=parn, VersionId="v1")["PolicyVersion"]
        self.assertEqual(doc["Document"], json.loads(v1), "botocore decodes the URL-encoded document")
        self.iam.set_default_policy_version(PolicyArn=parn, VersionId="v5")
        self.assertEqual(self.iam.get_policy(PolicyArn=parn)["Policy"]["DefaultVersionId"], "v5")
        self.iam.delete_policy_version(PolicyArn=parn, VersionId="v1")
        self.assertEqual(self.iam.create_policy_version(PolicyArn=parn, PolicyDocument=v1)["PolicyVersion"]["VersionId"],
                         "v6")
        with self.assertError("NoSuchEntity", 404):
            self.iam.get_policy_version(PolicyArn=parn, VersionId="v1")
        with self.assertError("ValidationError", 400):
            self.iam.get_policy_version(PolicyArn=parn, VersionId="version1")
        with self.assertError("DeleteConflict", 409):
            self.iam.delete_policy(PolicyArn=parn)  # non-default versions go first, as in AWS
        for v in ("v2", "v3", "v4", "v6"):
            self.iam.delete_policy_version(PolicyArn=parn, VersionId=v)
        self.iam.delete_policy(PolicyArn=parn)
        with self.assertError("NoSuchEntity", 404):
            self.iam.get_policy(PolicyArn=parn)

    def test_malformed_policy_documents(self):
        with self.assertError("MalformedPolicyDocument", 400):
            self.iam.create_policy(PolicyName=self.name("pol"), PolicyDocument="{not json")
        with self.assertError("MalformedPolicyDocument", 400) as e:
            self.iam.create_policy(PolicyName=self.name("pol"),
                                   PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                                       {"Effect": "Allow", "Action": "s3:GetObject"}]}))
        self.assertTrue(e.response["Error"]["Message"])
        with self.assertError("MalformedPolicyDocument", 400):
            self.iam.create_policy(PolicyName=self.name("pol"),
                                   PolicyDocument=policy({"Effect": "Maybe", "Action": "*", "Resource": "*"}))
        name = self.name("pol")
        self.iam.create_policy(PolicyName=name, PolicyDocument=policy(allow("s3:*")))
        with self.assertError("EntityAlreadyExists", 409):
            self.iam.create_policy(PolicyName=name, PolicyDocument=policy(allow("s3:*")))

    def test_attach_detach_and_entities(self):
        parn = self.iam.create_policy(PolicyName=self.name("pol"), PolicyDocument=policy(allow("sqs:*")))["Policy"]["Arn"]
        user, group, role = self.name("u"), self.name("g"), self.name("r")
        self.iam.create_user(UserName=user)
        self.iam.create_group(GroupName=group)
        self.iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
        self.iam.attach_user_policy(UserName=user, PolicyArn=parn)
        self.iam.attach_group_policy(GroupName=group, PolicyArn=parn)
        self.iam.attach_role_policy(RoleName=role, PolicyArn=parn)
        self.iam.attach_user_policy(UserName=user, PolicyArn=parn)  # idempotent, as AWS
        self.assertEqual(self.iam.get_policy(PolicyArn=parn)["Policy"]["AttachmentCount"], 3)
        self.assertEqual(self.iam.list_attached_user_policies(UserName=user)["AttachedPolicies"],
                         [{"PolicyName": parn.split("/")[-1], "PolicyArn": parn}])
        self.assertEqual([p["PolicyArn"] for p in self.iam.list_attached_group_policies(GroupName=group)["AttachedPolicies"]],
                         [parn])
        self.assertEqual([p["PolicyArn"] for p in self.iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]],
                         [parn])
        ents = self.iam.list_entities_for_policy(PolicyArn=parn)
        self.assertEqual([u["UserName"] for u in ents["PolicyUsers"]], [user])
        self.assertEqual([g["GroupName"] for g in ents["PolicyGroups"]], [group])
        self.assertEqual([r["RoleName"] for r in ents["PolicyRoles"]], [role])
        self.assertRegex(ents["PolicyUsers"][0]["UserId"], r"^AIDA")
        only_roles = self.iam.list_entities_for_policy(PolicyArn=parn, EntityFilter="Role")
        self.assertEqual((only_roles["PolicyUsers"], len(only_roles["PolicyRoles"])), ([], 1))
        attached = [p["PolicyName"] for p in self.iam.get_paginator("list_policies").paginate(
            Scope="Local", OnlyAttached=True).build_full_result()["Policies"]]
        self.assertIn(parn.split("/")[-1], attached)

        with self.assertError("DeleteConflict", 409):
            self.iam.delete_policy(PolicyArn=parn)
        with self.assertError("DeleteConflict", 409):
            self.iam.delete_user(UserName=user)
        self.iam.detach_user_policy(UserName=user, PolicyArn=parn)
        self.iam.detach_group_policy(GroupName=group, PolicyArn=parn)
        self.iam.detach_role_policy(RoleName=role, PolicyArn=parn)
        with self.assertError("NoSuchEntity", 404):
            self.iam.detach_role_policy(RoleName=role, PolicyArn=parn)
        self.assertEqual(self.iam.get_policy(PolicyArn=parn)["Policy"]["AttachmentCount"], 0)
        with self.assertError("NoSuchEntity", 404):
            self.iam.attach_user_policy(UserName=user, PolicyArn=f"arn:aws:iam::{ACCOUNT_ID}:policy/does-not-exist")
        self.iam.delete_policy(PolicyArn=parn)


class AwsManagedPolicies(TestCase):
    def test_list_aws_scope_paginator(self):
        pages = list(self.iam.get_paginator("list_policies").paginate(Scope="AWS"))
        policies = [p for page in pages for p in page["Policies"]]
        self.assertGreater(len(policies), 1000)
        self.assertGreater(len(pages), 10, "pages of at most 100")
        self.assertTrue(all(len(p["Policies"]) <= 100 for p in pages))
        arns = [p["Arn"] for p in policies]
        self.assertEqual(len(arns), len(set(arns)), "no policy twice across pages")
        self.assertTrue(all(a.startswith("arn:aws:iam::aws:policy/") for a in arns))
        by_name = {p["PolicyName"]: p for p in policies}
        for name in ("AdministratorAccess", "ReadOnlyAccess", "IAMFullAccess", "AmazonS3ReadOnlyAccess",
                     "PowerUserAccess", "AmazonDynamoDBFullAccess", "AWSCodeCommitPowerUser"):
            self.assertIn(name, by_name)
        admin = by_name["AdministratorAccess"]
        self.assertEqual((admin["Arn"], admin["Path"], admin["IsAttachable"]),
                         ("arn:aws:iam::aws:policy/AdministratorAccess", "/", True))
        self.assertRegex(admin["DefaultVersionId"], r"^v\d+$")

    def test_get_administrator_access_document(self):
        parn = "arn:aws:iam::aws:policy/AdministratorAccess"
        pol = self.iam.get_policy(PolicyArn=parn)["Policy"]
        self.assertEqual(pol["PolicyName"], "AdministratorAccess")
        self.assertRegex(pol["PolicyId"], r"^ANPA[A-Z0-9]{17}$")
        self.assertEqual(self.iam.get_policy(PolicyArn=parn)["Policy"]["PolicyId"], pol["PolicyId"])
        self.assertEqual(pol["CreateDate"].isoformat(), "2015-02-06T18:39:46+00:00", "AWS's published date")
        ver = self.iam.get_policy_version(PolicyArn=parn, VersionId=pol["DefaultVersionId"])["PolicyVersion"]
        self.assertTrue(ver["IsDefaultVersion"])
        self.assertEqual(ver["Document"],
                         {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        ro = self.iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")["Policy"]
        doc = self.iam.get_policy_version(PolicyArn=ro["Arn"], VersionId=ro["DefaultVersionId"])["PolicyVersion"]["Document"]
        self.assertIsInstance(doc, dict)
        self.assertGreater(len(json.dumps(doc)), 5000)

    def test_aws_managed_policies_are_read_only(self):
        parn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
        with self.assertError("UnmodifiableEntity", 400):
            self.iam.create_policy_version(PolicyArn=parn, PolicyDocument=policy(allow("*")))
        with self.assertError("UnmodifiableEntity", 400):
            self.iam.delete_policy(PolicyArn=parn)
        user = self.name("u")
        self.iam.create_user(UserName=user)
        self.iam.attach_user_policy(UserName=user, PolicyArn=parn)
        self.assertEqual(self.iam.list_attached_user_policies(UserName=user)["AttachedPolicies"],
                         [{"PolicyName": "ReadOnlyAccess", "PolicyArn": parn}])
        self.iam.detach_user_policy(UserName=user, PolicyArn=parn)


class InlinePolicies(TestCase):
    def test_inline_policies_on_user_group_role(self):
        user, group, role = self.name("u"), self.name("g"), self.name("r")
        self.iam.create_user(UserName=user)
        self.iam.create_group(GroupName=group)
        self.iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
        doc = policy(allow("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/t"))
        self.iam.put_user_policy(UserName=user, PolicyName="one", PolicyDocument=doc)
        self.iam.put_user_policy(UserName=user, PolicyName="two", PolicyDocument=doc)
        self.iam.put_group_policy(GroupName=group, PolicyName="g", PolicyDocument=doc)
        self.iam.put_role_policy(RoleName=role, PolicyName="r", PolicyDocument=doc)
        got = self.iam.get_user_policy(UserName=user, PolicyName="one")
        self.assertEqual((got["UserName"], got["PolicyName"], got["PolicyDocument"]), (user, "one", json.loads(doc)))
        self.assertEqual(self.iam.get_group_policy(GroupName=group, PolicyName="g")["PolicyDocument"], json.loads(doc))
        self.assertEqual(self.iam.get_role_policy(RoleName=role, PolicyName="r")["PolicyDocument"], json.loads(doc))
        self.assertEqual(self.iam.list_user_policies(UserName=user)["PolicyNames"], ["one", "two"])
        self.assertEqual(self.iam.list_group_policies(GroupName=group)["PolicyNames"], ["g"])
        self.assertEqual(self.iam.list_role_policies(RoleName=role)["PolicyNames"], ["r"])
        # Replaced in place.
        doc2 = policy(allow("dynamodb:PutItem"))
        self.iam.put_user_policy(UserName=user, PolicyName="one", PolicyDocument=doc2)
        self.assertEqual(self.iam.get_user_policy(UserName=user, PolicyName="one")["PolicyDocument"], json.loads(doc2))
        with self.assertError("DeleteConflict", 409):
            self.iam.delete_role(RoleName=role)
        self.iam.delete_user_policy(UserName=user, PolicyName="one")
        with self.assertError("NoSuchEntity", 404):
            self.iam.get_user_policy(UserName=user, PolicyName="one")
        with self.assertError("MalformedPolicyDocument", 400):
            self.iam.put_user_policy(UserName=user, PolicyName="bad", PolicyDocument='{"Statement": []}')
        with self.assertError("LimitExceeded", 409):
            big = policy(*[allow("s3:GetObject", f"arn:aws:s3:::bucket-{i:04d}/*") for i in range(60)])
            self.iam.put_user_policy(UserName=user, PolicyName="big", PolicyDocument=big)
        self.iam.delete_role_policy(RoleName=role, PolicyName="r")
        self.iam.delete_role(RoleName=role)

    def test_document_with_unicode_and_reserved_characters(self):
        user = self.name("u")
        self.iam.create_user(UserName=user)
        doc = policy({"Sid": "S1", "Effect": "Allow", "Action": "s3:GetObject",
                      "Resource": "arn:aws:s3:::b/caf\u00e9 & <x>+%20?*",
                      "Condition": {"StringLike": {"s3:prefix": ["a b/", "\u00fcber/*"]}}})
        self.iam.put_user_policy(UserName=user, PolicyName="u", PolicyDocument=doc)
        self.assertEqual(self.iam.get_user_policy(UserName=user, PolicyName="u")["PolicyDocument"], json.loads(doc))
