//! Where the data keys come from, newest first: `SENDSECURE_DATA_KEYS`, or
//! `SENDSECURE_DATA_KEY` (the one-key form), or a file (`--data-key-file`), or else, for
//! development, a key generated into the data directory. Never from the command line: a
//! `--data-key` shows in `ps` to every user of the machine, so it is refused.

use secrecy::SecretBox;
use std::{
    fmt, fs,
    io::Write,
    path::{Path, PathBuf},
};

use aes_gcm::{Aes256Gcm, KeyInit, aead::OsRng};
use base64::{Engine, engine::general_purpose::STANDARD as BASE64};

use crate::{Error, config::DataKeyArgs, input::Origin};

/// The development key file in the data directory; it has the `--data-key-file` format.
pub const DEVELOPMENT_KEY_FILE: &str = "data-key";
const KEYS_VARIABLE: &str = "SENDSECURE_DATA_KEYS";
const KEY_VARIABLE: &str = "SENDSECURE_DATA_KEY";
const BAD_KEY: &str = "is not 32 bytes in base64 (generate one with `openssl rand -base64 32`)";

/// The ring's keys, newest first (never empty), and where they came from. The keys never
/// print, not even in `Debug`.
#[derive(Debug)]
pub struct DataKeys {
    pub keys: SecretBox<Vec<[u8; 32]>>,
    pub origin: KeyOrigin,
}

/// Where the keys came from, for the start-up log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyOrigin {
    Environment(&'static str),
    File(PathBuf),
    /// Read from, or just generated into, the data directory: fine for development, but in
    /// production the keys belong in configuration, apart from the data they protect.
    DataDir {
        generated: bool,
    },
}

impl fmt::Display for KeyOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Environment(name) => f.write_str(name),
            Self::File(path) => write!(f, "{}", path.display()),
            Self::DataDir { .. } => f.write_str("the data directory"),
        }
    }
}

/// What to do when no key is configured and the data directory holds none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// `serve`: generate a development key.
    Generate,
    /// An admin command: a made-up key would find nothing in the server's data.
    Refuse,
}

/// The configured ring. `env` looks up environment variables.
pub fn load_ring(
    args: &DataKeyArgs,
    data_dir: &Path,
    env: impl Fn(&str) -> Option<String>,
    missing: Missing,
) -> Result<DataKeys, Error> {
    args.refuse_command_line_key()?;
    let set = |name| env(name).filter(|value: &String| !value.trim().is_empty());
    let (many, one) = (set(KEYS_VARIABLE), set(KEY_VARIABLE));
    let given = [many.is_some(), one.is_some(), args.data_key_file.is_some()];
    if given.iter().filter(|&&given| given).count() > 1 {
        return Err(Error::InvalidConfig {
            key: "data keys",
            problem: "are given more than once: set one of SENDSECURE_DATA_KEYS, \
                      SENDSECURE_DATA_KEY and --data-key-file"
                .into(),
        });
    }
    let keys = |keys, origin| {
        Ok(DataKeys {
            keys: SecretBox::new(Box::new(keys)),
            origin,
        })
    };
    if let Some(text) = many {
        let parts = text.split(|c: char| c == ',' || c.is_whitespace());
        return keys(
            parse(KEYS_VARIABLE, parts, "key")?,
            KeyOrigin::Environment(KEYS_VARIABLE),
        );
    }
    if let Some(text) = one {
        let key = decode(&text).ok_or_else(|| Error::InvalidConfig {
            key: KEY_VARIABLE,
            problem: BAD_KEY.into(),
        })?;
        return keys(vec![key], KeyOrigin::Environment(KEY_VARIABLE));
    }
    if let Some(path) = &args.data_key_file {
        let text = fs::read_to_string(path).map_err(|source| Error::Unreadable {
            what: "data keys",
            origin: Origin::File(path.clone()),
            source,
        })?;
        return keys(parse_file(path, &text)?, KeyOrigin::File(path.clone()));
    }
    let path = data_dir.join(DEVELOPMENT_KEY_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => keys(
            parse_file(&path, &text)?,
            KeyOrigin::DataDir { generated: false },
        ),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => match missing {
            Missing::Refuse => Err(Error::InvalidConfig {
                key: "--data-dir",
                problem: format!(
                    "{} holds no data key: give the server's SENDSECURE_DATA_KEYS or \
                     --data-key-file, or its data directory",
                    data_dir.display()
                ),
            }),
            Missing::Generate => {
                let key: [u8; 32] = Aes256Gcm::generate_key(OsRng).into();
                let text = format!("{}\n", BASE64.encode(key));
                fs::create_dir_all(data_dir)
                    .and_then(|()| write_private(&path, text.as_bytes()))
                    .map_err(|source| Error::DataDir {
                        path: path.clone(),
                        source,
                    })?;
                keys(vec![key], KeyOrigin::DataDir { generated: true })
            }
        },
        Err(source) => Err(Error::DataDir { path, source }),
    }
}

/// A key file: one key per line, newest first; `#` starts a comment.
fn parse_file(path: &Path, text: &str) -> Result<Vec<[u8; 32]>, Error> {
    let lines = text
        .lines()
        .map(|line| line.split_once('#').map_or(line, |(key, _)| key));
    parse("data_key_file", lines, "line").map_err(|error| match error {
        Error::InvalidConfig { key, problem } => Error::InvalidConfig {
            key,
            problem: format!("({}) {problem}", path.display()),
        },
        other => other,
    })
}

/// Keys, newest first, from `parts` (blank ones skipped, each counted as a `unit`).
fn parse<'a>(
    key: &'static str,
    parts: impl Iterator<Item = &'a str>,
    unit: &str,
) -> Result<Vec<[u8; 32]>, Error> {
    let invalid = |problem: String| Error::InvalidConfig { key, problem };
    let mut keys: Vec<[u8; 32]> = Vec::new();
    for (number, part) in parts.enumerate() {
        if part.trim().is_empty() {
            continue;
        }
        let decoded =
            decode(part).ok_or_else(|| invalid(format!("{unit} {} {BAD_KEY}", number + 1)))?;
        if keys.contains(&decoded) {
            return Err(invalid(format!(
                "{unit} {} repeats an earlier key",
                number + 1
            )));
        }
        keys.push(decoded);
    }
    if keys.is_empty() {
        return Err(invalid("holds no key".into()));
    }
    Ok(keys)
}

fn decode(text: &str) -> Option<[u8; 32]> {
    BASE64
        .decode(text.trim())
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
}

/// Writes a secret file readable by its owner only.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use secrecy::ExposeSecret;

    use crate::config::RefusedKey;

    fn encoded(byte: u8) -> String {
        BASE64.encode([byte; 32])
    }

    fn load(
        args: &DataKeyArgs,
        dir: &Path,
        env: &[(&str, &str)],
        missing: Missing,
    ) -> Result<DataKeys, Error> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        load_ring(args, dir, |name| env.get(name).cloned(), missing)
    }

    fn problem(error: Error) -> String {
        match error {
            Error::InvalidConfig { key, problem } => format!("{key} {problem}"),
            other => panic!("unexpected error: {other:?}"),
        }
    }

    #[test]
    fn the_ring_comes_newest_first_from_the_environment() {
        let dir = tempfile::tempdir().expect("temp dir");
        let ring = format!(" {}, {}\n{} ", encoded(3), encoded(2), encoded(1));
        let keys = load(
            &DataKeyArgs::default(),
            dir.path(),
            &[(KEYS_VARIABLE, &ring)],
            Missing::Refuse,
        )
        .expect("three keys");
        assert_eq!(*keys.keys.expose_secret(), [[3; 32], [2; 32], [1; 32]]);
        assert_eq!(keys.origin, KeyOrigin::Environment(KEYS_VARIABLE));

        let one = load(
            &DataKeyArgs::default(),
            dir.path(),
            &[(KEY_VARIABLE, &encoded(7))],
            Missing::Refuse,
        )
        .expect("one key");
        assert_eq!(*one.keys.expose_secret(), [[7; 32]]);
        assert_eq!(one.origin, KeyOrigin::Environment(KEY_VARIABLE));
    }

    #[test]
    fn a_key_file_holds_one_key_a_line_with_comments() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("keys");
        let text = format!(
            "# rotated 2026-05-01\n{}  # current\n\n{}\n",
            encoded(2),
            encoded(1)
        );
        fs::write(&path, text).expect("written");
        let args = DataKeyArgs {
            data_key_file: Some(path.clone()),
            ..DataKeyArgs::default()
        };
        let keys = load(&args, dir.path(), &[], Missing::Refuse).expect("two keys");
        assert_eq!(*keys.keys.expose_secret(), [[2; 32], [1; 32]]);
        assert_eq!(keys.origin, KeyOrigin::File(path));
    }

    #[test]
    fn a_missing_key_is_generated_once_into_the_data_dir() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = dir.path().join("data");
        let args = DataKeyArgs::default();
        let first = load(&args, &data_dir, &[], Missing::Generate).expect("generates");
        assert_eq!(first.origin, KeyOrigin::DataDir { generated: true });
        let second = load(&args, &data_dir, &[], Missing::Generate).expect("reads back");
        assert_eq!(second.origin, KeyOrigin::DataDir { generated: false });
        assert_eq!(first.keys.expose_secret(), second.keys.expose_secret());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(data_dir.join(DEVELOPMENT_KEY_FILE))
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn an_admin_command_never_makes_a_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let error = load(&DataKeyArgs::default(), dir.path(), &[], Missing::Refuse)
            .expect_err("no key anywhere");
        assert!(problem(error).contains("holds no data key"));
        assert!(!dir.path().join(DEVELOPMENT_KEY_FILE).exists());
    }

    #[test]
    fn bad_or_ambiguous_keys_are_refused_without_quoting_them() {
        let dir = tempfile::tempdir().expect("temp dir");
        let short = BASE64.encode([7u8; 16]);
        let two = format!("{},{}", encoded(1), encoded(1));
        let with_bad = format!("{},not-base64!", encoded(1));
        for (env, says) in [
            (
                vec![(KEY_VARIABLE, short.as_str())],
                "SENDSECURE_DATA_KEY is not 32 bytes",
            ),
            (
                vec![(KEYS_VARIABLE, with_bad.as_str())],
                "key 2 is not 32 bytes",
            ),
            (
                vec![(KEYS_VARIABLE, two.as_str())],
                "key 2 repeats an earlier key",
            ),
            (vec![(KEYS_VARIABLE, ",, ")], "holds no key"),
            (
                vec![
                    (KEYS_VARIABLE, two.as_str()),
                    (KEY_VARIABLE, short.as_str()),
                ],
                "given more than once",
            ),
        ] {
            let text = problem(
                load(&DataKeyArgs::default(), dir.path(), &env, Missing::Generate)
                    .expect_err("refused"),
            );
            assert!(text.contains(says), "{text}");
            assert!(
                !text.contains(&short) && !text.contains("not-base64"),
                "{text}"
            );
        }
        assert!(!dir.path().join(DEVELOPMENT_KEY_FILE).exists());
    }

    #[test]
    fn a_key_on_the_command_line_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let args = DataKeyArgs {
            data_key: Some(RefusedKey),
            ..DataKeyArgs::default()
        };
        let text = problem(
            load(
                &args,
                dir.path(),
                &[(KEY_VARIABLE, &encoded(1))],
                Missing::Generate,
            )
            .expect_err("refused"),
        );
        assert!(text.starts_with("--data-key is refused"), "{text}");
        assert!(text.contains("`ps`"), "{text}");
    }
}
