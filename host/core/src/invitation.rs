//! Invitations: how partners bring people in and send them to sites.
//!
//! An invitation is Pending until accepted, and Expired once its time has passed — computed
//! against the caller's `now`, so an invitation past its expiry is refused at once even before
//! the sweeper marks it. Revoke is allowed from Pending; resend from Pending, Expired and
//! Revoked, issuing a fresh token and expiry (the old link stops working). Accepting a site
//! invitation creates the technician's site assignment, Locked until a site admin unlocks it.
//!
//! An invitation an invitation policy wants approved, sent by someone whose role does not
//! approve it, is Awaiting Approval: written, holding its place (no second invitation to the
//! same address), but no email is sent and no link works until an approver approves it — then
//! it is sent, Pending, its time counted from then — or denies it (Denied, with the reason).

use chrono::Duration;

use crate::ids::{AccountId, DepartmentId, InvitationId, PartnerId, SiteId};
use crate::tenancy::{PartnerRole, Privileges, string_enum};
use crate::validate::Email;
use crate::{DomainError, FieldError, Timestamp};

string_enum! {
    /// Where an invitation stands.
    InvitationStatus {
        /// Sent, waiting for the invitee.
        Pending = "pending",
        /// The invitee accepted.
        Accepted = "accepted",
        /// The link's time passed before it was accepted.
        Expired = "expired",
        /// The inviter withdrew it.
        Revoked = "revoked",
        /// An invitation policy wants it approved: nothing is sent until an approver does.
        AwaitingApproval = "awaiting_approval",
        /// An approver refused to send it.
        Denied = "denied",
    }
}

impl InvitationStatus {
    /// Whether it holds its place: Pending, or Awaiting Approval. A second invitation to the
    /// same address and target is refused (or answered with this one) while it does.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::AwaitingApproval)
    }
}

string_enum! {
    /// A technician's permission level at a site (reference 001/002).
    PermissionLevel {
        /// Added to the site, but cannot log in to it.
        None = "none",
        /// Dashboard and device management only.
        DevicesOnly = "devices_only",
        /// Every menu but user management; settings view-only.
        FullExcludingUsers = "full_excluding_users",
        /// Every menu; settings view-only.
        FullIncludingUsers = "full_including_users",
    }
}

/// The default time an invitation stays open.
pub const DEFAULT_TTL: Duration = Duration::days(7);
/// The shortest expiry a partner may configure.
pub const MIN_TTL: Duration = Duration::hours(1);
/// The longest expiry a partner may configure.
pub const MAX_TTL: Duration = Duration::days(30);
/// The most addresses one bulk invitation may carry.
pub const MAX_BULK: usize = 1000;

/// Validates a partner's invitation expiry setting, given in hours.
pub fn ttl_from_hours(field: &str, hours: u32) -> Result<Duration, FieldError> {
    let ttl = Duration::hours(i64::from(hours));
    if ttl < MIN_TTL || ttl > MAX_TTL {
        return Err(FieldError::new(
            field,
            "must be between 1 hour and 30 days (1 to 720)",
        ));
    }
    Ok(ttl)
}

/// What an invitation is to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationTarget {
    /// Membership of the partner with this role (Admin or Technician).
    Partner {
        /// The role offered.
        role: PartnerRole,
    },
    /// Technician access to a site at this level.
    Site {
        /// The site.
        site_id: SiteId,
        /// The level offered.
        level: PermissionLevel,
    },
    /// Becoming an admin of a site: how an account the site's tenant does not know yet is
    /// made its admin, with the owner's consent.
    SiteAdmin {
        /// The site.
        site_id: SiteId,
    },
}

impl InvitationTarget {
    /// The site, for a site invitation.
    pub fn site(&self) -> Option<&SiteId> {
        match self {
            Self::Site { site_id, .. } | Self::SiteAdmin { site_id } => Some(site_id),
            Self::Partner { .. } => None,
        }
    }
}

/// An invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// Its id.
    pub id: InvitationId,
    /// The partner that invites.
    pub partner_id: PartnerId,
    /// What it is to.
    pub target: InvitationTarget,
    /// Who is invited.
    pub email: Email,
    /// Who invited.
    pub invited_by: AccountId,
    /// The stored status; see [`Invitation::status_at`] for the effective one.
    pub status: InvitationStatus,
    /// SHA-256 of the current token.
    pub token_hash: String,
    /// When the current link stops working.
    pub expires_at: Timestamp,
    /// When it was first sent.
    pub created_at: Timestamp,
    /// When it was last sent (first send or resend).
    pub sent_at: Timestamp,
    /// How many times it was resent.
    pub resend_count: u32,
    /// The language its email is written in (BCP 47).
    pub locale: String,
    /// For an invitation to join a partner: the privileges the member holds from acceptance
    /// (reference 004, "change the privileges while sending an invite"); `None` gives what a
    /// new member holds by default.
    pub privileges: Option<Privileges>,
    /// For an invitation to join a partner: the departments the member is in from acceptance
    /// (reference 004, "Departments & Groups"); any deleted meanwhile are left out then.
    pub departments: Vec<DepartmentId>,
    /// Who accepted, and when.
    pub accepted: Option<(AccountId, Timestamp)>,
    /// Why an invitation policy wants it approved (while it awaits, and after).
    pub approval_reason: Option<String>,
    /// Why an approver refused it.
    pub denial_reason: Option<String>,
}

impl Invitation {
    /// The status at `now`: a Pending invitation whose time has passed is Expired.
    pub fn status_at(&self, now: Timestamp) -> InvitationStatus {
        if self.status == InvitationStatus::Pending && now >= self.expires_at {
            InvitationStatus::Expired
        } else {
            self.status
        }
    }

    /// The key under which at most one open invitation may exist: per site and email for a
    /// site invitation, per partner and email for a partner invitation.
    pub fn open_key(&self) -> String {
        open_key(&self.partner_id, self.target.site(), &self.email)
    }

    /// Withdraws a Pending invitation, or one Awaiting Approval.
    pub fn revoke(&mut self, now: Timestamp) -> Result<(), DomainError> {
        match self.status_at(now) {
            InvitationStatus::Pending | InvitationStatus::AwaitingApproval => {
                self.status = InvitationStatus::Revoked;
                Ok(())
            }
            other => Err(refused(
                "invitation_not_pending",
                format!("only a pending invitation can be revoked; this one is {other}"),
            )),
        }
    }

    /// Sends it again with a fresh token: back to Pending, with a new expiry.
    pub fn resend(
        &mut self,
        now: Timestamp,
        ttl: Duration,
        token_hash: String,
    ) -> Result<(), DomainError> {
        match self.status_at(now) {
            InvitationStatus::Accepted => Err(refused(
                "invitation_accepted",
                "an accepted invitation cannot be resent",
            )),
            InvitationStatus::AwaitingApproval | InvitationStatus::Denied => Err(refused(
                "invitation_awaiting_approval",
                "this invitation waits for (or was refused) an approver's decision: it is sent \
                 when approved",
            )),
            _ => {
                self.status = InvitationStatus::Pending;
                self.token_hash = token_hash;
                self.expires_at = now + ttl;
                self.sent_at = now;
                self.resend_count += 1;
                Ok(())
            }
        }
    }

    /// Whether the link still offers something: a used, expired or withdrawn invitation says
    /// which, before anything else is asked of the person holding it.
    pub fn check_open(&self, now: Timestamp) -> Result<(), DomainError> {
        let (code, message) = match self.status_at(now) {
            InvitationStatus::Pending => return Ok(()),
            InvitationStatus::Accepted => (
                "invitation_used",
                "this invitation has already been accepted",
            ),
            InvitationStatus::Expired => (
                "invitation_expired",
                "this invitation has expired; ask for it to be resent",
            ),
            InvitationStatus::Revoked => ("invitation_revoked", "this invitation was withdrawn"),
            InvitationStatus::AwaitingApproval => (
                "invitation_not_pending",
                "this invitation waits for an approver and was not sent yet",
            ),
            InvitationStatus::Denied => (
                "invitation_not_pending",
                "this invitation was refused by an approver",
            ),
        };
        Err(refused(code, message))
    }

    /// An approver's decision on an invitation Awaiting Approval at `now`: approved, it is
    /// sent — Pending, with `token_hash` and its time counted from now; denied, it is Denied.
    pub fn decide(
        &mut self,
        approve: bool,
        reason: Option<String>,
        now: Timestamp,
        ttl: Duration,
    ) -> Result<(), DomainError> {
        if self.status != InvitationStatus::AwaitingApproval {
            return Err(refused(
                "invitation_not_awaiting_approval",
                format!(
                    "only an invitation awaiting approval can be approved or denied; this one is {}",
                    self.status_at(now)
                ),
            ));
        }
        if approve {
            self.status = InvitationStatus::Pending;
            self.expires_at = now + ttl;
            self.sent_at = now;
        } else {
            self.status = InvitationStatus::Denied;
            self.denial_reason = reason;
        }
        Ok(())
    }

    /// Accepts it as `account` (whose email is `email`) at `now`.
    pub fn accept(
        &mut self,
        account: &AccountId,
        email: &Email,
        now: Timestamp,
    ) -> Result<(), DomainError> {
        self.check_open(now)?;
        if email != &self.email {
            return Err(DomainError::Forbidden {
                code: "invitation_email_mismatch",
                message: "this invitation was sent to another email address; log in with that \
                          address to accept it"
                    .to_owned(),
            });
        }
        self.status = InvitationStatus::Accepted;
        self.accepted = Some((account.clone(), now));
        Ok(())
    }
}

/// The open-invitation key for a target and email.
pub fn open_key(partner: &PartnerId, site: Option<&SiteId>, email: &Email) -> String {
    match site {
        Some(site) => format!("site/{site}/{email}"),
        None => format!("partner/{partner}/{email}"),
    }
}

fn refused(code: &'static str, message: impl Into<String>) -> DomainError {
    DomainError::Conflict {
        code,
        message: message.into(),
    }
}

/// The outcome of one address in a bulk invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkOutcome {
    /// A new invitation is sent.
    Invited,
    /// An open invitation already exists; it is returned, and no second email is sent.
    AlreadyInvited,
    /// The address already belongs to a member.
    AlreadyMember,
    /// The address is not a valid email.
    InvalidAddress,
    /// The address appeared earlier in the same request.
    DuplicateInRequest,
    /// An invitation policy refused it; the reason says why.
    Denied,
    /// An invitation policy wants it approved: it waits, unsent, for an approver; the reason
    /// says why.
    AwaitingApproval,
}

impl BulkOutcome {
    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::AlreadyInvited => "already_invited",
            Self::AlreadyMember => "already_member",
            Self::InvalidAddress => "invalid_address",
            Self::DuplicateInRequest => "duplicate_in_request",
            Self::Denied => "denied",
            Self::AwaitingApproval => "awaiting_approval",
        }
    }
}

/// Sorts the addresses of a bulk request before any lookup: valid and new, invalid, or
/// repeated (after normalisation, so `Ana@X.com` repeats `ana@x.com`).
pub fn triage(addresses: &[String]) -> Vec<Result<Email, BulkOutcome>> {
    let mut seen = std::collections::HashSet::new();
    addresses
        .iter()
        .map(|address| {
            let email = Email::parse("email", address).map_err(|_| BulkOutcome::InvalidAddress)?;
            if seen.insert(email.clone()) {
                Ok(email)
            } else {
                Err(BulkOutcome::DuplicateInRequest)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn invitation(now: Timestamp) -> Invitation {
        Invitation {
            id: InvitationId::generate(now, [1; 10]),
            partner_id: PartnerId::generate(now, [2; 10]),
            target: InvitationTarget::Partner {
                role: PartnerRole::Technician,
            },
            email: Email::parse("email", "tech@example.com").unwrap(),
            invited_by: AccountId::generate(now, [3; 10]),
            status: InvitationStatus::Pending,
            token_hash: "first".to_owned(),
            expires_at: now + DEFAULT_TTL,
            created_at: now,
            sent_at: now,
            resend_count: 0,
            locale: "en".to_owned(),
            privileges: None,
            departments: Vec::new(),
            accepted: None,
            approval_reason: None,
            denial_reason: None,
        }
    }

    fn code(result: Result<(), DomainError>) -> &'static str {
        match result {
            Err(DomainError::Conflict { code, .. } | DomainError::Forbidden { code, .. }) => code,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn an_invitation_awaiting_approval_is_sent_when_approved_and_never_when_denied() {
        let created = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut inv = invitation(created);
        inv.status = InvitationStatus::AwaitingApproval;
        // It waits past any expiry: its time counts from its approval.
        let later = created + DEFAULT_TTL * 2;
        assert_eq!(inv.status_at(later), InvitationStatus::AwaitingApproval);
        assert!(inv.status_at(later).is_open());
        assert_eq!(code(inv.check_open(later)), "invitation_not_pending");
        assert_eq!(
            code(inv.resend(later, DEFAULT_TTL, "x".into())),
            "invitation_awaiting_approval"
        );
        let mut denied = inv.clone();
        denied
            .decide(false, Some("no".into()), later, DEFAULT_TTL)
            .unwrap();
        assert_eq!(denied.status, InvitationStatus::Denied);
        assert!(!denied.status.is_open());
        assert_eq!(denied.denial_reason.as_deref(), Some("no"));
        assert_eq!(
            code(denied.decide(true, None, later, DEFAULT_TTL)),
            "invitation_not_awaiting_approval"
        );
        inv.decide(true, None, later, DEFAULT_TTL).unwrap();
        assert_eq!(inv.status_at(later), InvitationStatus::Pending);
        assert_eq!((inv.sent_at, inv.expires_at), (later, later + DEFAULT_TTL));
    }

    #[test]
    fn expiry_is_exact_to_the_second() {
        let now = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let inv = invitation(now);
        assert_eq!(
            inv.status_at(now + DEFAULT_TTL - Duration::seconds(1)),
            InvitationStatus::Pending
        );
        assert_eq!(inv.status_at(now + DEFAULT_TTL), InvitationStatus::Expired);
    }

    #[test]
    fn lifecycle_rules() {
        let now = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let account = AccountId::generate(now, [9; 10]);
        let email = Email::parse("email", "tech@example.com").unwrap();
        let other = Email::parse("email", "someone@example.com").unwrap();

        let mut inv = invitation(now);
        assert_eq!(
            code(inv.accept(&account, &other, now)),
            "invitation_email_mismatch"
        );
        let later = now + DEFAULT_TTL;
        assert_eq!(
            code(inv.accept(&account, &email, later)),
            "invitation_expired"
        );
        assert_eq!(code(inv.revoke(later)), "invitation_not_pending");
        inv.resend(later, DEFAULT_TTL, "second".to_owned()).unwrap();
        assert_eq!(inv.token_hash, "second");
        inv.revoke(later).unwrap();
        assert_eq!(
            code(inv.accept(&account, &email, later)),
            "invitation_revoked"
        );
        inv.resend(later, DEFAULT_TTL, "third".to_owned()).unwrap();
        inv.accept(&account, &email, later).unwrap();
        assert_eq!(inv.status, InvitationStatus::Accepted);
        assert_eq!(code(inv.accept(&account, &email, later)), "invitation_used");
        assert_eq!(
            code(inv.resend(later, DEFAULT_TTL, "fourth".to_owned())),
            "invitation_accepted"
        );
    }

    #[test]
    fn bulk_triage_flags_invalid_and_repeated_addresses() {
        let addresses =
            ["a@example.com", "nope", "A@Example.com", "b@example.com"].map(str::to_owned);
        let outcomes: Vec<_> = triage(&addresses).into_iter().map(|r| r.err()).collect();
        assert_eq!(
            outcomes,
            [
                None,
                Some(BulkOutcome::InvalidAddress),
                Some(BulkOutcome::DuplicateInRequest),
                None
            ]
        );
    }

    #[test]
    fn ttl_bounds() {
        assert!(ttl_from_hours("ttl", 0).is_err());
        assert_eq!(ttl_from_hours("ttl", 1).unwrap(), Duration::hours(1));
        assert_eq!(ttl_from_hours("ttl", 720).unwrap(), Duration::days(30));
        assert!(ttl_from_hours("ttl", 721).is_err());
    }
}
