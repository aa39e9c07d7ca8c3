//! Every string the console shows, in each of its languages, side by side so that a
//! translation is read next to the English it renders. The macro makes a [`Text`] per
//! language; a key missing in one language does not compile, and a template that names a key
//! that does not exist does not compile either (askama checks the field).
//!
//! A string with `{name}` in it is completed with [`Msg::with`]; a test checks that every
//! language has the same placeholders as English.

use std::fmt;

/// One string of the console, in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Msg(&'static str);

impl Msg {
    /// The string itself.
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The string with its placeholder `{name}` replaced by `value`.
    pub fn with(self, name: &str, value: impl fmt::Display) -> Filled {
        Filled(self.0.to_owned()).with(name, value)
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A string with some of its placeholders filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled(String);

impl Filled {
    /// The string with its placeholder `{name}` replaced by `value` as well.
    pub fn with(self, name: &str, value: impl fmt::Display) -> Self {
        Self(self.0.replace(&format!("{{{name}}}"), &value.to_string()))
    }
}

impl fmt::Display for Filled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Filled> for String {
    fn from(filled: Filled) -> Self {
        filled.0
    }
}

macro_rules! catalog {
    ($($key:ident { en: $en:literal, ko: $ko:literal, de: $de:literal, ja: $ja:literal, es: $es:literal $(,)? })*) => {
        /// Every string of the console, in one language.
        #[derive(Debug)]
        pub struct Text {
            $(#[doc = $en] pub $key: Msg,)*
        }

        /// English.
        pub static EN: Text = Text { $($key: Msg($en),)* };
        /// Korean.
        pub static KO: Text = Text { $($key: Msg($ko),)* };
        /// German.
        pub static DE: Text = Text { $($key: Msg($de),)* };
        /// Japanese.
        pub static JA: Text = Text { $($key: Msg($ja),)* };
        /// Spanish.
        pub static ES: Text = Text { $($key: Msg($es),)* };

        impl Text {
            /// Every key with its string.
            pub fn entries(&self) -> Vec<(&'static str, Msg)> {
                vec![$((stringify!($key), self.$key),)*]
            }
        }
    };
}

catalog! {
    // The frame of every page.
    skip_to_content { en: "Skip to the content", ko: "본문으로 건너뛰기", de: "Zum Inhalt springen", ja: "本文へスキップ", es: "Saltar al contenido" }
    sign_out { en: "Sign out", ko: "로그아웃", de: "Abmelden", ja: "サインアウト", es: "Cerrar sesión" }
    footer {
        en: "Siteward: technician access for partners and their customers' sites.",
        ko: "Siteward: 파트너와 고객 사이트를 위한 기술자 접근 관리.",
        de: "Siteward: Technikerzugang für Partner und die Standorte ihrer Kunden.",
        ja: "Siteward: パートナーと顧客サイトのための技術者アクセス。",
        es: "Siteward: acceso de técnicos para partners y los sitios de sus clientes.",
    }

    // Words many pages share.
    email { en: "Email", ko: "이메일", de: "E-Mail", ja: "メールアドレス", es: "Correo electrónico" }
    password { en: "Password", ko: "비밀번호", de: "Passwort", ja: "パスワード", es: "Contraseña" }
    name { en: "Name", ko: "이름", de: "Name", ja: "名前", es: "Nombre" }
    role { en: "Role", ko: "역할", de: "Rolle", ja: "役割", es: "Rol" }
    status { en: "Status", ko: "상태", de: "Status", ja: "状態", es: "Estado" }
    level { en: "Level", ko: "권한 수준", de: "Berechtigungsstufe", ja: "権限レベル", es: "Nivel" }
    site { en: "Site", ko: "사이트", de: "Standort", ja: "サイト", es: "Sitio" }
    partner { en: "Partner", ko: "파트너", de: "Partner", ja: "パートナー", es: "Partner" }
    customer { en: "Customer", ko: "고객", de: "Kunde", ja: "顧客", es: "Cliente" }
    action { en: "Action", ko: "작업", de: "Aktion", ja: "操作", es: "Acción" }
    actions { en: "Actions", ko: "작업", de: "Aktionen", ja: "操作", es: "Acciones" }
    access { en: "Access", ko: "접근", de: "Zugang", ja: "アクセス", es: "Acceso" }
    until { en: "Until", ko: "종료", de: "Bis", ja: "期限", es: "Hasta" }
    when { en: "When", ko: "시각", de: "Wann", ja: "日時", es: "Cuándo" }
    on_what { en: "On", ko: "대상", de: "Betrifft", ja: "対象", es: "Sobre" }
    changes { en: "Changes", ko: "변경 내용", de: "Änderungen", ja: "変更内容", es: "Cambios" }
    offer { en: "Offer", ko: "제안", de: "Angebot", ja: "内容", es: "Oferta" }
    open_until { en: "Open until", ko: "유효 기한", de: "Offen bis", ja: "有効期限", es: "Abierta hasta" }
    audit_log { en: "Audit log", ko: "감사 로그", de: "Audit-Protokoll", ja: "監査ログ", es: "Registro de auditoría" }
    on { en: "On", ko: "켜짐", de: "An", ja: "オン", es: "Activado" }
    off { en: "Off", ko: "꺼짐", de: "Aus", ja: "オフ", es: "Desactivado" }
    yes { en: "Yes", ko: "예", de: "Ja", ja: "はい", es: "Sí" }
    no { en: "No", ko: "아니요", de: "Nein", ja: "いいえ", es: "No" }
    any { en: "Any", ko: "전체", de: "Alle", ja: "すべて", es: "Cualquiera" }
    all { en: "All", ko: "전체", de: "Alle", ja: "すべて", es: "Todas" }
    show { en: "Show", ko: "보기", de: "Anzeigen", ja: "表示", es: "Mostrar" }
    save { en: "Save", ko: "저장", de: "Speichern", ja: "保存", es: "Guardar" }
    saved { en: "Saved.", ko: "저장했습니다.", de: "Gespeichert.", ja: "保存しました。", es: "Guardado." }
    cancel { en: "Cancel", ko: "취소", de: "Abbrechen", ja: "キャンセル", es: "Cancelar" }
    keep_it { en: "Keep it", ko: "그대로 두기", de: "Behalten", ja: "そのままにする", es: "Mantener" }
    search_name_or_email { en: "Name or email", ko: "이름 또는 이메일", de: "Name oder E-Mail", ja: "名前またはメールアドレス", es: "Nombre o correo" }
    no_end { en: "No end", ko: "종료 없음", de: "Unbefristet", ja: "期限なし", es: "Sin fin" }
    last_activity { en: "Last activity", ko: "최근 활동", de: "Letzte Aktivität", ja: "最終アクティビティ", es: "Última actividad" }
    no_activity_yet { en: "None yet", ko: "아직 없음", de: "Noch keine", ja: "まだなし", es: "Ninguna aún" }
    none { en: "None", ko: "없음", de: "Keine", ja: "なし", es: "Ninguno" }
    locked { en: "Locked", ko: "잠김", de: "Gesperrt", ja: "ロック中", es: "Bloqueado" }
    unlocked { en: "Unlocked", ko: "잠금 해제됨", de: "Freigegeben", ja: "ロック解除", es: "Desbloqueado" }
    active { en: "Active", ko: "활성", de: "Aktiv", ja: "有効", es: "Activo" }
    disabled { en: "Disabled", ko: "비활성", de: "Deaktiviert", ja: "無効", es: "Desactivado" }
    form_expired {
        en: "The form had expired, so nothing was done. Please try again.",
        ko: "양식이 만료되어 아무것도 처리되지 않았습니다. 다시 시도하세요.",
        de: "Das Formular war abgelaufen, daher ist nichts geschehen. Bitte versuchen Sie es erneut.",
        ja: "フォームの有効期限が切れていたため、何も行われませんでした。もう一度お試しください。",
        es: "El formulario había caducado, así que no se ha hecho nada. Inténtelo de nuevo.",
    }
    password_hint {
        en: "At least 12 characters, not easy to guess.",
        ko: "12자 이상, 추측하기 어렵게 정하세요.",
        de: "Mindestens 12 Zeichen, nicht leicht zu erraten.",
        ja: "12文字以上で、推測されにくいものにしてください。",
        es: "Al menos 12 caracteres, difícil de adivinar.",
    }
    authenticator_code { en: "Authenticator code", ko: "인증 앱 코드", de: "Code aus der Authenticator-App", ja: "認証アプリのコード", es: "Código del autenticador" }
    totp_only_if {
        en: "Only if your account has two-step sign-in.",
        ko: "2단계 로그인을 쓰는 계정만 입력하세요.",
        de: "Nur wenn Ihr Konto die Anmeldung in zwei Schritten nutzt.",
        ja: "2段階サインインを使うアカウントの場合のみ入力してください。",
        es: "Solo si su cuenta usa el inicio de sesión en dos pasos.",
    }

    // Roles, levels and statuses.
    role_super_admin { en: "Super Admin", ko: "최고 관리자", de: "Super-Admin", ja: "スーパー管理者", es: "Superadministrador" }
    role_admin { en: "Admin", ko: "관리자", de: "Admin", ja: "管理者", es: "Administrador" }
    role_technician { en: "Technician", ko: "기술자", de: "Techniker", ja: "技術者", es: "Técnico" }
    level_none { en: "None", ko: "없음", de: "Keine", ja: "なし", es: "Ninguno" }
    level_devices_only { en: "Devices Only", ko: "장치 전용", de: "Nur Geräte", ja: "デバイスのみ", es: "Solo dispositivos" }
    level_full_excluding_users {
        en: "Full Excluding Users",
        ko: "전체(사용자 관리 제외)",
        de: "Vollzugriff ohne Benutzerverwaltung",
        ja: "フルアクセス(ユーザー管理を除く)",
        es: "Completo, sin gestión de usuarios",
    }
    level_full_including_users {
        en: "Full Including Users",
        ko: "전체(사용자 관리 포함)",
        de: "Vollzugriff mit Benutzerverwaltung",
        ja: "フルアクセス(ユーザー管理を含む)",
        es: "Completo, con gestión de usuarios",
    }
    level_by_grant { en: "By a grant", ko: "개별 권한 부여", de: "Durch eine Freigabe", ja: "個別の付与による", es: "Por una concesión" }
    level_unknown { en: "Unknown level", ko: "알 수 없는 수준", de: "Unbekannte Stufe", ja: "不明なレベル", es: "Nivel desconocido" }
    status_pending { en: "Pending", ko: "대기 중", de: "Ausstehend", ja: "保留中", es: "Pendiente" }
    status_accepted { en: "Accepted", ko: "수락됨", de: "Angenommen", ja: "承諾済み", es: "Aceptada" }
    status_expired { en: "Expired", ko: "만료됨", de: "Abgelaufen", ja: "期限切れ", es: "Caducada" }
    status_revoked { en: "Revoked", ko: "철회됨", de: "Widerrufen", ja: "取り消し済み", es: "Revocada" }
    status_awaiting_approval { en: "Awaiting approval", ko: "승인 대기", de: "Wartet auf Freigabe", ja: "承認待ち", es: "Pendiente de aprobación" }
    status_denied { en: "Denied", ko: "거부됨", de: "Abgelehnt", ja: "却下", es: "Denegada" }
    approve_invitation_of { en: "Approve the invitation of {email}", ko: "{email} 초대 승인", de: "Einladung von {email} freigeben", ja: "{email}の招待を承認", es: "Aprobar la invitación de {email}" }
    deny_invitation_of { en: "Deny the invitation of {email}", ko: "{email} 초대 거부", de: "Einladung von {email} ablehnen", ja: "{email}の招待を却下", es: "Denegar la invitación de {email}" }
    why_deny_invitation { en: "Why deny {email}? (the inviter reads it)", ko: "{email}을(를) 거부하는 이유 (초대한 사람이 읽습니다)", de: "Warum {email} ablehnen? (die einladende Person liest es)", ja: "{email}を却下する理由(招待者が読みます)", es: "¿Por qué denegar a {email}? (lo lee quien invitó)" }
    needs_approval_because { en: "Needs approval: {reason}", ko: "승인 필요: {reason}", de: "Braucht Freigabe: {reason}", ja: "承認が必要: {reason}", es: "Necesita aprobación: {reason}" }
    privilege_remote_support { en: "Remote support", ko: "원격 지원", de: "Fernwartung", ja: "リモートサポート", es: "Soporte remoto" }
    privilege_unattended_access { en: "Unattended access", ko: "무인 접근", de: "Unbeaufsichtigter Zugriff", ja: "無人アクセス", es: "Acceso desatendido" }
    a_site_at_level { en: "A site, {level}", ko: "사이트, {level}", de: "Ein Standort, {level}", ja: "サイト、{level}", es: "Un sitio, {level}" }

    // Pages that say what happened.
    not_found { en: "Not found", ko: "찾을 수 없음", de: "Nicht gefunden", ja: "見つかりません", es: "No encontrado" }
    not_found_why {
        en: "There is nothing here, or it is not yours to see.",
        ko: "여기에는 아무것도 없거나, 볼 수 있는 권한이 없습니다.",
        de: "Hier ist nichts, oder es ist nicht für Sie sichtbar.",
        ja: "ここには何もないか、あなたには表示できないものです。",
        es: "Aquí no hay nada, o no le corresponde verlo.",
    }
    not_found_next {
        en: "Go back to your own page and start from there.",
        ko: "내 페이지로 돌아가 거기서 시작하세요.",
        de: "Gehen Sie zu Ihrer eigenen Seite zurück und beginnen Sie dort.",
        ja: "自分のページに戻って、そこから始めてください。",
        es: "Vuelva a su propia página y empiece desde allí.",
    }
    cannot_be_done { en: "This cannot be done right now", ko: "지금은 할 수 없습니다", de: "Das geht gerade nicht", ja: "今は実行できません", es: "Ahora no se puede hacer" }
    try_again_soon { en: "Try again in a moment.", ko: "잠시 후 다시 시도하세요.", de: "Versuchen Sie es gleich noch einmal.", ja: "しばらくしてからもう一度お試しください。", es: "Inténtelo de nuevo en un momento." }
    something_wrong { en: "Something went wrong on our side.", ko: "저희 쪽에서 문제가 생겼습니다.", de: "Bei uns ist etwas schiefgegangen.", ja: "こちら側で問題が発生しました。", es: "Algo ha fallado por nuestra parte." }

    // Failures of the application layer people meet in the console, by their stable code.
    // English pages show the app's own words, which can say more (which privilege, until
    // when); these are what the other languages say.
    err_forbidden { en: "You are not allowed to do this.", ko: "이 작업을 할 권한이 없습니다.", de: "Das dürfen Sie nicht.", ja: "この操作は許可されていません。", es: "No tiene permiso para hacer esto." }
    err_too_many_attempts {
        en: "Too many failed sign-ins from your address; wait a minute and try again.",
        ko: "이 주소에서 로그인 실패가 너무 많습니다. 1분 후에 다시 시도하세요.",
        de: "Zu viele fehlgeschlagene Anmeldungen von Ihrer Adresse; warten Sie eine Minute und versuchen Sie es erneut.",
        ja: "このアドレスからのサインイン失敗が多すぎます。1分待ってから再度お試しください。",
        es: "Demasiados inicios de sesión fallidos desde su dirección; espere un minuto y vuelva a intentarlo.",
    }
    err_account_locked {
        en: "Too many failed sign-ins for this email; wait a few minutes and try again.",
        ko: "이 이메일의 로그인 실패가 너무 많습니다. 몇 분 후에 다시 시도하세요.",
        de: "Zu viele fehlgeschlagene Anmeldungen für diese E-Mail; warten Sie einige Minuten und versuchen Sie es erneut.",
        ja: "このメールアドレスのサインイン失敗が多すぎます。数分待ってから再度お試しください。",
        es: "Demasiados inicios de sesión fallidos para este correo; espere unos minutos y vuelva a intentarlo.",
    }
    err_account_disabled { en: "This account is disabled; ask your administrator.", ko: "이 계정은 비활성화되었습니다. 관리자에게 문의하세요.", de: "Dieses Konto ist deaktiviert; wenden Sie sich an Ihren Administrator.", ja: "このアカウントは無効です。管理者にお問い合わせください。", es: "Esta cuenta está desactivada; consulte a su administrador." }
    err_invitation_used { en: "This invitation has already been accepted or was changed meanwhile.", ko: "이 초대는 이미 수락되었거나 그사이 변경되었습니다.", de: "Diese Einladung wurde bereits angenommen oder inzwischen geändert.", ja: "この招待はすでに承諾されたか、その間に変更されました。", es: "Esta invitación ya fue aceptada o cambió mientras tanto." }
    err_invitation_not_pending { en: "The invitation is no longer pending.", ko: "이 초대는 더 이상 대기 중이 아닙니다.", de: "Die Einladung ist nicht mehr ausstehend.", ja: "この招待はもう保留中ではありません。", es: "La invitación ya no está pendiente." }
    err_account_exists { en: "An account with this email exists; sign in with it instead.", ko: "이 이메일의 계정이 이미 있습니다. 그 계정으로 로그인하세요.", de: "Ein Konto mit dieser E-Mail existiert; melden Sie sich stattdessen damit an.", ja: "このメールアドレスのアカウントがすでにあります。そのアカウントでサインインしてください。", es: "Ya existe una cuenta con este correo; inicie sesión con ella." }
    err_not_a_member { en: "Only an active member of the inviting partner can accept a site invitation.", ko: "사이트 초대는 초대한 파트너의 활성 멤버만 수락할 수 있습니다.", de: "Nur ein aktives Mitglied des einladenden Partners kann eine Standort-Einladung annehmen.", ja: "サイトへの招待を承諾できるのは、招待したパートナーの有効なメンバーだけです。", es: "Solo un miembro activo del partner que invita puede aceptar una invitación a un sitio." }
    err_membership_disabled { en: "The member is disabled; enable them first.", ko: "비활성 멤버입니다. 먼저 활성화하세요.", de: "Das Mitglied ist deaktiviert; aktivieren Sie es zuerst.", ja: "このメンバーは無効です。先に有効にしてください。", es: "El miembro está desactivado; actívelo primero." }
    err_email_taken { en: "An account with this email, or one that looks just like it, already exists.", ko: "이 이메일 또는 이와 똑같아 보이는 이메일의 계정이 이미 있습니다.", de: "Ein Konto mit dieser E-Mail oder einer zum Verwechseln ähnlichen existiert bereits.", ja: "このメールアドレス、またはそっくりなアドレスのアカウントがすでにあります。", es: "Ya existe una cuenta con este correo o con uno que se le parece mucho." }
    err_already_member { en: "The account is already a member of this partner.", ko: "이 계정은 이미 이 파트너의 멤버입니다.", de: "Das Konto ist bereits Mitglied dieses Partners.", ja: "このアカウントはすでにこのパートナーのメンバーです。", es: "La cuenta ya es miembro de este partner." }
    err_already_invited { en: "An open invitation for this email already exists.", ko: "이 이메일에 대한 열린 초대가 이미 있습니다.", de: "Für diese E-Mail gibt es bereits eine offene Einladung.", ja: "このメールアドレスへの有効な招待がすでにあります。", es: "Ya hay una invitación abierta para este correo." }
    err_already_assigned { en: "The account is already assigned to this site.", ko: "이 계정은 이미 이 사이트에 배정되어 있습니다.", de: "Das Konto ist diesem Standort bereits zugewiesen.", ja: "このアカウントはすでにこのサイトに割り当てられています。", es: "La cuenta ya está asignada a este sitio." }
    err_last_super_admin { en: "The partner must keep at least one active Super Admin.", ko: "파트너에는 활성 최고 관리자가 한 명 이상 있어야 합니다.", de: "Der Partner muss mindestens einen aktiven Super-Admin behalten.", ja: "パートナーには有効なスーパー管理者が少なくとも1人必要です。", es: "El partner debe conservar al menos un superadministrador activo." }
    err_licence_exhausted { en: "Every licence seat for this privilege is taken; free a seat or ask the operator for more.", ko: "이 권한의 라이선스 좌석이 모두 사용 중입니다. 좌석을 비우거나 운영자에게 추가를 요청하세요.", de: "Alle Lizenzplätze für diese Berechtigung sind belegt; geben Sie einen frei oder bitten Sie den Betreiber um mehr.", ja: "この権限のライセンスの席はすべて使用中です。席を空けるか、運用者に追加を依頼してください。", es: "Todas las licencias de este privilegio están ocupadas; libere una o pida más al operador." }
    err_concurrent_change { en: "Someone changed the same thing at the same moment; try again.", ko: "같은 순간에 다른 사람이 같은 항목을 변경했습니다. 다시 시도하세요.", de: "Jemand hat im selben Moment dasselbe geändert; versuchen Sie es erneut.", ja: "同じ瞬間に別の人が同じものを変更しました。もう一度お試しください。", es: "Alguien cambió lo mismo en el mismo momento; inténtelo de nuevo." }
    err_reset_link_gone { en: "The password reset link was used, replaced or has expired.", ko: "비밀번호 재설정 링크가 이미 쓰였거나, 바뀌었거나, 만료되었습니다.", de: "Der Link zum Zurücksetzen des Passworts wurde benutzt, ersetzt oder ist abgelaufen.", ja: "パスワード再設定リンクは使用済みか、置き換えられたか、期限切れです。", es: "El enlace para restablecer la contraseña ya se usó, se sustituyó o ha caducado." }
    err_totp_already_enabled { en: "Two-step sign-in is already on.", ko: "2단계 로그인이 이미 켜져 있습니다.", de: "Die Anmeldung in zwei Schritten ist bereits an.", ja: "2段階サインインはすでにオンです。", es: "El inicio de sesión en dos pasos ya está activado." }
    err_totp_not_pending { en: "Start turning on two-step sign-in again.", ko: "2단계 로그인 켜기를 처음부터 다시 시작하세요.", de: "Beginnen Sie das Einschalten der Anmeldung in zwei Schritten erneut.", ja: "2段階サインインをオンにする手順を最初からやり直してください。", es: "Vuelva a empezar a activar el inicio de sesión en dos pasos." }
    err_totp_not_enabled { en: "Two-step sign-in is not on.", ko: "2단계 로그인이 켜져 있지 않습니다.", de: "Die Anmeldung in zwei Schritten ist nicht an.", ja: "2段階サインインはオンになっていません。", es: "El inicio de sesión en dos pasos no está activado." }
    err_technician_access_off { en: "Technician Access is off for this site; its admins turn it on.", ko: "이 사이트는 기술자 접근이 꺼져 있습니다. 사이트 관리자가 켤 수 있습니다.", de: "Der Technikerzugang ist für diesen Standort aus; seine Admins schalten ihn ein.", ja: "このサイトの技術者アクセスはオフです。サイトの管理者がオンにできます。", es: "El acceso de técnicos está desactivado en este sitio; sus administradores lo activan." }
    err_unavailable { en: "The service is briefly unavailable; try again in a moment.", ko: "서비스를 잠시 쓸 수 없습니다. 잠시 후 다시 시도하세요.", de: "Der Dienst ist kurz nicht verfügbar; versuchen Sie es gleich noch einmal.", ja: "サービスが一時的に利用できません。しばらくしてからもう一度お試しください。", es: "El servicio no está disponible un momento; inténtelo de nuevo enseguida." }

    // Signing in.
    sign_in { en: "Sign in", ko: "로그인", de: "Anmelden", ja: "サインイン", es: "Iniciar sesión" }
    sign_in_heading { en: "Sign in to Siteward", ko: "Siteward에 로그인", de: "Bei Siteward anmelden", ja: "Siteward にサインイン", es: "Iniciar sesión en Siteward" }
    forgotten_password { en: "Forgotten your password?", ko: "비밀번호를 잊으셨나요?", de: "Passwort vergessen?", ja: "パスワードをお忘れですか?", es: "¿Ha olvidado su contraseña?" }
    wrong_email_or_password { en: "The email or password is wrong.", ko: "이메일 또는 비밀번호가 틀렸습니다.", de: "E-Mail oder Passwort ist falsch.", ja: "メールアドレスまたはパスワードが違います。", es: "El correo o la contraseña no son correctos." }
    totp_step_heading { en: "Enter your code", ko: "코드 입력", de: "Code eingeben", ja: "コードの入力", es: "Introduzca su código" }
    totp_step_explained {
        en: "Your password is right. Open your authenticator app and enter the six-digit code it shows for Siteward.",
        ko: "비밀번호가 맞습니다. 인증 앱을 열고 Siteward에 표시된 6자리 코드를 입력하세요.",
        de: "Ihr Passwort stimmt. Öffnen Sie Ihre Authenticator-App und geben Sie den sechsstelligen Code ein, den sie für Siteward anzeigt.",
        ja: "パスワードは正しいです。認証アプリを開き、Sitewardに表示されている6桁のコードを入力してください。",
        es: "Su contraseña es correcta. Abra su aplicación de autenticación y escriba el código de seis dígitos que muestra para Siteward.",
    }
    start_over { en: "Start again", ko: "처음부터 다시", de: "Neu beginnen", ja: "最初からやり直す", es: "Empezar de nuevo" }
    sign_in_expired {
        en: "The sign-in took too long or was finished already; enter your password again.",
        ko: "로그인 시간이 초과되었거나 이미 완료되었습니다. 비밀번호를 다시 입력하세요.",
        de: "Die Anmeldung hat zu lange gedauert oder ist schon abgeschlossen; geben Sie Ihr Passwort erneut ein.",
        ja: "サインインに時間がかかりすぎたか、すでに完了しています。パスワードをもう一度入力してください。",
        es: "El inicio de sesión tardó demasiado o ya se completó; escriba de nuevo su contraseña.",
    }
    totp_wrong {
        en: "That code is not right; enter the one the app shows now.",
        ko: "코드가 맞지 않습니다. 앱에 지금 표시된 코드를 입력하세요.",
        de: "Dieser Code stimmt nicht; geben Sie den ein, den die App jetzt anzeigt.",
        ja: "コードが正しくありません。アプリに今表示されているコードを入力してください。",
        es: "Ese código no es correcto; escriba el que muestra ahora la aplicación.",
    }

    // Forgotten password.
    forgotten_password_title { en: "Forgotten password", ko: "비밀번호 찾기", de: "Passwort vergessen", ja: "パスワードの再設定", es: "Contraseña olvidada" }
    forgot_explained {
        en: "Give the address you sign in with; we send it a link to choose a new password.",
        ko: "로그인에 쓰는 주소를 입력하면 새 비밀번호를 정하는 링크를 보내 드립니다.",
        de: "Geben Sie die Adresse an, mit der Sie sich anmelden; wir schicken ihr einen Link, um ein neues Passwort zu wählen.",
        ja: "サインインに使うアドレスを入力してください。新しいパスワードを設定するリンクを送ります。",
        es: "Escriba la dirección con la que inicia sesión; le enviaremos un enlace para elegir una contraseña nueva.",
    }
    send_the_link { en: "Send the link", ko: "링크 보내기", de: "Link senden", ja: "リンクを送信", es: "Enviar el enlace" }
    back_to_sign_in { en: "Back to sign in", ko: "로그인으로 돌아가기", de: "Zurück zur Anmeldung", ja: "サインインに戻る", es: "Volver a iniciar sesión" }
    reset_link_sent {
        en: "If an account uses {email}, we have sent it a link to choose a new password. The link works once, for one hour.",
        ko: "{email}을(를) 쓰는 계정이 있으면 새 비밀번호를 정하는 링크를 보냈습니다. 링크는 1시간 동안 한 번만 쓸 수 있습니다.",
        de: "Falls ein Konto {email} verwendet, haben wir ihm einen Link geschickt, um ein neues Passwort zu wählen. Der Link funktioniert einmal, eine Stunde lang.",
        ja: "{email}を使うアカウントがあれば、新しいパスワードを設定するリンクを送りました。リンクは1時間以内に1回だけ使えます。",
        es: "Si alguna cuenta usa {email}, le hemos enviado un enlace para elegir una contraseña nueva. El enlace funciona una vez, durante una hora.",
    }
    nothing_arrived {
        en: "Nothing arrived after a few minutes? Check the spam folder, then ask again.",
        ko: "몇 분이 지나도 오지 않나요? 스팸 폴더를 확인한 뒤 다시 요청하세요.",
        de: "Nach ein paar Minuten nichts angekommen? Sehen Sie im Spam-Ordner nach und fragen Sie dann erneut.",
        ja: "数分たっても届かない場合は、迷惑メールフォルダーを確認してから、もう一度お申し込みください。",
        es: "¿No ha llegado nada tras unos minutos? Revise la carpeta de spam y vuelva a pedirlo.",
    }
    choose_new_password { en: "Choose a new password", ko: "새 비밀번호 정하기", de: "Neues Passwort wählen", ja: "新しいパスワードの設定", es: "Elija una contraseña nueva" }
    reset_for {
        en: "For {email}. Every place this account is signed in is signed out; two-step sign-in stays on.",
        ko: "{email} 계정입니다. 이 계정이 로그인된 모든 곳에서 로그아웃되며, 2단계 로그인은 그대로 유지됩니다.",
        de: "Für {email}. Überall, wo dieses Konto angemeldet ist, wird es abgemeldet; die Anmeldung in zwei Schritten bleibt an.",
        ja: "{email}のアカウントです。このアカウントはサインイン中のすべての場所からサインアウトされます。2段階サインインはオンのままです。",
        es: "Para {email}. Se cerrarán todas las sesiones de esta cuenta; el inicio de sesión en dos pasos sigue activado.",
    }
    new_password { en: "New password", ko: "새 비밀번호", de: "Neues Passwort", ja: "新しいパスワード", es: "Nueva contraseña" }
    set_the_password { en: "Set the password", ko: "비밀번호 설정", de: "Passwort festlegen", ja: "パスワードを設定", es: "Establecer la contraseña" }
    link_gone { en: "This link no longer works", ko: "이 링크는 더 이상 작동하지 않습니다", de: "Dieser Link funktioniert nicht mehr", ja: "このリンクはもう使えません", es: "Este enlace ya no funciona" }
    link_gone_next {
        en: "Ask for a new link; it reaches you by email again.",
        ko: "새 링크를 요청하세요. 이메일로 다시 보내 드립니다.",
        de: "Fordern Sie einen neuen Link an; er kommt wieder per E-Mail.",
        ja: "新しいリンクを申し込んでください。再びメールで届きます。",
        es: "Pida un enlace nuevo; le llegará de nuevo por correo.",
    }
    ask_new_link { en: "Ask for a new link", ko: "새 링크 요청", de: "Neuen Link anfordern", ja: "新しいリンクを申し込む", es: "Pedir un enlace nuevo" }
    password_was_changed { en: "Your password was changed", ko: "비밀번호가 변경되었습니다", de: "Ihr Passwort wurde geändert", ja: "パスワードを変更しました", es: "Su contraseña ha cambiado" }
    password_was_changed_why {
        en: "{email} has its new password; everywhere it was signed in, it is signed out.",
        ko: "{email} 계정에 새 비밀번호가 설정되었습니다. 로그인되어 있던 모든 곳에서 로그아웃되었습니다.",
        de: "{email} hat sein neues Passwort; überall, wo es angemeldet war, ist es abgemeldet.",
        ja: "{email}に新しいパスワードを設定しました。サインインしていたすべての場所からサインアウトされました。",
        es: "{email} tiene su contraseña nueva; se han cerrado todas sus sesiones.",
    }
    sign_in_with_new_password { en: "Sign in with the new password.", ko: "새 비밀번호로 로그인하세요.", de: "Melden Sie sich mit dem neuen Passwort an.", ja: "新しいパスワードでサインインしてください。", es: "Inicie sesión con la contraseña nueva." }

    // My account.
    my_account { en: "My account", ko: "내 계정", de: "Mein Konto", ja: "マイアカウント", es: "Mi cuenta" }
    profile { en: "Profile", ko: "프로필", de: "Profil", ja: "プロフィール", es: "Perfil" }
    two_step { en: "Two-step sign-in", ko: "2단계 로그인", de: "Anmeldung in zwei Schritten", ja: "2段階サインイン", es: "Inicio de sesión en dos pasos" }
    language { en: "Language", ko: "언어", de: "Sprache", ja: "言語", es: "Idioma" }
    language_label { en: "Language of the console", ko: "콘솔 언어", de: "Sprache der Konsole", ja: "コンソールの言語", es: "Idioma de la consola" }
    language_browser { en: "As my browser asks", ko: "브라우저 설정에 따름", de: "Wie mein Browser es wünscht", ja: "ブラウザーの設定に従う", es: "Según mi navegador" }
    language_hint {
        en: "Dates and numbers follow the language too. Emails you receive keep the language their sender chose.",
        ko: "날짜와 숫자도 이 언어를 따릅니다. 받는 이메일은 보낸 쪽이 정한 언어로 옵니다.",
        de: "Daten und Zahlen richten sich ebenfalls nach der Sprache. E-Mails an Sie behalten die Sprache, die ihr Absender gewählt hat.",
        ja: "日付と数字もこの言語に従います。受け取るメールは送信者が選んだ言語のままです。",
        es: "Las fechas y los números también siguen el idioma. Los correos que reciba mantienen el idioma que eligió quien los envía.",
    }
    language_saved { en: "Saved. The console now speaks your choice.", ko: "저장했습니다. 이제 콘솔이 선택한 언어로 표시됩니다.", de: "Gespeichert. Die Konsole spricht jetzt Ihre Wahl.", ja: "保存しました。コンソールは選んだ言語で表示されます。", es: "Guardado. La consola ya habla el idioma elegido." }
    language_unknown { en: "Choose a language from the list.", ko: "목록에서 언어를 선택하세요.", de: "Wählen Sie eine Sprache aus der Liste.", ja: "一覧から言語を選んでください。", es: "Elija un idioma de la lista." }
    totp_on_explained {
        en: "Signing in asks for a code from your authenticator app as well as your password.",
        ko: "로그인할 때 비밀번호와 함께 인증 앱의 코드를 묻습니다.",
        de: "Bei der Anmeldung wird neben Ihrem Passwort ein Code aus Ihrer Authenticator-App abgefragt.",
        ja: "サインイン時に、パスワードに加えて認証アプリのコードを求めます。",
        es: "Al iniciar sesión se pide un código de su aplicación de autenticación además de la contraseña.",
    }
    current_code { en: "Current code", ko: "현재 코드", de: "Aktueller Code", ja: "現在のコード", es: "Código actual" }
    totp_turn_off { en: "Turn off two-step sign-in", ko: "2단계 로그인 끄기", de: "Anmeldung in zwei Schritten ausschalten", ja: "2段階サインインをオフにする", es: "Desactivar el inicio de sesión en dos pasos" }
    totp_off_explained {
        en: "Ask for a code from an authenticator app at every sign-in, as well as your password.",
        ko: "로그인할 때마다 비밀번호와 함께 인증 앱의 코드를 묻습니다.",
        de: "Bei jeder Anmeldung neben dem Passwort einen Code aus einer Authenticator-App abfragen.",
        ja: "サインインのたびに、パスワードに加えて認証アプリのコードを求めます。",
        es: "Pedir un código de una aplicación de autenticación en cada inicio de sesión, además de la contraseña.",
    }
    totp_turn_on { en: "Turn on two-step sign-in", ko: "2단계 로그인 켜기", de: "Anmeldung in zwei Schritten einschalten", ja: "2段階サインインをオンにする", es: "Activar el inicio de sesión en dos pasos" }
    totp_now_on {
        en: "Two-step sign-in is on: signing in now asks for a code as well.",
        ko: "2단계 로그인이 켜졌습니다. 이제 로그인할 때 코드도 묻습니다.",
        de: "Die Anmeldung in zwei Schritten ist an: Beim Anmelden wird jetzt auch ein Code abgefragt.",
        ja: "2段階サインインがオンになりました。今後はサインイン時にコードも求められます。",
        es: "El inicio de sesión en dos pasos está activado: ahora también se pide un código.",
    }
    totp_now_off { en: "Two-step sign-in is off.", ko: "2단계 로그인이 꺼졌습니다.", de: "Die Anmeldung in zwei Schritten ist aus.", ja: "2段階サインインをオフにしました。", es: "El inicio de sesión en dos pasos está desactivado." }
    change_my_password { en: "Change my password", ko: "비밀번호 변경", de: "Mein Passwort ändern", ja: "パスワードの変更", es: "Cambiar mi contraseña" }
    password_changed {
        en: "Your password is changed. Every other session of your account has been signed out.",
        ko: "비밀번호가 변경되었습니다. 이 계정의 다른 모든 세션은 로그아웃되었습니다.",
        de: "Ihr Passwort ist geändert. Alle anderen Sitzungen Ihres Kontos wurden abgemeldet.",
        ja: "パスワードを変更しました。このアカウントの他のセッションはすべてサインアウトされました。",
        es: "Su contraseña ha cambiado. Se han cerrado todas las demás sesiones de su cuenta.",
    }
    current_password { en: "Current password", ko: "현재 비밀번호", de: "Aktuelles Passwort", ja: "現在のパスワード", es: "Contraseña actual" }
    new_password_hint {
        en: "At least 12 characters, not easy to guess. Signing in elsewhere will need it.",
        ko: "12자 이상, 추측하기 어렵게 정하세요. 다른 곳에서 로그인할 때 필요합니다.",
        de: "Mindestens 12 Zeichen, nicht leicht zu erraten. Anmeldungen anderswo brauchen es dann.",
        ja: "12文字以上で、推測されにくいものにしてください。他の場所でサインインするときに必要です。",
        es: "Al menos 12 caracteres, difícil de adivinar. Lo necesitará para iniciar sesión en otros lugares.",
    }
    change_password { en: "Change password", ko: "비밀번호 변경", de: "Passwort ändern", ja: "パスワードを変更", es: "Cambiar la contraseña" }
    where_signed_in { en: "Where I am signed in", ko: "로그인된 곳", de: "Wo ich angemeldet bin", ja: "サインイン中の場所", es: "Dónde tengo la sesión iniciada" }
    others_signed_out {
        en: "Every other session is signed out; this one stays.",
        ko: "다른 모든 세션을 로그아웃했습니다. 이 세션은 유지됩니다.",
        de: "Alle anderen Sitzungen sind abgemeldet; diese bleibt.",
        ja: "他のすべてのセッションをサインアウトしました。このセッションは残ります。",
        es: "Se han cerrado todas las demás sesiones; esta sigue abierta.",
    }
    sessions_caption { en: "Your sessions, oldest first", ko: "내 세션(오래된 순)", de: "Ihre Sitzungen, die älteste zuerst", ja: "あなたのセッション(古い順)", es: "Sus sesiones, de la más antigua a la más reciente" }
    session_client { en: "From", ko: "접속 환경", de: "Von", ja: "接続元", es: "Desde" }
    session_since { en: "Since", ko: "시작", de: "Seit", ja: "開始", es: "Inicio" }
    session_ends { en: "Ends", ko: "종료", de: "Endet", ja: "終了", es: "Fin" }
    this_session { en: "This one", ko: "현재 세션", de: "Diese", ja: "このセッション", es: "Esta" }
    end_session_label {
        en: "Sign out the session from {client} since {since}",
        ko: "{since}부터 {client}에서 로그인된 세션 로그아웃",
        de: "Sitzung von {client} seit {since} abmelden",
        ja: "{since}から{client}でサインインしているセッションをサインアウト",
        es: "Cerrar la sesión de {client} iniciada el {since}",
    }
    sign_out_everywhere_else { en: "Sign out everywhere else", ko: "다른 모든 곳에서 로그아웃", de: "Überall sonst abmelden", ja: "他のすべての場所からサインアウト", es: "Cerrar sesión en los demás dispositivos" }
    session_not_ended { en: "The session could not be ended; try again.", ko: "세션을 끝내지 못했습니다. 다시 시도하세요.", de: "Die Sitzung konnte nicht beendet werden; versuchen Sie es erneut.", ja: "セッションを終了できませんでした。もう一度お試しください。", es: "No se ha podido cerrar la sesión; inténtelo de nuevo." }
    somewhere_not_recorded { en: "Somewhere not recorded", ko: "기록되지 않은 곳", de: "Nicht erfasst", ja: "記録されていない場所", es: "Lugar no registrado" }

    // Turning on two-step sign-in.
    totp_setup_scan { en: "Scan this code with your authenticator app.", ko: "인증 앱으로 이 코드를 스캔하세요.", de: "Scannen Sie diesen Code mit Ihrer Authenticator-App.", ja: "認証アプリでこのコードをスキャンしてください。", es: "Escanee este código con su aplicación de autenticación." }
    totp_setup_key { en: "Cannot scan it? Enter this key instead:", ko: "스캔할 수 없나요? 대신 이 키를 입력하세요:", de: "Scannen geht nicht? Geben Sie stattdessen diesen Schlüssel ein:", ja: "スキャンできない場合は、代わりにこのキーを入力してください:", es: "¿No puede escanearlo? Escriba esta clave:" }
    totp_setup_enter { en: "Enter the six-digit code the app shows now.", ko: "앱에 지금 표시된 6자리 코드를 입력하세요.", de: "Geben Sie den sechsstelligen Code ein, den die App jetzt anzeigt.", ja: "アプリに今表示されている6桁のコードを入力してください。", es: "Escriba el código de seis dígitos que muestra ahora la aplicación." }
    totp_qr_label { en: "QR code for your authenticator app", ko: "인증 앱용 QR 코드", de: "QR-Code für Ihre Authenticator-App", ja: "認証アプリ用のQRコード", es: "Código QR para su aplicación de autenticación" }
    code_from_app { en: "Code from the app", ko: "앱의 코드", de: "Code aus der App", ja: "アプリのコード", es: "Código de la aplicación" }
    turn_on { en: "Turn on", ko: "켜기", de: "Einschalten", ja: "オンにする", es: "Activar" }
    not_now { en: "Not now", ko: "나중에", de: "Nicht jetzt", ja: "今はしない", es: "Ahora no" }

    // The audit log.
    audit_log_of { en: "Audit log of {name}", ko: "{name}의 감사 로그", de: "Audit-Protokoll von {name}", ja: "{name}の監査ログ", es: "Registro de auditoría de {name}" }
    which_events { en: "Which events", ko: "표시할 이벤트", de: "Welche Ereignisse", ja: "表示するイベント", es: "Qué eventos" }
    person_email { en: "Person (their email)", ko: "사람(이메일)", de: "Person (ihre E-Mail)", ja: "人(メールアドレス)", es: "Persona (su correo)" }
    any_action { en: "Any action", ko: "모든 작업", de: "Jede Aktion", ja: "すべての操作", es: "Cualquier acción" }
    first_day { en: "First day (UTC)", ko: "시작일(UTC)", de: "Erster Tag (UTC)", ja: "開始日(UTC)", es: "Primer día (UTC)" }
    last_day { en: "Last day (UTC)", ko: "종료일(UTC)", de: "Letzter Tag (UTC)", ja: "終了日(UTC)", es: "Último día (UTC)" }
    show_events { en: "Show events", ko: "이벤트 보기", de: "Ereignisse anzeigen", ja: "イベントを表示", es: "Mostrar eventos" }
    clear_filters { en: "Clear the filters", ko: "필터 지우기", de: "Filter zurücksetzen", ja: "フィルターをクリア", es: "Quitar los filtros" }
    events_newest_first { en: "Events, newest first", ko: "이벤트(최신순)", de: "Ereignisse, neueste zuerst", ja: "イベント(新しい順)", es: "Eventos, los más recientes primero" }
    no_event_matches { en: "No event matches.", ko: "일치하는 이벤트가 없습니다.", de: "Kein Ereignis passt.", ja: "一致するイベントはありません。", es: "Ningún evento coincide." }
    who { en: "Who", ko: "실행자", de: "Wer", ja: "実行者", es: "Quién" }
    older_events { en: "Older events", ko: "이전 이벤트", de: "Ältere Ereignisse", ja: "以前のイベント", es: "Eventos anteriores" }
    export { en: "Export", ko: "내보내기", de: "Exportieren", ja: "エクスポート", es: "Exportar" }
    no_exporter {
        en: "No audit exporter is installed on this host.",
        ko: "이 호스트에는 감사 로그 내보내기가 설치되어 있지 않습니다.",
        de: "Auf diesem Host ist kein Audit-Exporter installiert.",
        ja: "このホストには監査ログのエクスポーターがインストールされていません。",
        es: "No hay ningún exportador de auditoría instalado en este servidor.",
    }
    export_explained {
        en: "Every event that matches the filters above, oldest first, as a file.",
        ko: "위 필터와 일치하는 모든 이벤트를 오래된 순으로 파일로 받습니다.",
        de: "Alle Ereignisse, die zu den Filtern oben passen, älteste zuerst, als Datei.",
        ja: "上のフィルターに一致するすべてのイベントを、古い順にファイルで受け取ります。",
        es: "Todos los eventos que coinciden con los filtros de arriba, del más antiguo al más reciente, en un archivo.",
    }
    format { en: "Format", ko: "형식", de: "Format", ja: "形式", es: "Formato" }
    tamper_evidence { en: "Tamper evidence", ko: "변조 검출", de: "Manipulationsnachweis", ja: "改ざんの検出", es: "Evidencia de manipulación" }
    tamper_explained {
        en: "Every event is linked to the one before it by a hash, so a change, a removal or an insertion shows.",
        ko: "모든 이벤트는 해시로 바로 앞의 이벤트와 연결되어 있어 변경, 삭제, 삽입이 드러납니다.",
        de: "Jedes Ereignis ist durch einen Hash mit dem vorigen verknüpft; so fällt jede Änderung, Entfernung oder Einfügung auf.",
        ja: "各イベントはハッシュで直前のイベントとつながっているため、変更・削除・挿入があれば分かります。",
        es: "Cada evento está enlazado con el anterior mediante un hash, así que se nota un cambio, una eliminación o una inserción.",
    }
    no_event_yet { en: "No event has been recorded yet.", ko: "아직 기록된 이벤트가 없습니다.", de: "Es wurde noch kein Ereignis aufgezeichnet.", ja: "まだイベントは記録されていません。", es: "Aún no se ha registrado ningún evento." }
    verify_chain { en: "Verify the chain", ko: "체인 검증", de: "Kette prüfen", ja: "チェーンを検証", es: "Verificar la cadena" }
    date_format_error {
        en: "Give a date as YYYY-MM-DD, for example 2026-03-01.",
        ko: "날짜를 YYYY-MM-DD 형식으로 입력하세요(예: 2026-03-01).",
        de: "Geben Sie ein Datum als JJJJ-MM-TT an, zum Beispiel 2026-03-01.",
        ja: "日付はYYYY-MM-DDの形式で入力してください(例: 2026-03-01)。",
        es: "Escriba una fecha como AAAA-MM-DD, por ejemplo 2026-03-01.",
    }
    last_before_first { en: "The last day comes before the first.", ko: "종료일이 시작일보다 앞섭니다.", de: "Der letzte Tag liegt vor dem ersten.", ja: "終了日が開始日より前です。", es: "El último día es anterior al primero." }
    choose_action { en: "Choose an action from the list.", ko: "목록에서 작업을 선택하세요.", de: "Wählen Sie eine Aktion aus der Liste.", ja: "一覧から操作を選んでください。", es: "Elija una acción de la lista." }
    actor_account { en: "Account {id}", ko: "계정 {id}", de: "Konto {id}", ja: "アカウント {id}", es: "Cuenta {id}" }
    actor_token { en: "API token {id}", ko: "API 토큰 {id}", de: "API-Token {id}", ja: "APIトークン {id}", es: "Token de API {id}" }
    chain_broken {
        en: "Broken at position {position}: {problem}. The events before it ({n}) are intact.",
        ko: "{position}번째에서 끊어졌습니다: {problem}. 그 앞의 이벤트({n}개)는 온전합니다.",
        de: "Unterbrochen an Position {position}: {problem}. Die Ereignisse davor ({n}) sind unversehrt.",
        ja: "{position}番目で途切れています: {problem}。それより前のイベント({n}件)は無傷です。",
        es: "Rota en la posición {position}: {problem}. Los eventos anteriores ({n}) están intactos.",
    }
    chain_intact {
        en: "Intact: every event links up to the recorded head ({n} checked).",
        ko: "온전함: 모든 이벤트가 기록된 헤드까지 이어집니다({n}개 확인).",
        de: "Unversehrt: Alle Ereignisse sind bis zum erfassten Kopf verknüpft ({n} geprüft).",
        ja: "無傷: すべてのイベントが記録された先頭までつながっています({n}件を確認)。",
        es: "Intacta: todos los eventos enlazan hasta la cabeza registrada ({n} comprobados).",
    }
    chain_unchained {
        en: "The chained events link up ({n} checked), but events of this tenant sit outside the chain ({outside}).",
        ko: "체인에 연결된 이벤트는 이어지지만({n}개 확인), 이 테넌트의 이벤트 일부가 체인 밖에 있습니다({outside}개).",
        de: "Die verketteten Ereignisse sind verknüpft ({n} geprüft), aber Ereignisse dieses Mandanten liegen außerhalb der Kette ({outside}).",
        ja: "チェーン上のイベントはつながっています({n}件を確認)が、このテナントのイベントの一部がチェーンの外にあります({outside}件)。",
        es: "Los eventos encadenados enlazan ({n} comprobados), pero hay eventos de este cliente fuera de la cadena ({outside}).",
    }

    // Customers and sites.
    customers_and_sites { en: "Customers and sites", ko: "고객과 사이트", de: "Kunden und Standorte", ja: "顧客とサイト", es: "Clientes y sitios" }
    customers_and_sites_of { en: "Customers and sites of {partner}", ko: "{partner}의 고객과 사이트", de: "Kunden und Standorte von {partner}", ja: "{partner}の顧客とサイト", es: "Clientes y sitios de {partner}" }
    sites { en: "Sites", ko: "사이트", de: "Standorte", ja: "サイト", es: "Sitios" }
    no_site_yet {
        en: "No site yet. Create a customer, then its first site below.",
        ko: "아직 사이트가 없습니다. 아래에서 고객을 만든 다음 첫 사이트를 만드세요.",
        de: "Noch kein Standort. Legen Sie unten einen Kunden und dann seinen ersten Standort an.",
        ja: "まだサイトはありません。下で顧客を作成してから、最初のサイトを作成してください。",
        es: "Aún no hay sitios. Cree un cliente y después su primer sitio, más abajo.",
    }
    partner_sites_caption { en: "The partner's sites", ko: "파트너의 사이트", de: "Die Standorte des Partners", ja: "パートナーのサイト", es: "Los sitios del partner" }
    technician_access { en: "Technician Access", ko: "기술자 접근", de: "Technikerzugang", ja: "技術者アクセス", es: "Acceso de técnicos" }
    next_sites { en: "Next sites", ko: "다음 사이트", de: "Weitere Standorte", ja: "次のサイト", es: "Más sitios" }
    new_site { en: "New site", ko: "새 사이트", de: "Neuer Standort", ja: "新しいサイト", es: "Nuevo sitio" }
    customer_first {
        en: "A site belongs to a customer: create the customer first.",
        ko: "사이트는 고객에 속합니다. 먼저 고객을 만드세요.",
        de: "Ein Standort gehört zu einem Kunden: Legen Sie zuerst den Kunden an.",
        ja: "サイトは顧客に属します。先に顧客を作成してください。",
        es: "Un sitio pertenece a un cliente: cree primero el cliente.",
    }
    site_name { en: "Site name", ko: "사이트 이름", de: "Name des Standorts", ja: "サイト名", es: "Nombre del sitio" }
    site_admin_role { en: "Site admin", ko: "사이트 관리자", de: "Standort-Admin", ja: "サイト管理者", es: "Administrador del sitio" }
    joined_site_admin { en: "You are an admin of {site}, for {partner}'s customer: you decide which technicians may enter it.", ko: "{partner} 고객의 {site} 관리자가 되었습니다. 어떤 기술자가 들어올 수 있는지 결정합니다.", de: "Sie sind Admin von {site}, einem Kunden von {partner}: Sie entscheiden, welche Techniker hinein dürfen.", ja: "{partner}の顧客である{site}の管理者になりました。どの技術者が入れるかはあなたが決めます。", es: "Es administrador de {site}, cliente de {partner}: usted decide qué técnicos pueden entrar." }
    first_site_admin { en: "Its first site admin", ko: "첫 사이트 관리자", de: "Sein erster Standort-Admin", ja: "最初のサイト管理者", es: "Su primer administrador del sitio" }
    password_new_account { en: "Password for a new account", ko: "새 계정의 비밀번호", de: "Passwort für ein neues Konto", ja: "新しいアカウントのパスワード", es: "Contraseña para una cuenta nueva" }
    password_new_account_hint {
        en: "Leave it empty to add someone this partner or customer already has, or to send anyone else an invitation.",
        ko: "이 파트너나 고객에 이미 있는 사람을 추가하거나 그 밖의 사람에게 초대장을 보내려면 비워 두세요.",
        de: "Leer lassen, um jemanden hinzuzufügen, den dieser Partner oder Kunde schon hat, oder allen anderen eine Einladung zu senden.",
        ja: "このパートナーまたは顧客にすでにいる人を追加する場合や、それ以外の人に招待を送る場合は空欄にしてください。",
        es: "Déjela vacía para añadir a alguien que este partner o cliente ya tiene, o para enviar una invitación a cualquier otra persona.",
    }
    create_site { en: "Create site", ko: "사이트 만들기", de: "Standort anlegen", ja: "サイトを作成", es: "Crear sitio" }
    new_customer { en: "New customer", ko: "새 고객", de: "Neuer Kunde", ja: "新しい顧客", es: "Nuevo cliente" }
    customer_name { en: "Customer name", ko: "고객 이름", de: "Name des Kunden", ja: "顧客名", es: "Nombre del cliente" }
    create_customer { en: "Create customer", ko: "고객 만들기", de: "Kunden anlegen", ja: "顧客を作成", es: "Crear cliente" }

    // The invitation page.
    invitation_from { en: "Invitation from {partner}", ko: "{partner}의 초대", de: "Einladung von {partner}", ja: "{partner}からの招待", es: "Invitación de {partner}" }
    invites_you { en: "{partner} invites you", ko: "{partner}에서 초대합니다", de: "{partner} lädt Sie ein", ja: "{partner}から招待が届いています", es: "{partner} le invita" }
    invitation_for { en: "For", ko: "받는 사람", de: "Für", ja: "宛先", es: "Para" }
    unlock_after_accept {
        en: "After you accept, a site admin of {site} unlocks your access; until then it stays Locked.",
        ko: "수락하면 {site}의 사이트 관리자가 접근 잠금을 해제합니다. 그때까지는 잠겨 있습니다.",
        de: "Nach Ihrer Annahme gibt ein Standort-Admin von {site} Ihren Zugang frei; bis dahin bleibt er gesperrt.",
        ja: "承諾後、{site}のサイト管理者がアクセスのロックを解除します。それまではロックされたままです。",
        es: "Cuando acepte, un administrador de {site} desbloqueará su acceso; hasta entonces queda bloqueado.",
    }
    sign_in_to_accept { en: "Sign in to accept", ko: "로그인하여 수락", de: "Zum Annehmen anmelden", ja: "サインインして承諾", es: "Inicie sesión para aceptar" }
    account_exists { en: "You already have a Siteward account as {email}.", ko: "{email}(으)로 된 Siteward 계정이 이미 있습니다.", de: "Sie haben bereits ein Siteward-Konto als {email}.", ja: "{email}のSitewardアカウントをすでにお持ちです。", es: "Ya tiene una cuenta de Siteward como {email}." }
    sign_in_and_accept { en: "Sign in and accept", ko: "로그인하고 수락", de: "Anmelden und annehmen", ja: "サインインして承諾する", es: "Iniciar sesión y aceptar" }
    create_account_to_accept { en: "Create your account to accept", ko: "수락하려면 계정을 만드세요", de: "Legen Sie Ihr Konto an, um anzunehmen", ja: "承諾するにはアカウントを作成してください", es: "Cree su cuenta para aceptar" }
    your_name { en: "Your name", ko: "이름", de: "Ihr Name", ja: "お名前", es: "Su nombre" }
    create_account_and_accept { en: "Create account and accept", ko: "계정 만들고 수락", de: "Konto anlegen und annehmen", ja: "アカウントを作成して承諾する", es: "Crear la cuenta y aceptar" }
    invitation_accepted { en: "Invitation accepted", ko: "초대 수락됨", de: "Einladung angenommen", ja: "招待を承諾しました", es: "Invitación aceptada" }
    you_are_in { en: "You are in", ko: "참여했습니다", de: "Sie sind dabei", ja: "参加しました", es: "Ya está dentro" }
    signed_in_as { en: "You are signed in as {email}.", ko: "{email}(으)로 로그인했습니다.", de: "Sie sind als {email} angemeldet.", ja: "{email}としてサインインしています。", es: "Ha iniciado sesión como {email}." }
    see_my_access { en: "See my access", ko: "내 접근 보기", de: "Meinen Zugang ansehen", ja: "自分のアクセスを見る", es: "Ver mi acceso" }
    joined_site {
        en: "You are a technician of {site} for {partner}, with the level {level}.",
        ko: "{partner}의 기술자로 {site}에 배정되었습니다. 권한 수준은 {level}입니다.",
        de: "Sie sind Techniker für {site} im Auftrag von {partner}, mit der Stufe {level}.",
        ja: "{partner}の技術者として{site}に割り当てられました。権限レベルは{level}です。",
        es: "Es técnico de {site} para {partner}, con el nivel {level}.",
    }
    joined_site_locked {
        en: "Your access to {site} stays Locked until one of its site admins unlocks it.",
        ko: "{site}에 대한 접근은 사이트 관리자가 잠금을 해제할 때까지 잠겨 있습니다.",
        de: "Ihr Zugang zu {site} bleibt gesperrt, bis einer seiner Standort-Admins ihn freigibt.",
        ja: "{site}へのアクセスは、サイト管理者がロックを解除するまでロックされたままです。",
        es: "Su acceso a {site} sigue bloqueado hasta que uno de sus administradores lo desbloquee.",
    }
    joined_site_locked_access_off {
        en: "Your access to {site} stays Locked until one of its site admins unlocks it. Technician Access is also off at {site} for now: no technician can enter until its admins switch it on.",
        ko: "{site}에 대한 접근은 사이트 관리자가 잠금을 해제할 때까지 잠겨 있습니다. 또한 현재 {site}의 기술자 접근이 꺼져 있어, 관리자가 켤 때까지 어떤 기술자도 들어갈 수 없습니다.",
        de: "Ihr Zugang zu {site} bleibt gesperrt, bis einer seiner Standort-Admins ihn freigibt. Außerdem ist der Technikerzugang für {site} derzeit aus: Kein Techniker kommt hinein, bis die Admins ihn einschalten.",
        ja: "{site}へのアクセスは、サイト管理者がロックを解除するまでロックされたままです。また、現在{site}では技術者アクセスがオフです。管理者がオンにするまで、技術者は入れません。",
        es: "Su acceso a {site} sigue bloqueado hasta que uno de sus administradores lo desbloquee. Además, el acceso de técnicos está desactivado en {site} por ahora: ningún técnico puede entrar hasta que sus administradores lo activen.",
    }
    joined_partner { en: "You joined {partner} as {role}.", ko: "{role}(으)로 {partner}에 참여했습니다.", de: "Sie sind {partner} als {role} beigetreten.", ja: "{role}として{partner}に参加しました。", es: "Se ha unido a {partner} como {role}." }
    the_partner { en: "the partner", ko: "파트너", de: "der Partner", ja: "パートナー", es: "el partner" }
    the_site { en: "the site", ko: "사이트", de: "der Standort", ja: "サイト", es: "el sitio" }
    invitation_expired { en: "This invitation has expired", ko: "이 초대는 만료되었습니다", de: "Diese Einladung ist abgelaufen", ja: "この招待は期限切れです", es: "Esta invitación ha caducado" }
    was_open_until { en: "It was open until {date}.", ko: "{date}까지 유효했습니다.", de: "Sie war bis {date} offen.", ja: "有効期限は{date}でした。", es: "Estaba abierta hasta el {date}." }
    ask_to_resend {
        en: "Ask {partner} to send it again: a new link comes by email.",
        ko: "{partner}에 다시 보내 달라고 요청하세요. 새 링크가 이메일로 옵니다.",
        de: "Bitten Sie {partner}, sie erneut zu senden: Ein neuer Link kommt per E-Mail.",
        ja: "{partner}に再送を依頼してください。新しいリンクがメールで届きます。",
        es: "Pida a {partner} que la envíe de nuevo: recibirá un enlace nuevo por correo.",
    }
    invitation_withdrawn { en: "This invitation was withdrawn", ko: "이 초대는 철회되었습니다", de: "Diese Einladung wurde zurückgezogen", ja: "この招待は取り消されました", es: "Esta invitación fue retirada" }
    withdrawn_why { en: "{partner} revoked it, so the link no longer works.", ko: "{partner}에서 초대를 철회하여 링크가 더 이상 작동하지 않습니다.", de: "{partner} hat sie widerrufen, daher funktioniert der Link nicht mehr.", ja: "{partner}が招待を取り消したため、リンクはもう使えません。", es: "{partner} la revocó, así que el enlace ya no funciona." }
    withdrawn_next { en: "If you still need access, ask {partner} for a new invitation.", ko: "아직 접근이 필요하면 {partner}에 새 초대를 요청하세요.", de: "Wenn Sie noch Zugang brauchen, bitten Sie {partner} um eine neue Einladung.", ja: "まだアクセスが必要な場合は、{partner}に新しい招待を依頼してください。", es: "Si aún necesita acceso, pida a {partner} una invitación nueva." }
    invitation_used { en: "This invitation was already accepted", ko: "이미 수락된 초대입니다", de: "Diese Einladung wurde bereits angenommen", ja: "この招待はすでに承諾されています", es: "Esta invitación ya fue aceptada" }
    used_why { en: "Each invitation link works once, and this one has been used.", ko: "초대 링크는 한 번만 쓸 수 있으며, 이 링크는 이미 쓰였습니다.", de: "Jeder Einladungslink funktioniert einmal, und dieser wurde schon benutzt.", ja: "招待リンクは1回だけ使え、このリンクはすでに使われています。", es: "Cada enlace de invitación funciona una vez, y este ya se ha usado." }
    used_next { en: "Sign in to Siteward with the account that accepted it.", ko: "초대를 수락한 계정으로 Siteward에 로그인하세요.", de: "Melden Sie sich bei Siteward mit dem Konto an, das sie angenommen hat.", ja: "招待を承諾したアカウントでSitewardにサインインしてください。", es: "Inicie sesión en Siteward con la cuenta que la aceptó." }
    link_invalid { en: "This invitation link is not valid", ko: "유효하지 않은 초대 링크입니다", de: "Dieser Einladungslink ist ungültig", ja: "この招待リンクは無効です", es: "Este enlace de invitación no es válido" }
    invalid_why {
        en: "It may be incomplete, or replaced by a newer invitation sent to you.",
        ko: "링크가 잘렸거나, 더 새로운 초대로 바뀌었을 수 있습니다.",
        de: "Er ist vielleicht unvollständig oder durch eine neuere Einladung an Sie ersetzt.",
        ja: "リンクが不完全か、あなたに送られた新しい招待に置き換えられた可能性があります。",
        es: "Puede que esté incompleto o que lo haya sustituido una invitación más reciente.",
    }
    invalid_next {
        en: "Open the link from the most recent invitation email, or ask the sender to resend it.",
        ko: "가장 최근 초대 이메일의 링크를 열거나, 보낸 사람에게 다시 보내 달라고 요청하세요.",
        de: "Öffnen Sie den Link aus der neuesten Einladungs-E-Mail, oder bitten Sie den Absender, sie erneut zu senden.",
        ja: "最新の招待メールのリンクを開くか、送信者に再送を依頼してください。",
        es: "Abra el enlace del correo de invitación más reciente, o pida a quien la envió que la reenvíe.",
    }
    this_form_expired { en: "This form has expired", ko: "이 양식은 만료되었습니다", de: "Dieses Formular ist abgelaufen", ja: "このフォームは期限切れです", es: "Este formulario ha caducado" }
    form_from_this_browser {
        en: "For your safety, the form must come from this browser's own visit to the page.",
        ko: "안전을 위해 양식은 이 브라우저에서 연 페이지에서 보내야 합니다.",
        de: "Zu Ihrer Sicherheit muss das Formular aus dem eigenen Besuch dieses Browsers auf der Seite stammen.",
        ja: "安全のため、フォームはこのブラウザーで開いたページから送信する必要があります。",
        es: "Por su seguridad, el formulario debe venir de la visita de este navegador a la página.",
    }
    open_invitation_again { en: "Open the link from your invitation email again.", ko: "초대 이메일의 링크를 다시 여세요.", de: "Öffnen Sie den Link aus Ihrer Einladungs-E-Mail erneut.", ja: "招待メールのリンクをもう一度開いてください。", es: "Abra de nuevo el enlace de su correo de invitación." }

    // Lists of invitations.
    invitations_caption { en: "Invitations, with their status", ko: "초대 목록과 상태", de: "Einladungen mit ihrem Status", ja: "招待とその状態", es: "Invitaciones, con su estado" }
    address { en: "Address", ko: "주소", de: "Adresse", ja: "アドレス", es: "Dirección" }
    resend { en: "Resend", ko: "다시 보내기", de: "Erneut senden", ja: "再送", es: "Reenviar" }
    resend_to { en: "Resend to {email}", ko: "{email}에 다시 보내기", de: "Erneut an {email} senden", ja: "{email}に再送", es: "Reenviar a {email}" }
    revoke { en: "Revoke", ko: "철회", de: "Widerrufen", ja: "取り消す", es: "Revocar" }
    revoke_of { en: "Revoke the invitation of {email}", ko: "{email}의 초대 철회", de: "Einladung von {email} widerrufen", ja: "{email}への招待を取り消す", es: "Revocar la invitación de {email}" }
    revoke_heading { en: "Revoke this invitation?", ko: "이 초대를 철회할까요?", de: "Diese Einladung widerrufen?", ja: "この招待を取り消しますか?", es: "¿Revocar esta invitación?" }
    revoke_question {
        en: "The invitation of {email} stops working at once; you can send it again later.",
        ko: "{email}의 초대는 즉시 작동을 멈춥니다. 나중에 다시 보낼 수 있습니다.",
        de: "Die Einladung von {email} funktioniert sofort nicht mehr; Sie können sie später erneut senden.",
        ja: "{email}への招待はすぐに使えなくなります。後で再送できます。",
        es: "La invitación de {email} deja de funcionar al momento; puede enviarla de nuevo más tarde.",
    }

    // My access.
    my_access { en: "My access", ko: "내 접근", de: "Mein Zugang", ja: "自分のアクセス", es: "Mi acceso" }
    partners { en: "Partners", ko: "파트너", de: "Partner", ja: "パートナー", es: "Partners" }
    no_partner { en: "You do not belong to a partner.", ko: "소속된 파트너가 없습니다.", de: "Sie gehören zu keinem Partner.", ja: "所属しているパートナーはありません。", es: "No pertenece a ningún partner." }
    my_partners_caption { en: "The partners you belong to", ko: "소속된 파트너", de: "Die Partner, zu denen Sie gehören", ja: "所属しているパートナー", es: "Los partners a los que pertenece" }
    privileges { en: "Privileges", ko: "권한", de: "Berechtigungen", ja: "権限", es: "Privilegios" }
    manage { en: "Manage", ko: "관리", de: "Verwalten", ja: "管理", es: "Gestionar" }
    team { en: "Team", ko: "팀", de: "Team", ja: "チーム", es: "Equipo" }
    settings { en: "Settings", ko: "설정", de: "Einstellungen", ja: "設定", es: "Configuración" }
    sites_i_work_at { en: "Sites I work at", ko: "내가 작업하는 사이트", de: "Standorte, an denen ich arbeite", ja: "作業するサイト", es: "Sitios en los que trabajo" }
    no_site_assigned {
        en: "You are not assigned to a site yet. A partner's admin invites you to one; its site admins then unlock your access.",
        ko: "아직 배정된 사이트가 없습니다. 파트너 관리자가 사이트에 초대하면, 그 사이트 관리자가 접근 잠금을 해제합니다.",
        de: "Sie sind noch keinem Standort zugewiesen. Ein Admin eines Partners lädt Sie zu einem ein; dessen Standort-Admins geben Ihren Zugang dann frei.",
        ja: "まだサイトに割り当てられていません。パートナーの管理者がサイトに招待し、そのサイトの管理者がアクセスのロックを解除します。",
        es: "Aún no tiene ningún sitio asignado. Un administrador de un partner le invita a uno; después, sus administradores del sitio desbloquean su acceso.",
    }
    my_sites_caption { en: "The sites you are assigned to as a technician", ko: "기술자로 배정된 사이트", de: "Die Standorte, denen Sie als Techniker zugewiesen sind", ja: "技術者として割り当てられたサイト", es: "Los sitios que tiene asignados como técnico" }
    for_partner { en: "For", ko: "소속", de: "Für", ja: "所属", es: "Para" }
    invitations_waiting { en: "Invitations waiting for me", ko: "나를 기다리는 초대", de: "Einladungen, die auf mich warten", ja: "自分宛ての招待", es: "Invitaciones pendientes para mí" }
    accept_with_link {
        en: "Accept each one with the link in the email sent to {email}: the link shows that the address is yours.",
        ko: "{email}(으)로 보낸 이메일의 링크로 각각 수락하세요. 링크가 그 주소가 내 것임을 보여 줍니다.",
        de: "Nehmen Sie jede mit dem Link aus der E-Mail an {email} an: Der Link zeigt, dass die Adresse Ihnen gehört.",
        ja: "{email}に送られたメールのリンクからそれぞれ承諾してください。リンクによって、そのアドレスがあなたのものだと確認されます。",
        es: "Acepte cada una con el enlace del correo enviado a {email}: el enlace demuestra que la dirección es suya.",
    }
    waiting_caption { en: "Invitations to your address that are still open", ko: "내 주소로 온 아직 유효한 초대", de: "Noch offene Einladungen an Ihre Adresse", ja: "あなたのアドレス宛てのまだ有効な招待", es: "Invitaciones a su dirección que siguen abiertas" }
    invitation_sender { en: "From", ko: "보낸 곳", de: "Von", ja: "送信元", es: "De" }
    sites_i_administer { en: "Sites I administer", ko: "내가 관리하는 사이트", de: "Standorte, die ich verwalte", ja: "管理しているサイト", es: "Sitios que administro" }
    its_technicians { en: "its technicians", ko: "기술자 보기", de: "seine Techniker", ja: "技術者を見る", es: "sus técnicos" }
    my_activity { en: "My activity", ko: "내 활동", de: "Meine Aktivität", ja: "自分の操作履歴", es: "Mi actividad" }
    nothing_yet { en: "Nothing yet.", ko: "아직 없습니다.", de: "Noch nichts.", ja: "まだありません。", es: "Nada todavía." }
    my_activity_caption { en: "What you did, newest first", ko: "내가 한 일(최신순)", de: "Was Sie getan haben, neueste zuerst", ja: "あなたの操作(新しい順)", es: "Lo que ha hecho, lo más reciente primero" }
    older_activity { en: "Older activity", ko: "이전 활동", de: "Ältere Aktivität", ja: "以前の操作", es: "Actividad anterior" }

    // The partner's team.
    team_of { en: "Team of {partner}", ko: "{partner} 팀", de: "Team von {partner}", ja: "{partner}のチーム", es: "Equipo de {partner}" }
    invite_people { en: "Invite people", ko: "사람 초대", de: "Personen einladen", ja: "メンバーを招待", es: "Invitar a personas" }
    email_addresses { en: "Email addresses", ko: "이메일 주소", de: "E-Mail-Adressen", ja: "メールアドレス", es: "Direcciones de correo" }
    email_addresses_hint {
        en: "One address or many, one per line or separated by commas (up to {max}).",
        ko: "주소 하나 또는 여러 개를 한 줄에 하나씩 또는 쉼표로 구분해 입력하세요(최대 {max}개).",
        de: "Eine Adresse oder viele, eine pro Zeile oder durch Kommas getrennt (bis zu {max}).",
        ja: "1件または複数のアドレスを、1行に1件ずつ、またはカンマで区切って入力してください(最大{max}件)。",
        es: "Una dirección o muchas, una por línea o separadas por comas (hasta {max}).",
    }
    invite_privileges_hint {
        en: "What each one holds from the moment they accept; licence seats are counted then.",
        ko: "수락하는 순간부터 각자가 갖는 권한입니다. 라이선스 좌석은 그때 계산됩니다.",
        de: "Was jede Person ab der Annahme hat; Lizenzplätze werden dann gezählt.",
        ja: "承諾した時点から各自が持つ権限です。ライセンスの席数はその時点で数えられます。",
        es: "Lo que tendrá cada persona desde que acepte; las licencias se cuentan entonces.",
    }
    invite_departments_hint {
        en: "They are in these departments from the moment they accept, with the access each department has.",
        ko: "수락하는 순간부터 이 부서에 속하며, 각 부서의 접근 권한을 갖습니다.",
        de: "Ab der Annahme gehören sie zu diesen Abteilungen, mit deren Zugriffsrechten.",
        ja: "承諾した時点からこれらの部署に所属し、各部署のアクセス権を持ちます。",
        es: "Desde que acepten estarán en estos departamentos, con el acceso de cada uno.",
    }
    send_invitations { en: "Send invitations", ko: "초대 보내기", de: "Einladungen senden", ja: "招待を送信", es: "Enviar invitaciones" }
    sent { en: "Sent", ko: "보낸 결과", de: "Gesendet", ja: "送信結果", es: "Enviadas" }
    outcome_caption { en: "What happened to each address", ko: "주소별 결과", de: "Was mit jeder Adresse geschah", ja: "アドレスごとの結果", es: "Qué pasó con cada dirección" }
    outcome { en: "Outcome", ko: "결과", de: "Ergebnis", ja: "結果", es: "Resultado" }
    outcome_invited { en: "Invited", ko: "초대함", de: "Eingeladen", ja: "招待済み", es: "Invitada" }
    outcome_already_invited { en: "Already invited; no second email", ko: "이미 초대됨. 이메일을 다시 보내지 않음", de: "Bereits eingeladen; keine zweite E-Mail", ja: "招待済みのため、メールは再送していません", es: "Ya invitada; no se envía un segundo correo" }
    outcome_already_member { en: "Already a member", ko: "이미 멤버임", de: "Bereits Mitglied", ja: "すでにメンバーです", es: "Ya es miembro" }
    outcome_invalid_address { en: "Not a valid address", ko: "유효하지 않은 주소", de: "Keine gültige Adresse", ja: "無効なアドレス", es: "No es una dirección válida" }
    outcome_duplicate { en: "Listed twice", ko: "두 번 입력됨", de: "Doppelt aufgeführt", ja: "重複しています", es: "Repetida" }
    outcome_denied { en: "Refused by an invitation policy", ko: "초대 정책에 따라 거부됨", de: "Von einer Einladungsrichtlinie abgelehnt", ja: "招待ポリシーにより拒否されました", es: "Rechazada por una política de invitaciones" }
    outcome_awaiting_approval { en: "Waits for a Super Admin's approval", ko: "최고 관리자의 승인 대기 중", de: "Wartet auf die Freigabe eines Super-Admins", ja: "スーパー管理者の承認待ち", es: "Espera la aprobación de un superadministrador" }
    members { en: "Members", ko: "멤버", de: "Mitglieder", ja: "メンバー", es: "Miembros" }
    people { en: "People", ko: "사람", de: "Personen", ja: "メンバーと招待", es: "Personas" }
    people_caption { en: "The partner's members and invitations to join it", ko: "파트너의 멤버와 참여 초대", de: "Die Mitglieder des Partners und Einladungen zum Beitritt", ja: "パートナーのメンバーと参加への招待", es: "Los miembros del partner y las invitaciones a unirse" }
    state { en: "State", ko: "구분", de: "Art", ja: "種別", es: "Tipo" }
    state_member { en: "Member", ko: "멤버", de: "Mitglied", ja: "メンバー", es: "Miembro" }
    state_invitation { en: "Invitation", ko: "초대", de: "Einladung", ja: "招待", es: "Invitación" }
    until_date { en: "until {date}", ko: "{date}까지", de: "bis {date}", ja: "{date}まで", es: "hasta el {date}" }
    nobody_on_team_matches { en: "No one matches.", ko: "일치하는 사람이 없습니다.", de: "Niemand passt.", ja: "一致する人はいません。", es: "Nadie coincide." }
    next_people { en: "Next people", ko: "다음 사람", de: "Weitere Personen", ja: "次へ", es: "Más personas" }
    invitations { en: "Invitations", ko: "초대", de: "Einladungen", ja: "招待", es: "Invitaciones" }
    next_invitations { en: "Next invitations", ko: "다음 초대", de: "Weitere Einladungen", ja: "次の招待", es: "Más invitaciones" }

    // A member of the team.
    member_of_team { en: "{name} · Team of {partner}", ko: "{name} · {partner} 팀", de: "{name} · Team von {partner}", ja: "{name} · {partner}のチーム", es: "{name} · Equipo de {partner}" }
    back_to_team { en: "← Team of {partner}", ko: "← {partner} 팀", de: "← Team von {partner}", ja: "← {partner}のチーム", es: "← Equipo de {partner}" }
    member_since { en: "Member since", ko: "가입일", de: "Mitglied seit", ja: "メンバー登録日", es: "Miembro desde" }
    their_audit_log { en: "Their actions in the audit log", ko: "감사 로그에서 이 사람의 작업 보기", de: "Ihre Aktionen im Audit-Protokoll", ja: "監査ログでこの人の操作を見る", es: "Sus acciones en el registro de auditoría" }
    role_status_privileges { en: "Role, status and privileges", ko: "역할, 상태, 권한", de: "Rolle, Status und Berechtigungen", ja: "役割、状態、権限", es: "Rol, estado y privilegios" }
    disabled_hint {
        en: "A disabled member cannot sign in to the partner and passes no check; their access comes back as it was when enabled.",
        ko: "비활성 멤버는 파트너에 로그인할 수 없고 어떤 검사도 통과하지 못합니다. 다시 활성화하면 접근이 이전 그대로 돌아옵니다.",
        de: "Ein deaktiviertes Mitglied kann sich beim Partner nicht anmelden und besteht keine Prüfung; beim Aktivieren kommt sein Zugang wie zuvor zurück.",
        ja: "無効なメンバーはパートナーにサインインできず、どのチェックも通りません。有効に戻すと、アクセスは元どおりに戻ります。",
        es: "Un miembro desactivado no puede iniciar sesión en el partner ni supera ninguna comprobación; al activarlo, su acceso vuelve tal como estaba.",
    }
    sites_they_reach { en: "Sites they reach now", ko: "지금 접근할 수 있는 사이트", de: "Standorte, die sie jetzt erreichen", ja: "現在アクセスできるサイト", es: "Sitios a los que llega ahora" }
    reaches_none {
        en: "None: no unlocked assignment, department or grant gives them a site of this partner right now.",
        ko: "없음: 지금은 잠금 해제된 배정, 부서, 권한 부여 중 어느 것도 이 파트너의 사이트 접근을 주지 않습니다.",
        de: "Keiner: Keine freigegebene Zuweisung, keine Abteilung und keine Freigabe gibt ihnen gerade einen Standort dieses Partners.",
        ja: "なし: 現在、ロック解除された割り当て、部署、個別の付与のいずれによっても、このパートナーのサイトにはアクセスできません。",
        es: "Ninguno: ahora mismo ninguna asignación desbloqueada, departamento ni concesión le da un sitio de este partner.",
    }
    reach_caption { en: "The partner's sites this member reaches now", ko: "이 멤버가 지금 접근할 수 있는 파트너의 사이트", de: "Die Standorte des Partners, die dieses Mitglied jetzt erreicht", ja: "このメンバーが現在アクセスできるパートナーのサイト", es: "Los sitios del partner a los que llega ahora este miembro" }
    sign_in_and_membership { en: "Sign-in and membership", ko: "로그인과 멤버십", de: "Anmeldung und Mitgliedschaft", ja: "サインインとメンバーシップ", es: "Inicio de sesión y pertenencia" }
    reset_two_step { en: "Reset two-step sign-in", ko: "2단계 로그인 초기화", de: "Anmeldung in zwei Schritten zurücksetzen", ja: "2段階サインインをリセット", es: "Restablecer el inicio de sesión en dos pasos" }
    reset_two_step_when { en: "when they lost their authenticator.", ko: "인증 앱을 잃어버렸을 때.", de: "wenn die Authenticator-App verloren ist.", ja: "認証アプリをなくした場合。", es: "cuando haya perdido su autenticador." }
    remove_from_partner { en: "Remove from the partner", ko: "파트너에서 제거", de: "Aus dem Partner entfernen", ja: "パートナーから削除", es: "Quitar del partner" }
    reset_two_step_heading { en: "Reset two-step sign-in?", ko: "2단계 로그인을 초기화할까요?", de: "Anmeldung in zwei Schritten zurücksetzen?", ja: "2段階サインインをリセットしますか?", es: "¿Restablecer el inicio de sesión en dos pasos?" }
    reset_two_step_question {
        en: "{who} signs in with their password alone until they turn two-step sign-in on again. Do this when they lost their authenticator.",
        ko: "{who}은(는) 2단계 로그인을 다시 켤 때까지 비밀번호만으로 로그인합니다. 인증 앱을 잃어버렸을 때 하세요.",
        de: "{who} meldet sich nur mit dem Passwort an, bis die Anmeldung in zwei Schritten wieder eingeschaltet ist. Tun Sie das, wenn die Authenticator-App verloren ist.",
        ja: "{who}は、2段階サインインを再びオンにするまでパスワードだけでサインインします。認証アプリをなくした場合に行ってください。",
        es: "{who} iniciará sesión solo con su contraseña hasta que vuelva a activar el inicio de sesión en dos pasos. Hágalo cuando haya perdido su autenticador.",
    }
    remove_member_heading { en: "Remove this member?", ko: "이 멤버를 제거할까요?", de: "Dieses Mitglied entfernen?", ja: "このメンバーを削除しますか?", es: "¿Quitar a este miembro?" }
    remove_member_question {
        en: "{who} leaves the partner with everything they hold here: site access, grants and departments. Their account stays; inviting them again gives nothing back.",
        ko: "{who}은(는) 여기서 가진 모든 것(사이트 접근, 권한 부여, 부서)과 함께 파트너를 떠납니다. 계정은 남지만, 다시 초대해도 아무것도 돌아오지 않습니다.",
        de: "{who} verlässt den Partner mit allem, was hier gilt: Standortzugang, Freigaben und Abteilungen. Das Konto bleibt; eine neue Einladung gibt nichts davon zurück.",
        ja: "{who}は、ここで持っているすべて(サイトへのアクセス、個別の付与、部署)とともにパートナーから外れます。アカウントは残りますが、再招待しても何も戻りません。",
        es: "{who} deja el partner con todo lo que tiene aquí: acceso a sitios, concesiones y departamentos. Su cuenta se conserva; invitarle de nuevo no le devuelve nada.",
    }
    remove { en: "Remove", ko: "제거", de: "Entfernen", ja: "削除", es: "Quitar" }

    // Inviting technicians to a site.
    invite_to_site { en: "Invite technicians to {site}", ko: "{site}에 기술자 초대", de: "Techniker zu {site} einladen", ja: "{site}に技術者を招待", es: "Invitar técnicos a {site}" }
    check_and_apply { en: "Check and apply", ko: "확인 후 적용", de: "Prüfen und anwenden", ja: "確認して適用", es: "Revisar y aplicar" }
    check_explained {
        en: "Each person below gets an email inviting them to {site} at the level shown. Their access stays Locked until one of the site's admins unlocks it.",
        ko: "아래 각 사람에게 표시된 권한 수준으로 {site}에 초대하는 이메일이 갑니다. 사이트 관리자가 잠금을 해제할 때까지 접근은 잠겨 있습니다.",
        de: "Jede Person unten erhält eine E-Mail mit der Einladung zu {site} mit der angezeigten Stufe. Ihr Zugang bleibt gesperrt, bis ein Admin des Standorts ihn freigibt.",
        ja: "下の各メンバーに、表示された権限レベルで{site}へ招待するメールが届きます。サイトの管理者がロックを解除するまで、アクセスはロックされたままです。",
        es: "Cada persona de abajo recibe un correo que la invita a {site} con el nivel indicado. Su acceso sigue bloqueado hasta que un administrador del sitio lo desbloquee.",
    }
    picked_caption { en: "Who will be invited, with their level", ko: "초대할 사람과 권한 수준", de: "Wer eingeladen wird, mit Stufe", ja: "招待するメンバーと権限レベル", es: "A quién se invitará, con su nivel" }
    apply_and_send { en: "Apply and send the invitations ({n})", ko: "적용하고 초대 보내기({n}건)", de: "Anwenden und Einladungen senden ({n})", ja: "適用して招待を送信({n}件)", es: "Aplicar y enviar las invitaciones ({n})" }
    change_selection { en: "Change the selection", ko: "선택 바꾸기", de: "Auswahl ändern", ja: "選択を変更", es: "Cambiar la selección" }
    admins_and_technicians_of_partner { en: "Partner admins and technicians", ko: "파트너 관리자와 기술자", de: "Admins und Techniker des Partners", ja: "パートナーの管理者と技術者", es: "Administradores y técnicos del partner" }
    candidates_hint {
        en: "Site admins, technicians already at this site and people with an open invitation to it are not listed.",
        ko: "사이트 관리자, 이미 이 사이트에 있는 기술자, 이 사이트에 대한 초대가 열려 있는 사람은 표시되지 않습니다.",
        de: "Standort-Admins, Techniker dieses Standorts und Personen mit einer offenen Einladung zu ihm stehen nicht in der Liste.",
        ja: "サイト管理者、このサイトにすでにいる技術者、このサイトへの招待が有効な人は表示されません。",
        es: "No aparecen los administradores del sitio, los técnicos que ya están en él ni quienes tienen una invitación abierta.",
    }
    search { en: "Search", ko: "검색", de: "Suchen", ja: "検索", es: "Buscar" }
    nobody_else { en: "Nobody else can be invited to this site.", ko: "이 사이트에 더 초대할 수 있는 사람이 없습니다.", de: "Niemand sonst kann zu diesem Standort eingeladen werden.", ja: "このサイトに招待できる人は他にいません。", es: "No hay nadie más a quien invitar a este sitio." }
    nobody_matches { en: "Nobody matches “{search}”.", ko: "“{search}”와(과) 일치하는 사람이 없습니다.", de: "Niemand passt zu „{search}“.", ja: "「{search}」に一致する人はいません。", es: "Nadie coincide con «{search}»." }
    candidates_caption { en: "People who can be invited to the site", ko: "사이트에 초대할 수 있는 사람", de: "Personen, die zum Standort eingeladen werden können", ja: "サイトに招待できる人", es: "Personas a las que se puede invitar al sitio" }
    add { en: "Add", ko: "추가", de: "Hinzufügen", ja: "追加", es: "Añadir" }
    add_person { en: "Add {name}", ko: "{name} 추가", de: "{name} hinzufügen", ja: "{name}を追加", es: "Añadir a {name}" }
    more_people { en: "More people", ko: "더 보기", de: "Weitere Personen", ja: "さらに表示", es: "Más personas" }
    selected_n { en: "Selected ({n})", ko: "선택됨({n})", de: "Ausgewählt ({n})", ja: "選択済み({n})", es: "Seleccionadas ({n})" }
    nobody_selected { en: "Nobody yet. Add people from the list above.", ko: "아직 없습니다. 위 목록에서 사람을 추가하세요.", de: "Noch niemand. Fügen Sie Personen aus der Liste oben hinzu.", ja: "まだいません。上の一覧から追加してください。", es: "Nadie todavía. Añada personas de la lista de arriba." }
    level_for { en: "Level for {name}", ko: "{name}의 권한 수준", de: "Stufe für {name}", ja: "{name}の権限レベル", es: "Nivel para {name}" }
    remove_person { en: "Remove {name}", ko: "{name} 제거", de: "{name} entfernen", ja: "{name}を外す", es: "Quitar a {name}" }
    one_level_for_all { en: "Apply one level to everyone selected", ko: "선택한 모두에게 같은 수준 적용", de: "Eine Stufe für alle Ausgewählten", ja: "選択した全員に同じレベルを適用", es: "Aplicar un nivel a todas las personas seleccionadas" }
    apply_all_question { en: "Give everyone selected ({n}) the level {level}?", ko: "선택한 모두({n}명)에게 {level} 수준을 줄까요?", de: "Allen Ausgewählten ({n}) die Stufe {level} geben?", ja: "選択した全員({n}人)を{level}にしますか?", es: "¿Dar a todas las personas seleccionadas ({n}) el nivel {level}?" }
    yes_apply_all { en: "Yes, apply to all", ko: "예, 모두에게 적용", de: "Ja, für alle", ja: "はい、全員に適用", es: "Sí, aplicar a todas" }
    no_keep_levels { en: "No, keep their levels", ko: "아니요, 각자의 수준 유지", de: "Nein, Stufen behalten", ja: "いいえ、各自のレベルのまま", es: "No, mantener sus niveles" }
    apply_to_all { en: "Apply to all", ko: "모두에게 적용", de: "Für alle anwenden", ja: "全員に適用", es: "Aplicar a todas" }
    confirm { en: "Confirm", ko: "확인", de: "Bestätigen", ja: "確認", es: "Confirmar" }
    pick_someone_first { en: "Add at least one person to the Selected list first.", ko: "먼저 선택 목록에 한 명 이상 추가하세요.", de: "Fügen Sie zuerst mindestens eine Person zur Auswahl hinzu.", ja: "まず選択済みの一覧に1人以上追加してください。", es: "Primero añada al menos una persona a la lista de seleccionadas." }

    // The partner's settings.
    settings_of { en: "Settings of {partner}", ko: "{partner} 설정", de: "Einstellungen von {partner}", ja: "{partner}の設定", es: "Configuración de {partner}" }
    settings_saved { en: "Saved. New invitations use these settings.", ko: "저장했습니다. 새 초대부터 이 설정을 씁니다.", de: "Gespeichert. Neue Einladungen verwenden diese Einstellungen.", ja: "保存しました。新しい招待からこの設定が使われます。", es: "Guardado. Las invitaciones nuevas usan esta configuración." }
    open_for_hours { en: "Open for (hours)", ko: "유효 시간(시간)", de: "Offen für (Stunden)", ja: "有効時間(時間)", es: "Abierta durante (horas)" }
    open_for_hint {
        en: "From 1 to 720 (30 days); 168 is a week. Invitations already sent keep their own.",
        ko: "1부터 720(30일)까지입니다. 168은 1주일입니다. 이미 보낸 초대는 원래 기한을 유지합니다.",
        de: "Von 1 bis 720 (30 Tage); 168 ist eine Woche. Bereits gesendete Einladungen behalten ihre eigene Frist.",
        ja: "1〜720(30日)。168で1週間です。送信済みの招待は元の期限のままです。",
        es: "De 1 a 720 (30 días); 168 es una semana. Las invitaciones ya enviadas conservan el suyo.",
    }
    ttl_error { en: "Give a whole number of hours, from 1 to 720 (30 days).", ko: "1부터 720(30일)까지의 정수로 시간을 입력하세요.", de: "Geben Sie eine ganze Zahl von Stunden an, von 1 bis 720 (30 Tage).", ja: "1〜720(30日)の整数で時間を入力してください。", es: "Escriba un número entero de horas, de 1 a 720 (30 días)." }
    email_language { en: "Email language", ko: "이메일 언어", de: "Sprache der E-Mails", ja: "メールの言語", es: "Idioma de los correos" }
    email_branding { en: "Branding of the emails", ko: "이메일 브랜딩", de: "Erscheinungsbild der E-Mails", ja: "メールのブランディング", es: "Imagen de los correos" }
    name_shown { en: "Name shown", ko: "표시 이름", de: "Angezeigter Name", ja: "表示名", es: "Nombre mostrado" }
    name_shown_hint { en: "Instead of the partner's name; leave it empty to use the name.", ko: "파트너 이름 대신 표시됩니다. 비워 두면 파트너 이름을 씁니다.", de: "Statt des Namens des Partners; leer lassen, um den Namen zu verwenden.", ja: "パートナー名の代わりに表示します。空欄ならパートナー名を使います。", es: "En lugar del nombre del partner; déjelo vacío para usar el nombre." }
    logo_url { en: "Logo (an https address)", ko: "로고(https 주소)", de: "Logo (eine https-Adresse)", ja: "ロゴ(httpsのアドレス)", es: "Logotipo (una dirección https)" }
    accent_colour { en: "Accent colour (#rrggbb)", ko: "강조 색(#rrggbb)", de: "Akzentfarbe (#rrggbb)", ja: "アクセントカラー(#rrggbb)", es: "Color de acento (#rrggbb)" }
    support_contact { en: "Support contact (an email or an https address)", ko: "지원 연락처(이메일 또는 https 주소)", de: "Support-Kontakt (eine E-Mail oder https-Adresse)", ja: "サポート窓口(メールアドレスまたはhttpsのアドレス)", es: "Contacto de soporte (un correo o una dirección https)" }
    save_settings { en: "Save the settings", ko: "설정 저장", de: "Einstellungen speichern", ja: "設定を保存", es: "Guardar la configuración" }
    plugin_settings_heading { en: "Email and alert settings", ko: "이메일 및 알림 설정", de: "E-Mail- und Benachrichtigungseinstellungen", ja: "メールと通知の設定", es: "Ajustes de correo y avisos" }
    plugin_settings_explained { en: "Settings of the plugins running for you that the operator lets partners set: an email's footer and language, how alerts reach you. Saving keeps whether each plugin runs for you as it is now; the operator still switches them on and off.", ko: "운영자가 파트너에게 허용한, 사용 중인 플러그인의 설정입니다: 이메일 바닥글과 언어, 알림을 받는 방식. 저장해도 각 플러그인의 사용 여부는 지금 그대로이며, 켜고 끄는 것은 운영자가 합니다.", de: "Einstellungen der für Sie laufenden Plugins, die der Betreiber Partnern überlässt: Fußzeile und Sprache einer E-Mail, wie Benachrichtigungen Sie erreichen. Beim Speichern bleibt, ob ein Plugin für Sie läuft, wie es ist; ein- und ausschalten tut der Betreiber.", ja: "運営者がパートナーに任せている、利用中のプラグインの設定です: メールのフッターと言語、通知の受け取り方。保存しても各プラグインの稼働状態は今のままで、オン・オフは運営者が行います。", es: "Ajustes de los plugins activos para usted que el operador deja en manos de los socios: el pie y el idioma de un correo, cómo le llegan los avisos. Guardar mantiene si cada plugin funciona para usted tal como está; el operador sigue activándolos y desactivándolos." }
    save_plugin_settings { en: "Save the settings of {plugin}", ko: "{plugin} 설정 저장", de: "Einstellungen von {plugin} speichern", ja: "{plugin}の設定を保存", es: "Guardar los ajustes de {plugin}" }
    alerts_heading { en: "Technician management alerts", ko: "기술자 관리 알림", de: "Benachrichtigungen zur Technikerverwaltung", ja: "技術者管理の通知", es: "Avisos de gestión de técnicos" }
    alerts_explained {
        en: "Emails about technicians' access (a lock, an acceptance, a change) go to the partner's Super Admins. Each chooses for themselves.",
        ko: "기술자 접근에 관한 이메일(잠금, 수락, 변경)은 파트너의 최고 관리자에게 갑니다. 받을지는 각자 정합니다.",
        de: "E-Mails zum Zugang von Technikern (eine Sperre, eine Annahme, eine Änderung) gehen an die Super-Admins des Partners. Jeder entscheidet selbst.",
        ja: "技術者のアクセスに関するメール(ロック、承諾、変更)は、パートナーのスーパー管理者に届きます。受け取るかどうかは各自が選びます。",
        es: "Los correos sobre el acceso de los técnicos (un bloqueo, una aceptación, un cambio) van a los superadministradores del partner. Cada uno decide por sí mismo.",
    }
    alerts_caption { en: "The Super Admins and whether they receive alerts", ko: "최고 관리자와 알림 수신 여부", de: "Die Super-Admins und ob sie Benachrichtigungen erhalten", ja: "スーパー管理者と通知の受信状況", es: "Los superadministradores y si reciben avisos" }
    receives_alerts { en: "Receives alerts", ko: "알림 받음", de: "Erhält Benachrichtigungen", ja: "通知を受け取る", es: "Recibe avisos" }
    stop_notifying_me { en: "Stop notifying me", ko: "알림 끄기", de: "Nicht mehr benachrichtigen", ja: "通知を停止", es: "Dejar de avisarme" }
    notify_me { en: "Notify me", ko: "알림 받기", de: "Mich benachrichtigen", ja: "通知を受け取る", es: "Avisarme" }
    preview_heading { en: "The invitation email, as it goes out now", ko: "지금 보내지는 초대 이메일", de: "Die Einladungs-E-Mail, wie sie jetzt verschickt wird", ja: "現在送信される招待メール", es: "El correo de invitación, tal como sale ahora" }
    preview_explained { en: "An example invitation of a technician from you, written by {renderer}.", ko: "{renderer}이(가) 작성한, 기술자를 초대하는 이메일 예시입니다.", de: "Eine Beispiel-Einladung eines Technikers von Ihnen, geschrieben von {renderer}.", ja: "{renderer}が作成した、技術者への招待メールの例です。", es: "Un ejemplo de invitación a un técnico de su parte, escrito por {renderer}." }
    subject { en: "Subject", ko: "제목", de: "Betreff", ja: "件名", es: "Asunto" }
    open_as_html { en: "Open the email as HTML", ko: "HTML로 이메일 열기", de: "E-Mail als HTML öffnen", ja: "HTMLでメールを開く", es: "Abrir el correo como HTML" }

    // A site's technicians.
    technicians_of { en: "Technicians of {site}", ko: "{site}의 기술자", de: "Techniker von {site}", ja: "{site}の技術者", es: "Técnicos de {site}" }
    invite_technicians { en: "Invite technicians", ko: "기술자 초대", de: "Techniker einladen", ja: "技術者を招待", es: "Invitar técnicos" }
    no_technician_yet {
        en: "No technician has been assigned to this site yet. A partner's admin invites them; each one appears here once they accept.",
        ko: "아직 이 사이트에 배정된 기술자가 없습니다. 파트너 관리자가 초대하고, 수락하면 여기에 나타납니다.",
        de: "Diesem Standort ist noch kein Techniker zugewiesen. Ein Admin eines Partners lädt sie ein; jeder erscheint hier, sobald er annimmt.",
        ja: "このサイトにはまだ技術者が割り当てられていません。パートナーの管理者が招待し、承諾するとここに表示されます。",
        es: "Aún no hay técnicos asignados a este sitio. Un administrador de un partner los invita; cada uno aparece aquí cuando acepta.",
    }
    technicians_caption { en: "The site's technicians, with their level and whether they may enter", ko: "사이트의 기술자, 권한 수준과 접근 가능 여부", de: "Die Techniker des Standorts, mit Stufe und ob sie hinein dürfen", ja: "サイトの技術者と、その権限レベルおよびアクセスの可否", es: "Los técnicos del sitio, con su nivel y si pueden entrar" }
    new_badge { en: "New", ko: "신규", de: "Neu", ja: "新規", es: "Nuevo" }
    lock { en: "Lock", ko: "잠금", de: "Sperren", ja: "ロック", es: "Bloquear" }
    unlock { en: "Unlock", ko: "잠금 해제", de: "Freigeben", ja: "ロック解除", es: "Desbloquear" }
    lock_person { en: "Lock {name}", ko: "{name} 잠금", de: "{name} sperren", ja: "{name}をロック", es: "Bloquear a {name}" }
    unlock_person { en: "Unlock {name}", ko: "{name} 잠금 해제", de: "{name} freigeben", ja: "{name}のロックを解除", es: "Desbloquear a {name}" }
    delete { en: "Delete", ko: "삭제", de: "Löschen", ja: "削除", es: "Eliminar" }
    delete_access_of { en: "Delete the access of {name}", ko: "{name}의 접근 삭제", de: "Zugang von {name} löschen", ja: "{name}のアクセスを削除", es: "Eliminar el acceso de {name}" }
    next_technicians { en: "Next technicians", ko: "다음 기술자", de: "Weitere Techniker", ja: "次の技術者", es: "Más técnicos" }
    invitations_list { en: "Invitations List", ko: "초대 목록", de: "Einladungsliste", ja: "招待一覧", es: "Lista de invitaciones" }
    no_invitation_to_site { en: "No invitation to this site yet.", ko: "아직 이 사이트에 대한 초대가 없습니다.", de: "Noch keine Einladung zu diesem Standort.", ja: "このサイトへの招待はまだありません。", es: "Aún no hay invitaciones a este sitio." }
    delete_access_heading { en: "Delete this technician's access?", ko: "이 기술자의 접근을 삭제할까요?", de: "Zugang dieses Technikers löschen?", ja: "この技術者のアクセスを削除しますか?", es: "¿Eliminar el acceso de este técnico?" }
    delete_access_question {
        en: "{who} can no longer sign in to this site. Their account stays; inviting them again gives the access back, Locked.",
        ko: "{who}은(는) 더 이상 이 사이트에 로그인할 수 없습니다. 계정은 남으며, 다시 초대하면 잠긴 상태로 접근이 돌아옵니다.",
        de: "{who} kann sich nicht mehr bei diesem Standort anmelden. Das Konto bleibt; eine neue Einladung gibt den Zugang gesperrt zurück.",
        ja: "{who}はこのサイトにサインインできなくなります。アカウントは残り、再招待するとロックされた状態でアクセスが戻ります。",
        es: "{who} ya no puede entrar en este sitio. Su cuenta se conserva; invitarle de nuevo le devuelve el acceso, bloqueado.",
    }
    delete_access { en: "Delete access", ko: "접근 삭제", de: "Zugang löschen", ja: "アクセスを削除", es: "Eliminar el acceso" }

    // Permissions and system roles, as the role manager and the reasons of a check name them.
    perm_dashboard_view { en: "Dashboard", ko: "대시보드", de: "Dashboard", ja: "ダッシュボード", es: "Panel" }
    perm_devices_view { en: "Devices: view", ko: "장치: 보기", de: "Geräte: ansehen", ja: "デバイス: 表示", es: "Dispositivos: ver" }
    perm_devices_edit { en: "Devices: manage", ko: "장치: 관리", de: "Geräte: verwalten", ja: "デバイス: 管理", es: "Dispositivos: gestionar" }
    perm_users_view { en: "Users: view", ko: "사용자: 보기", de: "Benutzer: ansehen", ja: "ユーザー: 表示", es: "Usuarios: ver" }
    perm_users_edit { en: "Users: manage", ko: "사용자: 관리", de: "Benutzer: verwalten", ja: "ユーザー: 管理", es: "Usuarios: gestionar" }
    perm_settings_admins_view { en: "Settings › Admins & Technicians: view", ko: "설정 › 관리자 및 기술자: 보기", de: "Einstellungen › Admins & Techniker: ansehen", ja: "設定 › 管理者と技術者: 表示", es: "Configuración › Administradores y técnicos: ver" }
    perm_settings_admins_edit { en: "Settings › Admins & Technicians: change", ko: "설정 › 관리자 및 기술자: 변경", de: "Einstellungen › Admins & Techniker: ändern", ja: "設定 › 管理者と技術者: 変更", es: "Configuración › Administradores y técnicos: cambiar" }
    perm_settings_site_view { en: "Settings › Site: view", ko: "설정 › 사이트: 보기", de: "Einstellungen › Standort: ansehen", ja: "設定 › サイト: 表示", es: "Configuración › Sitio: ver" }
    perm_settings_site_edit { en: "Settings › Site: change", ko: "설정 › 사이트: 변경", de: "Einstellungen › Standort: ändern", ja: "設定 › サイト: 変更", es: "Configuración › Sitio: cambiar" }
    perm_event_logs_view { en: "Monitoring › Event logs", ko: "모니터링 › 이벤트 로그", de: "Überwachung › Ereignisprotokolle", ja: "モニタリング › イベントログ", es: "Supervisión › Registros de eventos" }
    perm_audit_logs_view { en: "Monitoring › Audit logs", ko: "모니터링 › 감사 로그", de: "Überwachung › Audit-Protokolle", ja: "モニタリング › 監査ログ", es: "Supervisión › Registros de auditoría" }
    perm_screen_view { en: "Screen view", ko: "화면 보기", de: "Bildschirm ansehen", ja: "画面表示", es: "Ver la pantalla" }
    perm_screen_control { en: "Screen control", ko: "화면 제어", de: "Bildschirm steuern", ja: "画面操作", es: "Controlar la pantalla" }
    perm_file_manager { en: "File manager", ko: "파일 관리자", de: "Dateimanager", ja: "ファイルマネージャー", es: "Administrador de archivos" }
    perm_terminal { en: "Terminal", ko: "터미널", de: "Terminal", ja: "ターミナル", es: "Terminal" }
    perm_wake_up { en: "Wake-on-LAN", ko: "Wake-on-LAN", de: "Wake-on-LAN", ja: "Wake-on-LAN", es: "Wake-on-LAN" }
    perm_reboot { en: "Reboot", ko: "재부팅", de: "Neustart", ja: "再起動", es: "Reiniciar" }
    perm_os_account_lock { en: "Lock the system account", ko: "시스템 계정 잠금", de: "Systemkonto sperren", ja: "システムアカウントのロック", es: "Bloquear la cuenta del sistema" }
    perm_calls { en: "Calls", ko: "통화", de: "Anrufe", ja: "通話", es: "Llamadas" }
    perm_black_screen { en: "Black screen and input lock", ko: "검은 화면과 입력 잠금", de: "Schwarzer Bildschirm und Eingabesperre", ja: "ブラックスクリーンと入力ロック", es: "Pantalla negra y bloqueo de entrada" }
    perm_chat { en: "Chat", ko: "채팅", de: "Chat", ja: "チャット", es: "Chat" }
    perm_clipboard_sync { en: "Clipboard sync", ko: "클립보드 동기화", de: "Zwischenablage synchronisieren", ja: "クリップボード同期", es: "Sincronizar el portapapeles" }
    perm_screen_preview { en: "Screen preview", ko: "화면 미리보기", de: "Bildschirmvorschau", ja: "画面プレビュー", es: "Vista previa de la pantalla" }
    perm_connection_history { en: "Connection history", ko: "연결 기록", de: "Verbindungsverlauf", ja: "接続履歴", es: "Historial de conexiones" }
    perm_software_inventory { en: "Installed software", ko: "설치된 소프트웨어", de: "Installierte Software", ja: "インストール済みソフトウェア", es: "Software instalado" }
    perm_notifications { en: "Notifications", ko: "알림", de: "Benachrichtigungen", ja: "通知", es: "Notificaciones" }
    perm_recordings_delete { en: "Delete recordings", ko: "녹화 삭제", de: "Aufzeichnungen löschen", ja: "録画の削除", es: "Eliminar grabaciones" }
    perm_device_modify { en: "Change the device", ko: "장치 변경", de: "Gerät ändern", ja: "デバイスの変更", es: "Cambiar el dispositivo" }
    perm_device_delete { en: "Delete the device", ko: "장치 삭제", de: "Gerät löschen", ja: "デバイスの削除", es: "Eliminar el dispositivo" }
    perm_invitations_own { en: "Own invitations", ko: "내 초대", de: "Eigene Einladungen", ja: "自分の招待", es: "Invitaciones propias" }
    perm_invitations_all { en: "All of the team's invitations", ko: "팀의 모든 초대", de: "Alle Einladungen des Teams", ja: "チームのすべての招待", es: "Todas las invitaciones del equipo" }
    perm_admin_audit_log { en: "Team audit log", ko: "팀 감사 로그", de: "Audit-Protokoll des Teams", ja: "チームの監査ログ", es: "Registro de auditoría del equipo" }
    perm_admin_team { en: "Technicians and team settings", ko: "기술자와 팀 설정", de: "Techniker und Team-Einstellungen", ja: "技術者とチーム設定", es: "Técnicos y ajustes del equipo" }
    perm_admin_branding { en: "Branding", ko: "브랜딩", de: "Branding", ja: "ブランディング", es: "Imagen de marca" }
    perm_admin_billing { en: "Billing", ko: "결제", de: "Abrechnung", ja: "請求", es: "Facturación" }
    perm_admin_permanent_access { en: "Permanent Access section", ko: "영구 접근 섹션", de: "Bereich Dauerzugang", ja: "常時アクセスのセクション", es: "Sección de acceso permanente" }
    level_role { en: "Level: {level}", ko: "권한 수준: {level}", de: "Stufe: {level}", ja: "レベル: {level}", es: "Nivel: {level}" }
    role_full_device_access { en: "Full device access", ko: "전체 장치 접근", de: "Voller Gerätezugriff", ja: "デバイスへのフルアクセス", es: "Acceso completo al dispositivo" }
    role_device_connection_only { en: "Device connection only", ko: "장치 연결만", de: "Nur Geräteverbindung", ja: "デバイス接続のみ", es: "Solo conexión al dispositivo" }
    role_all_invitations { en: "All invitations", ko: "모든 초대", de: "Alle Einladungen", ja: "すべての招待", es: "Todas las invitaciones" }
    role_own_invitations { en: "Own invitations", ko: "내 초대", de: "Eigene Einladungen", ja: "自分の招待", es: "Invitaciones propias" }
    role_team_administrator { en: "Team administrator", ko: "팀 관리자", de: "Team-Administrator", ja: "チーム管理者", es: "Administrador del equipo" }
    role_branding_administrator { en: "Branding administrator", ko: "브랜딩 관리자", de: "Branding-Administrator", ja: "ブランディング管理者", es: "Administrador de imagen de marca" }
    role_billing_administrator { en: "Billing administrator", ko: "결제 관리자", de: "Abrechnungs-Administrator", ja: "請求管理者", es: "Administrador de facturación" }
    role_auditor { en: "Auditor", ko: "감사자", de: "Prüfer", ja: "監査担当", es: "Auditor" }
    role_devices_list { en: "Devices list", ko: "장치 목록", de: "Geräteliste", ja: "デバイス一覧", es: "Lista de dispositivos" }

    // A site's portal (reference 002): its menus.
    site_menu { en: "The site's menu", ko: "사이트 메뉴", de: "Menü des Standorts", ja: "サイトのメニュー", es: "Menú del sitio" }
    admins_and_technicians { en: "Admins & Technicians", ko: "관리자 및 기술자", de: "Admins & Techniker", ja: "管理者と技術者", es: "Administradores y técnicos" }
    admins_tab { en: "Admins", ko: "관리자", de: "Admins", ja: "管理者", es: "Administradores" }
    admins_menu { en: "Admin", ko: "관리자", de: "Admin", ja: "管理者", es: "Administrador" }
    technicians_tab { en: "Technicians", ko: "기술자", de: "Techniker", ja: "技術者", es: "Técnicos" }
    settings_site_security { en: "Settings › Site › Security", ko: "설정 › 사이트 › 보안", de: "Einstellungen › Standort › Sicherheit", ja: "設定 › サイト › セキュリティ", es: "Configuración › Sitio › Seguridad" }
    monitoring_audit_logs { en: "Monitoring › Audit logs", ko: "모니터링 › 감사 로그", de: "Überwachung › Audit-Protokolle", ja: "モニタリング › 監査ログ", es: "Supervisión › Registros de auditoría" }

    // A site's technicians: what an action did.
    done_locked { en: "Locked: {n} technician(s).", ko: "잠금: 기술자 {n}명.", de: "Gesperrt: {n} Techniker.", ja: "ロックしました: 技術者{n}人。", es: "Bloqueados: {n} técnico(s)." }
    done_unlocked { en: "Unlocked: {n} technician(s).", ko: "잠금 해제: 기술자 {n}명.", de: "Freigegeben: {n} Techniker.", ja: "ロックを解除しました: 技術者{n}人。", es: "Desbloqueados: {n} técnico(s)." }
    done_level { en: "Level changed: {n} technician(s).", ko: "권한 수준 변경: 기술자 {n}명.", de: "Stufe geändert: {n} Techniker.", ja: "権限レベルを変更しました: 技術者{n}人。", es: "Nivel cambiado: {n} técnico(s)." }
    done_deleted { en: "Access deleted: {n} technician(s).", ko: "접근 삭제: 기술자 {n}명.", de: "Zugang gelöscht: {n} Techniker.", ja: "アクセスを削除しました: 技術者{n}人。", es: "Acceso eliminado: {n} técnico(s)." }
    done_end { en: "End of access saved: {n} technician(s).", ko: "접근 종료일 저장: 기술자 {n}명.", de: "Zugangsende gespeichert: {n} Techniker.", ja: "アクセス終了日を保存しました: 技術者{n}人。", es: "Fin del acceso guardado: {n} técnico(s)." }
    technician_access_is_off {
        en: "Technician Access is off for this site: no technician can enter it, and technicians cannot be managed until it is turned on again. Their access stays as it was.",
        ko: "이 사이트의 기술자 접근이 꺼져 있습니다. 어떤 기술자도 들어올 수 없고, 다시 켤 때까지 기술자를 관리할 수 없습니다. 기술자의 접근 설정은 그대로 유지됩니다.",
        de: "Der Technikerzugang ist für diesen Standort aus: Kein Techniker kommt hinein, und Techniker lassen sich erst wieder verwalten, wenn er eingeschaltet ist. Ihr Zugang bleibt, wie er war.",
        ja: "このサイトの技術者アクセスはオフです。技術者は誰も入れず、再びオンにするまで技術者を管理できません。各技術者のアクセス設定はそのまま残ります。",
        es: "El acceso de técnicos está desactivado en este sitio: ningún técnico puede entrar y no se pueden gestionar hasta que se active de nuevo. Su acceso se conserva tal como estaba.",
    }
    turn_it_on_in_security { en: "Turn it on in Settings › Site › Security", ko: "설정 › 사이트 › 보안에서 켜기", de: "Unter Einstellungen › Standort › Sicherheit einschalten", ja: "設定 › サイト › セキュリティでオンにする", es: "Actívelo en Configuración › Sitio › Seguridad" }
    bulk_hint { en: "Select technicians in the list, then choose what to do with them:", ko: "목록에서 기술자를 선택한 다음 할 작업을 고르세요.", de: "Wählen Sie Techniker in der Liste aus und dann, was mit ihnen geschehen soll:", ja: "一覧で技術者を選び、行う操作を選んでください。", es: "Seleccione técnicos en la lista y elija qué hacer con ellos:" }
    lock_selected { en: "Lock the selected", ko: "선택한 기술자 잠금", de: "Ausgewählte sperren", ja: "選択した技術者をロック", es: "Bloquear los seleccionados" }
    unlock_selected { en: "Unlock the selected", ko: "선택한 기술자 잠금 해제", de: "Ausgewählte freigeben", ja: "選択した技術者のロックを解除", es: "Desbloquear los seleccionados" }
    level_selected { en: "Give the selected this level", ko: "선택한 기술자에게 이 권한 수준 부여", de: "Ausgewählten diese Stufe geben", ja: "選択した技術者をこのレベルにする", es: "Dar este nivel a los seleccionados" }
    delete_selected { en: "Delete the selected", ko: "선택한 기술자 삭제", de: "Ausgewählte löschen", ja: "選択した技術者を削除", es: "Eliminar los seleccionados" }
    selected { en: "Selected", ko: "선택", de: "Ausgewählt", ja: "選択", es: "Seleccionado" }
    select_person { en: "Select {name}", ko: "{name} 선택", de: "{name} auswählen", ja: "{name}を選択", es: "Seleccionar a {name}" }
    level_of { en: "Level of {name}", ko: "{name}의 권한 수준", de: "Stufe von {name}", ja: "{name}の権限レベル", es: "Nivel de {name}" }
    change_level_of { en: "Change the level of {name}", ko: "{name}의 권한 수준 변경", de: "Stufe von {name} ändern", ja: "{name}の権限レベルを変更", es: "Cambiar el nivel de {name}" }
    change { en: "Change", ko: "변경", de: "Ändern", ja: "変更", es: "Cambiar" }
    end_of_access_of { en: "Change the dates of access of {name}", ko: "{name}의 접근 기간 변경", de: "Zugangsdaten von {name} ändern", ja: "{name}のアクセス期間を変更", es: "Cambiar las fechas de acceso de {name}" }
    change_level_heading { en: "Change this technician's level?", ko: "이 기술자의 권한 수준을 변경할까요?", de: "Stufe dieses Technikers ändern?", ja: "この技術者の権限レベルを変更しますか?", es: "¿Cambiar el nivel de este técnico?" }
    change_level_question {
        en: "{who} goes from {from} to {to} at once, everywhere the site checks.",
        ko: "{who}의 권한 수준이 {from}에서 {to}(으)로 즉시 바뀝니다.",
        de: "{who} wechselt sofort von {from} zu {to}, bei jeder Prüfung des Standorts.",
        ja: "{who}の権限レベルは、ただちに{from}から{to}に変わります。",
        es: "{who} pasa de {from} a {to} al instante, en todas las comprobaciones del sitio.",
    }
    change_level { en: "Change the level", ko: "권한 수준 변경", de: "Stufe ändern", ja: "権限レベルを変更", es: "Cambiar el nivel" }
    end_of_access_heading { en: "When access applies", ko: "접근 기간", de: "Zugangszeitraum", ja: "アクセス期間", es: "Cuándo se aplica el acceso" }
    end_of_access_explained { en: "From when and until when {who} may enter this site. Leave the first day empty for access at once, and the last day empty for access without an end.", ko: "{who}이(가) 언제부터 언제까지 이 사이트에 들어올 수 있는지 정합니다. 바로 허용하려면 시작일을, 종료 없이 허용하려면 마지막 날을 비워 두세요.", de: "Ab wann und bis wann {who} diesen Standort betreten darf. Lassen Sie den ersten Tag leer für sofortigen Zugang und den letzten Tag leer für Zugang ohne Ende.", ja: "{who}がいつからいつまでこのサイトに入れるかを決めます。すぐに許可するには開始日を、終了日なしにするには最終日を空欄にしてください。", es: "Desde cuándo y hasta cuándo puede {who} entrar en este sitio. Deje el primer día vacío para un acceso inmediato y el último día vacío para un acceso sin fin." }
    last_day_of_access { en: "Last day of access (UTC)", ko: "접근 마지막 날(UTC)", de: "Letzter Zugangstag (UTC)", ja: "アクセス最終日(UTC)", es: "Último día de acceso (UTC)" }
    last_day_hint { en: "Access ends when this day ends, UTC. Format: YYYY-MM-DD.", ko: "이 날이 끝나면(UTC) 접근이 끝납니다. 형식: YYYY-MM-DD.", de: "Der Zugang endet mit Ablauf dieses Tages (UTC). Format: JJJJ-MM-TT.", ja: "この日の終わり(UTC)にアクセスが終了します。形式: YYYY-MM-DD。", es: "El acceso termina al acabar este día, UTC. Formato: AAAA-MM-DD." }
    first_day_of_access { en: "First day of access (UTC)", ko: "접근 첫날(UTC)", de: "Erster Zugangstag (UTC)", ja: "アクセス開始日(UTC)", es: "Primer día de acceso (UTC)" }
    first_day_hint { en: "Access begins when this day begins, UTC; until then checks answer not_yet_valid. Format: YYYY-MM-DD.", ko: "이 날이 시작되면(UTC) 접근이 시작되며, 그 전에는 확인 결과가 not_yet_valid입니다. 형식: YYYY-MM-DD.", de: "Der Zugang beginnt mit diesem Tag (UTC); bis dahin lautet die Prüfung not_yet_valid. Format: JJJJ-MM-TT.", ja: "この日の始まり(UTC)にアクセスが始まります。それまでの確認結果は not_yet_valid です。形式: YYYY-MM-DD。", es: "El acceso empieza al comenzar este día, UTC; hasta entonces la comprobación responde not_yet_valid. Formato: AAAA-MM-DD." }
    last_day_before_first { en: "The last day must not be before the first day.", ko: "마지막 날은 첫날보다 앞설 수 없습니다.", de: "Der letzte Tag darf nicht vor dem ersten Tag liegen.", ja: "最終日を開始日より前にすることはできません。", es: "El último día no puede ser anterior al primer día." }
    partner_locks_hint { en: "As the partner you lock, unlock and delete access here; the site's admins unlock new access first and set levels and dates.", ko: "파트너는 여기서 접근을 잠그고, 잠금 해제하고, 삭제할 수 있습니다. 새 접근의 첫 잠금 해제와 레벨·날짜 설정은 사이트 관리자가 합니다.", de: "Als Partner sperren, entsperren und löschen Sie hier Zugänge; neue Zugänge entsperren zuerst die Administratoren des Standorts, die auch Stufen und Daten festlegen.", ja: "パートナーはここでアクセスのロック、ロック解除、削除ができます。新しいアクセスの最初のロック解除とレベル・日付の設定はサイト管理者が行います。", es: "Como socio, aquí bloquea, desbloquea y elimina accesos; los administradores del sitio desbloquean primero los accesos nuevos y fijan niveles y fechas." }
    waits_for_site_admins { en: "Waits for the site's admins", ko: "사이트 관리자 대기 중", de: "Wartet auf die Standort-Administratoren", ja: "サイト管理者の対応待ち", es: "Espera a los administradores del sitio" }
    save_end_of_access { en: "Save when access applies", ko: "접근 기간 저장", de: "Zugangszeitraum speichern", ja: "アクセス期間を保存", es: "Guardar cuándo se aplica el acceso" }
    last_day_passed { en: "That day is over already: choose today or a later day.", ko: "이미 지난 날입니다. 오늘이나 그 이후 날짜를 고르세요.", de: "Dieser Tag ist schon vorbei: Wählen Sie heute oder einen späteren Tag.", ja: "その日はすでに過ぎています。今日以降の日付を選んでください。", es: "Ese día ya pasó: elija hoy o un día posterior." }
    nothing_selected { en: "No technician selected", ko: "선택한 기술자가 없습니다", de: "Kein Techniker ausgewählt", ja: "技術者が選択されていません", es: "Ningún técnico seleccionado" }
    nothing_selected_why { en: "A bulk action applies to the technicians ticked in the list, and none was.", ko: "일괄 작업은 목록에서 선택한 기술자에게 적용되는데, 선택된 기술자가 없습니다.", de: "Eine Sammelaktion gilt für die in der Liste angehakten Techniker, und keiner war angehakt.", ja: "一括操作は一覧でチェックした技術者に適用されますが、1人もチェックされていません。", es: "Una acción en bloque se aplica a los técnicos marcados en la lista, y no había ninguno." }
    nothing_selected_next { en: "Go back, tick one or more technicians, and choose the action again.", ko: "돌아가서 기술자를 한 명 이상 선택한 다음 작업을 다시 고르세요.", de: "Gehen Sie zurück, haken Sie einen oder mehrere Techniker an und wählen Sie die Aktion erneut.", ja: "戻って技術者を1人以上チェックし、もう一度操作を選んでください。", es: "Vuelva, marque uno o más técnicos y elija de nuevo la acción." }
    bulk_lock_heading { en: "Lock {n} technician(s)?", ko: "기술자 {n}명을 잠글까요?", de: "{n} Techniker sperren?", ja: "技術者{n}人をロックしますか?", es: "¿Bloquear a {n} técnico(s)?" }
    bulk_unlock_heading { en: "Unlock {n} technician(s)?", ko: "기술자 {n}명의 잠금을 해제할까요?", de: "{n} Techniker freigeben?", ja: "技術者{n}人のロックを解除しますか?", es: "¿Desbloquear a {n} técnico(s)?" }
    bulk_delete_heading { en: "Delete the access of {n} technician(s)?", ko: "기술자 {n}명의 접근을 삭제할까요?", de: "Zugang von {n} Technikern löschen?", ja: "技術者{n}人のアクセスを削除しますか?", es: "¿Eliminar el acceso de {n} técnico(s)?" }
    bulk_level_heading { en: "Give {n} technician(s) the level {level}?", ko: "기술자 {n}명에게 {level} 권한 수준을 줄까요?", de: "{n} Technikern die Stufe {level} geben?", ja: "技術者{n}人を{level}にしますか?", es: "¿Dar a {n} técnico(s) el nivel {level}?" }
    lock_them { en: "Lock them", ko: "잠그기", de: "Sperren", ja: "ロックする", es: "Bloquearlos" }
    unlock_them { en: "Unlock them", ko: "잠금 해제하기", de: "Freigeben", ja: "ロックを解除する", es: "Desbloquearlos" }
    delete_their_access { en: "Delete their access", ko: "접근 삭제하기", de: "Ihren Zugang löschen", ja: "アクセスを削除する", es: "Eliminar su acceso" }

    // A site's Devices tab.
    devices_tab { en: "Devices", ko: "장치", de: "Geräte", ja: "デバイス", es: "Dispositivos" }
    devices_of { en: "Devices of {site}", ko: "{site}의 장치", de: "Geräte von {site}", ja: "{site}のデバイス", es: "Dispositivos de {site}" }
    devices { en: "Devices", ko: "장치", de: "Geräte", ja: "デバイス", es: "Dispositivos" }
    device { en: "Device", ko: "장치", de: "Gerät", ja: "デバイス", es: "Dispositivo" }
    device_group { en: "Device group", ko: "장치 그룹", de: "Gerätegruppe", ja: "デバイスグループ", es: "Grupo de dispositivos" }
    device_groups { en: "Device groups", ko: "장치 그룹", de: "Gerätegruppen", ja: "デバイスグループ", es: "Grupos de dispositivos" }
    device_groups_explained {
        en: "A grant on a group reaches every device in it. Deleting a group keeps its devices, without a group, and ends the grants on it.",
        ko: "그룹에 대한 권한 부여는 그룹의 모든 장치에 적용됩니다. 그룹을 삭제해도 장치는 그룹 없이 남고, 그룹에 대한 권한 부여는 끝납니다.",
        de: "Eine Freigabe für eine Gruppe erreicht jedes Gerät darin. Beim Löschen einer Gruppe bleiben ihre Geräte ohne Gruppe erhalten, und die Freigaben für sie enden.",
        ja: "グループへの付与は、その中のすべてのデバイスに及びます。グループを削除してもデバイスはグループなしで残り、そのグループへの付与は終わります。",
        es: "Una concesión sobre un grupo alcanza a todos sus dispositivos. Al eliminar un grupo, sus dispositivos se conservan sin grupo y terminan las concesiones sobre él.",
    }
    devices_caption { en: "The site's devices and their group", ko: "사이트의 장치와 그룹", de: "Die Geräte des Standorts und ihre Gruppe", ja: "サイトのデバイスとそのグループ", es: "Los dispositivos del sitio y su grupo" }
    no_device_yet { en: "No device at this site yet.", ko: "아직 이 사이트에 장치가 없습니다.", de: "Noch kein Gerät an diesem Standort.", ja: "このサイトにはまだデバイスがありません。", es: "Aún no hay dispositivos en este sitio." }
    no_group_yet { en: "No device group yet.", ko: "아직 장치 그룹이 없습니다.", de: "Noch keine Gerätegruppe.", ja: "まだデバイスグループがありません。", es: "Aún no hay grupos de dispositivos." }
    no_group { en: "No group", ko: "그룹 없음", de: "Keine Gruppe", ja: "グループなし", es: "Sin grupo" }
    in_group { en: "In the group {group}", ko: "{group} 그룹에 속함", de: "In der Gruppe {group}", ja: "グループ{group}に所属", es: "En el grupo {group}" }
    new_device { en: "New device", ko: "새 장치", de: "Neues Gerät", ja: "新しいデバイス", es: "Nuevo dispositivo" }
    add_device { en: "Add the device", ko: "장치 추가", de: "Gerät hinzufügen", ja: "デバイスを追加", es: "Añadir el dispositivo" }
    new_group_name { en: "New group's name", ko: "새 그룹 이름", de: "Name der neuen Gruppe", ja: "新しいグループの名前", es: "Nombre del nuevo grupo" }
    add_group { en: "Add the group", ko: "그룹 추가", de: "Gruppe hinzufügen", ja: "グループを追加", es: "Añadir el grupo" }
    next_devices { en: "Next devices", ko: "다음 장치", de: "Weitere Geräte", ja: "次のデバイス", es: "Más dispositivos" }
    delete_named { en: "Delete {name}", ko: "{name} 삭제", de: "{name} löschen", ja: "{name}を削除", es: "Eliminar {name}" }
    who_reaches { en: "Who reaches {device}", ko: "{device}에 접근 가능한 사람", de: "Wer {device} erreicht", ja: "{device}にアクセスできる人", es: "Quién llega a {device}" }
    delete_device_heading { en: "Delete this device?", ko: "이 장치를 삭제할까요?", de: "Dieses Gerät löschen?", ja: "このデバイスを削除しますか?", es: "¿Eliminar este dispositivo?" }
    delete_device_question { en: "{device} is deleted, and every grant on it ends.", ko: "{device}이(가) 삭제되고, 이 장치에 대한 모든 권한 부여가 끝납니다.", de: "{device} wird gelöscht, und jede Freigabe dafür endet.", ja: "{device}は削除され、このデバイスへのすべての付与が終わります。", es: "{device} se elimina y terminan todas las concesiones sobre él." }
    delete_group_heading { en: "Delete this device group?", ko: "이 장치 그룹을 삭제할까요?", de: "Diese Gerätegruppe löschen?", ja: "このデバイスグループを削除しますか?", es: "¿Eliminar este grupo de dispositivos?" }
    delete_group_question { en: "{group} is deleted and every grant on it ends; its devices stay, without a group.", ko: "{group} 그룹이 삭제되고 이 그룹에 대한 모든 권한 부여가 끝납니다. 장치는 그룹 없이 남습니다.", de: "{group} wird gelöscht, und jede Freigabe dafür endet; ihre Geräte bleiben ohne Gruppe.", ja: "{group}は削除され、このグループへのすべての付与が終わります。デバイスはグループなしで残ります。", es: "{group} se elimina y terminan todas las concesiones sobre él; sus dispositivos se conservan sin grupo." }
    back_to_devices { en: "← Devices", ko: "← 장치", de: "← Geräte", ja: "← デバイス", es: "← Dispositivos" }
    reaching_with { en: "Who may use {permission} now", ko: "지금 {permission} 권한을 쓸 수 있는 사람", de: "Wer jetzt {permission} darf", ja: "現在{permission}を使える人", es: "Quién puede usar {permission} ahora" }
    permission { en: "Permission", ko: "권한", de: "Berechtigung", ja: "権限", es: "Permiso" }
    nobody_reaches { en: "Nobody reaches this device with this permission now.", ko: "지금 이 권한으로 이 장치에 접근할 수 있는 사람이 없습니다.", de: "Niemand erreicht dieses Gerät jetzt mit dieser Berechtigung.", ja: "現在、この権限でこのデバイスにアクセスできる人はいません。", es: "Nadie llega ahora a este dispositivo con este permiso." }
    reaching_caption { en: "The technicians who reach the device, and why", ko: "장치에 접근할 수 있는 기술자와 그 이유", de: "Die Techniker, die das Gerät erreichen, und warum", ja: "デバイスにアクセスできる技術者とその理由", es: "Los técnicos que llegan al dispositivo, y por qué" }
    why { en: "Why", ko: "이유", de: "Warum", ja: "理由", es: "Por qué" }
    why_level { en: "Their level at the site: {level}", ko: "사이트 권한 수준: {level}", de: "Ihre Stufe am Standort: {level}", ja: "サイトでの権限レベル: {level}", es: "Su nivel en el sitio: {level}" }
    why_partner_role { en: "Their role in the partner: {role}", ko: "파트너 역할: {role}", de: "Ihre Rolle beim Partner: {role}", ja: "パートナーでの役割: {role}", es: "Su rol en el partner: {role}" }
    why_grant { en: "The role {role} {on}", ko: "{on}에 대한 {role} 역할", de: "Die Rolle {role} {on}", ja: "{on}に対する役割{role}", es: "El rol {role} {on}" }
    on_the_site { en: "on the whole site", ko: "사이트 전체", de: "für den ganzen Standort", ja: "サイト全体", es: "en todo el sitio" }
    on_the_group { en: "on the group {group}", ko: "{group} 그룹", de: "für die Gruppe {group}", ja: "グループ{group}", es: "en el grupo {group}" }
    on_this_device { en: "on this device", ko: "이 장치", de: "für dieses Gerät", ja: "このデバイス", es: "en este dispositivo" }
    through_department { en: "{grant}, through the department {department}", ko: "{grant}, {department} 부서를 통해", de: "{grant}, über die Abteilung {department}", ja: "{grant}(部署{department}経由)", es: "{grant}, a través del departamento {department}" }

    // Partner › Role manager.
    roles { en: "Roles", ko: "역할", de: "Rollen", ja: "役割", es: "Roles" }
    roles_of { en: "Role manager of {partner}", ko: "{partner} 역할 관리", de: "Rollenverwaltung von {partner}", ja: "{partner}の役割管理", es: "Gestor de roles de {partner}" }
    custom_roles { en: "Custom roles", ko: "사용자 지정 역할", de: "Eigene Rollen", ja: "カスタム役割", es: "Roles personalizados" }
    system_roles { en: "System roles", ko: "시스템 역할", de: "Systemrollen", ja: "システム役割", es: "Roles del sistema" }
    system_roles_explained { en: "Every partner has these roles. They cannot be changed or deleted.", ko: "모든 파트너에 있는 역할이며, 변경하거나 삭제할 수 없습니다.", de: "Jeder Partner hat diese Rollen. Sie lassen sich weder ändern noch löschen.", ja: "すべてのパートナーにある役割で、変更も削除もできません。", es: "Todos los partners tienen estos roles. No se pueden cambiar ni eliminar." }
    system_badge { en: "System", ko: "시스템", de: "System", ja: "システム", es: "Sistema" }
    purpose { en: "Purpose", ko: "용도", de: "Zweck", ja: "用途", es: "Propósito" }
    permissions { en: "Permissions", ko: "권한", de: "Berechtigungen", ja: "権限", es: "Permisos" }
    purpose_site_level { en: "Site level", ko: "사이트 권한 수준", de: "Standortstufe", ja: "サイトのレベル", es: "Nivel de sitio" }
    purpose_devices_and_groups { en: "Devices and device groups", ko: "장치와 장치 그룹", de: "Geräte und Gerätegruppen", ja: "デバイスとデバイスグループ", es: "Dispositivos y grupos de dispositivos" }
    purpose_invitations { en: "Invitations", ko: "초대", de: "Einladungen", ja: "招待", es: "Invitaciones" }
    purpose_administration { en: "Administration", ko: "관리", de: "Verwaltung", ja: "管理", es: "Administración" }
    no_custom_role { en: "No custom role yet.", ko: "아직 사용자 지정 역할이 없습니다.", de: "Noch keine eigene Rolle.", ja: "まだカスタム役割がありません。", es: "Aún no hay roles personalizados." }
    next_roles { en: "Next roles", ko: "다음 역할", de: "Weitere Rollen", ja: "次の役割", es: "Más roles" }
    new_role { en: "New role", ko: "새 역할", de: "Neue Rolle", ja: "新しい役割", es: "Nuevo rol" }
    purpose_fixed_hint { en: "The purpose decides which permissions the role may hold and where it can be granted; it cannot change later.", ko: "용도에 따라 역할이 가질 수 있는 권한과 부여할 수 있는 대상이 정해지며, 나중에 바꿀 수 없습니다.", de: "Der Zweck bestimmt, welche Berechtigungen die Rolle haben und wo sie vergeben werden kann; er lässt sich später nicht ändern.", ja: "用途によって、役割が持てる権限と付与できる対象が決まります。後から変更できません。", es: "El propósito decide qué permisos puede tener el rol y dónde se puede conceder; no se puede cambiar después." }
    choose_permissions { en: "Choose its permissions", ko: "권한 선택", de: "Berechtigungen wählen", ja: "権限を選ぶ", es: "Elegir sus permisos" }
    create_role { en: "Create the role", ko: "역할 만들기", de: "Rolle anlegen", ja: "役割を作成", es: "Crear el rol" }
    edit_role { en: "Role {role}", ko: "{role} 역할", de: "Rolle {role}", ja: "役割{role}", es: "Rol {role}" }
    save_role { en: "Save the role", ko: "역할 저장", de: "Rolle speichern", ja: "役割を保存", es: "Guardar el rol" }
    back_to_roles { en: "← Role manager", ko: "← 역할 관리", de: "← Rollenverwaltung", ja: "← 役割管理", es: "← Gestor de roles" }
    role_created { en: "The role was created.", ko: "역할을 만들었습니다.", de: "Die Rolle wurde angelegt.", ja: "役割を作成しました。", es: "Se creó el rol." }
    role_saved { en: "The role was saved; checks follow it at once.", ko: "역할을 저장했습니다. 검사에 즉시 반영됩니다.", de: "Die Rolle wurde gespeichert; Prüfungen folgen ihr sofort.", ja: "役割を保存しました。チェックにすぐ反映されます。", es: "Se guardó el rol; las comprobaciones lo siguen al instante." }
    role_deleted { en: "The role was deleted, with its grants.", ko: "역할과 그 권한 부여를 삭제했습니다.", de: "Die Rolle wurde mit ihren Freigaben gelöscht.", ja: "役割とその付与を削除しました。", es: "Se eliminó el rol, con sus concesiones." }
    delete_role_heading { en: "Delete the role {role}?", ko: "{role} 역할을 삭제할까요?", de: "Rolle {role} löschen?", ja: "役割{role}を削除しますか?", es: "¿Eliminar el rol {role}?" }
    delete_role_no_grants { en: "No grant uses it: deleting it takes nothing else away.", ko: "이 역할을 쓰는 권한 부여가 없으므로, 삭제해도 다른 것은 사라지지 않습니다.", de: "Keine Freigabe verwendet sie: Das Löschen nimmt nichts weiter weg.", ja: "この役割を使う付与はないため、削除しても他に失われるものはありません。", es: "Ninguna concesión lo usa: eliminarlo no quita nada más." }
    delete_role_grants { en: "These {n} grant(s) use it and are deleted with it; whoever holds them loses that access at once.", ko: "이 역할을 쓰는 권한 부여 {n}개가 함께 삭제되며, 보유자는 즉시 그 접근을 잃습니다.", de: "Diese {n} Freigabe(n) verwenden sie und werden mit ihr gelöscht; wer sie hat, verliert diesen Zugang sofort.", ja: "この役割を使う{n}件の付与も一緒に削除され、保有者はただちにそのアクセスを失います。", es: "Estas {n} concesiones lo usan y se eliminan con él; quien las tiene pierde ese acceso al instante." }
    grants_that_go { en: "The grants deleted with the role", ko: "역할과 함께 삭제되는 권한 부여", de: "Die mit der Rolle gelöschten Freigaben", ja: "役割と一緒に削除される付与", es: "Las concesiones que se eliminan con el rol" }
    holder { en: "Held by", ko: "보유자", de: "Inhaber", ja: "保有者", es: "Titular" }
    where_it_applies { en: "Where", ko: "대상", de: "Wo", ja: "対象", es: "Dónde" }
    department_named { en: "Department {name}", ko: "{name} 부서", de: "Abteilung {name}", ja: "部署{name}", es: "Departamento {name}" }
    place_site { en: "Every device of {site}", ko: "{site}의 모든 장치", de: "Jedes Gerät von {site}", ja: "{site}のすべてのデバイス", es: "Todos los dispositivos de {site}" }
    place_group { en: "The group {group} at {site}", ko: "{site}의 {group} 그룹", de: "Die Gruppe {group} in {site}", ja: "{site}のグループ{group}", es: "El grupo {group} en {site}" }
    place_device { en: "The device {device} at {site}", ko: "{site}의 {device} 장치", de: "Das Gerät {device} in {site}", ja: "{site}のデバイス{device}", es: "El dispositivo {device} en {site}" }
    section_invitations { en: "The Invitations section", ko: "초대 섹션", de: "Der Bereich Einladungen", ja: "招待セクション", es: "La sección Invitaciones" }
    section_administration { en: "The Administration section", ko: "관리 섹션", de: "Der Bereich Verwaltung", ja: "管理セクション", es: "La sección Administración" }
    delete_role { en: "Delete the role", ko: "역할 삭제", de: "Rolle löschen", ja: "役割を削除", es: "Eliminar el rol" }

    // Partner › Access and Departments.
    access_menu { en: "Access", ko: "접근 권한", de: "Zugriffe", ja: "アクセス権", es: "Accesos" }
    access_of { en: "Access to devices and sections at {partner}", ko: "{partner}의 장치 및 섹션 접근", de: "Zugriff auf Geräte und Bereiche bei {partner}", ja: "{partner}のデバイスとセクションへのアクセス", es: "Acceso a dispositivos y secciones en {partner}" }
    grants { en: "Grants", ko: "권한 부여", de: "Freigaben", ja: "付与", es: "Concesiones" }
    grants_explained {
        en: "A grant gives a role to a technician, or to every member of a department, on a site, a device group, a device or a section — for good, or between two days.",
        ko: "권한 부여는 기술자 한 명이나 부서의 모든 구성원에게 사이트, 장치 그룹, 장치 또는 섹션에 대한 역할을 줍니다. 기한 없이 또는 두 날짜 사이에만 줄 수 있습니다.",
        de: "Eine Freigabe gibt einem Techniker oder jedem Mitglied einer Abteilung eine Rolle für einen Standort, eine Gerätegruppe, ein Gerät oder einen Bereich — dauerhaft oder zwischen zwei Tagen.",
        ja: "付与は、技術者または部署の全メンバーに、サイト、デバイスグループ、デバイス、セクションに対する役割を与えます。無期限にも、2つの日付の間だけにもできます。",
        es: "Una concesión da un rol a un técnico, o a todos los miembros de un departamento, sobre un sitio, un grupo de dispositivos, un dispositivo o una sección: para siempre, o entre dos días.",
    }
    grants_caption { en: "Grants, with who holds them, their role, where and when", ko: "권한 부여: 보유자, 역할, 대상, 기간", de: "Freigaben mit Inhaber, Rolle, Ort und Zeitraum", ja: "付与: 保有者、役割、対象、期間", es: "Concesiones, con titular, rol, dónde y cuándo" }
    when_it_applies { en: "When", ko: "기간", de: "Wann", ja: "期間", es: "Cuándo" }
    always { en: "Always", ko: "기한 없음", de: "Immer", ja: "無期限", es: "Siempre" }
    from_day { en: "From {from}", ko: "{from}부터", de: "Ab {from}", ja: "{from}から", es: "Desde {from}" }
    until_moment { en: "Until {until}", ko: "{until}까지", de: "Bis {until}", ja: "{until}まで", es: "Hasta {until}" }
    between { en: "{from} to {until}", ko: "{from}부터 {until}까지", de: "{from} bis {until}", ja: "{from}から{until}まで", es: "De {from} a {until}" }
    no_grant_yet { en: "No grant yet.", ko: "아직 권한 부여가 없습니다.", de: "Noch keine Freigabe.", ja: "まだ付与はありません。", es: "Aún no hay concesiones." }
    next_grants { en: "Next grants", ko: "다음 권한 부여", de: "Weitere Freigaben", ja: "次の付与", es: "Más concesiones" }
    access_to_sections { en: "Access to a section", ko: "섹션 접근 권한 주기", de: "Zugriff auf einen Bereich", ja: "セクションへのアクセス", es: "Acceso a una sección" }
    access_to_devices { en: "Give access to devices here", ko: "여기의 장치 접근 권한 주기", de: "Zugriff auf Geräte hier geben", ja: "ここのデバイスへのアクセスを与える", es: "Dar acceso a los dispositivos de aquí" }
    every_device_here { en: "Every device of this site", ko: "이 사이트의 모든 장치", de: "Jedes Gerät dieses Standorts", ja: "このサイトのすべてのデバイス", es: "Todos los dispositivos de este sitio" }
    the_group { en: "The group {group}", ko: "{group} 그룹", de: "Die Gruppe {group}", ja: "グループ{group}", es: "El grupo {group}" }
    this_device { en: "This device", ko: "이 장치", de: "Dieses Gerät", ja: "このデバイス", es: "Este dispositivo" }
    holder_and_role { en: "Who and which role", ko: "대상과 역할", de: "Wer und welche Rolle", ja: "誰に、どの役割を", es: "Quién y qué rol" }
    a_technician_by_email { en: "A technician (their email below)", ko: "기술자(아래에 이메일 입력)", de: "Ein Techniker (E-Mail unten)", ja: "技術者(下にメールアドレス)", es: "Un técnico (su correo abajo)" }
    technicians_email { en: "Technician's email", ko: "기술자 이메일", de: "E-Mail des Technikers", ja: "技術者のメールアドレス", es: "Correo del técnico" }
    technicians_email_hint { en: "For a technician — a member, or someone invited to the team who has not accepted yet (the access waits for them). Leave it empty when a department is chosen.", ko: "기술자에게 줄 때 입력하세요. 멤버이거나, 팀에 초대되었지만 아직 수락하지 않은 사람도 됩니다(수락할 때까지 권한이 대기합니다). 부서를 고른 경우에는 비워 두세요.", de: "Für einen Techniker – ein Mitglied oder jemand, der ins Team eingeladen wurde und noch nicht angenommen hat (der Zugriff wartet auf ihn). Leer lassen, wenn eine Abteilung gewählt ist.", ja: "技術者に与える場合に入力します。メンバーのほか、チームに招待済みでまだ承諾していない人も指定できます(承諾まで権限は待機します)。部署を選んだ場合は空欄にしてください。", es: "Para un técnico: un miembro o alguien invitado al equipo que aún no ha aceptado (el acceso le espera). Déjelo vacío si elige un departamento." }
    invited_named { en: "{email} (invited, waits for acceptance)", ko: "{email}(초대됨, 수락 대기 중)", de: "{email} (eingeladen, wartet auf Annahme)", ja: "{email}(招待済み、承諾待ち)", es: "{email} (invitado, espera la aceptación)" }
    first_day_optional { en: "First day (UTC, optional)", ko: "시작일(UTC, 선택)", de: "Erster Tag (UTC, optional)", ja: "開始日(UTC、任意)", es: "Primer día (UTC, opcional)" }
    last_day_optional { en: "Last day (UTC, optional)", ko: "마지막 날(UTC, 선택)", de: "Letzter Tag (UTC, optional)", ja: "最終日(UTC、任意)", es: "Último día (UTC, opcional)" }
    give_access { en: "Give access", ko: "접근 권한 주기", de: "Zugriff geben", ja: "アクセスを与える", es: "Dar acceso" }
    grant_refused { en: "The access was not given", ko: "접근 권한을 주지 못했습니다", de: "Der Zugriff wurde nicht gegeben", ja: "アクセスを与えられませんでした", es: "No se dio el acceso" }
    back_to_the_form { en: "Back to the form", ko: "양식으로 돌아가기", de: "Zurück zum Formular", ja: "フォームに戻る", es: "Volver al formulario" }
    delete_grant_heading { en: "Delete this grant?", ko: "이 권한 부여를 삭제할까요?", de: "Diese Freigabe löschen?", ja: "この付与を削除しますか?", es: "¿Eliminar esta concesión?" }
    delete_grant_question { en: "{holder} loses {role} on {place} at once.", ko: "{holder}은(는) {place}에 대한 {role} 역할을 즉시 잃습니다.", de: "{holder} verliert {role} für {place} sofort.", ja: "{holder}は{place}に対する{role}をただちに失います。", es: "{holder} pierde {role} en {place} al instante." }
    delete_grant { en: "Delete the grant", ko: "권한 부여 삭제", de: "Freigabe löschen", ja: "付与を削除", es: "Eliminar la concesión" }
    delete_grant_of { en: "Delete the grant of {holder} on {place}", ko: "{holder}의 {place} 권한 부여 삭제", de: "Freigabe von {holder} für {place} löschen", ja: "{holder}の{place}への付与を削除", es: "Eliminar la concesión de {holder} en {place}" }
    departments_menu { en: "Departments", ko: "부서", de: "Abteilungen", ja: "部署", es: "Departamentos" }
    departments_of { en: "Departments of {partner}", ko: "{partner}의 부서", de: "Abteilungen von {partner}", ja: "{partner}の部署", es: "Departamentos de {partner}" }
    departments { en: "Departments", ko: "부서", de: "Abteilungen", ja: "部署", es: "Departamentos" }
    departments_explained { en: "A department's members inherit every grant the department holds, while they are members.", ko: "부서의 구성원은 구성원인 동안 부서가 가진 모든 권한 부여를 물려받습니다.", de: "Die Mitglieder einer Abteilung erben jede Freigabe der Abteilung, solange sie Mitglieder sind.", ja: "部署のメンバーは、メンバーである間、部署が持つすべての付与を引き継ぎます。", es: "Los miembros de un departamento heredan todas sus concesiones mientras son miembros." }
    no_department_yet { en: "No department yet.", ko: "아직 부서가 없습니다.", de: "Noch keine Abteilung.", ja: "まだ部署がありません。", es: "Aún no hay departamentos." }
    next_departments { en: "Next departments", ko: "다음 부서", de: "Weitere Abteilungen", ja: "次の部署", es: "Más departamentos" }
    new_department_name { en: "New department's name", ko: "새 부서 이름", de: "Name der neuen Abteilung", ja: "新しい部署の名前", es: "Nombre del nuevo departamento" }
    add_department { en: "Add the department", ko: "부서 추가", de: "Abteilung hinzufügen", ja: "部署を追加", es: "Añadir el departamento" }
    back_to_departments { en: "← Departments", ko: "← 부서", de: "← Abteilungen", ja: "← 部署", es: "← Departamentos" }
    department_members { en: "Members", ko: "구성원", de: "Mitglieder", ja: "メンバー", es: "Miembros" }
    no_department_member { en: "No member yet.", ko: "아직 구성원이 없습니다.", de: "Noch kein Mitglied.", ja: "まだメンバーがいません。", es: "Aún no hay miembros." }
    take_out { en: "Take out", ko: "빼기", de: "Herausnehmen", ja: "外す", es: "Quitar" }
    take_out_of_department { en: "Take out {name}", ko: "{name} 빼기", de: "{name} herausnehmen", ja: "{name}を外す", es: "Quitar a {name}" }
    add_member_by_email { en: "A member of the partner, by email", ko: "파트너 멤버의 이메일", de: "Ein Mitglied des Partners, per E-Mail", ja: "パートナーのメンバーのメールアドレス", es: "Un miembro del partner, por correo" }
    add_to_department { en: "Add to the department", ko: "부서에 추가", de: "Zur Abteilung hinzufügen", ja: "部署に追加", es: "Añadir al departamento" }
    department_grants { en: "The department's grants", ko: "부서의 권한 부여", de: "Freigaben der Abteilung", ja: "部署の付与", es: "Concesiones del departamento" }
    department_grants_explained { en: "Every member holds these, marked as inherited on their own page.", ko: "모든 구성원이 이 권한을 가지며, 각자의 페이지에 상속됨으로 표시됩니다.", de: "Jedes Mitglied hat diese; auf seiner eigenen Seite sind sie als geerbt markiert.", ja: "すべてのメンバーがこれらを持ち、各自のページでは継承として示されます。", es: "Todos los miembros las tienen; en su propia página aparecen como heredadas." }
    give_access_in_access { en: "Give the department access: Access, or a site's Devices", ko: "부서에 접근 권한 주기: 접근 권한 페이지 또는 사이트의 장치 탭", de: "Der Abteilung Zugriff geben: Zugriffe oder die Geräte eines Standorts", ja: "部署にアクセスを与える: アクセス権、またはサイトのデバイス", es: "Dar acceso al departamento: Accesos, o los Dispositivos de un sitio" }
    delete_department_heading { en: "Delete this department?", ko: "이 부서를 삭제할까요?", de: "Diese Abteilung löschen?", ja: "この部署を削除しますか?", es: "¿Eliminar este departamento?" }
    delete_department_question { en: "{department} is deleted: its {members} member(s) lose the access it gave them, and its {grants} grant(s) go with it. The members stay in the partner.", ko: "{department} 부서가 삭제됩니다. 구성원 {members}명은 부서로 받은 접근 권한을 잃고, 권한 부여 {grants}개도 함께 삭제됩니다. 구성원은 파트너에 남습니다.", de: "{department} wird gelöscht: Die {members} Mitglieder verlieren den Zugriff, den sie darüber hatten, und die {grants} Freigaben gehen mit. Die Mitglieder bleiben beim Partner.", ja: "{department}を削除します。メンバー{members}人は部署経由のアクセスを失い、{grants}件の付与も削除されます。メンバーはパートナーに残ります。", es: "{department} se elimina: sus {members} miembros pierden el acceso que les daba y sus {grants} concesiones se van con él. Los miembros siguen en el partner." }
    delete_department { en: "Delete the department", ko: "부서 삭제", de: "Abteilung löschen", ja: "部署を削除", es: "Eliminar el departamento" }

    their_departments { en: "Their departments", ko: "이 사람의 부서", de: "Ihre Abteilungen", ja: "この人の部署", es: "Sus departamentos" }
    in_no_department { en: "Not in a department.", ko: "속한 부서가 없습니다.", de: "In keiner Abteilung.", ja: "どの部署にも所属していません。", es: "No está en ningún departamento." }
    their_grants { en: "Their grants", ko: "이 사람의 권한 부여", de: "Ihre Freigaben", ja: "この人の付与", es: "Sus concesiones" }
    from_whom { en: "Held", ko: "보유 방식", de: "Herkunft", ja: "保有の経緯", es: "Origen" }
    inherited { en: "Inherited", ko: "상속됨", de: "Geerbt", ja: "継承", es: "Heredada" }
    their_own { en: "Their own", ko: "본인에게 직접", de: "Eigene", ja: "本人に直接", es: "Propia" }
    // Partner › Licences.
    licences_menu { en: "Licences", ko: "라이선스", de: "Lizenzen", ja: "ライセンス", es: "Licencias" }
    licences_of { en: "Licences of {partner}", ko: "{partner}의 라이선스", de: "Lizenzen von {partner}", ja: "{partner}のライセンス", es: "Licencias de {partner}" }
    seats { en: "Seats", ko: "좌석", de: "Plätze", ja: "席数", es: "Puestos" }
    seats_explained { en: "How many active members may hold each privilege. Super Admins count too, and are never disabled automatically.", ko: "각 권한을 가질 수 있는 활성 멤버 수입니다. 최고 관리자도 포함되며, 자동으로 비활성화되지 않습니다.", de: "Wie viele aktive Mitglieder jede Berechtigung haben dürfen. Super-Admins zählen mit und werden nie automatisch deaktiviert.", ja: "各特権を持てる有効なメンバーの数です。スーパー管理者も数に含まれ、自動で無効になることはありません。", es: "Cuántos miembros activos pueden tener cada privilegio. Los superadministradores cuentan y nunca se desactivan automáticamente." }
    seats_caption { en: "Seats and seats in use per privilege", ko: "권한별 좌석과 사용 중인 좌석", de: "Plätze und belegte Plätze je Berechtigung", ja: "特権ごとの席数と使用中の席数", es: "Puestos y puestos en uso por privilegio" }
    seats_in_use { en: "In use", ko: "사용 중", de: "Belegt", ja: "使用中", es: "En uso" }
    unlimited { en: "Unlimited", ko: "무제한", de: "Unbegrenzt", ja: "無制限", es: "Ilimitados" }
    seats_of { en: "Seats of {privilege}", ko: "{privilege} 좌석", de: "Plätze für {privilege}", ja: "{privilege}の席数", es: "Puestos de {privilege}" }
    seats_hint { en: "Empty is unlimited. Fewer seats than holders disables the newest holders, never a Super Admin.", ko: "비우면 무제한입니다. 보유자보다 좌석이 적으면 가장 최근 보유자부터 비활성화되며, 최고 관리자는 제외됩니다.", de: "Leer ist unbegrenzt. Weniger Plätze als Inhaber deaktiviert die neuesten Inhaber, nie einen Super-Admin.", ja: "空欄は無制限です。保有者より席数が少ないと、最も新しい保有者から無効になります(スーパー管理者は除く)。", es: "Vacío es ilimitado. Menos puestos que titulares desactiva a los titulares más recientes, nunca a un superadministrador." }
    save_seats { en: "Save the seats", ko: "좌석 저장", de: "Plätze speichern", ja: "席数を保存", es: "Guardar los puestos" }
    seats_saved { en: "Saved. Members disabled by the change: {n}.", ko: "저장했습니다. 이 변경으로 비활성화된 멤버: {n}명.", de: "Gespeichert. Durch die Änderung deaktivierte Mitglieder: {n}.", ja: "保存しました。この変更で無効になったメンバー: {n}人。", es: "Guardado. Miembros desactivados por el cambio: {n}." }
    seats_not_a_number { en: "{field}: give a whole number of seats, or leave it empty for unlimited.", ko: "{field}: 좌석 수를 정수로 입력하거나, 무제한이면 비워 두세요.", de: "{field}: Geben Sie eine ganze Zahl an Plätzen an oder lassen Sie es für unbegrenzt leer.", ja: "{field}: 席数を整数で入力するか、無制限なら空欄にしてください。", es: "{field}: indique un número entero de puestos, o déjelo vacío para ilimitados." }
    disabled_automatically { en: "Disabled automatically", ko: "자동으로 비활성화됨", de: "Automatisch deaktiviert", ja: "自動で無効化", es: "Desactivados automáticamente" }
    nobody_disabled_automatically { en: "Nobody was disabled by the licences.", ko: "라이선스 때문에 비활성화된 사람은 없습니다.", de: "Niemand wurde durch die Lizenzen deaktiviert.", ja: "ライセンスによって無効になった人はいません。", es: "Nadie fue desactivado por las licencias." }
    disabled_licence_status { en: "Disabled by licence", ko: "라이선스로 비활성화됨", de: "Durch Lizenz deaktiviert", ja: "ライセンスにより無効", es: "Desactivado por licencia" }
    disabled_by_licence { en: "The licence was lowered below its holders ({privileges}); an administrator may enable them again when a seat is free.", ko: "라이선스가 보유자 수보다 낮아졌습니다({privileges}). 좌석이 비면 관리자가 다시 활성화할 수 있습니다.", de: "Die Lizenz wurde unter die Zahl der Inhaber gesenkt ({privileges}); ein Admin kann sie wieder aktivieren, sobald ein Platz frei ist.", ja: "ライセンスが保有者数より少なくされました({privileges})。席が空けば管理者が再び有効にできます。", es: "La licencia se redujo por debajo de sus titulares ({privileges}); un administrador puede reactivarlos cuando haya un puesto libre." }

    // The operator console.
    operator_console { en: "Operator console", ko: "운영자 콘솔", de: "Betreiberkonsole", ja: "運用者コンソール", es: "Consola del operador" }
    operator_partners { en: "Operator console › Partners", ko: "운영자 콘솔 › 파트너", de: "Betreiberkonsole › Partner", ja: "運用者コンソール › パートナー", es: "Consola del operador › Partners" }
    operator_partners_caption { en: "Every partner with its members, sites and seats", ko: "모든 파트너와 멤버, 사이트, 좌석", de: "Jeder Partner mit Mitgliedern, Standorten und Plätzen", ja: "すべてのパートナーとメンバー、サイト、席数", es: "Todos los partners con sus miembros, sitios y puestos" }
    platform_audit_log { en: "Platform audit log", ko: "플랫폼 감사 로그", de: "Audit-Protokoll der Plattform", ja: "プラットフォームの監査ログ", es: "Registro de auditoría de la plataforma" }
    no_partner_yet { en: "No partner yet.", ko: "아직 파트너가 없습니다.", de: "Noch kein Partner.", ja: "まだパートナーがいません。", es: "Aún no hay partners." }
    seats_used_of_total { en: "Seats in use / seats", ko: "사용 중 / 전체 좌석", de: "Belegte / alle Plätze", ja: "使用中 / 席数", es: "Puestos en uso / puestos" }
    next_partners { en: "Next partners", ko: "다음 파트너", de: "Weitere Partner", ja: "次のパートナー", es: "Más partners" }
    new_partner { en: "New partner", ko: "새 파트너", de: "Neuer Partner", ja: "新しいパートナー", es: "Nuevo partner" }
    partner_name { en: "Partner's name", ko: "파트너 이름", de: "Name des Partners", ja: "パートナー名", es: "Nombre del partner" }
    first_super_admin { en: "Its first Super Admin", ko: "첫 최고 관리자", de: "Sein erster Super-Admin", ja: "最初のスーパー管理者", es: "Su primer superadministrador" }
    operator_password_hint { en: "Leave it empty to make an existing account the Super Admin.", ko: "기존 계정을 최고 관리자로 지정하려면 비워 두세요.", de: "Leer lassen, um ein bestehendes Konto zum Super-Admin zu machen.", ja: "既存のアカウントをスーパー管理者にする場合は空欄にしてください。", es: "Déjela vacía para hacer superadministrador a una cuenta existente." }
    create_partner { en: "Create the partner", ko: "파트너 만들기", de: "Partner anlegen", ja: "パートナーを作成", es: "Crear el partner" }
    partner_created { en: "The partner was created with its Super Admin.", ko: "파트너와 최고 관리자를 만들었습니다.", de: "Der Partner wurde mit seinem Super-Admin angelegt.", ja: "パートナーとスーパー管理者を作成しました。", es: "Se creó el partner con su superadministrador." }
    an_account_platform_wide { en: "An account, platform-wide", ko: "플랫폼 전체의 계정", de: "Ein Konto, plattformweit", ja: "プラットフォーム全体のアカウント", es: "Una cuenta, en toda la plataforma" }
    account_platform_wide_explained { en: "A disabled account cannot sign in anywhere, its sessions end, and every check for it denies. Enabled again, everything it held is back.", ko: "비활성화된 계정은 어디에도 로그인할 수 없고, 세션이 끝나며, 모든 검사가 거부됩니다. 다시 활성화하면 가졌던 모든 것이 돌아옵니다.", de: "Ein deaktiviertes Konto kann sich nirgends anmelden, seine Sitzungen enden, und jede Prüfung lehnt ab. Wieder aktiviert, ist alles zurück, was es hatte.", ja: "無効なアカウントはどこにもサインインできず、セッションは終了し、すべてのチェックが拒否されます。再び有効にすると、持っていたものがすべて戻ります。", es: "Una cuenta desactivada no puede entrar en ningún sitio, sus sesiones terminan y toda comprobación la deniega. Reactivada, recupera todo lo que tenía." }
    disable_everywhere { en: "Disable everywhere", ko: "모든 곳에서 비활성화", de: "Überall deaktivieren", ja: "すべてで無効にする", es: "Desactivar en todas partes" }
    enable_again { en: "Enable again", ko: "다시 활성화", de: "Wieder aktivieren", ja: "再び有効にする", es: "Reactivar" }
    apply_to_account { en: "Apply to the account", ko: "계정에 적용", de: "Auf das Konto anwenden", ja: "アカウントに適用", es: "Aplicar a la cuenta" }
    account_enabled { en: "The account was enabled again.", ko: "계정을 다시 활성화했습니다.", de: "Das Konto wurde wieder aktiviert.", ja: "アカウントを再び有効にしました。", es: "Se reactivó la cuenta." }
    account_disabled_done { en: "The account was disabled everywhere; its sessions ended.", ko: "계정을 모든 곳에서 비활성화했고, 세션이 끝났습니다.", de: "Das Konto wurde überall deaktiviert; seine Sitzungen endeten.", ja: "アカウントをすべてで無効にし、セッションを終了しました。", es: "Se desactivó la cuenta en todas partes; sus sesiones terminaron." }

    // A partner's deliveries.
    deliveries_menu { en: "Deliveries", ko: "전송 기록", de: "Zustellungen", ja: "配信", es: "Entregas" }
    deliveries_of { en: "Deliveries of {partner}", ko: "{partner}의 전송 기록", de: "Zustellungen von {partner}", ja: "{partner}の配信", es: "Entregas de {partner}" }
    outgoing_email { en: "Outgoing email", ko: "보내는 이메일", de: "Ausgehende E-Mails", ja: "送信メール", es: "Correo saliente" }
    outgoing_email_caption { en: "Emails with their status, attempts and last failure", ko: "이메일의 상태, 시도 횟수, 마지막 실패", de: "E-Mails mit Status, Versuchen und letztem Fehler", ja: "メールの状態、試行回数、最後の失敗", es: "Correos con su estado, intentos y último fallo" }
    webhook_calls { en: "Webhook calls", ko: "웹훅 호출", de: "Webhook-Aufrufe", ja: "Webhookの呼び出し", es: "Llamadas de webhook" }
    webhook_calls_caption { en: "Webhook calls with their status, attempts and last failure", ko: "웹훅 호출의 상태, 시도 횟수, 마지막 실패", de: "Webhook-Aufrufe mit Status, Versuchen und letztem Fehler", ja: "Webhook呼び出しの状態、試行回数、最後の失敗", es: "Llamadas de webhook con su estado, intentos y último fallo" }
    delivered_to { en: "To", ko: "받는 곳", de: "An", ja: "宛先", es: "Para" }
    what_was_sent { en: "What", ko: "내용", de: "Was", ja: "内容", es: "Qué" }
    attempts { en: "Attempts", ko: "시도", de: "Versuche", ja: "試行", es: "Intentos" }
    last_failure { en: "Last failure", ko: "마지막 실패", de: "Letzter Fehler", ja: "最後の失敗", es: "Último fallo" }
    delivery_pending { en: "Waiting", ko: "대기 중", de: "Wartet", ja: "待機中", es: "En espera" }
    delivery_sent { en: "Sent", ko: "보냄", de: "Gesendet", ja: "送信済み", es: "Enviado" }
    delivery_delivered { en: "Delivered", ko: "전달됨", de: "Zugestellt", ja: "配信済み", es: "Entregado" }
    delivery_failed { en: "Failed", ko: "실패", de: "Fehlgeschlagen", ja: "失敗", es: "Fallido" }
    next_try { en: "Next try {at}", ko: "다음 시도 {at}", de: "Nächster Versuch {at}", ja: "次の試行 {at}", es: "Próximo intento {at}" }
    next_deliveries { en: "Older", ko: "이전 항목", de: "Ältere", ja: "以前の項目", es: "Anteriores" }
    nothing_here { en: "Nothing here.", ko: "항목이 없습니다.", de: "Nichts vorhanden.", ja: "項目はありません。", es: "Nada por aquí." }

    // The operator console's plugins.
    operator_plugins { en: "Operator console › Plugins", ko: "운영자 콘솔 › 플러그인", de: "Betreiberkonsole › Plugins", ja: "運用者コンソール › プラグイン", es: "Consola del operador › Plugins" }
    plugins_menu { en: "Plugins", ko: "플러그인", de: "Plugins", ja: "プラグイン", es: "Plugins" }
    speaks_wit { en: "WIT {version}", ko: "WIT {version}", de: "WIT {version}", ja: "WIT {version}", es: "WIT {version}" }
    installed_plugins { en: "Installed plugins", ko: "설치된 플러그인", de: "Installierte Plugins", ja: "インストール済みプラグイン", es: "Plugins instalados" }
    no_plugin_yet { en: "No plugin is installed.", ko: "설치된 플러그인이 없습니다.", de: "Kein Plugin installiert.", ja: "プラグインはインストールされていません。", es: "No hay plugins instalados." }
    plugin { en: "Plugin", ko: "플러그인", de: "Plugin", ja: "プラグイン", es: "Plugin" }
    world { en: "World", ko: "월드", de: "Welt", ja: "ワールド", es: "Mundo" }
    calls_and_failures { en: "Calls / failures", ko: "호출 / 실패", de: "Aufrufe / Fehler", ja: "呼び出し / 失敗", es: "Llamadas / fallos" }
    switched { en: "Switched on or off", ko: "켜기/끄기", de: "Ein- oder ausgeschaltet", ja: "オン/オフ", es: "Activado o desactivado" }
    quarantined_for { en: "Quarantined for", ko: "격리 대상", de: "In Quarantäne für", ja: "隔離中のパートナー", es: "En cuarentena para" }
    not_loaded { en: "Not loaded here", ko: "이 호스트에 로드되지 않음", de: "Hier nicht geladen", ja: "このホストで未ロード", es: "No cargado aquí" }
    off_everywhere { en: "Off everywhere", ko: "모든 곳에서 꺼짐", de: "Überall aus", ja: "すべてでオフ", es: "Desactivado en todas partes" }
    everyone { en: "Everyone", ko: "모두", de: "Alle", ja: "全員", es: "Todos" }
    switch_on_again { en: "Switch on again", ko: "다시 켜기", de: "Wieder einschalten", ja: "再びオンにする", es: "Activar de nuevo" }
    switch_on_again_for { en: "Switch on again for {partner}", ko: "{partner}에 다시 켜기", de: "Für {partner} wieder einschalten", ja: "{partner}で再びオンにする", es: "Activar de nuevo para {partner}" }
    install_plugin { en: "Install or upgrade a plugin", ko: "플러그인 설치 또는 업그레이드", de: "Plugin installieren oder aktualisieren", ja: "プラグインのインストールまたは更新", es: "Instalar o actualizar un plugin" }
    install_plugin_explained { en: "The component (.wasm) and its siteward-plugin.toml. A plugin of the same name is upgraded, keeping where it is switched on. Installing compiles the component while you wait: under a second for a Rust plugin, about ten seconds for a large Python or JavaScript one.", ko: "컴포넌트(.wasm)와 siteward-plugin.toml입니다. 같은 이름의 플러그인은 켜진 곳을 유지한 채 업그레이드됩니다. 설치하는 동안 컴포넌트를 컴파일합니다. Rust 플러그인은 1초가 안 걸리고, 큰 Python이나 JavaScript 플러그인은 10초쯤 걸립니다.", de: "Die Komponente (.wasm) und ihre siteward-plugin.toml. Ein Plugin gleichen Namens wird aktualisiert und bleibt, wo es eingeschaltet ist. Beim Installieren wird die Komponente übersetzt, während Sie warten: unter einer Sekunde für ein Rust-Plugin, etwa zehn Sekunden für ein großes Python- oder JavaScript-Plugin.", ja: "コンポーネント(.wasm)とそのsiteward-plugin.tomlです。同名のプラグインは、オンの場所を保ったまま更新されます。インストール中にコンポーネントをコンパイルします。Rustのプラグインは1秒未満、大きなPythonやJavaScriptのプラグインは10秒ほどかかります。", es: "El componente (.wasm) y su siteward-plugin.toml. Un plugin del mismo nombre se actualiza y sigue activado donde lo estaba. Al instalarlo se compila el componente mientras espera: menos de un segundo para un plugin en Rust, unos diez segundos para uno grande en Python o JavaScript." }
    component_file { en: "Component (.wasm)", ko: "컴포넌트(.wasm)", de: "Komponente (.wasm)", ja: "コンポーネント(.wasm)", es: "Componente (.wasm)" }
    manifest_file { en: "Manifest (siteward-plugin.toml)", ko: "매니페스트(siteward-plugin.toml)", de: "Manifest (siteward-plugin.toml)", ja: "マニフェスト(siteward-plugin.toml)", es: "Manifiesto (siteward-plugin.toml)" }
    install { en: "Install", ko: "설치", de: "Installieren", ja: "インストール", es: "Instalar" }
    choose_component { en: "Choose the component file (.wasm).", ko: "컴포넌트 파일(.wasm)을 고르세요.", de: "Wählen Sie die Komponentendatei (.wasm).", ja: "コンポーネントファイル(.wasm)を選んでください。", es: "Elija el archivo del componente (.wasm)." }
    manifest_refused { en: "The manifest was refused: {why}", ko: "매니페스트가 거부되었습니다: {why}", de: "Das Manifest wurde abgelehnt: {why}", ja: "マニフェストが拒否されました: {why}", es: "Se rechazó el manifiesto: {why}" }
    plugin_installed { en: "The plugin was installed.", ko: "플러그인을 설치했습니다.", de: "Das Plugin wurde installiert.", ja: "プラグインをインストールしました。", es: "Se instaló el plugin." }
    plugin_removed { en: "The plugin was removed.", ko: "플러그인을 제거했습니다.", de: "Das Plugin wurde entfernt.", ja: "プラグインを削除しました。", es: "Se quitó el plugin." }
    plugin_named { en: "Plugin {plugin}", ko: "{plugin} 플러그인", de: "Plugin {plugin}", ja: "プラグイン{plugin}", es: "Plugin {plugin}" }
    back_to_plugins { en: "← Plugins", ko: "← 플러그인", de: "← Plugins", ja: "← プラグイン", es: "← Plugins" }
    switch_for { en: "For", ko: "대상", de: "Für", ja: "対象", es: "Para" }
    switched_on { en: "Switched on", ko: "켜짐", de: "Eingeschaltet", ja: "オン", es: "Activado" }
    plugin_settings { en: "Settings", ko: "설정", de: "Einstellungen", ja: "設定", es: "Ajustes" }
    secret_kept { en: "A secret: never shown; leave it empty to keep it.", ko: "비밀 값: 표시되지 않으며, 비워 두면 유지됩니다.", de: "Ein Geheimnis: nie angezeigt; leer lassen, um es zu behalten.", ja: "秘密の値: 表示されません。空欄にすると保持されます。", es: "Un secreto: nunca se muestra; déjelo vacío para conservarlo." }
    remove_plugin { en: "Remove the plugin", ko: "플러그인 제거", de: "Plugin entfernen", ja: "プラグインを削除", es: "Quitar el plugin" }
    remove_plugin_heading { en: "Remove this plugin?", ko: "이 플러그인을 제거할까요?", de: "Dieses Plugin entfernen?", ja: "このプラグインを削除しますか?", es: "¿Quitar este plugin?" }
    remove_plugin_question { en: "{plugin} stops everywhere and its settings go with it.", ko: "{plugin}은(는) 모든 곳에서 멈추고 설정도 함께 삭제됩니다.", de: "{plugin} hält überall an, und seine Einstellungen gehen mit.", ja: "{plugin}はすべてで停止し、設定も一緒に削除されます。", es: "{plugin} se detiene en todas partes y sus ajustes se van con él." }

    // A site's Settings › Site › Security.
    security_of { en: "Security of {site}", ko: "{site} 보안", de: "Sicherheit von {site}", ja: "{site}のセキュリティ", es: "Seguridad de {site}" }
    technician_access_explained {
        en: "On, a partner's technicians may enter this site as their level and lock allow, and the Admin menu becomes Admins & Technicians. Off, no technician can enter, and technicians cannot be managed; turning it on again restores everyone's access as it was.",
        ko: "켜면 파트너의 기술자가 권한 수준과 잠금 상태에 따라 이 사이트에 들어올 수 있고, 관리자 메뉴가 관리자 및 기술자 메뉴로 바뀝니다. 끄면 어떤 기술자도 들어올 수 없고 기술자를 관리할 수 없습니다. 다시 켜면 모두의 접근이 이전 그대로 돌아옵니다.",
        de: "An: Die Techniker eines Partners dürfen diesen Standort betreten, wie Stufe und Sperre es erlauben, und das Admin-Menü wird zu Admins & Techniker. Aus: Kein Techniker kommt hinein, und Techniker lassen sich nicht verwalten; beim Einschalten kommt jeder Zugang wie zuvor zurück.",
        ja: "オンにすると、パートナーの技術者は権限レベルとロックの状態に応じてこのサイトに入れるようになり、管理者メニューが「管理者と技術者」に変わります。オフにすると技術者は誰も入れず、技術者を管理できません。再びオンにすると、全員のアクセスが元どおりに戻ります。",
        es: "Activado, los técnicos de un partner pueden entrar en este sitio según su nivel y bloqueo, y el menú Administrador pasa a ser Administradores y técnicos. Desactivado, ningún técnico puede entrar ni gestionarse; al activarlo de nuevo, el acceso de todos vuelve tal como estaba.",
    }
    technician_access_on { en: "On: technicians may enter as their access allows", ko: "켜짐: 기술자가 접근 설정에 따라 들어올 수 있음", de: "An: Techniker dürfen hinein, wie ihr Zugang es erlaubt", ja: "オン: 技術者はアクセス設定に従って入れる", es: "Activado: los técnicos entran según su acceso" }
    technician_access_off { en: "Off: no technician may enter", ko: "꺼짐: 어떤 기술자도 들어올 수 없음", de: "Aus: Kein Techniker darf hinein", ja: "オフ: 技術者は誰も入れない", es: "Desactivado: ningún técnico puede entrar" }

    // Team security settings: Partner › Settings, a site's Security, and the account page.
    team_security { en: "Team security", ko: "팀 보안", de: "Team-Sicherheit", ja: "チームのセキュリティ", es: "Seguridad del equipo" }
    team_security_explained { en: "What every member of the team is held to when they sign in. Someone who also belongs to another team, or administers a site, is held to the strictest of each setting.", ko: "팀의 모든 멤버가 로그인할 때 따라야 하는 규칙입니다. 다른 팀에도 속하거나 사이트를 관리하는 사람에게는 각 설정 중 가장 엄격한 것이 적용됩니다.", de: "Was für jedes Teammitglied bei der Anmeldung gilt. Wer auch einem anderen Team angehört oder einen Standort verwaltet, unterliegt jeweils der strengsten Einstellung.", ja: "チームの全メンバーがサインイン時に従う設定です。別のチームにも属する人やサイトを管理する人には、各設定のうち最も厳しいものが適用されます。", es: "Lo que se exige a cada miembro del equipo al iniciar sesión. Quien pertenezca también a otro equipo o administre un sitio queda sujeto al ajuste más estricto de cada uno." }
    site_admins_security { en: "Security of this site's admins", ko: "이 사이트 관리자의 보안", de: "Sicherheit der Admins dieses Standorts", ja: "このサイトの管理者のセキュリティ", es: "Seguridad de los administradores de este sitio" }
    site_admins_security_explained { en: "What every admin of this site is held to when they sign in; an admin under other rules too is held to the strictest of each setting.", ko: "이 사이트의 모든 관리자가 로그인할 때 따라야 하는 규칙입니다. 다른 규칙도 적용되는 관리자에게는 각 설정 중 가장 엄격한 것이 적용됩니다.", de: "Was für jeden Admin dieses Standorts bei der Anmeldung gilt; wer auch anderen Regeln unterliegt, unterliegt jeweils der strengsten Einstellung.", ja: "このサイトの全管理者がサインイン時に従う設定です。他の規則にも従う管理者には、各設定のうち最も厳しいものが適用されます。", es: "Lo que se exige a cada administrador de este sitio al iniciar sesión; quien esté sujeto también a otras reglas queda sujeto al ajuste más estricto de cada una." }
    require_two_step { en: "Require two-step sign-in", ko: "2단계 로그인 필수", de: "Zweistufige Anmeldung verlangen", ja: "2段階サインインを必須にする", es: "Exigir inicio de sesión en dos pasos" }
    require_two_step_hint { en: "Someone without it sets it up at their next sign-in and can do nothing else until then; nobody may turn theirs off.", ko: "설정하지 않은 사람은 다음 로그인 때 설정해야 하며 그 전에는 다른 일을 할 수 없습니다. 누구도 끌 수 없습니다.", de: "Wer sie nicht hat, richtet sie bei der nächsten Anmeldung ein und kann bis dahin nichts anderes tun; niemand kann sie abschalten.", ja: "未設定の人は次回サインイン時に設定し、それまでは他の操作ができません。誰もオフにできません。", es: "Quien no lo tenga lo configura en su próximo inicio de sesión y no puede hacer nada más hasta entonces; nadie puede desactivarlo." }
    session_lifetime { en: "Session lifetime", ko: "세션 유지 시간", de: "Sitzungsdauer", ja: "セッションの有効時間", es: "Duración de la sesión" }
    session_lifetime_hint { en: "How long after signing in a session ends. A shorter lifetime also shortens the sessions people already have.", ko: "로그인 후 세션이 끝나기까지의 시간입니다. 더 짧게 하면 이미 열린 세션도 짧아집니다.", de: "Wie lange nach der Anmeldung eine Sitzung endet. Eine kürzere Dauer verkürzt auch bereits offene Sitzungen.", ja: "サインインからセッションが終了するまでの時間です。短くすると、すでに開いているセッションも短くなります。", es: "Cuánto tiempo tras iniciar sesión termina una sesión. Una duración menor acorta también las sesiones ya abiertas." }
    fresh_sign_in { en: "Fresh sign-in for sensitive changes", ko: "민감한 변경 시 최근 로그인 요구", de: "Frische Anmeldung für heikle Änderungen", ja: "重要な変更には直近のサインインを要求", es: "Inicio de sesión reciente para cambios sensibles" }
    fresh_sign_in_hint { en: "Changing members' roles, privileges or status, removing members, resetting two-step sign-in, making API tokens, changing site admins, Technician Access and these settings then need a sign-in at most this old.", ko: "멤버의 역할·권한·상태 변경, 멤버 제거, 2단계 로그인 초기화, API 토큰 생성, 사이트 관리자·기술자 접근 변경, 이 설정 변경에는 이 시간 이내의 로그인이 필요합니다.", de: "Rollen, Privilegien oder Status von Mitgliedern ändern, Mitglieder entfernen, die zweistufige Anmeldung zurücksetzen, API-Tokens erstellen, Standort-Admins, Technikerzugang und diese Einstellungen ändern erfordert dann eine höchstens so alte Anmeldung.", ja: "メンバーの役割・特権・状態の変更、メンバーの削除、2段階サインインのリセット、APIトークンの作成、サイト管理者・技術者アクセス・この設定の変更には、この時間以内のサインインが必要になります。", es: "Cambiar roles, privilegios o estado de miembros, quitar miembros, restablecer el inicio en dos pasos, crear tokens de API, cambiar administradores de sitio, el acceso de técnicos y estos ajustes requerirá un inicio de sesión de como mucho esta antigüedad." }
    save_security { en: "Save security settings", ko: "보안 설정 저장", de: "Sicherheitseinstellungen speichern", ja: "セキュリティ設定を保存", es: "Guardar ajustes de seguridad" }
    host_lifetime { en: "The host's ({hours} hours)", ko: "호스트 기본값({hours}시간)", de: "Die des Hosts ({hours} Stunden)", ja: "ホストの既定({hours}時間)", es: "La del host ({hours} horas)" }
    hours_count { en: "{hours} hours", ko: "{hours}시간", de: "{hours} Stunden", ja: "{hours}時間", es: "{hours} horas" }
    minutes_count { en: "{minutes} minutes", ko: "{minutes}분", de: "{minutes} Minuten", ja: "{minutes}分", es: "{minutes} minutos" }
    not_asked { en: "Not asked", ko: "요구하지 않음", de: "Nicht verlangt", ja: "要求しない", es: "No se exige" }
    your_teams_ask { en: "What your teams ask", ko: "팀이 요구하는 사항", de: "Was Ihre Teams verlangen", ja: "チームが求めていること", es: "Lo que piden sus equipos" }
    held_two_step { en: "Two-step sign-in is required.", ko: "2단계 로그인이 필요합니다.", de: "Die zweistufige Anmeldung ist Pflicht.", ja: "2段階サインインが必須です。", es: "El inicio de sesión en dos pasos es obligatorio." }
    held_session_hours { en: "Sessions end {hours} hours after signing in.", ko: "세션은 로그인 후 {hours}시간이 지나면 끝납니다.", de: "Sitzungen enden {hours} Stunden nach der Anmeldung.", ja: "セッションはサインインから{hours}時間で終了します。", es: "Las sesiones terminan {hours} horas después de iniciar sesión." }
    held_fresh_minutes { en: "Sensitive changes need a sign-in at most {minutes} minutes old.", ko: "민감한 변경에는 {minutes}분 이내의 로그인이 필요합니다.", de: "Heikle Änderungen erfordern eine höchstens {minutes} Minuten alte Anmeldung.", ja: "重要な変更には{minutes}分以内のサインインが必要です。", es: "Los cambios sensibles requieren un inicio de sesión de como mucho {minutes} minutos." }
    must_enrol_notice { en: "Your team requires two-step sign-in. Set it up to continue; until then this is the only page you can use.", ko: "팀에서 2단계 로그인을 요구합니다. 계속하려면 설정하세요. 그 전에는 이 페이지만 사용할 수 있습니다.", de: "Ihr Team verlangt die zweistufige Anmeldung. Richten Sie sie ein, um fortzufahren; bis dahin ist nur diese Seite nutzbar.", ja: "チームが2段階サインインを求めています。続けるには設定してください。それまではこのページしか使えません。", es: "Su equipo exige el inicio de sesión en dos pasos. Configúrelo para continuar; hasta entonces solo puede usar esta página." }
    set_up_two_step { en: "Set up two-step sign-in", ko: "2단계 로그인 설정", de: "Zweistufige Anmeldung einrichten", ja: "2段階サインインを設定", es: "Configurar el inicio en dos pasos" }

    // A plugin's imports, on its operator page.
    imports_heading { en: "What it imports", ko: "가져오는 인터페이스", de: "Was es importiert", ja: "インポートするもの", es: "Lo que importa" }
    imports_explained { en: "Plugins may import WASI interfaces and Siteward's own types only; the host answers a few WASI interfaces with nothing from the outside world, and every other call traps.", ko: "플러그인은 WASI 인터페이스만 가져올 수 있습니다. 호스트는 그중 몇 가지에 외부 세계와 무관한 값으로 답하며, 그 밖의 호출은 모두 트랩됩니다.", de: "Plugins dürfen nur WASI-Schnittstellen importieren; der Host beantwortet einige ohne etwas von außen, jeder andere Aufruf bricht ab.", ja: "プラグインがインポートできるのはWASIインターフェースだけです。ホストはそのいくつかに外部と無関係な値で応答し、それ以外の呼び出しはすべてトラップします。", es: "Los plugins solo pueden importar interfaces WASI; el host responde a algunas sin nada del mundo exterior y cualquier otra llamada se interrumpe." }
    imports_none { en: "Nothing.", ko: "없음.", de: "Nichts.", ja: "なし。", es: "Nada." }
    import_answered { en: "answered by the host", ko: "호스트가 응답", de: "vom Host beantwortet", ja: "ホストが応答", es: "respondida por el host" }
    import_traps { en: "traps when called", ko: "호출하면 트랩", de: "bricht beim Aufruf ab", ja: "呼び出すとトラップ", es: "se interrumpe al llamarla" }

    // A site's Admins & Technicians › Admins.
    admins_of { en: "Admins of {site}", ko: "{site}의 관리자", de: "Admins von {site}", ja: "{site}の管理者", es: "Administradores de {site}" }
    site_admins { en: "Site admins", ko: "사이트 관리자", de: "Standort-Admins", ja: "サイト管理者", es: "Administradores del sitio" }
    site_admins_caption { en: "The site's admins and since when", ko: "사이트 관리자와 관리자가 된 날짜", de: "Die Admins des Standorts und seit wann", ja: "サイト管理者と管理者になった日", es: "Los administradores del sitio y desde cuándo" }
    admin_since { en: "Admin since", ko: "관리자 시작일", de: "Admin seit", ja: "管理者になった日", es: "Administrador desde" }
    remove_person_as_admin { en: "Remove {name} as an admin", ko: "{name}을(를) 관리자에서 제거", de: "{name} als Admin entfernen", ja: "{name}を管理者から外す", es: "Quitar a {name} como administrador" }
    next_admins { en: "Next admins", ko: "다음 관리자", de: "Weitere Admins", ja: "次の管理者", es: "Más administradores" }
    add_site_admin { en: "Add a site admin", ko: "사이트 관리자 추가", de: "Standort-Admin hinzufügen", ja: "サイト管理者を追加", es: "Añadir un administrador del sitio" }
    add_site_admin_explained {
        en: "Someone who already has an account with this partner or customer is added at once by their email. Anyone else is sent an invitation and becomes an admin by accepting it — unless you give a password for a new account to pass on to them.",
        ko: "이 파트너나 고객에 이미 계정이 있는 사람은 이메일로 바로 추가됩니다. 그 밖의 사람에게는 초대장이 보내지며 수락하면 관리자가 됩니다. 단, 전달할 새 계정 비밀번호를 정하면 바로 추가됩니다.",
        de: "Wer schon ein Konto bei diesem Partner oder Kunden hat, wird sofort per E-Mail hinzugefügt. Alle anderen erhalten eine Einladung und werden mit der Annahme Admin — es sei denn, Sie geben ein Passwort für ein neues Konto an, das Sie weitergeben.",
        ja: "このパートナーまたは顧客のアカウントをすでに持っている人は、メールアドレスですぐに追加されます。それ以外の人には招待が送られ、承諾すると管理者になります。本人に伝える新しいアカウントのパスワードを設定した場合は、すぐに追加されます。",
        es: "Quien ya tiene una cuenta con este partner o cliente se añade al momento por su correo. Cualquier otra persona recibe una invitación y pasa a ser administrador al aceptarla, salvo que indique una contraseña para una cuenta nueva que le comunique.",
    }
    site_admin_added { en: "The site admin was added.", ko: "사이트 관리자를 추가했습니다.", de: "Der Standort-Admin wurde hinzugefügt.", ja: "サイト管理者を追加しました。", es: "Se añadió el administrador del sitio." }
    site_admin_invited { en: "An invitation was sent; they become an admin of this site when they accept it.", ko: "초대장을 보냈습니다. 수락하면 이 사이트의 관리자가 됩니다.", de: "Eine Einladung wurde gesendet; mit der Annahme werden sie Admin dieses Standorts.", ja: "招待を送りました。承諾するとこのサイトの管理者になります。", es: "Se envió una invitación; pasará a ser administrador de este sitio al aceptarla." }
    site_admin_removed { en: "The site admin was removed.", ko: "사이트 관리자를 제거했습니다.", de: "Der Standort-Admin wurde entfernt.", ja: "サイト管理者を外しました。", es: "Se quitó el administrador del sitio." }
    remove_site_admin_heading { en: "Remove this site admin?", ko: "이 사이트 관리자를 제거할까요?", de: "Diesen Standort-Admin entfernen?", ja: "このサイト管理者を外しますか?", es: "¿Quitar este administrador del sitio?" }
    remove_site_admin_question { en: "{who} can no longer manage this site. Their account stays.", ko: "{who}은(는) 더 이상 이 사이트를 관리할 수 없습니다. 계정은 남습니다.", de: "{who} kann diesen Standort nicht mehr verwalten. Das Konto bleibt.", ja: "{who}はこのサイトを管理できなくなります。アカウントは残ります。", es: "{who} ya no puede gestionar este sitio. Su cuenta se conserva." }
    remove_site_admin { en: "Remove as admin", ko: "관리자에서 제거", de: "Als Admin entfernen", ja: "管理者から外す", es: "Quitar como administrador" }

    // Just-in-time access: a site's Access requests tab and the own page's requests.
    access_requests_tab { en: "Access requests", ko: "접근 요청", de: "Zugangsanfragen", ja: "アクセス申請", es: "Solicitudes de acceso" }
    access_requests_of { en: "Access requests — {site}", ko: "접근 요청 — {site}", de: "Zugangsanfragen — {site}", ja: "アクセス申請 — {site}", es: "Solicitudes de acceso — {site}" }
    waiting_for_decision { en: "Waiting for a decision", ko: "결정 대기 중", de: "Warten auf eine Entscheidung", ja: "判断待ち", es: "Esperando una decisión" }
    no_request_waiting { en: "No request waits for a decision.", ko: "결정을 기다리는 요청이 없습니다.", de: "Keine Anfrage wartet auf eine Entscheidung.", ja: "判断を待っている申請はありません。", es: "Ninguna solicitud espera una decisión." }
    recent_requests { en: "Recent requests", ko: "최근 요청", de: "Letzte Anfragen", ja: "最近の申請", es: "Solicitudes recientes" }
    no_request_yet { en: "No request yet.", ko: "아직 요청이 없습니다.", de: "Noch keine Anfrage.", ja: "申請はまだありません。", es: "Todavía no hay solicitudes." }
    recent_requests_caption { en: "Access requests, newest first", ko: "접근 요청, 최신순", de: "Zugangsanfragen, neueste zuerst", ja: "アクセス申請(新しい順)", es: "Solicitudes de acceso, las más recientes primero" }
    older_requests { en: "Older requests", ko: "이전 요청", de: "Ältere Anfragen", ja: "以前の申請", es: "Solicitudes anteriores" }
    from_time { en: "From", ko: "시작", de: "Ab", ja: "開始", es: "Desde" }
    reason { en: "Reason", ko: "사유", de: "Grund", ja: "理由", es: "Motivo" }
    approvals { en: "Approvals", ko: "승인", de: "Freigaben", ja: "承認", es: "Aprobaciones" }
    approvals_of { en: "{count} of {needed}", ko: "{needed}건 중 {count}건", de: "{count} von {needed}", ja: "{needed}件中{count}件", es: "{count} de {needed}" }
    decide { en: "Decide", ko: "결정", de: "Entscheiden", ja: "判断", es: "Decidir" }
    decisions { en: "Decisions", ko: "결정 내역", de: "Entscheidungen", ja: "判断の記録", es: "Decisiones" }
    approve { en: "Approve", ko: "승인", de: "Freigeben", ja: "承認", es: "Aprobar" }
    deny { en: "Deny", ko: "거부", de: "Ablehnen", ja: "却下", es: "Denegar" }
    approved { en: "Approved", ko: "승인됨", de: "Freigegeben", ja: "承認済み", es: "Aprobada" }
    denied { en: "Denied", ko: "거부됨", de: "Abgelehnt", ja: "却下", es: "Denegada" }
    as_asked { en: "As asked", ko: "요청대로", de: "Wie angefragt", ja: "申請どおり", es: "Según lo pedido" }
    approve_for_of { en: "Approve {who} for", ko: "{who}의 승인 기간", de: "{who} freigeben für", ja: "{who}を承認する期間", es: "Aprobar a {who} durante" }
    comment_for { en: "Comment to {who} (optional)", ko: "{who}에게 남길 말(선택)", de: "Kommentar an {who} (optional)", ja: "{who}へのコメント(任意)", es: "Comentario para {who} (opcional)" }
    why_deny_for { en: "Why you deny {who} (they read it)", ko: "{who}을(를) 거부하는 이유(본인이 읽습니다)", de: "Warum Sie {who} ablehnen (wird gelesen)", ja: "{who}を却下する理由(本人が読みます)", es: "Por qué deniega a {who} (lo leerá)" }
    request_pending { en: "Waiting", ko: "대기 중", de: "Wartet", ja: "判断待ち", es: "En espera" }
    request_approved { en: "Approved, begins at its start", ko: "승인됨, 시작 시각에 열림", de: "Freigegeben, beginnt zum Start", ja: "承認済み、開始時刻から有効", es: "Aprobada, empieza a su hora" }
    request_active { en: "In force", ko: "사용 중", de: "Aktiv", ja: "有効", es: "En vigor" }
    request_denied { en: "Denied", ko: "거부됨", de: "Abgelehnt", ja: "却下", es: "Denegada" }
    request_cancelled { en: "Cancelled", ko: "취소됨", de: "Zurückgezogen", ja: "取り消し", es: "Cancelada" }
    request_expired { en: "Expired undecided", ko: "결정 없이 만료됨", de: "Unentschieden abgelaufen", ja: "判断されず期限切れ", es: "Caducada sin decisión" }
    request_ended { en: "Ended", ko: "종료됨", de: "Beendet", ja: "終了", es: "Terminada" }
    by_the_sites_rules { en: "the site's rules", ko: "사이트 규칙", de: "die Regeln des Standorts", ja: "サイトのルール", es: "las reglas del sitio" }
    an_approver { en: "an approver", ko: "승인자", de: "eine freigebende Person", ja: "承認者", es: "un aprobador" }
    end_now { en: "End now", ko: "지금 종료", de: "Jetzt beenden", ja: "今すぐ終了", es: "Terminar ahora" }
    cancel_request { en: "Cancel the request", ko: "요청 취소", de: "Anfrage zurückziehen", ja: "申請を取り消す", es: "Cancelar la solicitud" }
    rules_heading { en: "Rules for access requests", ko: "접근 요청 규칙", de: "Regeln für Zugangsanfragen", ja: "アクセス申請のルール", es: "Reglas de las solicitudes de acceso" }
    rules_explained { en: "Technicians ask for a level for a while, with a reason. Approved access ends by itself at its end; nobody has to remember to lock it.", ko: "기술자는 사유와 함께 일정 기간 동안의 권한 수준을 요청합니다. 승인된 접근은 끝나는 시각에 저절로 끝나므로 누군가 잠그는 것을 기억할 필요가 없습니다.", de: "Techniker bitten mit Begründung um eine Stufe für eine Weile. Freigegebener Zugang endet von selbst; niemand muss ans Sperren denken.", ja: "技術者は理由を添えて、一定期間の権限レベルを申請します。承認されたアクセスは終了時刻に自動で終わるため、誰かがロックを忘れる心配がありません。", es: "Los técnicos piden un nivel durante un tiempo, con un motivo. El acceso aprobado termina solo; nadie tiene que acordarse de bloquearlo." }
    longest_access { en: "Longest access a request may ask for", ko: "요청할 수 있는 최대 접근 기간", de: "Längster Zugang, um den gebeten werden kann", ja: "申請できる最長のアクセス期間", es: "Acceso más largo que se puede pedir" }
    super_admins_up_to { en: "The partner's Super Admins may also approve up to", ko: "파트너의 최고 관리자도 승인할 수 있는 최대 수준", de: "Die Super-Admins des Partners dürfen auch freigeben bis", ja: "パートナーの最高管理者も承認できる上限", es: "Los superadministradores del partner también pueden aprobar hasta" }
    only_site_admins { en: "Nobody besides this site's admins", ko: "이 사이트 관리자만", de: "Niemand außer den Admins dieses Standorts", ja: "このサイトの管理者のみ", es: "Nadie más que los administradores de este sitio" }
    two_approvers_label { en: "Two different people must approve", ko: "서로 다른 두 사람이 승인해야 함", de: "Zwei verschiedene Personen müssen freigeben", ja: "異なる2人の承認が必要", es: "Deben aprobar dos personas distintas" }
    automatic_up_to { en: "Approved by itself up to", ko: "자동 승인 최대 수준", de: "Von selbst freigegeben bis", ja: "自動承認の上限", es: "Aprobada automáticamente hasta" }
    nothing_automatic { en: "Nothing: every request waits for an approver", ko: "없음: 모든 요청이 승인자를 기다림", de: "Nichts: Jede Anfrage wartet auf eine Freigabe", ja: "なし: すべての申請が承認を待つ", es: "Nada: toda solicitud espera a un aprobador" }
    automatic_at_most { en: "Approved by itself when it asks for at most", ko: "자동 승인되는 최대 기간", de: "Von selbst freigegeben bei höchstens", ja: "自動承認される最長期間", es: "Aprobada automáticamente si pide como mucho" }
    within_hours { en: "Only when the whole access falls within business hours", ko: "접근 기간 전체가 업무 시간 안에 있을 때만", de: "Nur wenn der ganze Zugang in die Geschäftszeiten fällt", ja: "アクセス期間全体が営業時間内の場合のみ", es: "Solo si todo el acceso cae en horario laboral" }
    opening_hour { en: "Opening hour", ko: "업무 시작 시각", de: "Beginn der Geschäftszeit", ja: "営業開始時刻", es: "Hora de apertura" }
    closing_hour { en: "Closing hour", ko: "업무 종료 시각", de: "Ende der Geschäftszeit", ja: "営業終了時刻", es: "Hora de cierre" }
    weekdays_only { en: "Monday to Friday only", ko: "월요일부터 금요일까지만", de: "Nur Montag bis Freitag", ja: "月曜から金曜のみ", es: "Solo de lunes a viernes" }
    utc_offset { en: "The site's offset from UTC, in minutes", ko: "사이트의 UTC 시차(분)", de: "Abstand des Standorts zu UTC, in Minuten", ja: "サイトのUTCとの時差(分)", es: "Diferencia del sitio con UTC, en minutos" }
    requests_only_label { en: "No standing access: technicians enter only through approved requests (turning this on locks everyone else)", ko: "상시 접근 없음: 기술자는 승인된 요청으로만 들어옴(켜면 나머지는 모두 잠김)", de: "Kein Daueranzugang: Techniker kommen nur über freigegebene Anfragen hinein (beim Einschalten werden alle anderen gesperrt)", ja: "常時アクセスなし: 技術者は承認された申請でのみ入れる(オンにすると他の全員がロックされます)", es: "Sin acceso permanente: los técnicos entran solo con solicitudes aprobadas (al activarlo se bloquea a los demás)" }
    save_rules { en: "Save the rules", ko: "규칙 저장", de: "Regeln speichern", ja: "ルールを保存", es: "Guardar las reglas" }
    request_access { en: "Request access", ko: "접근 요청", de: "Zugang anfragen", ja: "アクセスを申請", es: "Solicitar acceso" }
    request_access_explained { en: "Ask for access to a site for a while. Its approvers are told; once approved, your access begins and ends by itself.", ko: "일정 기간 동안 사이트 접근을 요청합니다. 승인자에게 알림이 가고, 승인되면 접근이 시작되고 저절로 끝납니다.", de: "Bitten Sie für eine Weile um Zugang zu einem Standort. Die Freigebenden werden benachrichtigt; nach der Freigabe beginnt und endet Ihr Zugang von selbst.", ja: "一定期間、サイトへのアクセスを申請します。承認者に通知され、承認されるとアクセスが始まり、自動で終わります。", es: "Pida acceso a un sitio durante un tiempo. Se avisa a sus aprobadores; una vez aprobado, su acceso empieza y termina solo." }
    for_how_long { en: "For how long", ko: "기간", de: "Wie lange", ja: "期間", es: "Durante cuánto tiempo" }
    reason_label { en: "Reason (a ticket number or a few words)", ko: "사유(티켓 번호 또는 간단한 설명)", de: "Grund (eine Ticketnummer oder ein paar Worte)", ja: "理由(チケット番号や短い説明)", es: "Motivo (un número de ticket o unas palabras)" }
    send_request { en: "Send the request", ko: "요청 보내기", de: "Anfrage senden", ja: "申請を送信", es: "Enviar la solicitud" }
    my_requests_caption { en: "My access requests, newest first", ko: "내 접근 요청, 최신순", de: "Meine Zugangsanfragen, neueste zuerst", ja: "自分のアクセス申請(新しい順)", es: "Mis solicitudes de acceso, las más recientes primero" }
    no_requestable_site { en: "None of your partners' sites takes requests now: Technician Access is off there, or your membership is not active.", ko: "지금 요청을 받는 파트너 사이트가 없습니다. 기술자 접근이 꺼져 있거나 멤버십이 활성 상태가 아닙니다.", de: "Kein Standort Ihrer Partner nimmt gerade Anfragen an: Der Technikerzugang ist dort aus, oder Ihre Mitgliedschaft ist nicht aktiv.", ja: "現在申請を受け付けているパートナーのサイトはありません。技術者アクセスがオフか、メンバーシップが有効ではありません。", es: "Ningún sitio de sus partners acepta solicitudes ahora: el acceso de técnicos está desactivado o su membresía no está activa." }
    lock_unused_label { en: "Lock a technician's access once it has gone unused for", ko: "기술자 접근을 잠그는 미사용 기간", de: "Zugang eines Technikers sperren, wenn er ungenutzt blieb seit", ja: "技術者のアクセスをロックする未使用期間", es: "Bloquear el acceso de un técnico que no se ha usado durante" }
    device_role_on_group { en: "Also a device role on a device group (optional; the group must be at the site chosen)", ko: "장치 그룹에 대한 장치 역할도 요청(선택, 선택한 사이트의 그룹이어야 함)", de: "Zusätzlich eine Geräterolle auf einer Gerätegruppe (optional; die Gruppe muss am gewählten Standort sein)", ja: "デバイスグループのデバイスロールも申請(任意。選んだサイトのグループであること)", es: "También un rol de dispositivo en un grupo (opcional; el grupo debe estar en el sitio elegido)" }
    device_role { en: "Device role on that group", ko: "그 그룹에 대한 장치 역할", de: "Geräterolle auf dieser Gruppe", ja: "そのグループでのデバイスロール", es: "Rol de dispositivo en ese grupo" }
    no_device_role { en: "None", ko: "없음", de: "Keine", ja: "なし", es: "Ninguno" }
    never { en: "Never", ko: "안 함", de: "Nie", ja: "しない", es: "Nunca" }
    days_count { en: "{days} days", ko: "{days}일", de: "{days} Tage", ja: "{days}日", es: "{days} días" }
    reviews_tab { en: "Access reviews", ko: "접근 검토", de: "Zugangsprüfungen", ja: "アクセスレビュー", es: "Revisiones de acceso" }
    reviews_of { en: "Access reviews — {site}", ko: "접근 검토 — {site}", de: "Zugangsprüfungen — {site}", ja: "アクセスレビュー — {site}", es: "Revisiones de acceso — {site}" }
    open_review_started { en: "Open review, started {date}", ko: "진행 중인 검토, {date} 시작", de: "Laufende Prüfung, begonnen am {date}", ja: "進行中のレビュー({date}開始)", es: "Revisión abierta, iniciada el {date}" }
    review_of_date { en: "Review started {date}", ko: "{date}에 시작된 검토", de: "Prüfung vom {date}", ja: "{date}に開始したレビュー", es: "Revisión iniciada el {date}" }
    review_progress { en: "{left} of {count} still to decide. Deadline: {deadline}.", ko: "{count}명 중 {left}명 결정 대기. 마감: {deadline}.", de: "{left} von {count} noch zu entscheiden. Frist: {deadline}.", ja: "{count}人中{left}人が未決定。期限: {deadline}。", es: "Quedan {left} de {count} por decidir. Plazo: {deadline}." }
    review_deadline_lock { en: "At the deadline, access nobody confirmed is locked.", ko: "마감 시 아무도 확인하지 않은 접근은 잠깁니다.", de: "Zur Frist wird Zugang gesperrt, den niemand bestätigt hat.", ja: "期限になると、誰も確認しなかったアクセスはロックされます。", es: "Al llegar el plazo, el acceso que nadie confirmó se bloquea." }
    review_deadline_leave { en: "At the deadline, access nobody confirmed stays as it is, recorded as unconfirmed.", ko: "마감 시 아무도 확인하지 않은 접근은 그대로 두고 미확인으로 기록합니다.", de: "Zur Frist bleibt unbestätigter Zugang, wie er ist, und wird als unbestätigt festgehalten.", ja: "期限になっても、誰も確認しなかったアクセスはそのまま残り、未確認として記録されます。", es: "Al llegar el plazo, el acceso que nadie confirmó se queda como está y consta como no confirmado." }
    review_completed_on { en: "Completed {date}.", ko: "{date}에 완료되었습니다.", de: "Abgeschlossen am {date}.", ja: "{date}に完了しました。", es: "Completada el {date}." }
    review_lines_caption { en: "Each technician who held access when the review started", ko: "검토 시작 시 접근 권한을 가진 각 기술자", de: "Alle Techniker, die bei Beginn der Prüfung Zugang hatten", ja: "レビュー開始時にアクセスを持っていた技術者", es: "Cada técnico que tenía acceso cuando empezó la revisión" }
    granted { en: "Granted", ko: "부여", de: "Erteilt", ja: "付与", es: "Concedido" }
    granted_by_on { en: "{date}, by {who}", ko: "{date}, {who}", de: "{date}, von {who}", ja: "{date}、{who}", es: "{date}, por {who}" }
    last_used { en: "Last used", ko: "최근 사용", de: "Zuletzt genutzt", ja: "最終使用", es: "Último uso" }
    verdict { en: "Verdict", ko: "판정", de: "Entscheidung", ja: "判定", es: "Veredicto" }
    verdict_pending { en: "Not decided yet", ko: "아직 결정 안 됨", de: "Noch offen", ja: "未決定", es: "Sin decidir" }
    verdict_confirmed { en: "Confirmed", ko: "확인됨", de: "Bestätigt", ja: "確認済み", es: "Confirmado" }
    verdict_removed { en: "Removed", ko: "제거됨", de: "Entfernt", ja: "削除済み", es: "Eliminado" }
    verdict_locked { en: "Locked at the deadline", ko: "마감 시 잠김", de: "Zur Frist gesperrt", ja: "期限でロック", es: "Bloqueado al llegar el plazo" }
    verdict_left { en: "Left unconfirmed", ko: "미확인으로 유지", de: "Unbestätigt belassen", ja: "未確認のまま", es: "Sin confirmar, se mantuvo" }
    verdict_gone { en: "Access deleted meanwhile", ko: "그동안 접근 삭제됨", de: "Zugang inzwischen gelöscht", ja: "その間にアクセス削除", es: "Acceso eliminado mientras tanto" }
    decided_by_name { en: "{verdict} ({who})", ko: "{verdict} ({who})", de: "{verdict} ({who})", ja: "{verdict}({who})", es: "{verdict} ({who})" }
    review_hint { en: "Select technicians, then confirm their access or remove it. Removing deletes their access at once.", ko: "기술자를 선택한 뒤 접근을 확인하거나 제거하세요. 제거하면 접근이 즉시 삭제됩니다.", de: "Wählen Sie Techniker aus und bestätigen oder entfernen Sie ihren Zugang. Entfernen löscht den Zugang sofort.", ja: "技術者を選び、アクセスを確認するか削除します。削除するとアクセスはすぐに消えます。", es: "Seleccione técnicos y confirme o elimine su acceso. Eliminar borra el acceso al instante." }
    confirm_selected { en: "Confirm selected", ko: "선택 항목 확인", de: "Auswahl bestätigen", ja: "選択を確認", es: "Confirmar selección" }
    remove_selected { en: "Remove selected access", ko: "선택한 접근 제거", de: "Ausgewählten Zugang entfernen", ja: "選択したアクセスを削除", es: "Eliminar el acceso seleccionado" }
    start_review { en: "Start a review", ko: "검토 시작", de: "Prüfung starten", ja: "レビューを開始", es: "Iniciar una revisión" }
    start_review_explained { en: "A review lists every technician who holds access to this site now, with who gave it and when they last used it. Reviewers confirm or remove each before the deadline.", ko: "검토는 지금 이 사이트에 접근 권한이 있는 모든 기술자를 부여자와 최근 사용 시각과 함께 보여 줍니다. 검토자는 마감 전에 각각을 확인하거나 제거합니다.", de: "Eine Prüfung listet alle Techniker mit Zugang zu diesem Standort, mit wer ihn erteilt hat und wann er zuletzt genutzt wurde. Prüfer bestätigen oder entfernen jeden vor der Frist.", ja: "レビューは、このサイトに現在アクセスを持つすべての技術者を、付与者と最終使用日時とともに一覧にします。レビュー担当者は期限までに各人を確認または削除します。", es: "Una revisión enumera a cada técnico con acceso a este sitio, quién se lo dio y cuándo lo usó por última vez. Los revisores confirman o eliminan cada uno antes del plazo." }
    review_days_label { en: "Days to decide", ko: "결정 기간", de: "Tage für die Entscheidung", ja: "判定までの日数", es: "Días para decidir" }
    unconfirmed_label { en: "Access nobody confirmed by the deadline", ko: "마감까지 아무도 확인하지 않은 접근", de: "Zugang, den bis zur Frist niemand bestätigt hat", ja: "期限までに誰も確認しなかったアクセス", es: "Acceso que nadie confirmó antes del plazo" }
    unconfirmed_lock { en: "Lock it", ko: "잠그기", de: "Sperren", ja: "ロックする", es: "Bloquearlo" }
    unconfirmed_leave { en: "Leave it as it is", ko: "그대로 두기", de: "So lassen", ja: "そのままにする", es: "Dejarlo como está" }
    review_schedule { en: "Schedule", ko: "일정", de: "Zeitplan", ja: "スケジュール", es: "Programación" }
    review_schedule_explained { en: "Let the host start a review by itself at a regular interval; the first one starts one interval after you save.", ko: "호스트가 정해진 간격으로 검토를 자동 시작합니다. 첫 검토는 저장 후 한 간격 뒤에 시작됩니다.", de: "Lassen Sie den Host regelmäßig selbst eine Prüfung starten; die erste beginnt ein Intervall nach dem Speichern.", ja: "ホストが一定の間隔で自動的にレビューを開始します。最初のレビューは保存から1間隔後に始まります。", es: "Deje que el host inicie una revisión por sí solo cada cierto tiempo; la primera empieza un intervalo después de guardar." }
    review_every_label { en: "Start a review every", ko: "검토 시작 간격", de: "Eine Prüfung starten alle", ja: "レビューの開始間隔", es: "Iniciar una revisión cada" }
    next_review_on { en: "Next scheduled review: {date}.", ko: "다음 예정 검토: {date}.", de: "Nächste geplante Prüfung: {date}.", ja: "次回の予定レビュー: {date}。", es: "Próxima revisión programada: {date}." }
    save_schedule { en: "Save the schedule", ko: "일정 저장", de: "Zeitplan speichern", ja: "スケジュールを保存", es: "Guardar la programación" }
    reviews_heading { en: "Reviews", ko: "검토 목록", de: "Prüfungen", ja: "レビュー一覧", es: "Revisiones" }
    reviews_caption { en: "This site's reviews, newest first", ko: "이 사이트의 검토, 최신순", de: "Prüfungen dieses Standorts, neueste zuerst", ja: "このサイトのレビュー(新しい順)", es: "Revisiones de este sitio, las más recientes primero" }
    no_review_yet { en: "No review yet.", ko: "아직 검토가 없습니다.", de: "Noch keine Prüfung.", ja: "まだレビューはありません。", es: "Aún no hay revisiones." }
    started { en: "Started", ko: "시작", de: "Begonnen", ja: "開始", es: "Iniciada" }
    by_the_schedule { en: "the schedule", ko: "일정", de: "der Zeitplan", ja: "スケジュール", es: "la programación" }
    review_status_open { en: "Open", ko: "진행 중", de: "Laufend", ja: "進行中", es: "Abierta" }
    review_status_completed { en: "Completed", ko: "완료", de: "Abgeschlossen", ja: "完了", es: "Completada" }
    count_technicians { en: "Technicians", ko: "기술자 수", de: "Techniker", ja: "技術者数", es: "Técnicos" }
    download_csv { en: "Download CSV", ko: "CSV 다운로드", de: "CSV herunterladen", ja: "CSVをダウンロード", es: "Descargar CSV" }
    download_review_csv { en: "Download CSV: the review started {date}", ko: "CSV 다운로드: {date}에 시작된 검토", de: "CSV herunterladen: Prüfung vom {date}", ja: "CSVをダウンロード: {date}開始のレビュー", es: "Descargar CSV: la revisión del {date}" }
    show_review_of { en: "Show the review started {date}", ko: "보기: {date}에 시작된 검토", de: "Anzeigen: Prüfung vom {date}", ja: "表示: {date}開始のレビュー", es: "Mostrar la revisión del {date}" }
    more_lines { en: "More technicians", ko: "기술자 더 보기", de: "Weitere Techniker", ja: "さらに表示", es: "Más técnicos" }
    sso_sign_in { en: "Sign in with single sign-on", ko: "싱글 사인온으로 로그인", de: "Mit Single Sign-on anmelden", ja: "シングルサインオンでサインイン", es: "Iniciar sesión con inicio de sesión único" }
    sso_sign_in_hint { en: "Enter your work email: you will be sent to your company's sign-in page and brought back here.", ko: "회사 이메일을 입력하세요. 회사의 로그인 페이지로 이동한 뒤 이곳으로 돌아옵니다.", de: "Geben Sie Ihre geschäftliche E-Mail-Adresse ein: Sie werden zur Anmeldeseite Ihres Unternehmens geleitet und danach hierher zurückgebracht.", ja: "会社のメールアドレスを入力してください。会社のサインインページに移動し、その後ここに戻ります。", es: "Escriba su correo del trabajo: irá a la página de inicio de sesión de su empresa y volverá aquí." }
    work_email { en: "Work email", ko: "회사 이메일", de: "Geschäftliche E-Mail", ja: "会社のメールアドレス", es: "Correo del trabajo" }
    continue_to_provider { en: "Continue to your company's sign-in", ko: "회사 로그인으로 계속", de: "Weiter zur Anmeldung Ihres Unternehmens", ja: "会社のサインインへ進む", es: "Continuar al inicio de sesión de su empresa" }
    sign_in_with_password { en: "Sign in with a password instead", ko: "대신 비밀번호로 로그인", de: "Stattdessen mit Passwort anmelden", ja: "代わりにパスワードでサインイン", es: "Iniciar sesión con contraseña" }
    sso_test_result { en: "Test sign-in", ko: "테스트 로그인", de: "Test-Anmeldung", ja: "テストサインイン", es: "Inicio de sesión de prueba" }
    sso_test_would_sign_in { en: "The provider's answer passed every check. It would sign in {email}.", ko: "공급자의 응답이 모든 검사를 통과했습니다. {email}(으)로 로그인됩니다.", de: "Die Antwort des Anbieters hat jede Prüfung bestanden. Angemeldet würde {email}.", ja: "プロバイダーの応答はすべての確認に合格しました。{email} としてサインインします。", es: "La respuesta del proveedor superó todas las comprobaciones. Iniciaría la sesión de {email}." }
    sso_claims_received { en: "Claims received", ko: "받은 클레임", de: "Empfangene Claims", ja: "受信したクレーム", es: "Claims recibidos" }
    claim_column { en: "Claim", ko: "클레임", de: "Claim", ja: "クレーム", es: "Claim" }
    value { en: "Value", ko: "값", de: "Wert", ja: "値", es: "Valor" }
    back_to_identity { en: "Back to the identity settings", ko: "ID 설정으로 돌아가기", de: "Zurück zu den Identitätseinstellungen", ja: "ID 設定に戻る", es: "Volver a la configuración de identidad" }
    identity_menu { en: "Identity", ko: "ID", de: "Identität", ja: "ID", es: "Identidad" }
    identity_of { en: "Identity — {partner}", ko: "ID — {partner}", de: "Identität — {partner}", ja: "ID — {partner}", es: "Identidad — {partner}" }
    identity_intro { en: "Let your people sign in with your company's identity provider (Entra ID, Okta, Google Workspace or any OpenID Connect provider) instead of a Siteward password.", ko: "Siteward 비밀번호 대신 회사의 ID 공급자(Entra ID, Okta, Google Workspace 또는 OpenID Connect 공급자)로 로그인하게 합니다.", de: "Lassen Sie Ihre Leute sich mit dem Identitätsanbieter Ihres Unternehmens (Entra ID, Okta, Google Workspace oder einem OpenID-Connect-Anbieter) statt mit einem Siteward-Passwort anmelden.", ja: "Siteward のパスワードの代わりに、会社の ID プロバイダー(Entra ID、Okta、Google Workspace、または OpenID Connect プロバイダー)でサインインできるようにします。", es: "Permita que su personal inicie sesión con el proveedor de identidad de su empresa (Entra ID, Okta, Google Workspace o cualquier proveedor OpenID Connect) en lugar de una contraseña de Siteward." }
    identity_step_register { en: "1. Register Siteward at your provider", ko: "1. 공급자에 Siteward 등록", de: "1. Siteward beim Anbieter registrieren", ja: "1. プロバイダーに Siteward を登録", es: "1. Registre Siteward en su proveedor" }
    identity_register_hint { en: "Create a web application (OpenID Connect, authorization code) at your provider with this redirect URL, and give it the openid, email and profile scopes. The provider then shows a client id and a secret: enter them below.", ko: "공급자에서 이 리디렉션 URL로 웹 애플리케이션(OpenID Connect, 인증 코드)을 만들고 openid, email, profile 범위를 부여하세요. 공급자가 보여주는 클라이언트 ID와 시크릿을 아래에 입력하세요.", de: "Legen Sie beim Anbieter eine Webanwendung (OpenID Connect, Autorisierungscode) mit dieser Weiterleitungs-URL an und geben Sie ihr die Scopes openid, email und profile. Der Anbieter zeigt dann eine Client-ID und ein Geheimnis: Tragen Sie sie unten ein.", ja: "プロバイダーでこのリダイレクト URL を使う Web アプリケーション(OpenID Connect、認可コード)を作成し、openid、email、profile スコープを付与してください。表示されるクライアント ID とシークレットを下に入力します。", es: "Cree en su proveedor una aplicación web (OpenID Connect, código de autorización) con esta URL de redirección y las scopes openid, email y profile. El proveedor mostrará un client id y un secreto: escríbalos abajo." }
    redirect_url { en: "Redirect URL", ko: "리디렉션 URL", de: "Weiterleitungs-URL", ja: "リダイレクト URL", es: "URL de redirección" }
    sign_in_link { en: "Sign-in link:", ko: "로그인 링크:", de: "Anmeldelink:", ja: "サインインリンク:", es: "Enlace de inicio de sesión:" }
    identity_domains { en: "Email domains", ko: "이메일 도메인", de: "E-Mail-Domains", ja: "メールドメイン", es: "Dominios de correo" }
    no_domains_yet { en: "No domain yet: people reach this connection by its sign-in link only.", ko: "아직 도메인이 없습니다. 로그인 링크로만 이 연결을 사용할 수 있습니다.", de: "Noch keine Domain: Diese Verbindung ist nur über ihren Anmeldelink erreichbar.", ja: "ドメインはまだありません。この接続にはサインインリンクからのみ入れます。", es: "Aún no hay dominios: a esta conexión solo se llega por su enlace de inicio de sesión." }
    release_domain { en: "Release {domain}", ko: "{domain} 해제", de: "{domain} freigeben", ja: "{domain} を解放", es: "Liberar {domain}" }
    release { en: "Release", ko: "해제", de: "Freigeben", ja: "解放", es: "Liberar" }
    claim_a_domain { en: "Claim a domain", ko: "도메인 등록", de: "Domain beanspruchen", ja: "ドメインを登録", es: "Reclamar un dominio" }
    claim_a_domain_hint { en: "People whose email is in this domain are sent to this provider from the sign-in page, and only this provider may sign them in. A domain belongs to one team on this host.", ko: "이 도메인의 이메일을 가진 사람은 로그인 페이지에서 이 공급자로 이동하며, 이 공급자만 그들을 로그인시킬 수 있습니다. 도메인은 이 호스트에서 한 팀에만 속합니다.", de: "Personen mit einer E-Mail-Adresse dieser Domain werden von der Anmeldeseite zu diesem Anbieter geleitet, und nur dieser Anbieter darf sie anmelden. Eine Domain gehört auf diesem Host einem Team.", ja: "このドメインのメールアドレスを持つ人はサインインページからこのプロバイダーに送られ、このプロバイダーだけがサインインさせられます。ドメインはこのホストで 1 つのチームにのみ属します。", es: "Quien tenga un correo de este dominio irá desde la página de inicio de sesión a este proveedor, y solo este proveedor podrá iniciar su sesión. Un dominio pertenece a un solo equipo en este host." }
    claim { en: "Claim", ko: "등록", de: "Beanspruchen", ja: "登録", es: "Reclamar" }
    connection_settings { en: "Settings", ko: "설정", de: "Einstellungen", ja: "設定", es: "Configuración" }
    test_sign_in { en: "Test sign-in", ko: "테스트 로그인", de: "Test-Anmeldung", ja: "テストサインイン", es: "Probar inicio de sesión" }
    delete_connection { en: "Delete this connection and release its domains", ko: "이 연결을 삭제하고 도메인 해제", de: "Diese Verbindung löschen und ihre Domains freigeben", ja: "この接続を削除し、ドメインを解放", es: "Eliminar esta conexión y liberar sus dominios" }
    new_connection { en: "2. Add a connection", ko: "2. 연결 추가", de: "2. Verbindung hinzufügen", ja: "2. 接続を追加", es: "2. Añadir una conexión" }
    new_oidc_connection { en: "OpenID Connect (Entra ID, Okta, Google Workspace)", ko: "OpenID Connect(Entra ID, Okta, Google Workspace)", de: "OpenID Connect (Entra ID, Okta, Google Workspace)", ja: "OpenID Connect(Entra ID、Okta、Google Workspace)", es: "OpenID Connect (Entra ID, Okta, Google Workspace)" }
    new_saml_connection { en: "SAML 2.0", ko: "SAML 2.0", de: "SAML 2.0", ja: "SAML 2.0", es: "SAML 2.0" }
    new_saml_hint { en: "For providers your company runs with SAML (Entra ID Enterprise applications, Okta SAML apps, AD FS). Add the connection first: it then shows the entity ID, reply URL and metadata to give your provider.", ko: "회사가 SAML로 운영하는 공급자(Entra ID 엔터프라이즈 애플리케이션, Okta SAML 앱, AD FS)용입니다. 먼저 연결을 추가하면 공급자에 입력할 엔터티 ID, 회신 URL, 메타데이터가 표시됩니다.", de: "Für Anbieter, die Ihr Unternehmen mit SAML betreibt (Entra-ID-Unternehmensanwendungen, Okta-SAML-Apps, AD FS). Legen Sie zuerst die Verbindung an: Sie zeigt dann Entitäts-ID, Antwort-URL und Metadaten für Ihren Anbieter.", ja: "会社が SAML で運用するプロバイダー(Entra ID のエンタープライズ アプリケーション、Okta の SAML アプリ、AD FS)向けです。先に接続を追加すると、プロバイダーに渡すエンティティ ID、応答 URL、メタデータが表示されます。", es: "Para proveedores que su empresa usa con SAML (aplicaciones empresariales de Entra ID, apps SAML de Okta, AD FS). Añada primero la conexión: después muestra el ID de entidad, la URL de respuesta y los metadatos para su proveedor." }
    saml_entity_id { en: "Identity provider's entity ID (Issuer)", ko: "ID 공급자의 엔터티 ID(발급자)", de: "Entitäts-ID des Identitätsanbieters (Issuer)", ja: "ID プロバイダーのエンティティ ID(発行者)", es: "ID de entidad del proveedor de identidad (Issuer)" }
    saml_entity_id_hint { en: "Exactly as the provider shows it. Entra ID: Microsoft Entra Identifier (https://sts.windows.net/<tenant id>/) — Okta: Identity Provider Issuer (http://www.okta.com/<id>)", ko: "공급자가 보여주는 그대로. Entra ID: Microsoft Entra 식별자(https://sts.windows.net/<tenant id>/) — Okta: Identity Provider Issuer(http://www.okta.com/<id>)", de: "Genau wie der Anbieter sie zeigt. Entra ID: Microsoft Entra-Bezeichner (https://sts.windows.net/<tenant id>/) — Okta: Identity Provider Issuer (http://www.okta.com/<id>)", ja: "プロバイダーの表示どおりに。Entra ID: Microsoft Entra 識別子(https://sts.windows.net/<tenant id>/) — Okta: Identity Provider Issuer(http://www.okta.com/<id>)", es: "Exactamente como lo muestra el proveedor. Entra ID: identificador de Microsoft Entra (https://sts.windows.net/<tenant id>/) — Okta: Identity Provider Issuer (http://www.okta.com/<id>)" }
    saml_sso_url { en: "Single sign-on URL", ko: "싱글 사인온 URL", de: "Single-Sign-on-URL", ja: "シングルサインオン URL", es: "URL de inicio de sesión único" }
    saml_sso_url_hint { en: "Where the provider takes sign-in requests. Entra ID: Login URL — Okta: Identity Provider Single Sign-On URL", ko: "공급자가 로그인 요청을 받는 곳. Entra ID: 로그인 URL — Okta: Identity Provider Single Sign-On URL", de: "Wo der Anbieter Anmeldeanfragen annimmt. Entra ID: Anmelde-URL — Okta: Identity Provider Single Sign-On URL", ja: "プロバイダーがサインイン要求を受け取る場所。Entra ID: ログイン URL — Okta: Identity Provider Single Sign-On URL", es: "Donde el proveedor recibe las solicitudes de inicio de sesión. Entra ID: URL de inicio de sesión — Okta: Identity Provider Single Sign-On URL" }
    saml_certificate { en: "Signing certificate", ko: "서명 인증서", de: "Signaturzertifikat", ja: "署名証明書", es: "Certificado de firma" }
    saml_certificate_hint_new { en: "Paste the PEM text or the base64 the provider lets you download (Entra ID: Certificate (Base64); Okta: X.509 Certificate). Every answer must be signed with it.", ko: "공급자가 내려받게 해주는 PEM 텍스트나 base64를 붙여 넣으세요(Entra ID: 인증서(Base64), Okta: X.509 Certificate). 모든 응답은 이것으로 서명되어야 합니다.", de: "Fügen Sie den PEM-Text oder das Base64 ein, das der Anbieter zum Herunterladen anbietet (Entra ID: Zertifikat (Base64); Okta: X.509 Certificate). Jede Antwort muss damit signiert sein.", ja: "プロバイダーからダウンロードできる PEM テキストまたは base64 を貼り付けます(Entra ID: 証明書 (Base64)、Okta: X.509 Certificate)。すべての応答はこれで署名されている必要があります。", es: "Pegue el texto PEM o el base64 que el proveedor permite descargar (Entra ID: Certificado (Base64); Okta: X.509 Certificate). Toda respuesta debe ir firmada con él." }
    saml_certificate_hint_kept { en: "Leave empty to keep the certificate stored; paste the new one when the provider renews its certificate.", ko: "저장된 인증서를 유지하려면 비워 두세요. 공급자가 인증서를 갱신하면 새 인증서를 붙여 넣으세요.", de: "Leer lassen, um das gespeicherte Zertifikat zu behalten; fügen Sie das neue ein, wenn der Anbieter sein Zertifikat erneuert.", ja: "保存済みの証明書を使い続けるには空のままにします。プロバイダーが証明書を更新したら新しいものを貼り付けてください。", es: "Déjelo vacío para conservar el certificado guardado; pegue el nuevo cuando el proveedor renueve su certificado." }
    saml_register { en: "Give your provider these values", ko: "공급자에 이 값을 입력하세요", de: "Geben Sie Ihrem Anbieter diese Werte", ja: "プロバイダーにこれらの値を設定します", es: "Dé a su proveedor estos valores" }
    saml_register_hint { en: "Send the email as the NameID (email address format) or in an attribute named email, the name as displayName, and groups in an attribute named groups. Sign the response or the assertion with SHA-256; do not encrypt the assertion.", ko: "이메일은 NameID(이메일 주소 형식)나 email 속성으로, 이름은 displayName으로, 그룹은 groups 속성으로 보내세요. 응답이나 어설션을 SHA-256으로 서명하고 어설션은 암호화하지 마세요.", de: "Senden Sie die E-Mail als NameID (Format E-Mail-Adresse) oder im Attribut email, den Namen als displayName und die Gruppen im Attribut groups. Signieren Sie die Antwort oder die Assertion mit SHA-256; verschlüsseln Sie die Assertion nicht.", ja: "メールは NameID(メールアドレス形式)または email 属性で、名前は displayName で、グループは groups 属性で送ってください。応答またはアサーションを SHA-256 で署名し、アサーションは暗号化しないでください。", es: "Envíe el correo como NameID (formato de dirección de correo) o en un atributo email, el nombre como displayName y los grupos en un atributo groups. Firme la respuesta o la aserción con SHA-256; no cifre la aserción." }
    saml_sp_entity_id { en: "Entity ID (Identifier, Audience URI)", ko: "엔터티 ID(식별자, Audience URI)", de: "Entitäts-ID (Bezeichner, Audience URI)", ja: "エンティティ ID(識別子、Audience URI)", es: "ID de entidad (Identificador, Audience URI)" }
    saml_acs_url { en: "Reply URL (Assertion Consumer Service URL)", ko: "회신 URL(Assertion Consumer Service URL)", de: "Antwort-URL (Assertion Consumer Service URL)", ja: "応答 URL(Assertion Consumer Service URL)", es: "URL de respuesta (Assertion Consumer Service URL)" }
    saml_metadata { en: "Service provider metadata:", ko: "서비스 공급자 메타데이터:", de: "Metadaten des Dienstanbieters:", ja: "サービス プロバイダーのメタデータ:", es: "Metadatos del proveedor de servicios:" }
    connection_name { en: "Name", ko: "이름", de: "Name", ja: "名前", es: "Nombre" }
    issuer_url { en: "Issuer URL", ko: "발급자 URL", de: "Aussteller-URL", ja: "発行者 URL", es: "URL del emisor" }
    issuer_url_hint { en: "As the provider's discovery document names it. Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0 — Okta: https://<your org>.okta.com", ko: "공급자의 디스커버리 문서에 나온 그대로. Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0 — Okta: https://<your org>.okta.com", de: "Wie das Discovery-Dokument des Anbieters sie nennt. Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0 — Okta: https://<your org>.okta.com", ja: "プロバイダーのディスカバリー文書にあるとおりに。Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0 — Okta: https://<your org>.okta.com", es: "Tal como la nombra el documento de descubrimiento del proveedor. Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0 — Okta: https://<your org>.okta.com" }
    client_id { en: "Client ID", ko: "클라이언트 ID", de: "Client-ID", ja: "クライアント ID", es: "Client ID" }
    client_secret { en: "Client secret", ko: "클라이언트 시크릿", de: "Client-Geheimnis", ja: "クライアントシークレット", es: "Secreto del cliente" }
    client_secret_hint_new { en: "Entra ID shows it under Certificates & secrets (its Value, not its ID); Okta under the application's General tab.", ko: "Entra ID는 인증서 및 비밀(ID가 아닌 값), Okta는 애플리케이션의 General 탭에 표시합니다.", de: "Entra ID zeigt es unter „Zertifikate & Geheimnisse“ (den Wert, nicht die ID), Okta im Reiter „General“ der Anwendung.", ja: "Entra ID では「証明書とシークレット」(ID ではなく値)、Okta ではアプリケーションの General タブに表示されます。", es: "Entra ID lo muestra en Certificados y secretos (su valor, no su ID); Okta, en la pestaña General de la aplicación." }
    client_secret_hint_kept { en: "Leave empty to keep the secret stored; it is never shown again.", ko: "저장된 시크릿을 유지하려면 비워 두세요. 다시 표시되지 않습니다.", de: "Leer lassen, um das gespeicherte Geheimnis zu behalten; es wird nie wieder angezeigt.", ja: "保存済みのシークレットを使う場合は空欄のままにします。再表示はされません。", es: "Déjelo vacío para conservar el secreto guardado; no se vuelve a mostrar." }
    just_in_time { en: "Create members just in time", ko: "필요 시 구성원 자동 생성", de: "Mitglieder bei Bedarf anlegen", ja: "必要に応じてメンバーを作成", es: "Crear miembros al momento" }
    just_in_time_hint { en: "Off: only people already in the team (invited or added) get in. On: anyone the provider signs in with a verified email in your domains joins as a technician.", ko: "끄면 이미 팀에 있는 사람만 들어옵니다. 켜면 공급자가 도메인의 확인된 이메일로 로그인시킨 누구나 기술자로 합류합니다.", de: "Aus: Nur wer schon im Team ist (eingeladen oder hinzugefügt), kommt hinein. An: Wen der Anbieter mit bestätigter E-Mail Ihrer Domains anmeldet, tritt als Techniker bei.", ja: "オフ: すでにチームにいる人(招待済み・追加済み)だけが入れます。オン: プロバイダーがドメインの確認済みメールでサインインさせた人は誰でも技術者として参加します。", es: "Desactivado: solo entra quien ya está en el equipo (invitado o añadido). Activado: cualquiera a quien el proveedor identifique con un correo verificado de sus dominios se une como técnico." }
    require_sso { en: "Require single sign-on", ko: "싱글 사인온 필수", de: "Single Sign-on verlangen", ja: "シングルサインオンを必須にする", es: "Exigir inicio de sesión único" }
    require_sso_hint { en: "Passwords stop working for everyone with an email in this connection's domains; they sign in through the provider. The host's operator keeps their password.", ko: "이 연결의 도메인 이메일을 가진 모든 사람의 비밀번호가 더 이상 작동하지 않으며 공급자를 통해 로그인합니다. 호스트 운영자는 비밀번호를 유지합니다.", de: "Passwörter funktionieren für alle mit einer E-Mail-Adresse in den Domains dieser Verbindung nicht mehr; sie melden sich über den Anbieter an. Der Betreiber des Hosts behält sein Passwort.", ja: "この接続のドメインのメールアドレスを持つ全員のパスワードが使えなくなり、プロバイダー経由でサインインします。ホストのオペレーターはパスワードを保持します。", es: "Las contraseñas dejan de funcionar para todos los correos de los dominios de esta conexión; inician sesión a través del proveedor. El operador del host conserva su contraseña." }
    add_connection { en: "Add the connection", ko: "연결 추가", de: "Verbindung hinzufügen", ja: "接続を追加", es: "Añadir la conexión" }
    save_connection { en: "Save the connection", ko: "연결 저장", de: "Verbindung speichern", ja: "接続を保存", es: "Guardar la conexión" }
    connection_saved { en: "The connection is saved.", ko: "연결이 저장되었습니다.", de: "Die Verbindung ist gespeichert.", ja: "接続を保存しました。", es: "La conexión se ha guardado." }
    domain_claimed { en: "The domain is claimed.", ko: "도메인이 등록되었습니다.", de: "Die Domain ist beansprucht.", ja: "ドメインを登録しました。", es: "El dominio se ha reclamado." }
    domain_released { en: "The domain is released.", ko: "도메인이 해제되었습니다.", de: "Die Domain ist freigegeben.", ja: "ドメインを解放しました。", es: "El dominio se ha liberado." }
    connection_deleted { en: "The connection is deleted and its domains are released.", ko: "연결이 삭제되고 도메인이 해제되었습니다.", de: "Die Verbindung ist gelöscht, ihre Domains sind freigegeben.", ja: "接続を削除し、ドメインを解放しました。", es: "La conexión se ha eliminado y sus dominios se han liberado." }
    to_provider { en: "Taking you to your company's sign-in", ko: "회사 로그인으로 이동 중", de: "Weiter zur Anmeldung Ihres Unternehmens", ja: "会社のサインインに移動しています", es: "Le llevamos al inicio de sesión de su empresa" }
    group_mappings { en: "Group mappings", ko: "그룹 매핑", de: "Gruppenzuordnungen", ja: "グループのマッピング", es: "Asignación de grupos" }
    group_mappings_hint { en: "At each sign-in, the groups the provider sends (the groups claim) set the person's role and the departments named here: the highest role of their groups, or Technician when none of them gives one; a named department exactly while one of their groups gives it. Departments named nowhere, and the role when no mapping gives one, stay as the team sets them. A privilege named here is held exactly while one of their groups gives it and a licence seat is free.", ko: "로그인할 때마다 공급자가 보내는 그룹(groups 클레임)이 역할과 여기 지정된 부서를 정합니다. 그룹 중 가장 높은 역할이 적용되고, 역할을 주는 그룹이 없으면 기술자가 됩니다. 지정된 부서에는 해당 그룹에 속한 동안만 속합니다. 어디에도 지정되지 않은 부서와, 역할 매핑이 없을 때의 역할은 팀이 정한 대로 유지됩니다. 여기 지정된 권한은 그룹 중 하나가 부여하고 라이선스 좌석이 남아 있는 동안만 가집니다.", de: "Bei jeder Anmeldung bestimmen die Gruppen, die der Anbieter sendet (Claim groups), die Rolle und die hier genannten Abteilungen: die höchste Rolle der Gruppen, oder Techniker, wenn keine eine Rolle gibt; eine genannte Abteilung genau solange eine der Gruppen sie gibt. Nirgends genannte Abteilungen und die Rolle ohne Rollenzuordnung bleiben, wie das Team sie setzt. Eine hier genannte Berechtigung hat die Person genau solange eine ihrer Gruppen sie gibt und ein Lizenzplatz frei ist.", ja: "サインインのたびに、プロバイダーが送るグループ(groups クレーム)がロールとここで指定した部署を決めます。グループの中で最も高いロール、どれもロールを与えない場合は技術者になります。指定した部署には、いずれかのグループがそれを与えている間だけ所属します。どこにも指定されていない部署と、ロールのマッピングがない場合のロールは、チームの設定のままです。 ここで指定した特権は、いずれかのグループがそれを与え、ライセンスの空きがある間だけ保持されます。", es: "En cada inicio de sesión, los grupos que envía el proveedor (el claim groups) fijan el rol y los departamentos nombrados aquí: el rol más alto de sus grupos, o Técnico si ninguno da un rol; un departamento nombrado mientras uno de sus grupos lo dé. Los departamentos no nombrados y el rol, si ninguna asignación da uno, quedan como los fija el equipo. Un privilegio nombrado aquí se tiene mientras uno de sus grupos lo dé y quede un puesto de licencia libre." }
    customer_identity_intro { en: "Let the admins of this customer's sites sign in with the customer's own identity provider (Entra ID, Okta, any OpenID Connect or SAML 2.0 provider). Its IT gives you the provider's values; the provider's groups decide which sites each person administers.", ko: "이 고객 사이트의 관리자가 고객 자체 ID 공급자(Entra ID, Okta, OpenID Connect 또는 SAML 2.0 공급자)로 로그인하게 하세요. 고객의 IT 담당자가 공급자 값을 알려 주고, 공급자의 그룹이 각자가 관리할 사이트를 정합니다.", de: "Lassen Sie die Admins der Standorte dieses Kunden sich mit dem Identitätsanbieter des Kunden anmelden (Entra ID, Okta, jeder OpenID-Connect- oder SAML-2.0-Anbieter). Seine IT gibt Ihnen die Werte des Anbieters; dessen Gruppen bestimmen, welche Standorte jede Person verwaltet.", ja: "この顧客のサイト管理者が、顧客自身の ID プロバイダー(Entra ID、Okta、OpenID Connect または SAML 2.0 のプロバイダー)でサインインできるようにします。顧客の IT 担当がプロバイダーの値を伝え、プロバイダーのグループが各人の管理するサイトを決めます。", es: "Permita que los administradores de los sitios de este cliente inicien sesión con el proveedor de identidad del propio cliente (Entra ID, Okta, cualquier proveedor OpenID Connect o SAML 2.0). Su equipo de TI le da los valores del proveedor; los grupos del proveedor deciden qué sitios administra cada persona." }
    customer_group_mappings_hint { en: "At each sign-in, a site named here is administered by the person exactly while one of their groups gives it; sites named nowhere stay as they are. Only admins of one of the customer's sites get in (and, with members made just in time, those a group makes one).", ko: "로그인할 때마다 여기 지정된 사이트는 그룹 중 하나가 부여하는 동안만 그 사람이 관리합니다. 어디에도 지정되지 않은 사이트는 그대로입니다. 고객 사이트 중 하나의 관리자만 로그인할 수 있습니다(필요 시 자동 생성이 켜져 있으면 그룹으로 관리자가 되는 사람도).", de: "Bei jeder Anmeldung verwaltet die Person einen hier genannten Standort genau solange eine ihrer Gruppen ihn gibt; nirgends genannte Standorte bleiben, wie sie sind. Nur Admins eines Standorts des Kunden kommen hinein (und, mit Mitgliedern bei Bedarf, wen eine Gruppe dazu macht).", ja: "サインインのたびに、ここで指定したサイトは、いずれかのグループがそれを与えている間だけその人が管理します。どこにも指定されていないサイトはそのままです。顧客のいずれかのサイトの管理者だけがサインインできます(必要に応じた作成がオンなら、グループで管理者になる人も)。", es: "En cada inicio de sesión, la persona administra un sitio nombrado aquí mientras uno de sus grupos lo dé; los sitios no nombrados quedan como están. Solo entran los administradores de algún sitio del cliente (y, con miembros creados al vuelo, quienes un grupo convierta en uno)." }
    site_admin_option { en: "Site admin: {site}", ko: "사이트 관리자: {site}", de: "Standort-Admin: {site}", ja: "サイト管理者: {site}", es: "Administrador del sitio: {site}" }
    customer_sso_link { en: "Single sign-on for {customer}'s site admins", ko: "{customer} 사이트 관리자의 싱글 사인온", de: "Single Sign-on für die Standort-Admins von {customer}", ja: "{customer} のサイト管理者のシングルサインオン", es: "Inicio de sesión único para los administradores de sitio de {customer}" }
    customers_heading { en: "Customers", ko: "고객", de: "Kunden", ja: "顧客", es: "Clientes" }
    no_group_mappings { en: "No group mappings: the provider's groups change nothing.", ko: "그룹 매핑이 없습니다. 공급자의 그룹은 아무것도 바꾸지 않습니다.", de: "Keine Gruppenzuordnungen: Die Gruppen des Anbieters ändern nichts.", ja: "グループのマッピングはありません。プロバイダーのグループは何も変えません。", es: "Sin asignaciones de grupos: los grupos del proveedor no cambian nada." }
    idp_group { en: "Provider group", ko: "공급자 그룹", de: "Gruppe beim Anbieter", ja: "プロバイダーのグループ", es: "Grupo del proveedor" }
    gives { en: "Gives", ko: "부여", de: "Gibt", ja: "与えるもの", es: "Da" }
    remove_mapping { en: "Remove the mapping of {group}", ko: "{group} 매핑 제거", de: "Zuordnung von {group} entfernen", ja: "{group} のマッピングを削除", es: "Quitar la asignación de {group}" }
    add_mapping { en: "Add the mapping", ko: "매핑 추가", de: "Zuordnung hinzufügen", ja: "マッピングを追加", es: "Añadir la asignación" }
    role_option { en: "Role: {role}", ko: "역할: {role}", de: "Rolle: {role}", ja: "ロール: {role}", es: "Rol: {role}" }
    privilege_option { en: "Privilege: {privilege}", ko: "권한: {privilege}", de: "Berechtigung: {privilege}", ja: "特権: {privilege}", es: "Privilegio: {privilege}" }
    department_option { en: "Department: {department}", ko: "부서: {department}", de: "Abteilung: {department}", ja: "部署: {department}", es: "Departamento: {department}" }
    mapping_added { en: "The mapping is added; it applies from each person's next sign-in.", ko: "매핑이 추가되었습니다. 각자의 다음 로그인부터 적용됩니다.", de: "Die Zuordnung ist hinzugefügt; sie gilt ab der nächsten Anmeldung jeder Person.", ja: "マッピングを追加しました。各自の次回サインインから適用されます。", es: "La asignación se ha añadido; se aplica desde el próximo inicio de sesión de cada persona." }
    mapping_removed { en: "The mapping is removed; what it gave stays until each person's next sign-in.", ko: "매핑이 제거되었습니다. 부여된 것은 각자의 다음 로그인까지 유지됩니다.", de: "Die Zuordnung ist entfernt; was sie gab, bleibt bis zur nächsten Anmeldung jeder Person.", ja: "マッピングを削除しました。与えられたものは各自の次回サインインまで残ります。", es: "La asignación se ha quitado; lo que daba se mantiene hasta el próximo inicio de sesión de cada persona." }
    scim_provisioning { en: "3. Provisioning (SCIM)", ko: "3. 프로비저닝(SCIM)", de: "3. Bereitstellung (SCIM)", ja: "3. プロビジョニング(SCIM)", es: "3. Aprovisionamiento (SCIM)" }
    scim_hint { en: "Okta and Entra ID can create, deactivate and remove your team's members for you: give them this base URL and a token. They provision addresses in the domains claimed above only.", ko: "Okta와 Entra ID가 팀 구성원을 대신 만들고 비활성화하고 제거할 수 있습니다. 이 기본 URL과 토큰을 입력하세요. 위에서 등록한 도메인의 주소만 프로비저닝합니다.", de: "Okta und Entra ID können die Mitglieder Ihres Teams für Sie anlegen, deaktivieren und entfernen: Geben Sie ihnen diese Basis-URL und ein Token. Sie stellen nur Adressen in den oben beanspruchten Domains bereit.", ja: "Okta と Entra ID がチームのメンバーを作成・無効化・削除できます。このベース URL とトークンを設定してください。上で登録したドメインのアドレスだけをプロビジョニングします。", es: "Okta y Entra ID pueden crear, desactivar y quitar a los miembros de su equipo: deles esta URL base y un token. Solo aprovisionan direcciones de los dominios reclamados arriba." }
    scim_base_url { en: "SCIM base URL", ko: "SCIM 기본 URL", de: "SCIM-Basis-URL", ja: "SCIM ベース URL", es: "URL base de SCIM" }
    scim_token { en: "SCIM token (shown once)", ko: "SCIM 토큰(한 번만 표시)", de: "SCIM-Token (einmal angezeigt)", ja: "SCIM トークン(一度だけ表示)", es: "Token SCIM (se muestra una vez)" }
    scim_token_made { en: "A token is made: copy it into your provider now; it is not shown again. It is one of the team's API tokens and is revoked like them.", ko: "토큰이 만들어졌습니다. 지금 공급자에 복사하세요. 다시 표시되지 않습니다. 팀의 API 토큰 중 하나이며 같은 방식으로 폐기합니다.", de: "Ein Token ist erstellt: Kopieren Sie es jetzt zu Ihrem Anbieter; es wird nicht wieder angezeigt. Es ist eines der API-Tokens des Teams und wird wie diese widerrufen.", ja: "トークンを作成しました。今すぐプロバイダーにコピーしてください。再表示されません。チームの API トークンの 1 つで、同じ方法で取り消せます。", es: "Se ha creado un token: cópielo ahora en su proveedor; no se vuelve a mostrar. Es uno de los tokens de API del equipo y se revoca como ellos." }
    make_scim_token { en: "Make a SCIM token", ko: "SCIM 토큰 만들기", de: "SCIM-Token erstellen", ja: "SCIM トークンを作成", es: "Crear un token SCIM" }
    identity_settings_link { en: "Single sign-on (your identity provider) is set up under Identity.", ko: "싱글 사인온(ID 공급자)은 ID에서 설정합니다.", de: "Single Sign-on (Ihr Identitätsanbieter) wird unter „Identität“ eingerichtet.", ja: "シングルサインオン(ID プロバイダー)は「ID」で設定します。", es: "El inicio de sesión único (su proveedor de identidad) se configura en Identidad." }
    directory_of { en: "Directory — {partner}", ko: "디렉터리 — {partner}", de: "Verzeichnis — {partner}", ja: "ディレクトリ — {partner}", es: "Directorio — {partner}" }
    directory_intro { en: "Bring your people in from your LDAP directory or Active Directory, and keep them in step: a sync adds new people as technicians, follows name changes, puts members of mapped groups in departments, and disables members who left the directory or its group (they come back if they return). Nothing is deleted.", ko: "LDAP 디렉터리나 Active Directory에서 사람들을 가져오고 계속 맞춰 둡니다. 동기화는 새 사람을 기술자로 추가하고, 이름 변경을 따르고, 매핑된 그룹의 구성원을 부서에 넣고, 디렉터리나 그룹을 떠난 구성원을 비활성화합니다(돌아오면 다시 활성화). 아무것도 삭제하지 않습니다.", de: "Holen Sie Ihre Leute aus Ihrem LDAP-Verzeichnis oder Active Directory und halten Sie sie aktuell: Ein Abgleich fügt neue Personen als Techniker hinzu, übernimmt Namensänderungen, setzt Mitglieder zugeordneter Gruppen in Abteilungen und deaktiviert Mitglieder, die das Verzeichnis oder seine Gruppe verlassen haben (sie kommen zurück, wenn sie wiederkehren). Nichts wird gelöscht.", ja: "LDAP ディレクトリまたは Active Directory からメンバーを取り込み、同期を保ちます。同期では新しい人を技術者として追加し、名前の変更に追従し、マッピングしたグループのメンバーを部署に入れ、ディレクトリやそのグループを離れたメンバーを無効にします(戻れば再び有効になります)。何も削除しません。", es: "Traiga a su personal desde su directorio LDAP o Active Directory y manténgalo al día: una sincronización añade a las personas nuevas como técnicos, sigue los cambios de nombre, pone a los miembros de los grupos asignados en departamentos y desactiva a quienes dejaron el directorio o su grupo (vuelven si regresan). No se borra nada." }
    directory_sync { en: "Sync", ko: "동기화", de: "Abgleich", ja: "同期", es: "Sincronización" }
    directory_last_sync_failed { en: "The last sync, at {at}, failed and changed nothing: {error}", ko: "{at}의 마지막 동기화가 실패하여 아무것도 바꾸지 않았습니다: {error}", de: "Der letzte Abgleich um {at} ist fehlgeschlagen und hat nichts geändert: {error}", ja: "{at} の前回の同期は失敗し、何も変更しませんでした: {error}", es: "La última sincronización, a las {at}, falló y no cambió nada: {error}" }
    directory_never_synced { en: "Not synced yet: preview the changes, then sync.", ko: "아직 동기화하지 않았습니다. 변경 사항을 미리 본 뒤 동기화하세요.", de: "Noch nicht abgeglichen: Sehen Sie sich die Änderungen an und gleichen Sie dann ab.", ja: "まだ同期していません。変更をプレビューしてから同期してください。", es: "Aún sin sincronizar: revise los cambios y luego sincronice." }
    directory_no_domains { en: "People are brought in only with an email in a domain the team claimed under Identity, and none is claimed yet.", ko: "ID에서 팀이 등록한 도메인의 이메일을 가진 사람만 가져오며, 아직 등록된 도메인이 없습니다.", de: "Personen werden nur mit einer E-Mail-Adresse in einer Domain übernommen, die das Team unter „Identität“ beansprucht hat, und noch keine ist beansprucht.", ja: "ID でチームが登録したドメインのメールアドレスを持つ人だけを取り込みます。まだドメインが登録されていません。", es: "Solo se traen personas con un correo de un dominio que el equipo reclamó en Identidad, y aún no hay ninguno." }
    directory_domains { en: "People are brought in with emails in {domains}.", ko: "{domains}의 이메일을 가진 사람을 가져옵니다.", de: "Übernommen werden Personen mit E-Mail-Adressen in {domains}.", ja: "{domains} のメールアドレスを持つ人を取り込みます。", es: "Se traen personas con correos de {domains}." }
    directory_preview { en: "Preview the changes", ko: "변경 사항 미리 보기", de: "Änderungen ansehen", ja: "変更をプレビュー", es: "Ver los cambios" }
    directory_sync_now { en: "Sync now", ko: "지금 동기화", de: "Jetzt abgleichen", ja: "今すぐ同期", es: "Sincronizar ahora" }
    directory_preview_heading { en: "What a sync would change", ko: "동기화가 바꿀 내용", de: "Was ein Abgleich ändern würde", ja: "同期で変わる内容", es: "Lo que cambiaría una sincronización" }
    directory_preview_hint { en: "Read from the directory just now; nothing has changed yet. {unchanged} people are already as the directory says.", ko: "방금 디렉터리에서 읽었습니다. 아직 아무것도 바뀌지 않았습니다. {unchanged}명은 이미 디렉터리와 같습니다.", de: "Gerade aus dem Verzeichnis gelesen; noch ist nichts geändert. {unchanged} Personen sind schon so, wie das Verzeichnis sagt.", ja: "ディレクトリから今読み取りました。まだ何も変わっていません。{unchanged} 人はすでにディレクトリのとおりです。", es: "Leído del directorio ahora mismo; aún no ha cambiado nada. {unchanged} personas ya están como dice el directorio." }
    directory_nothing_to_change { en: "Nothing to change.", ko: "바꿀 것이 없습니다.", de: "Nichts zu ändern.", ja: "変更はありません。", es: "Nada que cambiar." }
    directory_change { en: "Change", ko: "변경", de: "Änderung", ja: "変更", es: "Cambio" }
    directory_skipped { en: "Entries left out", ko: "제외된 항목", de: "Ausgelassene Einträge", ja: "除外されたエントリ", es: "Entradas omitidas" }
    directory_entry { en: "Entry", ko: "항목", de: "Eintrag", ja: "エントリ", es: "Entrada" }
    directory_why { en: "Why", ko: "이유", de: "Grund", ja: "理由", es: "Motivo" }
    directory_mappings { en: "Groups and departments", ko: "그룹과 부서", de: "Gruppen und Abteilungen", ja: "グループと部署", es: "Grupos y departamentos" }
    directory_mappings_hint { en: "Members of a mapped group — directly or through nested groups — are in its department after each sync, and leave it when they leave the group. Departments no group is mapped to stay as the team sets them.", ko: "매핑된 그룹의 구성원(직접 또는 중첩 그룹을 통해)은 동기화할 때마다 해당 부서에 속하고, 그룹을 떠나면 부서에서도 빠집니다. 매핑되지 않은 부서는 팀이 정한 대로 유지됩니다.", de: "Mitglieder einer zugeordneten Gruppe – direkt oder über verschachtelte Gruppen – sind nach jedem Abgleich in ihrer Abteilung und verlassen sie mit der Gruppe. Abteilungen ohne zugeordnete Gruppe bleiben, wie das Team sie setzt.", ja: "マッピングしたグループのメンバー(直接またはネストしたグループ経由)は同期のたびにその部署に入り、グループを離れると部署からも外れます。マッピングのない部署はチームの設定のままです。", es: "Los miembros de un grupo asignado —directamente o mediante grupos anidados— están en su departamento tras cada sincronización y salen al dejar el grupo. Los departamentos sin grupo asignado quedan como los fija el equipo." }
    directory_no_mappings { en: "No group is mapped: syncs leave departments alone.", ko: "매핑된 그룹이 없습니다. 동기화는 부서를 바꾸지 않습니다.", de: "Keine Gruppe ist zugeordnet: Abgleiche lassen die Abteilungen unverändert.", ja: "マッピングしたグループはありません。同期は部署を変更しません。", es: "No hay grupos asignados: las sincronizaciones no tocan los departamentos." }
    directory_group { en: "Directory group (DN)", ko: "디렉터리 그룹(DN)", de: "Verzeichnisgruppe (DN)", ja: "ディレクトリのグループ(DN)", es: "Grupo del directorio (DN)" }
    directory_department { en: "Department", ko: "부서", de: "Abteilung", ja: "部署", es: "Departamento" }
    directory_no_departments { en: "The team has no departments yet: make one on the Departments page to map a group to it.", ko: "팀에 아직 부서가 없습니다. 그룹을 매핑하려면 부서 페이지에서 부서를 만드세요.", de: "Das Team hat noch keine Abteilungen: Legen Sie auf der Seite „Abteilungen“ eine an, um ihr eine Gruppe zuzuordnen.", ja: "チームにはまだ部署がありません。グループをマッピングするには部署ページで作成してください。", es: "El equipo aún no tiene departamentos: cree uno en la página Departamentos para asignarle un grupo." }
    directory_connection { en: "Connection", ko: "연결", de: "Verbindung", ja: "接続", es: "Conexión" }
    directory_url { en: "Server URL", ko: "서버 URL", de: "Server-URL", ja: "サーバー URL", es: "URL del servidor" }
    directory_url_hint { en: "ldaps://host (port 636) or ldap://host (port 389), with :port if it differs. Active Directory: a domain controller, or the domain's name.", ko: "ldaps://host(포트 636) 또는 ldap://host(포트 389), 다르면 :포트를 붙입니다. Active Directory: 도메인 컨트롤러나 도메인 이름.", de: "ldaps://host (Port 636) oder ldap://host (Port 389), mit :Port, wenn er abweicht. Active Directory: ein Domänencontroller oder der Name der Domäne.", ja: "ldaps://host(ポート 636)または ldap://host(ポート 389)。異なる場合は :ポート を付けます。Active Directory: ドメインコントローラーまたはドメイン名。", es: "ldaps://host (puerto 636) o ldap://host (puerto 389), con :puerto si es otro. Active Directory: un controlador de dominio o el nombre del dominio." }
    directory_starttls { en: "Use StartTLS (for an ldap:// URL)", ko: "StartTLS 사용(ldap:// URL)", de: "StartTLS verwenden (bei einer ldap://-URL)", ja: "StartTLS を使う(ldap:// URL の場合)", es: "Usar StartTLS (con una URL ldap://)" }
    directory_bind_dn { en: "Bind DN (a read-only service account)", ko: "바인드 DN(읽기 전용 서비스 계정)", de: "Bind-DN (ein Dienstkonto mit Lesezugriff)", ja: "バインド DN(読み取り専用のサービスアカウント)", es: "DN de enlace (una cuenta de servicio de solo lectura)" }
    directory_bind_password { en: "Bind password", ko: "바인드 비밀번호", de: "Bind-Passwort", ja: "バインドパスワード", es: "Contraseña de enlace" }
    directory_bind_password_hint { en: "Stored for each sync; never shown again.", ko: "동기화마다 쓰기 위해 저장되며 다시 표시되지 않습니다.", de: "Für jeden Abgleich gespeichert; wird nie wieder angezeigt.", ja: "同期のたびに使うため保存され、再表示はされません。", es: "Se guarda para cada sincronización; no se vuelve a mostrar." }
    directory_base_dn { en: "Base DN", ko: "기본 DN", de: "Basis-DN", ja: "ベース DN", es: "DN base" }
    directory_filter { en: "People filter", ko: "사용자 필터", de: "Personenfilter", ja: "ユーザーフィルター", es: "Filtro de personas" }
    directory_filter_hint { en: "Which entries under the base are people. The default finds people and Active Directory users with an email.", ko: "기본 DN 아래에서 사람인 항목. 기본값은 이메일이 있는 사람과 Active Directory 사용자를 찾습니다.", de: "Welche Einträge unter der Basis Personen sind. Die Vorgabe findet Personen und Active-Directory-Benutzer mit E-Mail-Adresse.", ja: "ベース以下のどのエントリが人か。既定ではメールアドレスを持つ人と Active Directory ユーザーを探します。", es: "Qué entradas bajo la base son personas. El valor predeterminado encuentra personas y usuarios de Active Directory con correo." }
    directory_email_attribute { en: "Email attribute", ko: "이메일 속성", de: "E-Mail-Attribut", ja: "メール属性", es: "Atributo de correo" }
    directory_name_attribute { en: "Name attribute", ko: "이름 속성", de: "Namensattribut", ja: "名前属性", es: "Atributo de nombre" }
    directory_people_group { en: "People group (optional)", ko: "사용자 그룹(선택)", de: "Personengruppe (optional)", ja: "ユーザーグループ(任意)", es: "Grupo de personas (opcional)" }
    directory_people_group_hint { en: "The DN of a group: only its members, directly or through nested groups, are the team's people. Leave empty to take everyone the filter finds.", ko: "그룹의 DN. 직접 또는 중첩 그룹을 통한 구성원만 팀의 사람이 됩니다. 비우면 필터가 찾은 모든 사람을 가져옵니다.", de: "Die DN einer Gruppe: Nur ihre Mitglieder, direkt oder über verschachtelte Gruppen, sind Leute des Teams. Leer lassen, um alle zu übernehmen, die der Filter findet.", ja: "グループの DN。直接またはネストしたグループ経由のメンバーだけがチームの人になります。空欄ならフィルターが見つけた全員を取り込みます。", es: "El DN de un grupo: solo sus miembros, directos o mediante grupos anidados, son personas del equipo. Déjelo vacío para tomar a todos los que encuentre el filtro." }
    directory_interval { en: "Sync every (minutes)", ko: "동기화 간격(분)", de: "Abgleich alle (Minuten)", ja: "同期の間隔(分)", es: "Sincronizar cada (minutos)" }
    directory_interval_hint { en: "0 syncs only when you ask. At most 10080 (a week).", ko: "0이면 요청할 때만 동기화합니다. 최대 10080(일주일).", de: "0 gleicht nur auf Anforderung ab. Höchstens 10080 (eine Woche).", ja: "0 の場合は指示したときだけ同期します。最大 10080(1 週間)。", es: "0 sincroniza solo cuando lo pida. Como máximo 10080 (una semana)." }
    directory_save { en: "Save the directory", ko: "디렉터리 저장", de: "Verzeichnis speichern", ja: "ディレクトリを保存", es: "Guardar el directorio" }
    directory_delete { en: "Remove the directory (its people stay members)", ko: "디렉터리 제거(사람들은 구성원으로 남음)", de: "Verzeichnis entfernen (seine Leute bleiben Mitglieder)", ja: "ディレクトリを削除(メンバーはそのまま残ります)", es: "Quitar el directorio (su personal sigue como miembros)" }
    directory_last_sync { en: "Last sync {at}: {joined} joined, {renamed} renamed, {disabled} disabled, {enabled} enabled, {departments} department changes, {skipped} entries left out.", ko: "마지막 동기화 {at}: 합류 {joined}, 이름 변경 {renamed}, 비활성화 {disabled}, 활성화 {enabled}, 부서 변경 {departments}, 제외 {skipped}.", de: "Letzter Abgleich {at}: {joined} beigetreten, {renamed} umbenannt, {disabled} deaktiviert, {enabled} aktiviert, {departments} Abteilungsänderungen, {skipped} Einträge ausgelassen.", ja: "前回の同期 {at}: 参加 {joined}、名前変更 {renamed}、無効化 {disabled}、有効化 {enabled}、部署の変更 {departments}、除外 {skipped}。", es: "Última sincronización {at}: {joined} incorporados, {renamed} renombrados, {disabled} desactivados, {enabled} activados, {departments} cambios de departamento, {skipped} entradas omitidas." }
    directory_joins_new { en: "Joins as a technician (new account)", ko: "기술자로 합류(새 계정)", de: "Tritt als Techniker bei (neues Konto)", ja: "技術者として参加(新しいアカウント)", es: "Se une como técnico (cuenta nueva)" }
    directory_joins_existing { en: "Joins as a technician (existing account)", ko: "기술자로 합류(기존 계정)", de: "Tritt als Techniker bei (bestehendes Konto)", ja: "技術者として参加(既存のアカウント)", es: "Se une como técnico (cuenta existente)" }
    directory_adopted { en: "Already a member; synced from now on", ko: "이미 구성원이며 이제부터 동기화됨", de: "Schon Mitglied; wird ab jetzt abgeglichen", ja: "すでにメンバー。今後は同期されます", es: "Ya es miembro; se sincroniza desde ahora" }
    directory_disabled { en: "Disabled: left the directory or its group", ko: "비활성화: 디렉터리나 그룹을 떠남", de: "Deaktiviert: hat das Verzeichnis oder seine Gruppe verlassen", ja: "無効化: ディレクトリまたはそのグループを離れました", es: "Desactivado: dejó el directorio o su grupo" }
    directory_enabled { en: "Enabled again: back in the directory", ko: "다시 활성화: 디렉터리에 돌아옴", de: "Wieder aktiviert: zurück im Verzeichnis", ja: "再び有効化: ディレクトリに戻りました", es: "Activado de nuevo: vuelve a estar en el directorio" }
    directory_renamed { en: "Renamed from {before} to {after}", ko: "{before}에서 {after}(으)로 이름 변경", de: "Umbenannt von {before} in {after}", ja: "{before} から {after} に名前を変更", es: "Renombrado de {before} a {after}" }
    directory_skip_no_email { en: "No email address", ko: "이메일 주소 없음", de: "Keine E-Mail-Adresse", ja: "メールアドレスがありません", es: "Sin dirección de correo" }
    directory_skip_domain { en: "{email} is not in a domain the team claimed", ko: "{email}은(는) 팀이 등록한 도메인이 아닙니다", de: "{email} liegt in keiner Domain, die das Team beansprucht hat", ja: "{email} はチームが登録したドメインではありません", es: "{email} no es de un dominio que el equipo haya reclamado" }
    directory_skip_duplicate { en: "Another entry has {email} too", ko: "다른 항목도 {email}을(를) 가지고 있습니다", de: "Ein anderer Eintrag hat ebenfalls {email}", ja: "別のエントリにも {email} があります", es: "Otra entrada también tiene {email}" }
    directory_saved { en: "The directory is saved.", ko: "디렉터리가 저장되었습니다.", de: "Das Verzeichnis ist gespeichert.", ja: "ディレクトリを保存しました。", es: "El directorio se ha guardado." }
    directory_synced { en: "The directory is synced.", ko: "디렉터리가 동기화되었습니다.", de: "Das Verzeichnis ist abgeglichen.", ja: "ディレクトリを同期しました。", es: "El directorio se ha sincronizado." }
    directory_mapping_added { en: "The group is mapped; it applies from the next sync.", ko: "그룹이 매핑되었습니다. 다음 동기화부터 적용됩니다.", de: "Die Gruppe ist zugeordnet; das gilt ab dem nächsten Abgleich.", ja: "グループをマッピングしました。次の同期から適用されます。", es: "El grupo se ha asignado; se aplica desde la próxima sincronización." }
    directory_mapping_removed { en: "The mapping is removed; its department keeps its members until you change them.", ko: "매핑이 제거되었습니다. 부서의 구성원은 바꿀 때까지 유지됩니다.", de: "Die Zuordnung ist entfernt; die Abteilung behält ihre Mitglieder, bis Sie sie ändern.", ja: "マッピングを削除しました。部署のメンバーは変更するまでそのままです。", es: "La asignación se ha quitado; el departamento conserva sus miembros hasta que los cambie." }
    directory_deleted { en: "The directory is removed; its people stay members and are no longer synced.", ko: "디렉터리가 제거되었습니다. 사람들은 구성원으로 남고 더 이상 동기화되지 않습니다.", de: "Das Verzeichnis ist entfernt; seine Leute bleiben Mitglieder und werden nicht mehr abgeglichen.", ja: "ディレクトリを削除しました。メンバーはそのまま残り、今後は同期されません。", es: "El directorio se ha quitado; su personal sigue como miembros y ya no se sincroniza." }
    directory_card { en: "4. Directory (LDAP, Active Directory)", ko: "4. 디렉터리(LDAP, Active Directory)", de: "4. Verzeichnis (LDAP, Active Directory)", ja: "4. ディレクトリ(LDAP、Active Directory)", es: "4. Directorio (LDAP, Active Directory)" }
    directory_card_hint { en: "Import your people from your directory and keep them in step with it, with a preview before anything changes.", ko: "디렉터리에서 사람들을 가져오고 계속 맞춰 둡니다. 바꾸기 전에 미리 볼 수 있습니다.", de: "Übernehmen Sie Ihre Leute aus Ihrem Verzeichnis und halten Sie sie aktuell, mit einer Vorschau, bevor sich etwas ändert.", ja: "ディレクトリからメンバーを取り込み、同期を保ちます。変更の前にプレビューできます。", es: "Importe a su personal desde su directorio y manténgalo al día, con una vista previa antes de cambiar nada." }
    directory_open { en: "Set up the directory", ko: "디렉터리 설정", de: "Verzeichnis einrichten", ja: "ディレクトリを設定", es: "Configurar el directorio" }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn placeholders(text: &str) -> BTreeSet<&str> {
        text.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_language_fills_the_same_placeholders_as_english() {
        let english = EN.entries();
        for (lang, text) in [("ko", &KO), ("de", &DE), ("ja", &JA), ("es", &ES)] {
            for ((key, en), (_, translated)) in english.iter().zip(text.entries()) {
                assert_eq!(
                    placeholders(en.as_str()),
                    placeholders(translated.as_str()),
                    "{lang}.{key}: {translated}"
                );
                assert!(
                    !translated.as_str().trim().is_empty(),
                    "{lang}.{key} is empty"
                );
            }
        }
    }

    #[test]
    fn a_message_is_filled_in_by_name() {
        let msg = Msg("{name} joined {partner}; welcome, {name}");
        let filled: String = msg.with("name", "Ana").with("partner", "Acme").into();
        assert_eq!(filled, "Ana joined Acme; welcome, Ana");
    }
}
