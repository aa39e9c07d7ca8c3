//! The five languages: every sentence of the email, level and role names, and dates written
//! the way each language writes them.

/// A language the emails are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
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

impl Locale {
    /// The language of a BCP 47 tag by its primary subtag (`de-AT` is German), if it is one
    /// of the five.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Some(match primary.as_str() {
            "en" => Self::En,
            "ko" => Self::Ko,
            "de" => Self::De,
            "ja" => Self::Ja,
            "es" => Self::Es,
            _ => return None,
        })
    }

    /// The tag for the HTML `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ko => "ko",
            Self::De => "de",
            Self::Ja => "ja",
            Self::Es => "es",
        }
    }

    /// The subject of a site invitation.
    pub fn site_subject(self, partner: &str, site: &str) -> String {
        match self {
            Self::En => format!("{partner} invites you to the site {site}"),
            Self::Ko => format!("{partner}에서 {site} 사이트에 초대합니다"),
            Self::De => format!("{partner} lädt Sie zum Standort {site} ein"),
            Self::Ja => format!("{partner}からサイト「{site}」への招待"),
            Self::Es => format!("{partner} le invita al sitio {site}"),
        }
    }

    /// The subject of a partner invitation.
    pub fn partner_subject(self, inviter: &str, partner: &str) -> String {
        match self {
            Self::En => format!("{inviter} invites you to join {partner}"),
            Self::Ko => format!("{inviter} 님이 {partner}에 초대합니다"),
            Self::De => format!("{inviter} lädt Sie ein, {partner} beizutreten"),
            Self::Ja => format!("{inviter}さんから{partner}への招待"),
            Self::Es => format!("{inviter} le invita a unirse a {partner}"),
        }
    }

    /// What a site invitation offers.
    pub fn site_offer(self, inviter: &str, partner: &str, site: &str, level: &str) -> String {
        match self {
            Self::En => format!(
                "{inviter} of {partner} invites you to support the site {site} with the permission level {level}."
            ),
            Self::Ko => format!(
                "{partner}의 {inviter} 님이 {level} 권한 수준으로 {site} 사이트를 지원하도록 초대했습니다."
            ),
            Self::De => format!(
                "{inviter} von {partner} lädt Sie ein, den Standort {site} mit der Berechtigungsstufe {level} zu betreuen."
            ),
            Self::Ja => format!(
                "{partner}の{inviter}さんが、権限レベル「{level}」でサイト「{site}」のサポートにあなたを招待しています。"
            ),
            Self::Es => format!(
                "{inviter}, de {partner}, le invita a dar soporte al sitio {site} con el nivel de permiso {level}."
            ),
        }
    }

    /// The subject of an invitation to administer a site.
    pub fn site_admin_subject(self, partner: &str, site: &str) -> String {
        match self {
            Self::En => format!("{partner} invites you to administer the site {site}"),
            Self::Ko => format!("{partner}에서 {site} 사이트의 관리자로 초대합니다"),
            Self::De => format!("{partner} lädt Sie als Administrator des Standorts {site} ein"),
            Self::Ja => format!("{partner}からサイト「{site}」の管理者への招待"),
            Self::Es => format!("{partner} le invita a administrar el sitio {site}"),
        }
    }

    /// What an invitation to administer a site offers.
    pub fn site_admin_offer(self, inviter: &str, partner: &str, site: &str) -> String {
        match self {
            Self::En => format!(
                "{inviter} of {partner} invites you to become an admin of the site {site}: you decide which technicians may enter it."
            ),
            Self::Ko => format!(
                "{partner}의 {inviter} 님이 {site} 사이트의 관리자로 초대했습니다. 어떤 기술자가 사이트에 들어올 수 있는지 직접 결정합니다."
            ),
            Self::De => format!(
                "{inviter} von {partner} lädt Sie ein, Administrator des Standorts {site} zu werden: Sie entscheiden, welche Techniker ihn betreten dürfen."
            ),
            Self::Ja => format!(
                "{partner}の{inviter}さんが、サイト「{site}」の管理者としてあなたを招待しています。どの技術者がサイトに入れるかをあなたが決めます。"
            ),
            Self::Es => format!(
                "{inviter}, de {partner}, le invita a ser administrador del sitio {site}: usted decide qué técnicos pueden entrar."
            ),
        }
    }

    /// What a partner invitation offers.
    pub fn partner_offer(self, inviter: &str, partner: &str, role: &str) -> String {
        match self {
            Self::En => format!("{inviter} invites you to join {partner} as {role}."),
            Self::Ko => format!("{inviter} 님이 {role}(으)로 {partner}에 참여하도록 초대했습니다."),
            Self::De => format!("{inviter} lädt Sie ein, {partner} als {role} beizutreten."),
            Self::Ja => format!(
                "{inviter}さんが、{role}として{partner}に参加するようあなたを招待しています。"
            ),
            Self::Es => format!("{inviter} le invita a unirse a {partner} como {role}."),
        }
    }

    /// The button.
    pub fn accept(self) -> &'static str {
        match self {
            Self::En => "Accept the invitation",
            Self::Ko => "초대 수락",
            Self::De => "Einladung annehmen",
            Self::Ja => "招待を承諾する",
            Self::Es => "Aceptar la invitación",
        }
    }

    /// Where the link is written out, for clients that do not show the button.
    pub fn link_fallback(self) -> &'static str {
        match self {
            Self::En => "If the button does not work, open this link:",
            Self::Ko => "버튼이 작동하지 않으면 다음 링크를 여세요:",
            Self::De => "Falls die Schaltfläche nicht funktioniert, öffnen Sie diesen Link:",
            Self::Ja => "ボタンが機能しない場合は、次のリンクを開いてください:",
            Self::Es => "Si el botón no funciona, abra este enlace:",
        }
    }

    /// Until when the link works.
    pub fn expiry(self, date: &str) -> String {
        match self {
            Self::En => format!("The link works until {date}."),
            Self::Ko => format!("이 링크는 {date}까지 유효합니다."),
            Self::De => format!("Der Link ist gültig bis {date}."),
            Self::Ja => format!("このリンクの有効期限は{date}です。"),
            Self::Es => format!("El enlace es válido hasta el {date}."),
        }
    }

    /// A site invitation's access starts locked.
    pub fn locked_note(self) -> &'static str {
        match self {
            Self::En => {
                "Your access starts locked: a site administrator unlocks it once you have accepted."
            }
            Self::Ko => {
                "처음에는 접근이 잠겨 있습니다. 수락하면 사이트 관리자가 잠금을 해제합니다."
            }
            Self::De => {
                "Ihr Zugang ist zunächst gesperrt: Ein Standort-Administrator gibt ihn frei, sobald Sie angenommen haben."
            }
            Self::Ja => {
                "アクセスは最初ロックされています。承諾後、サイト管理者がロックを解除します。"
            }
            Self::Es => {
                "Su acceso empieza bloqueado: un administrador del sitio lo desbloqueará cuando haya aceptado."
            }
        }
    }

    /// Where to ask.
    pub fn support(self, contact: &str) -> String {
        match self {
            Self::En => format!("Questions? Contact {contact}."),
            Self::Ko => format!("문의 사항은 {contact}(으)로 연락하세요."),
            Self::De => format!("Fragen? Wenden Sie sich an {contact}."),
            Self::Ja => format!("ご不明な点は{contact}までお問い合わせください。"),
            Self::Es => format!("¿Preguntas? Escriba a {contact}."),
        }
    }

    /// The last line.
    pub fn ignore(self) -> &'static str {
        match self {
            Self::En => "If you did not expect this email, you can ignore it.",
            Self::Ko => "이 이메일을 예상하지 못했다면 무시하셔도 됩니다.",
            Self::De => "Wenn Sie diese E-Mail nicht erwartet haben, können Sie sie ignorieren.",
            Self::Ja => "このメールに心当たりがない場合は、無視してください。",
            Self::Es => "Si no esperaba este correo, puede ignorarlo.",
        }
    }

    /// A permission level's name; an unknown level is shown as given.
    pub fn level(self, level: &str) -> &str {
        let names: [&str; 4] = match self {
            Self::En => [
                "None",
                "Devices Only",
                "Full, excluding user management",
                "Full, including user management",
            ],
            Self::Ko => [
                "없음",
                "장치 전용",
                "전체(사용자 관리 제외)",
                "전체(사용자 관리 포함)",
            ],
            Self::De => [
                "Keine",
                "Nur Geräte",
                "Vollzugriff ohne Benutzerverwaltung",
                "Vollzugriff mit Benutzerverwaltung",
            ],
            Self::Ja => [
                "なし",
                "デバイスのみ",
                "フルアクセス(ユーザー管理を除く)",
                "フルアクセス(ユーザー管理を含む)",
            ],
            Self::Es => [
                "Ninguno",
                "Solo dispositivos",
                "Completo, sin gestión de usuarios",
                "Completo, con gestión de usuarios",
            ],
        };
        match level {
            "none" => names[0],
            "devices_only" => names[1],
            "full_excluding_users" => names[2],
            "full_including_users" => names[3],
            other => other,
        }
    }

    /// A partner role's name; an unknown role is shown as given.
    pub fn role(self, role: &str) -> &str {
        let names: [&str; 3] = match self {
            Self::En => ["a Super Admin", "an Admin", "a technician"],
            Self::Ko => ["최고 관리자", "관리자", "기술자"],
            Self::De => ["Super-Admin", "Admin", "Techniker"],
            Self::Ja => ["スーパー管理者", "管理者", "技術者"],
            Self::Es => ["superadministrador", "administrador", "técnico"],
        };
        match role {
            "super_admin" => names[0],
            "admin" => names[1],
            "technician" => names[2],
            other => other,
        }
    }

    /// A date and time in UTC as this language writes it.
    pub fn date(self, at: &DateTime) -> String {
        let DateTime {
            year,
            month,
            day,
            hour,
            minute,
        } = *at;
        let index = usize::from(month - 1);
        match self {
            Self::En => format!(
                "{} {day}, {year}, {hour:02}:{minute:02} UTC",
                EN_MONTHS[index]
            ),
            Self::Ko => format!("{year}년 {month}월 {day}일 {hour:02}:{minute:02} (UTC)"),
            Self::De => format!(
                "{day}. {} {year}, {hour:02}:{minute:02} Uhr (UTC)",
                DE_MONTHS[index]
            ),
            Self::Ja => format!("{year}年{month}月{day}日 {hour:02}:{minute:02} (UTC)"),
            Self::Es => format!(
                "{day} de {} de {year}, {hour:02}:{minute:02} (UTC)",
                ES_MONTHS[index]
            ),
        }
    }
}

const EN_MONTHS: [&str; 12] = [
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
];
const DE_MONTHS: [&str; 12] = [
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
];
const ES_MONTHS: [&str; 12] = [
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
];

/// A moment in UTC, to the minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    /// The year.
    pub year: u16,
    /// 1 to 12.
    pub month: u8,
    /// 1 to 31.
    pub day: u8,
    /// 0 to 23.
    pub hour: u8,
    /// 0 to 59.
    pub minute: u8,
}

impl DateTime {
    /// Reads the RFC 3339 time the host sends (`2026-11-29T10:00:00Z`; fractions and a zero
    /// offset accepted). Other offsets are refused: the host always sends UTC.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() < 20 || bytes[4] != b'-' || bytes[7] != b'-' || bytes[13] != b':' {
            return None;
        }
        if !matches!(bytes[10], b'T' | b't' | b' ') {
            return None;
        }
        let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<u16>().ok();
        let zone = text.get(19..)?;
        let zone = zone.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
        if !matches!(zone, "Z" | "z" | "+00:00" | "-00:00") {
            return None;
        }
        let at = Self {
            year: number(0..4)?,
            month: u8::try_from(number(5..7)?).ok()?,
            day: u8::try_from(number(8..10)?).ok()?,
            hour: u8::try_from(number(11..13)?).ok()?,
            minute: u8::try_from(number(14..16)?).ok()?,
        };
        let valid = (1..=12).contains(&at.month)
            && (1..=31).contains(&at.day)
            && at.hour < 24
            && at.minute < 60;
        valid.then_some(at)
    }
}
