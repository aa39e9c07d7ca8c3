//! A technician's assignment to a site: the permission level and the lock a site admin holds.

use crate::Timestamp;
use crate::ids::{AccountId, InvitationId, PartnerId, SiteId};
use crate::invitation::PermissionLevel;

/// A technician's access to one site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteAssignment {
    /// The site.
    pub site_id: SiteId,
    /// The technician's account.
    pub account_id: AccountId,
    /// The partner the technician works for at this site.
    pub partner_id: PartnerId,
    /// The permission level.
    pub level: PermissionLevel,
    /// Locked assignments grant nothing. New ones start locked; a site admin unlocks them.
    pub locked: bool,
    /// When it was first unlocked — by the site's side, which alone unlocks new access;
    /// `None` while it waits for that. From then on the partner may lock and unlock it too.
    pub first_unlocked_at: Option<Timestamp>,
    /// When the access begins; `None` for at once. Before it the check answers
    /// `not_yet_valid`.
    pub starts_at: Option<Timestamp>,
    /// When the access ends (exclusive); `None` for no end. Time-bound access.
    pub expires_at: Option<Timestamp>,
    /// The invitation it came from.
    pub invitation_id: Option<InvitationId>,
    /// Who last set the level or the lock.
    pub set_by: AccountId,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// When the technician last acted at the site: their newest event in the site's audit log.
    pub last_activity_at: Option<Timestamp>,
}

impl SiteAssignment {
    /// The assignment as the permission index sees it.
    pub fn change(&self) -> crate::permission::index::Change {
        use crate::permission::index::{Assignment, Change, Window};
        Change::Assignment {
            site: self.site_id.key(),
            account: self.account_id.key(),
            assignment: Some(Assignment {
                level: self.level,
                locked: self.locked,
                window: Window::between(self.starts_at, self.expires_at),
            }),
        }
    }
}
