"""Users, groups, roles, instance profiles: CRUD with paths, tags, pagination, errors."""

import datetime
import json

from compat import ACCOUNT_ID, TestCase, arn, trust


class Users(TestCase):
    def test_user_crud_with_path(self):
        name = self.name("u")
        created = self.iam.create_user(UserName=name, Path="/eng/team/", Tags=[{"Key": "env", "Value": "dev"}])["User"]
        self.assertEqual(created["UserName"], name)
        self.assertEqual(created["Path"], "/eng/team/")
        self.assertEqual(created["Arn"], arn("user", name, "/eng/team/"))
        self.assertRegex(created["UserId"], r"^AIDA[A-Z0-9]{17}$")
        self.assertIsInstance(created["CreateDate"], datetime.datetime)
        self.assertIsNotNone(created["CreateDate"].tzinfo)
        age = datetime.datetime.now(datetime.timezone.utc) - created["CreateDate"]
        self.assertLess(abs(age.total_seconds()), 60)
        self.assertEqual(created["Tags"], [{"Key": "env", "Value": "dev"}])

        got = self.iam.get_user(UserName=name.upper())["User"]
        self.assertEqual(got["UserName"], name, "names are case-insensitive and keep their case")
        self.assertEqual(got["UserId"], created["UserId"])
        self.assertEqual(got["Tags"], [{"Key": "env", "Value": "dev"}])
        self.assertNotIn("PasswordLastUsed", got)

        listed = self.iam.list_users(PathPrefix="/eng/")["Users"]
        self.assertIn(name, [u["UserName"] for u in listed])
        self.assertEqual(self.iam.list_users(PathPrefix="/nothing-here/")["Users"], [])

        new = self.name("u")
        self.iam.update_user(UserName=name, NewUserName=new, NewPath="/ops/")
        moved = self.iam.get_user(UserName=new)["User"]
        self.assertEqual((moved["Path"], moved["Arn"], moved["UserId"]),
                         ("/ops/", arn("user", new, "/ops/"), created["UserId"]))
        with self.assertError("NoSuchEntity", 404):
            self.iam.get_user(UserName=name)
        self.iam.delete_user(UserName=new)
        with self.assertError("NoSuchEntity", 404) as e:
            self.iam.delete_user(UserName=new)
        self.assertIn(new, e.response["Error"]["Message"])
        self.assertEqual(e.response["Error"]["Type"], "Sender")

    def test_duplicate_user_is_entity_already_exists(self):
        name = self.name("u")
        self.iam.create_user(UserName=name)
        with self.assertError("EntityAlreadyExists", 409):
            self.iam.create_user(UserName=name.swapcase())

    def test_validation_errors(self):
        with self.assertError("ValidationError", 400):
            self.iam.create_user(UserName="bad name with spaces")
        with self.assertError("ValidationError", 400):
            self.iam.create_user(UserName="x" * 65)
        with self.assertError("ValidationError", 400):
            self.iam.create_user(UserName=self.name("u"), Path="no-slashes")

    def test_get_user_without_name_is_the_caller(self):
        root = self.iam.get_user()["User"]
        self.assertEqual(root["Arn"], f"arn:aws:iam::{ACCOUNT_ID}:root")
        self.assertEqual(root["UserId"], ACCOUNT_ID)

    def test_list_users_paginator_over_more_than_100_users(self):
        path = f"/{self.name('page')}/"
        names = sorted(self.name("p") for _ in range(105))
        for n in names:
            self.iam.create_user(UserName=n, Path=path)
        first = self.iam.list_users(PathPrefix=path)
        self.assertEqual(len(first["Users"]), 100, "MaxItems defaults to 100")
        self.assertTrue(first["IsTruncated"])
        self.assertIn("Marker", first)
        pages = list(self.iam.get_paginator("list_users").paginate(PathPrefix=path))
        self.assertEqual([len(p["Users"]) for p in pages], [100, 5])
        seen = [u["UserName"] for p in pages for u in p["Users"]]
        self.assertEqual(sorted(seen, key=str.lower), sorted(names, key=str.lower))
        small = list(self.iam.get_paginator("list_users").paginate(
            PathPrefix=path, PaginationConfig={"PageSize": 40}))
        self.assertEqual([len(p["Users"]) for p in small], [40, 40, 25])
        capped = self.iam.get_paginator("list_users").paginate(
            PathPrefix=path, PaginationConfig={"MaxItems": 7, "PageSize": 3}).build_full_result()
        self.assertEqual(len(capped["Users"]), 7)
        self.assertIn("NextToken", capped)

    def test_user_tags(self):
        name = self.name("u")
        self.iam.create_user(UserName=name)
        self.iam.tag_user(UserName=name, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}])
        self.iam.tag_user(UserName=name, Tags=[{"Key": "A", "Value": "one"}])
        tags = self.iam.list_user_tags(UserName=name)
        self.assertFalse(tags["IsTruncated"])
        self.assertEqual({t["Key"].lower(): t["Value"] for t in tags["Tags"]}, {"a": "one", "b": "2"})
        self.iam.untag_user(UserName=name, TagKeys=["b"])
        self.assertEqual([t["Value"] for t in self.iam.list_user_tags(UserName=name)["Tags"]], ["one"])
        with self.assertError("InvalidInput", 400):
            self.iam.tag_user(UserName=name, Tags=[{"Key": "aws:reserved", "Value": "x"}])
        with self.assertError("LimitExceeded", 409):
            self.iam.tag_user(UserName=name, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])


class Groups(TestCase):
    def test_group_membership(self):
        group, other = self.name("g"), self.name("g")
        g = self.iam.create_group(GroupName=group, Path="/teams/")["Group"]
        self.assertRegex(g["GroupId"], r"^AGPA[A-Z0-9]{17}$")
        self.assertEqual(g["Arn"], arn("group", group, "/teams/"))
        self.iam.create_group(GroupName=other)
        users = [self.name("u"), self.name("u")]
        for u in users:
            self.iam.create_user(UserName=u)
            self.iam.add_user_to_group(GroupName=group, UserName=u)
        self.iam.add_user_to_group(GroupName=other, UserName=users[0])
        got = self.iam.get_group(GroupName=group)
        self.assertEqual(got["Group"]["GroupName"], group)
        self.assertEqual(sorted(u["UserName"] for u in got["Users"]), sorted(users))
        self.assertFalse(got["IsTruncated"])
        self.assertEqual(sorted(x["GroupName"] for x in self.iam.list_groups_for_user(UserName=users[0])["Groups"]),
                         sorted([group, other]))
        self.assertIn(group, [x["GroupName"] for x in self.iam.list_groups(PathPrefix="/teams/")["Groups"]])

        with self.assertError("DeleteConflict", 409):
            self.iam.delete_group(GroupName=group)
        with self.assertError("DeleteConflict", 409):
            self.iam.delete_user(UserName=users[0])
        for u in users:
            self.iam.remove_user_from_group(GroupName=group, UserName=u)
        self.iam.update_group(GroupName=group, NewPath="/renamed/")
        self.assertEqual(self.iam.get_group(GroupName=group)["Group"]["Path"], "/renamed/")
        self.iam.delete_group(GroupName=group)
        with self.assertError("NoSuchEntity", 404):
            self.iam.get_group(GroupName=group)
        with self.assertError("NoSuchEntity", 404):
            self.iam.add_user_to_group(GroupName=group, UserName=users[1])


class Roles(TestCase):
    def test_role_crud(self):
        name = self.name("r")
        doc = trust({"Service": "ec2.amazonaws.com"})
        role = self.iam.create_role(RoleName=name, Path="/svc/", AssumeRolePolicyDocument=doc,
                                    Description="test role", MaxSessionDuration=7200,
                                    Tags=[{"Key": "team", "Value": "core"}])["Role"]
        self.assertRegex(role["RoleId"], r"^AROA[A-Z0-9]{17}$")
        self.assertEqual(role["Arn"], arn("role", name, "/svc/"))
        # botocore URL-decodes the document and hands back a dict, as from AWS.
        self.assertEqual(role["AssumeRolePolicyDocument"], json.loads(doc))
        got = self.iam.get_role(RoleName=name)["Role"]
        self.assertEqual(got["Description"], "test role")
        self.assertEqual(got["MaxSessionDuration"], 7200)
        self.assertEqual(got["Tags"], [{"Key": "team", "Value": "core"}])
        self.assertEqual(got["AssumeRolePolicyDocument"], json.loads(doc))
        self.assertIn("RoleLastUsed", got)

        new_trust = trust({"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"})
        self.iam.update_assume_role_policy(RoleName=name, PolicyDocument=new_trust)
        self.iam.update_role(RoleName=name, MaxSessionDuration=3600, Description="changed")
        got = self.iam.get_role(RoleName=name)["Role"]
        self.assertEqual(got["AssumeRolePolicyDocument"], json.loads(new_trust))
        self.assertEqual((got["MaxSessionDuration"], got["Description"]), (3600, "changed"))
        self.assertIn(name, [r["RoleName"] for r in self.iam.list_roles(PathPrefix="/svc/")["Roles"]])
        with self.assertError("ValidationError", 400):
            self.iam.update_role(RoleName=name, MaxSessionDuration=43201)
        with self.assertError("MalformedPolicyDocument", 400):
            self.iam.update_assume_role_policy(RoleName=name, PolicyDocument="{not json")
        self.iam.delete_role(RoleName=name)
        with self.assertError("NoSuchEntity", 404):
            self.iam.get_role(RoleName=name)

    def test_role_tags_and_boundary(self):
        name = self.name("r")
        self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust({"Service": "lambda.amazonaws.com"}))
        self.iam.tag_role(RoleName=name, Tags=[{"Key": "k", "Value": "v"}])
        self.assertEqual(self.iam.list_role_tags(RoleName=name)["Tags"], [{"Key": "k", "Value": "v"}])
        boundary = "arn:aws:iam::aws:policy/ReadOnlyAccess"
        self.iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=boundary)
        pb = self.iam.get_role(RoleName=name)["Role"]["PermissionsBoundary"]
        self.assertEqual(pb, {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": boundary})
        self.iam.delete_role_permissions_boundary(RoleName=name)
        self.assertNotIn("PermissionsBoundary", self.iam.get_role(RoleName=name)["Role"])


class InstanceProfiles(TestCase):
    def test_instance_profile_with_role(self):
        name, role = self.name("ip"), self.name("r")
        self.iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
        ip = self.iam.create_instance_profile(InstanceProfileName=name, Path="/web/")["InstanceProfile"]
        self.assertRegex(ip["InstanceProfileId"], r"^AIPA[A-Z0-9]{17}$")
        self.assertEqual(ip["Arn"], arn("instance-profile", name, "/web/"))
        self.assertEqual(ip["Roles"], [])
        self.iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=role)
        got = self.iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
        self.assertEqual([r["RoleName"] for r in got["Roles"]], [role])
        with self.assertError("LimitExceeded", 409):
            other = self.name("r")
            self.iam.create_role(RoleName=other, AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
            self.iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=other)
        listed = self.iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"]
        self.assertEqual([p["InstanceProfileName"] for p in listed], [name])
        self.assertIn(name, [p["InstanceProfileName"]
                             for p in self.iam.list_instance_profiles(PathPrefix="/web/")["InstanceProfiles"]])
        with self.assertError("DeleteConflict", 409):
            self.iam.delete_role(RoleName=role)
        with self.assertError("DeleteConflict", 409):
            self.iam.delete_instance_profile(InstanceProfileName=name)
        self.iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=role)
        self.iam.delete_instance_profile(InstanceProfileName=name)
        self.iam.delete_role(RoleName=role)
        with self.assertError("NoSuchEntity", 404):
            self.iam.get_instance_profile(InstanceProfileName=name)


class Account(TestCase):
    def test_account_alias_and_summary(self):
        alias = "warden-compat-alias"
        self.iam.create_account_alias(AccountAlias=alias)
        try:
            self.assertEqual(self.iam.list_account_aliases()["AccountAliases"], [alias])
        finally:
            self.iam.delete_account_alias(AccountAlias=alias)
        self.assertEqual(self.iam.list_account_aliases()["AccountAliases"], [])
        summary = self.iam.get_account_summary()["SummaryMap"]
        self.assertGreaterEqual(summary["Users"], 0)
        self.assertEqual(summary["UsersQuota"], 5000)
        self.assertEqual(summary["AccountAccessKeysPresent"], 1)
        self.assertIsInstance(summary["Policies"], int)
