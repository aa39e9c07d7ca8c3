//! A request dropped part-way — as axum drops a handler's future when the client closes its
//! connection, or a timeout layer when time runs out — never leaves the permission index
//! behind storage. Every kind of permission-relevant write is sent again and again and its
//! future dropped after 0, 1, 2, … polls (so at every await point it reaches), and after each
//! round the host's index must answer every question exactly as an index built from storage
//! does.

use std::future::Future;
use std::task::Poll;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;

use siteward_core::ids::{AccountId, DeviceId, SiteId};
use siteward_core::permission::Permission;
use siteward_core::permission::index::{Index, Question, Target};
use siteward_server::permissions::Permissions;

use super::technicians::{site_with_technicians, tills_for_a_department};
use super::{Partner, TestApp};

/// What the writes act on.
struct World {
    acme: Partner,
    site: String,
    admin: String,
    operator: String,
    techs: Vec<String>,
    department: String,
    till: String,
    /// The third technician's session, and the invitation back for them once removed.
    tech2_session: String,
    rejoin_token: std::sync::Mutex<String>,
}

/// The write that removes a member, then lets them accept an invitation back.
const REMOVE_OR_REJOIN: &str = "remove a member, or accept an invitation back";

/// One kind of write, as a request; `on` alternates from round to round so that every
/// completed write changes something.
type Write = fn(&World, bool) -> (Method, String, Option<Value>, String);

fn writes() -> Vec<(&'static str, Write)> {
    vec![
        ("lock one technician", |w, on| {
            let path = format!("/v1/sites/{}/technicians/{}", w.site, w.techs[0]);
            (
                Method::PATCH,
                path,
                Some(json!({ "locked": on })),
                w.admin.clone(),
            )
        }),
        ("lock in bulk", |w, on| {
            let path = format!("/v1/sites/{}/technicians/lock", w.site);
            let body = json!({ "account_ids": [w.techs[0], w.techs[1]], "locked": !on });
            (Method::POST, path, Some(body), w.admin.clone())
        }),
        ("change a level", |w, on| {
            let path = format!("/v1/sites/{}/technicians/{}", w.site, w.techs[1]);
            let level = if on {
                "devices_only"
            } else {
                "full_including_users"
            };
            (
                Method::PATCH,
                path,
                Some(json!({ "level": level })),
                w.admin.clone(),
            )
        }),
        ("disable a member", |w, on| {
            let path = format!("/v1/partners/{}/members/{}", w.acme.id, w.techs[1]);
            let status = if on { "disabled" } else { "active" };
            let body = json!({ "status": status });
            (Method::PATCH, path, Some(body), w.acme.owner_token.clone())
        }),
        ("switch technician access", |w, on| {
            let path = format!("/v1/sites/{}", w.site);
            let body = json!({ "technician_access": !on });
            (Method::PATCH, path, Some(body), w.admin.clone())
        }),
        ("disable an account", |w, on| {
            let path = format!("/v1/accounts/{}", w.techs[0]);
            let status = if on { "disabled" } else { "active" };
            let body = json!({ "status": status });
            (Method::PATCH, path, Some(body), w.operator.clone())
        }),
        ("join or leave a department", |w, on| {
            let path = format!(
                "/v1/partners/{}/departments/{}/members/{}",
                w.acme.id, w.department, w.techs[2]
            );
            let method = if on { Method::DELETE } else { Method::PUT };
            (method, path, None, w.acme.owner_token.clone())
        }),
        (REMOVE_OR_REJOIN, |w, on| {
            if on {
                let path = format!("/v1/partners/{}/members/{}", w.acme.id, w.techs[2]);
                (Method::DELETE, path, None, w.acme.owner_token.clone())
            } else {
                let token = w.rejoin_token.lock().unwrap().clone();
                let body = json!({ "token": token });
                let path = "/v1/invitations/accept".to_owned();
                (Method::POST, path, Some(body), w.tech2_session.clone())
            }
        }),
    ]
}

fn request(method: Method, path: &str, body: Option<Value>, token: &str) -> Request<Body> {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"));
    match body {
        Some(body) => request
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
        None => request.body(Body::empty()).unwrap(),
    }
}

/// Sends a request and drops it after at most `polls` polls, as a client closing its
/// connection does; then waits until every permission write it started has ended.
pub(crate) async fn send_and_drop(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
    polls: usize,
) {
    let request = request(method, path, body, token);
    poll_at_most(app.router.clone().oneshot(request), polls).await;
    app.state.permissions.settled().await;
}

/// Polls `future` at most `polls` times, letting the runtime's other tasks run in between;
/// whether it finished. Dropping it afterwards is what a closed connection does.
async fn poll_at_most<F: Future>(future: F, polls: usize) -> bool {
    let mut future = std::pin::pin!(future);
    for _ in 0..polls {
        let ready =
            std::future::poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx).is_ready())).await;
        if ready {
            return true;
        }
        tokio::task::yield_now().await;
    }
    false
}

/// An invitation back to the partner for the third technician, if they are not a member
/// (the removal before may have been dropped before it committed); an unusable token if so.
async fn invitation_back(app: &TestApp, world: &World) -> String {
    let member = format!("/v1/partners/{}/members/{}", world.acme.id, world.techs[2]);
    if app.get(&member, &world.acme.owner_token).await.status == StatusCode::OK {
        return "swi_not_a_token".to_owned();
    }
    super::technicians::member_invitation(app, &world.acme, "tech2@acme.example").await
}

/// How many audit events are stored.
async fn audit_events(app: &TestApp) -> i64 {
    let count: Option<i64> = app
        .store
        .surreal()
        .query("RETURN count(SELECT id FROM audit_event)")
        .await
        .and_then(|mut r| r.take(0))
        .unwrap();
    count.unwrap_or(0)
}

/// Every answer the world's questions get from `index`.
fn answers(index: &Index, world: &World, now: i64) -> Vec<String> {
    let site = SiteId::parse("s", &world.site).unwrap().key();
    let till = DeviceId::parse("d", &world.till).unwrap().key();
    let mut out = Vec::new();
    for tech in &world.techs {
        let technician = AccountId::parse("t", tech).unwrap().key();
        for permission in Permission::ALL {
            for device in [None, Some(till)] {
                let question = Question {
                    technician,
                    permission: *permission,
                    target: Target::Site { site, device },
                };
                out.push(format!(
                    "{tech} {permission:?} {device:?}: {:?}",
                    index.check(&question, now)
                ));
            }
        }
    }
    out
}

#[tokio::test]
async fn a_dropped_request_never_leaves_the_permission_index_behind_storage() {
    let app = TestApp::new().await;
    let (acme, site, admin, techs) = site_with_technicians(&app, 3).await;
    let operator = app.operator().await;
    let (_, till, department) = tills_for_a_department(&app, &acme, &site).await;
    let world = World {
        acme,
        site,
        admin,
        operator,
        techs,
        department,
        till,
        tech2_session: app.token("tech2@acme.example").await,
        rejoin_token: std::sync::Mutex::default(),
    };
    let now = || app.clock.now_time().timestamp_millis();

    for (name, write) in writes() {
        // How many polls one whole request takes; dropping after fewer stops it at each await.
        let (method, path, body, token) = write(&world, true);
        let mut full = 0;
        while !poll_at_most(
            app.router
                .clone()
                .oneshot(request(method.clone(), &path, body.clone(), &token)),
            full,
        )
        .await
        {
            full += 1;
            app.state.permissions.settled().await;
        }
        let mut on = false;
        let (mut dropped, mut committed_anyway) = (0, 0);
        // Each poll count twice, so that both writes of a pair (`on` alternates) are dropped
        // at every point, whichever of them needs more polls.
        for polls in (0..=full + 1).flat_map(|polls| [polls, polls]) {
            if name == REMOVE_OR_REJOIN && !on {
                *world.rejoin_token.lock().unwrap() = invitation_back(&app, &world).await;
            }
            let events_before = audit_events(&app).await;
            let (method, path, body, token) = write(&world, on);
            let finished = poll_at_most(
                app.router
                    .clone()
                    .oneshot(request(method, &path, body, &token)),
                polls,
            )
            .await;
            app.state.permissions.settled().await;
            let stored = answers(
                &Permissions::load(&app.store, false).await.unwrap().read(),
                &world,
                now(),
            );
            let here = answers(&app.state.permissions.read(), &world, now());
            for (here, stored) in here.iter().zip(&stored) {
                assert_eq!(
                    here, stored,
                    "{name}, dropped after {polls} polls: the index and storage disagree"
                );
            }
            if !finished {
                dropped += 1;
                // Every write records its audit event in its own transaction.
                if audit_events(&app).await > events_before {
                    committed_anyway += 1;
                }
            }
            on = !on;
        }
        // The rounds did drop requests, and some of those were committed regardless: the
        // case the index must not miss was exercised.
        assert!(
            dropped > 0 && committed_anyway > 0,
            "{name}: {dropped} dropped, {committed_anyway} committed anyway of {full} polls"
        );
    }
}
