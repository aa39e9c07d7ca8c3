//! Validation of the free-text inputs every endpoint shares: emails, names, passwords,
//! languages, links and colours.

use unicode_normalization::UnicodeNormalization;
use unicode_security::{
    GeneralSecurityProfile, MixedScript, general_security_profile::IdentifierType,
};

use crate::FieldError;

/// The longest email address accepted (RFC 5321's path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// The longest display name accepted, in characters.
pub const MAX_NAME_LEN: usize = 200;
/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_LEN: usize = 12;
/// Letters and digits a password must keep once the account's own email and name are taken
/// out of it.
const OWN_REST_MIN: usize = 6;
/// The longest password accepted, in bytes; bounds the work of hashing it.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// Whether `c` is a control character, or one that shows nothing or reorders the text around
/// it: zero-width spaces and joiners, the byte-order mark, soft hyphens, variation selectors,
/// and the bidirectional controls (a right-to-left override makes `exe.txt` read `txt.exe`).
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || c.identifier_type() == Some(IdentifierType::Default_Ignorable)
        || matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// An email address, trimmed and lower-cased so that one person has one account.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses and normalises an address: NFKC (a full-width `ｘ` is `x`, `ﬁ` is `fi`), then
    /// lower case. The check is deliberately the practical one: one `@`, a non-empty local part
    /// without spaces, invisible or control characters, and a domain of dot-separated labels;
    /// and neither the local part nor any label may mix scripts (`аdmin` with a Cyrillic `а`
    /// is refused: Unicode TR 39's mixed-script rule, under which Japanese's several scripts
    /// still count as one). It is made on the normalised address — what is stored — since
    /// lower-casing can lengthen text and turn a letter into one that is not (`İ` becomes `i`
    /// and a combining dot).
    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        let text: String = text
            .trim()
            .nfkc()
            .collect::<String>()
            .to_lowercase()
            .nfkc()
            .collect();
        let text = text.as_str();
        let invalid =
            |why: &str| FieldError::new(field, format!("is not a valid email address ({why})"));
        if text.is_empty() {
            return Err(FieldError::new(field, "must not be empty"));
        }
        if text.len() > MAX_EMAIL_LEN {
            return Err(invalid("longer than 254 characters"));
        }
        let Some((local, domain)) = text.rsplit_once('@') else {
            return Err(invalid("no @"));
        };
        if local.is_empty() || local.len() > 64 {
            return Err(invalid("the part before @ must be 1 to 64 characters"));
        }
        if text.chars().any(|c| c.is_whitespace() || is_invisible(c)) || local.contains('@') {
            return Err(invalid("spaces, invisible characters or a second @"));
        }
        if !local.is_single_script() || !domain.split('.').all(MixedScript::is_single_script) {
            return Err(invalid(
                "it mixes letters of different scripts, as look-alikes of other addresses do",
            ));
        }
        let labels_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !labels_ok {
            return Err(invalid("the domain must be like example.com"));
        }
        Ok(Self(text.to_owned()))
    }

    /// Wraps an address that storage returned; storage only holds normalised addresses.
    pub fn from_trusted(text: String) -> Self {
        Self(text)
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }

    /// The address's confusable skeleton (Unicode TR 39): two addresses that a person could
    /// mistake for each other — `paypal@` and `pаypal@` with a Cyrillic `а`, `rn` and `m` —
    /// have the same skeleton, so one account per skeleton keeps look-alikes out.
    pub fn skeleton(&self) -> String {
        unicode_security::skeleton(&self.0).collect()
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A display name: NFC, trimmed, 1 to 200 characters, no control or invisible characters
/// (see [`is_invisible`]).
pub fn name(field: &str, text: &str) -> Result<String, FieldError> {
    self::text(field, text, MAX_NAME_LEN)
}

/// A line of text a person wrote (a reason, a comment): NFC, trimmed, 1 to `max` characters,
/// no control or invisible characters (see [`is_invisible`]).
pub fn text(field: &str, text: &str, max: usize) -> Result<String, FieldError> {
    let text: String = text.nfc().collect();
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if text.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if text.chars().any(is_invisible) {
        return Err(FieldError::new(
            field,
            "must not contain control characters, invisible characters or direction overrides",
        ));
    }
    Ok(text.to_owned())
}

/// A new password, as NIST SP 800-63B asks: at least 12 characters once normalised (NFKC,
/// and spaces at either end and runs of spaces count once), no control characters, not the
/// account's own email, its local part or its name (`known`); short enough to hash cheaply.
/// No composition rules. Whether it is a common or breached password is asked by the host
/// (`siteward-server`'s password policy), which carries the list.
pub fn new_password(field: &str, password: &str, known: &[&str]) -> Result<(), FieldError> {
    let normalised: String = password.nfkc().collect();
    let folded = normalised.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() < MIN_PASSWORD_LEN {
        return Err(FieldError::new(
            field,
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if password.len() > MAX_PASSWORD_LEN {
        return Err(FieldError::new(
            field,
            format!("must be at most {MAX_PASSWORD_LEN} bytes"),
        ));
    }
    if password.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    // What is left once the account's own details are taken out must be a password of its own.
    let mut rest = folded.to_lowercase();
    for text in known {
        let text = text.trim().to_lowercase();
        let local = text.split_once('@').map(|(local, _)| local.to_owned());
        for own in [Some(text), local].into_iter().flatten() {
            if own.chars().count() >= 3 {
                rest = rest.replace(&own, "");
            }
        }
    }
    if rest.chars().filter(|c| c.is_alphanumeric()).count() < OWN_REST_MIN {
        return Err(FieldError::new(
            field,
            "must not be your email address or name, or be made mostly of them",
        ));
    }
    Ok(())
}

/// The language invitation emails are written in when nobody chose one.
pub const DEFAULT_LOCALE: &str = "en";

/// A language tag in BCP 47's shape (`en`, `de-AT`, `zh-Hant-TW`): letters and digits in
/// subtags of 1 to 8 joined by `-`, the first 2 or 3 letters. Normalised: `_` becomes `-`,
/// the language lower case. Which languages a renderer writes is the renderer's business.
pub fn locale(field: &str, text: &str) -> Result<String, FieldError> {
    let text = text.trim().replace('_', "-");
    let invalid = || {
        FieldError::new(
            field,
            "is not a language tag (for example `en`, `ko`, `de-AT`)",
        )
    };
    let mut subtags = text.split('-');
    let language = subtags.next().ok_or_else(invalid)?;
    if !(2..=3).contains(&language.len()) || !language.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(invalid());
    }
    let rest: Vec<&str> = subtags.collect();
    if text.len() > 35
        || rest
            .iter()
            .any(|s| s.is_empty() || s.len() > 8 || !s.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return Err(invalid());
    }
    let mut tag = language.to_ascii_lowercase();
    for subtag in rest {
        tag.push('-');
        tag.push_str(subtag);
    }
    Ok(tag)
}

/// A point in time the permission index decides on: the index counts milliseconds, so a time
/// given finer than that is refused rather than silently cut (`…T09:00:00.123Z` is fine,
/// `…T09:00:00.123456Z` is not).
pub fn to_the_millisecond(
    field: &str,
    at: Option<crate::Timestamp>,
) -> Result<Option<crate::Timestamp>, FieldError> {
    match at {
        Some(t) if t.timestamp_subsec_nanos() % 1_000_000 != 0 => Err(FieldError::new(
            field,
            "must be exact to the millisecond (at most 3 digits after the seconds)",
        )),
        other => Ok(other),
    }
}

/// A window from `from` until `until` (exclusive), either end open: when it has both, it
/// must end after it starts (`expires_at`, naming the start's field `from_field`).
pub fn window(
    from_field: &str,
    from: Option<crate::Timestamp>,
    until: Option<crate::Timestamp>,
) -> Result<(), FieldError> {
    match (from, until) {
        (Some(from), Some(until)) if from >= until => Err(FieldError::new(
            "expires_at",
            format!("must be after {from_field}"),
        )),
        _ => Ok(()),
    }
}

/// An `https` URL of at most 2,000 characters without spaces or quotes.
pub fn https_url(field: &str, text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    let ok = text.len() > "https://".len()
        && text.len() <= 2_000
        && text
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        && !text.contains(|c: char| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>')
        });
    if ok {
        Ok(text.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "must be an https:// URL of at most 2,000 characters",
        ))
    }
}

/// A colour written `#rrggbb`, normalised to lower case.
pub fn hex_colour(field: &str, text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    let ok = text.len() == 7
        && text.starts_with('#')
        && text[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(FieldError::new(
            field,
            "must be a colour written #rrggbb, for example #1f6feb",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_finer_than_a_millisecond_are_refused() {
        let at = |text: &str| Some(text.parse::<crate::Timestamp>().unwrap());
        let millis = at("2026-12-05T09:00:00.123Z");
        assert_eq!(to_the_millisecond("expires_at", millis).unwrap(), millis);
        assert_eq!(to_the_millisecond("expires_at", None).unwrap(), None);
        let error =
            to_the_millisecond("expires_at", at("2026-12-05T09:00:00.123456Z")).unwrap_err();
        assert_eq!(error.field, "expires_at");
    }

    #[test]
    fn emails_are_normalised() {
        let email = Email::parse("email", "  Ana.Silva@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ana.silva@example.com");
    }

    #[test]
    fn look_alike_addresses_are_normalised_or_refused() {
        // Compatibility forms are the letters they stand for.
        assert_eq!(
            Email::parse("email", "a@ｘ.example").unwrap().as_str(),
            "a@x.example"
        );
        assert_eq!(
            Email::parse("email", "ﬁ@x.example").unwrap().as_str(),
            "fi@x.example"
        );
        // A Cyrillic `а` among Latin letters, in the local part or a label, is refused.
        assert!(Email::parse("email", "\u{430}dmin@x.example").is_err());
        assert!(Email::parse("email", "admin@p\u{430}ypal.com").is_err());
        // One script throughout is an address like any other; Japanese mixes its own.
        assert!(
            Email::parse(
                "email",
                "\u{434}\u{43c}\u{438}\u{442}\u{440}\u{438}\u{439}@x.example"
            )
            .is_ok()
        );
        assert!(
            Email::parse(
                "email",
                "\u{3084}\u{307e}\u{30c0}\u{592a}\u{90ce}@x.example"
            )
            .is_ok()
        );
        // Invisible and direction characters are refused.
        for bad in [
            "ad\u{200B}min@x.example",
            "\u{FEFF}admin@x.example",
            "admin\u{202E}@x.example",
        ] {
            assert!(Email::parse("email", bad).is_err(), "{bad:?}");
        }
        // Look-alikes that pass (one script each) share their skeleton.
        let latin = Email::parse("email", "ace@x.example").unwrap();
        let cyrillic = Email::parse("email", "\u{430}\u{441}\u{435}@x.example").unwrap();
        assert_ne!(latin, cyrillic);
        assert_eq!(latin.skeleton(), cyrillic.skeleton());
        assert_eq!(
            Email::parse("email", "rn@x.example").unwrap().skeleton(),
            Email::parse("email", "m@x.example").unwrap().skeleton()
        );
    }

    #[test]
    fn bad_emails_name_the_field() {
        for bad in [
            "",
            "no-at",
            "@example.com",
            "a@b",
            "a b@example.com",
            "a@-x.com",
            "a@x..com",
            "a\u{7}@x.com",
        ] {
            let error = Email::parse("email", bad).unwrap_err();
            assert_eq!(error.field, "email", "{bad:?}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("name", "  Acme  ").unwrap(), "Acme");
        assert!(name("name", "   ").is_err());
        assert!(name("name", &"x".repeat(201)).is_err());
        assert!(name("name", "tab\there").is_err());
        assert_eq!(name("name", "지사 서울").unwrap(), "지사 서울");
        for bad in [
            "Ana\u{202E}gpj.exe",
            "Ana\u{200B}",
            "\u{FEFF}Ana",
            "Ana\u{2066}x",
        ] {
            assert!(name("name", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords_have_bounds() {
        assert!(new_password("password", "short", &[]).is_err());
        assert!(new_password("password", "correct horse battery", &[]).is_ok());
        assert!(new_password("password", &"x".repeat(2000), &[]).is_err());
        // Spaces do not make up the length, control characters are refused.
        assert!(new_password("password", &" ".repeat(12), &[]).is_err());
        assert!(new_password("password", "ab     cd     ef", &[]).is_err());
        assert!(new_password("password", "correct horse\0battery", &[]).is_err());
        // Full-width letters count as the letters they are.
        assert!(new_password("password", "ｃｏｒｒｅｃｔ ｈｏｒｓｅ ｂ", &[]).is_ok());
        // Not the account's own email, local part or name.
        let known = ["jamie.doe@example.com", "Jamie Doe"];
        assert!(new_password("password", "Jamie.Doe@example.com", &known).is_err());
        assert!(new_password("password", "jamie.doe1234", &known).is_err());
        assert!(new_password("password", "jamie doe 2026!", &known).is_err());
        assert!(new_password("password", "jamie doe jamie doe", &known).is_err());
        assert!(new_password("password", "correct horse battery", &known).is_ok());
    }

    #[test]
    fn language_tags_links_and_colours() {
        assert_eq!(locale("locale", " de_AT ").unwrap(), "de-AT");
        assert_eq!(locale("locale", "KO").unwrap(), "ko");
        for bad in ["", "k", "korean", "ko-", "ko--KR", "ko-KR-!", "12"] {
            assert!(locale("locale", bad).is_err(), "{bad}");
        }
        assert!(https_url("u", "https://acme.example/logo.png").is_ok());
        for bad in [
            "http://acme.example",
            "https://",
            "https://a b",
            "javascript:x",
            "https://\"<",
        ] {
            assert!(https_url("u", bad).is_err(), "{bad}");
        }
        assert_eq!(hex_colour("c", "#0A7D4F").unwrap(), "#0a7d4f");
        for bad in ["0a7d4f", "#0a7d4", "#0a7d4g", "red"] {
            assert!(hex_colour("c", bad).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Every alphanumeric character whose lower case is more than one character, or not
    /// alphanumeric.
    fn changing_letters() -> Vec<char> {
        (0..=0x10_ffff_u32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_alphanumeric())
            .filter(|c| {
                let lower: Vec<char> = c.to_lowercase().collect();
                lower.len() > 1 || !lower.iter().all(|l| l.is_alphanumeric())
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Whatever arrives, an accepted address is stored as one that is accepted again, as
        /// itself: normalising never makes an address the host would refuse or read otherwise.
        #[test]
        fn an_accepted_email_is_normalised_for_good(text in any::<String>()) {
            if let Ok(email) = Email::parse("email", &text) {
                let stored = email.as_str();
                prop_assert!(stored.len() <= MAX_EMAIL_LEN, "{stored:?}");
                prop_assert!(!stored.chars().any(|c| c.is_whitespace() || c.is_control()));
                prop_assert_eq!(stored.matches('@').count(), 1);
                prop_assert_eq!(Email::parse("email", stored), Ok(email.clone()));
            }
        }

        /// Letters whose lower case is longer, or not a letter at all (`İ` is `i` and a
        /// combining dot), are where normalising after checking goes wrong.
        #[test]
        fn an_email_with_letters_that_change_when_lowered_is_normalised_for_good(
            local in "[a-z]{1,5}",
            odd in prop::sample::select(changing_letters()),
            tld in "[a-z]{2,4}",
            pad in 0usize..250,
        ) {
            for text in [
                format!("{local}@{odd}x.{tld}"),
                format!("{local}{odd}@x.{tld}"),
                format!("{}@{odd}.{tld}", "a".repeat(pad.min(64))),
            ] {
                if let Ok(email) = Email::parse("email", &text) {
                    prop_assert!(email.as_str().len() <= MAX_EMAIL_LEN);
                    prop_assert_eq!(Email::parse("email", email.as_str()), Ok(email.clone()));
                }
            }
        }

        #[test]
        fn an_email_of_unicode_words_is_normalised_for_good(
            local in "[\\pL\\pN._+-]{1,20}",
            labels in prop::collection::vec("[\\pL\\pN]{1,12}", 2..4),
        ) {
            let text = format!("{local}@{}", labels.join("."));
            if let Ok(email) = Email::parse("email", &text) {
                prop_assert_eq!(Email::parse("email", email.as_str()), Ok(email.clone()));
                prop_assert!(email.as_str().len() <= MAX_EMAIL_LEN);
            }
        }

        /// The addresses people have are accepted, whatever the spacing and case around them.
        #[test]
        fn an_ordinary_address_is_accepted_trimmed_and_lower_cased(
            local in "[A-Za-z0-9][A-Za-z0-9._%+-]{0,30}",
            domain in "[A-Za-z0-9]{1,20}(\\.[A-Za-z]{2,8}){1,2}",
            before in "[ \t]{0,3}",
            after in "[ \t\n]{0,3}",
        ) {
            let email = Email::parse("email", &format!("{before}{local}@{domain}{after}"));
            prop_assert_eq!(
                email.map(|e| e.as_str().to_owned()),
                Ok(format!("{local}@{domain}").to_lowercase())
            );
        }

        #[test]
        fn an_accepted_name_is_trimmed_bounded_and_accepted_again(text in any::<String>()) {
            if let Ok(accepted) = name("name", &text) {
                prop_assert_eq!(accepted.trim(), accepted.as_str());
                prop_assert!((1..=MAX_NAME_LEN).contains(&accepted.chars().count()));
                prop_assert!(!accepted.chars().any(is_invisible));
                prop_assert_eq!(name("name", &accepted), Ok(accepted.clone()));
            }
        }

        #[test]
        fn a_name_without_control_characters_is_accepted_up_to_the_limit(
            text in "[^\\p{Cc}]{1,250}",
        ) {
            let composed: String = text.nfc().collect();
            let trimmed = composed.trim();
            let expected = !trimmed.is_empty()
                && trimmed.chars().count() <= MAX_NAME_LEN
                && !trimmed.chars().any(is_invisible);
            prop_assert_eq!(name("name", &text).is_ok(), expected, "{:?}", text);
        }
    }
}
