//! The console's languages: the five the invitation emails speak. A page is written in the
//! signed-in account's own choice, else the first language of the browser's `Accept-Language`
//! that the console speaks, else English; dates and numbers are written as that language writes
//! them.
//!
//! The language of a request is set once per request by the console's middleware (from
//! `Accept-Language`) and refined by the [`Viewer`](super::session::Viewer) extractor when the
//! session names an account with a choice of its own. Every page, error page included, reads it
//! through [`Lang::current`], so no handler has to pass it along.

use std::cell::Cell;
use std::fmt::Write as _;

use chrono::{Datelike as _, Timelike as _};
use siteward_core::Timestamp;

use super::text::{self, Text};

/// A language of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Korean.
    Ko,
    /// German.
    De,
    /// Japanese.
    Ja,
    /// Spanish.
    Es,
}

tokio::task_local! {
    /// The language of the request being handled.
    static CURRENT: Cell<Lang>;
}

impl Lang {
    /// Every language, in the order a language menu lists them.
    pub const ALL: [Self; 5] = [Self::En, Self::De, Self::Es, Self::Ja, Self::Ko];

    /// The language of a tag such as `ko`, `de-AT` or `es_MX`, if the console speaks it.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Self::ALL
            .into_iter()
            .find(|lang| lang.tag().eq_ignore_ascii_case(primary))
    }

    /// Its tag, as `<html lang>` and the account's setting hold it.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ko => "ko",
            Self::De => "de",
            Self::Ja => "ja",
            Self::Es => "es",
        }
    }

    /// Its name, written in itself, as a language menu shows it.
    pub fn name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Ko => "한국어",
            Self::De => "Deutsch",
            Self::Ja => "日本語",
            Self::Es => "Español",
        }
    }

    /// Every string of the console in this language.
    pub fn text(self) -> &'static Text {
        match self {
            Self::En => &text::EN,
            Self::Ko => &text::KO,
            Self::De => &text::DE,
            Self::Ja => &text::JA,
            Self::Es => &text::ES,
        }
    }

    /// The language an `Accept-Language` header asks for: of the languages the console speaks,
    /// the one with the highest weight (the first of equals); English when it names none.
    pub fn negotiate(accept_language: Option<&str>) -> Self {
        let mut best: Option<(Self, f32)> = None;
        for range in accept_language.unwrap_or_default().split(',') {
            let mut parts = range.split(';');
            let Some(lang) = parts.next().and_then(Self::from_tag) else {
                continue;
            };
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
                .unwrap_or(0.0);
            if weight > 0.0 && best.is_none_or(|(_, w)| weight > w) {
                best = Some((lang, weight));
            }
        }
        best.map_or(Self::En, |(lang, _)| lang)
    }

    /// The language of the request being handled (English outside a request).
    pub fn current() -> Self {
        CURRENT.try_with(Cell::get).unwrap_or(Self::En)
    }

    /// Makes this the language of the request being handled: the account's own choice, once
    /// the session is known.
    pub fn prefer(self) {
        // Outside a request there is nothing to prefer it for.
        let _ = CURRENT.try_with(|current| current.set(self));
    }

    /// Runs a request's future with this as its language.
    pub async fn scope<F: Future>(self, request: F) -> F::Output {
        CURRENT.scope(Cell::new(self), request).await
    }

    /// A day, as this language writes it: `5 December 2026`, `5. Dezember 2026`,
    /// `2026년 12월 5일`.
    pub fn date(self, at: Timestamp) -> String {
        let (day, month, year) = (at.day(), at.month(), at.year());
        let name = self.months()[month as usize - 1];
        match self {
            Self::En => format!("{day} {name} {year}"),
            Self::De => format!("{day}. {name} {year}"),
            Self::Es => format!("{day} de {name} de {year}"),
            Self::Ko => format!("{year}년 {month}월 {day}일"),
            Self::Ja => format!("{year}年{month}月{day}日"),
        }
    }

    /// The names of the months, as a date writes them.
    fn months(self) -> [&'static str; 12] {
        match self {
            Self::En => [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ],
            Self::De => [
                "Januar",
                "Februar",
                "März",
                "April",
                "Mai",
                "Juni",
                "Juli",
                "August",
                "September",
                "Oktober",
                "November",
                "Dezember",
            ],
            Self::Es => [
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ],
            // Korean and Japanese write the month as a number.
            Self::Ko | Self::Ja => [""; 12],
        }
    }

    /// A day and a time of day in UTC, to the minute.
    pub fn date_time(self, at: Timestamp) -> String {
        self.moment(at, false)
    }

    /// A day and a time of day in UTC, to the second (the audit log's events).
    pub fn date_time_seconds(self, at: Timestamp) -> String {
        self.moment(at, true)
    }

    fn moment(self, at: Timestamp, seconds: bool) -> String {
        let mut out = self.date(at);
        out.push_str(match self {
            Self::En | Self::De | Self::Es => ", ",
            Self::Ko | Self::Ja => " ",
        });
        let _ = write!(out, "{:02}:{:02}", at.hour(), at.minute());
        if seconds {
            let _ = write!(out, ":{:02}", at.second());
        }
        out.push_str(" UTC");
        out
    }

    /// A whole number with this language's digit grouping: `12,345`, `12.345`; Spanish groups
    /// only from five digits on (`1000`, `10.000`).
    pub fn number(self, n: u64) -> String {
        let digits = n.to_string();
        let (separator, min_digits) = match self {
            Self::En | Self::Ko | Self::Ja => (',', 4),
            Self::De => ('.', 4),
            Self::Es => ('.', 5),
        };
        if digits.len() < min_digits {
            return digits;
        }
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(digit);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn tags_are_read_by_their_primary_language() {
        assert_eq!(Lang::from_tag("ko-KR"), Some(Lang::Ko));
        assert_eq!(Lang::from_tag("DE_at"), Some(Lang::De));
        assert_eq!(Lang::from_tag("fr"), None);
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
        }
    }

    #[test]
    fn accept_language_picks_the_heaviest_spoken_language() {
        assert_eq!(Lang::negotiate(None), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr-FR, fr;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr-FR,ko;q=0.8,de;q=0.9")), Lang::De);
        assert_eq!(Lang::negotiate(Some("ja,en;q=0.5")), Lang::Ja);
        assert_eq!(Lang::negotiate(Some("es;q=0, ko")), Lang::Ko);
        assert_eq!(Lang::negotiate(Some("de;q=x, es")), Lang::Es);
    }

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 3, 1, 9, 5, 7).unwrap();
        let written: Vec<_> = Lang::ALL.map(|l| l.date_time(at)).into();
        assert_eq!(
            written,
            [
                "1 March 2026, 09:05 UTC",
                "1. März 2026, 09:05 UTC",
                "1 de marzo de 2026, 09:05 UTC",
                "2026年3月1日 09:05 UTC",
                "2026년 3월 1일 09:05 UTC",
            ]
        );
        assert_eq!(Lang::En.date_time_seconds(at), "1 March 2026, 09:05:07 UTC");
    }

    #[test]
    fn numbers_are_grouped_as_each_language_groups_them() {
        assert_eq!(Lang::En.number(999), "999");
        assert_eq!(Lang::En.number(1_000), "1,000");
        assert_eq!(Lang::De.number(1_234_567), "1.234.567");
        assert_eq!(Lang::Es.number(1_000), "1000");
        assert_eq!(Lang::Es.number(10_000), "10.000");
        assert_eq!(Lang::Ja.number(100_000), "100,000");
    }

    #[tokio::test]
    async fn a_request_keeps_its_language_and_its_account_refines_it() {
        assert_eq!(Lang::current(), Lang::En);
        let seen = Lang::De
            .scope(async {
                let first = Lang::current();
                Lang::Ja.prefer();
                (first, Lang::current())
            })
            .await;
        assert_eq!(seen, (Lang::De, Lang::Ja));
        assert_eq!(Lang::current(), Lang::En);
    }
}
