//! Concurrent requests on the same records: whatever the interleaving, no request fails with a
//! 5xx, the stored state is one some serial order of the requests would have produced, and
//! the permission index agrees with storage (a host that rebuilds it from storage answers
//! every check the same way).

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use siteward_server::mail::deliver_due;

use super::smtp::TestSmtp;
use super::technicians::{check, site_with_technicians};
use super::{Reply, TestApp};

/// Rounds per race, each on fresh records, so several interleavings are tried.
const ROUNDS: usize = 8;

fn no_server_error(replies: &[&Reply]) {
    for reply in replies {
        assert!(
            !reply.status.is_server_error(),
            "{} {}",
            reply.status,
            reply.body
        );
    }
}

/// Every technician's answer to `permission` at `site`, from this host and from a host that
/// builds its index from storage now.
async fn answers_agree(app: &TestApp, token: &str, site: &str, techs: &[String]) {
    let fresh = app.second_host().await;
    for tech in techs {
        for permission in ["devices.view", "users.view"] {
            let here = check(app, token, site, tech, permission).await;
            let rebuilt = check(&fresh, token, site, tech, permission).await;
            assert_eq!(
                (&here.body["allowed"], &here.body["reason"]),
                (&rebuilt.body["allowed"], &rebuilt.body["reason"]),
                "{tech} {permission}: the index and storage disagree"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn accepts_revokes_and_resends_of_one_invitation_end_as_one_serial_order() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let mailer = smtp.mailer();
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let site = app.site(&acme, "admin@customer.example").await;
    let site_admin = app.token("admin@customer.example").await;
    let mut techs = Vec::new();
    for round in 0..ROUNDS {
        let email = format!("racer{round}@acme.example");
        let tech = app.member(&acme, &email, "technician").await;
        let session = app.token(&email).await;
        let invited = app
            .post(
                &format!("/v1/sites/{site}/invitations"),
                &acme.owner_token,
                json!({ "technicians": [{ "account_id": tech, "level": "full_excluding_users" }] }),
            )
            .await;
        assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
        let id = invited.body["invitations"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        deliver_due(&app.state, &mailer).await.unwrap();
        let token = smtp.to(&email)[0].token();
        let accept = || {
            app.post(
                "/v1/invitations/accept",
                &session,
                json!({ "token": token }),
            )
        };
        let act = |what: &'static str| {
            let (app, id, owner) = (&app, &id, &acme.owner_token);
            async move {
                app.call(
                    Method::POST,
                    &format!("/v1/invitations/{id}/{what}"),
                    Some(owner),
                    None,
                )
                .await
            }
        };
        // Two accepts of one link, against a revoke (even rounds) or a resend (odd ones).
        let other = if round % 2 == 0 { "revoke" } else { "resend" };
        let (first, second, raced) = tokio::join!(accept(), accept(), act(other));
        no_server_error(&[&first, &second, &raced]);
        let accepted = [&first, &second]
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count();
        assert!(
            accepted <= 1,
            "a link works once: {} {}",
            first.body,
            second.body
        );

        let stored = app
            .get(&format!("/v1/invitations/{id}"), &acme.owner_token)
            .await;
        let status = stored.body["status"].as_str().unwrap().to_owned();
        let listed = app
            .get(&format!("/v1/sites/{site}/technicians"), &site_admin)
            .await;
        let assigned = listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|item| item["account_id"] == tech.as_str());
        match (accepted, status.as_str()) {
            // The accept came first: the other request found nothing pending.
            (1, "accepted") => {
                assert!(assigned, "an accepted invitation leaves an assignment");
                assert!(
                    !raced.status.is_success(),
                    "{other} after acceptance: {}",
                    raced.body
                );
            }
            // The revoke came first: no accept got through.
            (0, "revoked") => {
                assert_eq!(other, "revoke");
                assert!(!assigned);
            }
            // The resend came first and replaced the link the accepts carried.
            (0, "pending") => {
                assert_eq!(other, "resend");
                assert!(raced.status.is_success(), "{}", raced.body);
                assert!(!assigned);
            }
            outcome => panic!(
                "no serial order ends like this: {outcome:?}; {} / {} / {}",
                first.body, second.body, raced.body
            ),
        }
        techs.push(tech);
    }
    answers_agree(&app, &site_admin, &site, &techs).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn locks_level_changes_and_deletes_of_the_same_technicians_end_as_one_serial_order() {
    let app = TestApp::new().await;
    let (_, site, site_admin, techs) = site_with_technicians(&app, 4).await;
    let post = |path: &'static str, body: Value| {
        let (app, site, site_admin) = (&app, &site, &site_admin);
        async move {
            app.post(
                &format!("/v1/sites/{site}/technicians/{path}"),
                site_admin,
                body,
            )
            .await
        }
    };
    // New assignments are Locked.
    let mut expected_locked = true;
    for round in 0..ROUNDS {
        let locked = round % 2 == 0;
        let level = if locked {
            "devices_only"
        } else {
            "full_excluding_users"
        };
        // A bulk lock and a bulk level change of the same technicians against each other, and
        // against deleting one of them: the one the first round's lock also names (all or
        // nothing, so that lock fails if the delete came first), absent in later rounds.
        let to_lock = if round == 0 { &techs[..] } else { &techs[1..] };
        let (lock, levels, removed) = tokio::join!(
            post("lock", json!({ "account_ids": to_lock, "locked": locked })),
            post(
                "level",
                json!({ "account_ids": techs[1..], "level": level })
            ),
            post("remove", json!({ "account_ids": [techs[0]] })),
        );
        no_server_error(&[&lock, &levels, &removed]);
        assert!(levels.status.is_success(), "{}", levels.body);
        if round > 0 {
            assert!(lock.status.is_success(), "{}", lock.body);
            assert!(
                removed.status.is_client_error(),
                "already deleted: {}",
                removed.body
            );
        }
        if lock.status.is_success() {
            expected_locked = locked;
        }

        let listed = app
            .get(&format!("/v1/sites/{site}/technicians"), &site_admin)
            .await;
        let items = listed.body["items"].as_array().unwrap();
        assert!(
            items
                .iter()
                .all(|item| item["account_id"] != techs[0].as_str()),
            "a deleted technician stays deleted: {}",
            listed.body
        );
        for tech in &techs[1..] {
            let item = items
                .iter()
                .find(|item| item["account_id"] == tech.as_str())
                .unwrap_or_else(|| panic!("{tech} lost: {}", listed.body));
            assert_eq!(item["level"], level, "{}", listed.body);
            assert_eq!(item["locked"], expected_locked, "{}", listed.body);
        }
        answers_agree(&app, &site_admin, &site, &techs).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_members_given_the_last_seat_at_once_leave_one_holder_and_the_count_right() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let members = format!("/v1/partners/{}/members", acme.id);
    let licences = format!("/v1/partners/{}/licences", acme.id);
    let privileges = async |member: &str, list: Value| {
        app.call(
            Method::PATCH,
            &format!("{members}/{member}"),
            Some(&acme.owner_token),
            Some(json!({ "privileges": list })),
        )
        .await
    };
    let remote = async |member: &str| {
        privileges(member, json!(["remote_support", "unattended_access"])).await
    };
    // A new partner's first Super Admin holds every privilege; the seats go to the others.
    let owner = app.get("/v1/me", &acme.owner_token).await.str("id");
    let given_up = privileges(&owner, json!(["unattended_access"])).await;
    assert_eq!(given_up.status, StatusCode::OK, "{}", given_up.body);

    for round in 0..ROUNDS {
        // One seat free; two members asking for it at once.
        let seats = app
            .call(
                Method::PUT,
                &licences,
                Some(&operator),
                Some(json!({ "remote_support": round + 1 })),
            )
            .await;
        assert_eq!(seats.status, StatusCode::OK, "{}", seats.body);
        let a = app
            .member(&acme, &format!("a{round}@acme.example"), "technician")
            .await;
        let b = app
            .member(&acme, &format!("b{round}@acme.example"), "technician")
            .await;
        let (first, second) = tokio::join!(remote(&a), remote(&b));
        no_server_error(&[&first, &second]);
        let mut outcomes = [
            (first.status.as_u16(), first.code()),
            (second.status.as_u16(), second.code()),
        ];
        outcomes.sort_unstable();
        assert_eq!(
            outcomes,
            [(200, "<no error code>"), (409, "licence_exhausted")],
            "round {round}"
        );
    }
    // The count the guard reads is the holders there are.
    let used = app.get(&licences, &operator).await;
    let remote_support = used.body["licences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["privilege"] == "remote_support")
        .unwrap()
        .clone();
    assert_eq!(
        remote_support,
        json!({ "privilege": "remote_support", "seats": ROUNDS, "in_use": ROUNDS })
    );
}
