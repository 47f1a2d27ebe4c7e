//! User pool and app client IDs in AWS's forms, with the owning account folded in (as
//! AWS folds it into access key IDs), so that unsigned requests, which name only a
//! client or a pool, find their account without a global index.

use rand::Rng;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Client IDs and secrets use lower-case base32hex, as AWS's do.
const BASE32: &[u8] = b"0123456789abcdefghijklmnopqrstuv";
const ACCOUNTS: u128 = 1_000_000_000_000;
/// 62^9: the values nine base-62 characters hold.
const POOL_SPACE: u128 = 13_537_086_546_263_552;

fn encode(mut value: u128, alphabet: &[u8], width: usize) -> String {
    let base = alphabet.len() as u128;
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        let digit = usize::try_from(value % base).unwrap_or(0);
        *slot = alphabet.get(digit).copied().unwrap_or(b'0');
        value /= base;
    }
    String::from_utf8(out).unwrap_or_default()
}

fn decode(text: &str, alphabet: &[u8]) -> Option<u128> {
    let base = alphabet.len() as u128;
    text.bytes().try_fold(0u128, |acc, c| {
        let digit = alphabet.iter().position(|a| *a == c)?;
        acc.checked_mul(base)?.checked_add(digit as u128)
    })
}

fn account_number(account: &str) -> Option<u128> {
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
        .then(|| account.parse().ok())
        .flatten()
}

/// `{region}_{9 characters}`.
pub fn new_pool_id(region: &str, account: &str) -> String {
    let account = account_number(account).unwrap_or(0);
    let salt = rand::thread_rng().gen_range(0..POOL_SPACE / ACCOUNTS);
    format!("{region}_{}", encode(salt * ACCOUNTS + account, BASE62, 9))
}

/// The region and account of a pool ID, if it has the form.
pub fn parse_pool_id(pool_id: &str) -> Option<(&str, String)> {
    let (region, rest) = pool_id.rsplit_once('_')?;
    if region.is_empty() || rest.len() != 9 {
        return None;
    }
    let value = decode(rest, BASE62)?;
    Some((region, format!("{:012}", value % ACCOUNTS)))
}

/// 26 characters of `[0-9a-v]`.
pub fn new_client_id(account: &str) -> String {
    let account = account_number(account).unwrap_or(0);
    let salt = rand::thread_rng().gen_range(0..(1u128 << 125) / ACCOUNTS);
    let mut rng = rand::thread_rng();
    let lead = BASE32
        .get(rng.gen_range(0..BASE32.len()))
        .copied()
        .unwrap_or(b'a');
    format!(
        "{}{}",
        lead as char,
        encode(salt * ACCOUNTS + account, BASE32, 25)
    )
}

/// The account of a client ID, if it has the form.
pub fn account_of_client_id(client_id: &str) -> Option<String> {
    if client_id.len() != 26 {
        return None;
    }
    let value = decode(client_id.get(1..)?, BASE32)?;
    Some(format!("{:012}", value % ACCOUNTS))
}

/// A client secret: 51 characters of `[0-9a-v]`, as AWS's.
pub fn new_client_secret() -> String {
    let mut rng = rand::thread_rng();
    (0..51)
        .map(|_| {
            BASE32
                .get(rng.gen_range(0..BASE32.len()))
                .copied()
                .unwrap_or(b'0') as char
        })
        .collect()
}

/// `{region}:{uuid}` (identity pool and identity IDs): a random version-4 UUID whose
/// last ten hex digits are the account XOR the first ten, so they look as random as
/// AWS's and still name their account.
fn new_region_uuid(region: &str, account: &str) -> String {
    let account = account_number(account).unwrap_or(0);
    let mut hex: Vec<u8> = uuid::Uuid::new_v4().simple().to_string().into_bytes();
    let head = hex
        .get(..10)
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .unwrap_or_default();
    let mask = u64::from_str_radix(&head, 16).unwrap_or(0);
    let folded = format!("{:010x}", (account as u64) ^ mask);
    if let Some(tail) = hex.get_mut(22..32) {
        tail.copy_from_slice(folded.as_bytes());
    }
    let hex = String::from_utf8(hex).unwrap_or_default();
    let id = uuid::Uuid::parse_str(&hex).unwrap_or_default();
    format!("{region}:{}", id.hyphenated())
}

/// The region and account of a `{region}:{uuid}` ID, if it has the form.
pub fn parse_region_uuid(id: &str) -> Option<(&str, String)> {
    let (region, uuid) = id.split_once(':')?;
    if region.is_empty() || uuid.len() != 36 {
        return None;
    }
    let hex = uuid::Uuid::parse_str(uuid).ok()?.simple().to_string();
    let mask = u64::from_str_radix(hex.get(..10)?, 16).ok()?;
    let folded = u64::from_str_radix(hex.get(22..32)?, 16).ok()?;
    let account = folded ^ mask;
    (account < 1_000_000_000_000).then(|| (region, format!("{account:012}")))
}

pub fn new_identity_pool_id(region: &str, account: &str) -> String {
    new_region_uuid(region, account)
}

pub fn new_identity_id(region: &str, account: &str) -> String {
    new_region_uuid(region, account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_their_account() {
        for account in ["123456789012", "000000000001", "999999999999"] {
            for _ in 0..200 {
                let pool = new_pool_id("eu-west-2", account);
                assert_eq!(pool.len(), "eu-west-2_".len() + 9, "{pool}");
                assert_eq!(parse_pool_id(&pool), Some(("eu-west-2", account.to_owned())));
                let client = new_client_id(account);
                assert_eq!(client.len(), 26);
                assert!(client.bytes().all(|b| BASE32.contains(&b)), "{client}");
                assert_eq!(account_of_client_id(&client).as_deref(), Some(account));
            }
        }
        assert_eq!(new_client_secret().len(), 51);
        for account in ["123456789012", "000000000001", "999999999999"] {
            let id = new_identity_pool_id("us-east-1", account);
            assert_eq!(id.len(), "us-east-1:".len() + 36, "{id}");
            assert_eq!(parse_region_uuid(&id), Some(("us-east-1", account.to_owned())));
        }
    }

    #[test]
    fn malformed_ids_are_not_parsed() {
        for bad in [
            "",
            "us-east-1",
            "us-east-1_",
            "_abcdefghi",
            "us-east-1_abc",
            "us-east-1_abcdefgh!",
        ] {
            assert!(parse_pool_id(bad).is_none(), "{bad}");
        }
        for bad in [
            "",
            "short",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "zzzzzzzzzzzzzzzzzzzzzzzzzz",
            "vvvvvvvvvvvvvvvvvvvvvvvvvvvv",
        ] {
            assert!(account_of_client_id(bad).is_none(), "{bad}");
        }
    }
}
