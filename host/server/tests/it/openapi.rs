//! The OpenAPI document: generated from the code, served at `/openapi.json`, and pinned by a
//! snapshot so that any change to the API shows up in review.

use axum::http::{Method, StatusCode};

use super::{TestApp, snapshot_settings};

#[tokio::test]
async fn the_served_document_is_the_generated_one_and_matches_its_snapshot() {
    let app = TestApp::new().await;
    let served = app.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.body["openapi"], "3.1.0");
    let generated = serde_json::to_value(siteward_server::openapi()).unwrap();
    assert_eq!(served.body, generated);
    snapshot_settings().bind(|| insta::assert_json_snapshot!("openapi", served.body));
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let app = TestApp::new().await;
    let doc = siteward_server::openapi();
    let id = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    for (path, item) in &doc.paths.paths {
        let concrete = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    id
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let methods = [
            (Method::GET, item.get.is_some()),
            (Method::POST, item.post.is_some()),
            (Method::PATCH, item.patch.is_some()),
            (Method::DELETE, item.delete.is_some()),
        ];
        for method in methods
            .into_iter()
            .filter_map(|(method, documented)| documented.then_some(method))
        {
            // Unauthenticated calls reach the route and stop at authentication (or, for login,
            // at body validation) rather than falling through to 404 / 405.
            let reply = app.call(method.clone(), &concrete, None, None).await;
            assert!(
                ![StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&reply.status),
                "{method} {concrete} is documented but answered {}",
                reply.status
            );
        }
    }
}
