//! The check: "may technician T do P at site S / on device D / at partner P", one or many
//! questions at a time, with the reason; and the reachability lists. Every answer comes from
//! the in-memory permission index, read once per call, so a bulk answer is one consistent
//! state. Nothing here waits on storage except the member lookup of `reachable_sites`.

use siteward_core::FieldError;
use siteward_core::access::{Action, SiteRef, authorize};
use siteward_core::ids::{AccountId, DeviceId, PartnerId, SiteId};
use siteward_core::invitation::PermissionLevel;
use siteward_core::page::{Page, PageRequest, encode_cursor};
use siteward_core::permission::Permission;
use siteward_core::permission::index::{
    Index, KeyPage, PageAt, Question, QuestionError, Reason, Target,
};
use siteward_core::tenancy::Site;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::page::Paging;
use crate::services::App;

/// The most questions one bulk check may carry.
pub const MAX_BULK_CHECK: usize = 10_000;

/// A question, as given.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    /// The technician's account (`technician_id`).
    pub technician_id: &'a str,
    /// The permission (`permission`), for example `devices.edit`.
    pub permission: &'a str,
    /// The site (`site_id`); may be left out when a device is given.
    pub site_id: Option<&'a str>,
    /// The device (`device_id`).
    pub device_id: Option<&'a str>,
    /// The partner (`partner_id`), for partner permissions; defaults to the site's.
    pub partner_id: Option<&'a str>,
}

/// Which permission a reachability list is about, with filters, as given.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reach<'a> {
    /// The permission (`permission`); each list has its default.
    pub permission: Option<&'a str>,
    /// Only assignments with this level (`level`).
    pub level: Option<&'a str>,
    /// The page.
    pub paging: Paging<'a>,
}

/// A [`Reach`], checked.
struct Reaching {
    permission: Permission,
    level: Option<PermissionLevel>,
    page: PageRequest,
}

impl Reach<'_> {
    fn parse(self, default: &str) -> AppResult<Reaching> {
        Ok(Reaching {
            permission: Permission::parse("permission", self.permission.unwrap_or(default))?,
            level: self
                .level
                .map(|l| PermissionLevel::parse("level", l))
                .transpose()?,
            page: self.paging.parse()?,
        })
    }
}

impl Reaching {
    /// Where the page starts. Cursors this API made hold an id; anything else is refused.
    fn at(&self) -> AppResult<PageAt> {
        let after = self
            .page
            .after
            .as_deref()
            .map(|a| AccountId::parse("cursor", a).map(|id| id.key()))
            .transpose()?;
        Ok(PageAt {
            after,
            limit: self.page.limit as usize,
        })
    }
}

/// A page of index keys as items, the cursor being the last one's id.
fn page_of<T>(page: KeyPage, item: impl Fn(u128) -> (String, T)) -> Page<T> {
    let mut last = None;
    let items = page
        .keys
        .iter()
        .map(|k| {
            let (id, item) = item(*k);
            last = Some(id);
            item
        })
        .collect();
    Page {
        items,
        next_cursor: last.filter(|_| page.more).map(|id| encode_cursor(&id)),
    }
}

/// The field name `name` of the question at `field` (`questions[3].site_id`).
fn named<'a>(field: &str, name: &'a str) -> std::borrow::Cow<'a, str> {
    if field.is_empty() {
        name.into()
    } else {
        format!("{field}.{name}").into()
    }
}

/// Parses a question and checks that the caller may ask it, against the index: where it is
/// asked first, then what.
fn question(index: &Index, caller: &Caller, ask: &Ask<'_>, field: &str) -> AppResult<Question> {
    // A single question's fields are named without allocating; a bulk one's are numbered.
    let at = |name: &'static str| named(field, name);
    let device = ask
        .device_id
        .map(|d| DeviceId::parse(&at("device_id"), d))
        .transpose()?;
    let mut site = ask
        .site_id
        .map(|s| SiteId::parse(&at("site_id"), s))
        .transpose()?;
    if site.is_none()
        && let Some(device) = &device
    {
        let site_key = index
            .device_site(device.key())
            .ok_or_else(AppError::not_found)?;
        site = Some(SiteId::from_key(site_key));
    }
    let target = match (&site, ask.partner_id) {
        (Some(site), _) => {
            let partner = askable_site(index, caller, site)?;
            if ask
                .partner_id
                .is_some_and(|asked| asked != partner.as_str())
            {
                return Err(FieldError::new(at("partner_id"), "is not the site's partner").into());
            }
            Target::Site {
                site: site.key(),
                device: device.as_ref().map(DeviceId::key),
            }
        }
        (None, Some(partner)) => {
            let partner = PartnerId::parse(&at("partner_id"), partner)?;
            authorize(&caller.principal, Action::ManageMembers(&partner))?;
            Target::Partner(partner.key())
        }
        (None, None) => {
            return Err(
                FieldError::new(at("site_id"), "give a site, a device or a partner").into(),
            );
        }
    };
    // Asked only now that the caller may ask at all.
    let technician = AccountId::parse(&at("technician_id"), ask.technician_id)?;
    let permission = Permission::parse(&at("permission"), ask.permission)?;
    Ok(Question {
        technician: technician.key(),
        permission,
        target,
    })
}

fn answer(index: &Index, question: &Question, now: i64, field: &str) -> AppResult<Reason> {
    match index.check_and_record_use(question, now) {
        Ok(reason) => Ok(reason),
        Err(QuestionError::UnknownSite | QuestionError::UnknownDevice) => {
            Err(AppError::not_found())
        }
        Err(error @ QuestionError::NeedsSite) => {
            Err(FieldError::new(named(field, "site_id"), error.to_string()).into())
        }
    }
}

/// The partner of the site `site` in the index, if the caller may ask about the site.
fn askable_site(index: &Index, caller: &Caller, site: &SiteId) -> AppResult<PartnerId> {
    let partner = index
        .site_partner(site.key())
        .map(PartnerId::from_key)
        .ok_or_else(AppError::not_found)?;
    authorize(
        &caller.principal,
        Action::AskPermissions(SiteRef {
            site,
            partner: &partner,
        }),
    )?;
    Ok(partner)
}

impl App {
    /// Answers one question (the site's admins and tokens, the managing partner's admins and
    /// tokens), with the reason.
    pub fn check(&self, caller: &Caller, ask: &Ask<'_>) -> AppResult<Reason> {
        let now = self.now().timestamp_millis();
        let index = self.permissions.read();
        let question = question(&index, caller, ask, "")?;
        let reason = answer(&index, &question, now, "")?;
        self.count_check(reason);
        Ok(reason)
    }

    /// Answers up to 10,000 questions from one state of the index: no change lands between
    /// the first answer and the last. One question the caller may not ask fails them all,
    /// naming it (`questions[i]`).
    pub fn check_all(&self, caller: &Caller, asks: &[Ask<'_>]) -> AppResult<Vec<Reason>> {
        if asks.is_empty() || asks.len() > MAX_BULK_CHECK {
            return Err(FieldError::new(
                "questions",
                format!("must hold 1 to {MAX_BULK_CHECK} questions"),
            )
            .into());
        }
        let now = self.now().timestamp_millis();
        let index = self.permissions.read();
        asks.iter()
            .enumerate()
            .map(|(i, ask)| {
                let field = format!("questions[{i}]");
                let question = question(&index, caller, ask, &field)
                    .and_then(|question| answer(&index, &question, now, &field))
                    .inspect(|reason| self.count_check(*reason));
                // A refusal that names no field (not found, not allowed) names the question.
                question.map_err(|error| match error.field {
                    Some(_) => error,
                    None => AppError {
                        message: format!("{field}: {}", error.message).into(),
                        field: Some(field),
                        ..error
                    },
                })
            })
            .collect()
    }

    /// Who can reach a site now, or one of its devices: its technicians for whom the check
    /// allows the permission (default `dashboard.view`, or `device.screen_view` for a device),
    /// with their level.
    pub fn reaching_technicians(
        &self,
        caller: &Caller,
        site: &SiteId,
        device: Option<&DeviceId>,
        reach: Reach<'_>,
    ) -> AppResult<Page<(AccountId, Option<PermissionLevel>)>> {
        let now = self.now().timestamp_millis();
        let index = self.permissions.read();
        askable_site(&index, caller, site)?;
        let device = match device {
            Some(device) => {
                if index.device_site(device.key()) != Some(site.key()) {
                    return Err(AppError::not_found());
                }
                Some(device.key())
            }
            None => None,
        };
        let reach = reach.parse(if device.is_some() {
            "device.screen_view"
        } else {
            "dashboard.view"
        })?;
        let found = index.reaching_technicians(
            site.key(),
            device,
            reach.permission,
            now,
            reach.at()?,
            |_, a| reach.level.is_none_or(|l| a.level == l),
        );
        Ok(page_of(found, |k| {
            let account = AccountId::from_key(k);
            let level = index.assignment(site.key(), k).map(|a| a.level);
            (account.to_string(), (account, level))
        }))
    }

    /// The partner's sites a member can reach now with the permission, as
    /// [`reachable_sites`](Self::reachable_sites) lists them, with each site read (for its name).
    pub async fn member_sites(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        account: &AccountId,
        reach: Reach<'_>,
    ) -> AppResult<Page<(Site, Option<PermissionLevel>)>> {
        let reached = self
            .reachable_sites(caller, partner, account, reach)
            .await?;
        let ids: Vec<SiteId> = reached.items.iter().map(|(id, _)| id.clone()).collect();
        let sites = self.store.sites_by_id(&ids).await?;
        let items = reached
            .items
            .into_iter()
            .filter_map(|(id, level)| {
                let site = sites.iter().find(|s| s.id == id)?.clone();
                Some((site, level))
            })
            .collect();
        Ok(Page {
            items,
            next_cursor: reached.next_cursor,
        })
    }

    /// The partner's sites a member can reach now with the permission (default
    /// `dashboard.view`), with their level there (the partner's admins).
    pub async fn reachable_sites(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        account: &AccountId,
        reach: Reach<'_>,
    ) -> AppResult<Page<(SiteId, Option<PermissionLevel>)>> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        self.store.member(partner, account).await?;
        let reach = reach.parse("dashboard.view")?;
        let now = self.now().timestamp_millis();
        let index = self.permissions.read();
        let partner_key = partner.key();
        let found = index.reachable_sites(
            account.key(),
            reach.permission,
            now,
            reach.at()?,
            |site, a| {
                index.site_partner(site) == Some(partner_key)
                    && reach.level.is_none_or(|l| a.level == l)
            },
        );
        Ok(page_of(found, |k| {
            let site = SiteId::from_key(k);
            let level = index.assignment(k, account.key()).map(|a| a.level);
            (site.to_string(), (site, level))
        }))
    }

    /// The devices of a site a technician can reach now with the permission (default
    /// `device.screen_view`).
    pub fn reachable_devices(
        &self,
        caller: &Caller,
        site: &SiteId,
        account: &AccountId,
        reach: Reach<'_>,
    ) -> AppResult<Page<DeviceId>> {
        let now = self.now().timestamp_millis();
        let index = self.permissions.read();
        askable_site(&index, caller, site)?;
        let reach = reach.parse("device.screen_view")?;
        let found = index.reachable_devices(
            account.key(),
            site.key(),
            reach.permission,
            now,
            reach.at()?,
        );
        Ok(page_of(found, |k| {
            let device = DeviceId::from_key(k);
            (device.to_string(), device)
        }))
    }
}
