//! Phone numbers for SMS access codes (SPEC §5.3), by libphonenumber's rules.

use std::fmt;

use phonenumber::{Mode, Type, country, metadata::DATABASE};

use crate::Error;

/// A number an SMS can reach, in E.164 form. `Debug` hides the digits: a patient's phone
/// number must never reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Parses what a user typed; numbers without a country code are Dutch. Valid means
    /// libphonenumber says so and, where it can tell, the number is a mobile one.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let number = phonenumber::parse(Some(country::Id::NL), raw.trim())
            .map_err(|_| Error::InvalidPhone)?;
        let reaches_sms = matches!(
            number.number_type(&DATABASE),
            Type::Mobile | Type::FixedLineOrMobile
        );
        if !number.is_valid() || !reaches_sms || number.extension().is_some() {
            return Err(Error::InvalidPhone);
        }
        Ok(Self(number.format().mode(Mode::E164).to_string()))
    }

    pub fn e164(&self) -> &str {
        &self.0
    }

    pub fn into_e164(self) -> String {
        self.0
    }

    /// The number as the Viewer may show it to whoever holds the link: only the last two
    /// digits (SPEC §14). Dutch mobiles the Dutch way (`06-••••••78`), others with their
    /// country code (`+44 ••••••••56`).
    pub fn masked(&self) -> String {
        const DOT: char = '•';
        let digits = &self.0[1..];
        let last_two = digits
            .get(digits.len().saturating_sub(2)..)
            .unwrap_or_default();
        if let Some(national) = digits.strip_prefix("316") {
            let hidden = national.len().saturating_sub(2);
            return format!("06-{}{last_two}", DOT.to_string().repeat(hidden));
        }
        let code = phonenumber::parse(None, &self.0)
            .map(|number| number.code().value().to_string())
            .unwrap_or_default();
        let hidden = digits.len().saturating_sub(code.len() + 2);
        format!("+{code} {}{last_two}", DOT.to_string().repeat(hidden))
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Phone(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers_are_returned_in_e164() {
        let cases = [
            ("06 12345678", "+31612345678"),
            ("0612345678", "+31612345678"),
            ("+31 6 1234 5678", "+31612345678"),
            ("0031612345678", "+31612345678"),
            ("+44 7911 123456", "+447911123456"),
            ("+49 151 23456789", "+4915123456789"),
            // In the USA mobile and fixed lines cannot be told apart: accepted.
            ("+1 201 555 0123", "+12015550123"),
        ];
        for (raw, e164) in cases {
            assert_eq!(
                Phone::parse(raw).map(Phone::into_e164),
                Ok(e164.to_string()),
                "{raw}"
            );
        }
    }

    #[test]
    fn numbers_sms_cannot_reach_are_refused() {
        for raw in [
            "",
            "hello",
            "06 1234",          // too short
            "020 123 4567",     // Amsterdam fixed line
            "0800 1234",        // toll free
            "0900 1234567",     // premium rate
            "+44 20 7946 0958", // London fixed line
            "+31 6 1234 5678 ext. 12",
        ] {
            assert_eq!(Phone::parse(raw), Err(Error::InvalidPhone), "{raw:?}");
        }
    }

    #[test]
    fn masked_numbers_show_only_the_last_two_digits() {
        let masked = |raw: &str| Phone::parse(raw).expect("valid").masked();
        assert_eq!(masked("06 12345678"), "06-••••••78");
        assert_eq!(masked("+44 7911 123456"), "+44 ••••••••56");
        assert_eq!(masked("+49 151 23456789"), "+49 •••••••••89");
        assert_eq!(masked("+1 201 555 0123"), "+1 ••••••••23");
    }

    #[test]
    fn debug_never_shows_the_number() {
        let phone = Phone::parse("0612345678").expect("valid");
        assert_eq!(format!("{phone:?}"), "Phone(<redacted>)");
    }
}
