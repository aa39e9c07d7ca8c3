//! API tokens: created by a partner's admins or a site's admins, scoped to that tenant, shown
//! once, stored hashed, revocable; each works only while its creator could still create it.

use siteward_core::access::{Action, SiteRef, TokenScope, authorize};
use siteward_core::audit::{AuditAction, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::{ApiTokenId, PartnerId, SiteId};
use siteward_core::page::Page;
use siteward_core::secret::{self, TokenKind};
use siteward_core::validate;
use siteward_storage::ApiTokenScopeFilter;

/// An API token as stored (its secret only as a hash).
pub use siteward_storage::ApiToken;

use crate::auth::{ApiTokenCache, Caller, creator_may_hold};
use crate::error::{AppError, AppResult};
use crate::page::Paging;
use crate::services::{App, random};
use crate::sites::SiteAccess;

/// A token just created: its secret is shown this once.
#[derive(Debug)]
pub struct NewToken {
    /// The token as stored.
    pub token: ApiToken,
    /// The secret to send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// A token with whether it is suspended (its creator could no longer create it).
#[derive(Debug)]
pub struct ListedToken {
    /// The token as stored.
    pub token: ApiToken,
    /// Whether requests with it are refused until its creator's standing returns.
    pub suspended: bool,
}

/// The tenant a token's events belong to.
struct Tenant(Option<PartnerId>, Option<SiteId>);

impl Tenant {
    fn as_refs(&self) -> (Option<&PartnerId>, Option<&SiteId>) {
        (self.0.as_ref(), self.1.as_ref())
    }
}

fn target(id: &ApiTokenId) -> AuditTarget {
    AuditTarget {
        kind: TargetKind::ApiToken,
        id: id.to_string(),
    }
}

/// Where tokens are listed or made: a partner (acting as one of its Admins) or a site (as one
/// of its admins). Ids as given; a malformed one is as unknown as a missing one.
#[derive(Debug, Clone, Copy)]
pub enum TokenHome<'a> {
    /// A partner's id.
    Partner(&'a PartnerId),
    /// A site's id.
    Site(&'a SiteId),
}

impl App {
    /// Creates an API token at `home`, named `name` (a session caller only: a token is made by
    /// a person, whose standing it keeps).
    pub async fn create_api_token(
        &self,
        caller: &Caller,
        home: TokenHome<'_>,
        name: &str,
    ) -> AppResult<NewToken> {
        let scope = self.token_scope(caller, home).await?;
        let account = caller.account()?;
        self.require_fresh_sign_in(caller).await?;
        let secret = secret::token_text(TokenKind::Api, random());
        let token = ApiToken {
            id: self.new_id(ApiTokenId::from_trusted),
            name: validate::name("name", name)?,
            scope,
            token_hash: secret::token_hash(&secret),
            created_by: account.id.clone(),
            created_at: self.now(),
            revoked_at: None,
        };
        let event = caller.audit.event(
            self,
            AuditAction::ApiTokenCreated,
            self.token_tenant(&token.scope).await?.as_refs(),
            target(&token.id),
            vec![FieldChange::set("name", &token.name)],
        );
        self.store.create_api_token(&token, &event).await?;
        Ok(NewToken { token, secret })
    }

    /// The tokens at `home`, a page at a time, without their secrets.
    pub async fn list_api_tokens(
        &self,
        caller: &Caller,
        home: TokenHome<'_>,
        paging: Paging<'_>,
    ) -> AppResult<Page<ListedToken>> {
        let scope = self.token_scope(caller, home).await?;
        let filter = match &scope {
            TokenScope::Partner(partner) => ApiTokenScopeFilter::Partner(partner),
            TokenScope::Site(site) => ApiTokenScopeFilter::Site(site),
        };
        let tokens = self.store.api_tokens(filter, &paging.parse()?).await?;
        let mut items = Vec::with_capacity(tokens.items.len());
        for token in tokens.items {
            // Most creators are not operators: read the account only when that answer is no.
            let works = creator_may_hold(self, &token, false)
                || (self.store.account(&token.created_by).await?.is_operator
                    && creator_may_hold(self, &token, true));
            items.push(ListedToken {
                token,
                suspended: !works,
            });
        }
        Ok(Page {
            items,
            next_cursor: tokens.next_cursor,
        })
    }

    /// Revokes an API token; it stops working at once on this host (`cache` forgets every
    /// token) and within the cache's lifetime on the others.
    pub async fn revoke_api_token(
        &self,
        caller: &Caller,
        id: &ApiTokenId,
        cache: &ApiTokenCache,
    ) -> AppResult<()> {
        let token = self.store.api_token(id).await?;
        let tenant = self.token_tenant(&token.scope).await?;
        match (&token.scope, &tenant.0) {
            (TokenScope::Partner(p), _) => {
                authorize(&caller.principal, Action::ManagePartnerTokens(p))?;
            }
            (TokenScope::Site(s), Some(p)) => authorize(
                &caller.principal,
                Action::ManageSiteTokens(SiteRef {
                    site: s,
                    partner: p,
                }),
            )?,
            (TokenScope::Site(_), None) => return Err(AppError::not_found()),
        }
        if token.revoked_at.is_none() {
            let event = caller.audit.event(
                self,
                AuditAction::ApiTokenRevoked,
                tenant.as_refs(),
                target(&token.id),
                vec![],
            );
            self.store
                .revoke_api_token(&token.id, self.now(), &event)
                .await?;
            cache.forget_all();
        }
        Ok(())
    }

    /// The scope of tokens at `home`, if the caller may manage them.
    async fn token_scope(&self, caller: &Caller, home: TokenHome<'_>) -> AppResult<TokenScope> {
        Ok(match home {
            TokenHome::Partner(partner) => {
                authorize(&caller.principal, Action::ManagePartnerTokens(partner))?;
                self.store.partner(partner).await?;
                TokenScope::Partner(partner.clone())
            }
            TokenHome::Site(site) => {
                let site = self
                    .visible_site(caller, site, SiteAccess::ManageTokens)
                    .await?;
                TokenScope::Site(site.id)
            }
        })
    }

    /// The tenant a token's events belong to.
    async fn token_tenant(&self, scope: &TokenScope) -> AppResult<Tenant> {
        Ok(match scope {
            TokenScope::Partner(p) => Tenant(Some(p.clone()), None),
            TokenScope::Site(s) => {
                Tenant(Some(self.store.site(s).await?.partner_id), Some(s.clone()))
            }
        })
    }
}
