//! The server side of Cognito's SRP sign-in (`USER_SRP_AUTH` → `PASSWORD_VERIFIER`), in
//! the exact variant amazon-cognito-identity-js and Amplify speak: SRP-6a over the
//! 3072-bit group of RFC 5054 with g = 2, SHA-256, hex "padding" to a positive
//! two's-complement form, `x` over the pool's short ID, the user's internal name and the
//! password, and a session key derived with one HKDF-SHA256 block ("Caldera Derived
//! Key") that signs the pool, user, secret block and timestamp.
//!
//! A pool stores per user a salt and the verifier `v = g^x mod N` (sealed at rest), never
//! the password; checking a claim needs the server's ephemeral secret `b`, which travels
//! sealed inside the challenge's `SECRET_BLOCK`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use num_bigint_dig::BigUint;
use num_traits::Zero;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// RFC 5054's 3072-bit group (the same as RFC 3526's), as Cognito uses it.
const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
);

fn n() -> BigUint {
    BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap_or_default()
}

fn g() -> BigUint {
    BigUint::from(2u32)
}

/// The hex form the JavaScript client hashes: even length, and a leading `00` when the
/// top bit is set, so the bytes read as a positive number.
pub fn pad_hex(n: &BigUint) -> String {
    let hex = n.to_str_radix(16);
    if hex.len() % 2 == 1 {
        format!("0{hex}")
    } else if hex.starts_with(['8', '9', 'a', 'b', 'c', 'd', 'e', 'f']) {
        format!("00{hex}")
    } else {
        hex
    }
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    hex::decode(hex).unwrap_or_default()
}

/// SHA-256 of the bytes a hex string spells, as a number.
fn hex_hash(hex: &str) -> BigUint {
    BigUint::from_bytes_be(&Sha256::digest(hex_bytes(hex)))
}

fn k() -> BigUint {
    hex_hash(&format!("{}{}", pad_hex(&n()), pad_hex(&g())))
}

/// `x = H(salt | H(poolAbbr | user | ":" | password))`.
fn x(pool_abbr: &str, user: &str, password: &str, salt: &BigUint) -> BigUint {
    let inner = hex::encode(Sha256::digest(format!("{pool_abbr}{user}:{password}").as_bytes()));
    hex_hash(&format!("{}{inner}", pad_hex(salt)))
}

/// The part of a pool ID after the region (`eu-west-2_bBpjKlyj6` → `bBpjKlyj6`).
pub fn pool_abbr(pool_id: &str) -> &str {
    pool_id.split_once('_').map_or(pool_id, |(_, abbr)| abbr)
}

/// A new salt and verifier for `user`'s `password`, both as hex.
pub fn new_verifier(pool_id: &str, user: &str, password: &str) -> (String, String) {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = BigUint::from_bytes_be(&salt);
    let v = g().modpow(&x(pool_abbr(pool_id), user, password, &salt), &n());
    (pad_hex(&salt), v.to_str_radix(16))
}

/// A fresh ephemeral secret `b` (hex) and the public `B = k·v + g^b mod N` (hex).
pub fn server_ephemeral(verifier_hex: &str) -> Option<(String, String)> {
    let v = BigUint::parse_bytes(verifier_hex.as_bytes(), 16)?;
    loop {
        let mut b = [0u8; 128];
        rand::rngs::OsRng.fill_bytes(&mut b);
        let b = BigUint::from_bytes_be(&b);
        let big_b = public_b(&v, &b);
        if !(&big_b % n()).is_zero() {
            return Some((b.to_str_radix(16), big_b.to_str_radix(16)));
        }
    }
}

fn public_b(v: &BigUint, b: &BigUint) -> BigUint {
    (k() * v + g().modpow(b, &n())) % n()
}

/// The 16-byte key both sides derive from `S` and `u`.
pub fn session_key(s: &BigUint, u: &BigUint) -> Vec<u8> {
    let mut prk = Hmac::<Sha256>::new_from_slice(&hex_bytes(&pad_hex(u))).unwrap_or_else(|_| unreachable!());
    prk.update(&hex_bytes(&pad_hex(s)));
    let prk = prk.finalize().into_bytes();
    let mut okm = Hmac::<Sha256>::new_from_slice(&prk).unwrap_or_else(|_| unreachable!());
    okm.update(b"Caldera Derived Key\x01");
    okm.finalize().into_bytes().get(..16).unwrap_or_default().to_vec()
}

/// The signature a client that knows the password sends: HMAC over the pool, user,
/// secret block and timestamp under the session key.
pub fn claim_signature(
    key: &[u8],
    pool_id: &str,
    user: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(pool_abbr(pool_id).as_bytes());
    mac.update(user.as_bytes());
    mac.update(secret_block);
    mac.update(timestamp.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// What the server expects a client's `PASSWORD_CLAIM_SIGNATURE` to be, or `None` for
/// an `A` that is 0 mod N (which would make the key guessable).
pub struct ServerClaim<'a> {
    pub pool_id: &'a str,
    pub user: &'a str,
    pub verifier_hex: &'a str,
    pub b_hex: &'a str,
    pub a_hex: &'a str,
    pub secret_block: &'a [u8],
    pub timestamp: &'a str,
}

impl ServerClaim<'_> {
    pub fn expected_signature(&self) -> Option<String> {
        let n = n();
        let v = BigUint::parse_bytes(self.verifier_hex.as_bytes(), 16)?;
        let b = BigUint::parse_bytes(self.b_hex.as_bytes(), 16)?;
        let a = BigUint::parse_bytes(self.a_hex.as_bytes(), 16)?;
        if (&a % &n).is_zero() {
            return None;
        }
        let big_b = public_b(&v, &b);
        let u = hex_hash(&format!("{}{}", pad_hex(&a), pad_hex(&big_b)));
        if u.is_zero() {
            return None;
        }
        let s = (a * v.modpow(&u, &n)).modpow(&b, &n);
        let key = session_key(&s, &u);
        Some(claim_signature(
            &key,
            self.pool_id,
            self.user,
            self.secret_block,
            self.timestamp,
        ))
    }
}

/// The client's side, as amazon-cognito-identity-js computes it: `A` from `a`, then the
/// claim signature for the server's `B`, salt and secret block. For tests (Warden's own,
/// and anyone checking a server against the JavaScript client's arithmetic).
pub mod client {
    use super::*;

    pub fn public_a(a_hex: &str) -> String {
        let a = BigUint::parse_bytes(a_hex.as_bytes(), 16).unwrap_or_default();
        g().modpow(&a, &n()).to_str_radix(16)
    }

    pub struct Claim<'a> {
        pub pool_id: &'a str,
        pub user: &'a str,
        pub password: &'a str,
        pub a_hex: &'a str,
        pub b_hex: &'a str,
        pub salt_hex: &'a str,
        pub secret_block: &'a [u8],
        pub timestamp: &'a str,
    }

    impl Claim<'_> {
        pub fn signature(&self) -> String {
            let n = n();
            let a = BigUint::parse_bytes(self.a_hex.as_bytes(), 16).unwrap_or_default();
            let big_a = g().modpow(&a, &n);
            let big_b = BigUint::parse_bytes(self.b_hex.as_bytes(), 16).unwrap_or_default();
            let salt = BigUint::parse_bytes(self.salt_hex.as_bytes(), 16).unwrap_or_default();
            let u = hex_hash(&format!("{}{}", pad_hex(&big_a), pad_hex(&big_b)));
            let x = x(pool_abbr(self.pool_id), self.user, self.password, &salt);
            let g_x = g().modpow(&x, &n);
            // (B - k·g^x) mod N, kept non-negative.
            let base = (big_b + &n * k() - (k() * g_x) % &n) % &n;
            let s = base.modpow(&(a + u.clone() * x), &n);
            let key = session_key(&s, &u);
            claim_signature(&key, self.pool_id, self.user, self.secret_block, self.timestamp)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn vector() -> Value {
        serde_json::from_str(include_str!("../tests/data/known-answer.json")).unwrap_or_default()
    }

    fn s(v: &Value, path: &str) -> String {
        v.pointer(path)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn k_u_x_and_the_key_match_the_javascript_client() {
        let v = vector();
        let k_hex = s(&v, "/derived_intermediates/k_hex");
        assert_eq!(k().to_str_radix(16), k_hex.trim_start_matches('0'));
        let salt = BigUint::parse_bytes(s(&v, "/inputs/SALT_hex").as_bytes(), 16).unwrap_or_default();
        let x = x(
            &s(&v, "/inputs/poolIdAbbr"),
            &s(&v, "/inputs/username"),
            &s(&v, "/inputs/password"),
            &salt,
        );
        assert_eq!(
            x.to_str_radix(16),
            s(&v, "/derived_intermediates/x_hex").trim_start_matches('0')
        );
        let big_s =
            BigUint::parse_bytes(s(&v, "/derived_intermediates/S_hex").as_bytes(), 16).unwrap_or_default();
        let u =
            BigUint::parse_bytes(s(&v, "/derived_intermediates/u_hex").as_bytes(), 16).unwrap_or_default();
        assert_eq!(
            hex::encode(session_key(&big_s, &u)),
            s(&v, "/derived_intermediates/hkdf_key_hex")
        );
    }

    #[test]
    fn the_client_side_reproduces_the_known_signature() {
        let v = vector();
        let block = STANDARD
            .decode(s(&v, "/inputs/SECRET_BLOCK_b64"))
            .unwrap_or_default();
        let pool_id = s(&v, "/inputs/poolId");
        let (user, password) = (s(&v, "/inputs/username"), s(&v, "/inputs/password"));
        let (a, b, salt) = (
            s(&v, "/inputs/smallA_hex"),
            s(&v, "/inputs/SRP_B_hex"),
            s(&v, "/inputs/SALT_hex"),
        );
        assert_eq!(
            client::public_a(&a),
            s(&v, "/expected/SRP_A_hex").trim_start_matches('0')
        );
        let claim = client::Claim {
            pool_id: &pool_id,
            user: &user,
            password: &password,
            a_hex: &a,
            b_hex: &b,
            salt_hex: &salt,
            secret_block: &block,
            timestamp: &s(&v, "/inputs/timestamp"),
        };
        assert_eq!(claim.signature(), s(&v, "/expected/PASSWORD_CLAIM_SIGNATURE"));
    }

    #[test]
    fn a_server_and_a_client_agree_only_on_the_right_password() {
        let pool = "us-east-1_AbCdEfGhI";
        let (salt, verifier) = new_verifier(pool, "alice", "Correct-Horse-9");
        let (b, big_b) = server_ephemeral(&verifier).unwrap_or_default();
        let a = "0123456789abcdef0123456789abcdef";
        let big_a = client::public_a(a);
        let claim = |password: &'static str| client::Claim {
            pool_id: pool,
            user: "alice",
            password,
            a_hex: a,
            b_hex: &big_b,
            salt_hex: &salt,
            secret_block: b"block",
            timestamp: "Tue Nov 24 03:04:05 UTC 2026",
        };
        let server = ServerClaim {
            pool_id: pool,
            user: "alice",
            verifier_hex: &verifier,
            b_hex: &b,
            a_hex: &big_a,
            secret_block: b"block",
            timestamp: "Tue Nov 24 03:04:05 UTC 2026",
        };
        assert_eq!(
            server.expected_signature(),
            Some(claim("Correct-Horse-9").signature())
        );
        assert_ne!(
            server.expected_signature(),
            Some(claim("Correct-Horse-8").signature())
        );
        // A = 0 or N would fix the key whatever the password: refused.
        let zero = ServerClaim { a_hex: "0", ..server };
        assert!(zero.expected_signature().is_none());
        let n_hex = N_HEX.to_lowercase();
        let multiple = ServerClaim {
            a_hex: &n_hex,
            ..zero
        };
        assert!(multiple.expected_signature().is_none());
    }
}
