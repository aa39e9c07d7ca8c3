//! Signing in and out of the console. A console session is an ordinary session of the app
//! (the same lockout, the same per-address limiter as the API's login), carried in an HttpOnly,
//! SameSite cookie instead of a bearer header.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cookie::SameSite;
use serde::Deserialize;

use siteward_app::AppError;
use siteward_app::auth::Caller;
use siteward_app::session::{Credentials, NewSession, SignIn, too_many_attempts};

use super::lang::Lang;
use super::{
    Chrome, SESSION_COOKIE, SignedIn, console_cookie, cookie, csrf_matches, csrf_token,
    expire_cookie, render, said, secure, set_cookie, with_csrf_cookie,
};
use crate::auth::{ClientAddr, request_id};
use crate::error::status_of;
use crate::state::AppState;

/// The signed-in person of a console request; a request without a valid session is sent to
/// the sign-in page.
#[derive(Debug)]
pub struct Viewer {
    /// Who they are, as the app resolved their session.
    pub caller: Caller,
    /// The page chrome for them, with a CSRF token for its forms.
    pub chrome: Chrome,
    /// The `Set-Cookie` that gives the browser a CSRF token, when it had none.
    pub set_csrf: Option<HeaderValue>,
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let to_sign_in = || Redirect::to("/sign-in").into_response();
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or_else(to_sign_in)?;
        let caller = state
            .resolve(&token, request_id(&parts.headers), state.api_tokens())
            .await
            .map_err(|_| to_sign_in())?;
        let account = caller.account().map_err(|_| to_sign_in())?;
        // Someone a team requires two-step sign-in of, who signed in without it, sees only
        // the account page that sets it up until they have.
        if caller.must_enrol
            && !ENROLMENT_PAGES.contains(&(parts.method.as_str(), parts.uri.path()))
        {
            return Err(Redirect::to("/account#totp-heading").into_response());
        }
        if let Some(lang) = account.locale.as_deref().and_then(Lang::from_tag) {
            lang.prefer();
        }
        let name = account.name.clone();
        let (csrf, set_csrf) = csrf_token(state, &parts.headers);
        Ok(Self {
            caller,
            chrome: Chrome::for_person(Some(SignedIn { name, csrf })),
            set_csrf,
        })
    }
}

/// What a session that must enrol in two-step sign-in may still open.
const ENROLMENT_PAGES: [(&str, &str); 4] = [
    ("GET", "/account"),
    ("POST", "/account/totp"),
    ("POST", "/account/totp/confirm"),
    ("POST", "/sign-out"),
];

/// Problems with the sign-in form, each next to its field.
#[derive(Debug, Default)]
struct SignInErrors {
    general: Option<String>,
    password: Option<String>,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage<'a> {
    chrome: Chrome,
    csrf: &'a str,
    email: &'a str,
    errors: SignInErrors,
}

fn sign_in_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    email: &str,
    errors: SignInErrors,
) -> Response {
    let (csrf, set) = csrf_token(state, headers);
    let page = SignInPage {
        chrome: Chrome::public(),
        csrf: &csrf,
        email,
        errors,
    };
    with_csrf_cookie(render(status, &page), set)
}

/// `GET /sign-in`.
pub async fn page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    sign_in_page(
        &state,
        &headers,
        StatusCode::OK,
        "",
        SignInErrors::default(),
    )
}

/// The sign-in form: the first step.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// The cookie that holds a sign-in's challenge between its password and its code; only the
/// second step's path gets it.
const CHALLENGE_COOKIE: &str = "siteward_sign_in";

/// `POST /sign-in`: a session in a cookie, then the person's own page — or, for an account
/// with two-step sign-in, the step that asks for the code.
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let again = |status, errors| sign_in_page(&state, &headers, status, &form.email, errors);
    let t = Lang::current().text();
    if !csrf_matches(&headers, &form.csrf) {
        let errors = SignInErrors {
            general: Some(t.form_expired.to_string()),
            ..SignInErrors::default()
        };
        return again(StatusCode::FORBIDDEN, errors);
    }
    if !state
        .limiter()
        .claim(address, state.now(), state.auth.max_failures_per_address)
    {
        return again(StatusCode::TOO_MANY_REQUESTS, general(&too_many_attempts()));
    }
    let credentials = Credentials {
        email: form.email.clone(),
        password: form.password.clone(),
        totp: None,
        client: Some(crate::auth::client_description(&headers, address)),
    };
    match state.begin_sign_in(credentials, request_id(&headers)).await {
        Ok(SignIn::Done(session)) => signed_in(&state, address, session),
        Ok(SignIn::SecondFactor {
            challenge,
            expires_at,
        }) => {
            let mut response = Redirect::to("/sign-in/code").into_response();
            let mut cookie = console_cookie(
                CHALLENGE_COOKIE,
                challenge,
                SameSite::Strict,
                secure(&state),
            );
            cookie.set_path("/sign-in/code");
            let seconds = (expires_at - state.now()).num_seconds().max(0);
            cookie.set_max_age(cookie::time::Duration::seconds(seconds));
            response.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_str(&cookie.to_string()).expect("cookie values are token text"),
            );
            response
        }
        Err(error) => {
            let errors = match error.code {
                "invalid_credentials" => SignInErrors {
                    password: Some(t.wrong_email_or_password.to_string()),
                    ..SignInErrors::default()
                },
                _ => general(&error),
            };
            again(status_of(error.kind), errors)
        }
    }
}

/// A new session: its cookie, the address forgiven its failures, and the person's own page.
fn signed_in(state: &AppState, address: Option<std::net::IpAddr>, session: NewSession) -> Response {
    state.limiter().forgive(address);
    let mut response = Redirect::to("/").into_response();
    let cookie = set_cookie(SESSION_COOKIE, session.token, SameSite::Lax, secure(state));
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

#[derive(Template)]
#[template(path = "sign_in_code.html")]
struct CodePage<'a> {
    chrome: Chrome,
    csrf: &'a str,
    error: Option<String>,
}

fn code_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let (csrf, set) = csrf_token(state, headers);
    let page = CodePage {
        chrome: Chrome::public(),
        csrf: &csrf,
        error,
    };
    with_csrf_cookie(render(status, &page), set)
}

/// `GET /sign-in/code`: the second step, for a sign-in whose password was right.
pub async fn code(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if cookie(&headers, CHALLENGE_COOKIE).is_none() {
        return Redirect::to("/sign-in").into_response();
    }
    code_page(&state, &headers, StatusCode::OK, None)
}

/// The second step's form.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

/// `POST /sign-in/code`: the authenticator's code finishes the sign-in. A sign-in that took
/// too long, or ran out of tries, starts again at the password.
pub async fn finish(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let t = Lang::current().text();
    let Some(challenge) = cookie(&headers, CHALLENGE_COOKIE) else {
        return Redirect::to("/sign-in").into_response();
    };
    if !csrf_matches(&headers, &form.csrf) {
        return code_page(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            Some(t.form_expired.to_string()),
        );
    }
    if !state
        .limiter()
        .claim(address, state.now(), state.auth.max_failures_per_address)
    {
        let why = too_many_attempts().message.to_string();
        return code_page(&state, &headers, StatusCode::TOO_MANY_REQUESTS, Some(why));
    }
    match state
        .finish_sign_in(&challenge, form.code.trim(), request_id(&headers))
        .await
    {
        Ok(session) => {
            let mut response = signed_in(&state, address, session);
            response
                .headers_mut()
                .append(header::SET_COOKIE, end_challenge(&state));
            response
        }
        Err(error) if error.code == "invalid_totp" => code_page(
            &state,
            &headers,
            status_of(error.kind),
            Some(t.totp_wrong.to_string()),
        ),
        Err(error) => {
            let errors = SignInErrors {
                general: Some(if error.code == "sign_in_expired" {
                    t.sign_in_expired.to_string()
                } else {
                    said(&error)
                }),
                ..SignInErrors::default()
            };
            let mut response = sign_in_page(&state, &headers, status_of(error.kind), "", errors);
            response
                .headers_mut()
                .append(header::SET_COOKIE, end_challenge(&state));
            response
        }
    }
}

/// The `Set-Cookie` that ends a sign-in's challenge cookie.
fn end_challenge(state: &AppState) -> HeaderValue {
    let mut cookie = console_cookie(
        CHALLENGE_COOKIE,
        String::new(),
        SameSite::Strict,
        secure(state),
    );
    cookie.set_path("/sign-in/code");
    cookie.set_max_age(cookie::time::Duration::ZERO);
    HeaderValue::from_str(&cookie.to_string()).expect("cookie values are token text")
}

fn general(error: &AppError) -> SignInErrors {
    SignInErrors {
        general: Some(said(error)),
        ..SignInErrors::default()
    }
}

/// The sign-out form.
#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /sign-out`: ends the session (in storage, not only in the browser).
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Form(form): Form<SignOutForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to("/").into_response();
    }
    if let Err(error) = state.logout(&viewer.caller).await {
        tracing::warn!(%error, "a console session could not be ended");
        let t = Lang::current().text();
        return (status_of(error.kind), t.session_not_ended.as_str()).into_response();
    }
    let mut response = Redirect::to("/sign-in").into_response();
    let gone = expire_cookie(SESSION_COOKIE, SameSite::Lax, secure(&state));
    response.headers_mut().append(header::SET_COOKIE, gone);
    response
}
