//! SAML 2.0 single sign-on, the service provider's side: the sign-in request sent to the
//! identity provider (HTTP-Redirect binding), the metadata the provider is given, and the
//! response it posts back, checked.
//!
//! No signature is checked here. [`samael`] verifies the XML signatures with libxmlsec1
//! against the certificates the connection names (RSA or ECDSA with SHA-256 or stronger
//! only) and keeps only the content a verified signature covers, so what is read afterwards
//! is what the provider signed; it checks the issuer, the audience (this connection's entity
//! ID), the recipient and destination (the ACS URL), `InResponseTo` (the one request this
//! browser's sign-in sent) and the times against the system clock. This module adds what a
//! signature-wrapping attack would need — a response must hold exactly one assertion, and no
//! document type declaration — and checks the times again against the host's clock, then
//! reads the person from the signed assertion.

use chrono::{DateTime, Utc};
use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use samael::crypto::AllowedSignatureAlgorithm;
use samael::key_info::{KeyInfo, X509Data};
use samael::metadata::{
    Endpoint, EntityDescriptor, HTTP_POST_BINDING, HTTP_REDIRECT_BINDING, IdpSsoDescriptor,
    IndexedEndpoint, KeyDescriptor, SpSsoDescriptor,
};
use samael::schema::Assertion;
use samael::service_provider::{Error as SamlError, ServiceProvider, ServiceProviderBuilder};
use samael::traits::ToXml;

use siteward_core::identity::{Connection, Identity, Protocol};
use siteward_core::ids::ConnectionId;

use crate::error::{AppError, AppResult};

/// Where identity providers post their answers (the Assertion Consumer Service), after the
/// host's public URL. One for every connection: the `RelayState` finds the sign-in.
pub const ACS_PATH: &str = "/sso/saml/acs";

/// The path of a connection's service provider metadata (also its entity ID).
pub fn metadata_path(connection: &ConnectionId) -> String {
    format!("/sso/saml/{connection}/metadata")
}

/// How far the provider's clock may be from the host's.
const LEEWAY_SECONDS: i64 = 60;

const SAML_ASSERTION: &[u8] = b"urn:oasis:names:tc:SAML:2.0:assertion";

/// What a provider must be told about a connection's service provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceProviderUrls {
    /// The service provider's entity ID — the audience assertions must name. It is the
    /// metadata's URL, so a provider that reads metadata by URL finds it there.
    pub entity_id: String,
    /// Where the provider posts its answer (Entra ID: Reply URL; Okta: Single sign-on URL).
    pub acs_url: String,
}

impl ServiceProviderUrls {
    /// A connection's URLs under the host's public URL.
    pub fn of(public_url: &str, connection: &ConnectionId) -> Self {
        Self {
            entity_id: format!("{public_url}{}", metadata_path(connection)),
            acs_url: format!("{public_url}{ACS_PATH}"),
        }
    }
}

fn sso_error(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::unauthenticated(code, message.into())
}

/// The connection's SAML settings, or a refusal when it speaks OpenID Connect.
fn saml_settings(connection: &Connection) -> AppResult<(&str, &[Vec<u8>])> {
    match &connection.protocol {
        Protocol::Saml {
            sso_url,
            certificates,
        } => Ok((sso_url, certificates)),
        Protocol::Oidc { .. } => Err(AppError::not_found()),
    }
}

/// The service provider samael checks a response as: this connection's entity ID and ACS
/// URL, its provider's entity ID, SSO URL and signing certificates, and SHA-2 signatures
/// only.
fn service_provider(
    connection: &Connection,
    urls: &ServiceProviderUrls,
) -> AppResult<ServiceProvider> {
    let (sso_url, certificates) = saml_settings(connection)?;
    let key_descriptors = certificates
        .iter()
        .map(|der| KeyDescriptor {
            key_use: Some("signing".to_owned()),
            key_info: KeyInfo {
                id: None,
                x509_data: Some(X509Data {
                    certificates: vec![data_encoding::BASE64.encode(der)],
                }),
            },
            encryption_methods: None,
        })
        .collect();
    let idp = EntityDescriptor {
        entity_id: Some(connection.issuer.clone()),
        idp_sso_descriptors: Some(vec![IdpSsoDescriptor {
            protocol_support_enumeration: Some("urn:oasis:names:tc:SAML:2.0:protocol".to_owned()),
            key_descriptors,
            single_sign_on_services: vec![Endpoint {
                binding: HTTP_REDIRECT_BINDING.to_owned(),
                location: sso_url.to_owned(),
                response_location: None,
            }],
            id: None,
            valid_until: None,
            cache_duration: None,
            error_url: None,
            signature: None,
            organization: None,
            contact_people: Vec::new(),
            artifact_resolution_service: Vec::new(),
            single_logout_services: Vec::new(),
            manage_name_id_services: Vec::new(),
            name_id_formats: Vec::new(),
            want_authn_requests_signed: None,
            name_id_mapping_services: Vec::new(),
            assertion_id_request_services: Vec::new(),
            attribute_profiles: Vec::new(),
            attributes: Vec::new(),
        }]),
        ..EntityDescriptor::default()
    };
    ServiceProviderBuilder::default()
        .entity_id(urls.entity_id.clone())
        .metadata_url(urls.entity_id.clone())
        .acs_url(urls.acs_url.clone())
        .slo_url(None)
        .idp_metadata(idp)
        .max_clock_skew(chrono::Duration::seconds(LEEWAY_SECONDS))
        .allowed_signature_algorithms(Some(vec![
            AllowedSignatureAlgorithm::RsaSha256,
            AllowedSignatureAlgorithm::RsaSha384,
            AllowedSignatureAlgorithm::RsaSha512,
            AllowedSignatureAlgorithm::EcdsaSha256,
            AllowedSignatureAlgorithm::EcdsaSha384,
            AllowedSignatureAlgorithm::EcdsaSha512,
        ]))
        .build()
        .map_err(|e| AppError::internal(&format!("the SAML service provider: {e}")))
}

/// The connection's service provider metadata, for its identity provider to read: its
/// entity ID, the ACS (HTTP-POST), email addresses as the name ID, and that assertions must be
/// signed. No keys: Siteward signs no requests and wants no encrypted assertions.
pub fn metadata(connection: &Connection, urls: &ServiceProviderUrls) -> AppResult<String> {
    saml_settings(connection)?;
    let descriptor = SpSsoDescriptor {
        protocol_support_enumeration: Some("urn:oasis:names:tc:SAML:2.0:protocol".to_owned()),
        authn_requests_signed: Some(false),
        want_assertions_signed: Some(true),
        name_id_formats: Some(vec![
            "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".to_owned(),
        ]),
        assertion_consumer_services: vec![IndexedEndpoint {
            binding: HTTP_POST_BINDING.to_owned(),
            location: urls.acs_url.clone(),
            response_location: None,
            index: 0,
            is_default: Some(true),
        }],
        ..SpSsoDescriptor::default()
    };
    EntityDescriptor {
        entity_id: Some(urls.entity_id.clone()),
        sp_sso_descriptors: Some(vec![descriptor]),
        ..EntityDescriptor::default()
    }
    .to_string()
    .map_err(|e| AppError::internal(&format!("SAML metadata: {e}")))
}

/// The provider's SSO URL with a sign-in request whose ID is `request_id` (HTTP-Redirect
/// binding: deflated, base64, in the query) and `relay_state`.
pub fn sign_in_url(
    connection: &Connection,
    urls: &ServiceProviderUrls,
    request_id: &str,
    relay_state: &str,
) -> AppResult<String> {
    let (sso_url, _) = saml_settings(connection)?;
    let provider = service_provider(connection, urls)?;
    let mut request = provider
        .make_authentication_request(sso_url)
        .map_err(|e| AppError::internal(&format!("a SAML request: {e}")))?;
    request.id = request_id.to_owned();
    let url = request
        .redirect(relay_state)
        .map_err(|e| AppError::internal(&format!("a SAML request: {e}")))?
        .ok_or_else(|| AppError::internal(&"a SAML request has no destination"))?;
    Ok(url.to_string())
}

/// A SAML request ID: an XML name (it may not start with a digit), 128 random bits.
pub fn request_id(random: [u8; 16]) -> String {
    format!("_{}", data_encoding::HEXLOWER.encode(&random))
}

/// The response the provider posted (`SAMLResponse`, base64), checked as the answer to the
/// request `request_id`, at `now` by the host's clock: the person it vouches for.
pub fn verify(
    connection: &Connection,
    urls: &ServiceProviderUrls,
    request_id: &str,
    response: &str,
    now: DateTime<Utc>,
) -> AppResult<Identity> {
    let invalid = |why: &str| {
        sso_error(
            "sso_saml_invalid",
            format!("the identity provider's answer is not a usable SAML response: {why}"),
        )
    };
    let compact: String = response.chars().filter(|c| !c.is_whitespace()).collect();
    let xml = data_encoding::BASE64
        .decode(compact.as_bytes())
        .map_err(|_| invalid("SAMLResponse is not base64"))?;
    let xml = String::from_utf8(xml).map_err(|_| invalid("it is not UTF-8 text"))?;
    one_assertion(&xml)?;
    let provider = service_provider(connection, urls)?;
    let assertion = provider
        .parse_xml_response(&xml, Some(&[request_id]))
        .map_err(|error| refusal(&error, connection, urls))?;
    times(&assertion, now)?;
    Ok(identity(connection, &assertion))
}

/// A response may hold one assertion and no document type declaration: a second assertion
/// (signed or not) is how signature-wrapping attacks smuggle one past the check, encrypted
/// assertions are not asked for (no encryption key is published), and a DTD is how entity
/// expansion attacks start.
fn one_assertion(xml: &str) -> AppResult<()> {
    let mut reader = quick_xml::NsReader::from_str(xml);
    let mut assertions = 0usize;
    loop {
        let event = reader.read_resolved_event().map_err(|_| {
            sso_error(
                "sso_saml_invalid",
                "the identity provider's answer is not well-formed XML",
            )
        })?;
        match event {
            (
                ResolveResult::Bound(Namespace(SAML_ASSERTION)),
                Event::Start(e) | Event::Empty(e),
            ) if matches!(
                e.local_name().as_ref(),
                b"Assertion" | b"EncryptedAssertion"
            ) =>
            {
                assertions += 1;
            }
            (_, Event::DocType(_)) => {
                return Err(sso_error(
                    "sso_saml_invalid",
                    "the identity provider's answer declares a document type, which SAML \
                     responses never do",
                ));
            }
            (_, Event::Eof) => break,
            _ => {}
        }
    }
    if assertions == 1 {
        Ok(())
    } else {
        Err(sso_error(
            "sso_saml_wrapped",
            format!(
                "the identity provider's answer holds {assertions} assertions; exactly one, \
                 signed, is accepted (more are how signature-wrapping attacks hide one)"
            ),
        ))
    }
}

/// What samael's refusal means for the person and their administrator.
fn refusal(error: &SamlError, connection: &Connection, urls: &ServiceProviderUrls) -> AppError {
    match error {
        SamlError::FailedToValidateSignature => sso_error(
            "sso_bad_signature",
            "the answer is not signed by the identity provider's certificate (it is unsigned, \
             signed by another key, or signed with SHA-1); if the provider renewed its \
             certificate, give the connection the new one",
        ),
        SamlError::AssertionConditionAudienceRestrictionFailed { .. } => sso_error(
            "sso_wrong_audience",
            format!(
                "the answer is addressed to another application; the identity provider's \
                 Audience (SP Entity ID, Identifier) must be {}",
                urls.entity_id
            ),
        ),
        SamlError::AssertionRecipientMismatch { .. }
        | SamlError::DestinationValidationError { .. } => sso_error(
            "sso_wrong_recipient",
            format!(
                "the answer is addressed to another URL; the identity provider's Reply URL \
                 (Assertion Consumer Service URL) must be {}",
                urls.acs_url
            ),
        ),
        SamlError::AssertionIssuerMismatch { issuer, .. }
        | SamlError::ResponseIssuerMismatch { issuer, .. } => sso_error(
            "sso_wrong_issuer",
            format!(
                "the answer comes from {} but the connection names the entity ID {}; correct \
                 the entity ID",
                issuer.as_deref().unwrap_or("an unnamed issuer"),
                connection.issuer
            ),
        ),
        SamlError::AssertionInResponseToInvalid { .. }
        | SamlError::ResponseInResponseToInvalid { .. } => sso_error(
            "sso_replayed",
            "the answer belongs to another sign-in (it was replayed, or started by the \
             identity provider): start again from the sign-in page",
        ),
        SamlError::AssertionExpired { .. }
        | SamlError::ResponseExpired { .. }
        | SamlError::AssertionConditionExpired { .. }
        | SamlError::AssertionSubjectConfirmationExpired { .. } => sso_error(
            "sso_token_expired",
            "the identity provider's answer has expired; sign in again (if this repeats, the \
             provider's or this host's clock is wrong)",
        ),
        SamlError::AssertionConditionExpiredBefore { .. }
        | SamlError::AssertionSubjectConfirmationExpiredBefore { .. } => sso_error(
            "sso_clock_skew",
            "the identity provider's answer is not valid yet by this host's clock: the \
             provider's or this host's clock is wrong",
        ),
        SamlError::ResponseBadStatusCode { code } => sso_error(
            "sso_provider_refused",
            format!(
                "the identity provider did not sign you in ({})",
                code.rsplit(':').next().unwrap_or(code)
            ),
        ),
        SamlError::EncryptedAssertionsNotYetSupported | SamlError::MissingPrivateKeySP => {
            sso_error(
                "sso_saml_invalid",
                "the identity provider encrypted the assertion; turn assertion encryption off \
                 for this application (the answer travels over HTTPS)",
            )
        }
        other => sso_error(
            "sso_saml_invalid",
            format!("the identity provider's answer is not a usable SAML response: {other}"),
        ),
    }
}

/// The assertion's times against the host's clock (samael checked them against the
/// system's; the host's is the one its tests and its audit trail keep).
fn times(assertion: &Assertion, now: DateTime<Utc>) -> AppResult<()> {
    let leeway = chrono::TimeDelta::seconds(LEEWAY_SECONDS);
    let conditions = assertion.conditions.as_ref();
    let confirmations = assertion
        .subject
        .iter()
        .flat_map(|s| s.subject_confirmations.iter().flatten())
        .filter_map(|c| c.subject_confirmation_data.as_ref());
    let ends = conditions
        .and_then(|c| c.not_on_or_after)
        .into_iter()
        .chain(confirmations.clone().filter_map(|d| d.not_on_or_after));
    let starts = conditions
        .and_then(|c| c.not_before)
        .into_iter()
        .chain(confirmations.filter_map(|d| d.not_before));
    if ends.into_iter().any(|end| end + leeway <= now) {
        return Err(sso_error(
            "sso_token_expired",
            "the identity provider's answer has expired; sign in again (if this repeats, the \
             provider's or this host's clock is wrong)",
        ));
    }
    if starts.into_iter().any(|start| start - leeway > now)
        || assertion.issue_instant - leeway > now
    {
        return Err(sso_error(
            "sso_clock_skew",
            "the identity provider's answer is not valid yet by this host's clock: the \
             provider's or this host's clock is wrong",
        ));
    }
    Ok(())
}

/// Attribute names providers send the email under, compared with the name's last part (after
/// its last `:` or `/`, so Entra ID's claim URIs and the `urn:mace:dir:attribute-def:` names
/// match), or whole for LDAP OIDs (`mail`).
const EMAIL: &[&str] = &[
    "email",
    "mail",
    "emailaddress",
    "urn:oid:0.9.2342.19200300.100.1.3",
];
/// … the display name (not `name`: Entra ID's `…/claims/name` is the user principal name).
const NAME: &[&str] = &[
    "displayname",
    "cn",
    "urn:oid:2.16.840.1.113730.3.1.241",
    "urn:oid:2.5.4.3",
];
/// … the given name and surname, for a name made of both.
const GIVEN_NAME: &[&str] = &["firstname", "givenname", "urn:oid:2.5.4.42"];
const SURNAME: &[&str] = &["lastname", "surname", "sn", "urn:oid:2.5.4.4"];
/// … the groups.
const GROUPS: &[&str] = &[
    "groups",
    "memberof",
    "ismemberof",
    "urn:oid:1.3.6.1.4.1.5923.1.5.1.1",
];

/// Whether an attribute's name is one of `names`: whole, or by its last part.
fn named(name: &str, names: &[&str]) -> bool {
    let last = name.rsplit([':', '/']).next().unwrap_or(name);
    names
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n) || last.eq_ignore_ascii_case(n))
}

/// The person a verified assertion vouches for. A SAML provider says nothing of whether an
/// address is verified: it is trusted as the provider's within the domains the connection's
/// partner claimed (which [`siteward_core::identity::email_to_sign_in`] checks), and nowhere
/// else.
fn identity(connection: &Connection, assertion: &Assertion) -> Identity {
    let name_id = assertion.subject.as_ref().and_then(|s| s.name_id.as_ref());
    let attributes: Vec<(String, Vec<String>)> = assertion
        .attribute_statements
        .iter()
        .flatten()
        .flat_map(|statement| &statement.attributes)
        .filter_map(|attribute| {
            let name = attribute
                .name
                .clone()
                .or_else(|| attribute.friendly_name.clone())?;
            let values = attribute
                .values
                .iter()
                .filter_map(|v| v.value.as_deref())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .collect();
            Some((name, values))
        })
        .collect();
    let first = |names: &[&str]| {
        attributes
            .iter()
            .find(|(name, values)| !values.is_empty() && named(name, names))
            .map(|(_, values)| values[0].clone())
    };
    let email = first(EMAIL).or_else(|| {
        name_id
            .filter(|id| {
                id.format
                    .as_deref()
                    .is_some_and(|f| f.ends_with(":emailAddress"))
                    || id.value.contains('@')
            })
            .map(|id| id.value.trim().to_owned())
    });
    let name = first(NAME).or_else(|| match (first(GIVEN_NAME), first(SURNAME)) {
        (Some(given), Some(surname)) => Some(format!("{given} {surname}")),
        (given, surname) => given.or(surname),
    });
    let groups = attributes
        .iter()
        .filter(|(name, _)| named(name, GROUPS))
        .flat_map(|(_, values)| values.iter().cloned())
        .collect();
    let subject = name_id
        .map(|id| id.value.trim().to_owned())
        .unwrap_or_default();
    let mut claims = vec![
        (
            "Issuer".to_owned(),
            assertion.issuer.value.clone().unwrap_or_default(),
        ),
        ("NameID".to_owned(), subject.clone()),
    ];
    claims.extend(
        attributes
            .iter()
            .map(|(name, values)| (name.clone(), values.join(", "))),
    );
    Identity {
        issuer: connection.issuer.clone(),
        subject,
        email,
        email_verified: true,
        name,
        groups,
        claims,
    }
}

/// Why a certificate cannot be a provider's signing certificate now: not X.509, or outside
/// its validity. `None` when it can.
pub fn certificate_problem(der: &[u8], now: DateTime<Utc>) -> Option<String> {
    let Ok(certificate) = openssl::x509::X509::from_der(der) else {
        return Some("is not an X.509 certificate".to_owned());
    };
    let at = |time: &openssl::asn1::Asn1TimeRef| {
        let epoch = openssl::asn1::Asn1Time::from_unix(0).ok()?;
        let diff = epoch.diff(time).ok()?;
        DateTime::<Utc>::from_timestamp(i64::from(diff.days) * 86_400 + i64::from(diff.secs), 0)
    };
    let (starts, ends) = (at(certificate.not_before()), at(certificate.not_after()));
    match (starts, ends) {
        (_, Some(ends)) if ends <= now => Some(format!(
            "expired on {}; download the provider's current signing certificate",
            ends.format("%Y-%m-%d")
        )),
        (Some(starts), _) if starts > now => {
            Some(format!("is not valid before {}", starts.format("%Y-%m-%d")))
        }
        (Some(_), Some(_)) => None,
        _ => Some("has validity dates that cannot be read".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use siteward_core::ids::PartnerId;

    fn connection() -> Connection {
        Connection {
            id: ConnectionId::from_trusted("c".to_owned()),
            partner_id: PartnerId::from_trusted("p".to_owned()),
            customer_id: None,
            name: "SAML".to_owned(),
            issuer: "https://sts.windows.net/tenant/".to_owned(),
            protocol: Protocol::Saml {
                sso_url: "https://login.example/saml2".to_owned(),
                certificates: vec![],
            },
            just_in_time: false,
            require_sso: false,
            created_at: Utc::now(),
        }
    }

    fn assertion(name_id: &str, attributes: &[(&str, &[&str])]) -> Assertion {
        let attributes: String = attributes
            .iter()
            .map(|(name, values)| {
                let values: String = values
                    .iter()
                    .map(|v| format!("<saml:AttributeValue>{v}</saml:AttributeValue>"))
                    .collect();
                format!("<saml:Attribute Name=\"{name}\">{values}</saml:Attribute>")
            })
            .collect();
        format!(
            "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_a\" \
             Version=\"2.0\" IssueInstant=\"2026-01-01T00:00:00Z\">\
             <saml:Issuer>https://sts.windows.net/tenant/</saml:Issuer>\
             <saml:Subject><saml:NameID>{name_id}</saml:NameID></saml:Subject>\
             <saml:AttributeStatement>{attributes}</saml:AttributeStatement>\
             </saml:Assertion>"
        )
        .parse()
        .unwrap()
    }

    #[test]
    fn the_person_is_read_from_entra_okta_and_ldap_style_attributes() {
        let claims = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims";
        // Entra ID: claim URIs; `name` is the user principal name, not the display name.
        let entra = assertion(
            "a1b2c3",
            &[
                (&format!("{claims}/name"), &["ana@acme.onmicrosoft.com"]),
                (&format!("{claims}/emailaddress"), &["Ana@Acme.example"]),
                (&format!("{claims}/givenname"), &["Ana"]),
                (&format!("{claims}/surname"), &["Field"]),
                (
                    "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
                    &["g-1", "g-2"],
                ),
            ],
        );
        let person = identity(&connection(), &entra);
        assert_eq!(person.email.as_deref(), Some("Ana@Acme.example"));
        assert_eq!(person.name.as_deref(), Some("Ana Field"));
        assert_eq!(person.groups, ["g-1", "g-2"]);
        assert_eq!(person.subject, "a1b2c3");
        assert!(
            person
                .claims
                .contains(&("NameID".to_owned(), "a1b2c3".to_owned()))
        );
        // Okta: plain names as the admin set them up.
        let okta = assertion(
            "ben@acme.example",
            &[
                ("email", &["ben@acme.example"]),
                ("displayName", &["Ben F"]),
            ],
        );
        let person = identity(&connection(), &okta);
        assert_eq!(person.name.as_deref(), Some("Ben F"));
        assert!(person.groups.is_empty());
        // LDAP OIDs, and the email from the NameID when no attribute has it.
        let ldap = assertion(
            "cleo@acme.example",
            &[
                ("urn:oid:2.16.840.1.113730.3.1.241", &["Cleo"]),
                ("urn:oid:1.3.6.1.4.1.5923.1.5.1.1", &["staff"]),
            ],
        );
        let person = identity(&connection(), &ldap);
        assert_eq!(person.email.as_deref(), Some("cleo@acme.example"));
        assert_eq!(person.name.as_deref(), Some("Cleo"));
        assert_eq!(person.groups, ["staff"]);
    }

    #[test]
    fn a_response_with_two_assertions_or_a_doctype_is_refused_before_any_check() {
        let one = "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
                   xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\">\
                   <saml:Assertion/></samlp:Response>";
        assert!(one_assertion(one).is_ok());
        let two = one.replace(
            "<saml:Assertion/>",
            "<saml:Assertion/><x><saml:Assertion/></x>",
        );
        assert_eq!(one_assertion(&two).unwrap_err().code, "sso_saml_wrapped");
        // Another namespace's `Assertion` is not SAML's.
        let other = one.replace("<saml:Assertion/>", "<saml:Assertion/><Assertion/>");
        assert!(one_assertion(&other).is_ok());
        let none = one.replace("<saml:Assertion/>", "");
        assert_eq!(one_assertion(&none).unwrap_err().code, "sso_saml_wrapped");
        let doctype = format!("<!DOCTYPE r [<!ENTITY e \"x\">]>{one}");
        assert_eq!(
            one_assertion(&doctype).unwrap_err().code,
            "sso_saml_invalid"
        );
    }

    #[test]
    fn certificates_outside_their_validity_are_named() {
        let der = |pem: &str| {
            siteward_core::identity::certificates("c", pem)
                .unwrap()
                .remove(0)
        };
        let expired = der(include_str!(
            "../../server/tests/fixtures/saml/expired-cert.pem"
        ));
        let problem = certificate_problem(&expired, Utc::now()).unwrap();
        assert!(problem.contains("expired on 2021-01-01"), "{problem}");
        let good = der(include_str!(
            "../../server/tests/fixtures/saml/idp-cert.pem"
        ));
        assert_eq!(certificate_problem(&good, Utc::now()), None);
        assert!(certificate_problem(&good[1..], Utc::now()).is_some());
    }
}
