//! CURVE key files, as `robofleet keygen` writes them: TOML with Z85 text keys.
//!
//! `NAME.key` holds the pair (`public_key`, `secret_key`) and is written mode 0600;
//! `NAME.pub` holds only `public_key`, for an allow-list or a client's `--server-key`.

use serde::Deserialize;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

const Z85_ALPHABET: &str =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/// A CURVE key: 32 bytes, written as 40 characters of Z85.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CurveKey(pub [u8; 32]);

impl CurveKey {
    /// Decode 40 characters of Z85 (what `keygen` prints and the files hold).
    pub fn from_z85(text: &str) -> Result<CurveKey, String> {
        let text = text.trim();
        if text.len() != 40 {
            return Err(format!(
                "a CURVE key is 40 characters of Z85, got {} characters",
                text.len()
            ));
        }
        // Decoded here: libzmq decodes any character without complaint, and the zmq
        // crate's wrapper leaks its copy of the text at every call.
        let mut key = [0u8; 32];
        for (i, group) in text.as_bytes().chunks(5).enumerate() {
            let mut v: u64 = 0;
            for &c in group {
                let Some(digit) = Z85_ALPHABET.find(c as char) else {
                    return Err(format!("not Z85: {:?} is not in its alphabet", c as char));
                };
                v = v * 85 + digit as u64;
            }
            let word = u32::try_from(v)
                .map_err(|_| "not Z85: a 5-character group is out of range".to_string())?;
            key[i * 4..i * 4 + 4].copy_from_slice(&word.to_be_bytes());
        }
        Ok(CurveKey(key))
    }

    pub fn to_z85(&self) -> String {
        // 32 bytes is a multiple of 4: encoding cannot fail.
        zmq::z85_encode(&self.0).unwrap_or_default()
    }
}

/// A key pair: the secret half stays with its owner.
#[derive(Clone)]
pub struct KeyPair {
    pub public: CurveKey,
    pub secret: CurveKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "KeyPair {{ public: {}, secret: <hidden> }}",
            self.public.to_z85()
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    public_key: String,
    secret_key: Option<String>,
}

fn read_key_file(path: &Path) -> Result<KeyFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

impl KeyPair {
    /// A fresh pair from libzmq (needs a libzmq built with CURVE).
    pub fn generate() -> Result<KeyPair, String> {
        if !curve_available() {
            return Err(NO_CURVE.into());
        }
        let pair = zmq::CurveKeyPair::new().map_err(|e| format!("cannot make a key pair: {e}"))?;
        Ok(KeyPair {
            public: CurveKey(pair.public_key),
            secret: CurveKey(pair.secret_key),
        })
    }

    /// Read a `.key` file. A secret key that others may read is refused, as ssh does.
    pub fn read(path: &Path) -> Result<KeyPair, String> {
        let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mode = meta.mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "{}: a secret key readable by its group or others (mode {mode:04o}) is refused; `chmod 600` it",
                path.display()
            ));
        }
        let file = read_key_file(path)?;
        let Some(secret) = file.secret_key else {
            return Err(format!(
                "{}: no secret_key (a .pub file holds only the public half; give the .key file)",
                path.display()
            ));
        };
        let public = CurveKey::from_z85(&file.public_key)
            .map_err(|e| format!("{}: public_key: {e}", path.display()))?;
        let secret = CurveKey::from_z85(&secret)
            .map_err(|e| format!("{}: secret_key: {e}", path.display()))?;
        Ok(KeyPair { public, secret })
    }

    /// Write `<stem>.key` (mode 0600) and `<stem>.pub`; refuses to overwrite either.
    pub fn write(&self, stem: &Path) -> Result<(PathBuf, PathBuf), String> {
        let key_path = with_suffix(stem, "key");
        let pub_path = with_suffix(stem, "pub");
        let public = self.public.to_z85();
        let header = "# robofleet CURVE key pair, made by `robofleet keygen`.";
        let key_text = format!(
            "{header} Keep it secret.\npublic_key = \"{public}\"\nsecret_key = \"{}\"\n",
            self.secret.to_z85()
        );
        let pub_text = format!("{header} The public half: share it.\npublic_key = \"{public}\"\n");
        write_new(&key_path, &key_text, 0o600)?;
        write_new(&pub_path, &pub_text, 0o644)?;
        Ok((key_path, pub_path))
    }
}

/// A public key from a `.pub` or `.key` file, or given as its 40 characters of Z85.
pub fn public_key_from(arg: &str) -> Result<CurveKey, String> {
    if arg.len() == 40 && !Path::new(arg).exists() {
        return CurveKey::from_z85(arg);
    }
    let file = read_key_file(Path::new(arg))?;
    CurveKey::from_z85(&file.public_key).map_err(|e| format!("{arg}: public_key: {e}"))
}

fn with_suffix(stem: &Path, ext: &str) -> PathBuf {
    let mut s = stem.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

fn write_new(path: &Path, text: &str, mode: u32) -> Result<(), String> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))
}

pub const NO_CURVE: &str =
    "this build's libzmq has no CURVE security (build against Debian's libzmq3-dev, which has it)";

/// Whether the linked libzmq can do CURVE.
pub fn curve_available() -> bool {
    zmq::has("curve").unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_written_pair_reads_back_and_its_secret_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let stem = dir.path().join("alice");
        let pair = KeyPair::generate().unwrap();
        let (key, public) = pair.write(&stem).unwrap();
        let mode = std::fs::metadata(&key).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let back = KeyPair::read(&key).unwrap();
        assert_eq!((back.public, back.secret), (pair.public, pair.secret));
        assert_eq!(
            public_key_from(public.to_str().unwrap()).unwrap(),
            pair.public
        );
        assert_eq!(public_key_from(&pair.public.to_z85()).unwrap(), pair.public);
        assert!(pair.write(&stem).unwrap_err().contains("exists"));
        // The .pub file is not a key pair; a readable .key is refused.
        assert!(KeyPair::read(&public).unwrap_err().contains("mode"));
        std::fs::set_permissions(&public, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(KeyPair::read(&public)
            .unwrap_err()
            .contains("no secret_key"));
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert!(KeyPair::read(&key).unwrap_err().contains("chmod 600"));
        assert!(format!("{back:?}").contains("<hidden>"));
    }

    #[test]
    fn bad_keys_are_refused_with_the_reason() {
        assert!(CurveKey::from_z85("short")
            .unwrap_err()
            .contains("40 characters"));
        assert!(CurveKey::from_z85(&"~".repeat(40))
            .unwrap_err()
            .contains("alphabet"));
        assert!(CurveKey::from_z85(&"#".repeat(40))
            .unwrap_err()
            .contains("out of range"));
        assert!(public_key_from("/no/such/file.pub").is_err());
    }
}
