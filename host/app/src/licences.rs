//! Partner licences (reference 004): seats per privilege, set by the operator. Lowering a
//! licence below its holders disables the newest of them — never a Super Admin — with an
//! audit event each, in the same transaction as the new seats.

use siteward_core::FieldError;
use siteward_core::access::{Action, authorize};
use siteward_core::audit::{AuditAction, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::{AccountId, PartnerId};
use siteward_core::tenancy::{DisabledReason, Licence, MemberStatus, PartnerMembership, Privilege};
pub use siteward_storage::LicenceUse;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::services::App;
use crate::sites::viewable_partner;

/// The most seats one licence may have.
pub const MAX_SEATS: u32 = 1_000_000;

/// New seats per privilege: `None` leaves a privilege as it is, `Some(None)` makes it
/// unlimited.
#[derive(Debug, Clone, Copy, Default)]
pub struct SeatChange {
    /// Remote support seats.
    pub remote_support: Option<Option<u32>>,
    /// Unattended access seats.
    pub unattended_access: Option<Option<u32>>,
}

/// A partner's licences after a change, and whom the change disabled.
#[derive(Debug)]
pub struct Licences {
    /// Every privilege with its seats and the active members holding it.
    pub uses: Vec<LicenceUse>,
    /// The members the change disabled, newest first per privilege.
    pub disabled: Vec<AccountId>,
}

fn seats_text(seats: Option<u32>) -> String {
    seats.map_or_else(|| "unlimited".to_owned(), |s| s.to_string())
}

/// Whether the caller sets the partner's seats (the operator): what the licences page asks
/// before offering its form.
pub fn may_set_licences(caller: &Caller, partner: &PartnerId) -> bool {
    authorize(&caller.principal, Action::OperatePartner(partner)).is_ok()
}

impl App {
    /// A partner's licences and the seats in use (any member).
    pub async fn licences(
        &self,
        caller: &Caller,
        partner: &PartnerId,
    ) -> AppResult<Vec<LicenceUse>> {
        let partner = viewable_partner(caller, partner)?;
        self.store.partner(&partner).await?;
        Ok(self.store.licences(&partner).await?)
    }

    /// Sets a partner's seats (the operator). Lowering a licence below its holders disables
    /// the newest of them, never a Super Admin, in the same transaction.
    pub async fn set_licences(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        change: SeatChange,
    ) -> AppResult<Licences> {
        self.store.partner(partner).await?;
        authorize(&caller.principal, Action::OperatePartner(partner))?;
        let asked: Vec<(Privilege, Option<u32>)> = [
            (Privilege::RemoteSupport, change.remote_support),
            (Privilege::UnattendedAccess, change.unattended_access),
        ]
        .into_iter()
        .filter_map(|(privilege, seats)| seats.map(|seats| (privilege, seats)))
        .collect();
        if let Some((privilege, _)) = asked
            .iter()
            .find(|(_, seats)| seats.is_some_and(|s| s > MAX_SEATS))
        {
            return Err(FieldError::new(
                privilege.as_str(),
                format!("must be at most {MAX_SEATS}"),
            )
            .into());
        }
        let before = self.store.licences(partner).await?;
        let mut disabled: Vec<PartnerMembership> = Vec::new();
        for &(privilege, seats) in &asked {
            let Some(seats) = seats else { continue };
            let holders = self.store.licence_holders(partner, privilege).await?;
            let overflow = Licence { privilege, seats }
                .overflow(&holders)
                .map_err(|e| AppError::conflict("licence_below_super_admins", e.to_string()))?;
            for member in overflow {
                if !disabled.iter().any(|d| d.account_id == member.account_id) {
                    disabled.push(PartnerMembership {
                        status: MemberStatus::Disabled,
                        disabled_reason: Some(DisabledReason::Licence),
                        ..member.clone()
                    });
                }
            }
        }
        let tenant = (Some(partner), None);
        let mut events = vec![
            caller.audit.event(
                self,
                AuditAction::LicencesChanged,
                tenant,
                AuditTarget {
                    kind: TargetKind::Partner,
                    id: partner.to_string(),
                },
                asked
                    .iter()
                    .map(|&(privilege, seats)| {
                        let was = before.iter().find(|u| u.privilege == privilege);
                        FieldChange {
                            field: privilege.as_str().to_owned(),
                            before: Some(seats_text(was.and_then(|u| u.seats))),
                            after: Some(seats_text(seats)),
                        }
                    })
                    .collect(),
            ),
        ];
        events.extend(disabled.iter().map(|member| {
            caller.audit.event(
                self,
                AuditAction::MemberLicenceDisabled,
                tenant,
                AuditTarget {
                    kind: TargetKind::Membership,
                    id: member.account_id.to_string(),
                },
                vec![
                    FieldChange::changed("status", MemberStatus::Active, MemberStatus::Disabled),
                    FieldChange::set("disabled_reason", DisabledReason::Licence),
                ],
            )
        }));
        self.permissions
            .commit(disabled.iter().map(PartnerMembership::change), {
                let (partner, disabled, now) = (partner.clone(), disabled.clone(), self.now());
                move |store| async move {
                    store
                        .set_licences(&partner, &asked, &disabled, &events, now)
                        .await
                }
            })
            .await?;
        Ok(Licences {
            uses: self.store.licences(partner).await?,
            disabled: disabled.into_iter().map(|m| m.account_id).collect(),
        })
    }
}
