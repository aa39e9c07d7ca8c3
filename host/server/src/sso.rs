//! Reaching partners' identity providers for single sign-on: the HTTP side of
//! [`siteward_app::identity::ProviderTransport`] (its directories are read by [`crate::ldap`]). Partners' admins name the providers, so the
//! host dials only addresses `[identity] allow_networks` accepts (loopback, link-local and
//! metadata addresses are refused otherwise, where the connection is made, as for webhooks),
//! follows no redirect, uses no proxy from the environment, gives up after the configured
//! timeout and reads at most 1 MiB of an answer.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use siteward_app::identity::{BoxFuture, ProviderTransport};
use siteward_core::directory::{DirectorySettings, Listing};
use siteward_core::webhook::AddressPolicy;

use crate::config::IdentityConfig;
use crate::webhooks::{GuardedResolver, describe, literal_address, refused, refused_in};

/// The largest answer read from a provider.
const MAX_ANSWER: usize = 1024 * 1024;

/// Identity providers over HTTP(S).
#[derive(Debug)]
pub struct HttpTransport {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
    timeout: Duration,
}

impl HttpTransport {
    /// The transport `[identity]` describes (checked when the configuration was loaded).
    pub fn from_config(config: &IdentityConfig) -> anyhow::Result<Self> {
        let policy = Arc::new(AddressPolicy {
            allowed: config.networks().map_err(anyhow::Error::msg)?,
        });
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver {
                policy: policy.clone(),
                section: "identity",
            }))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(Duration::from_secs(u64::from(
                config.timeout_seconds.max(1),
            )))
            .user_agent(concat!("Siteward/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            policy,
            timeout: Duration::from_secs(u64::from(config.timeout_seconds.max(1))),
        })
    }

    /// The URL, unless it names an address literally that the policy refuses.
    fn url(&self, url: &str) -> Result<reqwest::Url, String> {
        let url = reqwest::Url::parse(url).map_err(|e| format!("{url} is not a URL: {e}"))?;
        if let Some(address) = literal_address(&url)
            && let Err(why) = self.policy.check(address)
        {
            return Err(refused("identity", &address.to_string(), address, why));
        }
        Ok(url)
    }

    /// Sends a request; the status and the JSON body.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<(u16, Value), String> {
        let mut response = request
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|error| match refused_in(&error) {
                Some(refused) => refused.to_string(),
                None => describe(&error),
            })?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
            if body.len() + chunk.len() > MAX_ANSWER {
                return Err("the answer is larger than 1 MiB".to_owned());
            }
            body.extend_from_slice(&chunk);
        }
        let json = serde_json::from_slice(&body)
            .map_err(|_| format!("the answer (HTTP {status}) is not JSON"))?;
        Ok((status, json))
    }
}

/// `application/x-www-form-urlencoded` encoding of one value (RFC 6749 §2.3.1 encodes the
/// client id and secret this way before Basic authentication, too).
fn form_encoded(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

impl ProviderTransport for HttpTransport {
    fn get_json<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<Value, String>> {
        Box::pin(async move {
            let (status, json) = self.send(self.client.get(self.url(url)?)).await?;
            if status == 200 {
                Ok(json)
            } else {
                Err(format!("{url} answered HTTP {status}"))
            }
        })
    }

    fn post_form<'a>(
        &'a self,
        url: &'a str,
        (id, secret): (&'a str, &'a str),
        form: &'a [(&'a str, &'a str)],
    ) -> BoxFuture<'a, Result<(u16, Value), String>> {
        Box::pin(async move {
            let body: String = form
                .iter()
                .map(|(k, v)| format!("{}={}", form_encoded(k), form_encoded(v)))
                .collect::<Vec<_>>()
                .join("&");
            let request = self
                .client
                .post(self.url(url)?)
                .basic_auth(form_encoded(id), Some(form_encoded(secret)))
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(body);
            self.send(request).await
        })
    }

    fn read_directory<'a>(
        &'a self,
        settings: &'a DirectorySettings,
    ) -> BoxFuture<'a, Result<Listing, String>> {
        Box::pin(crate::ldap::read(&self.policy, settings, self.timeout))
    }
}
