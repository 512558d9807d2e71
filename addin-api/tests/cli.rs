//! `sendsecure check` as an admin or a script runs it: the real binary, real files, real
//! environment variables (SPEC §5.6).

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    reason = "tests, benchmarks and load generators stop at the failing line and time with the machine's clock"
)]

use std::{
    io::{ErrorKind, Write},
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use serde_json::{Value, json};
use tempfile::TempDir;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")
}

fn sample(name: &str) -> PathBuf {
    samples().join(name)
}

/// One run of `sendsecure check`, built up option by option.
#[derive(Default)]
struct Check {
    /// Flag and file; setting a flag again replaces it.
    files: Vec<(&'static str, PathBuf)>,
    env: Vec<(&'static str, String)>,
    dir: Option<PathBuf>,
    stdin: Option<String>,
}

fn check() -> Check {
    Check::default()
}

impl Check {
    fn file(mut self, flag: &'static str, path: impl Into<PathBuf>) -> Self {
        self.files.retain(|(set, _)| *set != flag);
        self.files.push((flag, path.into()));
        self
    }

    /// The sample policy and directory, named explicitly.
    fn samples(self) -> Self {
        self.file("--policy", sample("policy.toml"))
            .file("--directory", sample("directory.json"))
    }

    fn env(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.env.push((name, value.into()));
        self
    }

    fn stdin(mut self, text: impl Into<String>) -> Self {
        self.stdin = Some(text.into());
        self
    }

    fn in_dir(mut self, dir: &Path) -> Self {
        self.dir = Some(dir.to_owned());
        self
    }

    fn run(self) -> Outcome {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sendsecure"));
        command.arg("check");
        for (flag, path) in &self.files {
            command.arg(flag).arg(path);
        }
        // Only the overrides a test sets itself may reach the policy.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("SENDSECURE_") {
                command.env_remove(name);
            }
        }
        command.envs(self.env.iter().map(|(name, value)| (name, value)));
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sendsecure starts");
        let mut stdin = child.stdin.take().expect("stdin is piped");
        if let Some(text) = &self.stdin {
            // A run refused before it reads the draft closes its end early.
            match stdin.write_all(text.as_bytes()) {
                Err(error) if error.kind() != ErrorKind::BrokenPipe => {
                    panic!("writing the draft to sendsecure: {error}")
                }
                _ => {}
            }
        }
        drop(stdin);
        let output = child.wait_with_output().expect("sendsecure finishes");
        Outcome {
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }
}

#[derive(Debug)]
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Outcome {
    /// The verdict of a run that must have succeeded.
    fn verdict(&self) -> Value {
        assert_eq!(self.code, Some(0), "{self:#?}");
        assert_eq!(self.stderr, "", "{self:#?}");
        serde_json::from_str(&self.stdout).expect("stdout is exactly the verdict JSON")
    }

    /// The one error line of a run refused as bad input.
    fn refused(self) -> String {
        assert_eq!(self.code, Some(2), "{self:#?}");
        assert_eq!(self.stdout, "", "{self:#?}");
        assert!(!self.stderr.contains("panicked"), "{self:#?}");
        assert_eq!(self.stderr.lines().count(), 1, "{self:#?}");
        self.stderr
            .trim_end()
            .strip_prefix("sendsecure: error: ")
            .expect("the line starts with the program's name")
            .to_owned()
    }
}

fn codes(verdict: &Value) -> Vec<&str> {
    verdict["findings"]
        .as_array()
        .expect("findings is a list")
        .iter()
        .map(|finding| finding["code"].as_str().expect("a code is text"))
        .collect()
}

/// A file in a fresh temporary directory; the directory goes when the guard drops.
fn temp_file(name: &str, contents: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new().expect("a temporary directory");
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("the file is written");
    (dir, path)
}

fn patient_draft() -> String {
    std::fs::read_to_string(sample("drafts/patient.json")).expect("the sample draft")
}

#[test]
fn a_draft_from_a_file_gets_its_verdict() {
    let verdict = check()
        .samples()
        .file("--draft", sample("drafts/community.json"))
        .run()
        .verdict();

    assert_eq!(verdict["can_send_secure"], true);
    assert_eq!(verdict["auto_send"], true);
    assert_eq!(verdict["recipients"][0]["route"], "community");
    assert_eq!(verdict["recipients"][1]["route"], "internal");
    assert!(codes(&verdict).is_empty(), "{verdict}");
}

#[test]
fn a_draft_from_standard_input_gets_its_verdict() {
    for dash in [false, true] {
        let mut run = check().samples().stdin(patient_draft());
        if dash {
            run = run.file("--draft", "-");
        }
        let verdict = run.run().verdict();

        assert_eq!(verdict["can_send_secure"], true);
        assert_eq!(verdict["auto_send"], false);
        assert_eq!(verdict["recipients"][0]["route"], "viewer");
        assert_eq!(verdict["recipients"][0]["phone"], "missing");
        assert_eq!(codes(&verdict), ["phone-advised"]);
    }
}

#[test]
fn a_verdict_that_blocks_still_exits_zero() {
    let verdict = check()
        .samples()
        .file("--draft", sample("drafts/blocked-attachment.json"))
        .run()
        .verdict();

    assert_eq!(verdict["can_send_secure"], false);
    assert_eq!(codes(&verdict), ["attachment-blocked-type"]);
}

#[test]
fn the_bundled_samples_work_from_any_directory() {
    let elsewhere = TempDir::new().expect("a temporary directory");
    let verdict = check()
        .in_dir(elsewhere.path())
        .stdin(patient_draft())
        .run()
        .verdict();

    assert_eq!(codes(&verdict), ["phone-advised"]);
}

#[test]
fn an_environment_variable_overrides_the_policy_file() {
    let verdict = check()
        .samples()
        .env("SENDSECURE_INSTALLATION_TYPE", "standard")
        .stdin(patient_draft())
        .run()
        .verdict();

    assert_eq!(verdict["recipients"][0]["route"], "blocked");
    assert_eq!(codes(&verdict), ["recipient-not-allowed"]);
}

#[test]
fn the_policys_directory_source_is_used_without_directory() {
    let line = check()
        .env(
            "SENDSECURE_DIRECTORY_SOURCE",
            sample("directory-sigra.json").to_string_lossy(),
        )
        .stdin(patient_draft())
        .run()
        .refused();

    assert!(line.contains("directory-sigra.json"), "{line}");
    assert!(line.contains("variant \"sigra\""), "{line}");
}

#[test]
fn unreadable_files_are_named() {
    let missing = Path::new("no/such/file");
    for flag in ["--draft", "--policy", "--directory"] {
        let line = check()
            .samples()
            .file("--draft", sample("drafts/patient.json"))
            .file(flag, missing)
            .run()
            .refused();

        let what = flag.trim_start_matches('-');
        assert!(
            line.starts_with(&format!("cannot read the {what} from no/such/file: ")),
            "{line}"
        );
    }
}

#[test]
fn a_bad_draft_is_refused() {
    let drafts = [
        ("{\"sender\": ", "EOF while parsing"),
        (
            r#"{"sender": "a.jansen@huisartsen-oost.nl", "body": "Beste ..."}"#,
            "unknown field `body`",
        ),
        (
            r#"{"sender": "a.jansen@huisartsen-oost.nl", "to": [{"address": "zorg@ggz-noord.nl", "kind": "group"}]}"#,
            "unknown variant `group`",
        ),
        (r#"{"to": []}"#, "missing field `sender`"),
    ];
    for (draft, problem) in drafts {
        let line = check().samples().stdin(draft).run().refused();

        assert!(
            line.starts_with("invalid draft in standard input: "),
            "{line}"
        );
        assert!(line.contains(problem), "{line}");
    }
}

#[test]
fn a_bad_draft_file_is_named_without_its_contents() {
    let draft = json!({"sender": "a.jansen@huisartsen-oost.nl", "to": "m.bakker@example.com"});
    let (_dir, path) = temp_file("draft.json", &draft.to_string());

    let line = check().samples().file("--draft", &path).run().refused();

    assert!(line.contains(&*path.to_string_lossy()), "{line}");
    assert!(!line.contains("bakker"), "{line}");
}

#[test]
fn a_directory_of_another_variant_is_refused() {
    let line = check()
        .samples()
        .file("--directory", sample("directory-sigra.json"))
        .stdin(patient_draft())
        .run()
        .refused();

    assert!(line.starts_with("invalid directory in "), "{line}");
    assert!(
        line.ends_with(
            "the directory is of variant \"sigra\" but the organisation is contracted for \"zorgmail\""
        ),
        "{line}"
    );
}

#[test]
fn a_directory_that_is_not_json_is_refused() {
    let line = check()
        .samples()
        .file("--directory", sample("policy.toml"))
        .stdin(patient_draft())
        .run()
        .refused();

    assert!(line.contains("the directory is not valid JSON"), "{line}");
}

#[test]
fn a_bad_policy_names_the_key() {
    let policies = [
        (
            "[auth]\nmetod = \"entra-id\"\n",
            "auth: unknown field `metod`",
        ),
        (
            "installation_type = \"viewer-sms\"\n",
            "installation_type: unknown variant `viewer-sms`",
        ),
        (
            "[directory]\nrefresh = \"daily\"\n",
            "directory.refresh: not a valid duration",
        ),
        ("security_by_default = yes\n", "line 1, column 23: "),
    ];
    for (policy, problem) in policies {
        let (_dir, path) = temp_file("policy.toml", policy);

        let line = check()
            .file("--policy", &path)
            .stdin(patient_draft())
            .run()
            .refused();

        let expected = format!("invalid policy in {}: {problem}", path.display());
        assert!(line.starts_with(&expected), "{line}");
    }
}

#[test]
fn a_bad_environment_value_names_key_and_variable() {
    let line = check()
        .samples()
        .env("SENDSECURE_AUTH_REVERIFY_AFTER", "forever")
        .stdin(patient_draft())
        .run()
        .refused();

    assert!(
        line.contains("auth.reverify_after (from SENDSECURE_AUTH_REVERIFY_AFTER): "),
        "{line}"
    );
}

#[test]
fn a_directory_url_needs_a_directory_file() {
    let line = check()
        .env(
            "SENDSECURE_DIRECTORY_SOURCE",
            "https://domeinboek.example.nl/zorgmail.json",
        )
        .stdin(patient_draft())
        .run()
        .refused();

    assert!(line.contains("pass --directory FILE"), "{line}");
}

#[test]
fn a_usage_error_exits_two() {
    let outcome = check().file("--polcy", "policy.toml").run();

    assert_eq!(outcome.code, Some(2), "{outcome:#?}");
    assert_eq!(outcome.stdout, "");
}

/// `sendsecure exchange-setup` (SPEC §13): the PowerShell on stdout; a relay host Exchange's
/// domain validation cannot use is refused with one line and exit code 2.
#[test]
fn exchange_setup_prints_powershell_and_refuses_a_bad_host() {
    let run = |host: &str| {
        Command::new(env!("CARGO_BIN_EXE_sendsecure"))
            .args(["exchange-setup", "--relay-host", host])
            .output()
            .expect("the binary runs")
    };

    let good = run("relay.huisartsen-oost.nl");
    assert_eq!(good.status.code(), Some(0));
    let script = String::from_utf8(good.stdout).expect("UTF-8");
    assert!(script.contains("New-OutboundConnector"), "{script}");
    assert!(
        script.contains("-SmartHosts 'relay.huisartsen-oost.nl'"),
        "{script}"
    );
    assert!(
        script.contains("-RemoveHeader 'X-SendSecure-Token'"),
        "{script}"
    );

    for bad in ["192.0.2.7", "smtp://relay.example.nl", "relay example"] {
        let refused = run(bad);
        assert_eq!(refused.status.code(), Some(2), "{bad}");
        assert!(refused.stdout.is_empty(), "{bad}");
        let stderr = String::from_utf8(refused.stderr).expect("UTF-8");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("relay_host"), "{stderr}");
    }
}

/// `sendsecure entra-setup` (SPEC §8): the Azure CLI script on stdout, with the NAA broker
/// redirect for the add-in's host; a public URL Office cannot load from is refused with one
/// line and exit code 2.
#[test]
fn entra_setup_prints_az_cli_and_refuses_a_bad_url() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sendsecure"))
            .arg("entra-setup")
            .args(args)
            .env_remove("SENDSECURE_PUBLIC_URL")
            .output()
            .expect("the binary runs")
    };

    let good = run(&[
        "--public-url",
        "https://sendsecure.huisartsen-oost.nl",
        "--tenant",
        "0a1b2c3d-0000-4000-8000-123456789abc",
    ]);
    assert_eq!(good.status.code(), Some(0));
    let script = String::from_utf8(good.stdout).expect("UTF-8");
    assert!(script.contains("az ad app create"), "{script}");
    assert!(script.contains("AzureADMyOrg"), "{script}");
    assert!(
        script.contains("brk-multihub://sendsecure.huisartsen-oost.nl"),
        "{script}"
    );
    assert!(
        script.contains("https://sendsecure.huisartsen-oost.nl/entra-dialog.html"),
        "{script}"
    );
    assert!(script.contains("requestedAccessTokenVersion"), "{script}");
    assert!(
        script.contains("az ad app permission admin-consent"),
        "{script}"
    );
    assert!(script.contains("method = \"entra-id\""), "{script}");

    for bad in [
        &["--public-url", "http://sendsecure.example.nl"][..],
        &["--public-url", "https://192.0.2.7"],
        &[
            "--public-url",
            "https://sendsecure.example.nl",
            "--tenant",
            "contoso.onmicrosoft.com",
        ],
    ] {
        let refused = run(bad);
        assert_eq!(refused.status.code(), Some(2), "{bad:?}");
        assert!(refused.stdout.is_empty(), "{bad:?}");
        let stderr = String::from_utf8(refused.stderr).expect("UTF-8");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

/// `sendsecure manifest --package FILE.zip` (issue 13): the app package for the Microsoft 365
/// admin centre, with the unified manifest for the deployment, its languages and its icons;
/// without `--package` the XML manifest as before; bad input is one line and exit code 2.
#[test]
fn manifest_writes_the_app_package_and_refuses_bad_input() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sendsecure"))
            .arg("manifest")
            .args(args)
            .env_remove("SENDSECURE_PUBLIC_URL")
            .env_remove("SENDSECURE_ADDIN_ID")
            .output()
            .expect("the binary runs")
    };
    let base = "https://sendsecure.huisartsen-oost.nl";
    let id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let package = dir.path().join("sendsecure.zip");
    let package_arg = package.to_str().expect("a UTF-8 path");

    let written = run(&[
        "--base-url",
        base,
        "--addin-id",
        id,
        "--package",
        package_arg,
    ]);
    assert_eq!(written.status.code(), Some(0), "{written:?}");
    let stdout = String::from_utf8(written.stdout).expect("UTF-8");
    assert!(stdout.contains("manifest.json"), "{stdout}");

    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(&package).expect("written")).expect("a zip");
    let mut names: Vec<String> = zip
        .file_names()
        .map(|name| name.expect("a name").into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "color.png",
            "manifest.de-de.json",
            "manifest.en-us.json",
            "manifest.json",
            "outline.png"
        ]
    );
    let manifest: Value =
        serde_json::from_reader(zip.by_name("manifest.json").expect("manifest.json"))
            .expect("JSON");
    assert_eq!(manifest["id"], id);
    assert_eq!(manifest["validDomains"], json!([base]));
    assert_eq!(
        manifest["developer"]["privacyUrl"],
        format!("{base}/privacy.html")
    );
    assert_eq!(
        manifest["icons"],
        json!({"outline": "outline.png", "color": "color.png"})
    );
    assert!(!manifest.to_string().contains("{{"), "no placeholder left");

    // The same input makes the same bytes.
    let again = dir.path().join("again.zip");
    let again_arg = again.to_str().expect("a UTF-8 path");
    assert_eq!(
        run(&["--base-url", base, "--addin-id", id, "--package", again_arg])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        std::fs::read(&package).expect("read"),
        std::fs::read(&again).expect("read")
    );

    // Without --package: the XML manifest on stdout, as before.
    let xml = run(&["--base-url", base, "--addin-id", id]);
    assert_eq!(xml.status.code(), Some(0));
    let xml = String::from_utf8(xml.stdout).expect("UTF-8");
    assert!(xml.contains(&format!("<Id>{id}</Id>")), "{xml}");
    assert!(xml.contains(&format!("{base}/taskpane.html")), "{xml}");

    let nowhere = dir.path().join("missing/dir/sendsecure.zip");
    let nowhere_arg = nowhere.to_str().expect("a UTF-8 path");
    for (bad, names) in [
        (
            vec![
                "--base-url",
                "http://sendsecure.example.nl",
                "--package",
                package_arg,
            ],
            "public_url",
        ),
        (
            vec!["--base-url", base, "--addin-id", "send-secure"],
            "addin_id",
        ),
        (
            vec!["--base-url", base, "--package", nowhere_arg],
            "app package",
        ),
    ] {
        let refused = run(&bad);
        assert_eq!(refused.status.code(), Some(2), "{bad:?}");
        assert!(refused.stdout.is_empty(), "{bad:?}");
        let stderr = String::from_utf8(refused.stderr).expect("UTF-8");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(names), "{stderr}");
    }
    assert!(!nowhere.exists());
}
