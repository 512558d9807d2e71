//! `sendsecure exchange-setup --relay-host HOST` (SPEC §13): the Exchange Online PowerShell
//! that sends mail carrying a send token through the relay.
//!
//! Printed rather than applied: the administrator runs it with their own Exchange rights, and
//! Send Secure holds no Exchange credentials. Three objects, each for a reason:
//!
//! * an outbound connector to the relay, scoped to transport rules so that no mail uses it
//!   unless a rule sends it there, with TLS and domain validation: Exchange hands patient mail
//!   over only to a server whose trusted certificate names the relay host. That is why the host
//!   must be a DNS name, never an IP address.
//! * a rule, priority 0, that removes `X-SendSecure-Token` from mail whose sender is outside
//!   the organisation. It is deliberately narrow (`-FromScope NotInOrganization`, not "every
//!   sender not inside"): a rule that misjudged one of our own users' mail as outside would
//!   strip its token and let it go out the ordinary way. A token forged outside that still gets
//!   through (a sender address spoofed in one of the organisation's own domains is not "outside"
//!   by Exchange's definition) is refused by the relay, which checks every token's signature.
//! * a rule, priority 1, that routes mail carrying the header to recipients outside the
//!   organisation through the connector. It asks nothing of the sender: any tagged mail going
//!   out reaches the relay, which is the one that judges the token; internal recipients are
//!   delivered by Exchange directly. If the rule cannot be evaluated, Exchange defers the mail
//!   (`-RuleErrorAction Defer`) instead of sending it the ordinary way.
//!
//! The parameter names are the documented ones (`tests/fixtures/exchange-cmdlet-parameters.txt`
//! records the source and the tests hold the output to it). Every value from the command line
//! is single-quoted, so PowerShell takes it literally.

use std::net::{IpAddr, SocketAddr};

use crate::Error;

/// The header the task pane sets on a mail sent securely (`addin-ui`'s `office::TOKEN_HEADER`).
const TOKEN_HEADER: &str = "X-SendSecure-Token";
const STRIP_RULE: &str = "Send Secure: strip send tokens from outside mail";
const ROUTE_RULE: &str = "Send Secure: route secure mail to the relay";
/// New-OutboundConnector's documented limit for `-Name`.
const MAX_CONNECTOR_NAME: usize = 64;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The relay's DNS name, the name on its TLS certificate (e.g. relay.example.nl):
    /// Exchange Online delivers to it on port 25 and checks the certificate against it
    #[arg(long, value_name = "HOST")]
    pub relay_host: String,
    /// The outbound connector's name in Exchange Online (at most 64 characters)
    #[arg(long, value_name = "NAME", default_value = "Send Secure relay")]
    pub connector_name: String,
}

/// The whole script, ready to paste into Exchange Online PowerShell.
pub fn run(args: &Args) -> Result<String, Error> {
    let host = relay_host(&args.relay_host)?;
    let connector = connector_name(&args.connector_name)?;
    Ok(script(&host, connector))
}

fn script(host: &str, connector: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let header = quote(TOKEN_HEADER);
    let q_host = quote(host);
    let q_connector = quote(connector);
    let q_strip = quote(STRIP_RULE);
    let q_route = quote(ROUTE_RULE);
    let connector_comment = quote(&format!(
        "Send Secure: mail carrying {TOKEN_HEADER} goes to the relay, \
         only when a transport rule sends it here (sendsecure exchange-setup)"
    ));
    let strip_comment = quote(
        "Send Secure: mail from outside the organisation must not carry a send token \
         (sendsecure exchange-setup)",
    );
    let route_comment = quote(&format!(
        "Send Secure: mail carrying {TOKEN_HEADER} to recipients outside the organisation \
         goes through the relay (sendsecure exchange-setup)"
    ));
    format!(
        "\
# Send Secure: route mail carrying a send token through the relay at {host} (SPEC §13).
# Printed by sendsecure {version} exchange-setup. Paste it into Exchange Online PowerShell,
# signed in as an Exchange administrator:
#   Connect-ExchangeOnline -UserPrincipalName 'admin@example.nl'
#
# Before the first secure mail: {host} resolves in public DNS; it accepts TCP port 25
# from Exchange Online's outbound IP ranges (relay.accept_from); and it offers STARTTLS with a
# publicly trusted certificate for {host} (serve --tls-cert). Exchange Online delivers
# to a smart host on port 25: a connector has no port setting.

# 1. The connector. Scoped to transport rules, so only the rule below sends mail through it.
#    TLS with domain validation: Exchange delivers only to a relay whose certificate is
#    publicly trusted and names {host}.
New-OutboundConnector -Name {q_connector} -ConnectorType 'Partner' -UseMXRecord $false -SmartHosts {q_host} -TlsSettings 'DomainValidation' -TlsDomain {q_host} -IsTransportRuleScoped $true -Enabled $true -Comment {connector_comment}

# 2. The rules, in this order. Exchange applies mail flow rules by priority, 0 first, and
#    both go above the organisation's existing rules (which move down). The header stripping
#    comes first, so a token on mail from outside is removed before the routing rule is
#    applied (the relay checks every token's signature as well). The routing rule comes before
#    older rules, so none of them can stop rule processing before it. Neither stops rule
#    processing itself: the organisation's own rules still apply after them.

# 2a. Priority 0: mail from a sender outside the organisation loses {TOKEN_HEADER}.
New-TransportRule -Name {q_strip} -Priority 0 -FromScope 'NotInOrganization' -RemoveHeader {header} -StopRuleProcessing $false -Comments {strip_comment}

# 2b. Priority 1: mail carrying {TOKEN_HEADER} to recipients outside the organisation
#     goes through the connector; internal recipients get it from Exchange as usual. Should the
#     rule fail to evaluate, Exchange defers the mail rather than send it the ordinary way.
New-TransportRule -Name {q_route} -Priority 1 -HeaderMatchesMessageHeader {header} -HeaderMatchesPatterns '.+' -SentToScope 'NotInOrganization' -RouteMessageOutboundConnector {q_connector} -StopRuleProcessing $false -RuleErrorAction 'Defer' -Comments {route_comment}

# 3. Check. New or changed rules can take up to 30 minutes to apply.
#   Get-OutboundConnector -Identity {q_connector} | Format-List Name,Enabled,ConnectorType,IsTransportRuleScoped,UseMXRecord,SmartHosts,TlsSettings,TlsDomain
#   Get-TransportRule | Format-List Name,State,Priority
# The connector test below (use an address outside the organisation) tests the SMTP
# connection to the relay. Its test message carries no send token, so the relay refuses it
# with a 5.7.x reply: that refusal is the expected answer, and shows Exchange reached the relay.
#   Validate-OutboundConnector -Identity {q_connector} -Recipients 'test@example.org'
"
    )
}

/// PowerShell's single-quoted (verbatim) string. Its tokenizer takes the typographic single
/// quotes (U+2018, U+2019, U+201A, U+201B) for `'` too, so each of them is doubled as well.
fn quote(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('\'');
    for c in value.chars() {
        if is_single_quote(c) {
            quoted.push(c);
        }
        quoted.push(c);
    }
    quoted.push('\'');
    quoted
}

fn is_single_quote(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}')
}

/// The relay host as a lowercase DNS name. Exchange's domain validation compares it with the
/// names on the relay's certificate, so an IP address, a URL or a port cannot work.
fn relay_host(raw: &str) -> Result<String, Error> {
    let invalid = |problem: &str| Error::InvalidConfig {
        key: "relay_host",
        problem: problem.into(),
    };
    let example = "e.g. relay.example.nl";
    if raw.trim().is_empty() {
        return Err(invalid(&format!(
            "is empty: give the relay's DNS name, {example}"
        )));
    }
    if raw.contains("://") {
        return Err(invalid(&format!(
            "is a URL: give only the relay's DNS name, {example}"
        )));
    }
    let unbracketed = raw
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(raw);
    if unbracketed.parse::<IpAddr>().is_ok() || raw.parse::<SocketAddr>().is_ok() {
        return Err(invalid(
            "is an IP address: Exchange checks the relay's certificate against a DNS name, so \
             give the name the certificate is issued to",
        ));
    }
    if raw.contains(':') {
        return Err(invalid(
            "must not name a port: Exchange Online delivers to the relay on port 25",
        ));
    }
    let host = raw.to_ascii_lowercase();
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return Err(invalid(
            "may only hold letters a-z, digits, hyphens and dots (an internationalised name in \
             its xn-- form)",
        ));
    }
    if host.len() > 253 {
        return Err(invalid("is longer than a DNS name can be (253 characters)"));
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.iter().any(|label| label.is_empty()) {
        return Err(invalid(
            "has an empty part: no dot at the start or end, nor two in a row",
        ));
    }
    if labels.len() < 2 {
        return Err(invalid(&format!(
            "must be a fully qualified name, {example}"
        )));
    }
    if labels.iter().any(|label| label.len() > 63) {
        return Err(invalid("has a part longer than 63 characters"));
    }
    if labels
        .iter()
        .any(|label| label.starts_with('-') || label.ends_with('-'))
    {
        return Err(invalid("has a part that starts or ends with a hyphen"));
    }
    // No top-level domain is numeric: such a name is an IP address in another notation.
    if labels
        .last()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(invalid(
            "ends in a number: give the relay's DNS name, not an IP address",
        ));
    }
    Ok(host)
}

/// The name as given; it is quoted wherever it is printed. Line breaks would end a comment line
/// or a command early, so control characters are refused.
fn connector_name(raw: &str) -> Result<&str, Error> {
    let invalid = |problem: &str| Error::InvalidConfig {
        key: "connector_name",
        problem: problem.into(),
    };
    if raw.trim().is_empty() {
        return Err(invalid("is empty"));
    }
    if raw.chars().count() > MAX_CONNECTOR_NAME {
        return Err(invalid(
            "is longer than Exchange allows for a connector (64 characters)",
        ));
    }
    if raw.chars().any(char::is_control) {
        return Err(invalid(
            "must not hold line breaks or other control characters",
        ));
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;

    const FIXTURE: &str = include_str!("../../tests/fixtures/exchange-cmdlet-parameters.txt");

    /// One cmdlet invocation: its name and its `-Parameter value` pairs (the value unquoted;
    /// empty for a switch).
    #[derive(Debug)]
    struct Invocation {
        cmdlet: String,
        parameters: Vec<(String, String)>,
        commented: bool,
    }

    impl Invocation {
        fn value(&self, parameter: &str) -> Option<&str> {
            self.parameters
                .iter()
                .find(|(name, _)| name == parameter)
                .map(|(_, value)| value.as_str())
        }
    }

    fn documented() -> HashMap<&'static str, HashSet<&'static str>> {
        FIXTURE
            .lines()
            .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
            .map(|line| {
                let (cmdlet, parameters) = line.split_once(": ").expect("`Cmdlet: -P ...`");
                (cmdlet, parameters.split_whitespace().collect())
            })
            .collect()
    }

    fn output(host: &str, connector: &str) -> String {
        run(&Args {
            relay_host: host.into(),
            connector_name: connector.into(),
        })
        .expect("valid arguments")
    }

    /// Splits a command line into words the way PowerShell reads single-quoted strings (the
    /// output uses no other quoting), e.g. `-Name 'O''Brien'` → `-Name`, `O'Brien`. A `|` on
    /// its own is a word. Quoted words are marked so that a value like `'-x'` is no parameter.
    fn words(line: &str) -> Vec<(String, bool)> {
        let mut words = Vec::new();
        let mut chars = line.chars().peekable();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                chars.next();
            } else if is_single_quote(c) {
                chars.next();
                let mut word = String::new();
                loop {
                    let c = chars.next().expect("a closed quote");
                    if is_single_quote(c) {
                        match chars.peek() {
                            Some(&next) if is_single_quote(next) => {
                                word.push(next);
                                chars.next();
                            }
                            _ => break,
                        }
                    } else {
                        word.push(c);
                    }
                }
                words.push((word, true));
            } else {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || is_single_quote(c) {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                words.push((word, false));
            }
        }
        words
    }

    fn is_cmdlet_name(word: &str) -> bool {
        let Some((verb, noun)) = word.split_once('-') else {
            return false;
        };
        let capitalised = |part: &str| {
            part.starts_with(|c: char| c.is_ascii_uppercase())
                && part.chars().all(|c| c.is_ascii_alphanumeric())
        };
        capitalised(verb) && capitalised(noun)
    }

    /// Every command in the script: the lines PowerShell runs, and the commented-out ones
    /// (`#   Cmdlet ...`) an administrator may run. Lines ending in a backtick continue on the
    /// next. Pipelines are split into their commands.
    fn invocations(script: &str) -> Vec<Invocation> {
        let mut logical: Vec<(String, bool)> = Vec::new();
        let mut pending: Option<(String, bool)> = None;
        for line in script.lines() {
            let (text, commented) = match line.strip_prefix('#') {
                Some(rest) => (rest, true),
                None => (line, false),
            };
            let (mut joined, commented) = match pending.take() {
                Some((start, was_commented)) => (start + " " + text.trim_start(), was_commented),
                None => (text.to_owned(), commented),
            };
            if joined.trim_end().ends_with('`') {
                joined = joined.trim_end().trim_end_matches('`').to_owned();
                pending = Some((joined, commented));
            } else {
                logical.push((joined, commented));
            }
        }
        assert!(pending.is_none(), "the script ends in a line continuation");
        let mut invocations = Vec::new();
        for (line, commented) in logical {
            let Some(first) = line.split_whitespace().next() else {
                continue;
            };
            // Prose may hold apostrophes: it is not read as PowerShell.
            if commented && !(line.starts_with("   ") && is_cmdlet_name(first)) {
                continue;
            }
            assert!(is_cmdlet_name(first), "not a command: {line}");
            let words = words(&line);
            for segment in words.split(|(word, quoted)| word == "|" && !quoted) {
                let (cmdlet, rest) = segment.split_first().expect("a command after |");
                let mut parameters: Vec<(String, String)> = Vec::new();
                for (word, quoted) in rest {
                    match word.strip_prefix('-') {
                        Some(name) if !quoted => parameters.push((name.to_owned(), String::new())),
                        _ => match parameters.last_mut() {
                            Some((_, value)) if value.is_empty() => value.clone_from(word),
                            // A positional value (`Format-List Name,...`).
                            _ => parameters.push((String::new(), word.clone())),
                        },
                    }
                }
                invocations.push(Invocation {
                    cmdlet: cmdlet.0.clone(),
                    parameters,
                    commented,
                });
            }
        }
        invocations
    }

    #[test]
    fn every_cmdlet_and_parameter_is_documented() {
        let documented = documented();
        let common = &documented["CommonParameters"];
        let script = output("relay.example.nl", "Send Secure relay");
        let invocations = invocations(&script);
        let cmdlets: Vec<&str> = invocations.iter().map(|i| i.cmdlet.as_str()).collect();
        assert_eq!(
            cmdlets,
            [
                "Connect-ExchangeOnline",
                "New-OutboundConnector",
                "New-TransportRule",
                "New-TransportRule",
                "Get-OutboundConnector",
                "Format-List",
                "Get-TransportRule",
                "Format-List",
                "Validate-OutboundConnector",
            ]
        );
        for invocation in &invocations {
            let known = documented
                .get(invocation.cmdlet.as_str())
                .unwrap_or_else(|| panic!("{} is not in the fixture", invocation.cmdlet));
            for (name, _) in &invocation.parameters {
                if name.is_empty() {
                    continue;
                }
                let parameter = format!("-{name}");
                assert!(
                    known.contains(parameter.as_str()) || common.contains(parameter.as_str()),
                    "{} has no documented {parameter}",
                    invocation.cmdlet
                );
            }
        }
        let run: Vec<&str> = invocations
            .iter()
            .filter(|i| !i.commented)
            .map(|i| i.cmdlet.as_str())
            .collect();
        assert_eq!(
            run,
            [
                "New-OutboundConnector",
                "New-TransportRule",
                "New-TransportRule"
            ],
            "only these run when pasted"
        );
    }

    #[test]
    fn the_parser_reads_continuations_pipes_and_quotes() {
        let invocations = invocations(
            "New-TransportRule -Name 'a ''b''' `\n  -Priority 0\n#   Get-TransportRule `\n#   -Identity 'x' | Format-List Name,State\n# prose, not a command\n",
        );
        assert_eq!(invocations.len(), 3);
        assert_eq!(invocations[0].value("Name"), Some("a 'b'"));
        assert_eq!(invocations[0].value("Priority"), Some("0"));
        assert_eq!(invocations[1].cmdlet, "Get-TransportRule");
        assert_eq!(invocations[1].value("Identity"), Some("x"));
        assert_eq!(invocations[2].cmdlet, "Format-List");
    }

    #[test]
    fn the_connector_delivers_to_the_host_with_domain_validation() {
        let script = output("Relay.Example.NL", "Send Secure relay");
        let invocations = invocations(&script);
        let connector = invocations
            .iter()
            .find(|i| i.cmdlet == "New-OutboundConnector")
            .expect("a connector");
        for (parameter, value) in [
            ("Name", "Send Secure relay"),
            ("ConnectorType", "Partner"),
            ("UseMXRecord", "$false"),
            ("SmartHosts", "relay.example.nl"),
            ("TlsSettings", "DomainValidation"),
            ("TlsDomain", "relay.example.nl"),
            ("IsTransportRuleScoped", "$true"),
            ("Enabled", "$true"),
        ] {
            assert_eq!(connector.value(parameter), Some(value), "-{parameter}");
        }
    }

    #[test]
    fn the_strip_rule_comes_first_then_the_routing_rule() {
        let script = output("relay.example.nl", "Send Secure relay");
        let invocations = invocations(&script);
        let position = |cmdlet: &str, parameter: &str| {
            invocations
                .iter()
                .position(|i| i.cmdlet == cmdlet && i.value(parameter).is_some())
                .unwrap_or_else(|| panic!("no {cmdlet} with -{parameter}"))
        };
        let connector = position("New-OutboundConnector", "SmartHosts");
        let strip = position("New-TransportRule", "RemoveHeader");
        let route = position("New-TransportRule", "RouteMessageOutboundConnector");
        assert!(connector < strip && strip < route, "{script}");

        let strip = &invocations[strip];
        assert_eq!(strip.value("Priority"), Some("0"));
        assert_eq!(strip.value("FromScope"), Some("NotInOrganization"));
        assert_eq!(strip.value("RemoveHeader"), Some(TOKEN_HEADER));
        assert_eq!(strip.value("StopRuleProcessing"), Some("$false"));

        let route = &invocations[route];
        assert_eq!(route.value("Priority"), Some("1"));
        assert_eq!(
            route.value("HeaderMatchesMessageHeader"),
            Some(TOKEN_HEADER)
        );
        assert_eq!(route.value("HeaderMatchesPatterns"), Some(".+"));
        assert_eq!(route.value("SentToScope"), Some("NotInOrganization"));
        assert_eq!(
            route.value("RouteMessageOutboundConnector"),
            Some("Send Secure relay")
        );
        assert_eq!(route.value("StopRuleProcessing"), Some("$false"));
        assert_eq!(route.value("RuleErrorAction"), Some("Defer"));
        // The routing rule leaves the sender to the relay (see the module doc).
        assert_eq!(route.value("FromScope"), None);
    }

    #[test]
    fn bad_hosts_are_refused() {
        for host in [
            "",
            " ",
            "192.0.2.25",
            "2001:db8::25",
            "[2001:db8::25]",
            "192.0.2.25:25",
            "10.1.2",
            "smtp://relay.example.nl",
            "https://relay.example.nl/",
            "relay.example.nl:25",
            "relay example.nl",
            " relay.example.nl",
            "relay.example.nl'",
            "relay.example.nl';Remove-OutboundConnector x;'",
            "relay.example.nl\n",
            "*.example.nl",
            "relay",
            "relay.example.nl.",
            ".example.nl",
            "relay..example.nl",
            "-relay.example.nl",
            "relay_1.example.nl",
            "rélay.example.nl",
            &format!("{}.example.nl", "a".repeat(64)),
            &format!("{}nl", "abcdefghi.".repeat(26)),
        ] {
            match relay_host(host) {
                Err(Error::InvalidConfig {
                    key: "relay_host",
                    problem,
                }) => assert!(!problem.is_empty()),
                other => panic!("{host:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn dns_names_are_accepted_in_lowercase() {
        for (host, expected) in [
            ("relay.example.nl", "relay.example.nl"),
            ("Relay.Example.NL", "relay.example.nl"),
            ("mx-1.zorg.example.nl", "mx-1.zorg.example.nl"),
            ("xn--rlay-epa.example.nl", "xn--rlay-epa.example.nl"),
            ("1relay.example.nl", "1relay.example.nl"),
        ] {
            assert_eq!(relay_host(host).expect(host), expected);
        }
    }

    #[test]
    fn single_quotes_in_the_connector_name_are_doubled() {
        let script = output("relay.example.nl", "Zorg O'Brien’s relay");
        assert!(
            script.contains("-Name 'Zorg O''Brien’’s relay'"),
            "{script}"
        );
        assert!(script.contains("-RouteMessageOutboundConnector 'Zorg O''Brien’’s relay'"));
        assert!(!script.contains("-Name 'Zorg O'Brien"));
        // PowerShell reads each back as the name given.
        let invocations = invocations(&script);
        let named: Vec<&str> = invocations
            .iter()
            .filter_map(|i| match i.cmdlet.as_str() {
                "New-OutboundConnector" => i.value("Name"),
                "New-TransportRule" => i.value("RouteMessageOutboundConnector"),
                _ => i.value("Identity"),
            })
            .collect();
        assert_eq!(named, ["Zorg O'Brien’s relay"; 4]);
    }

    #[test]
    fn bad_connector_names_are_refused() {
        for name in ["", "  ", "line\nbreak", &"x".repeat(65)] {
            assert!(
                matches!(
                    connector_name(name),
                    Err(Error::InvalidConfig {
                        key: "connector_name",
                        ..
                    })
                ),
                "{name:?}"
            );
        }
        assert!(connector_name(&"x".repeat(64)).is_ok());
    }

    #[test]
    fn the_default_connector_name_is_send_secure_relay() {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            args: Args,
        }
        let cli = Cli::try_parse_from(["exchange-setup", "--relay-host", "relay.example.nl"])
            .expect("parses");
        assert_eq!(cli.args.connector_name, "Send Secure relay");
        assert!(
            Cli::try_parse_from(["exchange-setup"]).is_err(),
            "--relay-host is required"
        );
    }
}
