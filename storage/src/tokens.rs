//! API tokens for integrations, scoped to one partner or one site.

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue, Variables};

use siteward_core::Timestamp;
use siteward_core::access::TokenScope;
use siteward_core::audit::AuditEvent;
use siteward_core::ids::{AccountId, ApiTokenId, PartnerId, SiteId};
use siteward_core::page::{Page, PageRequest};

use crate::error::StorageError;
use crate::rows::{key, rid};
use crate::{Store, tx::Tx};

/// An API token as stored: its secret only as a hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Its id.
    pub id: ApiTokenId,
    /// A name to recognise it by.
    pub name: String,
    /// What it may act on.
    pub scope: TokenScope,
    /// SHA-256 of the secret.
    pub token_hash: String,
    /// Who created it.
    pub created_by: AccountId,
    /// When.
    pub created_at: Timestamp,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

/// Which tokens to list.
#[derive(Debug, Clone, Copy)]
pub enum ApiTokenScopeFilter<'a> {
    /// Tokens scoped to this partner.
    Partner(&'a PartnerId),
    /// Tokens scoped to this site.
    Site(&'a SiteId),
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ApiTokenRow {
    id: RecordId,
    name: String,
    token_hash: String,
    partner_id: Option<String>,
    site_id: Option<String>,
    created_by: String,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

impl ApiTokenRow {
    fn from_token(token: &ApiToken) -> Self {
        let (partner_id, site_id) = match &token.scope {
            TokenScope::Partner(p) => (Some(p.to_string()), None),
            TokenScope::Site(s) => (None, Some(s.to_string())),
        };
        Self {
            id: rid("api_token", token.id.as_str()),
            name: token.name.clone(),
            token_hash: token.token_hash.clone(),
            partner_id,
            site_id,
            created_by: token.created_by.to_string(),
            created_at: token.created_at,
            revoked_at: token.revoked_at,
        }
    }

    fn into_token(self) -> Result<ApiToken, StorageError> {
        let scope = match (self.partner_id, self.site_id) {
            (Some(p), None) => TokenScope::Partner(PartnerId::from_trusted(p)),
            (None, Some(s)) => TokenScope::Site(SiteId::from_trusted(s)),
            _ => {
                return Err(StorageError::Invalid(format!(
                    "api token {} has no single scope",
                    key(&self.id)
                )));
            }
        };
        Ok(ApiToken {
            id: ApiTokenId::from_trusted(key(&self.id)),
            name: self.name,
            scope,
            token_hash: self.token_hash,
            created_by: AccountId::from_trusted(self.created_by),
            created_at: self.created_at,
            revoked_at: self.revoked_at,
        })
    }
}

impl Store {
    /// Stores a new API token.
    pub async fn create_api_token(
        &self,
        token: &ApiToken,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("api_token", ApiTokenRow::from_token(token))
            .run("INSERT INTO api_token $api_token")
            .audit(event);
        tx.commit(self).await
    }

    /// Reads an API token.
    pub async fn api_token(&self, id: &ApiTokenId) -> Result<ApiToken, StorageError> {
        let row: Option<ApiTokenRow> = self
            .db
            .select(rid("api_token", id.as_str()))
            .await
            .map_err(StorageError::backend)?;
        row.ok_or(StorageError::NotFound)?.into_token()
    }

    /// Finds the unrevoked token with this hash.
    pub async fn api_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<ApiToken>, StorageError> {
        let row: Option<ApiTokenRow> = self
            .db
            .query("SELECT * FROM ONLY api_token WHERE token_hash = $hash AND revoked_at = NONE LIMIT 1")
            .bind(("hash", token_hash.to_owned()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        row.map(ApiTokenRow::into_token).transpose()
    }

    /// Lists tokens of a partner or a site, revoked ones included.
    pub async fn api_tokens(
        &self,
        scope: ApiTokenScopeFilter<'_>,
        page: &PageRequest,
    ) -> Result<Page<ApiToken>, StorageError> {
        let mut vars = Variables::new();
        let condition = match scope {
            ApiTokenScopeFilter::Partner(p) => {
                vars.insert("scope_id", p.to_string());
                "partner_id = $scope_id"
            }
            ApiTokenScopeFilter::Site(s) => {
                vars.insert("scope_id", s.to_string());
                "site_id = $scope_id"
            }
        };
        let rows: Vec<ApiTokenRow> = self
            .page("api_token", condition, vars, page, str::to_owned)
            .await?;
        let tokens = rows
            .into_iter()
            .map(ApiTokenRow::into_token)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_overfetch(tokens, page.limit, |t| t.id.as_str()))
    }

    /// Revokes a token; it stops working at once.
    pub async fn revoke_api_token(
        &self,
        id: &ApiTokenId,
        at: Timestamp,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("api_token", rid("api_token", id.as_str()))
            .bind("at", at)
            .run("UPDATE $api_token SET revoked_at = $at WHERE revoked_at = NONE")
            .audit(event);
        tx.commit(self).await
    }
}
