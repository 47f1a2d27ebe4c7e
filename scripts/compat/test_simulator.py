"""The policy simulator with boto3 (formerly scripts/boto3_simulator_check.py)."""

import json

from compat import TestCase, policy

RECORDED = json.dumps(
    {"Version": "2012-10-17", "Statement": {"Sid": "", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}}
)
DENY = policy({"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"})
ALLOW_ALL = policy({"Effect": "Allow", "Action": "*", "Resource": "*"})
S3_ONLY = policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
CONDITIONAL = policy({
    "Effect": "Allow",
    "Action": "s3:ListBucket",
    "Resource": "*",
    "Condition": {
        "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
        "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
        "NumericLessThanEquals": {"s3:max-keys": "10"},
        "ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]},
    },
})


def positions(statement):
    s, e = statement["StartPosition"], statement["EndPosition"]
    return (statement["SourcePolicyId"], statement["SourcePolicyType"], s["Line"], s["Column"], e["Line"], e["Column"])


class SimulateCustomPolicy(TestCase):
    def test_decisions_and_positions(self):
        out = self.iam.simulate_custom_policy(
            PolicyInputList=[RECORDED, DENY],
            ActionNames=["s3:PutObject", "s3:DeleteObject", "s3:GetObject"],
            ResourceArns=["arn:aws:s3:::bucket"],
        )
        results = out["EvaluationResults"]
        self.assertEqual([r["EvalActionName"] for r in results], ["s3:PutObject", "s3:DeleteObject", "s3:GetObject"])
        self.assertEqual([r["EvalDecision"] for r in results], ["allowed", "explicitDeny", "implicitDeny"])
        # The document of the recorded AWS response (json.dumps, one line): positions 41..113.
        self.assertEqual(positions(results[0]["MatchedStatements"][0]), ("PolicyInputList.1", "IAM Policy", 1, 41, 1, 113))
        self.assertEqual(results[1]["MatchedStatements"][0]["SourcePolicyId"], "PolicyInputList.2")
        self.assertEqual(results[0]["EvalDecisionDetails"], {})
        self.assertEqual([(x["EvalResourceName"], x["EvalResourceDecision"])
                          for x in results[0]["ResourceSpecificResults"]], [("arn:aws:s3:::bucket", "allowed")])
        self.assertFalse(out["IsTruncated"])

    def test_missing_and_typed_context_values(self):
        out = self.iam.simulate_custom_policy(PolicyInputList=[CONDITIONAL], ActionNames=["s3:ListBucket"])
        r = out["EvaluationResults"][0]
        self.assertEqual((r["EvalDecision"], sorted(r["MissingContextValues"])),
                         ("implicitDeny", ["aws:CurrentTime", "aws:SourceIp", "aws:TagKeys", "s3:max-keys"]))
        entries = [
            {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["203.0.113.9"], "ContextKeyType": "ip"},
            {"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": ["2025-05-01T00:00:00Z"], "ContextKeyType": "date"},
            {"ContextKeyName": "s3:max-keys", "ContextKeyValues": ["3"], "ContextKeyType": "numeric"},
            {"ContextKeyName": "aws:TagKeys", "ContextKeyValues": ["cost", "team"], "ContextKeyType": "stringList"},
        ]
        out = self.iam.simulate_custom_policy(PolicyInputList=[CONDITIONAL], ActionNames=["s3:ListBucket"],
                                              ContextEntries=entries)
        r = out["EvaluationResults"][0]
        self.assertEqual((r["EvalDecision"], r["MissingContextValues"]), ("allowed", []))

    def test_permissions_boundary(self):
        out = self.iam.simulate_custom_policy(
            PolicyInputList=[ALLOW_ALL], PermissionsBoundaryPolicyInputList=[S3_ONLY], ActionNames=["iam:ListUsers"])
        r = out["EvaluationResults"][0]
        self.assertEqual((r["EvalDecision"], r["PermissionsBoundaryDecisionDetail"]),
                         ("implicitDeny", {"AllowedByPermissionsBoundary": False}))

    def test_paginator(self):
        pages = list(self.iam.get_paginator("simulate_custom_policy").paginate(
            PolicyInputList=[S3_ONLY], ActionNames=["s3:A", "s3:B", "s3:C", "s3:D", "s3:E"],
            PaginationConfig={"PageSize": 2}))
        self.assertEqual([len(p["EvaluationResults"]) for p in pages], [2, 2, 1])
        self.assertEqual([r["EvalActionName"] for p in pages for r in p["EvaluationResults"]],
                         ["s3:A", "s3:B", "s3:C", "s3:D", "s3:E"])

    def test_context_keys(self):
        keys = self.iam.get_context_keys_for_custom_policy(PolicyInputList=[CONDITIONAL, CONDITIONAL])
        self.assertEqual(keys["ContextKeyNames"], ["aws:SourceIp", "aws:CurrentTime", "s3:max-keys", "aws:TagKeys"])

    def test_errors(self):
        with self.assertError("MalformedPolicyDocument", 400):
            self.iam.simulate_custom_policy(PolicyInputList=['{"Version": "2012-10-17"}'], ActionNames=["s3:GetObject"])
        with self.assertError("InvalidInput", 400, "Invalid context value for key s3:max-keys: expected numeric format."):
            self.iam.simulate_custom_policy(
                PolicyInputList=[S3_ONLY], ActionNames=["s3:GetObject"],
                ContextEntries=[{"ContextKeyName": "s3:max-keys", "ContextKeyValues": ["many"],
                                 "ContextKeyType": "numeric"}])


class SimulatePrincipalPolicy(TestCase):
    def test_user_with_group_and_boundary(self):
        user, group = self.name("u"), self.name("g")
        arn = self.iam.create_user(UserName=user)["User"]["Arn"]
        self.iam.create_group(GroupName=group)
        self.iam.add_user_to_group(GroupName=group, UserName=user)
        self.iam.put_group_policy(GroupName=group, PolicyName="g", PolicyDocument=S3_ONLY)
        self.iam.put_user_policy(UserName=user, PolicyName="d", PolicyDocument=DENY)
        out = self.iam.simulate_principal_policy(PolicySourceArn=arn,
                                                 ActionNames=["s3:GetObject", "s3:DeleteObject", "iam:ListUsers"])
        self.assertEqual([(r["EvalActionName"], r["EvalDecision"]) for r in out["EvaluationResults"]],
                         [("s3:GetObject", "allowed"), ("s3:DeleteObject", "explicitDeny"),
                          ("iam:ListUsers", "implicitDeny")])
        self.assertEqual(out["EvaluationResults"][1]["MatchedStatements"][0]["SourcePolicyType"], "IAM Policy")
        self.iam.put_user_permissions_boundary(UserName=user,
                                               PermissionsBoundary="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        out = self.iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:GetObject"])
        self.assertEqual(out["EvaluationResults"][0]["EvalDecision"], "implicitDeny")
        keys = self.iam.get_context_keys_for_principal_policy(PolicySourceArn=arn, PolicyInputList=[CONDITIONAL])
        self.assertEqual(sorted(keys["ContextKeyNames"]),
                         ["aws:CurrentTime", "aws:SourceIp", "aws:TagKeys", "s3:max-keys"])
