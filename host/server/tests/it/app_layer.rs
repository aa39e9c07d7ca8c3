//! The isolation and same-tenant privilege matrices at the application layer: every moved use
//! case, called directly (no router, no JSON), by callers who must not act. Another tenant's
//! people get `not_found` and learn nothing; a technician of the same partner gets `forbidden`;
//! nothing changes either way. The console will call these same functions.

use siteward_app::audit::{AuditHome, EventFilter};
use siteward_app::auth::{ApiTokenCache, Caller};
use siteward_app::check::{Ask, Reach};
use siteward_app::devices::DeviceInput;
use siteward_app::grants::{GrantFor, NewGrant};
use siteward_app::idempotency::Retry;
use siteward_app::invite::{PartnerInvite, Pick, SiteInvite, SitesInvite};
use siteward_app::licences::SeatChange;
use siteward_app::page::Paging;
use siteward_app::partners::{MemberChange, NewMember, PartnerSettings};
use siteward_app::people::Person;
use siteward_app::plugins::manage::{Binding, PluginHome};
use siteward_app::roles::RoleChange;
use siteward_app::technicians::{TechnicianChange, TechnicianFilter};
use siteward_app::tokens::TokenHome;
use siteward_app::webhooks::DeliveryFilter;
use siteward_app::{App, AppError, Kind};
use siteward_core::ids::{
    AccountId, ApiTokenId, CustomerId, DepartmentId, DeviceGroupId, DeviceId, GrantId,
    InvitationId, PartnerId, SiteId,
};

use crate::technicians::site_with_technicians;
use crate::{PASSWORD, TestApp};

async fn caller(app: &TestApp, email: &str) -> Caller {
    let token = app.token(email).await;
    app.state
        .resolve(&token, None, app.state.api_tokens())
        .await
        .unwrap()
}

/// Every moved use case that touches `site`, with input that would be accepted from its admins
/// — or refused for its input, which must not be what an outsider hears: each use case's name
/// with its error, or `None` where it was allowed.
async fn attempts(
    app: &App,
    who: &Caller,
    partner: &PartnerId,
    site: &SiteId,
    tech: &AccountId,
    invitation: &InvitationId,
    (customer, token): (&CustomerId, &ApiTokenId),
) -> Vec<(&'static str, Option<AppError>)> {
    let newcomer = Person {
        email: "newcomer@customer.example".to_owned(),
        name: "\u{202e}".to_owned(),
        password: Some("short".to_owned()),
    };
    let no_paging = Paging {
        limit: Some(0),
        cursor: None,
    };
    let ids = [tech.to_string()];
    let sites = [site.to_string()];
    // Well-formed ids of nothing.
    let nobody = AccountId::from_key(1);
    let emails = ["not an address".to_owned()];
    // A key no frontend may send: refused for its input, after the caller is authorized.
    let bad_key = Retry {
        key: Some(b"two words"),
        request: "{}",
    };
    let mut refused = Vec::new();
    let mut note = |name, result: Result<(), AppError>| refused.push((name, result.err()));
    note(
        "invite_to_partner",
        app.invite_to_partner(
            who,
            partner,
            PartnerInvite {
                emails: &emails,
                role: "technician",
                locale: None,
                privileges: None,
                departments: &[],
                grants: &[],
            },
            bad_key,
            |_| unreachable!("nothing is stored"),
        )
        .await
        .map(drop),
    );
    note(
        "invite_to_site",
        app.invite_to_site(
            who,
            site,
            SiteInvite {
                level: Some("not a level"),
                technicians: vec![Pick {
                    account_id: tech.as_str(),
                    level: None,
                }],
                locale: None,
            },
            bad_key,
            |_| unreachable!("nothing is stored"),
        )
        .await
        .map(drop),
    );
    note(
        "invite_to_sites",
        app.invite_to_sites(
            who,
            partner,
            tech,
            SitesInvite {
                site_ids: &sites,
                level: "not a level",
                locale: None,
            },
            bad_key,
            |_| unreachable!("nothing is stored"),
        )
        .await
        .map(drop),
    );
    note(
        "resend_invitation",
        app.resend_invitation(who, invitation, bad_key, |_| {
            unreachable!("nothing is stored")
        })
        .await
        .map(drop),
    );
    note(
        "revoke_invitation",
        app.revoke_invitation(who, invitation).await.map(drop),
    );
    note(
        "candidates",
        app.candidates(who, site, None, no_paging).await.map(drop),
    );
    note(
        "partner_invitations",
        app.partner_invitations(who, partner, Some("not a status"), Paging::default())
            .await
            .map(drop),
    );
    note(
        "site_invitations",
        app.site_invitations(who, site, None, no_paging)
            .await
            .map(drop),
    );
    note(
        "verify_audit",
        app.verify_audit(who, AuditHome::Site(site)).await.map(drop),
    );
    note(
        "export_audit",
        app.export_audit(
            who,
            AuditHome::Partner(partner),
            "no such format",
            EventFilter::default(),
        )
        .await
        .map(drop),
    );
    let ask = Ask {
        technician_id: tech.as_str(),
        permission: "not a permission",
        site_id: Some(site.as_str()),
        device_id: None,
        partner_id: None,
    };
    let bad_reach = Reach {
        permission: Some("not a permission"),
        ..Reach::default()
    };
    note("check", app.check(who, &ask).map(drop));
    note("check_all", app.check_all(who, &[ask]).map(drop));
    note(
        "reaching_technicians",
        app.reaching_technicians(who, site, None, bad_reach)
            .map(drop),
    );
    note(
        "reachable_sites",
        app.reachable_sites(who, partner, tech, bad_reach)
            .await
            .map(drop),
    );
    note(
        "reachable_devices",
        app.reachable_devices(who, site, tech, bad_reach).map(drop),
    );
    note(
        "update_device",
        app.update_device(who, site, &DeviceId::from_key(1), &DeviceInput::default())
            .await
            .map(drop),
    );
    note(
        "update_role",
        app.update_role(who, partner, "not a role", &RoleChange::default())
            .await
            .map(drop),
    );
    note(
        "delete_role",
        app.delete_role(who, partner, "not a role", false)
            .await
            .map(drop),
    );
    note(
        "delete_department",
        app.delete_department(who, partner, &DepartmentId::from_key(1))
            .await
            .map(drop),
    );
    note(
        "department_members",
        app.department_members(who, partner, &DepartmentId::from_key(1))
            .await
            .map(drop),
    );
    note("customer", app.customer(who, customer).await.map(drop));
    note(
        "revoke_api_token",
        app.revoke_api_token(
            who,
            token,
            &ApiTokenCache::new(chrono::Duration::seconds(1)),
        )
        .await
        .map(drop),
    );
    note(
        "outbox",
        app.outbox(who, partner, Some("not a status"), Paging::default())
            .await
            .map(drop),
    );
    note(
        "site_technicians",
        app.site_technicians(who, site, TechnicianFilter::default(), Paging::default())
            .await
            .map(drop),
    );
    note(
        "device",
        app.device(who, site, &DeviceId::from_key(1))
            .await
            .map(drop),
    );
    note(
        "device_group",
        app.device_group(who, site, &DeviceGroupId::from_key(1))
            .await
            .map(drop),
    );
    note(
        "device_reach",
        app.device_reach(who, site, &DeviceId::from_key(1), None, no_paging)
            .await
            .map(drop),
    );
    note("role", app.role(who, partner, "not a role").await.map(drop));
    note(
        "role_deletion_preview",
        app.role_deletion_preview(who, partner, "not a role")
            .await
            .map(drop),
    );
    note(
        "member_grants",
        app.member_grants(who, partner, tech).await.map(drop),
    );
    note(
        "department_view",
        app.department_view(who, partner, &DepartmentId::from_key(1))
            .await
            .map(drop),
    );
    note(
        "grant_summaries",
        app.grant_summaries(who, partner, no_paging).await.map(drop),
    );
    note(
        "grant_summary",
        app.grant_summary(who, partner, &GrantId::from_key(1))
            .await
            .map(drop),
    );
    note(
        "member_by_email",
        app.member_by_email(who, partner, "email", "tech0@acme.example")
            .await
            .map(drop),
    );
    note(
        "selected_technicians",
        app.selected_technicians(who, site, &ids).await.map(drop),
    );
    note(
        "update_technician",
        app.update_technician(
            who,
            site,
            tech,
            TechnicianChange {
                locked: Some(false),
                level: Some("not a level".to_owned()),
                ..TechnicianChange::default()
            },
        )
        .await
        .map(drop),
    );
    note(
        "lock_technicians",
        app.lock_technicians(who, site, &ids, false).await.map(drop),
    );
    note(
        "level_technicians",
        app.level_technicians(who, site, &ids, "not a level")
            .await
            .map(drop),
    );
    note(
        "remove_technicians",
        app.remove_technicians(who, site, &ids).await,
    );
    note(
        "create_api_token",
        app.create_api_token(who, TokenHome::Site(site), "\u{202e}not a name")
            .await
            .map(drop),
    );
    note(
        "list_api_tokens",
        app.list_api_tokens(
            who,
            TokenHome::Site(site),
            Paging {
                limit: Some(0),
                cursor: None,
            },
        )
        .await
        .map(drop),
    );
    note(
        "create_customer",
        app.create_customer(who, partner, "").await.map(drop),
    );
    note(
        "customers",
        app.customers(who, partner, no_paging).await.map(drop),
    );
    note(
        "create_site",
        app.create_site(who, partner, "not a customer", "", &newcomer)
            .await
            .map(drop),
    );
    note("sites", app.sites(who, partner, no_paging).await.map(drop));
    note(
        "add_site_admin",
        app.add_site_admin(who, site, &newcomer).await.map(drop),
    );
    note(
        "site_admins",
        app.site_admins(who, site, no_paging).await.map(drop),
    );
    note(
        "site_admin",
        app.site_admin(who, site, &nobody).await.map(drop),
    );
    note(
        "remove_site_admin",
        app.remove_site_admin(who, site, &nobody).await,
    );
    note("licences", app.licences(who, partner).await.map(drop));
    note("partner", app.partner(who, partner).await.map(drop));
    note(
        "members",
        app.members(who, partner, Default::default(), no_paging)
            .await
            .map(drop),
    );
    note("member", app.member(who, partner, tech).await.map(drop));
    note(
        "add_member",
        app.add_member(
            who,
            partner,
            &NewMember {
                person: newcomer.clone(),
                role: "not a role".to_owned(),
                privileges: None,
            },
        )
        .await
        .map(drop),
    );
    note(
        "update_member",
        app.update_member(
            who,
            partner,
            tech,
            &MemberChange {
                status: Some("not a status".to_owned()),
                ..MemberChange::default()
            },
        )
        .await
        .map(drop),
    );
    note("remove_member", app.remove_member(who, partner, tech).await);
    note(
        "reset_member_totp",
        app.reset_member_totp(who, partner, tech).await,
    );
    note(
        "set_licences",
        app.set_licences(
            who,
            partner,
            SeatChange {
                remote_support: Some(Some(u32::MAX)),
                ..SeatChange::default()
            },
        )
        .await
        .map(drop),
    );
    note(
        "create_role",
        app.create_role(who, partner, "", "not a purpose", &[])
            .await
            .map(drop),
    );
    note("roles", app.roles(who, partner, no_paging).await.map(drop));
    note(
        "create_department",
        app.create_department(who, partner, "").await.map(drop),
    );
    note(
        "departments",
        app.departments(who, partner, no_paging).await.map(drop),
    );
    note(
        "set_department_member",
        app.set_department_member(who, (partner, &DepartmentId::from_key(1), tech), true)
            .await,
    );
    note(
        "create_grant",
        app.create_grant(
            who,
            partner,
            &NewGrant {
                subject: ("not a kind".to_owned(), tech.to_string()),
                grant: GrantFor {
                    scope: ("site".to_owned(), site.to_string()),
                    role: "full_device_access".to_owned(),
                    valid_from: None,
                    expires_at: None,
                },
            },
        )
        .await
        .map(drop),
    );
    note(
        "grants",
        app.grants(who, partner, no_paging).await.map(drop),
    );
    note(
        "delete_grant",
        app.delete_grant(who, partner, &GrantId::from_key(1)).await,
    );
    note(
        "create_device_group",
        app.create_device_group(who, site, "").await.map(drop),
    );
    note(
        "device_groups",
        app.device_groups(who, site, no_paging).await.map(drop),
    );
    note(
        "delete_device_group",
        app.delete_device_group(who, site, &DeviceGroupId::from_key(1))
            .await,
    );
    note(
        "create_device",
        app.create_device(who, site, &DeviceInput::default())
            .await
            .map(drop),
    );
    note("devices", app.devices(who, site, no_paging).await.map(drop));
    note(
        "delete_device",
        app.delete_device(who, site, &DeviceId::from_key(1)).await,
    );
    note(
        "webhook_deliveries",
        app.webhook_deliveries(
            who,
            partner,
            DeliveryFilter {
                status: Some("not a status"),
                target: None,
            },
            Paging::default(),
        )
        .await
        .map(drop),
    );
    note(
        "audit_events",
        app.audit_events(
            who,
            AuditHome::Site(site),
            EventFilter {
                action: Some("not an action"),
                ..EventFilter::default()
            },
            Paging::default(),
        )
        .await
        .map(drop),
    );
    note(
        "partner_audit_events",
        app.audit_events(
            who,
            AuditHome::Partner(partner),
            EventFilter::default(),
            no_paging,
        )
        .await
        .map(drop),
    );
    note(
        "update_partner_settings",
        app.update_partner_settings(
            who,
            partner,
            &PartnerSettings {
                invitation_ttl_hours: Some(0),
                ..PartnerSettings::default()
            },
        )
        .await
        .map(drop),
    );
    note(
        "partner_plugins",
        app.partner_plugins(who, partner).await.map(drop),
    );
    note(
        "bind_plugin",
        app.bind_plugin(
            who,
            PluginHome::Partner(partner),
            "not a plugin name!",
            Binding::default(),
        )
        .await
        .map(drop),
    );
    note(
        "unbind_plugin",
        app.unbind_plugin(who, PluginHome::Site(site), "not a plugin name!")
            .await,
    );
    note(
        "set_technician_access",
        app.set_technician_access(who, site, Some(false))
            .await
            .map(drop),
    );
    refused
}

#[tokio::test]
async fn moved_use_cases_hide_other_tenants_and_refuse_technicians_at_the_app_layer() {
    let app = TestApp::new().await;
    let (acme, site, _, techs) = site_with_technicians(&app, 1).await;
    let (acme_id, site_id) = (
        PartnerId::parse("id", &acme.id).unwrap(),
        SiteId::parse("id", &site).unwrap(),
    );
    let tech_id = AccountId::parse("id", &techs[0]).unwrap();
    let operator = app.operator().await;
    app.partner(&operator, "globex").await;
    let outsider = caller(&app, "owner@globex.example").await;
    let technician = caller(&app, "tech0@acme.example").await;
    let site_admin = caller(&app, "admin@customer.example").await;
    let listed = async || {
        let technicians = app
            .state
            .site_technicians(
                &site_admin,
                &site_id,
                TechnicianFilter::default(),
                Paging::default(),
            )
            .await
            .unwrap();
        technicians
            .items
            .into_iter()
            .map(|t| t.assignment)
            .collect::<Vec<_>>()
    };
    let before = listed().await;
    assert_eq!(before.len(), 1);
    let invited = app
        .post(
            &format!("/v1/partners/{}/invitations", acme.id),
            &acme.owner_token,
            serde_json::json!({ "emails": ["newcomer@acme.example"], "role": "technician" }),
        )
        .await;
    let invitation = invited.body["results"][0]["invitation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let owner = caller(&app, "owner@acme.example").await;
    let invitation_id = InvitationId::parse("id", &invitation).unwrap();
    let invitation_now = async || app.state.invitation(&owner, &invitation_id).await.unwrap();
    let sent = invitation_now().await;

    let customer = app.state.store.site(&site_id).await.unwrap().customer_id;
    let integration = app
        .post(
            &format!("/v1/partners/{}/api-tokens", acme.id),
            &acme.owner_token,
            serde_json::json!({ "name": "kept" }),
        )
        .await;
    let kept = ApiTokenId::parse("id", &integration.str("id")).unwrap();
    let attempts = async |who| {
        let tenant = (&customer, &kept);
        attempts(
            &app.state,
            who,
            &acme_id,
            &site_id,
            &tech_id,
            &invitation_id,
            tenant,
        )
        .await
    };
    let hidden = attempts(&outsider).await;
    assert_eq!(hidden.len(), 80);
    for (name, error) in &hidden {
        let error = error
            .as_ref()
            .unwrap_or_else(|| panic!("{name} allowed an outsider"));
        assert_eq!(
            (error.kind, error.code),
            (Kind::NotFound, "not_found"),
            "{name} for another partner's Super Admin: {error}"
        );
    }
    // A technician of the partner sees its customers and sites, but may not manage them.
    let refused = attempts(&technician).await;
    for (name, error) in &refused {
        match (*name, error) {
            // Reads any member of the partner may make.
            (
                "site_technicians" | "customers" | "sites" | "site_admins" | "members",
                Some(error),
            ) => {
                assert_eq!(
                    error.kind,
                    Kind::Invalid,
                    "{name}: only its paging is wrong"
                );
            }
            (
                "site_technicians"
                | "selected_technicians"
                | "licences"
                | "partner"
                | "member"
                | "customer",
                None,
            ) => {}
            // The site is theirs to see; `nobody` is not one of its admins.
            ("site_admin", Some(error)) => assert_eq!(error.kind, Kind::NotFound, "{error}"),
            (_, Some(error)) => assert_eq!(
                (error.kind, error.code),
                (Kind::Forbidden, "forbidden"),
                "{name} for a technician: {error}"
            ),
            (_, None) => panic!("{name} allowed a technician"),
        }
    }
    assert_eq!(listed().await, before, "nothing changed");
    let (after, _) = invitation_now().await;
    assert_eq!(
        (after.status, after.expires_at, after.resend_count),
        (sent.0.status, sent.0.expires_at, sent.0.resend_count),
        "the invitation is as it was sent"
    );

    // The personal use cases refuse an API token with `session_required`.
    let token = app
        .post(
            &format!("/v1/partners/{}/api-tokens", acme.id),
            &acme.owner_token,
            serde_json::json!({ "name": "integration" }),
        )
        .await;
    let integration = app
        .state
        .resolve(&token.str("token"), None, app.state.api_tokens())
        .await
        .unwrap();
    for result in [
        app.state.totp_enroll(&integration).await.map(drop),
        app.state.my_access(&integration).await.map(drop),
        app.state.logout(&integration).await,
        app.state
            .change_password(&integration, PASSWORD.to_owned(), "x".repeat(20))
            .await,
    ] {
        assert_eq!(result.unwrap_err().code, "session_required");
    }
}

#[tokio::test]
async fn the_operators_use_cases_refuse_everyone_else_at_the_app_layer() {
    let app = TestApp::new().await;
    let (acme, _, _, techs) = site_with_technicians(&app, 1).await;
    let owner = caller(&app, "owner@acme.example").await;
    let technician = caller(&app, "tech0@acme.example").await;
    let tech = AccountId::parse("id", &techs[0]).unwrap();
    let newcomer = Person {
        email: "boss@newco.example".to_owned(),
        name: "Boss".to_owned(),
        password: None,
    };
    for who in [&owner, &technician] {
        let refused = [
            (
                "create_partner",
                app.state
                    .create_partner(who, "Newco", &newcomer)
                    .await
                    .map(drop),
            ),
            ("plugins", app.state.plugins(who).await.map(drop)),
            ("plugin", app.state.plugin(who, "audit-csv").await.map(drop)),
            (
                "remove_plugin",
                app.state.remove_plugin(who, "audit-csv").await,
            ),
            (
                "set_account_status",
                app.state
                    .set_account_status(who, &tech, "disabled")
                    .await
                    .map(drop),
            ),
            (
                "partner_overview",
                app.state
                    .partner_overview(who, Paging::default())
                    .await
                    .map(drop),
            ),
            (
                "account_by_email",
                app.state
                    .account_by_email(who, "tech0@acme.example")
                    .await
                    .map(drop),
            ),
        ];
        for (name, result) in refused {
            let error = result.expect_err(name);
            assert_eq!(
                (error.kind, error.code),
                (Kind::Forbidden, "forbidden"),
                "{name}: {error}"
            );
        }
    }
    let partners = app.state.partners(&owner, Paging::default()).await.unwrap();
    assert_eq!(
        partners
            .items
            .iter()
            .map(|p| p.id.to_string())
            .collect::<Vec<_>>(),
        [acme.id],
        "a partner's admin lists their own partner only"
    );
}
