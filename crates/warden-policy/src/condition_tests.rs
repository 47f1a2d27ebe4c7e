//! Condition operator tests, written from the IAM User Guide's examples
//! ("IAM JSON policy elements: Condition operators", "Single-valued vs.
//! multivalued context keys", "Conditions with multiple context keys or values").

use super::*;
use crate::context::{Context, ContextValue};
use crate::json::parse;

fn cond(json: &str) -> Vec<Condition> {
    Condition::compile_all(&parse(json).unwrap(), true)
}

fn holds(json: &str, ctx: &Context) -> Option<bool> {
    let mut result = Some(true);
    for c in cond(json) {
        match c.eval(ctx) {
            Some(true) => {}
            other => result = result.and(other),
        }
    }
    result
}

fn yes(json: &str, ctx: &Context) {
    assert_eq!(holds(json, ctx), Some(true), "{json} with {ctx:?}");
}
fn no(json: &str, ctx: &Context) {
    assert_eq!(holds(json, ctx), Some(false), "{json} with {ctx:?}");
}

#[test]
fn string_operators() {
    let ctx = Context::new().with("aws:PrincipalTag/job-category", "iamuser-admin");
    yes(
        r#"{"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}"#,
        &ctx,
    );
    // Key names are case-insensitive, values are not.
    yes(
        r#"{"StringEquals": {"AWS:principaltag/JOB-category": "iamuser-admin"}}"#,
        &ctx,
    );
    no(
        r#"{"StringEquals": {"aws:PrincipalTag/job-category": "IAMUSER-admin"}}"#,
        &ctx,
    );
    yes(
        r#"{"StringEqualsIgnoreCase": {"aws:PrincipalTag/job-category": "IAMUSER-Admin"}}"#,
        &ctx,
    );
    no(
        r#"{"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/job-category": "IAMUSER-Admin"}}"#,
        &ctx,
    );
    yes(
        r#"{"StringNotEquals": {"aws:PrincipalTag/job-category": ["a", "b"]}}"#,
        &ctx,
    );
    no(
        r#"{"StringNotEquals": {"aws:PrincipalTag/job-category": ["a", "iamuser-admin"]}}"#,
        &ctx,
    );
    yes(
        r#"{"StringLike": {"aws:PrincipalTag/job-category": "iamuser-*"}}"#,
        &ctx,
    );
    yes(
        r#"{"StringLike": {"aws:PrincipalTag/job-category": "iamuser-?dmin"}}"#,
        &ctx,
    );
    no(
        r#"{"StringNotLike": {"aws:PrincipalTag/job-category": "*admin"}}"#,
        &ctx,
    );
    // StringEquals has no wildcards.
    no(
        r#"{"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-*"}}"#,
        &ctx,
    );
}

#[test]
fn missing_keys() {
    let empty = Context::new();
    no(r#"{"StringEquals": {"aws:PrincipalTag/x": "a"}}"#, &empty);
    yes(r#"{"StringNotEquals": {"aws:PrincipalTag/x": "a"}}"#, &empty);
    yes(r#"{"StringNotLike": {"aws:PrincipalTag/x": "a"}}"#, &empty);
    yes(r#"{"ArnNotLike": {"aws:SourceArn": "arn:*"}}"#, &empty);
    yes(
        r#"{"StringEqualsIfExists": {"ec2:InstanceType": ["t1.*"]}}"#,
        &empty,
    );
    yes(r#"{"NumericLessThanIfExists": {"s3:max-keys": "10"}}"#, &empty);
    no(r#"{"NumericLessThan": {"s3:max-keys": "10"}}"#, &empty);
    yes(r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}}"#, &empty);
    no(r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}}"#, &empty);
    yes(
        r#"{"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}"#,
        &empty,
    );
    let with = Context::new().with("ec2:InstanceType", "m5.large");
    no(
        r#"{"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*"]}}"#,
        &with,
    );
}

#[test]
fn set_operators_from_the_docs() {
    // "Example: Deny policy with condition set operator ForAllValues".
    let deny = r#"{"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}"#;
    no(deny, &Context::new().with("aws:TagKeys", &["key1:legal"][..]));
    no(
        deny,
        &Context::new().with("aws:TagKeys", &["key1:hr", "key1:personnel"][..]),
    );
    yes(deny, &Context::new().with("aws:TagKeys", &["key2:audit"][..]));
    // ForAllValues: every request value must be in the policy's set.
    let all = r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}"#;
    yes(all, &Context::new().with("aws:TagKeys", &["environment"][..]));
    yes(
        all,
        &Context::new().with("aws:TagKeys", &["environment", "cost-center"][..]),
    );
    no(
        all,
        &Context::new().with("aws:TagKeys", &["environment", "dept"][..]),
    );
    yes(all, &Context::new().with("aws:TagKeys", Vec::<String>::new()));
    let any = r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}"#;
    yes(
        any,
        &Context::new().with("aws:TagKeys", &["environment", "dept"][..]),
    );
    no(any, &Context::new().with("aws:TagKeys", &["dept"][..]));
    no(any, &Context::new().with("aws:TagKeys", Vec::<String>::new()));
}

#[test]
fn multiple_keys_and_operators_are_and() {
    let ctx = Context::new()
        .with("aws:PrincipalTag/department", "finance")
        .with("aws:PrincipalTag/role", "audit");
    yes(
        r#"{"StringEquals": {"aws:PrincipalTag/department": ["finance", "hr"], "aws:PrincipalTag/role": ["audit", "security"]}}"#,
        &ctx,
    );
    no(
        r#"{"StringEquals": {"aws:PrincipalTag/department": ["finance", "hr"], "aws:PrincipalTag/role": ["security"]}}"#,
        &ctx,
    );
    no(
        r#"{"StringEquals": {"aws:PrincipalTag/department": "finance"}, "StringLike": {"aws:PrincipalTag/role": "x*"}}"#,
        &ctx,
    );
}

#[test]
fn numeric_date_bool_ip_binary_null() {
    let ctx = Context::new()
        .with("s3:max-keys", "10")
        .with("aws:MultiFactorAuthAge", 3600_i64)
        .with("aws:SecureTransport", true)
        .with("aws:SourceIp", "203.0.113.7")
        .with("aws:CurrentTime", time::macros::datetime!(2020-04-01 12:00 UTC))
        .with("aws:EpochTime", 1_585_742_400_i64)
        .with("x:bin", ContextValue::Binary(b"hello".to_vec()));
    yes(r#"{"NumericLessThanEquals": {"s3:max-keys": "10"}}"#, &ctx);
    no(r#"{"NumericLessThan": {"s3:max-keys": "10"}}"#, &ctx);
    yes(
        r#"{"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3599.5"}}"#,
        &ctx,
    );
    yes(r#"{"NumericNotEquals": {"s3:max-keys": ["1", "2"]}}"#, &ctx);
    no(r#"{"NumericEquals": {"s3:max-keys": "not a number"}}"#, &ctx);
    yes(
        r#"{"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}"#,
        &ctx,
    );
    yes(
        r#"{"DateLessThan": {"aws:CurrentTime": "2020-04-01T12:00:01Z"}}"#,
        &ctx,
    );
    yes(r#"{"DateEquals": {"aws:CurrentTime": "1585742400"}}"#, &ctx);
    yes(
        r#"{"DateGreaterThanEquals": {"aws:EpochTime": "2020-04-01T12:00:00Z"}}"#,
        &ctx,
    );
    yes(r#"{"Bool": {"aws:SecureTransport": "true"}}"#, &ctx);
    yes(r#"{"Bool": {"aws:SecureTransport": true}}"#, &ctx);
    no(r#"{"Bool": {"aws:SecureTransport": "false"}}"#, &ctx);
    yes(
        r#"{"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}"#,
        &ctx,
    );
    no(r#"{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, &ctx);
    yes(r#"{"IpAddress": {"aws:SourceIp": "203.0.113.7"}}"#, &ctx);
    let v6 = Context::new().with("aws:SourceIp", "2001:db8:1234:5678::1");
    yes(
        r#"{"IpAddress": {"aws:SourceIp": "2001:DB8:1234:5678::/64"}}"#,
        &v6,
    );
    no(r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, &v6);
    yes(r#"{"BinaryEquals": {"x:bin": "aGVsbG8="}}"#, &ctx);
    no(r#"{"BinaryEquals": {"x:bin": "aGVsbG9v"}}"#, &ctx);
    yes(r#"{"Null": {"aws:TokenIssueTime": "true"}}"#, &ctx);
    no(r#"{"Null": {"aws:SecureTransport": "true"}}"#, &ctx);
    yes(r#"{"Null": {"aws:SecureTransport": false}}"#, &ctx);
}

#[test]
fn arn_operators() {
    let ctx = Context::new().with("aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:my:topic");
    yes(
        r#"{"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:my:topic"}}"#,
        &ctx,
    );
    yes(
        r#"{"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}}"#,
        &ctx,
    );
    no(
        r#"{"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}}"#,
        &ctx,
    );
    // A wildcard does not cross ARN fields.
    no(r#"{"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:topic"}}"#, &ctx);
    yes(r#"{"ArnNotLike": {"aws:SourceArn": "arn:aws:sqs:*"}}"#, &ctx);
    no(
        r#"{"ArnLike": {"aws:SourceArn": "arn:aws:sns:*"}}"#,
        &Context::new().with("aws:SourceArn", "not-an-arn"),
    );
}

#[test]
fn variables_in_values() {
    let ctx = Context::new()
        .with("aws:username", "alice")
        .with("ec2:ResourceTag/VolumeUser", "alice");
    yes(
        r#"{"StringEquals": {"ec2:ResourceTag/VolumeUser": "${aws:username}"}}"#,
        &ctx,
    );
    let other = Context::new().with("ec2:ResourceTag/VolumeUser", "alice");
    assert_eq!(
        holds(
            r#"{"StringEquals": {"ec2:ResourceTag/VolumeUser": "${aws:username}"}}"#,
            &other
        ),
        None
    );
    yes(
        r#"{"StringEquals": {"ec2:ResourceTag/VolumeUser": "${aws:username, 'alice'}"}}"#,
        &other,
    );
}

#[test]
fn operator_names() {
    assert!(Operator::parse("ForAnyValue:StringEqualsIfExists").is_some());
    assert!(Operator::parse("ForAnyValue::StringEqualsIfExists").is_none());
    assert!(Operator::parse("stringequals").is_none());
    assert!(Operator::parse("DateGreaterThanIfExists").is_some());
}

/// The reference for `arn_matches`: split per pattern, fields in order, stop at the first mismatch
/// unless a later field could still report a missing variable (the matcher before `Arn`).
fn arn_matches_reference(fields: &[Pattern], arn: &str, vars: &dyn Vars) -> Option<bool> {
    if let [only] = fields
        && only.is_star()
    {
        return Some(true);
    }
    let mut result = true;
    let mut parts = arn.splitn(fields.len().max(1), ':');
    for (i, field) in fields.iter().enumerate() {
        match parts.next() {
            Some(part) => result &= field.matches(part, vars, false)?,
            None => {
                field.matches("", vars, false)?;
                result = false;
            }
        }
        if !result && !fields[i + 1..].iter().any(|f| f.var_keys().next().is_some()) {
            return Some(false);
        }
    }
    Some(result)
}

proptest::proptest! {
    #[test]
    fn arn_fields_are_what_splitn_gives(arn in "[a:b/]{0,12}", n in 1..7_usize) {
        let split = Arn::new(&arn);
        let expected: Vec<&str> = arn.splitn(n, ':').collect();
        let got: Vec<&str> = (0..7).map_while(|i| split.field(i, n)).collect();
        proptest::prop_assert_eq!(got, expected);
    }

    #[test]
    fn arn_matching_agrees_with_the_reference(
        pattern in "[a:*?/]{0,4}(\\$\\{aws:username\\}|\\$\\{aws:nope\\})?[a:*/]{0,4}",
        arn in "[a:b/]{0,10}",
        with_user in proptest::bool::ANY,
    ) {
        let fields = Pattern::compile(&pattern, Syntax { wildcards: true, variables: true, lowercase: false }).split_arn();
        let ctx = if with_user { Context::new().with("aws:username", "a:b") } else { Context::new() };
        proptest::prop_assert_eq!(
            arn_matches(&fields, &Arn::new(&arn), &ctx),
            arn_matches_reference(&fields, &arn, &ctx),
            "{} against {}", pattern, arn
        );
    }
}
