"""Edges that SDKs lean on: small pages of every kind of list, regional STS, role
chaining, filters, conflicts on DeleteUser, keys of another user."""

import datetime

import boto3

from compat import ACCOUNT_ID, CONFIG, ENDPOINT, ROOT, TestCase, allow, creds_of, policy, sts, trust


class Edges(TestCase):
    def test_small_pages_of_attachments_groups_and_tags(self):
        user = self.name("u")
        self.iam.create_user(UserName=user)
        arns = []
        for _ in range(5):
            arns.append(self.iam.create_policy(PolicyName=self.name("p"),
                                               PolicyDocument=policy(allow("s3:GetObject")))["Policy"]["Arn"])
            self.iam.attach_user_policy(UserName=user, PolicyArn=arns[-1])
        groups = [self.name("g") for _ in range(3)]
        for g in groups:
            self.iam.create_group(GroupName=g)
            self.iam.add_user_to_group(GroupName=g, UserName=user)
        self.iam.tag_user(UserName=user, Tags=[{"Key": f"k{i}", "Value": str(i)} for i in range(5)])

        first = self.iam.list_attached_user_policies(UserName=user, MaxItems=2)
        self.assertTrue(first["IsTruncated"])
        second = self.iam.list_attached_user_policies(UserName=user, MaxItems=2, Marker=first["Marker"])
        self.assertEqual(len(second["AttachedPolicies"]), 2)
        self.assertFalse({p["PolicyArn"] for p in first["AttachedPolicies"]}
                         & {p["PolicyArn"] for p in second["AttachedPolicies"]})

        def every(op, key, **kw):
            return [x for page in self.iam.get_paginator(op).paginate(PaginationConfig={"PageSize": 2}, **kw)
                    for x in page[key]]
        self.assertEqual(sorted(p["PolicyArn"] for p in every("list_attached_user_policies", "AttachedPolicies",
                                                              UserName=user)), sorted(arns))
        self.assertEqual(sorted(g["GroupName"] for g in every("list_groups_for_user", "Groups", UserName=user)),
                         sorted(groups))
        self.assertEqual(sorted(t["Key"] for t in every("list_user_tags", "Tags", UserName=user)),
                         [f"k{i}" for i in range(5)])
        with self.assertError("InvalidInput", 400):
            self.iam.list_attached_user_policies(UserName=user, Marker="not-a-marker-of-ours")

    def test_list_policies_filters(self):
        path = f"/{self.name('pp')}/"
        attached = self.iam.create_policy(PolicyName=self.name("p"), Path=path,
                                          PolicyDocument=policy(allow("s3:GetObject")))["Policy"]["Arn"]
        loose = self.iam.create_policy(PolicyName=self.name("p"), Path=path,
                                       PolicyDocument=policy(allow("s3:GetObject")))["Policy"]["Arn"]
        user = self.name("u")
        self.iam.create_user(UserName=user)
        self.iam.put_user_permissions_boundary(UserName=user, PermissionsBoundary=attached)

        def arns(**kw):
            return sorted(p["Arn"] for p in self.iam.list_policies(Scope="Local", PathPrefix=path, **kw)["Policies"])
        self.assertEqual(arns(), sorted([attached, loose]))
        self.assertEqual(arns(PolicyUsageFilter="PermissionsBoundary"), [attached])
        self.assertEqual(arns(PolicyUsageFilter="PermissionsPolicy"), [])
        self.iam.attach_user_policy(UserName=user, PolicyArn=loose)
        self.assertEqual(arns(OnlyAttached=True, PolicyUsageFilter="PermissionsPolicy"), [loose])
        self.assertEqual(arns(PolicyUsageFilter="PermissionsBoundary"), [attached])
        got = self.iam.get_policy(PolicyArn=attached)["Policy"]
        self.assertEqual((got["PermissionsBoundaryUsageCount"], got["AttachmentCount"]), (1, 0))
        ents = self.iam.list_entities_for_policy(PolicyArn=attached, EntityFilter="User",
                                                 PolicyUsageFilter="PermissionsBoundary")
        self.assertEqual([u["UserName"] for u in ents["PolicyUsers"]], [user])

    def test_delete_user_conflicts_name_what_remains(self):
        user = self.name("u")
        self.iam.create_user(UserName=user)
        self.iam.create_login_profile(UserName=user, Password="Delete-Me-Passw0rd!")
        with self.assertError("DeleteConflict", 409):
            self.iam.delete_user(UserName=user)
        self.iam.delete_login_profile(UserName=user)
        self.iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=policy(allow("s3:*")))
        with self.assertError("DeleteConflict", 409):
            self.iam.delete_user(UserName=user)
        self.iam.delete_user_policy(UserName=user, PolicyName="p")
        self.iam.delete_user(UserName=user)

    def test_keys_of_another_user(self):
        a, b = self.name("u"), self.name("u")
        self.iam.create_user(UserName=a)
        self.iam.create_user(UserName=b)
        key = self.iam.create_access_key(UserName=a)["AccessKey"]["AccessKeyId"]
        with self.assertError("NoSuchEntity", 404):
            self.iam.update_access_key(UserName=b, AccessKeyId=key, Status="Inactive")
        with self.assertError("NoSuchEntity", 404):
            self.iam.delete_access_key(UserName=b, AccessKeyId=key)
        # The root user's own keys: no UserName.
        root_keys = self.iam.list_access_keys()["AccessKeyMetadata"]
        self.assertEqual([k["AccessKeyId"] for k in root_keys], [ROOT["aws_access_key_id"]])

    def test_regional_sts_and_role_chaining(self):
        regional = boto3.session.Session().client("sts", endpoint_url=ENDPOINT, region_name="eu-west-1",
                                                  config=CONFIG, **ROOT)
        self.assertEqual(regional.get_caller_identity()["Account"], ACCOUNT_ID)
        user, c = self.user_with_key(policy_doc=policy(allow("sts:AssumeRole")))
        first, second = self.name("r"), self.name("r")
        r1 = self.iam.create_role(RoleName=first, MaxSessionDuration=14400,
                                  AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{ACCOUNT_ID}:user/{user}"}))
        self.iam.put_role_policy(RoleName=first, PolicyName="p", PolicyDocument=policy(allow("sts:AssumeRole")))
        r2 = self.iam.create_role(RoleName=second, MaxSessionDuration=14400,
                                  AssumeRolePolicyDocument=trust({"AWS": r1["Role"]["Arn"]}))
        s1 = sts(c).assume_role(RoleArn=r1["Role"]["Arn"], RoleSessionName="one", DurationSeconds=7200)
        chained = sts(creds_of(s1["Credentials"]))
        with self.assertError("ValidationError", 400):
            chained.assume_role(RoleArn=r2["Role"]["Arn"], RoleSessionName="two", DurationSeconds=7200)
        s2 = chained.assume_role(RoleArn=r2["Role"]["Arn"], RoleSessionName="two")
        left = (s2["Credentials"]["Expiration"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        self.assertTrue(3500 < left <= 3600, left)
        self.assertEqual(sts(creds_of(s2["Credentials"])).get_caller_identity()["Arn"],
                         f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{second}/two")

    def test_authorization_details_filters(self):
        parn = self.iam.create_policy(PolicyName=self.name("p"), PolicyDocument=policy(allow("s3:*")))["Policy"]["Arn"]
        local = self.iam.get_paginator("get_account_authorization_details").paginate(
            Filter=["LocalManagedPolicy"]).build_full_result()
        self.assertEqual((local["UserDetailList"], local["RoleDetailList"], local["GroupDetailList"]), ([], [], []))
        self.assertIn(parn, [p["Arn"] for p in local["Policies"]])
        self.assertTrue(all(not p["Arn"].startswith("arn:aws:iam::aws:") for p in local["Policies"]))
