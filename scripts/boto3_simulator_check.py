#!/usr/bin/env python3
"""Checks Warden's policy simulator with boto3 (a second SDK besides the Rust one).

Run against a running server:

    WARDEN_ENDPOINT=http://127.0.0.1:4623 \
    AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
    python3 scripts/boto3_simulator_check.py

The keys must be allowed iam:SimulateCustomPolicy and iam:GetContextKeysForCustomPolicy
(the root user's are). Exits non-zero on the first wrong answer. Not part of the test
suite: the suite runs without Python.
"""

import json
import os
import sys

import boto3
from botocore.exceptions import ClientError


def client():
    return boto3.client(
        "iam",
        endpoint_url=os.environ.get("WARDEN_ENDPOINT", "http://127.0.0.1:4623"),
        region_name="us-east-1",
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
    )


def check(what, got, want):
    if got != want:
        sys.exit(f"FAIL {what}: got {got!r}, want {want!r}")
    print(f"ok   {what}")


def positions(statement):
    s, e = statement["StartPosition"], statement["EndPosition"]
    return (statement["SourcePolicyId"], statement["SourcePolicyType"], s["Line"], s["Column"], e["Line"], e["Column"])


def main():
    iam = client()

    # The document of the recorded AWS response (json.dumps, one line): positions 41..113.
    recorded = json.dumps(
        {"Version": "2012-10-17", "Statement": {"Sid": "", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}}
    )
    deny = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}
    )
    out = iam.simulate_custom_policy(
        PolicyInputList=[recorded, deny],
        ActionNames=["s3:PutObject", "s3:DeleteObject", "s3:GetObject"],
        ResourceArns=["arn:aws:s3:::bucket"],
    )
    results = out["EvaluationResults"]
    check("three results", [r["EvalActionName"] for r in results], ["s3:PutObject", "s3:DeleteObject", "s3:GetObject"])
    check("decisions", [r["EvalDecision"] for r in results], ["allowed", "explicitDeny", "implicitDeny"])
    check(
        "allow statement position",
        positions(results[0]["MatchedStatements"][0]),
        ("PolicyInputList.1", "IAM Policy", 1, 41, 1, 113),
    )
    check("deny comes from the second input", results[1]["MatchedStatements"][0]["SourcePolicyId"], "PolicyInputList.2")
    check("same-account details are empty", results[0]["EvalDecisionDetails"], {})
    check(
        "resource-specific result",
        [(x["EvalResourceName"], x["EvalResourceDecision"]) for x in results[0]["ResourceSpecificResults"]],
        [("arn:aws:s3:::bucket", "allowed")],
    )
    check("not truncated", out["IsTruncated"], False)

    conditional = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": "*",
                    "Condition": {
                        "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                        "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
                        "NumericLessThanEquals": {"s3:max-keys": "10"},
                        "ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]},
                    },
                }
            ],
        }
    )
    out = iam.simulate_custom_policy(PolicyInputList=[conditional], ActionNames=["s3:ListBucket"])
    r = out["EvaluationResults"][0]
    check("missing context values", (r["EvalDecision"], sorted(r["MissingContextValues"])),
          ("implicitDeny", ["aws:CurrentTime", "aws:SourceIp", "aws:TagKeys", "s3:max-keys"]))
    entries = [
        {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["203.0.113.9"], "ContextKeyType": "ip"},
        {"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": ["2025-05-01T00:00:00Z"], "ContextKeyType": "date"},
        {"ContextKeyName": "s3:max-keys", "ContextKeyValues": ["3"], "ContextKeyType": "numeric"},
        {"ContextKeyName": "aws:TagKeys", "ContextKeyValues": ["cost", "team"], "ContextKeyType": "stringList"},
    ]
    out = iam.simulate_custom_policy(PolicyInputList=[conditional], ActionNames=["s3:ListBucket"], ContextEntries=entries)
    r = out["EvaluationResults"][0]
    check("typed context entries allow", (r["EvalDecision"], r["MissingContextValues"]), ("allowed", []))

    allow_all = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    s3_only = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    out = iam.simulate_custom_policy(
        PolicyInputList=[allow_all], PermissionsBoundaryPolicyInputList=[s3_only], ActionNames=["iam:ListUsers"]
    )
    r = out["EvaluationResults"][0]
    check("boundary limits", (r["EvalDecision"], r["PermissionsBoundaryDecisionDetail"]),
          ("implicitDeny", {"AllowedByPermissionsBoundary": False}))

    paginator = iam.get_paginator("simulate_custom_policy")
    pages = list(
        paginator.paginate(
            PolicyInputList=[s3_only],
            ActionNames=["s3:A", "s3:B", "s3:C", "s3:D", "s3:E"],
            PaginationConfig={"PageSize": 2},
        )
    )
    check("pages", [len(p["EvaluationResults"]) for p in pages], [2, 2, 1])

    keys = iam.get_context_keys_for_custom_policy(PolicyInputList=[conditional, conditional])
    check("context keys", keys["ContextKeyNames"], ["aws:SourceIp", "aws:CurrentTime", "s3:max-keys", "aws:TagKeys"])

    try:
        iam.simulate_custom_policy(PolicyInputList=["{\"Version\": \"2012-10-17\"}"], ActionNames=["s3:GetObject"])
        sys.exit("FAIL malformed policy was accepted")
    except ClientError as e:
        check("malformed policy", e.response["Error"]["Code"], "MalformedPolicyDocument")
    try:
        iam.simulate_custom_policy(
            PolicyInputList=[s3_only],
            ActionNames=["s3:GetObject"],
            ContextEntries=[{"ContextKeyName": "s3:max-keys", "ContextKeyValues": ["many"], "ContextKeyType": "numeric"}],
        )
        sys.exit("FAIL bad numeric context value was accepted")
    except ClientError as e:
        check("bad context value", (e.response["Error"]["Code"], e.response["Error"]["Message"]),
              ("InvalidInput", "Invalid context value for key s3:max-keys: expected numeric format."))
    print("all simulator checks passed")


if __name__ == "__main__":
    main()
