//! Access reviews over HTTP: a review lists each technician with their level, who gave it and
//! when they last used it (the check's use, written without a write per check); reviewers
//! confirm and remove; the deadline locks what nobody confirmed; the audit log and the CSV
//! export keep the result; a site's schedule starts reviews by itself; who may do what.

use axum::http::{Method, StatusCode};
use chrono::{Duration, Timelike};
use serde_json::{Value, json};

use super::export::download;
use super::technicians::{set_locked, site_with_technicians};
use super::{Partner, TestApp};

async fn allowed(app: &TestApp, partner: &Partner, tech: &str, site: &str) -> (bool, String) {
    let reply = app
        .post(
            "/v1/check",
            &partner.owner_token,
            json!({ "technician_id": tech, "permission": "dashboard.view", "site_id": site }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    (
        reply.body["allowed"].as_bool().unwrap(),
        reply.str("reason"),
    )
}

/// The partner's owner and the site's admin signed in again (sessions end after 12 hours).
async fn signed_in_again(app: &TestApp, partner: &Partner) -> (Partner, String) {
    let partner = Partner {
        id: partner.id.clone(),
        owner_token: app.token("owner@acme.example").await,
    };
    (partner, app.token("admin@customer.example").await)
}

async fn lines(app: &TestApp, token: &str, review: &str) -> Vec<Value> {
    let reply = app
        .get(&format!("/v1/reviews/{review}/technicians"), token)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["items"].as_array().unwrap().clone()
}

fn line<'a>(lines: &'a [Value], tech: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| l["technician_id"] == tech)
        .unwrap_or_else(|| panic!("{tech} is listed"))
}

async fn verdict(
    app: &TestApp,
    token: &str,
    review: &str,
    techs: &[&str],
    verdict: &str,
) -> super::Reply {
    app.post(
        &format!("/v1/reviews/{review}/verdicts"),
        token,
        json!({ "technicians": techs, "verdict": verdict }),
    )
    .await
}

#[tokio::test]
async fn a_review_shows_last_use_keeps_the_confirmed_removes_the_removed_and_locks_the_rest() {
    let app = TestApp::new().await;
    let (acme, site, admin, techs) = site_with_technicians(&app, 3).await;
    set_locked(&app, &site, &admin, &techs, false).await;

    // tech0 is let in by the check a day later: recorded in memory, written once.
    app.clock.advance(Duration::hours(26));
    let (acme, admin) = signed_in_again(&app, &acme).await;
    let used_at = app.clock.now_time();
    assert!(allowed(&app, &acme, &techs[0], &site).await.0);
    assert!(allowed(&app, &acme, &techs[0], &site).await.0);
    assert_eq!(
        app.state.record_use().await.unwrap(),
        1,
        "one assignment used"
    );
    assert_eq!(
        app.state.record_use().await.unwrap(),
        0,
        "nothing new since"
    );

    let started = app
        .post(
            &format!("/v1/sites/{site}/reviews"),
            &admin,
            json!({ "days": 7 }),
        )
        .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    assert_eq!(started.body["technicians"], 3);
    assert_eq!(started.body["pending"], 3);
    assert_eq!(started.body["unconfirmed"], "lock");
    assert_eq!(started.body["started_by_name"], "Site Admin");
    let review = started.str("id");
    let again = app
        .post(&format!("/v1/sites/{site}/reviews"), &admin, json!({}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.body["error"]["code"], "review_open");

    let listed = lines(&app, &admin, &review).await;
    assert_eq!(listed.len(), 3);
    let minute = used_at.with_second(0).unwrap().with_nanosecond(0).unwrap();
    let tech0 = line(&listed, &techs[0]);
    assert_eq!(
        tech0["last_used_at"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap(),
        minute,
        "{tech0}"
    );
    assert_eq!(tech0["level"], "full_excluding_users");
    assert_eq!(tech0["verdict"], "pending");
    assert_eq!(
        tech0["granted_by_name"], "Site Admin",
        "the site admin unlocked it: {tech0}"
    );
    let tech1 = line(&listed, &techs[1]);
    assert!(
        tech1["last_used_at"].is_null()
            || tech1["last_used_at"].as_str() < tech0["last_used_at"].as_str(),
        "{tech1}"
    );

    let confirmed = verdict(&app, &admin, &review, &[&techs[0]], "confirm").await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(confirmed.body["pending"], 2);
    let twice = verdict(&app, &admin, &review, &[&techs[0]], "remove").await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    assert_eq!(twice.body["error"]["code"], "already_decided");
    let stranger = app.member(&acme, "new@acme.example", "technician").await;
    let unlisted = verdict(&app, &admin, &review, &[&techs[1], &stranger], "confirm").await;
    assert_eq!(unlisted.status, StatusCode::NOT_FOUND, "{}", unlisted.body);
    let bad = verdict(&app, &admin, &review, &[&techs[1]], "approve").await;
    assert_eq!(bad.body["error"]["field"], "verdict", "{}", bad.body);

    let removed = verdict(&app, &admin, &review, &[&techs[1]], "remove").await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    assert_eq!(
        allowed(&app, &acme, &techs[1], &site).await,
        (false, "not_assigned".to_owned()),
        "removed at once"
    );

    // The deadline: tech2, unconfirmed, is locked by the host; to the millisecond.
    app.clock
        .advance(Duration::days(7) - Duration::milliseconds(1));
    assert_eq!(app.state.complete_due_reviews().await.unwrap(), 0);
    app.clock.advance(Duration::milliseconds(1));
    assert_eq!(app.state.complete_due_reviews().await.unwrap(), 1);
    assert_eq!(app.state.complete_due_reviews().await.unwrap(), 0, "once");
    let (acme, admin) = signed_in_again(&app, &acme).await;
    assert_eq!(
        allowed(&app, &acme, &techs[2], &site).await,
        (false, "locked".to_owned())
    );
    assert!(
        allowed(&app, &acme, &techs[0], &site).await.0,
        "confirmed stays"
    );

    let done = app.get(&format!("/v1/reviews/{review}"), &admin).await;
    assert_eq!(done.body["status"], "completed", "{}", done.body);
    assert_eq!(done.body["pending"], 0);
    let listed = lines(&app, &admin, &review).await;
    let verdicts: Vec<(&str, &str)> = techs
        .iter()
        .map(|t| {
            let l = line(&listed, t);
            (
                l["verdict"].as_str().unwrap(),
                l["decided_by_kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("confirmed", "account"),
            ("removed", "account"),
            ("locked", "system")
        ]
    );
    let late = verdict(&app, &admin, &review, &[&techs[2]], "confirm").await;
    assert_eq!(
        late.body["error"]["code"], "review_completed",
        "{}",
        late.body
    );

    // The audit log answers who vouched for whom.
    let log = app
        .get(&format!("/v1/sites/{site}/audit-events?limit=200"), &admin)
        .await;
    let events = log.body["items"].as_array().unwrap();
    let about: Vec<&str> = events
        .iter()
        .filter(|e| e["target"]["id"] == review.as_str())
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        about,
        [
            "review.started",
            "review.decided",
            "review.decided",
            "review.completed"
        ]
    );
    let completed = events
        .iter()
        .find(|e| e["action"] == "review.completed")
        .unwrap();
    let tally: Vec<(String, String)> = completed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["field"].as_str().unwrap().to_owned(),
                c["after"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for expected in [("confirmed", "1"), ("removed", "1"), ("locked", "1")] {
        assert!(
            tally.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{tally:?}"
        );
    }
    let locked = events
        .iter()
        .find(|e| e["action"] == "assignment.locked" && e["actor"]["kind"] == "system")
        .expect("the deadline's lock is audited");
    assert_eq!(locked["target"]["id"], techs[2].as_str());

    // The export: one row per technician, as a spreadsheet reads it.
    let (status, content_type, csv_text) =
        download(&app, &format!("/v1/reviews/{review}/export"), &admin).await;
    assert_eq!(status, StatusCode::OK, "{csv_text}");
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let mut exported: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r[column("technician_email")].to_owned(),
                r[column("verdict")].to_owned(),
            )
        })
        .collect();
    exported.sort();
    assert_eq!(
        exported,
        [
            ("tech0@acme.example".to_owned(), "confirmed".to_owned()),
            ("tech1@acme.example".to_owned(), "removed".to_owned()),
            ("tech2@acme.example".to_owned(), "locked".to_owned()),
        ]
    );
}

#[tokio::test]
async fn a_sites_schedule_starts_reviews_and_the_partner_reviews_its_own_technicians() {
    let app = TestApp::new().await;
    let (acme, site, admin, techs) = site_with_technicians(&app, 2).await;
    set_locked(&app, &site, &admin, &techs, false).await;
    let policy = json!({
        "max_minutes": 480,
        "review": { "every_days": 30, "days": 7, "unconfirmed": "leave" },
    });
    let put = app
        .call(
            Method::PUT,
            &format!("/v1/sites/{site}/access-policy"),
            Some(&admin),
            Some(policy),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(put.body["review"]["every_days"], 30);
    assert_eq!(put.body["review"]["unconfirmed"], "leave");

    app.clock.advance(Duration::days(30) - Duration::seconds(1));
    assert_eq!(app.state.start_scheduled_reviews().await.unwrap(), 0);
    app.clock.advance(Duration::seconds(1));
    assert_eq!(app.state.start_scheduled_reviews().await.unwrap(), 1);
    assert_eq!(
        app.state.start_scheduled_reviews().await.unwrap(),
        0,
        "next in 30 days"
    );
    let owner = app.token("owner@acme.example").await;
    let reviews = app.get(&format!("/v1/sites/{site}/reviews"), &owner).await;
    assert_eq!(reviews.status, StatusCode::OK, "{}", reviews.body);
    let review = &reviews.body["items"][0];
    assert_eq!(review["started_by_kind"], "system");
    assert_eq!(review["unconfirmed"], "leave");
    let review = review["id"].as_str().unwrap().to_owned();

    // The partner's owner (admin.team) confirms one of its technicians; a technician may not.
    let tech0 = app.token("tech0@acme.example").await;
    let refused = verdict(&app, &tech0, &review, &[&techs[0]], "confirm").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let refused = app
        .post(&format!("/v1/sites/{site}/reviews"), &tech0, json!({}))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let confirmed = verdict(&app, &owner, &review, &[&techs[0]], "confirm").await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);

    // Another partner sees nothing of it.
    let operator = app.operator().await;
    let other = app.partner(&operator, "other").await;
    let hidden = app
        .get(&format!("/v1/reviews/{review}"), &other.owner_token)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);
    let hidden = verdict(&app, &other.owner_token, &review, &[&techs[1]], "remove").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);

    // At the deadline tech1, unconfirmed, is left as it was: the review says so.
    app.clock.advance(Duration::days(7));
    assert_eq!(app.state.complete_due_reviews().await.unwrap(), 1);
    let (acme, admin) = signed_in_again(&app, &acme).await;
    assert!(allowed(&app, &acme, &techs[1], &site).await.0);
    let listed = lines(&app, &admin, &review).await;
    assert_eq!(line(&listed, &techs[1])["verdict"], "left");
    assert_eq!(line(&listed, &techs[0])["decided_by_name"], "Owner");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_reviewers_deciding_one_technician_at_once_yield_one_verdict() {
    for round in 0..3 {
        let app = TestApp::new().await;
        let (acme, site, admin, techs) = site_with_technicians(&app, 1).await;
        set_locked(&app, &site, &admin, &techs, false).await;
        let started = app
            .post(&format!("/v1/sites/{site}/reviews"), &admin, json!({}))
            .await;
        let review = started.str("id");
        let tech = [techs[0].as_str()];
        let (a, b) = tokio::join!(
            verdict(&app, &admin, &review, &tech, "confirm"),
            verdict(&app, &acme.owner_token, &review, &tech, "remove"),
        );
        let statuses = [a.status, b.status];
        assert!(
            statuses.contains(&StatusCode::OK) && statuses.contains(&StatusCode::CONFLICT),
            "round {round}: {} {} / {} {}",
            a.status,
            a.body,
            b.status,
            b.body
        );
        let loser = if a.status == StatusCode::CONFLICT {
            &a
        } else {
            &b
        };
        assert!(
            ["already_decided", "review_completed"].contains(&loser.code()),
            "{}",
            loser.body
        );
        let listed = lines(&app, &admin, &review).await;
        let expected = if a.status == StatusCode::OK {
            "confirmed"
        } else {
            "removed"
        };
        assert_eq!(
            line(&listed, &techs[0])["verdict"],
            expected,
            "round {round}"
        );
        assert_eq!(
            allowed(&app, &acme, &techs[0], &site).await.0,
            expected == "confirmed",
            "the winner's verdict holds"
        );
        let log = app
            .get(
                &format!("/v1/sites/{site}/audit-events?action=review.decided"),
                &admin,
            )
            .await;
        assert_eq!(
            log.body["items"].as_array().unwrap().len(),
            1,
            "{}",
            log.body
        );
    }
}
