//! SSH public keys, signing certificates, server certificates, service-specific
//! credentials, service-linked roles and the STS token preferences.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest, Md5};
use rand::Rng;
use serde_json::{Map, Value, json};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};
use warden_policy::PolicyKind;
use warden_types::{IdKind, new_id};

use super::Target;
use super::Target::{Any, Built};
use super::{OpCtx, ops, page};
use crate::error::IamError;
use crate::input::Input;
use crate::model::*;
use crate::rules::{self, quota};
use crate::state::AccountState;
use crate::tx::Tx;
use crate::util::ts;
use crate::{managed, views};

ops! { OPS {
    "CreateServiceLinkedRole" => Built(slr_arn), Write(create_service_linked_role);
    "DeleteServiceLinkedRole" => Target::Role("RoleName"), Write(delete_service_linked_role);
    "GetServiceLinkedRoleDeletionStatus" => Any, Read(deletion_status);

    "UploadSSHPublicKey" => Target::User("UserName"), Write(upload_ssh_key);
    "GetSSHPublicKey" => Target::User("UserName"), Read(get_ssh_key);
    "ListSSHPublicKeys" => Target::User("UserName"), Read(list_ssh_keys);
    "UpdateSSHPublicKey" => Target::User("UserName"), Write(update_ssh_key);
    "DeleteSSHPublicKey" => Target::User("UserName"), Write(delete_ssh_key);

    "UploadSigningCertificate" => Target::User("UserName"), Write(upload_signing_cert);
    "ListSigningCertificates" => Target::User("UserName"), Read(list_signing_certs);
    "UpdateSigningCertificate" => Target::User("UserName"), Write(update_signing_cert);
    "DeleteSigningCertificate" => Target::User("UserName"), Write(delete_signing_cert);

    "UploadServerCertificate" => Built(server_cert_arn), Write(upload_server_cert);
    "GetServerCertificate" => Built(server_cert_arn), Read(get_server_cert);
    "ListServerCertificates" => Any, Read(list_server_certs);
    "UpdateServerCertificate" => Built(server_cert_arn), Write(update_server_cert);
    "DeleteServerCertificate" => Built(server_cert_arn), Write(delete_server_cert);

    "CreateServiceSpecificCredential" => Target::User("UserName"), Write(create_service_credential);
    "ListServiceSpecificCredentials" => Target::User("UserName"), Read(list_service_credentials);
    "UpdateServiceSpecificCredential" => Target::User("UserName"), Write(update_service_credential);
    "ResetServiceSpecificCredential" => Target::User("UserName"), Write(reset_service_credential);
    "DeleteServiceSpecificCredential" => Target::User("UserName"), Write(delete_service_credential);
}}

/// At most five SSH public keys and two signing certificates per user (IAM quotas).
const SSH_KEYS_PER_USER: usize = 5;
const SIGNING_CERTS_PER_USER: usize = 2;

fn other(code: &'static str, status: u16, message: impl Into<String>) -> IamError {
    IamError::Other {
        code,
        status,
        message: message.into(),
    }
}

fn status(input: &Input) -> Result<KeyStatus, IamError> {
    match input.str("Status")? {
        "Active" => Ok(KeyStatus::Active),
        _ => Ok(KeyStatus::Inactive),
    }
}

/// `prefix` + random upper-case letters and digits up to `len` characters.
fn random_id(prefix: &str, len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut rng = rand::thread_rng();
    let mut id = prefix.to_owned();
    while id.len() < len {
        let i = rng.gen_range(0..CHARS.len());
        id.push(char::from(CHARS.get(i).copied().unwrap_or(b'A')));
    }
    id
}

// ---------------------------------------------------------------------------------
// Service-linked roles
// ---------------------------------------------------------------------------------

/// Service principal -> (role name after `AWSServiceRoleFor`, AWS managed policy under
/// `/aws-service-role/` that AWS attaches), as AWS creates them (recorded from AWS).
const SERVICE_ROLES: &[(&str, &str, &str)] = &[
    (
        "accountdiscovery.ssm.amazonaws.com",
        "AmazonSSM_AccountDiscovery",
        "AWSSystemsManagerAccountDiscoveryServicePolicy",
    ),
    (
        "acm.amazonaws.com",
        "CertificateManager",
        "CertificateManagerServiceRolePolicy",
    ),
    ("appmesh.amazonaws.com", "AppMesh", "AWSAppMeshServiceRolePolicy"),
    (
        "autoscaling-plans.amazonaws.com",
        "AutoScalingPlans_EC2AutoScaling",
        "AWSAutoScalingPlansEC2AutoScalingPolicy",
    ),
    (
        "autoscaling.amazonaws.com",
        "AutoScaling",
        "AutoScalingServiceRolePolicy",
    ),
    (
        "backup.amazonaws.com",
        "Backup",
        "AWSBackupServiceLinkedRolePolicyForBackup",
    ),
    ("batch.amazonaws.com", "Batch", "BatchServiceRolePolicy"),
    (
        "cassandra.application-autoscaling.amazonaws.com",
        "ApplicationAutoScaling_CassandraTable",
        "AWSApplicationAutoscalingCassandraTablePolicy",
    ),
    (
        "cks.kms.amazonaws.com",
        "KeyManagementServiceCustomKeyStores",
        "AWSKeyManagementServiceCustomKeyStoresServiceRolePolicy",
    ),
    (
        "cloudtrail.amazonaws.com",
        "CloudTrail",
        "CloudTrailServiceRolePolicy",
    ),
    (
        "codestar-notifications.amazonaws.com",
        "CodeStarNotifications",
        "AWSCodeStarNotificationsServiceRolePolicy",
    ),
    ("config.amazonaws.com", "Config", "AWSConfigServiceRolePolicy"),
    (
        "connect.amazonaws.com",
        "AmazonConnect",
        "AmazonConnectServiceLinkedRolePolicy",
    ),
    (
        "dms-fleet-advisor.amazonaws.com",
        "DMSFleetAdvisor",
        "AWSDMSFleetAdvisorServiceRolePolicy",
    ),
    (
        "dms.amazonaws.com",
        "DMSServerless",
        "AWSDMSServerlessServiceRolePolicy",
    ),
    (
        "docdb-elastic.amazonaws.com",
        "DocDB-Elastic",
        "AmazonDocDB-ElasticServiceRolePolicy",
    ),
    (
        "ec2-instance-connect.amazonaws.com",
        "Ec2InstanceConnect",
        "Ec2InstanceConnectEndpoint",
    ),
    (
        "ec2.application-autoscaling.amazonaws.com",
        "ApplicationAutoScaling_EC2SpotFleetRequest",
        "AWSApplicationAutoscalingEC2SpotFleetRequestPolicy",
    ),
    ("ecr.amazonaws.com", "ECRTemplate", "ECRTemplateServiceRolePolicy"),
    ("ecs.amazonaws.com", "ECS", "AmazonECSServiceRolePolicy"),
    (
        "eks-connector.amazonaws.com",
        "AmazonEKSConnector",
        "AmazonEKSConnectorServiceRolePolicy",
    ),
    (
        "eks-fargate.amazonaws.com",
        "AmazonEKSForFargate",
        "AmazonEKSForFargateServiceRolePolicy",
    ),
    (
        "eks-nodegroup.amazonaws.com",
        "AmazonEKSNodegroup",
        "AWSServiceRoleForAmazonEKSNodegroup",
    ),
    ("eks.amazonaws.com", "AmazonEKS", "AmazonEKSServiceRolePolicy"),
    (
        "elasticache.amazonaws.com",
        "ElastiCache",
        "ElastiCacheServiceRolePolicy",
    ),
    (
        "elasticbeanstalk.amazonaws.com",
        "ElasticBeanstalk",
        "AWSElasticBeanstalkServiceRolePolicy",
    ),
    (
        "elasticfilesystem.amazonaws.com",
        "AmazonElasticFileSystem",
        "AmazonElasticFileSystemServiceRolePolicy",
    ),
    (
        "elasticloadbalancing.amazonaws.com",
        "ElasticLoadBalancing",
        "AWSElasticLoadBalancingServiceRolePolicy",
    ),
    (
        "email.cognito-idp.amazonaws.com",
        "AmazonCognitoIdpEmailService",
        "AmazonCognitoIdpEmailServiceRolePolicy",
    ),
    (
        "emr-containers.amazonaws.com",
        "AmazonEMRContainers",
        "AmazonEMRContainersServiceRolePolicy",
    ),
    (
        "emrwal.amazonaws.com",
        "EMRWAL",
        "EMRDescribeClusterPolicyForEMRWAL",
    ),
    ("fis.amazonaws.com", "FIS", "AmazonFISServiceRolePolicy"),
    (
        "grafana.amazonaws.com",
        "AmazonGrafana",
        "AmazonGrafanaServiceLinkedRolePolicy",
    ),
    (
        "imagebuilder.amazonaws.com",
        "ImageBuilder",
        "AWSServiceRoleForImageBuilder",
    ),
    (
        "iotmanagedintegrations.amazonaws.com",
        "IoTManagedIntegrations",
        "AWSIoTManagedIntegrationsRolePolicy",
    ),
    ("kafka.amazonaws.com", "Kafka", "KafkaServiceRolePolicy"),
    (
        "kafkaconnect.amazonaws.com",
        "KafkaConnect",
        "KafkaConnectServiceRolePolicy",
    ),
    (
        "lakeformation.amazonaws.com",
        "LakeFormationDataAccess",
        "LakeFormationDataAccessServiceRolePolicy",
    ),
    ("lex.amazonaws.com", "LexBots", "AmazonLexBotPolicy"),
    ("lexv2.amazonaws.com", "LexV2Bots", "AmazonLexV2BotPolicy"),
    ("lightsail.amazonaws.com", "Lightsail", "LightsailExportAccess"),
    ("m2.amazonaws.com", "AWSM2", "AWSM2ServicePolicy"),
    ("memorydb.amazonaws.com", "MemoryDB", "MemoryDBServiceRolePolicy"),
    ("mq.amazonaws.com", "AmazonMQ", "AmazonMQServiceRolePolicy"),
    (
        "mrk.kms.amazonaws.com",
        "KeyManagementServiceMultiRegionKeys",
        "AWSKeyManagementServiceMultiRegionKeysServiceRolePolicy",
    ),
    (
        "notifications.amazonaws.com",
        "AwsUserNotifications",
        "AWSUserNotificationsServiceLinkedRolePolicy",
    ),
    (
        "observability.aoss.amazonaws.com",
        "AmazonOpenSearchServerless",
        "AmazonOpenSearchServerlessServiceRolePolicy",
    ),
    (
        "opensearchservice.amazonaws.com",
        "AmazonOpenSearchService",
        "AmazonOpenSearchServiceRolePolicy",
    ),
    (
        "ops.apigateway.amazonaws.com",
        "APIGateway",
        "APIGatewayServiceRolePolicy",
    ),
    (
        "ops.emr-serverless.amazonaws.com",
        "AmazonEMRServerless",
        "AmazonEMRServerlessServiceRolePolicy",
    ),
    (
        "opsdatasync.ssm.amazonaws.com",
        "SystemsManagerOpsDataSync",
        "AWSSystemsManagerOpsDataSyncServiceRolePolicy",
    ),
    (
        "opsinsights.ssm.amazonaws.com",
        "AmazonSSM_OpsInsights",
        "AWSSSMOpsInsightsServiceRolePolicy",
    ),
    (
        "pullthroughcache.ecr.amazonaws.com",
        "ECRPullThroughCache",
        "AWSECRPullThroughCache_ServiceRolePolicy",
    ),
    (
        "ram.amazonaws.com",
        "ResourceAccessManager",
        "AWSResourceAccessManagerServiceRolePolicy",
    ),
    ("rds.amazonaws.com", "RDS", "AmazonRDSServiceRolePolicy"),
    (
        "redshift.amazonaws.com",
        "Redshift",
        "AmazonRedshiftServiceLinkedRolePolicy",
    ),
    (
        "replication.cassandra.amazonaws.com",
        "KeyspacesReplication",
        "KeyspacesReplicationServiceRolePolicy",
    ),
    (
        "replication.ecr.amazonaws.com",
        "ECRReplication",
        "ECRReplicationServiceRolePolicy",
    ),
    (
        "repository.sync.codeconnections.amazonaws.com",
        "GitSync",
        "AWSGitSyncServiceRolePolicy",
    ),
    (
        "resource-explorer-2.amazonaws.com",
        "ResourceExplorer",
        "AWSResourceExplorerServiceRolePolicy",
    ),
    (
        "rolesanywhere.amazonaws.com",
        "RolesAnywhere",
        "AWSRolesAnywhereServicePolicy",
    ),
    (
        "s3-outposts.amazonaws.com",
        "S3OnOutposts",
        "AWSS3OnOutpostsServiceRolePolicy",
    ),
    ("ses.amazonaws.com", "AmazonSES", "AmazonSESServiceRolePolicy"),
    ("shield.amazonaws.com", "AWSShield", "AWSShieldServiceRolePolicy"),
    (
        "ssm-incidents.amazonaws.com",
        "IncidentManager",
        "AWSIncidentManagerServiceRolePolicy",
    ),
    (
        "ssm-quicksetup.amazonaws.com",
        "SSMQuickSetup",
        "SSMQuickSetupRolePolicy",
    ),
    ("ssm.amazonaws.com", "AmazonSSM", "AmazonSSMServiceRolePolicy"),
    ("sso.amazonaws.com", "SSO", "AWSSSOServiceRolePolicy"),
    (
        "vpcorigin.cloudfront.amazonaws.com",
        "CloudFrontVPCOrigin",
        "AWSCloudFrontVPCOriginServiceRolePolicy",
    ),
    ("waf.amazonaws.com", "WAFLogging", "WAFLoggingServiceRolePolicy"),
    (
        "wafv2.amazonaws.com",
        "WAFV2Logging",
        "WAFV2LoggingServiceRolePolicy",
    ),
];

/// The path of every service-linked role starts with this.
pub const SERVICE_ROLE_PATH: &str = "/aws-service-role/";

/// Whether `role` is a service-linked role (only AWS may modify or delete it directly).
pub fn is_service_linked(role: &Role) -> bool {
    role.path.starts_with(SERVICE_ROLE_PATH)
}

/// The role name and managed policy for a service. A service outside the table gets
/// `AWSServiceRoleFor` + its first label in CamelCase, and no policy.
fn service_role(service: &str) -> (String, Option<&'static str>) {
    if let Some((_, name, policy)) = SERVICE_ROLES.iter().find(|(s, _, _)| *s == service) {
        return (format!("AWSServiceRoleFor{name}"), Some(policy));
    }
    let first = service.split('.').next().unwrap_or(service);
    let camel: String = first
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    (format!("AWSServiceRoleFor{camel}"), None)
}

fn slr_name(input: &Input) -> (String, String) {
    let service = input.opt_str("AWSServiceName").unwrap_or_default();
    let (mut name, _) = service_role(service);
    if let Some(suffix) = input.opt_str("CustomSuffix") {
        name = format!("{name}_{suffix}");
    }
    (service.to_owned(), name)
}

fn slr_arn(state: &AccountState, input: &Input) -> String {
    let (service, name) = slr_name(input);
    state.arn("role", &format!("{SERVICE_ROLE_PATH}{service}/"), &name)
}

pub fn create_service_linked_role(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let service = input.str("AWSServiceName")?;
    if !service.ends_with(".amazonaws.com") || service.len() <= ".amazonaws.com".len() {
        return Err(IamError::InvalidInput(format!(
            "Invalid service name {service}. Service names must end with .amazonaws.com"
        )));
    }
    let (_, name) = slr_name(input);
    let (_, policy) = service_role(service);
    if tx.state.roles.contains_key(&name.to_ascii_lowercase()) {
        return Err(IamError::InvalidInput(format!(
            "Service role name {name} has been taken in this account, please try a different suffix."
        )));
    }
    let trust_text = json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    })
    .to_string();
    let trust = rules::parse_policy(
        &trust_text,
        PolicyKind::Trust,
        quota::TRUST_POLICY_SIZE,
        "ACLSizePerRole",
    )?;
    let mut permissions = Permissions::default();
    if let Some(p) = policy {
        let arn = format!("arn:aws:iam::aws:policy{SERVICE_ROLE_PATH}{p}");
        if managed::get(&arn).is_some() {
            permissions.attached.push(arn);
        }
    }
    let role = Role {
        v: 1,
        name,
        id: new_id(IdKind::Role),
        path: format!("{SERVICE_ROLE_PATH}{service}/"),
        created: ctx.now,
        trust_policy: PolicyDoc::compiled(trust_text, trust),
        description: input.opt_str("Description").map(str::to_owned),
        max_session_duration: 3_600,
        tags: Vec::new(),
        boundary: None,
        permissions,
        last_used: None,
        last_used_region: None,
    };
    let mut view = views::role(&tx.state, &role, true);
    if let Some(obj) = view.as_object_mut() {
        obj.remove("RoleLastUsed");
    }
    tx.insert(role);
    Ok(json!({ "Role": view }))
}

pub fn delete_service_linked_role(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let role = rules::role(&tx.state, input.str("RoleName")?)?;
    if !is_service_linked(role) {
        return Err(IamError::InvalidInput(format!(
            "Role {} is not a service-linked role.",
            role.name
        )));
    }
    let key = role.name.to_ascii_lowercase();
    if tx
        .state
        .instance_profiles
        .values()
        .any(|p| p.roles.contains(&key))
    {
        return Err(IamError::DeleteConflict(
            "Cannot delete entity, must remove roles from instance profile first.".into(),
        ));
    }
    // `/aws-service-role/{service}/` -> `task/aws-service-role/{service}/{name}/{uuid}`.
    let id = format!("task{}{}/{}", role.path, role.name, rules::uuid());
    tx.delete::<Role>(&key);
    tx.insert(DeletionTask {
        v: 1,
        id: id.clone(),
        status: "SUCCEEDED".into(),
        reason: None,
    });
    Ok(json!({ "DeletionTaskId": id }))
}

pub fn deletion_status(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let id = input.str("DeletionTaskId")?;
    let Some(task) = state.deletion_tasks.get(id) else {
        if !id.starts_with("task/") {
            return Err(IamError::InvalidInput(format!("Invalid deletion task id {id}.")));
        }
        return Err(IamError::NoSuchEntity(format!(
            "The deletion task with id {id} cannot be found."
        )));
    };
    let mut out = json!({ "Status": task.status });
    if let (Some(obj), Some(reason)) = (out.as_object_mut(), &task.reason) {
        obj.insert("Reason".into(), json!({ "Reason": reason }));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------
// SSH public keys
// ---------------------------------------------------------------------------------

/// An SSH public key as IAM accepts it: RSA (at least 2,048 bits), ECDSA on the NIST
/// curves, or Ed25519.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SshKey {
    Rsa { e: Vec<u8>, n: Vec<u8> },
    Ecdsa { curve: &'static str, point: Vec<u8> },
    Ed25519(Vec<u8>),
}

/// (SSH curve name, DER of the named-curve OID).
const CURVES: &[(&str, &[u8])] = &[
    ("nistp256", &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
    ("nistp384", &[0x2b, 0x81, 0x04, 0x00, 0x22]),
    ("nistp521", &[0x2b, 0x81, 0x04, 0x00, 0x23]),
];
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// Why a key body was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    /// Neither the OpenSSH one-line format nor PEM.
    Unrecognized,
    /// Recognized but malformed, or a type or size IAM refuses.
    Invalid,
}

fn ssh_string(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let len_bytes = data.get(..4)?;
    let len = usize::try_from(u32::from_be_bytes(len_bytes.try_into().ok()?)).ok()?;
    let rest = data.get(4..)?;
    Some((rest.get(..len)?, rest.get(len..)?))
}

fn put_ssh_string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&u32::try_from(s.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(s);
}

/// An unsigned big-endian integer without leading zeros.
fn strip_zeros(b: &[u8]) -> Vec<u8> {
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b.get(start..).unwrap_or_default().to_vec()
}

/// A positive integer with a leading zero byte when its top bit is set (SSH mpint and
/// DER INTEGER agree on this).
fn signed(b: &[u8]) -> Vec<u8> {
    let mut v = strip_zeros(b);
    if v.first().is_none_or(|&x| x & 0x80 != 0) {
        v.insert(0, 0);
    }
    v
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(u8::try_from(len).unwrap_or(0));
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | u8::try_from(bytes.len()).unwrap_or(0));
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

impl SshKey {
    fn check(self) -> Option<Self> {
        match &self {
            SshKey::Rsa { e, n } => {
                let n = strip_zeros(n);
                let bits = n.len() * 8 - n.first().map_or(8, |b| b.leading_zeros() as usize);
                (bits >= 2048 && !strip_zeros(e).is_empty()).then_some(self)
            }
            SshKey::Ecdsa { point, .. } => (point.first() == Some(&4)).then_some(self),
            SshKey::Ed25519(k) => (k.len() == 32).then_some(self),
        }
    }

    fn type_name(&self) -> String {
        match self {
            SshKey::Rsa { .. } => "ssh-rsa".into(),
            SshKey::Ecdsa { curve, .. } => format!("ecdsa-sha2-{curve}"),
            SshKey::Ed25519(_) => "ssh-ed25519".into(),
        }
    }

    /// The SSH wire encoding of the key (RFC 4253 section 6.6, RFC 5656, RFC 8709).
    pub fn blob(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_ssh_string(&mut out, self.type_name().as_bytes());
        match self {
            SshKey::Rsa { e, n } => {
                put_ssh_string(&mut out, &signed(e));
                put_ssh_string(&mut out, &signed(n));
            }
            SshKey::Ecdsa { curve, point } => {
                put_ssh_string(&mut out, curve.as_bytes());
                put_ssh_string(&mut out, point);
            }
            SshKey::Ed25519(k) => put_ssh_string(&mut out, k),
        }
        out
    }

    fn from_blob(blob: &[u8]) -> Option<Self> {
        let (name, rest) = ssh_string(blob)?;
        let (key, rest) = match name {
            b"ssh-rsa" => {
                let (e, rest) = ssh_string(rest)?;
                let (n, rest) = ssh_string(rest)?;
                (
                    SshKey::Rsa {
                        e: strip_zeros(e),
                        n: strip_zeros(n),
                    },
                    rest,
                )
            }
            b"ssh-ed25519" => {
                let (k, rest) = ssh_string(rest)?;
                (SshKey::Ed25519(k.to_vec()), rest)
            }
            _ => {
                let curve_name = name.strip_prefix(b"ecdsa-sha2-")?;
                let (curve, _) = CURVES.iter().find(|(c, _)| c.as_bytes() == curve_name)?;
                let (c, rest) = ssh_string(rest)?;
                let (point, rest) = ssh_string(rest)?;
                if c != curve_name {
                    return None;
                }
                (
                    SshKey::Ecdsa {
                        curve,
                        point: point.to_vec(),
                    },
                    rest,
                )
            }
        };
        rest.is_empty().then_some(key)?.check()
    }

    /// SubjectPublicKeyInfo DER (RFC 5280, RFC 3279, RFC 5480, RFC 8410).
    pub fn spki(&self) -> Vec<u8> {
        let (alg, key) = match self {
            SshKey::Rsa { e, n } => (
                [der(0x06, OID_RSA), der(0x05, &[])].concat(),
                der(0x30, &[der(0x02, &signed(n)), der(0x02, &signed(e))].concat()),
            ),
            SshKey::Ecdsa { curve, point } => {
                let oid = CURVES
                    .iter()
                    .find(|(c, _)| c == curve)
                    .map_or(&[][..], |(_, o)| o);
                ([der(0x06, OID_EC), der(0x06, oid)].concat(), point.clone())
            }
            SshKey::Ed25519(k) => (der(0x06, OID_ED25519), k.clone()),
        };
        let bits = [&[0u8][..], &key].concat();
        der(0x30, &[der(0x30, &alg), der(0x03, &bits)].concat())
    }

    fn from_spki(data: &[u8]) -> Option<Self> {
        let (0x30, spki, rest) = tlv(data)? else {
            return None;
        };
        if !rest.is_empty() {
            return None;
        }
        let (0x30, alg, rest) = tlv(spki)? else {
            return None;
        };
        let (0x03, bits, _) = tlv(rest)? else { return None };
        let (&0, key) = bits.split_first()? else {
            return None;
        };
        let (0x06, oid, params) = tlv(alg)? else {
            return None;
        };
        let parsed = if oid == OID_RSA {
            Self::from_pkcs1(key)?
        } else if oid == OID_ED25519 {
            SshKey::Ed25519(key.to_vec())
        } else if oid == OID_EC {
            let (0x06, curve_oid, _) = tlv(params)? else {
                return None;
            };
            let (curve, _) = CURVES.iter().find(|(_, o)| *o == curve_oid)?;
            SshKey::Ecdsa {
                curve,
                point: key.to_vec(),
            }
        } else {
            return None;
        };
        parsed.check()
    }

    fn from_pkcs1(data: &[u8]) -> Option<Self> {
        let (0x30, seq, _) = tlv(data)? else { return None };
        let (0x02, n, rest) = tlv(seq)? else { return None };
        let (0x02, e, _) = tlv(rest)? else { return None };
        SshKey::Rsa {
            e: strip_zeros(e),
            n: strip_zeros(n),
        }
        .check()
    }

    /// Parses an OpenSSH one-line key (`ssh-rsa AAAA... comment`) or a PEM public key
    /// (`PUBLIC KEY`, `RSA PUBLIC KEY`, or the RFC 4716 `SSH2 PUBLIC KEY` format).
    pub fn parse(body: &str) -> Result<Self, KeyError> {
        let body = body.trim();
        if body.starts_with("-----BEGIN") || body.starts_with("---- BEGIN") {
            let mut lines = body.lines().map(str::trim);
            let begin = lines.next().unwrap_or_default();
            let label = begin
                .trim_matches('-')
                .trim()
                .strip_prefix("BEGIN ")
                .unwrap_or_default();
            let mut b64 = String::new();
            let mut ended = false;
            let mut continued = false;
            for l in lines {
                if l.starts_with("-----END") || l.starts_with("---- END") {
                    ended = true;
                    break;
                }
                // RFC 4716 headers (`Comment: ...`, possibly continued with `\`).
                if continued || l.contains(':') {
                    continued = l.ends_with('\\');
                    continue;
                }
                b64.push_str(l);
            }
            if !ended {
                return Err(KeyError::Invalid);
            }
            let data = STANDARD.decode(b64).map_err(|_| KeyError::Invalid)?;
            let key = match label {
                "PUBLIC KEY" => Self::from_spki(&data),
                "RSA PUBLIC KEY" => Self::from_pkcs1(&data),
                "SSH2 PUBLIC KEY" => Self::from_blob(&data),
                _ => return Err(KeyError::Unrecognized),
            };
            return key.ok_or(KeyError::Invalid);
        }
        let mut parts = body.split_whitespace();
        let (Some(kind), Some(b64)) = (parts.next(), parts.next()) else {
            return Err(KeyError::Unrecognized);
        };
        if !(kind == "ssh-rsa" || kind == "ssh-ed25519" || kind.starts_with("ecdsa-sha2-")) {
            return Err(KeyError::Unrecognized);
        }
        let blob = STANDARD.decode(b64).map_err(|_| KeyError::Invalid)?;
        let key = Self::from_blob(&blob).ok_or(KeyError::Invalid)?;
        if key.type_name() != kind {
            return Err(KeyError::Invalid);
        }
        Ok(key)
    }

    /// The key in OpenSSH one-line format (no comment).
    pub fn openssh(&self) -> String {
        format!("{} {}", self.type_name(), STANDARD.encode(self.blob()))
    }

    /// The key as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
    pub fn pem(&self) -> String {
        let b64 = STANDARD.encode(self.spki());
        let mut out = String::from("-----BEGIN PUBLIC KEY-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
            out.push('\n');
        }
        out.push_str("-----END PUBLIC KEY-----\n");
        out
    }

    /// The MD5 fingerprint of the key blob, colon-separated lower-case hex, as IAM shows it.
    pub fn fingerprint(&self) -> String {
        Md5::digest(self.blob())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":")
    }
}

fn ssh_user<'a>(state: &'a AccountState, input: &Input) -> Result<&'a User, IamError> {
    rules::user(state, input.str("UserName")?)
}

fn ssh_not_found(id: &str) -> IamError {
    IamError::NoSuchEntity(format!("The Public Key with id {id} cannot be found."))
}

/// The key `SSHPublicKeyId` of the user `UserName`.
fn ssh_key<'a>(state: &'a AccountState, input: &Input) -> Result<(&'a User, &'a SshPublicKey), IamError> {
    let user = ssh_user(state, input)?;
    let id = input.str("SSHPublicKeyId")?;
    let key = state
        .ssh_public_keys
        .get(id)
        .filter(|k| k.user == user.name.to_ascii_lowercase())
        .ok_or_else(|| ssh_not_found(id))?;
    Ok((user, key))
}

fn ssh_view(user: &User, k: &SshPublicKey, body: String) -> Value {
    json!({
        "UserName": user.name,
        "SSHPublicKeyId": k.id,
        "Fingerprint": k.fingerprint,
        "SSHPublicKeyBody": body,
        "Status": k.status.as_str(),
        "UploadDate": ts(k.uploaded),
    })
}

pub fn upload_ssh_key(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let user = ssh_user(&tx.state, input)?.clone();
    let key_user = user.name.to_ascii_lowercase();
    let body = input.str("SSHPublicKeyBody")?;
    let key = SshKey::parse(body).map_err(|e| match e {
        KeyError::Unrecognized => other(
            "UnrecognizedPublicKeyEncoding",
            400,
            "The public key encoding format is unsupported or unrecognized.",
        ),
        KeyError::Invalid => other(
            "InvalidPublicKey",
            400,
            "The public key is malformed or otherwise invalid.",
        ),
    })?;
    let fingerprint = key.fingerprint();
    let mine: Vec<&SshPublicKey> = tx
        .state
        .ssh_public_keys
        .values()
        .filter(|k| k.user == key_user)
        .collect();
    if mine.iter().any(|k| k.fingerprint == fingerprint) {
        return Err(other(
            "DuplicateSSHPublicKey",
            400,
            "The SSH public key is already associated with the specified IAM user.",
        ));
    }
    if mine.len() >= SSH_KEYS_PER_USER {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for SSHPublicKeysPerUser: {SSH_KEYS_PER_USER}"
        )));
    }
    let k = SshPublicKey {
        v: 1,
        id: random_id("APKA", 20),
        user: key_user,
        body: body.to_owned(),
        fingerprint,
        status: KeyStatus::Active,
        uploaded: ctx.now,
    };
    let out = json!({ "SSHPublicKey": ssh_view(&user, &k, body.to_owned()) });
    tx.insert(k);
    Ok(out)
}

pub fn get_ssh_key(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let (user, k) = ssh_key(state, input)?;
    let parsed = SshKey::parse(&k.body).map_err(|_| {
        other(
            "UnrecognizedPublicKeyEncoding",
            400,
            "The stored public key cannot be re-encoded.",
        )
    })?;
    let body = match input.str("Encoding")? {
        "PEM" => parsed.pem(),
        _ => parsed.openssh(),
    };
    Ok(json!({ "SSHPublicKey": ssh_view(user, k, body) }))
}

pub fn list_ssh_keys(state: &AccountState, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let Some(user) = rules::user_or_caller(state, input, ctx.caller)? else {
        // The root user has no SSH keys.
        return Ok(json!({ "SSHPublicKeys": [], "IsTruncated": false }));
    };
    let key_user = user.name.to_ascii_lowercase();
    let mut out = Map::new();
    let keys = page(
        state.ssh_public_keys.iter().filter(|(_, k)| k.user == key_user),
        input,
        &mut out,
    )?;
    let keys: Vec<Value> = keys
        .into_iter()
        .map(|k| json!({"UserName": user.name, "SSHPublicKeyId": k.id, "Status": k.status.as_str(), "UploadDate": ts(k.uploaded)}))
        .collect();
    out.insert("SSHPublicKeys".into(), Value::Array(keys));
    Ok(Value::Object(out))
}

pub fn update_ssh_key(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let (_, k) = ssh_key(&tx.state, input)?;
    let mut k = k.clone();
    k.status = status(input)?;
    tx.put(k);
    Ok(json!({}))
}

pub fn delete_ssh_key(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let (_, k) = ssh_key(&tx.state, input)?;
    let id = k.id.clone();
    tx.delete::<SshPublicKey>(&id);
    Ok(json!({}))
}

// ---------------------------------------------------------------------------------
// Signing certificates
// ---------------------------------------------------------------------------------

/// The user key (None = root) and display name a signing certificate operation acts on.
fn cert_owner(
    state: &AccountState,
    input: &Input,
    ctx: &OpCtx,
) -> Result<(Option<String>, String), IamError> {
    Ok(match rules::user_or_caller(state, input, ctx.caller)? {
        Some(u) => (Some(u.name.to_ascii_lowercase()), u.name.clone()),
        None => (None, String::new()),
    })
}

fn cert_not_found(id: &str) -> IamError {
    IamError::NoSuchEntity(format!("The Certificate with id {id} cannot be found."))
}

fn cert_view(display: &str, c: &SigningCertificate) -> Value {
    let mut v = json!({
        "CertificateId": c.id,
        "CertificateBody": c.body,
        "Status": c.status.as_str(),
        "UploadDate": ts(c.uploaded),
    });
    if let (Some(obj), false) = (v.as_object_mut(), display.is_empty()) {
        obj.insert("UserName".into(), json!(display));
    }
    v
}

/// The DER of the single certificate of a PEM body, checked unexpired at `now`.
fn single_certificate(body: &str, now: OffsetDateTime) -> Result<Vec<u8>, IamError> {
    let malformed = |m: &str| other("MalformedCertificate", 400, m.to_owned());
    let certs = pem_certificates(body).ok_or_else(|| {
        malformed("Unable to parse certificate. Please ensure the certificate is in PEM format.")
    })?;
    let [der] = certs.as_slice() else {
        return Err(malformed(
            "Certificate body must contain exactly one certificate.",
        ));
    };
    let info = parse_der_certificate(der).ok_or_else(|| malformed("Unable to parse certificate."))?;
    if info.not_after < now {
        return Err(malformed("Certificate has expired."));
    }
    Ok(der.clone())
}

pub fn upload_signing_cert(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let (user, display) = cert_owner(&tx.state, input, ctx)?;
    let body = input.str("CertificateBody")?;
    let der = single_certificate(body, ctx.now)?;
    // The same certificate may belong to one user of the account only.
    if tx
        .state
        .signing_certificates
        .values()
        .any(|c| pem_certificates(&c.body).is_some_and(|d| d.first() == Some(&der)))
    {
        return Err(other(
            "DuplicateCertificate",
            409,
            "The same certificate is already associated with an IAM user in the account.",
        ));
    }
    let count = tx
        .state
        .signing_certificates
        .values()
        .filter(|c| c.user == user)
        .count();
    if count >= SIGNING_CERTS_PER_USER {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for SigningCertificatesPerUser: {SIGNING_CERTS_PER_USER}"
        )));
    }
    let c = SigningCertificate {
        v: 1,
        id: random_id("", 32),
        user,
        body: body.to_owned(),
        status: KeyStatus::Active,
        uploaded: ctx.now,
    };
    let out = json!({ "Certificate": cert_view(&display, &c) });
    tx.insert(c);
    Ok(out)
}

pub fn list_signing_certs(state: &AccountState, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let (user, display) = cert_owner(state, input, ctx)?;
    let mut out = Map::new();
    let certs = page(
        state.signing_certificates.iter().filter(|(_, c)| c.user == user),
        input,
        &mut out,
    )?;
    let certs: Vec<Value> = certs.into_iter().map(|c| cert_view(&display, c)).collect();
    out.insert("Certificates".into(), Value::Array(certs));
    Ok(Value::Object(out))
}

fn owned_cert(state: &AccountState, input: &Input, ctx: &OpCtx) -> Result<SigningCertificate, IamError> {
    let (user, _) = cert_owner(state, input, ctx)?;
    let id = input.str("CertificateId")?;
    state
        .signing_certificates
        .get(id)
        .filter(|c| c.user == user)
        .cloned()
        .ok_or_else(|| cert_not_found(id))
}

pub fn update_signing_cert(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let mut c = owned_cert(&tx.state, input, ctx)?;
    c.status = status(input)?;
    tx.put(c);
    Ok(json!({}))
}

pub fn delete_signing_cert(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let c = owned_cert(&tx.state, input, ctx)?;
    tx.delete::<SigningCertificate>(&c.id);
    Ok(json!({}))
}

// ---------------------------------------------------------------------------------
// Service-specific credentials
// ---------------------------------------------------------------------------------

/// The services that take a user name and password (CodeCommit, Keyspaces).
const CREDENTIAL_SERVICES: &[&str] = &["codecommit.amazonaws.com", "cassandra.amazonaws.com"];
/// At most two credentials per user and service (IAM quotas).
const CREDENTIALS_PER_SERVICE: usize = 2;

fn check_service(service: &str) -> Result<(), IamError> {
    if CREDENTIAL_SERVICES.contains(&service) {
        Ok(())
    } else {
        Err(IamError::NoSuchEntity(format!(
            "No such service {service} is supported for Service Specific Credentials"
        )))
    }
}

fn credential_view(state: &AccountState, c: &ServiceCredential) -> Value {
    let user = state
        .users
        .get(&c.user)
        .map_or(c.user.as_str(), |u| u.name.as_str());
    json!({
        "UserName": user,
        "ServiceName": c.service,
        "ServiceUserName": c.service_user_name,
        "ServiceSpecificCredentialId": c.id,
        "Status": c.status.as_str(),
        "CreateDate": ts(c.created),
    })
}

/// A new service password: 32 random bytes in base64 (44 characters, as AWS's are).
fn new_password() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill(&mut bytes);
    STANDARD.encode(bytes)
}

fn with_password(ctx: &OpCtx, mut c: ServiceCredential) -> (ServiceCredential, String) {
    let password = new_password();
    c.password_sealed = ctx.sealer.seal(&password, &c.id);
    c.password = Some(warden_types::Secret::new(password.clone()));
    (c, password)
}

pub fn create_service_credential(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let user = rules::user(&tx.state, input.str("UserName")?)?.clone();
    let service = input.str("ServiceName")?;
    check_service(service)?;
    let key = user.name.to_ascii_lowercase();
    let count = tx
        .state
        .service_credentials
        .values()
        .filter(|c| c.user == key && c.service == service)
        .count();
    if count >= CREDENTIALS_PER_SERVICE {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: {CREDENTIALS_PER_SERVICE}"
        )));
    }
    let c = ServiceCredential {
        v: 1,
        id: random_id("ACCA", 21),
        user: key,
        service: service.to_owned(),
        service_user_name: format!("{}-at-{}", user.name, tx.state.id.as_str()),
        password_sealed: String::new(),
        password: None,
        status: KeyStatus::Active,
        created: ctx.now,
    };
    let (c, password) = with_password(ctx, c);
    let mut view = credential_view(&tx.state, &c);
    if let Some(obj) = view.as_object_mut() {
        obj.insert("ServicePassword".into(), json!(password));
    }
    tx.insert(c);
    Ok(json!({ "ServiceSpecificCredential": view }))
}

pub fn list_service_credentials(state: &AccountState, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let service = input.opt_str("ServiceName");
    if let Some(s) = service {
        check_service(s)?;
    }
    let user = if input.opt_bool("AllUsers") == Some(true) {
        None
    } else {
        match rules::user_or_caller(state, input, ctx.caller)? {
            Some(u) => Some(u.name.to_ascii_lowercase()),
            // The root user has no service-specific credentials.
            None => return Ok(json!({ "ServiceSpecificCredentials": [], "IsTruncated": false })),
        }
    };
    let mut out = Map::new();
    let creds = page(
        state.service_credentials.iter().filter(|(_, c)| {
            user.as_ref().is_none_or(|u| &c.user == u) && service.is_none_or(|s| c.service == s)
        }),
        input,
        &mut out,
    )?;
    let creds: Vec<Value> = creds.into_iter().map(|c| credential_view(state, c)).collect();
    out.insert("ServiceSpecificCredentials".into(), Value::Array(creds));
    Ok(Value::Object(out))
}

fn owned_credential(state: &AccountState, input: &Input, ctx: &OpCtx) -> Result<ServiceCredential, IamError> {
    let user = rules::user_or_caller(state, input, ctx.caller)?.map(|u| u.name.to_ascii_lowercase());
    let id = input.str("ServiceSpecificCredentialId")?;
    state
        .service_credentials
        .get(id)
        .filter(|c| user.as_ref() == Some(&c.user))
        .cloned()
        .ok_or_else(|| IamError::NoSuchEntity(format!("No such credential {id} exists")))
}

pub fn update_service_credential(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let mut c = owned_credential(&tx.state, input, ctx)?;
    c.status = status(input)?;
    tx.put(c);
    Ok(json!({}))
}

pub fn reset_service_credential(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let c = owned_credential(&tx.state, input, ctx)?;
    let (c, password) = with_password(ctx, c);
    let mut view = credential_view(&tx.state, &c);
    if let Some(obj) = view.as_object_mut() {
        obj.insert("ServicePassword".into(), json!(password));
    }
    tx.put(c);
    Ok(json!({ "ServiceSpecificCredential": view }))
}

pub fn delete_service_credential(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let c = owned_credential(&tx.state, input, ctx)?;
    tx.delete::<ServiceCredential>(&c.id);
    Ok(json!({}))
}

// ---------------------------------------------------------------------------------
// Server certificates
// ---------------------------------------------------------------------------------

/// At most 20 server certificates per account (IAM quotas).
const SERVER_CERTS_PER_ACCOUNT: usize = 20;

pub(crate) fn server_cert_arn(state: &AccountState, input: &Input) -> String {
    let name = input.opt_str("ServerCertificateName").unwrap_or_default();
    let path = match state.server_certificates.get(&name.to_ascii_lowercase()) {
        Some(c) => c.path.clone(),
        None => rules::path(input, "Path").to_owned(),
    };
    state.arn("server-certificate", &path, name)
}

pub(crate) fn server_cert<'a>(
    state: &'a AccountState,
    name: &str,
) -> Result<&'a ServerCertificate, IamError> {
    state
        .server_certificates
        .get(&name.to_ascii_lowercase())
        .ok_or_else(|| {
            IamError::NoSuchEntity(format!(
                "The Server Certificate with name {name} cannot be found."
            ))
        })
}

fn server_cert_meta(state: &AccountState, c: &ServerCertificate) -> Value {
    json!({
        "Path": c.path,
        "ServerCertificateName": c.name,
        "ServerCertificateId": c.id,
        "Arn": state.arn("server-certificate", &c.path, &c.name),
        "UploadDate": ts(c.uploaded),
        "Expiration": ts(c.expiration),
    })
}

/// What identifies a public key: the RSA modulus or the EC point.
#[derive(Debug, PartialEq, Eq)]
enum KeyId {
    Rsa(Vec<u8>),
    Ec(Vec<u8>),
}

/// The public key of a DER certificate.
fn cert_key(der: &[u8]) -> Option<KeyId> {
    let (_, cert, _) = tlv(der)?;
    let (_, tbs, _) = tlv(cert)?;
    let (mut tag, _, mut rest) = tlv(tbs)?;
    if tag == 0xa0 {
        (tag, _, rest) = tlv(rest)?;
    }
    if tag != 0x02 {
        return None;
    }
    // signature algorithm, issuer, validity, subject, then the key.
    for _ in 0..4 {
        (_, _, rest) = tlv(rest)?;
    }
    let (0x30, spki, _) = tlv(rest)? else { return None };
    let (0x30, alg, rest) = tlv(spki)? else {
        return None;
    };
    let (0x03, bits, _) = tlv(rest)? else { return None };
    let (_, key) = bits.split_first()?;
    let (0x06, oid, _) = tlv(alg)? else { return None };
    if oid == OID_RSA {
        let (0x30, seq, _) = tlv(key)? else { return None };
        let (0x02, n, _) = tlv(seq)? else { return None };
        Some(KeyId::Rsa(strip_zeros(n)))
    } else {
        Some(KeyId::Ec(key.to_vec()))
    }
}

/// The public key of a PEM private key (`RSA PRIVATE KEY`, `EC PRIVATE KEY` or PKCS#8
/// `PRIVATE KEY`); `Ok(None)` for a key that parses but does not carry its public half.
fn private_key(pem: &str) -> Option<Option<KeyId>> {
    let mut lines = pem.trim().lines().map(str::trim);
    let label = lines
        .next()?
        .strip_prefix("-----BEGIN ")?
        .strip_suffix("-----")?
        .to_owned();
    let mut b64 = String::new();
    for l in lines {
        if l == format!("-----END {label}-----") {
            let der = STANDARD.decode(&b64).ok()?;
            return match label.as_str() {
                "RSA PRIVATE KEY" => rsa_private(&der).map(Some),
                "EC PRIVATE KEY" => ec_private(&der),
                "PRIVATE KEY" => {
                    let (0x30, seq, _) = tlv(&der)? else { return None };
                    let (0x02, _, rest) = tlv(seq)? else { return None };
                    let (0x30, alg, rest) = tlv(rest)? else {
                        return None;
                    };
                    let (0x04, key, _) = tlv(rest)? else { return None };
                    let (0x06, oid, _) = tlv(alg)? else { return None };
                    if oid == OID_RSA {
                        rsa_private(key).map(Some)
                    } else if oid == OID_EC {
                        ec_private(key)
                    } else {
                        None
                    }
                }
                _ => None,
            };
        }
        b64.push_str(l);
    }
    None
}

fn rsa_private(der: &[u8]) -> Option<KeyId> {
    let (0x30, seq, _) = tlv(der)? else { return None };
    let (0x02, _, rest) = tlv(seq)? else { return None };
    let (0x02, n, _) = tlv(rest)? else { return None };
    Some(KeyId::Rsa(strip_zeros(n)))
}

fn ec_private(der: &[u8]) -> Option<Option<KeyId>> {
    let (0x30, seq, _) = tlv(der)? else { return None };
    let (0x02, _, rest) = tlv(seq)? else { return None };
    let (0x04, _, mut rest) = tlv(rest)? else {
        return None;
    };
    while !rest.is_empty() {
        let (tag, content, r) = tlv(rest)?;
        if tag == 0xa1 {
            let (0x03, bits, _) = tlv(content)? else {
                return None;
            };
            return Some(Some(KeyId::Ec(bits.get(1..)?.to_vec())));
        }
        rest = r;
    }
    Some(None)
}

pub fn upload_server_cert(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let name = input.str("ServerCertificateName")?;
    let key = name.to_ascii_lowercase();
    if tx.state.server_certificates.contains_key(&key) {
        return Err(IamError::EntityAlreadyExists(format!(
            "The Server Certificate with name {name} already exists."
        )));
    }
    if tx.state.server_certificates.len() >= SERVER_CERTS_PER_ACCOUNT {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for ServerCertificatesPerAccount: {SERVER_CERTS_PER_ACCOUNT}"
        )));
    }
    let tags = input.tags("Tags");
    rules::check_tags(&tags)?;
    let body = input.str("CertificateBody")?;
    let der = single_certificate(body, ctx.now)?;
    let info = parse_der_certificate(&der)
        .ok_or_else(|| other("MalformedCertificate", 400, "Unable to parse certificate."))?;
    let chain = input.opt_str("CertificateChain");
    if chain.is_some_and(|c| pem_certificates(c).is_none()) {
        return Err(other(
            "MalformedCertificate",
            400,
            "Unable to parse certificate chain. Please ensure the chain is in PEM format.",
        ));
    }
    let pk = input.str("PrivateKey")?;
    let public =
        private_key(pk).ok_or_else(|| other("MalformedCertificate", 400, "Unable to parse private key."))?;
    if public.is_some_and(|p| cert_key(&der).as_ref() != Some(&p)) {
        return Err(other(
            "KeyPairMismatch",
            400,
            "The public key certificate and the private key do not match.",
        ));
    }
    let id = new_id(IdKind::ServerCertificate);
    let c = ServerCertificate {
        v: 1,
        name: name.to_owned(),
        private_key_sealed: ctx.sealer.seal(pk, &id),
        private_key: Some(warden_types::Secret::new(pk.to_owned())),
        id,
        path: rules::path(input, "Path").to_owned(),
        body: body.to_owned(),
        chain: chain.map(str::to_owned),
        uploaded: ctx.now,
        expiration: info.not_after,
        tags,
    };
    let mut out = json!({ "ServerCertificateMetadata": server_cert_meta(&tx.state, &c) });
    if let (Some(obj), false) = (out.as_object_mut(), c.tags.is_empty()) {
        obj.insert("Tags".into(), views::tags(&c.tags));
    }
    tx.insert(c);
    Ok(out)
}

pub fn get_server_cert(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let c = server_cert(state, input.str("ServerCertificateName")?)?;
    let mut v = json!({
        "ServerCertificateMetadata": server_cert_meta(state, c),
        "CertificateBody": c.body,
        "Tags": views::tags(&c.tags),
    });
    if let (Some(obj), Some(chain)) = (v.as_object_mut(), &c.chain) {
        obj.insert("CertificateChain".into(), json!(chain));
    }
    Ok(json!({ "ServerCertificate": v }))
}

pub fn list_server_certs(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let prefix = rules::path(input, "PathPrefix");
    let mut out = Map::new();
    let certs = page(
        state
            .server_certificates
            .iter()
            .filter(|(_, c)| c.path.starts_with(prefix)),
        input,
        &mut out,
    )?;
    let certs: Vec<Value> = certs.into_iter().map(|c| server_cert_meta(state, c)).collect();
    out.insert("ServerCertificateMetadataList".into(), Value::Array(certs));
    Ok(Value::Object(out))
}

pub fn update_server_cert(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let mut c = server_cert(&tx.state, input.str("ServerCertificateName")?)?.clone();
    let old_key = c.name.to_ascii_lowercase();
    if let Some(path) = input.opt_str("NewPath") {
        c.path = path.to_owned();
    }
    match input.opt_str("NewServerCertificateName") {
        Some(new) if new.to_ascii_lowercase() != old_key => {
            if tx
                .state
                .server_certificates
                .contains_key(&new.to_ascii_lowercase())
            {
                return Err(IamError::EntityAlreadyExists(format!(
                    "The Server Certificate with name {new} already exists."
                )));
            }
            c.name = new.to_owned();
            tx.delete::<ServerCertificate>(&old_key);
            tx.insert(c);
        }
        Some(new) => {
            c.name = new.to_owned();
            tx.put(c);
        }
        None => tx.put(c),
    }
    Ok(json!({}))
}

pub fn delete_server_cert(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let c = server_cert(&tx.state, input.str("ServerCertificateName")?)?;
    let key = c.name.to_ascii_lowercase();
    tx.delete::<ServerCertificate>(&key);
    Ok(json!({}))
}

// ---------------------------------------------------------------------------------
// X.509 parsing
// ---------------------------------------------------------------------------------

/// What IAM reads from an X.509 certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
}

/// One DER TLV: (tag, contents, rest).
fn tlv(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = data.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (bytes, rest) = rest.split_at(n);
        (
            bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b)),
            rest,
        )
    };
    if rest.len() < len {
        return None;
    }
    let (content, rest) = rest.split_at(len);
    Some((tag, content, rest))
}

fn der_time(tag: u8, s: &[u8]) -> Option<OffsetDateTime> {
    let s = std::str::from_utf8(s).ok()?.strip_suffix('Z')?;
    let (year, rest) = match tag {
        0x17 => {
            // UTCTime: two-digit years 50-99 are 19xx (RFC 5280 section 4.1.2.5.1).
            let yy: i32 = s.get(..2)?.parse().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, s.get(2..)?)
        }
        0x18 => (s.get(..4)?.parse().ok()?, s.get(4..)?),
        _ => return None,
    };
    let num = |r: std::ops::Range<usize>| -> Option<u8> { rest.get(r)?.parse().ok() };
    let date = Date::from_calendar_date(year, Month::try_from(num(0..2)?).ok()?, num(2..4)?).ok()?;
    let time = Time::from_hms(num(4..6)?, num(6..8)?, num(8..10).unwrap_or(0)).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// Reads the validity of a DER X.509 certificate (RFC 5280 section 4.1).
pub fn parse_der_certificate(der: &[u8]) -> Option<CertInfo> {
    let (0x30, cert, rest) = tlv(der)? else {
        return None;
    };
    if !rest.is_empty() {
        return None;
    }
    let (0x30, tbs, after_tbs) = tlv(cert)? else {
        return None;
    };
    let (0x30, _, after_alg) = tlv(after_tbs)? else {
        return None;
    };
    let (0x03, _, _) = tlv(after_alg)? else {
        return None;
    };
    let (mut tag, _, mut rest) = tlv(tbs)?;
    if tag == 0xa0 {
        (tag, _, rest) = tlv(rest)?; // serial number after the explicit version
    }
    if tag != 0x02 {
        return None;
    }
    let (0x30, _, rest) = tlv(rest)? else { return None }; // signature algorithm
    let (0x30, _, rest) = tlv(rest)? else { return None }; // issuer
    let (0x30, validity, _) = tlv(rest)? else {
        return None;
    };
    let (t1, v1, rest) = tlv(validity)?;
    let (t2, v2, _) = tlv(rest)?;
    Some(CertInfo {
        not_before: der_time(t1, v1)?,
        not_after: der_time(t2, v2)?,
    })
}

/// Whether `b64` is the base64 of a DER X.509 certificate.
pub fn is_der_certificate_b64(b64: &str) -> bool {
    STANDARD
        .decode(b64)
        .ok()
        .and_then(|der| parse_der_certificate(&der))
        .is_some()
}

/// The DER of each `CERTIFICATE` block of a PEM text, in order; `None` when the text
/// holds anything else or no certificate.
pub fn pem_certificates(pem: &str) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut lines = pem.lines().map(str::trim).filter(|l| !l.is_empty());
    while let Some(line) = lines.next() {
        if line != "-----BEGIN CERTIFICATE-----" {
            return None;
        }
        let mut body = String::new();
        loop {
            let l = lines.next()?;
            if l == "-----END CERTIFICATE-----" {
                break;
            }
            body.push_str(l);
        }
        let der = STANDARD.decode(body).ok()?;
        parse_der_certificate(&der)?;
        out.push(der);
    }
    (!out.is_empty()).then_some(out)
}
