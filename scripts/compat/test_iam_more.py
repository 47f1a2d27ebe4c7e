"""More IAM: service-linked roles, tags on policies / instance profiles / MFA devices,
ChangePassword by the user, GetAccountSummary, SSH public keys, DeleteUser conflicts."""

import datetime

from compat import ACCOUNT_ID, TestCase, allow, iam, policy

ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOkonIIOX0wOWWv9idiq/iFNMCt1QAdqtxnehdrbs/Z9 test"
ED25519_MD5 = "c0:5f:11:fb:52:a0:af:58:b8:36:44:47:e9:4b:58:a5"


class More(TestCase):
    def test_service_linked_role(self):
        role = self.iam.create_service_linked_role(AWSServiceName="elasticbeanstalk.amazonaws.com",
                                                   Description="compat")["Role"]
        self.assertEqual(role["RoleName"], "AWSServiceRoleForElasticBeanstalk")
        self.assertEqual(role["Path"], "/aws-service-role/elasticbeanstalk.amazonaws.com/")
        self.assertEqual(role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
                         {"Service": "elasticbeanstalk.amazonaws.com"})
        with self.assertError("UnmodifiableEntity", 400):
            self.iam.delete_role(RoleName=role["RoleName"])
        task = self.iam.delete_service_linked_role(RoleName=role["RoleName"])["DeletionTaskId"]
        self.assertTrue(task.startswith("task/aws-service-role/elasticbeanstalk.amazonaws.com/"))
        status = self.iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"]
        self.assertIn(status, ("SUCCEEDED", "IN_PROGRESS", "NOT_STARTED"))

    def test_tags_on_policies_instance_profiles_and_mfa(self):
        parn = self.iam.create_policy(PolicyName=self.name("p"), PolicyDocument=policy(allow("s3:*")))["Policy"]["Arn"]
        self.iam.tag_policy(PolicyArn=parn, Tags=[{"Key": "owner", "Value": "me"}])
        self.assertEqual(self.iam.list_policy_tags(PolicyArn=parn)["Tags"], [{"Key": "owner", "Value": "me"}])
        self.iam.untag_policy(PolicyArn=parn, TagKeys=["owner"])
        self.assertEqual(self.iam.list_policy_tags(PolicyArn=parn)["Tags"], [])
        ip = self.name("ip")
        self.iam.create_instance_profile(InstanceProfileName=ip, Tags=[{"Key": "a", "Value": "b"}])
        self.assertEqual(self.iam.list_instance_profile_tags(InstanceProfileName=ip)["Tags"], [{"Key": "a", "Value": "b"}])
        serial = self.iam.create_virtual_mfa_device(VirtualMFADeviceName=self.name("m"),
                                                    Tags=[{"Key": "t", "Value": "1"}])["VirtualMFADevice"]["SerialNumber"]
        self.assertEqual(self.iam.list_mfa_device_tags(SerialNumber=serial)["Tags"], [{"Key": "t", "Value": "1"}])

    def test_change_password_by_the_user(self):
        user, c = self.user_with_key(policy_doc=policy(allow("iam:ChangePassword",
                                                               f"arn:aws:iam::{ACCOUNT_ID}:user/${{aws:username}}")))
        self.iam.create_login_profile(UserName=user, Password="First-Passw0rd!!")
        with self.assertError("AccessDenied", 403):
            iam(c).change_password(OldPassword="wrong-password!!", NewPassword="Second-Passw0rd!!")
        iam(c).change_password(OldPassword="First-Passw0rd!!", NewPassword="Second-Passw0rd!!")
        self.assertIsInstance(self.iam.get_login_profile(UserName=user)["LoginProfile"]["CreateDate"],
                              datetime.datetime)

    def test_ssh_public_keys(self):
        user = self.name("u")
        self.iam.create_user(UserName=user)
        key = self.iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=ED25519)["SSHPublicKey"]
        self.assertEqual((key["Fingerprint"], key["Status"], key["UserName"]), (ED25519_MD5, "Active", user))
        self.assertRegex(key["SSHPublicKeyId"], r"^APKA[A-Z0-9]+$")
        listed = self.iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"]
        self.assertEqual([k["SSHPublicKeyId"] for k in listed], [key["SSHPublicKeyId"]])
        got = self.iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key["SSHPublicKeyId"], Encoding="SSH")
        self.assertEqual(got["SSHPublicKey"]["SSHPublicKeyBody"].split()[:2], ED25519.split()[:2])
        with self.assertError("DeleteConflict", 409):
            self.iam.delete_user(UserName=user)
        self.iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=key["SSHPublicKeyId"])
        self.iam.delete_user(UserName=user)

    def test_account_summary_counts_follow_changes(self):
        before = self.iam.get_account_summary()["SummaryMap"]
        self.iam.create_group(GroupName=self.name("g"))
        after = self.iam.get_account_summary()["SummaryMap"]
        self.assertEqual(after["Groups"], before["Groups"] + 1)
        for k in ("Users", "Roles", "Policies", "MFADevices", "GroupsQuota", "PolicyVersionsInUseQuota"):
            self.assertIsInstance(after[k], int, k)
