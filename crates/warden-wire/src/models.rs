//! The five vendored models (`models/`), parsed once on first use.

use std::sync::LazyLock;

use crate::model::ServiceModel;

#[expect(
    clippy::panic,
    reason = "the embedded models are fixed at build time and every one is loaded by the tests"
)]
fn load(name: &str, text: &str) -> ServiceModel {
    match ServiceModel::from_json(text) {
        Ok(m) => m,
        Err(e) => panic!("embedded model {name} does not load: {e}"),
    }
}

static IAM: LazyLock<ServiceModel> =
    LazyLock::new(|| load("iam", include_str!("../models/iam/2010-05-08/service-2.json")));
static STS: LazyLock<ServiceModel> =
    LazyLock::new(|| load("sts", include_str!("../models/sts/2011-06-15/service-2.json")));
static COGNITO_IDP: LazyLock<ServiceModel> = LazyLock::new(|| {
    load(
        "cognito-idp",
        include_str!("../models/cognito-idp/2016-04-18/service-2.json"),
    )
});
static COGNITO_IDENTITY: LazyLock<ServiceModel> = LazyLock::new(|| {
    load(
        "cognito-identity",
        include_str!("../models/cognito-identity/2014-06-30/service-2.json"),
    )
});
static COGNITO_SYNC: LazyLock<ServiceModel> = LazyLock::new(|| {
    load(
        "cognito-sync",
        include_str!("../models/cognito-sync/2014-06-30/service-2.json"),
    )
});

/// IAM, awsQuery, version 2010-05-08.
#[must_use]
pub fn iam() -> &'static ServiceModel {
    &IAM
}

/// STS, awsQuery, version 2011-06-15.
#[must_use]
pub fn sts() -> &'static ServiceModel {
    &STS
}

/// Cognito user pools, awsJson1.1, target prefix `AWSCognitoIdentityProviderService`.
#[must_use]
pub fn cognito_idp() -> &'static ServiceModel {
    &COGNITO_IDP
}

/// Cognito identity pools, awsJson1.1, target prefix `AWSCognitoIdentityService`.
#[must_use]
pub fn cognito_identity() -> &'static ServiceModel {
    &COGNITO_IDENTITY
}

/// Cognito Sync, restJson1.
#[must_use]
pub fn cognito_sync() -> &'static ServiceModel {
    &COGNITO_SYNC
}
